/**
 * The first statement: row counts of both sides and, when the schemas match, an order-independent
 * hash of every row. Equal hashes and counts mean nothing else needs to run; the counts alone let
 * the profile size its percentile sample.
 */
import type { ColumnPair } from './schema.js';
import { count, pick, toText, type Runner } from './runner.js';

export interface IdenticalCheck {
  /** Null when no hash was computed (counts only). */
  identical: boolean | null;
  baseRows: number;
  headRows: number;
}

export function identicalSql(r: Runner, base: string, head: string, pairs: ColumnPair[], withHash = true): string {
  // Both sides hash the same columns in the same order, so equal rows hash equally.
  const both = pairs.filter((p) => p.base && p.head);
  const hash = (side: 'base' | 'head', alias: string) =>
    withHash ? `, ${r.sql.tableHash(both.map((p) => r.q(p[side]!.name)))} AS ${r.q(alias)}` : '';
  return [
    'SELECT * FROM',
    `  (SELECT count(*) AS ${r.q('b_rows')}${hash('base', 'b_hash')} FROM ${base}) AS ir_b`,
    'CROSS JOIN',
    `  (SELECT count(*) AS ${r.q('h_rows')}${hash('head', 'h_hash')} FROM ${head}) AS ir_h`,
  ].join('\n');
}

export async function checkIdentical(
  r: Runner,
  base: string,
  head: string,
  pairs: ColumnPair[],
  withHash = true,
): Promise<IdenticalCheck> {
  const [row] = await r.run(identicalSql(r, base, head, pairs, withHash), withHash ? 'diff:identical' : 'diff:counts');
  const baseRows = count(pick(row, 'b_rows'));
  const headRows = count(pick(row, 'h_rows'));
  if (!withHash) return { identical: null, baseRows, headRows };
  const bh = toText(pick(row, 'b_hash'));
  const hh = toText(pick(row, 'h_hash'));
  return { identical: baseRows === headRows && bh === hh, baseRows, headRows };
}
