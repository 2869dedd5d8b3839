/**
 * The fake Snowflake endpoint behaves like Snowflake where our SQL depends on it, so that tests
 * passing through it mean something: identifier case, string escapes, type defaults and the
 * functions the diff and the data tests use. Run through the real driver and adapter.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { openWarehouse } from '../../../src/warehouse/connect.js';
import { WarehouseError, type Warehouse } from '../../../src/warehouse/warehouse.js';
import { startFakeSnowflake, type FakeSnowflake } from '../../support/fake-snowflake.js';

let fake: FakeSnowflake;
let warehouse: Warehouse;

beforeAll(async () => {
  fake = await startFakeSnowflake({
    setup: [
      `CREATE TABLE orders AS SELECT * FROM (VALUES (1, 'a'), (2, 'b'), (3, 'c')) t(id, label)`,
      `CREATE TABLE "Quoted" AS SELECT 1 AS "lower_id"`,
    ],
  });
  warehouse = await openWarehouse('snowflake://alice@acme/ANALYTICS/PUBLIC', {
    env: { SNOWFLAKE_PASSWORD: 'secret', SNOWFLAKE_ACCESS_URL: fake.url },
  });
});
afterAll(async () => {
  await warehouse.close();
  await fake.close();
});

async function rows(sql: string): Promise<Record<string, unknown>[]> {
  return (await warehouse.query(sql)).rows;
}

async function error(sql: string): Promise<WarehouseError> {
  const err = await warehouse.query(sql).catch((e: unknown) => e);
  if (!(err instanceof WarehouseError)) throw new Error(`expected a WarehouseError for ${sql}`);
  return err;
}

describe('identifiers resolve as on Snowflake', () => {
  test('unquoted names fold to upper case, in storage and in results; quoted ones keep their case', async () => {
    expect(await rows('SELECT id, Label, 1 AS one, 2 AS "two" FROM orders WHERE id = 1')).toEqual([{ ID: 1, LABEL: 'a', ONE: 1, two: 2 }]);
    expect(await rows('SELECT "ID", "LABEL" FROM "ORDERS" WHERE "ID" = 2')).toEqual([{ ID: 2, LABEL: 'b' }]);
    expect(await rows('SELECT "lower_id" FROM "Quoted"')).toEqual([{ lower_id: 1 }]);
  });

  test('a quoted name in the wrong case, or an unquoted one for a lower-case column, is not found', async () => {
    expect((await error('SELECT "id" FROM orders')).message).toBe(
      `SQL compilation error: error line 1 at position 7: invalid identifier '"id"'`,
    );
    expect((await error('SELECT lower_id FROM "Quoted"')).message).toContain(`invalid identifier 'LOWER_ID'`);
    const table = await error('SELECT * FROM "orders"');
    expect(table.code).toBe('not_found');
    expect(table.message).toBe(`SQL compilation error: Object '"orders"' does not exist or not authorized.`);
    expect((await error('SELECT 1 FROM quoted')).code).toBe('not_found');
  });

  test('aliases, CTEs and column lists a statement defines resolve in their own case', async () => {
    const sql = `WITH "base" AS (SELECT id AS "k" FROM orders) SELECT b."k", t.X FROM "base" AS b JOIN (SELECT 1 AS x) AS t ON b."k" = t.x`;
    expect(await rows(sql)).toEqual([{ k: 1, X: 1 }]);
    expect((await error(`SELECT "K" FROM (SELECT id AS "k" FROM orders) AS s`)).message).toContain(`invalid identifier '"K"'`);
  });
});

describe('literals, types and functions', () => {
  test('string literals take backslash escapes; $$ strings are raw', async () => {
    const [row] = await rows(`SELECT 'it\\'s' AS a, 'a\\\\b' AS b, 'x''y' AS c, 'tab\\there' AS t, $$no \\escape$$ AS d`);
    expect(row).toEqual({ A: "it's", B: 'a\\b', C: "x'y", T: 'tab\there', D: 'no \\escape' });
  });

  test('NUMBER defaults to (38,0), FLOAT is 64-bit, TIMESTAMP_NTZ has no zone', async () => {
    await warehouse.query(`CREATE OR REPLACE TABLE ANALYTICS.PUBLIC.typed (n NUMBER, d NUMBER(10,2), f FLOAT, ts TIMESTAMP_NTZ)`);
    await warehouse.query(`INSERT INTO ANALYTICS.PUBLIC.typed VALUES (?::NUMBER, ?::NUMBER(10,2), ?::FLOAT, ?::TIMESTAMP_NTZ)`, {
      params: ['12345678901234567890', '1.25', '0.1', '2024-01-02 03:04:05'],
    });
    expect(await warehouse.describe('ANALYTICS.PUBLIC.typed')).toEqual([
      { name: 'N', type: 'NUMBER(38,0)', kind: 'number' },
      { name: 'D', type: 'NUMBER(10,2)', kind: 'number' },
      { name: 'F', type: 'FLOAT', kind: 'number' },
      { name: 'TS', type: 'TIMESTAMP_NTZ', kind: 'timestamp' },
    ]);
    expect(await rows('SELECT n, d, f, ts FROM typed')).toEqual([{ N: '12345678901234567890', D: 1.25, F: 0.1, TS: '2024-01-02T03:04:05' }]);
  });

  test('HASH_AGG is order-independent, counts duplicates, and is 0 for no rows; HASH is signed 64-bit', async () => {
    const [row] = await rows(
      `SELECT (SELECT TO_VARCHAR(HASH_AGG(id, label)) FROM orders) AS a,
              (SELECT TO_VARCHAR(HASH_AGG(*)) FROM (SELECT * FROM orders ORDER BY id DESC)) AS b,
              (SELECT TO_VARCHAR(HASH_AGG(id, label)) FROM (SELECT * FROM orders UNION ALL SELECT * FROM orders WHERE id = 1)) AS c,
              (SELECT TO_VARCHAR(HASH_AGG(id)) FROM orders WHERE id < 0) AS e`,
    );
    expect(row.A).toBe(row.B);
    expect(row.C).not.toBe(row.A);
    expect(row.E).toBe('0');
    const hashes = await rows('SELECT HASH(id, label) AS h FROM orders');
    for (const { H } of hashes) {
      const h = BigInt(String(H));
      expect(h >= -(2n ** 63n) && h < 2n ** 63n).toBe(true);
    }
  });

  test('IFF, COUNT_IF, APPROX_PERCENTILE, DATEADD, DATEDIFF, CURRENT_TIMESTAMP(), and LEAST/GREATEST with a NULL', async () => {
    const [row] = await rows(
      `SELECT IFF(count(*) > 2, 'many', 'few') AS i, COUNT_IF(id > 1) AS c, APPROX_PERCENTILE(id, 0.5) AS p,
              TO_VARCHAR(DATEADD(day, 3, '2024-02-27'::DATE)) AS d, DATEDIFF('month', '2024-01-31'::DATE, '2024-03-01'::DATE) AS m,
              CURRENT_TIMESTAMP() > '2020-01-01'::TIMESTAMP_NTZ AS now_ok,
              LEAST(9, NULL) AS l, GREATEST(0, NULL) AS g, LEAST(9, 3) AS l3
       FROM orders`,
    );
    expect(row).toEqual({ I: 'many', C: 2, P: 2, D: expect.stringMatching(/^2024-03-01/), M: 2, NOW_OK: true, L: null, G: null, L3: 3 });
  });
});
