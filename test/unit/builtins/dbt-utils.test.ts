import { describe, expect, test } from '@jest/globals';
import { call, fakeEnv, relation } from './helpers.js';

const orders = relation('analytics', 'prod', 'orders');
const ordersColumns = {
  'analytics.prod.orders': [
    { name: 'id', data_type: 'INTEGER' },
    { name: 'customer_id', data_type: 'INTEGER' },
    { name: '_loaded_at', data_type: 'TIMESTAMP' },
  ],
};

describe('dbt_utils surrogate keys', () => {
  test('generate_surrogate_key hashes the coalesced fields joined by dashes', () => {
    const key = 'md5(cast(coalesce(cast(order_id as TEXT), \'_dbt_utils_surrogate_key_null_\') || \'-\' || coalesce(cast(line_no as TEXT), \'_dbt_utils_surrogate_key_null_\') as TEXT))';
    expect(call(fakeEnv('snowflake'), 'dbt_utils', 'generate_surrogate_key', [['order_id', 'line_no']])).toBe(key);
    expect(call(fakeEnv('duckdb'), 'dbt_utils', 'generate_surrogate_key', [], { field_list: ['order_id', 'line_no'] })).toBe(key);
  });

  test('the nulls-as-empty-strings var and the 0.x surrogate_key both hash nulls as empty strings', () => {
    const legacy = "md5(cast(coalesce(cast(a as TEXT), '') || '-' || coalesce(cast(b as TEXT), '') as TEXT))";
    const env = fakeEnv('snowflake', { vars: { surrogate_key_treat_nulls_as_empty_strings: true } });
    expect(call(env, 'dbt_utils', 'generate_surrogate_key', [['a', 'b']])).toBe(legacy);
    expect(call(fakeEnv('snowflake'), 'dbt_utils', 'surrogate_key', [['a', 'b']])).toBe(legacy);
    expect(call(fakeEnv('snowflake'), 'dbt_utils', 'surrogate_key', ['a', 'b'])).toBe(legacy);
  });
});

describe('dbt_utils.star', () => {
  test('lists known columns, minus except, with prefix and alias', () => {
    const env = fakeEnv('snowflake', { columns: ordersColumns });
    expect(call(env, 'dbt_utils', 'star', [orders], { except: ['_LOADED_AT'], prefix: 'o_', relation_alias: 'o' })).toBe(
      'o."id" as "o_id",\n  o."customer_id" as "o_customer_id"',
    );
    expect(call(env, 'dbt_utils', 'star', [orders, false, ['id']], { quote_identifiers: false })).toBe('customer_id,\n  _loaded_at');
    expect(env.notes).toEqual([]);
    expect(env.requests).toEqual([]);
  });

  test('unknown columns render * with a note and a request for them', () => {
    const env = fakeEnv('duckdb');
    expect(call(env, 'dbt_utils', 'star', [orders])).toBe('*');
    expect(env.notes).toEqual(['dbt_utils.star on analytics.prod.orders: columns unknown without a warehouse; rendered as *']);
    expect(env.requests).toEqual([{ kind: 'columns', relation: 'analytics.prod.orders' }]);
    expect(call(env, 'dbt_utils', 'star', [orders], { except: ['_loaded_at'] })).toBe('* exclude (_loaded_at)');
  });
});

test('pivot renders one aggregate per value, escaping quotes for the adapter', () => {
  const env = fakeEnv('snowflake');
  expect(call(env, 'dbt_utils', 'pivot', ['color', ['red', "o'range"]])).toBe(
    "sum(case when color = 'red' then 1 else 0 end) as \"red\",\n  sum(case when color = 'o\\'range' then 1 else 0 end) as \"o'range\"",
  );
  expect(call(fakeEnv('duckdb'), 'dbt_utils', 'pivot', ['size', ['S M']], { agg: 'max', then_value: 'amount', else_value: 'null', quote_identifiers: false, prefix: 'size ' })).toBe(
    "max(case when size = 'S M' then amount else null end) as size_s_m",
  );
});

test('union_relations pads columns a relation lacks with typed nulls', () => {
  const a = relation('db', 'raw', 'shop_us');
  const b = relation('db', 'raw', 'shop_eu');
  const env = fakeEnv('snowflake', {
    columns: {
      'db.raw.shop_us': [{ name: 'ID', data_type: 'NUMBER(38,0)' }, { name: 'STATE', data_type: 'VARCHAR(2)' }],
      'db.raw.shop_eu': [{ name: 'ID', data_type: 'NUMBER(38,0)' }, { name: 'VAT', data_type: 'FLOAT' }, { name: 'STATE', data_type: 'VARCHAR(40)' }],
    },
  });
  expect(call(env, 'dbt_utils', 'union_relations', [[a, b]])).toBe(
    [
      '(',
      '    select',
      "        cast('db.raw.shop_us' as TEXT) as _dbt_source_relation,",
      '        cast("ID" as NUMBER(38,0)) as "ID",',
      '        cast("STATE" as VARCHAR(40)) as "STATE",',
      '        cast(null as FLOAT) as "VAT"',
      '    from db.raw.shop_us',
      ')',
      'union all',
      '(',
      '    select',
      "        cast('db.raw.shop_eu' as TEXT) as _dbt_source_relation,",
      '        cast("ID" as NUMBER(38,0)) as "ID",',
      '        cast("STATE" as VARCHAR(40)) as "STATE",',
      '        cast("VAT" as FLOAT) as "VAT"',
      '    from db.raw.shop_eu',
      ')',
    ].join('\n'),
  );
  expect(() => call(env, 'dbt_utils', 'union_relations', [[a, b]], { include: ['id'], exclude: ['vat'] })).toThrow('Only one is allowed');
});

describe('macros that need the warehouse', () => {
  test('get_column_values returns the known values, else the default with a note and a request', () => {
    const known = fakeEnv('duckdb', { values: { 'analytics.prod.orders.status': ['placed', 'shipped'] } });
    expect(call(known, 'dbt_utils', 'get_column_values', [orders, 'status'])).toEqual(['placed', 'shipped']);
    const unknown = fakeEnv('duckdb');
    expect(call(unknown, 'dbt_utils', 'get_column_values', [orders, 'status'], { default: ['placed'], max_records: 10 })).toEqual(['placed']);
    expect(unknown.requests).toEqual([
      { kind: 'column_values', relation: 'analytics.prod.orders', column: 'status', orderBy: 'count(*) desc', maxRecords: 10 },
    ]);
    expect(unknown.notes).toEqual([
      "dbt_utils.get_column_values(analytics.prod.orders, status): values unknown without a warehouse; used the default ['placed']",
    ]);
  });

  test('get_filtered_columns_in_relation', () => {
    expect(call(fakeEnv('duckdb', { columns: ordersColumns }), 'dbt_utils', 'get_filtered_columns_in_relation', [orders, ['ID']])).toEqual([
      'customer_id',
      '_loaded_at',
    ]);
    const unknown = fakeEnv('duckdb');
    expect(call(unknown, 'dbt_utils', 'get_filtered_columns_in_relation', [orders])).toEqual([]);
    expect(unknown.requests).toEqual([{ kind: 'columns', relation: 'analytics.prod.orders' }]);
  });
});

test('small helpers', () => {
  const env = fakeEnv('snowflake');
  expect(call(env, 'dbt_utils', 'group_by', [3])).toBe('group by 1,2,3');
  expect(call(env, 'dbt_utils', 'safe_divide', ['a', 'b'])).toBe('( a ) / nullif( ( b ), 0)');
  expect(call(env, 'dbt_utils', 'safe_add', [['a', 'b']])).toBe('coalesce(a, 0) +\n  coalesce(b, 0)');
  expect(call(env, 'dbt_utils', 'slugify', ['2nd Place - Total!'])).toBe('_2nd_place_total');
  expect(call(env, 'dbt_utils', 'deduplicate', ['events', 'event_id', 'loaded_at desc'])).toBe(
    'select *\nfrom events\nqualify row_number() over (partition by event_id order by loaded_at desc) = 1',
  );
  expect(call(env, 'dbt_utils', 'dateadd', ['day', 1, 'x'])).toBe('dateadd(day, 1, x)');
});
