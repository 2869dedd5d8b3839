/**
 * The diff engine through the Snowflake adapter: the real snowflake-sdk driver against the fake
 * Snowflake endpoint, on the same planted tables the DuckDB diff test uses. The Snowflake dialect's
 * SQL (HASH_AGG, HASH, APPROX_COUNT_DISTINCT, APPROX_PERCENTILE, COUNT_IF, TO_VARCHAR, GROUPING
 * SETS…) really runs, and unquoted names come back upper case, as Snowflake stores them.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { diffRelations } from '../../../src/diff/diff.js';
import { formatDiffText } from '../../../src/diff/format.js';
import type { TableDiff } from '../../../src/diff/types.js';
import { openWarehouse } from '../../../src/warehouse/connect.js';
import { WarehouseError, type Warehouse } from '../../../src/warehouse/warehouse.js';
import { startFakeSnowflake, type FakeSnowflake, type RecordedRequest } from '../../support/fake-snowflake.js';
import { amountOf, BASE_SQL, HEAD_SQL, range } from '../diff/fixtures.js';

const TAG = { repo: 'acme/analytics', pr: 7, sha: 'abc1234' };
const URL_ = 'snowflake://alice@acme/ANALYTICS/SCRATCH?warehouse=REVIEW_WH&role=REVIEWER';

/**
 * Extra planted tables: duplicate and NULL keys; a many-valued numeric column with NULLs (10 in
 * base, 20 in head); an identical copy in another row order; one changed value.
 */
const KEYS_SQL = [
  `CREATE TABLE k_base AS SELECT * FROM (VALUES (1, 10), (2, 20), (3, 30), (NULL, 40)) t(id, v)`,
  `CREATE TABLE k_head AS SELECT * FROM (VALUES (1, 10), (2, 21), (2, 22), (3, 30), (3, 30), (3, 31)) t(id, v)`,
  `CREATE TABLE n_base AS SELECT range AS id, CASE WHEN range % 10 = 0 THEN NULL ELSE range END AS x FROM range(100)`,
  `CREATE TABLE n_head AS SELECT range AS id, CASE WHEN range % 5 = 0 THEN NULL ELSE range END AS x FROM range(100)`,
  `CREATE TABLE base_copy AS SELECT * FROM base_orders ORDER BY id DESC`,
  `CREATE TABLE head_same AS SELECT * REPLACE (CAST(CASE WHEN id = 500 THEN amount + 2 ELSE amount END AS DECIMAL(12, 2)) AS amount) FROM base_orders`,
];

let fake: FakeSnowflake;
let warehouse: Warehouse;

async function connect(env: Record<string, string> = {}): Promise<Warehouse> {
  return openWarehouse(URL_, { env: { SNOWFLAKE_PASSWORD: 'secret', SNOWFLAKE_ACCESS_URL: fake.url, ...env }, tagContext: TAG });
}

/** Runs a diff and returns it with the requests the fake saw for it. */
async function recorded(run: () => Promise<TableDiff>): Promise<{ diff: TableDiff; statements: RecordedRequest[] }> {
  const before = fake.queries.length;
  const diff = await run();
  const statements = fake.queries.slice(before).filter((q) => !q.sql!.startsWith('ALTER SESSION SET QUERY_TAG'));
  return { diff, statements };
}

function purposes(statements: RecordedRequest[]): string[] {
  return statements.map((q) => {
    const tag = JSON.parse(q.tag!) as Record<string, unknown>;
    expect(tag).toEqual({ app: 'impact-review', ...TAG, purpose: tag.purpose });
    return String(tag.purpose);
  });
}

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
const BASE = 'ANALYTICS.PUBLIC.base_orders';
const HEAD = 'ANALYTICS.PUBLIC.head_orders';

beforeAll(async () => {
  fake = await startFakeSnowflake({ setup: [BASE_SQL, HEAD_SQL, ...KEYS_SQL] });
  warehouse = await connect();
});
afterAll(async () => {
  await warehouse.close();
  await fake.close();
});

describe('diffRelations through the Snowflake adapter (planted differences)', () => {
  let diff: TableDiff;
  let statements: RecordedRequest[];
  beforeAll(async () => {
    ({ diff, statements } = await recorded(() => diffRelations(warehouse, BASE, HEAD, { primaryKey: ['id'] })));
  });

  test('schema: added, removed and type-changed columns, named as Snowflake stores them', () => {
    expect(diff.warehouse).toBe('snowflake');
    expect(diff.identical).toBe(false);
    expect(diff.schema.added).toEqual(['CHANNEL']);
    expect(diff.schema.removed).toEqual(['NOTE']);
    expect(diff.schema.type_changed).toEqual(['QTY']);
    expect(diff.schema.type_changes).toEqual([{ column: 'QTY', base: 'NUMBER(38,0)', head: 'VARCHAR' }]);
    expect(diff.skipped).toEqual([]);
  });

  test('rows: exact added / removed / changed / unchanged', () => {
    expect(diff.rows).toEqual({
      base: 1000,
      head: 997,
      added: 7,
      removed: 10,
      changed: 18,
      unchanged: 972,
      duplicate_keys: { base: { keys: 0, rows: 0 }, head: { keys: 0, rows: 0 } },
      null_keys: { base: 0, head: 0 },
    });
    expect(diff.warnings).toEqual([]);
  });

  test('per-column mismatches, including a type change with equal values', () => {
    const mismatched = Object.fromEntries(Object.entries(diff.columns).map(([name, c]) => [name, c.mismatched]));
    expect(mismatched).toEqual({
      ID: 0,
      CATEGORY: 0,
      STATUS: 5,
      REGION: 0,
      AMOUNT: 13,
      QTY: 0,
      DISCOUNT: 0,
      ORDER_DATE: 0,
      CHANNEL: null,
      NOTE: null,
    });
  });

  test('profile: totals, nulls, min/max, dates, lengths and approximate percentiles', () => {
    const amount = diff.columns.AMOUNT;
    expect(amount.base).toMatchObject({ kind: 'number', type: 'NUMBER(12,2)', nulls: 0, min: 0.5, max: 99.5 });
    expect(amount.base!.sum).toBeCloseTo(sum(range(1, 1000).map(amountOf)), 6);
    expect(amount.head!.sum).toBeCloseTo(sum(range(11, 1007).map(amountOf)) + 13, 6);
    expect(amount.base!.p50).toBeGreaterThan(40);
    expect(amount.base!.p50).toBeLessThan(60);
    expect(amount.base!.p25).toBeLessThan(amount.base!.p75!);
    expect(diff.columns.DISCOUNT.base).toMatchObject({ type: 'FLOAT', nulls: 100 });
    expect(diff.columns.DISCOUNT.head!.nulls).toBe(99);
    expect(diff.columns.ORDER_DATE.base).toMatchObject({ kind: 'date', min: '2024-01-01', max: '2024-12-30' });
    expect(diff.columns.NOTE.base).toMatchObject({ min_length: 6, max_length: 9 });
    expect(diff.columns.NOTE.head).toBeNull();
    expect(diff.columns.CHANNEL.base).toBeNull();
    expect(diff.columns.CATEGORY.base).toMatchObject({ distinct: 2, distinct_exact: true });
    expect(diff.columns.CATEGORY.head).toMatchObject({ distinct: 3, distinct_exact: true });
    expect(diff.distinct_method).toBe('approx');
    expect(diff.percentile_method).toBe('approx');
  });

  test('distribution: new and vanished values with exact counts, and a shared-bin histogram', () => {
    const category = Object.fromEntries(diff.distribution.CATEGORY.buckets.map((b) => [b.value, [b.base, b.head]]));
    expect(category).toEqual({ A: [500, 495], B: [500, 495], C: [0, 7] });
    expect(diff.distribution.CATEGORY.new_values).toEqual([{ value: 'C', count: 7 }]);
    expect(diff.distribution.REGION.vanished_values).toEqual([{ value: 'east', count: 10 }]);
    const status = Object.fromEntries(diff.distribution.STATUS.buckets.map((b) => [b.value, [b.base, b.head]]));
    // Head keeps ids 11–1007 and flips 30–34: closed loses 31, 34 and gains 30, 33; pending loses 32 to open.
    expect(status).toEqual({ open: [333, 333], closed: [334, 332], pending: [333, 332] });
    const qty = Object.fromEntries(diff.distribution.QTY.buckets.map((b) => [b.value, b.base]));
    expect(qty).toEqual({ '0': 200, '1': 200, '2': 200, '3': 200, '4': 200 });
    const amount = diff.distribution.AMOUNT;
    expect(amount.kind).toBe('histogram');
    expect(amount.buckets).toHaveLength(10);
    expect([amount.buckets[0].lo, amount.buckets[9].hi]).toEqual([0.5, 99.5]);
    expect(sum(amount.buckets.map((b) => b.base))).toBe(1000);
    expect(sum(amount.buckets.map((b) => b.head))).toBe(997);
  });

  test('three statements (no hash: schemas differ), each tagged, plus two describe-only requests', () => {
    expect(diff.queries).toBe(3);
    expect(diff.describes).toBe(2);
    expect(diff.query_log.map((q) => q.purpose)).toEqual(['diff:profile', 'diff:distribution', 'diff:values']);
    expect(purposes(statements)).toEqual(['describe', 'describe', 'diff:profile', 'diff:distribution', 'diff:values']);
    expect(statements.map((q) => q.describeOnly)).toEqual([true, true, false, false, false]);
    expect(statements.filter((q) => !q.describeOnly)).toHaveLength(diff.queries);
    for (const q of statements) expect(q.parameters).toEqual({ MULTI_STATEMENT_COUNT: 1 });
    // The Snowflake spellings really went over the wire.
    const sql = statements.map((q) => q.sql).join('\n');
    for (const fn of ['APPROX_COUNT_DISTINCT(', 'APPROX_PERCENTILE(', 'STDDEV_SAMP(', 'TO_VARCHAR(', 'GROUPING SETS', 'HASH(', 'COUNT_IF(']) {
      expect(sql).toContain(fn);
    }
  });

  test('the text format reads the same as on DuckDB', () => {
    const text = formatDiffText(diff);
    expect(text).toContain('+ CHANNEL  (VARCHAR)');
    expect(text).toContain('~ QTY  NUMBER(38,0) → VARCHAR');
    expect(text).toMatch(/changed\s+18/);
    expect(text).toContain('CATEGORY: new C (7)');
  });
});

describe('diffRelations through the Snowflake adapter (edge cases)', () => {
  test('identical tables exit after the one HASH_AGG statement', async () => {
    const { diff, statements } = await recorded(() =>
      diffRelations(warehouse, BASE, 'ANALYTICS.PUBLIC.base_copy', { primaryKey: ['id'] }),
    );
    expect(diff.identical).toBe(true);
    expect(diff.queries).toBe(1);
    expect(diff.rows).toMatchObject({ base: 1000, head: 1000, added: 0, removed: 0, changed: 0, unchanged: 1000 });
    expect(purposes(statements)).toEqual(['describe', 'describe', 'diff:profile']);
    expect(statements[2].sql).toContain('TO_VARCHAR(HASH_AGG(');
  });

  test('same schema, one changed value: the hash differs and every stage runs, sample included', async () => {
    const { diff, statements } = await recorded(() =>
      diffRelations(warehouse, BASE, 'ANALYTICS.PUBLIC.head_same', { primaryKey: ['id'], sampleRows: 5 }),
    );
    expect(diff.identical).toBe(false);
    expect(diff.rows).toMatchObject({ added: 0, removed: 0, changed: 1, unchanged: 999 });
    expect(diff.columns.AMOUNT.mismatched).toBe(1);
    expect(diff.samples).toEqual([{ key: { ID: '500' }, changes: { AMOUNT: ['0.50', '2.50'] } }]);
    expect(purposes(statements)).toEqual(['describe', 'describe', 'diff:profile', 'diff:distribution', 'diff:values', 'diff:sample']);
    expect(diff.queries).toBe(4);
  });

  test('a duplicated row is not identical: HASH_AGG does not let duplicates cancel out', async () => {
    await fake.sql(`CREATE TABLE "PUBLIC"."DUP_A" AS SELECT * FROM (VALUES (1, 'x'), (1, 'x'), (2, 'y')) t("ID", "V")`);
    await fake.sql(`CREATE TABLE "PUBLIC"."DUP_B" AS SELECT * FROM (VALUES (1, 'x'), (2, 'y'), (2, 'y')) t("ID", "V")`);
    const d = await diffRelations(warehouse, 'ANALYTICS.PUBLIC.dup_a', 'ANALYTICS.PUBLIC.dup_b');
    expect(d.identical).toBe(false);
    expect(d.query_log[0].purpose).toBe('diff:profile');
  });

  test('duplicate and NULL keys are counted, and the diff completes', async () => {
    const d = await diffRelations(warehouse, 'ANALYTICS.PUBLIC.k_base', 'ANALYTICS.PUBLIC.k_head', { primaryKey: ['id'] });
    expect(d.rows.duplicate_keys).toEqual({ base: { keys: 0, rows: 0 }, head: { keys: 2, rows: 5 } });
    expect(d.rows.null_keys).toEqual({ base: 1, head: 0 });
    expect(d.rows).toMatchObject({ added: 0, removed: 0, changed: 3, unchanged: 3 });
    expect(d.warnings.join('\n')).toMatch(/not unique: base has 0 .* head has 2 over 5 rows/);
  });

  test('NULLs of a histogram column land in the NULL bucket, not in the first bin', async () => {
    const d = await diffRelations(warehouse, 'ANALYTICS.PUBLIC.n_base', 'ANALYTICS.PUBLIC.n_head', { primaryKey: ['id'] });
    const x = d.distribution.X;
    expect(x.kind).toBe('histogram');
    expect(x.buckets.at(-1)).toMatchObject({ value: null, base: 10, head: 20 });
    expect(sum(x.buckets.filter((b) => b.value !== null).map((b) => b.base))).toBe(90);
    expect(sum(x.buckets.filter((b) => b.value !== null).map((b) => b.head))).toBe(80);
    // Values 1–9 (0 is NULL on both sides) fill the first of ten bins over [1, 99].
    expect(x.buckets[0]).toMatchObject({ base: 9, head: 8 });
    expect(d.rows).toMatchObject({ changed: 10, unchanged: 90 });
  });

  test('sensitive columns: counts only, values grouped by HASH and never shown', async () => {
    const d = await diffRelations(warehouse, BASE, HEAD, { primaryKey: ['id'], sensitiveColumns: ['status', 'AMOUNT'], sampleRows: 10 });
    expect(d.columns.STATUS.mismatched).toBe(5);
    expect(d.columns.AMOUNT.mismatched).toBe(13);
    expect(d.columns.AMOUNT.base!.sum).toBeUndefined();
    expect(d.distribution.AMOUNT).toBeUndefined();
    const status = d.distribution.STATUS;
    expect(status.labels_hidden).toBe(true);
    expect(status.buckets.map((b) => b.value)).toEqual(['#1', '#2', '#3']);
    expect(status.buckets.map((b) => b.base).sort()).toEqual([333, 333, 334]);
    expect(d.samples).toEqual([]);
    expect(JSON.stringify(d)).not.toContain('pending');
  });

  test('a relation that does not exist is a not_found error naming it and its role', async () => {
    const err = await diffRelations(warehouse, BASE, 'ANALYTICS.PUBLIC.no_such_table', { primaryKey: ['id'] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WarehouseError);
    expect((err as WarehouseError).code).toBe('not_found');
    expect((err as Error).message).toBe('head relation ANALYTICS.PUBLIC.no_such_table does not exist');
    // The session survives the error.
    expect((await warehouse.query('SELECT 1 AS one')).rows).toEqual([{ ONE: 1 }]);
  });
});
