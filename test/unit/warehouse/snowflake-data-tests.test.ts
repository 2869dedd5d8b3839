/**
 * dbt data tests as the review runs them on Snowflake: the Snowflake spellings of dbt's and
 * dbt_utils' test SQL (boolor_agg, dateadd(day, …), convert_timezone, try_cast…) through the
 * real driver and the fake endpoint, on the planted rows of the DuckDB runner test.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { relationsFor, runTests, type TestResult } from '../../../src/assess/tests.js';
import type { Project } from '../../../src/dbt/types.js';
import { openWarehouse } from '../../../src/warehouse/connect.js';
import type { Warehouse } from '../../../src/warehouse/warehouse.js';
import { startFakeSnowflake, type FakeSnowflake } from '../../support/fake-snowflake.js';
import { emptyProject, genericTest, modelNode } from '../tests-runner/factory.js';

/** 3 null ids, ids 13 and 14 twice, status 'refunded' twice, customers 99/98/97/97 unknown, amounts -5 and -7. */
const ROWS = [
  [1, 1, 'placed', 10, 0.1, 'a@x'],
  [2, 2, 'shipped', 20, 0, 'b@x'],
  [3, 3, 'completed', 30, 0.2, 'c@x'],
  [4, 4, 'completed', -5, 0, 'd@x'],
  [5, 5, 'placed', -7, 0, 'e@x'],
  [6, 99, 'placed', 15, 0, 'f@x'],
  [7, 98, 'placed', 15, 0, 'g@x'],
  [8, 97, 'shipped', 15, 0, 'h@x'],
  [9, 97, 'shipped', 15, 0, 'i@x'],
  [10, null, 'placed', 15, 1.5, 'j@x'],
  [11, 1, 'refunded', 15, 0, ''],
  [12, 2, 'refunded', 15, 0, 'k@x'],
  [13, 3, 'placed', 15, 0, 'l@x'],
  [13, 3, 'placed', 15, 0, 'm@x'],
  [14, 4, 'placed', 15, 0, 'n@x'],
  [14, 4, 'placed', 15, 0, 'o@x'],
  [null, 1, 'placed', 15, 0, 'p@x'],
  [null, 2, 'placed', 15, 0, 'q@x'],
  [null, 3, 'placed', 15, 0, 'r@x'],
];
const lit = (v: unknown) => (v === null ? 'NULL' : typeof v === 'string' ? `'${v}'` : String(v));
const ORDERS_SQL =
  `CREATE TABLE orders AS SELECT *, TIMESTAMP '2020-01-01 00:00:00' AS created_at FROM (VALUES ` +
  ROWS.map((r) => `(${r.map(lit).join(', ')})`).join(', ') +
  `) AS t(id, customer_id, status, amount, discount, email)`;

let fake: FakeSnowflake;
let warehouse: Warehouse;

beforeAll(async () => {
  fake = await startFakeSnowflake({ setup: [ORDERS_SQL, 'CREATE TABLE customers AS SELECT range AS id FROM range(1, 6)'] });
  warehouse = await openWarehouse('snowflake://alice@acme/ANALYTICS/SCRATCH', {
    env: { SNOWFLAKE_PASSWORD: 'secret', SNOWFLAKE_ACCESS_URL: fake.url },
    tagContext: { repo: 'acme/analytics', pr: 3 },
  });
});
afterAll(async () => {
  await warehouse.close();
  await fake.close();
});

function project(): Project {
  const p = emptyProject([modelNode('orders', 'ANALYTICS.PUBLIC.orders'), modelNode('customers', 'ANALYTICS.PUBLIC.customers')]);
  p.target = { name: 'prod', type: 'snowflake', database: 'ANALYTICS', schema: 'PUBLIC' };
  return p;
}

const brief = (r: TestResult) => [r.test_name, r.status, r.failures, r.reason ?? null];

describe('data tests through the Snowflake adapter', () => {
  test('dbt built-ins and dbt_utils tests count the planted problems exactly', async () => {
    const p = project();
    const tests = [
      genericTest(p, 'orders', 'not_null', 'id'),
      genericTest(p, 'orders', 'unique', 'id'),
      genericTest(p, 'orders', { accepted_values: { values: ['placed', 'shipped', 'completed'] } }, 'status'),
      genericTest(p, 'orders', { relationships: { to: "ref('customers')", field: 'id' } }, 'customer_id'),
      genericTest(p, 'orders', { not_null: { config: { where: "status <> 'refunded'" } } }, 'email'),
      genericTest(p, 'orders', { 'dbt_utils.expression_is_true': { expression: 'amount >= 0' } }),
      genericTest(p, 'orders', { 'dbt_utils.accepted_range': { min_value: 0, max_value: 1 } }, 'discount'),
      genericTest(p, 'orders', 'dbt_utils.not_empty_string', 'email'),
      genericTest(p, 'orders', { 'dbt_utils.unique_combination_of_columns': { combination_of_columns: ['id', 'customer_id'] } }),
      genericTest(p, 'orders', { 'dbt_utils.not_null_proportion': { at_least: 0.9 } }, 'id'),
      genericTest(p, 'orders', { 'dbt_utils.recency': { datepart: 'day', field: 'created_at', interval: 1 } }),
      genericTest(p, 'orders', 'dbt_utils.at_least_one', 'id'),
      genericTest(p, 'orders', { 'dbt_utils.equal_rowcount': { compare_model: "ref('customers')" } }),
      genericTest(p, 'orders', 'dbt_utils.sequential_values', 'id'),
    ];
    const before = fake.queries.length;
    const results = await runTests(warehouse, p, tests, relationsFor(p, []));
    expect(results.map(brief)).toEqual([
      ['not_null', 'fail', 3, null],
      ['unique', 'fail', 2, null],
      ['accepted_values', 'fail', 1, null],
      ['relationships', 'fail', 4, null],
      ['not_null', 'pass', 0, null],
      ['dbt_utils.expression_is_true', 'fail', 2, null],
      ['dbt_utils.accepted_range', 'fail', 1, null],
      ['dbt_utils.not_empty_string', 'fail', 1, null],
      ['dbt_utils.unique_combination_of_columns', 'fail', 2, null],
      ['dbt_utils.not_null_proportion', 'fail', 1, null],
      ['dbt_utils.recency', 'fail', 1, null],
      ['dbt_utils.at_least_one', 'pass', 0, null],
      ['dbt_utils.equal_rowcount', 'fail', 14, null],
      ['dbt_utils.sequential_values', 'fail', 2, null],
    ]);
    const sent = fake.queries.slice(before).filter((q) => !q.sql!.startsWith('ALTER SESSION'));
    expect(sent).toHaveLength(tests.length);
    for (const q of sent) expect(JSON.parse(q.tag!)).toEqual({ app: 'impact-review', repo: 'acme/analytics', pr: 3, purpose: 'test' });
    // The Snowflake spellings went over the wire.
    expect(sent.map((q) => q.sql).join('\n')).toMatch(/dateadd\(\s*day, -1, convert_timezone\('UTC', current_timestamp\(\)\)/);
  });

  test('an expression naming a missing column errors with Snowflake\'s message; the others still run', async () => {
    const p = project();
    const broken = genericTest(p, 'orders', { 'dbt_utils.expression_is_true': { expression: 'no_such_column >= 0' } });
    const fine = genericTest(p, 'orders', 'not_null', 'id');
    const [r, ok] = await runTests(warehouse, p, [broken, fine], relationsFor(p, []));
    expect([r.status, r.failures]).toEqual(['error', null]);
    expect(r.reason).toMatch(/^SQL compilation error: error line \d+ at position \d+: invalid identifier 'NO_SUCH_COLUMN'$/);
    expect([ok.status, ok.failures]).toEqual(['fail', 3]);
  });
});
