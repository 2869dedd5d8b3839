import { describe, expect, test } from '@jest/globals';
import { call, fakeEnv, runDuckDb } from './helpers.js';

/** The SQL the builtins render for DuckDB, run on DuckDB, with results worked out by hand. */
const duck = fakeEnv('duckdb');
const dbt = (name: string, ...args: unknown[]): string => String(call(duck, 'dbt', name, args));

describe('date_spine runs on DuckDB', () => {
  test('day spine between constant dates is end-exclusive, like dbt', async () => {
    const env = fakeEnv('duckdb');
    const sql = String(call(env, 'dbt_utils', 'date_spine', ['day', "cast('2024-01-01' as date)", "cast('2024-03-01' as date)"]));
    const rows = await runDuckDb(`select min(date_day) as first, max(date_day) as last, count(*) as n from (${sql})`);
    // 31 days of January and 29 of February (2024 is a leap year).
    expect(rows).toEqual([{ first: '2024-01-01T00:00:00', last: '2024-02-29T00:00:00', n: 60 }]);
    expect(env.notes).toEqual([]);
  });

  test('month spine from the dbt namespace, with to_date-style bounds', async () => {
    const sql = String(call(fakeEnv('duckdb'), 'dbt', 'date_spine', ['month', "'2023-01-15'::date", "date '2024-01-01'"]));
    const rows = await runDuckDb(`select count(*) as n, max(date_month) as last from (${sql})`);
    expect(rows).toEqual([{ n: 12, last: '2023-12-15T00:00:00' }]);
  });

  test('bounds that are SQL expressions are cut to length in SQL, with a note', async () => {
    const env = fakeEnv('duckdb');
    const sql = String(call(env, 'dbt_utils', 'date_spine', ['day', "cast('2024-03-01' as date) - 10", "cast('2024-03-01' as date)"]));
    const rows = await runDuckDb(`select count(*) as n, max(date_day) as last from (${sql})`);
    expect(rows).toEqual([{ n: 10, last: '2024-02-29T00:00:00' }]);
    expect(env.notes).toHaveLength(1);
    expect(env.notes[0]).toContain('are not constant dates');
  });

  test('get_intervals_between agrees with DuckDB on week boundaries', async () => {
    const pairs = [
      ['2024-01-01', '2024-03-01'],
      ['2024-01-06', '2024-01-07'],
      ['2024-01-07', '2024-01-21'],
      ['2023-12-31', '2024-12-30'],
    ];
    for (const [a, b] of pairs) {
      const [start, end] = [`cast('${a}' as date)`, `cast('${b}' as date)`];
      const computed = call(fakeEnv('duckdb'), 'dbt', 'get_intervals_between', [start, end, 'week']);
      const [row] = await runDuckDb(`select ${dbt('datediff', start, end, 'week')} as n`);
      expect([a, b, computed]).toEqual([a, b, Number(row.n)]);
    }
  });
});

describe('cross-database SQL runs on DuckDB with exact results', () => {
  test('dateadd and datediff', async () => {
    const rows = await runDuckDb(
      `select ${dbt('dateadd', 'day', 3, "date '2024-02-27'")} as plus3,
              ${dbt('dateadd', 'quarter', -1, "date '2024-05-31'")} as minus_q,
              ${dbt('datediff', "date '2024-01-31'", "date '2024-03-01'", 'month')} as months,
              ${dbt('datediff', "timestamp '2024-01-01 23:00'", "timestamp '2024-01-02 01:00'", 'hour')} as hours,
              ${dbt('last_day', "date '2024-02-10'", 'month')} as eom`,
    );
    expect(rows).toEqual([{ plus3: '2024-03-01T00:00:00', minus_q: '2024-02-29T00:00:00', months: 2, hours: 2, eom: '2024-02-29T00:00:00' }]);
  });

  test('split_part, hash and generate_surrogate_key', async () => {
    const key = String(call(duck, 'dbt_utils', 'generate_surrogate_key', [['a', 'b']]));
    const rows = await runDuckDb(
      `select ${dbt('split_part', "'x@example.com'", "'@'", 2)} as domain,
              ${dbt('hash', "'abc'")} as h,
              ${key} as k_null,
              ${key.replace(/\ba\b/g, "'1'").replace(/\bb\b/g, "'2'")} as k_both
       from (select 1 as a, null as b)`,
    );
    expect(rows).toEqual([
      {
        domain: 'example.com',
        h: '900150983cd24fb0d6963f7d28e17f72',
        k_null: '9902a3dc3ffe71035ef18229afae9987',
        k_both: '98c6f2c2287f4c73cea3d40ae7ec3ff2',
      },
    ]);
  });
});

describe('SQL rendered for other adapters, where it is ANSI, also runs on DuckDB', () => {
  test("dbt's default powers-of-two series yields exactly 1..n", async () => {
    const env = fakeEnv('snowflake');
    const series = String(call(env, 'dbt', 'generate_series', [37]));
    const rows = await runDuckDb(`select count(*) as n, min(generated_number) as lo, max(generated_number) as hi from (${series})`);
    expect(rows).toEqual([{ n: 37, lo: 1, hi: 37 }]);
    const spine = String(call(env, 'dbt_utils', 'date_spine', ['day', "'2024-01-01'", "'2024-01-08'"]));
    expect(spine).toContain("dateadd(day, row_number() over (order by generated_number) - 1, '2024-01-01')");
    expect(spine).toContain('where generated_number <= 7 order by generated_number');
  });

  test('union_relations over relations of unknown columns lines them up by name', async () => {
    const env = fakeEnv('duckdb');
    const union = String(call(env, 'dbt_utils', 'union_relations', [['us', 'eu']], { source_column_name: 'src' }));
    const rows = await runDuckDb(
      `create table us as select 1 as id, 'CA' as state; create table eu as select 0.2 as vat, 2 as id;
       select src, id, state, vat from (${union}) order by id`,
    );
    expect(rows).toEqual([
      { src: 'us', id: 1, state: 'CA', vat: null },
      { src: 'eu', id: 2, state: null, vat: 0.2 },
    ]);
    expect(env.requests).toEqual([
      { kind: 'columns', relation: 'us' },
      { kind: 'columns', relation: 'eu' },
    ]);
  });
});
