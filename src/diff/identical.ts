/**
 * The identical check. Its whole-table hash rides in the profile's scan (see profile.ts), so it
 * costs no scan of its own; what lives here is the optional first statement, the row counts of
 * both sides (DuckDB answers them from table metadata), which size the profile's percentile sample
 * and spare the hash when the counts already differ.
 */
import type { Profiles, RowCounts } from './profile.js';
import { count, pick, type Runner } from './runner.js';

export function countsSql(r: Runner, base: string, head: string): string {
  return [
    'SELECT * FROM',
    `  (SELECT count(*) AS ${r.q('b_rows')} FROM ${base}) AS ir_b`,
    'CROSS JOIN',
    `  (SELECT count(*) AS ${r.q('h_rows')} FROM ${head}) AS ir_h`,
  ].join('\n');
}

export async function countRows(r: Runner, base: string, head: string): Promise<RowCounts> {
  const [row] = await r.run(countsSql(r, base, head), 'diff:counts');
  return { base: count(pick(row, 'b_rows')), head: count(pick(row, 'h_rows')) };
}

/** Same row count and the same order-independent hash of every row (two empty relations: both NULL). */
export function isIdentical(profiles: Profiles): boolean {
  const h = profiles.hashes;
  return h !== null && profiles.baseRows === profiles.headRows && h.base === h.head;
}
