/**
 * Seeds on Snowflake (`build` → SnowflakeWarehouse.loadCsv) through the real driver and the fake
 * endpoint: quoted fields, embedded commas, quotes and newlines, empty values, inferred types, and
 * column names that unquoted model SQL can read, as `dbt seed` leaves them on Snowflake.
 */
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, jest, test } from '@jest/globals';
import { main } from '../../../src/cli/run.js';
import { openWarehouse } from '../../../src/warehouse/connect.js';
import type { Warehouse } from '../../../src/warehouse/warehouse.js';
import { startFakeSnowflake, type FakeSnowflake } from '../../support/fake-snowflake.js';

const CSV = [
  'id,name,amount,ratio,active,signup_date,updated_at,comment,First Name',
  '1,"Smith, Jane",10,1.5,true,2024-01-02,2024-01-02 03:04:05,"said ""hi""",Jane',
  '2,Bob,,0.25,false,,2024-01-03T00:00:00,,Bob',
  '3,"two\r\nlines",-7,,TRUE,2024-02-29,,plain,',
].join('\r\n');

let fake: FakeSnowflake;
let dir: string;
let warehouse: Warehouse;

beforeAll(async () => {
  fake = await startFakeSnowflake();
  dir = await mkdtemp(join(tmpdir(), 'ir-sf-seed-'));
  await writeFile(join(dir, 'customers.csv'), CSV);
  warehouse = await openWarehouse('snowflake://alice@acme/ANALYTICS/SCRATCH', {
    env: { SNOWFLAKE_PASSWORD: 'secret', SNOWFLAKE_ACCESS_URL: fake.url },
    tagContext: { repo: 'acme/analytics' },
  });
});
afterAll(async () => {
  await warehouse.close();
  await fake.close();
  await rm(dir, { recursive: true, force: true });
});

describe('SnowflakeWarehouse.loadCsv through the fake endpoint', () => {
  test('rows, NULLs for empty values, and inferred Snowflake types', async () => {
    const before = fake.queries.length;
    await warehouse.loadCsv('ANALYTICS.SEEDS.customers', join(dir, 'customers.csv'));
    expect(await warehouse.describe('ANALYTICS.SEEDS.customers')).toEqual([
      { name: 'ID', type: 'NUMBER(38,0)', kind: 'number' },
      { name: 'NAME', type: 'VARCHAR', kind: 'string' },
      { name: 'AMOUNT', type: 'NUMBER(38,0)', kind: 'number' },
      { name: 'RATIO', type: 'FLOAT', kind: 'number' },
      { name: 'ACTIVE', type: 'BOOLEAN', kind: 'boolean' },
      { name: 'SIGNUP_DATE', type: 'DATE', kind: 'date' },
      { name: 'UPDATED_AT', type: 'TIMESTAMP_NTZ', kind: 'timestamp' },
      { name: 'COMMENT', type: 'VARCHAR', kind: 'string' },
      // Not a plain identifier: kept as written, and quoted wherever it is used.
      { name: 'First Name', type: 'VARCHAR', kind: 'string' },
    ]);
    // Unquoted names resolve, as model SQL writes them.
    const { rows } = await warehouse.query(
      'SELECT id, name, amount, ratio, active, signup_date, updated_at, comment, "First Name" FROM ANALYTICS.SEEDS.customers ORDER BY id',
    );
    expect(rows).toEqual([
      {
        ID: 1,
        NAME: 'Smith, Jane',
        AMOUNT: 10,
        RATIO: 1.5,
        ACTIVE: true,
        SIGNUP_DATE: '2024-01-02',
        UPDATED_AT: '2024-01-02T03:04:05',
        COMMENT: 'said "hi"',
        'First Name': 'Jane',
      },
      { ID: 2, NAME: 'Bob', AMOUNT: null, RATIO: 0.25, ACTIVE: false, SIGNUP_DATE: null, UPDATED_AT: '2024-01-03T00:00:00', COMMENT: null, 'First Name': 'Bob' },
      { ID: 3, NAME: 'two\r\nlines', AMOUNT: -7, RATIO: null, ACTIVE: true, SIGNUP_DATE: '2024-02-29', UPDATED_AT: null, COMMENT: 'plain', 'First Name': null },
    ]);
    // The schema is created first, values travel as binds, and every statement is tagged 'seed'.
    const sent = fake.queries.slice(before).filter((q) => !q.sql!.startsWith('ALTER SESSION'));
    expect(sent.slice(0, 2).map((q) => [q.sql, JSON.parse(q.tag!).purpose])).toEqual([
      ['CREATE SCHEMA IF NOT EXISTS ANALYTICS.SEEDS', 'build'],
      [
        'CREATE OR REPLACE TABLE ANALYTICS.SEEDS.customers (id NUMBER, name VARCHAR, amount NUMBER, ratio FLOAT, active BOOLEAN, ' +
          'signup_date DATE, updated_at TIMESTAMP_NTZ, comment VARCHAR, "First Name" VARCHAR)',
        'seed',
      ],
    ]);
    expect(sent[2].sql).toMatch(/^INSERT INTO ANALYTICS\.SEEDS\.customers VALUES \(\?::NUMBER, /);
    expect(JSON.parse(sent[2].tag!).purpose).toBe('seed');
    expect(sent[2].sql).not.toContain('Smith');
    expect(Object.keys(sent[2].bindings ?? {})).toHaveLength(27);
  });

  test('loading again replaces the table', async () => {
    await warehouse.loadCsv('ANALYTICS.SEEDS.customers', join(dir, 'customers.csv'));
    expect((await warehouse.query('SELECT count(*) AS n FROM ANALYTICS.SEEDS.customers')).rows).toEqual([{ N: 3 }]);
  });
});

describe('impact-review build --warehouse snowflake://… (fake endpoint)', () => {
  test('a seed and the model reading it with unquoted names', async () => {
    const project = join(dir, 'project');
    await mkdir(join(project, 'seeds'), { recursive: true });
    await mkdir(join(project, 'models'), { recursive: true });
    await writeFile(join(project, 'dbt_project.yml'), 'name: shop\nprofile: shop\n');
    await writeFile(join(project, 'seeds', 'raw_customers.csv'), CSV);
    await writeFile(
      join(project, 'models', 'active_customers.sql'),
      "select id, name, signup_date from {{ ref('raw_customers') }} where active\n",
    );
    const saved = process.env.SNOWFLAKE_PASSWORD;
    process.env.SNOWFLAKE_PASSWORD = 'secret';
    let stdout = '';
    let stderr = '';
    const out = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: unknown) => ((stdout += String(chunk)), true));
    const err = jest.spyOn(process.stderr, 'write').mockImplementation((chunk: unknown) => ((stderr += String(chunk)), true));
    const exitCode = process.exitCode;
    let code: number;
    let failedBuild: boolean;
    try {
      const url = `snowflake://alice@acme/ANALYTICS/SCRATCH?accessUrl=${encodeURIComponent(fake.url)}`;
      code = await main(['build', '--project', project, '--warehouse', url, '--schema', 'PROD']);
      // `build` reports failed models through the exit code.
      failedBuild = (process.exitCode ?? 0) !== 0;
    } finally {
      process.exitCode = exitCode;
      out.mockRestore();
      err.mockRestore();
      if (saved === undefined) delete process.env.SNOWFLAKE_PASSWORD;
      else process.env.SNOWFLAKE_PASSWORD = saved;
    }
    expect(stderr).not.toMatch(/fail|error/i);
    expect(code).toBe(0);
    // A model that failed would be listed in the report, with the warehouse's reason.
    expect({ failedBuild, stdout }).toEqual({ failedBuild: false, stdout: 'Built 2 relations of shop.\n' });
    const rows = await fake.sql('SELECT "ID"::INTEGER AS id, "NAME" AS name FROM "ANALYTICS"."PROD"."ACTIVE_CUSTOMERS" ORDER BY 1');
    expect(rows).toEqual([
      { id: 1, name: 'Smith, Jane' },
      { id: 3, name: 'two\r\nlines' },
    ]);
  });
});
