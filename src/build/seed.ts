/**
 * The PR version of a seed as one read-only SELECT: the head CSV's rows as VALUES literals, each
 * column cast to a type the way `dbt seed` would choose it:
 *   1. the seed's `column_types` config, when it names the column;
 *   2. production's type for the column, when the head's values still fit it (so the diff
 *      compares like with like instead of reporting the loader's guess as a type change);
 *   3. else the type the adapter's seed loader infers from the values.
 * No statement but a SELECT is sent, so a seed goes through the same read-only gate as a model.
 */
import { inferSeedKind, parseCsv, type SeedValueKind } from '../dbt/seed-csv.js';
import type { Dialect } from '../warehouse/dialect.js';
import type { ColumnType } from '../warehouse/warehouse.js';

/** Snowflake refuses statements over 1 MB of text; a seed past that is not built (with the reason). */
export const MAX_SEED_SQL_CHARS = 1_000_000;

export interface SeedSelectOptions {
  dialect: Dialect;
  /** The production relation's columns, when it exists. */
  production: ColumnType[];
  /** The seed's `column_types` config (column → warehouse type). */
  columnTypes: Record<string, string>;
}

/** Whether head values of this kind still fit production's column type. */
function fits(kind: SeedValueKind, production: ColumnType): boolean {
  switch (kind) {
    case 'integer':
      return production.kind === 'number';
    case 'float':
      // A decimal value no longer fits an integer column: the loader would widen the type.
      return production.kind === 'number' && !/INT|^NUMBER\(\d+,\s*0\)$/i.test(production.type);
    case 'boolean':
      return production.kind === 'boolean';
    case 'date':
      return production.kind === 'date';
    case 'timestamp':
      return production.kind === 'timestamp';
    case 'text':
      return production.kind === 'string';
  }
}

/** The SELECT that yields the seed's rows, or why it cannot be built. */
export function seedSelectSql(csv: string, options: SeedSelectOptions): { sql: string } | { error: string } {
  const { dialect } = options;
  const [header, ...rows] = parseCsv(csv);
  if (!header || header.every((h) => h.trim() === '')) return { error: 'the seed file has no header row' };
  const ragged = rows.findIndex((r) => r.length !== header.length);
  if (ragged >= 0) {
    return { error: `record ${ragged + 2} has ${rows[ragged].length} field(s) but the header has ${header.length}` };
  }
  const production = new Map(options.production.map((c) => [c.name.toLowerCase(), c]));
  const configured = new Map(Object.entries(options.columnTypes).map(([k, v]) => [k.toLowerCase(), v]));
  const types = header.map((h, i) => {
    const set = configured.get(h.toLowerCase());
    if (set) return set;
    const kind = inferSeedKind(rows.map((r) => r[i]));
    const prod = production.get(h.toLowerCase());
    return prod && fits(kind, prod) ? prod.type : dialect.seedType(kind);
  });
  const slots = header.map((_, i) => `ir_c${i}`);
  const select = header.map((h, i) => `CAST(${slots[i]} AS ${types[i]}) AS ${dialect.seedColumn(h)}`).join(', ');
  if (rows.length === 0) {
    return { sql: `SELECT ${header.map((h, i) => `CAST(NULL AS ${types[i]}) AS ${dialect.seedColumn(h)}`).join(', ')} WHERE 1 = 0` };
  }
  const literal = (v: string) => (v === '' ? 'NULL' : dialect.stringLiteral(v));
  const values = rows.map((r) => `(${r.map(literal).join(', ')})`).join(',\n  ');
  const sql = `SELECT ${select}\nFROM (VALUES\n  ${values}\n) AS ir_seed(${slots.join(', ')})`;
  if (sql.length > MAX_SEED_SQL_CHARS) {
    return { error: `the seed is too large to build from one statement (${sql.length.toLocaleString('en-US')} characters of SQL; at most ${MAX_SEED_SQL_CHARS.toLocaleString('en-US')})` };
  }
  return { sql };
}
