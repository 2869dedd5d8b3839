/**
 * Where each figure comes from, on planted DuckDB tables: which columns get a HyperLogLog
 * estimate and which an exact count from another stage, booleans counted without a statement,
 * duplicate keys counted without a whole-table GROUP BY unless a matched key repeats, and the
 * histogram's maximum folded into the last bin.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { diffRelations } from '../../../src/diff/diff.js';
import { DuckDbWarehouse } from '../../../src/warehouse/duckdb.js';

let w: DuckDbWarehouse;

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

beforeAll(async () => {
  w = new DuckDbWarehouse({ path: ':memory:' });
  // 2,000 rows: a unique key, a boolean with NULLs, a 7-value category, a many-valued amount.
  // Head: ids 1–100 removed, 2001–2050 added, `paid` flipped on ids 101–130, amount +1 on 131–140.
  await w.query(`
    CREATE TABLE p_base AS
    SELECT id,
           CASE WHEN id % 10 = 0 THEN NULL ELSE id % 3 = 0 END AS paid,
           'c' || (id % 7) AS cat,
           CAST(id AS DOUBLE) / 4 AS amount
    FROM range(1, 2001) t(id)`);
  await w.query(`
    CREATE TABLE p_head AS
    SELECT id,
           CASE WHEN id % 10 = 0 THEN NULL WHEN id BETWEEN 101 AND 130 THEN NOT (id % 3 = 0) ELSE id % 3 = 0 END AS paid,
           'c' || (id % 7) AS cat,
           CAST(id AS DOUBLE) / 4 + CASE WHEN id BETWEEN 131 AND 140 THEN 1 ELSE 0 END AS amount
    FROM range(101, 2051) t(id)`);
});
afterAll(async () => {
  await w.close();
});

describe('distinct counts: estimated only where no exact figure is free', () => {
  test('the key and booleans get no HyperLogLog; their distinct counts are exact', async () => {
    const { result: d, sql } = await capture(() => diffRelations(w, 'p_base', 'p_head', { primaryKey: ['id'] }));
    const profile = sql['diff:profile'];
    expect(profile).not.toContain('approx_count_distinct("id")');
    expect(profile).not.toContain('approx_count_distinct("paid")');
    expect(profile).toContain('approx_count_distinct("cat")');
    expect(profile).toContain('approx_count_distinct("amount")');
    // Key: non-NULL rows less the surplus of duplicated keys (none here).
    expect(d.columns.id.base).toMatchObject({ distinct: 2000, distinct_exact: true });
    expect(d.columns.id.head).toMatchObject({ distinct: 1950, distinct_exact: true });
    expect(d.columns.paid.base).toMatchObject({ distinct: 2, distinct_exact: true, nulls: 200 });
    // Low cardinality: exact from the value counts.
    expect(d.columns.cat.base).toMatchObject({ distinct: 7, distinct_exact: true });
    expect(d.columns.amount.base!.distinct_exact).toBeUndefined();
    // avg is sum / non-NULL rows, computed in Node.
    expect(d.columns.amount.base!.avg).toBeCloseTo((2000 * 2001) / 2 / 4 / 2000, 9);
    // ids 101–130 flip `paid` except the three NULLs (110, 120, 130); ids 131–140 change amount.
    expect(d.rows).toMatchObject({ added: 50, removed: 100, changed: 37, unchanged: 1863 });
    expect(d.columns.paid.mismatched).toBe(27);
    expect(d.columns.amount.mismatched).toBe(10);
  });

  test('a key with duplicates and NULLs: distinct = non-NULL rows − surplus duplicate rows', async () => {
    await w.query(`CREATE TABLE dk_base AS SELECT * FROM (VALUES (1, 'a'), (2, 'b'), (3, 'c'), (NULL, 'd')) t(id, v)`);
    await w.query(`CREATE TABLE dk_head AS SELECT * FROM (VALUES (1, 'a'), (2, 'b'), (2, 'x'), (3, 'c'), (3, 'c'), (3, 'y')) t(id, v)`);
    const d = await diffRelations(w, 'dk_base', 'dk_head', { primaryKey: ['id'] });
    expect(d.rows.duplicate_keys).toEqual({ base: { keys: 0, rows: 0 }, head: { keys: 2, rows: 5 } });
    expect(d.columns.id.base).toMatchObject({ distinct: 3, distinct_exact: true });
    expect(d.columns.id.head).toMatchObject({ distinct: 3, distinct_exact: true });
  });

  test('a composite key keeps its estimates (per-column counts are not derivable from key counts)', async () => {
    const { sql } = await capture(() => diffRelations(w, 'p_base', 'p_head', { primaryKey: ['id', 'cat'] }));
    expect(sql['diff:profile']).toContain('approx_count_distinct("id")');
  });
});

describe('booleans are distributed from the profile counts', () => {
  test('true / false / NULL counts per side, and no GROUPING SETS entry for the column', async () => {
    const { result: d, sql } = await capture(() => diffRelations(w, 'p_base', 'p_head', { primaryKey: ['id'] }));
    const paid = Object.fromEntries(d.distribution.paid.buckets.map((b) => [String(b.value), [b.base, b.head]]));
    // base: ids 1–2000; NULL for multiples of 10 (200); true for multiples of 3 that are not of 10 (600).
    // head: ids 101–2050 (195 NULL, 585 true before the flip); the 27 non-NULL ids of 101–130 flip:
    // 9 true → false, 18 false → true.
    expect(paid).toEqual({ true: [600, 585 - 9 + 18], false: [1200, 1170 + 9 - 18], null: [200, 195] });
    expect(d.distribution.paid.kind).toBe('values');
    expect(sql['diff:distribution']).not.toContain('"paid"');
    expect(sql['diff:distribution']).toContain('"cat"');
  });
});

describe('duplicate keys', () => {
  test('repeats only among unmatched keys are counted in the value statement itself', async () => {
    await w.query(`CREATE TABLE u_base AS SELECT * FROM (VALUES (1, 10), (2, 20), (3, 30), (9, 90), (9, 91)) t(id, v)`);
    await w.query(`CREATE TABLE u_head AS SELECT * FROM (VALUES (1, 10), (2, 21), (3, 30), (4, 40), (4, 41), (4, 42)) t(id, v)`);
    const d = await diffRelations(w, 'u_base', 'u_head', { primaryKey: ['id'] });
    expect(d.query_log.map((q) => q.purpose)).not.toContain('diff:duplicates');
    expect(d.rows.duplicate_keys).toEqual({ base: { keys: 1, rows: 2 }, head: { keys: 1, rows: 3 } });
    expect(d.rows).toMatchObject({ added: 3, removed: 2, changed: 1, unchanged: 2 });
  });

  test('a repeated matched key triggers the whole-table count, with the same figures as before', async () => {
    await w.query(`CREATE TABLE m_base AS SELECT * FROM (VALUES (1, 10), (2, 20), (2, 20), (5, 50), (5, 50)) t(id, v)`);
    await w.query(`CREATE TABLE m_head AS SELECT * FROM (VALUES (1, 10), (2, 20), (5, 51), (7, 70), (7, 71)) t(id, v)`);
    const d = await diffRelations(w, 'm_base', 'm_head', { primaryKey: ['id'] });
    expect(d.query_log.map((q) => q.purpose)).toEqual(['diff:counts', 'diff:profile', 'diff:distribution', 'diff:values', 'diff:duplicates']);
    expect(d.rows.duplicate_keys).toEqual({ base: { keys: 2, rows: 4 }, head: { keys: 1, rows: 2 } });
    // Join pairs: id 1 same; id 2 ×2 same; id 5 ×2 changed; id 7 ×2 added.
    expect(d.rows).toMatchObject({ added: 2, removed: 0, changed: 2, unchanged: 3 });
    expect(d.warnings.join('\n')).toMatch(/not unique: base has 2 duplicated key value\(s\) over 4 rows, head has 1 over 2 rows/);
  });
});

describe('histograms and percentiles', () => {
  test('the maximum falls in the last bin and every row is counted once', async () => {
    const d = await diffRelations(w, 'p_base', 'p_head', { primaryKey: ['id'], histogramBins: 4 });
    const h = d.distribution.amount;
    expect(h.kind).toBe('histogram');
    // Shared edges over [0.25, 512.5]: base 0.25..500, head 25.25..512.5.
    expect(h.buckets.map((b) => [b.lo, b.hi])).toEqual([
      [0.25, 128.3125],
      [128.3125, 256.375],
      [256.375, 384.4375],
      [384.4375, 512.5],
    ]);
    expect(h.buckets.map((b) => b.base).reduce((a, b) => a + b)).toBe(2000);
    expect(h.buckets.map((b) => b.head).reduce((a, b) => a + b)).toBe(1950);
    // amount = id / 4 < 128.3125 ⇔ id ≤ 513; the last bin holds ids 1538–2050, the maximum 512.5 included.
    expect(h.buckets[0].base).toBe(513);
    expect(h.buckets[3].head).toBe(2050 - 1538 + 1);
  });

  test('small tables get exact percentiles on DuckDB', async () => {
    const d = await diffRelations(w, 'p_base', 'p_head', { primaryKey: ['id'] });
    expect(d.percentile_method).toBe('exact');
    // 2,000 amounts 0.25, 0.5, …, 500: the lower median (1,000th value) is 250.
    expect(d.columns.amount.base).toMatchObject({ p25: 125, p50: 250, p75: 375 });
  });
});
