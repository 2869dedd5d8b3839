import { describe, expect, test } from '@jest/globals';
import { call, fakeEnv } from './helpers.js';

const duck = fakeEnv('duckdb');
const snow = fakeEnv('snowflake');
const dbt = (env: ReturnType<typeof fakeEnv>, name: string, args: unknown[] = [], kwargs: Record<string, unknown> = {}): unknown =>
  call(env, 'dbt', name, args, kwargs);

describe('dbt cross-database macros render for the target adapter', () => {
  test('dateadd', () => {
    expect(dbt(snow, 'dateadd', ['day', 1, 'order_date'])).toBe('dateadd(day, 1, order_date)');
    expect(dbt(duck, 'dateadd', ['day', 1, 'order_date'])).toBe('(order_date + cast(1 as bigint) * interval 1 day)');
    expect(dbt(duck, 'dateadd', ['quarter', 2, 'd'])).toBe('(d + (cast(2 as bigint) * 3) * interval 1 month)');
    expect(dbt(duck, 'dateadd', ['week', 'n', 'd'])).toBe('(d + (cast(n as bigint) * 7) * interval 1 day)');
    expect(dbt(fakeEnv('postgres'), 'dateadd', ['month', -1, 'd'])).toBe("d + ((interval '1 month') * (-1))");
  });

  test('arguments may be passed by dbt parameter name', () => {
    expect(dbt(snow, 'dateadd', [], { datepart: 'month', interval: -3, from_date_or_timestamp: 'current_date' })).toBe(
      'dateadd(month, -3, current_date)',
    );
    expect(dbt(snow, 'datediff', ['a'], { datepart: 'hour', second_date: 'b' })).toBe('datediff(hour, a, b)');
    expect(dbt(snow, 'split_part', [], { string_text: 's', delimiter_text: "','", part_number: 2 })).toBe("split_part(s, ',', 2)");
    expect(() => dbt(snow, 'dateadd', ['day', 1])).toThrow("dateadd() is missing its argument 'from_date_or_timestamp'");
  });

  test('datediff', () => {
    expect(dbt(snow, 'datediff', ['started_at', 'ended_at', 'day'])).toBe('datediff(day, started_at, ended_at)');
    expect(dbt(duck, 'datediff', ['started_at', 'ended_at', 'day'])).toBe("(date_diff('day', started_at::timestamp, ended_at::timestamp))");
    expect(dbt(fakeEnv('postgres'), 'datediff', ['a', 'b', 'month'])).toBe(
      "((date_part('year', (b)::date) - date_part('year', (a)::date)) * 12 + date_part('month', (b)::date) - date_part('month', (a)::date))",
    );
  });

  test('date_trunc, last_day, safe_cast, cast', () => {
    expect(dbt(snow, 'date_trunc', ['month', 'created_at'])).toBe("date_trunc('month', created_at)");
    expect(dbt(duck, 'date_trunc', ['month', 'created_at'])).toBe("date_trunc('month', created_at)");
    expect(dbt(snow, 'last_day', ['d', 'month'])).toBe("cast(dateadd(day, -1, dateadd(month, 1, date_trunc('month', d))) as date)");
    expect(dbt(snow, 'safe_cast', ['amount', 'number(10,2)'])).toBe('try_cast(amount as number(10,2))');
    expect(dbt(snow, 'safe_cast', [5, 'integer'])).toBe("try_cast('5' as integer)");
    expect(dbt(snow, 'safe_cast', ['payload', 'variant'])).toBe('cast(payload as variant)');
    expect(dbt(duck, 'safe_cast', ['amount', 'decimal(10,2)'])).toBe('cast(amount as decimal(10,2))');
    expect(dbt(snow, 'cast', ['wkt', 'geography'])).toBe('to_geography(wkt)');
  });

  test('split_part', () => {
    expect(dbt(snow, 'split_part', ['email', "'@'", 2])).toBe("split_part(email, '@', 2)");
    expect(dbt(duck, 'split_part', ['email', "'@'", 2])).toBe("string_split(email, '@')[ 2 ]");
    expect(dbt(fakeEnv('postgres'), 'split_part', ['s', "'.'", -1])).toBe(
      "split_part(s, '.', length(s) - length(replace(s, '.', '')) + 2 + -1)",
    );
  });

  test('concat and hash', () => {
    expect(dbt(snow, 'concat', [['first_name', "' '", 'last_name']])).toBe("first_name || ' ' || last_name");
    expect(dbt(snow, 'hash', ['email'])).toBe('md5(cast(email as TEXT))');
    expect(dbt(duck, 'hash', ['email'])).toBe('md5(cast(email as TEXT))');
    expect(dbt(fakeEnv('bigquery'), 'hash', ['email'])).toBe('to_hex(md5(cast(email as string)))');
  });

  test('type_* follow each adapter\'s Column.translate_type', () => {
    const names = ['type_string', 'type_timestamp', 'type_float', 'type_numeric', 'type_int', 'type_bigint', 'type_boolean'];
    expect(names.map((n) => dbt(snow, n))).toEqual(['TEXT', 'timestamp', 'float', 'numeric(28,6)', 'integer', 'bigint', 'boolean']);
    expect(names.map((n) => dbt(duck, n))).toEqual(['TEXT', 'timestamp', 'float', 'numeric(28,6)', 'integer', 'bigint', 'boolean']);
    expect(names.map((n) => dbt(fakeEnv('bigquery'), n))).toEqual(['string', 'timestamp', 'FLOAT64', 'numeric', 'INT64', 'bigint', 'boolean']);
  });

  test('aggregates, strings and timestamps differ per adapter', () => {
    expect(dbt(duck, 'any_value', ['x'])).toBe('arbitrary(x)');
    expect(dbt(snow, 'any_value', ['x'])).toBe('any_value(x)');
    expect(dbt(snow, 'bool_or', ['x'])).toBe('boolor_agg(x)');
    expect(dbt(snow, 'listagg', ['name', "', '", 'order by name', 3])).toBe(
      "array_to_string(array_slice(array_agg(name) within group (order by name), 0, 3), ', ')",
    );
    expect(dbt(duck, 'listagg', ['name'])).toBe("string_agg(name, ',')");
    expect(dbt(snow, 'right', ['s', 3])).toBe("case when 3 = 0 then '' else right(s, 3) end");
    expect(dbt(snow, 'escape_single_quotes', ["they're"])).toBe("they\\'re");
    expect(dbt(duck, 'escape_single_quotes', ["they're"])).toBe("they''re");
    expect(dbt(snow, 'current_timestamp')).toBe("convert_timezone('UTC', current_timestamp())");
    expect(dbt(duck, 'current_timestamp')).toBe('now()');
    expect(dbt(snow, 'current_timestamp_in_utc_backcompat')).toBe("convert_timezone('UTC', current_timestamp::timestamp)::timestamp");
    expect(dbt(snow, 'array_construct', [['1', '2']])).toBe('array_construct( 1 , 2 )');
    expect(dbt(duck, 'date', [2024, 2, 9])).toBe('make_date(2024, 2, 9)');
    expect(dbt(snow, 'date', [2024, 2, 9])).toBe("to_date('2024-02-09', 'YYYY-MM-DD')");
  });
});
