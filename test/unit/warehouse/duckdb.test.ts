import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, test } from '@jest/globals';
import { openWarehouse } from '../../../src/warehouse/connect.js';
import { DuckDbWarehouse } from '../../../src/warehouse/duckdb.js';
import { WarehouseError, type Warehouse } from '../../../src/warehouse/warehouse.js';

let dir: string;
const open: Warehouse[] = [];

async function openDb(url: string): Promise<Warehouse> {
  const wh = await openWarehouse(url);
  open.push(wh);
  return wh;
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof WarehouseError) return `${err.code}: ${err.message}`;
    throw err;
  }
  return 'no error';
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'impact-review-duckdb-'));
});
afterEach(async () => {
  for (const wh of open.splice(0)) await wh.close();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('DuckDB adapter', () => {
  test('binds ? parameters and returns plain JS values', async () => {
    const wh = await openDb('duckdb::memory:');
    expect(wh.database).toBe('memory');
    const result = await wh.query(
      `SELECT ?::INTEGER + 1 AS next, ? AS label, 9007199254740993::BIGINT AS big, 42::BIGINT AS small,
              12.50::DECIMAL(18,2) AS amount, DATE '2024-02-29' AS day,
              TIMESTAMP '2024-02-29 13:45:01.250' AS at, NULL AS nothing, true AS flag`,
      { params: [41, 'orders'] },
    );
    expect(result.rows).toEqual([
      {
        next: 42,
        label: 'orders',
        big: '9007199254740993',
        small: 42,
        amount: 12.5,
        day: '2024-02-29',
        at: '2024-02-29T13:45:01.250',
        nothing: null,
        flag: true,
      },
    ]);
    expect(result.columns.map((c) => c.type)).toEqual([
      'INTEGER',
      'VARCHAR',
      'BIGINT',
      'BIGINT',
      'DECIMAL(18,2)',
      'DATE',
      'TIMESTAMP',
      'INTEGER',
      'BOOLEAN',
    ]);
  });

  test('describe reports engine types and their kinds', async () => {
    const wh = await openDb('duckdb::memory:');
    await wh.query(
      `CREATE TABLE orders (id BIGINT, amount DECIMAL(18,2), status VARCHAR, ordered_on DATE, updated_at TIMESTAMP, paid BOOLEAN, tags VARCHAR[])`,
    );
    expect(await wh.describe('orders')).toEqual([
      { name: 'id', type: 'BIGINT', kind: 'number' },
      { name: 'amount', type: 'DECIMAL(18,2)', kind: 'number' },
      { name: 'status', type: 'VARCHAR', kind: 'string' },
      { name: 'ordered_on', type: 'DATE', kind: 'date' },
      { name: 'updated_at', type: 'TIMESTAMP', kind: 'timestamp' },
      { name: 'paid', type: 'BOOLEAN', kind: 'boolean' },
      { name: 'tags', type: 'VARCHAR[]', kind: 'json' },
    ]);
  });

  test('a missing relation is not_found, for describe and for queries', async () => {
    const wh = await openDb('duckdb::memory:');
    expect(await codeOf(wh.describe('main.missing_model'))).toBe('not_found: relation main.missing_model does not exist');
    expect(await codeOf(wh.query('SELECT * FROM missing_model'))).toBe('not_found: relation missing_model does not exist');
  });

  test('temporary tables live for the session only; the file keeps its permanent tables', async () => {
    const path = join(dir, 'prod.db');
    const first = await openDb(`duckdb:${path}`);
    expect(first.database).toBe('prod');
    await first.materialize('marts.orders', 'SELECT 1 AS id UNION ALL SELECT 2', 'table');
    const temp = await first.createTempTable('pr_orders', 'SELECT id * 10 AS id FROM marts.orders WHERE id > ?', {
      params: [1],
    });
    expect(temp.relation).toBe('temp.main.pr_orders');
    expect((await first.query(`SELECT id FROM ${temp.relation}`)).rows).toEqual([{ id: 20 }]);
    await first.close();

    const second = await openDb(`duckdb:///${path.replace(/^\//, '')}`);
    expect((await second.query('SELECT count(*) AS n FROM marts.orders')).rows).toEqual([{ n: 2 }]);
    expect(await codeOf(second.query(`SELECT * FROM temp.main.pr_orders`))).toMatch(/^not_found: /);
  });

  test('createTempTable refuses anything but one SELECT before it reaches the database', async () => {
    const wh = await openDb('duckdb::memory:');
    await wh.query('CREATE TABLE orders AS SELECT 1 AS id');
    expect(await codeOf(wh.createTempTable('x', 'DELETE FROM orders'))).toMatch(/^refused_statement: /);
    expect(await codeOf(wh.createTempTable('x', 'SELECT 1; DROP TABLE orders'))).toMatch(/^refused_statement: /);
    expect((await wh.query('SELECT count(*) AS n FROM orders')).rows).toEqual([{ n: 1 }]);
  });

  test('a statement past its timeout is interrupted and reported as timeout', async () => {
    const wh = await openDb('duckdb::memory:');
    const slow = 'SELECT sum(a.range * b.range) AS s FROM range(100000000) a, range(100000) b';
    expect(await codeOf(wh.query(slow, { timeoutSeconds: 1 }))).toMatch(/^timeout: /);
    // The connection is still usable after the interrupt.
    expect((await wh.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
  });

  test('explain returns the plan and the row estimate', async () => {
    const wh = await openDb('duckdb::memory:');
    await wh.query('CREATE TABLE t AS SELECT range AS id FROM range(3)');
    const plan = await wh.explain('SELECT id FROM t');
    expect(plan.rows).toBe(3);
    expect(plan.plan).toContain('SEQ_SCAN');
    expect(await codeOf(wh.explain('DROP TABLE t'))).toMatch(/^refused_statement: /);
  });

  test('materialize switches a relation between view and table; loadCsv reads a seed', async () => {
    const wh = await openDb('duckdb::memory:');
    await wh.materialize('staging.amounts', 'SELECT 5 AS amount', 'view');
    await wh.materialize('staging.amounts', 'SELECT 7 AS amount', 'table');
    expect((await wh.query('SELECT amount FROM staging.amounts')).rows).toEqual([{ amount: 7 }]);
    const kinds = await wh.query(`SELECT table_type FROM information_schema.tables WHERE table_name = 'amounts'`);
    expect(kinds.rows).toEqual([{ table_type: 'BASE TABLE' }]);

    const csv = join(dir, 'countries.csv');
    writeFileSync(csv, 'code,name,population\nNL,Netherlands,17900000\nBE,"Belgium, Kingdom of",11800000\n');
    await wh.loadCsv('seeds.countries', csv);
    expect((await wh.query('SELECT code, name, population FROM seeds.countries ORDER BY code')).rows).toEqual([
      { code: 'BE', name: 'Belgium, Kingdom of', population: 11800000 },
      { code: 'NL', name: 'Netherlands', population: 17900000 },
    ]);
  });

  test('close is idempotent and later calls say the warehouse is closed', async () => {
    const wh = new DuckDbWarehouse({ path: ':memory:', tagContext: { repo: 'acme/dbt', pr: 12, sha: 'abc123' } });
    await wh.query('SELECT 1', { purpose: 'profile' });
    expect(wh.lastTag).toEqual({ app: 'impact-review', repo: 'acme/dbt', pr: 12, sha: 'abc123', purpose: 'profile' });
    await wh.close();
    await wh.close();
    expect(await codeOf(wh.query('SELECT 1'))).toBe('closed: the DuckDB warehouse is closed');
  });
});
