import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { relationsFor, runTests, summarizeTests, testsForModel, type TestResult } from '../../../src/assess/tests.js';
import type { DbtNode, Project } from '../../../src/dbt/types.js';
import { openWarehouse } from '../../../src/warehouse/connect.js';
import type { Warehouse } from '../../../src/warehouse/warehouse.js';
import { emptyProject, genericTest, modelNode, singularTest } from './factory.js';

/**
 * The PR version of `orders` has planted problems; production `orders` is clean. Every count
 * below comes from these rows:
 *   3 null ids (rows flagged is_test), ids 13 and 14 twice each, status 'refunded' (2 rows, 1 value),
 *   customer_id 99, 98, 97, 97 with no customer (4 rows), amounts -5 and -7, discount 1.5,
 *   one empty email, created_at in 2020.
 */
const COLUMNS = 'id, customer_id, status, amount, discount, email, is_test, created_at';
const PR_ROWS = [
  [1, 1, 'placed', 10, 0.1, 'a@x', false],
  [2, 2, 'shipped', 20, 0, 'b@x', false],
  [3, 3, 'completed', 30, 0.2, 'c@x', false],
  [4, 4, 'completed', -5, 0, 'd@x', false],
  [5, 5, 'placed', -7, 0, 'e@x', false],
  [6, 99, 'placed', 15, 0, 'f@x', false],
  [7, 98, 'placed', 15, 0, 'g@x', false],
  [8, 97, 'shipped', 15, 0, 'h@x', false],
  [9, 97, 'shipped', 15, 0, 'i@x', false],
  [10, null, 'placed', 15, 1.5, 'j@x', false],
  [11, 1, 'refunded', 15, 0, '', false],
  [12, 2, 'refunded', 15, 0, 'k@x', false],
  [13, 3, 'placed', 15, 0, 'l@x', false],
  [13, 3, 'placed', 15, 0, 'm@x', false],
  [14, 4, 'placed', 15, 0, 'n@x', false],
  [14, 4, 'placed', 15, 0, 'o@x', false],
  [null, 1, 'placed', 15, 0, 'p@x', true],
  [null, 2, 'placed', 15, 0, 'q@x', true],
  [null, 3, 'placed', 15, 0, 'r@x', true],
];

function valuesSql(rows: unknown[][]): string {
  const lit = (v: unknown): string => (v === null ? 'NULL' : typeof v === 'string' ? `'${v}'` : String(v));
  const body = rows.map((r) => `(${r.map(lit).join(', ')}, TIMESTAMP '2020-01-01 00:00:00')`).join(',\n');
  return `select * from (values ${body}) as t(${COLUMNS})`;
}

let warehouse: Warehouse;
let prRelation: string;
const ORDERS = 'model.shop.orders';
const CUSTOMERS = 'model.shop.customers';

beforeAll(async () => {
  warehouse = await openWarehouse('duckdb::memory:');
  await warehouse.materialize('main.orders', valuesSql(PR_ROWS.slice(0, 3)), 'table');
  await warehouse.materialize('main.customers', 'select * from range(1, 6) as t(id)', 'table');
  prRelation = (await warehouse.createTempTable('pr_orders', valuesSql(PR_ROWS))).relation;
});

afterAll(async () => {
  await warehouse.close();
});

function shopProject(): Project {
  return emptyProject([modelNode('orders', '"memory"."main"."orders"'), modelNode('customers', '"memory"."main"."customers"')]);
}

/** Runs the tests with the PR relation swapped in for orders. */
async function runPr(project: Project, tests: DbtNode[]): Promise<TestResult[]> {
  return runTests(warehouse, project, tests, relationsFor(project, [{ model: ORDERS, relation: prRelation }]));
}

function brief(r: TestResult): { status: string; failures: number | null } {
  return { status: r.status, failures: r.failures };
}

describe('generic tests on the PR relation', () => {
  test('dbt built-ins count the planted problems exactly', async () => {
    const p = shopProject();
    const tests = [
      genericTest(p, 'orders', 'not_null', 'id'),
      genericTest(p, 'orders', 'unique', 'id'),
      genericTest(p, 'orders', { accepted_values: { values: ['placed', 'shipped', 'completed'] } }, 'status'),
      genericTest(p, 'orders', { relationships: { to: "ref('customers')", field: 'id' } }, 'customer_id'),
      genericTest(p, 'orders', 'not_null', 'status'),
    ];
    const results = await runPr(p, tests);
    expect(results.map(brief)).toEqual([
      { status: 'fail', failures: 3 },
      { status: 'fail', failures: 2 },
      { status: 'fail', failures: 1 },
      { status: 'fail', failures: 4 },
      { status: 'pass', failures: 0 },
    ]);
    expect(results[0]).toMatchObject({ test_type: 'generic', test_name: 'not_null', column_name: 'id', severity: 'error', attached_node: ORDERS });
    // The same tests read production when no relation is swapped: the clean rows pass.
    const prod = await runTests(warehouse, p, tests, relationsFor(p, []));
    expect(prod.map((r) => r.status)).toEqual(['pass', 'pass', 'pass', 'pass', 'pass']);
  });

  test('accepted_values with quote: false compares unquoted values', async () => {
    const p = shopProject();
    const t = genericTest(p, 'orders', { accepted_values: { values: [1, 2, 3, 4, 5], quote: false } }, 'customer_id');
    const [r] = await runPr(p, [t]);
    // 99, 98, 97 are outside; NULL is never "not in" a list, as in dbt.
    expect(brief(r)).toEqual({ status: 'fail', failures: 3 });
    expect(r.sql).toContain('not in (1, 2, 3, 4, 5)');
  });

  test('dbt_utils tests', async () => {
    const p = shopProject();
    const tests = [
      genericTest(p, 'orders', { 'dbt_utils.expression_is_true': { expression: 'amount >= 0' } }),
      genericTest(p, 'orders', { 'dbt_utils.expression_is_true': { expression: '>= 0' } }, 'amount'),
      genericTest(p, 'orders', { 'dbt_utils.accepted_range': { min_value: 0, max_value: 1 } }, 'discount'),
      genericTest(p, 'orders', 'dbt_utils.not_empty_string', 'email'),
      genericTest(p, 'orders', { 'dbt_utils.unique_combination_of_columns': { combination_of_columns: ['id', 'customer_id'] } }),
      genericTest(p, 'orders', { 'dbt_utils.unique_combination_of_columns': { combination_of_columns: ['id', 'email'] } }),
      genericTest(p, 'orders', { 'dbt_utils.not_null_proportion': { at_least: 0.9 } }, 'id'),
      genericTest(p, 'orders', { 'dbt_utils.not_null_proportion': { at_least: 0.8 } }, 'id'),
      genericTest(p, 'orders', { 'dbt_utils.recency': { datepart: 'day', field: 'created_at', interval: 1 } }),
      genericTest(p, 'orders', 'dbt_utils.at_least_one', 'id'),
      genericTest(p, 'orders', 'dbt_utils.not_constant', 'is_test'),
      genericTest(p, 'orders', { 'dbt_utils.equal_rowcount': { compare_model: "ref('customers')" } }),
      genericTest(p, 'customers', { 'dbt_utils.fewer_rows_than': { compare_model: "ref('orders')" } }),
      genericTest(p, 'orders', { 'dbt_utils.fewer_rows_than': { compare_model: "ref('customers')" } }),
      genericTest(p, 'orders', { 'dbt_utils.cardinality_equality': { to: "ref('customers')", field: 'id' } }, 'customer_id'),
      genericTest(p, 'orders', 'dbt_utils.sequential_values', 'id'),
      genericTest(p, 'customers', 'dbt_utils.sequential_values', 'id'),
    ];
    const results = await runPr(p, tests);
    expect(results.map((r) => [r.test_name, r.status, r.failures])).toEqual([
      ['dbt_utils.expression_is_true', 'fail', 2],
      ['dbt_utils.expression_is_true', 'fail', 2],
      ['dbt_utils.accepted_range', 'fail', 1],
      ['dbt_utils.not_empty_string', 'fail', 1],
      // (13, 3) and (14, 4) twice each; the null-id rows have distinct customers.
      ['dbt_utils.unique_combination_of_columns', 'fail', 2],
      ['dbt_utils.unique_combination_of_columns', 'pass', 0],
      // 16 of 19 ids are not null: 0.84 is below 0.9 but above 0.8.
      ['dbt_utils.not_null_proportion', 'fail', 1],
      ['dbt_utils.not_null_proportion', 'pass', 0],
      ['dbt_utils.recency', 'fail', 1],
      ['dbt_utils.at_least_one', 'pass', 0],
      ['dbt_utils.not_constant', 'pass', 0],
      // fail_calc is the macro's sum(diff_count): 19 PR orders against 5 customers.
      ['dbt_utils.equal_rowcount', 'fail', 14],
      ['dbt_utils.fewer_rows_than', 'pass', 0],
      ['dbt_utils.fewer_rows_than', 'fail', 14],
      // (customer_id, rows) pairs on one side only: 8 from orders ((1,3) (2,3) (3,4) (4,3) (99,1)
      // (98,1) (97,2) (NULL,1)) and 4 from customers ((1,1) … (4,1)); (5,1) is on both.
      ['dbt_utils.cardinality_equality', 'fail', 12],
      // The second 13 and the second 14 do not follow their predecessor by 1.
      ['dbt_utils.sequential_values', 'fail', 2],
      ['dbt_utils.sequential_values', 'pass', 0],
    ]);
  });

  test('an unprefixed test name resolves to the package whose macro the loader found', async () => {
    const p = shopProject();
    const t = genericTest(p, 'orders', { expression_is_true: { expression: 'amount >= 0' } });
    t.depends_on.macros = ['macro.dbt_utils.test_expression_is_true', 'macro.dbt.get_where_subquery'];
    const [r] = await runPr(p, [t]);
    expect([r.test_name, r.status, r.failures]).toEqual(['dbt_utils.expression_is_true', 'fail', 2]);
  });

  test('dbt_expectations tests', async () => {
    const p = shopProject();
    const tests = [
      genericTest(p, 'orders', { 'dbt_expectations.expect_column_values_to_be_between': { min_value: 0 } }, 'amount'),
      genericTest(p, 'orders', { 'dbt_expectations.expect_column_values_to_be_between': { min_value: 0, row_condition: 'id > 4' } }, 'amount'),
      genericTest(p, 'orders', 'dbt_expectations.expect_column_values_to_not_be_null', 'id'),
      genericTest(p, 'orders', { 'dbt_expectations.expect_table_row_count_to_be_between': { min_value: 1, max_value: 10 } }),
      genericTest(p, 'orders', { 'dbt_expectations.expect_table_row_count_to_be_between': { min_value: 1, max_value: 19 } }),
      genericTest(p, 'orders', { 'dbt_expectations.expect_column_values_to_be_in_set': { value_set: ['placed', 'shipped', 'completed'] } }, 'status'),
    ];
    const results = await runPr(p, tests);
    expect(results.map(brief)).toEqual([
      { status: 'fail', failures: 2 },
      { status: 'fail', failures: 1 },
      { status: 'fail', failures: 3 },
      { status: 'fail', failures: 1 },
      { status: 'pass', failures: 0 },
      // Rows, not distinct values, unlike accepted_values.
      { status: 'fail', failures: 2 },
    ]);
  });
});

describe('severity, where, warn_if and error_if as dbt decides them', () => {
  test('each config changes the status the way dbt test would', async () => {
    const p = shopProject();
    const tests = [
      genericTest(p, 'orders', { not_null: { config: { severity: 'warn' } } }, 'id'),
      genericTest(p, 'orders', { not_null: { config: { where: 'not is_test' } } }, 'id'),
      genericTest(p, 'orders', { not_null: { config: { error_if: '>5' } } }, 'id'),
      genericTest(p, 'orders', { not_null: { config: { error_if: '>5', warn_if: '>10' } } }, 'id'),
      genericTest(p, 'orders', { not_null: { config: { error_if: '>=3' } } }, 'id'),
      // severity warn with only error_if met: dbt passes it.
      genericTest(p, 'orders', { not_null: { config: { severity: 'warn', warn_if: '>10' } } }, 'id'),
      genericTest(p, 'orders', { relationships: { to: "ref('customers')", field: 'id', config: { where: 'customer_id < 98' } } }, 'customer_id'),
      genericTest(p, 'orders', { unique: { config: { severity: 'WARN', where: 'id < 14' } } }, 'id'),
    ];
    const results = await runPr(p, tests);
    expect(results.map((r) => [r.severity, r.status, r.failures])).toEqual([
      ['warn', 'warn', 3],
      ['error', 'pass', 0],
      ['error', 'warn', 3],
      ['error', 'pass', 3],
      ['error', 'fail', 3],
      ['warn', 'pass', 3],
      ['error', 'fail', 2],
      ['warn', 'warn', 1],
    ]);
    expect(results[1].sql).toContain(`(select * from ${prRelation} where not is_test) dbt_subquery`);
  });

  test('a fail_calc and limit from config are used', async () => {
    const p = shopProject();
    const t = genericTest(p, 'orders', { unique: { config: { fail_calc: 'sum(n_records)' } } }, 'id');
    const limited = genericTest(p, 'orders', { 'dbt_utils.expression_is_true': { expression: 'amount >= 0', config: { limit: 1 } } });
    const results = await runPr(p, [t, limited]);
    // Two duplicated ids, each present twice.
    expect(results.map(brief)).toEqual([
      { status: 'fail', failures: 4 },
      { status: 'fail', failures: 1 },
    ]);
  });
});

describe('singular tests', () => {
  const negative = 'select * from "memory"."main"."orders" where amount < 0';

  test('references to a changed model read the PR relation instead of production', async () => {
    const p = shopProject();
    const quoted = singularTest(p, 'no_negative_amounts', negative, [ORDERS]);
    const bare = singularTest(p, 'no_orphans', 'select o.id from MEMORY.MAIN.ORDERS o left join memory.main.customers c on o.customer_id = c.id\nwhere o.customer_id is not null and c.id is null;', [ORDERS, CUSTOMERS]);
    const results = await runPr(p, [quoted, bare]);
    expect(results.map((r) => [r.test_type, r.test_name, r.status, r.failures])).toEqual([
      ['singular', 'singular', 'fail', 2],
      ['singular', 'singular', 'fail', 4],
    ]);
    expect(results[0].sql).toContain(`select * from ${prRelation} where amount < 0`);
    expect(results[1].sql).toContain('left join memory.main.customers c');
    const prod = await runTests(warehouse, p, [quoted, bare], relationsFor(p, []));
    expect(prod.map(brief)).toEqual([
      { status: 'pass', failures: 0 },
      { status: 'pass', failures: 0 },
    ]);
  });

  test('singular tests honour severity and error_if', async () => {
    const p = shopProject();
    const t = singularTest(p, 'no_negative_amounts', negative, [ORDERS], { severity: 'warn' });
    const u = singularTest(p, 'few_negative_amounts', negative, [ORDERS], { error_if: '> 2' });
    expect((await runPr(p, [t, u])).map(brief)).toEqual([
      { status: 'warn', failures: 2 },
      { status: 'warn', failures: 2 },
    ]);
  });
});

describe('tests that cannot run', () => {
  test('an unknown generic test is skipped with the reason', async () => {
    const p = shopProject();
    const t = genericTest(p, 'orders', { my_custom_check: { threshold: 3 } }, 'id');
    const [r] = await runPr(p, [t]);
    expect(r.status).toBe('skipped');
    expect(r.failures).toBeNull();
    expect(r.sql).toBeNull();
    expect(r.reason).toBe('generic test `my_custom_check` has no built-in implementation in impact-review, and no `test_my_custom_check` macro in the project or its packages');
  });

  test('a generic test with missing arguments is skipped, naming the argument', async () => {
    const p = shopProject();
    const [r] = await runPr(p, [genericTest(p, 'orders', { relationships: { field: 'id' } }, 'customer_id')]);
    expect([r.status, r.reason]).toEqual(['skipped', 'relationships needs `to` (a ref() or source())']);
  });

  test('a ref to a model the project lacks is skipped', async () => {
    const p = shopProject();
    const [r] = await runPr(p, [genericTest(p, 'orders', { relationships: { to: "ref('nowhere')", field: 'id' } }, 'customer_id')]);
    expect([r.status, r.reason]).toEqual(['skipped', "relationships: ref('nowhere') matches no node of the project"]);
  });

  test('a test whose SQL does not render is an error, as dbt test would fail it', async () => {
    const p = shopProject();
    const t = singularTest(p, 'broken_jinja', null, [ORDERS]);
    t.render_error = { file: 'tests/broken_jinja.sql', line: 2, message: "unexpected '}'", severity: 'error' };
    const [r] = await runPr(p, [t]);
    expect([r.status, r.reason]).toEqual(['error', "tests/broken_jinja.sql: did not render: unexpected '}'"]);
  });

  test('a broken expression errors with the warehouse message, and the other tests still run', async () => {
    const p = shopProject();
    const broken = genericTest(p, 'orders', { 'dbt_utils.expression_is_true': { expression: 'no_such_column >= 0' } });
    const fine = genericTest(p, 'orders', 'not_null', 'id');
    const [r, ok] = await runPr(p, [broken, fine]);
    expect(r.status).toBe('error');
    expect(r.failures).toBeNull();
    expect(r.reason).toMatch(/Binder Error: .*no_such_column/);
    expect(r.reason).not.toContain('\n');
    expect(brief(ok)).toEqual({ status: 'fail', failures: 3 });
  });

  test('SQL that is not a read-only SELECT never reaches the warehouse', async () => {
    const p = shopProject();
    const t = singularTest(p, 'sneaky', 'select 1; drop table main.customers', [ORDERS]);
    const [r] = await runPr(p, [t]);
    expect(r.status).toBe('error');
    expect(r.reason).toMatch(/^refused/);
    const still = await warehouse.query<{ n: number }>('select count(*) as n from main.customers');
    expect(Number(still.rows[0].n)).toBe(5);
  });
});

describe('selecting and running many tests', () => {
  test('testsForModel finds attached, referencing and singular tests, enabled only', () => {
    const p = shopProject();
    const nn = genericTest(p, 'orders', 'not_null', 'id');
    const rel = genericTest(p, 'orders', { relationships: { to: "ref('customers')", field: 'id' } }, 'customer_id');
    const onCustomers = genericTest(p, 'customers', 'unique', 'id');
    const sing = singularTest(p, 'no_negative_amounts', 'select 1', [ORDERS]);
    const off = genericTest(p, 'orders', 'unique', 'id');
    off.config.enabled = false;
    expect(testsForModel(p, ORDERS).map((t) => t.unique_id)).toEqual([nn, rel, sing].map((t) => t.unique_id).sort());
    expect(testsForModel(p, CUSTOMERS).map((t) => t.unique_id)).toEqual([rel, onCustomers].map((t) => t.unique_id).sort());
  });

  test('twenty tests at four at a time keep their order and results', async () => {
    const p = shopProject();
    const tests: DbtNode[] = [];
    for (let i = 0; i < 10; i++) {
      tests.push(genericTest(p, 'orders', { not_null: { config: { where: `coalesce(id, 0) >= ${i}` } } }, 'id'));
      tests.push(genericTest(p, 'orders', { 'dbt_utils.expression_is_true': { expression: `amount >= ${-i}` } }));
    }
    const results = await runTests(warehouse, p, tests, relationsFor(p, [{ model: ORDERS, relation: prRelation }]), { concurrency: 4 });
    // Null ids pass the where only at i = 0; amounts -5 and -7 fail until the bound passes them.
    const expected = [];
    for (let i = 0; i < 10; i++) expected.push(i === 0 ? 3 : 0, (-5 < -i ? 1 : 0) + (-7 < -i ? 1 : 0));
    expect(results.map((r) => r.failures)).toEqual(expected);
    expect(results.map((r) => r.unique_id)).toEqual(tests.map((t) => t.unique_id));
    expect(summarizeTests(results)).toEqual({ pass: 12, warn: 0, fail: 8, error: 0, skipped: 0 });
  });
});
