import { describe, expect, test } from '@jest/globals';
import { relationPattern, rewriteRelations, runTests, testSql, wrapTestSql } from '../../../src/assess/tests.js';
import type { SourceDefinition } from '../../../src/dbt/types.js';
import type { QueryOptions, QueryResult, Warehouse } from '../../../src/warehouse/warehouse.js';
import { emptyProject, genericTest, modelNode, singularTest } from './factory.js';

const ORDERS = 'model.shop.orders';

function project() {
  return emptyProject([modelNode('orders', '"memory"."main"."orders"'), modelNode('customers', '"memory"."main"."customers"')]);
}

describe('relation rewriting in singular tests', () => {
  const swap = (sql: string): string => {
    const p = project();
    const t = singularTest(p, 's', sql, [ORDERS]);
    return rewriteRelations(sql, t, { relationOf: (id) => (id === ORDERS ? 'temp.main.pr_orders' : undefined), dialect: 'duckdb', project: p });
  };

  test('matches quoted, bare, upper-case and spaced spellings', () => {
    expect(swap('select * from "memory"."main"."orders" o')).toBe('select * from temp.main.pr_orders o');
    expect(swap('select * from memory.main.orders')).toBe('select * from temp.main.pr_orders');
    expect(swap('select * from MEMORY . "main".ORDERS join memory.main.orders x on 1=1')).toBe(
      'select * from temp.main.pr_orders join temp.main.pr_orders x on 1=1',
    );
  });

  test('leaves longer names and other relations alone', () => {
    expect(swap('select * from memory.main.orders_v2, other.memory.main.orders, memory.main.customers')).toBe(
      'select * from memory.main.orders_v2, other.memory.main.orders, memory.main.customers',
    );
  });

  test('the pattern escapes regex characters in names', () => {
    expect('from db.s."we$ird(name)"'.replace(relationPattern('db.s."we$ird(name)"'), 'X')).toBe('from X');
  });
});

describe('test SQL', () => {
  test('wraps the main query in one aggregate row, as get_test_sql', () => {
    expect(wrapTestSql('select 1 from t;', { warn_if: '>5', limit: 10 })).toBe(
      'select\n  count(*) as failures,\n  count(*) >5 as should_warn,\n  count(*) != 0 as should_error\nfrom (\nselect 1 from t\n\n  limit 10\n) dbt_internal_test',
    );
  });

  test('Snowflake gets Snowflake date arithmetic in recency', () => {
    const p = project();
    const t = genericTest(p, 'orders', { 'dbt_utils.recency': { datepart: 'day', field: 'created_at', interval: 2 } });
    const out = testSql(t, { relationOf: () => 'DB.PR.ORDERS', dialect: 'snowflake', project: p });
    expect('sql' in out && out.sql).toContain("dateadd(day, -2, convert_timezone('UTC', current_timestamp()))");
  });

  test('a test on a source reads the relation chosen for the source', () => {
    const p = project();
    const source: SourceDefinition = {
      unique_id: 'source.shop.raw.payments',
      resource_type: 'source',
      name: 'payments',
      source_name: 'raw',
      package_name: 'shop',
      original_file_path: 'models/sources.yml',
      path: 'models/sources.yml',
      fqn: ['shop', 'raw', 'payments'],
      database: 'memory',
      schema: 'raw',
      identifier: 'payments',
      relation_name: '"memory"."raw"."payments"',
      description: '',
      source_description: '',
      loader: '',
      quoting: {},
      meta: {},
      source_meta: {},
      tags: [],
      columns: {},
      config: { enabled: true },
    };
    p.sources[source.unique_id] = source;
    const t = genericTest(p, 'orders', 'not_null', 'id');
    t.test_metadata = { name: 'not_null', namespace: null, kwargs: { column_name: 'id', model: "{{ get_where_subquery(source('raw', 'payments')) }}" } };
    t.attached_node = null;
    t.depends_on.nodes = [source.unique_id];
    const out = testSql(t, { relationOf: () => undefined, dialect: 'duckdb', project: p });
    expect('sql' in out && out.sql).toContain('from "memory"."raw"."payments"\nwhere id is null');
  });

  test('a generic test with compiled SQL from a manifest runs that SQL when there is no native macro', () => {
    const p = project();
    const t = genericTest(p, 'orders', { my_check: {} }, 'id');
    t.compiled_code = 'select * from "memory"."main"."orders" where id < 0';
    t.depends_on.nodes = [ORDERS];
    const out = testSql(t, { relationOf: (id) => (id === ORDERS ? 'pr_orders' : undefined), dialect: 'duckdb', project: p });
    expect('sql' in out && out.sql).toContain('select * from pr_orders where id < 0');
  });
});

describe('reading results', () => {
  /** A warehouse answering like Snowflake: upper-case column names. */
  function fakeWarehouse(row: Record<string, unknown>, seen: { sql: string; options?: QueryOptions }[]): Warehouse {
    const unused = (): never => {
      throw new Error('not used');
    };
    return {
      type: 'snowflake',
      database: 'DB',
      connect: async () => undefined,
      async query<Row>(sql: string, options?: QueryOptions): Promise<QueryResult<Row>> {
        seen.push({ sql, options });
        return { columns: [], rows: [row as Row], stats: { elapsedMs: 1 } };
      },
      describe: unused,
      createTempTable: unused,
      explain: unused,
      materialize: unused,
      loadCsv: unused,
      ensureSchema: unused,
      close: async () => undefined,
    };
  }

  test('upper-case columns and text booleans are read, and queries carry purpose test', async () => {
    const p = project();
    const t = genericTest(p, 'orders', 'not_null', 'id');
    const seen: { sql: string; options?: QueryOptions }[] = [];
    const [r] = await runTests(fakeWarehouse({ FAILURES: '7', SHOULD_WARN: 'true', SHOULD_ERROR: false }, seen), p, [t], () => 'DB.PR.ORDERS');
    expect([r.status, r.failures]).toEqual(['warn', 7]);
    expect(seen).toHaveLength(1);
    expect(seen[0].options?.purpose).toBe('test');
    expect(seen[0].sql).toContain('from DB.PR.ORDERS\nwhere id is null');
  });
});
