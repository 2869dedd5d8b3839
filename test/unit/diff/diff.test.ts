import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { diffRelations } from '../../../src/diff/diff.js';
import { formatDiffText } from '../../../src/diff/format.js';
import { DiffError, type TableDiff } from '../../../src/diff/types.js';
import { WarehouseError } from '../../../src/warehouse/warehouse.js';
import type { DuckDbWarehouse } from '../../../src/warehouse/duckdb.js';
import { amountOf, plantedWarehouse, range } from './fixtures.js';

let w: DuckDbWarehouse;
let diff: TableDiff;

beforeAll(async () => {
  w = await plantedWarehouse();
  diff = await diffRelations(w, 'base_orders', 'head_orders', { primaryKey: ['id'] });
});
afterAll(async () => {
  await w.close();
});

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

/** Runs `fn` and returns its result with the SQL of each statement it ran, by purpose. */
async function capture<T>(fn: () => Promise<T>): Promise<{ result: T; sql: Record<string, string> }> {
  const original = w.query.bind(w);
  const sql: Record<string, string> = {};
  w.query = (async (text: string, opts?: { purpose?: string }) => {
    if (opts?.purpose) sql[opts.purpose] = text;
    return original(text, opts);
  }) as typeof w.query;
  try {
    return { result: await fn(), sql };
  } finally {
    w.query = original;
  }
}

describe('diffRelations on planted differences (DuckDB)', () => {
  test('schema: added, removed and type-changed columns', () => {
    expect(diff.schema.added).toEqual(['channel']);
    expect(diff.schema.removed).toEqual(['note']);
    expect(diff.schema.type_changed).toEqual(['qty']);
    expect(diff.schema.type_changes).toEqual([{ column: 'qty', base: 'INTEGER', head: 'VARCHAR' }]);
    expect(diff.identical).toBe(false);
  });

  test('rows: exact added / removed / changed / unchanged', () => {
    expect(diff.rows).toMatchObject({ base: 1000, head: 997, added: 7, removed: 10, changed: 18, unchanged: 972 });
    expect(diff.rows.duplicate_keys).toEqual({ base: { keys: 0, rows: 0 }, head: { keys: 0, rows: 0 } });
    expect(diff.rows.null_keys).toEqual({ base: 0, head: 0 });
    expect(diff.warnings).toEqual([]);
  });

  test('per-column mismatches, including a type change with equal values', () => {
    expect(diff.columns.amount.mismatched).toBe(13);
    expect(diff.columns.status.mismatched).toBe(5);
    expect(diff.columns.category.mismatched).toBe(0);
    expect(diff.columns.region.mismatched).toBe(0);
    expect(diff.columns.qty.mismatched).toBe(0);
    expect(diff.columns.discount.mismatched).toBe(0);
    expect(diff.columns.channel.mismatched).toBeNull();
    expect(diff.columns.note.mismatched).toBeNull();
    expect(diff.columns.note.head).toBeNull();
    expect(diff.columns.channel.base).toBeNull();
  });

  test('profile: totals, nulls, min/max and dates', () => {
    const baseSum = sum(range(1, 1000).map(amountOf));
    const headSum = sum(range(11, 1007).map(amountOf)) + 13;
    expect(diff.columns.amount.base!.sum).toBeCloseTo(baseSum, 6);
    expect(diff.columns.amount.head!.sum).toBeCloseTo(headSum, 6);
    expect(diff.columns.amount.base!.min).toBe(0.5);
    expect(diff.columns.amount.base!.max).toBe(99.5);
    expect(diff.columns.discount.base!.nulls).toBe(100);
    expect(diff.columns.discount.head!.nulls).toBe(99);
    expect(diff.columns.amount.base!.nulls).toBe(0);
    expect(diff.columns.order_date.base!.min).toBe('2024-01-01');
    expect(diff.columns.order_date.base!.max).toBe('2024-12-30');
    expect(diff.columns.note.base!.min_length).toBe(6);
    expect(diff.columns.note.base!.max_length).toBe(9);
    expect(diff.columns.category.base!.distinct).toBe(2);
    expect(diff.columns.category.head!.distinct).toBe(3);
    // Low-cardinality distinct counts come exact from the value counts; the rest are estimates.
    expect(diff.columns.region.head!.distinct).toBe(2);
    expect(diff.columns.region.head!.distinct_exact).toBe(true);
    expect(diff.columns.note.base!.distinct_exact).toBeUndefined();
    expect(diff.distinct_method).toBe('approx');
    // Percentiles are estimates; the median of a 0.5..99.5 spread sits near 50.
    expect(diff.columns.amount.base!.p50).toBeGreaterThan(40);
    expect(diff.columns.amount.base!.p50).toBeLessThan(60);
  });

  test('distribution: new and vanished values with exact counts and shares', () => {
    const cat = diff.distribution.category;
    expect(cat.kind).toBe('values');
    expect(cat.new_values).toEqual([{ value: 'C', count: 7 }]);
    expect(cat.vanished_values).toEqual([]);
    const byValue = Object.fromEntries(cat.buckets.map((b) => [b.value, [b.base, b.head]]));
    expect(byValue).toEqual({ A: [500, 495], B: [500, 495], C: [0, 7] });
    const c = cat.buckets.find((b) => b.value === 'C')!;
    expect(c.head_share).toBeCloseTo(7 / 997, 10);
    expect(diff.distribution.region.vanished_values).toEqual([{ value: 'east', count: 10 }]);
    expect(diff.distribution.region.largest_shift?.value).toBe('east');
    // open: 333 in base; head loses 3, 6, 9, gains 1002, 1005, flips 30, 33 away and 31, 32, 34 to it.
    const status = Object.fromEntries(diff.distribution.status.buckets.map((b) => [b.value, [b.base, b.head]]));
    expect(status.open).toEqual([333, 333 - 3 + 2 - 2 + 3]);
    expect(status.pending).toEqual([333, 333 - 3 + 3 - 1]); // loses 2, 5, 8; gains 1001, 1004, 1007; 32 flips away
  });

  test('distribution: numeric histogram with bins shared by both sides', () => {
    const h = diff.distribution.amount;
    expect(h.kind).toBe('histogram');
    expect(h.buckets).toHaveLength(10);
    expect(h.buckets[0].lo).toBe(0.5);
    expect(h.buckets[9].hi).toBe(99.5);
    expect(sum(h.buckets.map((b) => b.base))).toBe(1000);
    expect(sum(h.buckets.map((b) => b.head))).toBe(997);
    // Qty became VARCHAR on head: low cardinality, so compared per value as text.
    const qty = Object.fromEntries(diff.distribution.qty.buckets.map((b) => [b.value, b.base]));
    expect(qty).toEqual({ '0': 200, '1': 200, '2': 200, '3': 200, '4': 200 });
  });

  test('query count: counts + profile + distribution + values (schemas differ, so no hash)', () => {
    expect(diff.queries).toBe(4);
    expect(diff.query_log.map((q) => q.purpose)).toEqual(['diff:counts', 'diff:profile', 'diff:distribution', 'diff:values']);
  });

  test('same schema, different content: the identical hash rides in the profile, samples one more statement', async () => {
    await w.query(`CREATE TABLE head_same AS SELECT * REPLACE (CAST(CASE WHEN id = 500 THEN amount + 2 ELSE amount END AS DECIMAL(12, 2)) AS amount) FROM base_orders`);
    const d = await diffRelations(w, 'base_orders', 'head_same', { primaryKey: ['id'], sampleRows: 5 });
    expect(d.identical).toBe(false);
    expect(d.rows).toMatchObject({ added: 0, removed: 0, changed: 1, unchanged: 999 });
    expect(d.queries).toBe(5);
    expect(d.query_log.map((q) => q.purpose)).toEqual(['diff:counts', 'diff:profile', 'diff:distribution', 'diff:values', 'diff:sample']);
    expect(d.samples).toEqual([{ key: { id: '500' }, changes: { amount: ['0.50', '2.50'] } }]);
  });

  test('identical tables exit after the profile, with the profiles filled in', async () => {
    await w.query(`CREATE TABLE base_copy AS SELECT * FROM base_orders ORDER BY id DESC`);
    const d = await diffRelations(w, 'base_orders', 'base_copy', { primaryKey: ['id'] });
    expect(d.identical).toBe(true);
    expect(d.query_log.map((q) => q.purpose)).toEqual(['diff:counts', 'diff:profile']);
    expect(d.rows).toMatchObject({ base: 1000, head: 1000, added: 0, removed: 0, changed: 0, unchanged: 1000 });
    expect(d.columns.discount.head).toMatchObject({ nulls: 100, min: 0, max: 3 });
    expect(d.columns.amount.base!.sum).toBeCloseTo(d.columns.amount.head!.sum!, 6);
    expect(d.distribution).toEqual({});
    expect(formatDiffText(d)).toContain('Identical');
  });

  test('row counts that differ skip the whole-table hash', async () => {
    await w.query(`CREATE TABLE fewer AS SELECT * FROM base_orders WHERE id > 1`);
    const { result: f, sql } = await capture(() => diffRelations(w, 'base_orders', 'fewer', { primaryKey: ['id'] }));
    expect(f.identical).toBe(false);
    expect(f.rows).toMatchObject({ base: 1000, head: 999, removed: 1, changed: 0 });
    expect(sql['diff:profile']).not.toContain('hash(');
    await w.query(`CREATE TABLE same_count AS SELECT * REPLACE (CASE WHEN id = 7 THEN 'Z' ELSE category END AS category) FROM base_orders`);
    const { result: same, sql: sameSql } = await capture(() => diffRelations(w, 'base_orders', 'same_count', { primaryKey: ['id'] }));
    expect(same.rows).toMatchObject({ changed: 1 });
    expect(sameSql['diff:profile']).toContain('hash(');
  });

  test('two empty relations with the same schema are identical', async () => {
    await w.query(`CREATE TABLE empty_a (id INTEGER, v VARCHAR)`);
    await w.query(`CREATE TABLE empty_b (id INTEGER, v VARCHAR)`);
    const d = await diffRelations(w, 'empty_a', 'empty_b', { primaryKey: ['id'] });
    expect(d.identical).toBe(true);
    expect(d.query_log.map((q) => q.purpose)).toEqual(['diff:counts', 'diff:profile']);
    expect(d.rows).toMatchObject({ base: 0, head: 0, added: 0, removed: 0, changed: 0, unchanged: 0 });
  });

  test('a duplicated row is not identical (hashes do not cancel out)', async () => {
    await w.query(`CREATE TABLE dup_a AS SELECT * FROM (VALUES (1, 'x'), (1, 'x'), (2, 'y')) t(id, v)`);
    await w.query(`CREATE TABLE dup_b AS SELECT * FROM (VALUES (1, 'x'), (2, 'y'), (2, 'y')) t(id, v)`);
    const d = await diffRelations(w, 'dup_a', 'dup_b', {});
    expect(d.identical).toBe(false);
  });

  test('no primary key: value diff skipped with a note on how to declare one', async () => {
    const d = await diffRelations(w, 'base_orders', 'head_orders', {});
    expect(d.rows).toMatchObject({ base: 1000, head: 997, added: null, removed: null, changed: null, unchanged: null });
    expect(d.columns.amount.mismatched).toBeNull();
    expect(d.notes.join('\n')).toContain('set meta.primary_key on the model, or add unique + not_null tests on a column, or pass --primary-key');
    expect(d.query_log.map((q) => q.purpose)).toEqual(['diff:counts', 'diff:profile', 'diff:distribution']);
  });

  test('duplicate and NULL keys are reported and the diff still completes', async () => {
    await w.query(`CREATE TABLE k_base AS SELECT * FROM (VALUES (1, 10), (2, 20), (3, 30), (NULL, 40)) t(id, v)`);
    await w.query(`CREATE TABLE k_head AS SELECT * FROM (VALUES (1, 10), (2, 21), (2, 22), (3, 30), (3, 30), (3, 31)) t(id, v)`);
    const d = await diffRelations(w, 'k_base', 'k_head', { primaryKey: ['id'] });
    expect(d.rows.duplicate_keys).toEqual({ base: { keys: 0, rows: 0 }, head: { keys: 2, rows: 5 } });
    expect(d.rows.null_keys).toEqual({ base: 1, head: 0 });
    // Join pairs: id 1 (same), id 2 ×2 (both differ), id 3 ×3 (one differs).
    expect(d.rows).toMatchObject({ added: 0, removed: 0, changed: 3, unchanged: 3 });
    expect(d.warnings.join('\n')).toMatch(/not unique: base has 0 .* head has 2 over 5 rows/);
    expect(d.warnings.join('\n')).toContain('1 base row(s)');
  });

  test('a missing relation is a not_found error naming it', async () => {
    const err = await diffRelations(w, 'base_orders', 'no_such_table', { primaryKey: ['id'] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WarehouseError);
    expect((err as WarehouseError).code).toBe('not_found');
    expect((err as Error).message).toContain('head relation no_such_table does not exist');
  });

  test('a primary key column missing on one side is an error naming it', async () => {
    const err = await diffRelations(w, 'base_orders', 'head_orders', { primaryKey: ['note'] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DiffError);
    expect((err as Error).message).toBe('primary key column "note" does not exist in head relation head_orders');
    const err2 = await diffRelations(w, 'base_orders', 'head_orders', { primaryKey: ['nope'] }).catch((e: unknown) => e);
    expect((err2 as Error).message).toContain('"nope" does not exist in base relation base_orders');
  });

  test('uncomparable types (STRUCT, BLOB) are listed in skipped and left out of the value diff', async () => {
    await w.query(`CREATE TABLE s_base AS SELECT range AS id, {'a': range} AS meta, CAST('ab' AS BLOB) AS raw, range % 3 AS v FROM range(50)`);
    await w.query(`CREATE TABLE s_head AS SELECT range AS id, {'a': range + 1} AS meta, CAST('cd' AS BLOB) AS raw, range % 3 AS v FROM range(50)`);
    const d = await diffRelations(w, 's_base', 's_head', { primaryKey: ['id'] });
    expect(d.skipped.map((s) => [s.column, s.side, s.type])).toEqual([
      ['meta', 'both', 'STRUCT(a BIGINT)'],
      ['raw', 'both', 'BLOB'],
    ]);
    expect(d.columns.meta.mismatched).toBeNull();
    expect(d.columns.raw.mismatched).toBeNull();
    expect(d.columns.meta.base!.nulls).toBe(0);
    expect(d.rows).toMatchObject({ changed: 0, unchanged: 50 });
    expect(d.distribution.meta).toBeUndefined();
  });

  test('sensitive columns: counts only, hidden labels, never sampled', async () => {
    const d = await diffRelations(w, 'base_orders', 'head_orders', {
      primaryKey: ['id'],
      sensitiveColumns: ['STATUS', 'amount'],
      sampleRows: 10,
    });
    expect(d.columns.status.mismatched).toBe(5);
    expect(d.columns.amount.base!.sum).toBeUndefined();
    expect(d.columns.amount.base!.min).toBeUndefined();
    expect(d.distribution.amount).toBeUndefined();
    const status = d.distribution.status;
    expect(status.labels_hidden).toBe(true);
    expect(status.buckets.map((b) => b.value)).toEqual(['#1', '#2', '#3']);
    expect(status.buckets.map((b) => b.base).sort()).toEqual([333, 333, 334]);
    // Only non-sensitive differences are sampled, and there are none here.
    expect(d.samples).toEqual([]);
    expect(JSON.stringify(d)).not.toContain('pending');
  });

  test('lineage renames are reported as renames and compared', async () => {
    await w.query(`CREATE TABLE r_head AS SELECT * RENAME (region AS sales_region) FROM base_orders`);
    const d = await diffRelations(w, 'base_orders', 'r_head', { primaryKey: ['id'], columnLineageRenames: { sales_region: 'region' } });
    expect(d.schema.renamed).toEqual([{ base: 'region', head: 'sales_region' }]);
    expect(d.schema.added).toEqual([]);
    expect(d.schema.removed).toEqual([]);
    expect(d.columns.sales_region.mismatched).toBe(0);
    expect(d.rows.changed).toBe(0);
  });

  test('large tables: percentiles from a random sample, still close to the truth', async () => {
    await w.query(`CREATE TABLE big_a AS SELECT range AS id, CAST(range AS DOUBLE) AS x FROM range(300000)`);
    await w.query(`CREATE TABLE big_b AS SELECT range AS id, CAST(range AS DOUBLE) * 2 AS x FROM range(300000)`);
    const d = await diffRelations(w, 'big_a', 'big_b', { primaryKey: ['id'] });
    expect(d.notes.join('\n')).toContain('random sample of about 50,000 rows');
    expect(d.percentile_method).toBe('approx');
    expect(Math.abs(d.columns.x.base!.p50! - 150000)).toBeLessThan(3000);
    expect(Math.abs(d.columns.x.head!.p50! - 300000)).toBeLessThan(6000);
    // Everything else is computed over every row.
    expect(d.columns.x.head!.sum).toBe(2 * (299999 * 300000) / 2);
    expect(d.rows).toMatchObject({ changed: 299999, unchanged: 1 });
    expect(d.columns.x.mismatched).toBe(299999);
  });

  test('invalid options are refused before any query runs', async () => {
    const err = await diffRelations(w, 'base_orders', 'head_orders', { sampleRows: -1 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DiffError);
    expect((err as DiffError).code).toBe('invalid_option');
  });

  test('names match case-insensitively', async () => {
    await w.query(`CREATE TABLE upper_head AS SELECT id AS "ID", amount AS "Amount" FROM base_orders`);
    await w.query(`CREATE TABLE lower_base AS SELECT id, amount FROM base_orders`);
    const d = await diffRelations(w, 'lower_base', 'upper_head', { primaryKey: ['id'] });
    expect(d.schema.added).toEqual([]);
    expect(d.identical).toBe(true);
  });

  test('text format shows schema, rows, columns and distribution shifts', () => {
    const text = formatDiffText(diff);
    expect(text).toContain('+ channel  (VARCHAR)');
    expect(text).toContain('- note  (VARCHAR)');
    expect(text).toContain('~ qty  INTEGER → VARCHAR');
    expect(text).toMatch(/added\s+7/);
    expect(text).toMatch(/changed\s+18/);
    expect(text).toContain('category: new C (7)');
    expect(text).toContain('region: vanished east (10)');
    expect(text).toMatch(/amount\s+13/);
  });
});
