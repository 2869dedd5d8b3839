/**
 * The PR version of a seed (`seedSelectSql` → a temporary table): values and NULLs exactly as the
 * CSV has them, production's column types kept while the values fit, `column_types` honoured, and
 * the adapter's inferred type where production has no such column or the values no longer fit.
 * On DuckDB for real, and on Snowflake through the real driver and the fake endpoint.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { seedSelectSql, MAX_SEED_SQL_CHARS } from '../../../src/build/seed.js';
import { readOnlyCheck } from '../../../src/sql/readonly.js';
import { dialectFor } from '../../../src/warehouse/dialect.js';
import { openWarehouse } from '../../../src/warehouse/connect.js';
import type { Warehouse } from '../../../src/warehouse/warehouse.js';
import { startFakeSnowflake, type FakeSnowflake } from '../../support/fake-snowflake.js';

const CSV = ['code,name,population,area,joined', `GB,"United Kingdom, the",67,242495.5,1973-01-01`, `CI,"Côte d'Ivoire",,322463,`, 'NZ,"say ""kia ora""",5,268021,1907-09-26', ''].join('\n');

async function built(w: Warehouse, name: string, csv: string, columnTypes: Record<string, string> = {}, production = 'main.countries') {
  const result = seedSelectSql(csv, { dialect: dialectFor(w.type), production: await w.describe(production).catch(() => []), columnTypes });
  if ('error' in result) throw new Error(result.error);
  const table = await w.createTempTable(name, result.sql);
  return { relation: table.relation, columns: await w.describe(table.relation) };
}

describe('seedSelectSql on DuckDB', () => {
  let w: Warehouse;
  beforeAll(async () => {
    w = await openWarehouse('duckdb::memory:');
    await w.query('create table main.countries (code varchar, name varchar, population bigint, area double, joined date)');
  });
  afterAll(async () => w.close());

  test('values, quotes, commas and NULLs round-trip; production types are kept', async () => {
    const { relation, columns } = await built(w, 'pr_countries', CSV);
    expect(columns.map((c) => [c.name, c.type])).toEqual([
      ['code', 'VARCHAR'],
      ['name', 'VARCHAR'],
      ['population', 'BIGINT'],
      ['area', 'DOUBLE'],
      ['joined', 'DATE'],
    ]);
    const { rows } = await w.query(`select code, name, population, area, cast(joined as varchar) as joined from ${relation} order by code`);
    expect(rows).toEqual([
      { code: 'CI', name: "Côte d'Ivoire", population: null, area: 322463, joined: null },
      { code: 'GB', name: 'United Kingdom, the', population: 67, area: 242495.5, joined: '1973-01-01' },
      { code: 'NZ', name: 'say "kia ora"', population: 5, area: 268021, joined: '1907-09-26' },
    ]);
  });

  test('a decimal in an integer column widens it, as re-seeding would; column_types wins over both', async () => {
    const widened = await built(w, 'pr_widened', CSV.replace(',67,', ',67.5,'));
    expect(widened.columns.find((c) => c.name === 'population')?.type).toBe('DOUBLE');
    const configured = await built(w, 'pr_configured', CSV, { population: 'DECIMAL(12,1)', Code: 'VARCHAR(2)' });
    expect(configured.columns.find((c) => c.name === 'population')?.type).toBe('DECIMAL(12,1)');
  });

  test('a CSV saved with a byte-order mark and CRLF line ends (Excel) has the same columns and values', async () => {
    const { relation, columns } = await built(w, 'pr_excel', `\ufeff${CSV.replace(/\n/g, '\r\n')}`);
    expect(columns.map((c) => c.name)).toEqual(['code', 'name', 'population', 'area', 'joined']);
    expect((await w.query(`select count(*) as n from ${relation} where code in ('GB', 'CI', 'NZ')`)).rows[0].n).toBe(3);
  });

  test('a new seed (no production table) gets the types the seed loader infers', async () => {
    const { columns } = await built(w, 'pr_new', CSV, {}, 'main.no_such_seed');
    expect(columns.map((c) => c.type)).toEqual(['VARCHAR', 'VARCHAR', 'BIGINT', 'DOUBLE', 'DATE']);
  });

  test('a header-only seed is an empty table with its columns', async () => {
    const { relation, columns } = await built(w, 'pr_empty', 'code,name,population,area,joined\n');
    expect(columns.map((c) => c.name)).toEqual(['code', 'name', 'population', 'area', 'joined']);
    expect((await w.query(`select count(*) as n from ${relation}`)).rows[0].n).toBe(0);
  });

  test('a value written as SQL stays a value: it passes the read-only gate as data and production is untouched', async () => {
    const hostile = "x'); drop table main.countries; --";
    const result = seedSelectSql(`code,name\nZZ,"${hostile}"\n`, { dialect: dialectFor('duckdb'), production: [], columnTypes: {} });
    if ('error' in result) throw new Error(result.error);
    expect(readOnlyCheck(result.sql, 'duckdb')).toMatchObject({ ok: true });
    const table = await w.createTempTable('pr_hostile', result.sql);
    expect((await w.query(`select name from ${table.relation}`)).rows).toEqual([{ name: hostile }]);
    expect((await w.query('select count(*) as n from main.countries')).rows[0].n).toBe(0);
  });

  test('unusable files are refused with the reason, before anything runs', () => {
    const opts = { dialect: dialectFor('duckdb'), production: [], columnTypes: {} };
    expect(seedSelectSql('', opts)).toEqual({ error: 'the seed file has no header row' });
    expect(seedSelectSql('a,b\n1,2\n3\n', opts)).toEqual({ error: 'record 3 has 1 field(s) but the header has 2' });
    const big = 'a\n' + 'x'.repeat(1000).concat('\n').repeat(Math.ceil(MAX_SEED_SQL_CHARS / 1000) + 1);
    expect(seedSelectSql(big, opts)).toMatchObject({ error: expect.stringMatching(/^the seed is too large to build from one statement \([\d,]+ characters of SQL; at most 1,000,000\)$/) });
  });
});

describe('seedSelectSql on Snowflake (fake endpoint, real driver)', () => {
  let fake: FakeSnowflake;
  let w: Warehouse;
  beforeAll(async () => {
    fake = await startFakeSnowflake();
    w = await openWarehouse('snowflake://alice@acme/ANALYTICS/SCRATCH', { env: { SNOWFLAKE_PASSWORD: 'secret', SNOWFLAKE_ACCESS_URL: fake.url } });
  });
  afterAll(async () => {
    await w.close();
    await fake.close();
  });

  test('the PR seed is a temporary table with unquoted (upper-case) columns and Snowflake types', async () => {
    const { relation, columns } = await built(w, 'PR_COUNTRIES', CSV, {}, 'ANALYTICS.SEEDS.NO_SUCH_SEED');
    expect(columns.map((c) => [c.name, c.type])).toEqual([
      ['CODE', 'VARCHAR'],
      ['NAME', 'VARCHAR'],
      ['POPULATION', 'NUMBER(38,0)'],
      ['AREA', 'FLOAT'],
      ['JOINED', 'DATE'],
    ]);
    const { rows } = await w.query(`SELECT code, name, population FROM ${relation} ORDER BY code`);
    expect(rows.map((r) => [r.CODE, r.NAME, r.POPULATION])).toEqual([
      ['CI', "Côte d'Ivoire", null],
      ['GB', 'United Kingdom, the', 67],
      ['NZ', 'say "kia ora"', 5],
    ]);
    expect(fake.queries.some((q) => /CREATE OR REPLACE TEMPORARY TABLE/i.test(q.sql ?? '') && /VALUES/.test(q.sql ?? ''))).toBe(true);
  });
});
