import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from '@jest/globals';
import { openWarehouse, type WarehouseSettings } from '../../../src/warehouse/connect.js';
import { WarehouseError, type Warehouse } from '../../../src/warehouse/warehouse.js';
import { startFakeSnowflake, type FakeSnowflake, type FakeSnowflakeOptions } from '../../support/fake-snowflake.js';

const ORDERS = `CREATE TABLE "PUBLIC".orders AS
  SELECT * FROM (VALUES
    (1, 12.50::DECIMAL(10,2), 'paid', DATE '2024-01-02', TIMESTAMP '2024-01-02 03:04:05.123', true),
    (2, 7.25::DECIMAL(10,2), 'open', DATE '2024-01-03', TIMESTAMP '2024-01-03 00:00:00', false)
  ) AS t(id, amount, status, ordered_on, updated_at, paid)`;

const TAG = { repo: 'acme/analytics', pr: 42, sha: '0a1b2c3' };
const tag = (purpose: string) => JSON.stringify({ app: 'impact-review', ...TAG, purpose });

let fake: FakeSnowflake | null = null;
let warehouse: Warehouse | null = null;

async function start(options: FakeSnowflakeOptions = {}): Promise<FakeSnowflake> {
  fake = await startFakeSnowflake({ setup: [ORDERS], ...options });
  return fake;
}

async function connect(env: Record<string, string> = {}, settings: WarehouseSettings = {}): Promise<Warehouse> {
  warehouse = await openWarehouse('snowflake://alice@acme/ANALYTICS/SCRATCH?warehouse=REVIEW_WH&role=REVIEWER', {
    env: { SNOWFLAKE_PASSWORD: 'secret', SNOWFLAKE_ACCESS_URL: fake!.url, ...env },
    tagContext: TAG,
    ...settings,
  });
  return warehouse;
}

async function failure(promise: Promise<unknown>): Promise<WarehouseError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof WarehouseError) return err;
    throw err;
  }
  throw new Error('expected a WarehouseError');
}

afterEach(async () => {
  await warehouse?.close();
  warehouse = null;
  await fake?.close();
  fake = null;
});

describe('Snowflake adapter through snowflake-sdk', () => {
  test('password login; binds; plain values; every statement tagged and single-statement', async () => {
    const sf = await start({ users: { alice: { password: 'secret' } } });
    const wh = await connect();
    const result = await wh.query('SELECT id, amount, status, ordered_on, updated_at, paid FROM "PUBLIC".orders WHERE id = ?', {
      params: [1],
      purpose: 'values',
    });
    expect(result.rows).toEqual([
      { ID: 1, AMOUNT: 12.5, STATUS: 'paid', ORDERED_ON: '2024-01-02', UPDATED_AT: '2024-01-02T03:04:05.123', PAID: true },
    ]);
    await wh.query('SELECT count(*) AS n FROM "PUBLIC".orders', { purpose: 'profile' });

    const login = sf.requests.find((r) => r.kind === 'login')!;
    expect(login.body).toMatchObject({ data: { LOGIN_NAME: 'alice', ACCOUNT_NAME: 'acme' } });

    const statements = sf.queries.filter((q) => !q.sql!.startsWith('ALTER SESSION SET QUERY_TAG'));
    expect(statements.map((q) => [q.sql!.slice(0, 25), q.tag])).toEqual([
      ['SELECT id, amount, status', tag('values')],
      ['SELECT count(*) AS n FROM', tag('profile')],
    ]);
    expect(statements[0].bindings).toEqual({ '1': { type: 'FIXED', value: '1' } });
    for (const q of sf.queries) expect(q.parameters).toEqual({ MULTI_STATEMENT_COUNT: 1 });
  });

  test('a second statement in one request is refused by MULTI_STATEMENT_COUNT=1', async () => {
    const sf = await start();
    const wh = await connect();
    const err = await failure(wh.query('SELECT 1; DROP TABLE "PUBLIC".orders'));
    expect(err.code).toBe('query');
    expect(err.message).toBe('Actual statement count 2 did not match the desired statement count 1.');
    expect(await sf.sql('SELECT count(*)::INTEGER AS n FROM "PUBLIC".orders')).toEqual([{ n: 2 }]);
  });

  test('describe maps Snowflake types to kinds without running the statement', async () => {
    const sf = await start();
    const wh = await connect();
    expect(await wh.describe('ANALYTICS.PUBLIC.orders')).toEqual([
      { name: 'ID', type: 'NUMBER(38,0)', kind: 'number' },
      { name: 'AMOUNT', type: 'NUMBER(10,2)', kind: 'number' },
      { name: 'STATUS', type: 'VARCHAR', kind: 'string' },
      { name: 'ORDERED_ON', type: 'DATE', kind: 'date' },
      { name: 'UPDATED_AT', type: 'TIMESTAMP_NTZ', kind: 'timestamp' },
      { name: 'PAID', type: 'BOOLEAN', kind: 'boolean' },
    ]);
    const describeRequest = sf.queries.find((q) => q.sql === 'SELECT * FROM ANALYTICS.PUBLIC.orders')!;
    expect(describeRequest.describeOnly).toBe(true);
    expect(describeRequest.tag).toBe(tag('describe'));
  });

  test('a missing relation is not_found', async () => {
    await start();
    const wh = await connect();
    const err = await failure(wh.describe('ANALYTICS.PUBLIC.missing'));
    expect(err.code).toBe('not_found');
    expect(err.message).toBe('relation ANALYTICS.PUBLIC.missing does not exist or is not authorized');
    expect((await failure(wh.query('SELECT * FROM "PUBLIC".missing'))).code).toBe('not_found');
  });

  test('temporary tables go to the scratch schema and vanish with the session, which is closed', async () => {
    const sf = await start();
    const wh = await connect();
    const temp = await wh.createTempTable('pr_orders', 'SELECT id, amount * 2 AS amount FROM "PUBLIC".orders WHERE paid');
    expect(temp.relation).toBe('ANALYTICS.SCRATCH.pr_orders');
    expect((await wh.query(`SELECT id, amount FROM ${temp.relation}`)).rows).toEqual([{ ID: 1, AMOUNT: 25 }]);
    const create = sf.queries.find((q) => q.sql!.startsWith('CREATE OR REPLACE TEMPORARY TABLE'))!;
    expect(create.tag).toBe(tag('build'));

    expect(sf.openSessions()).toHaveLength(1);
    await wh.close();
    warehouse = null;
    expect(sf.openSessions()).toEqual([]);
    expect(sf.requests.filter((r) => r.kind === 'logout')).toHaveLength(1);
    expect(await sf.sql(`SELECT count(*)::INTEGER AS n FROM information_schema.tables WHERE table_name = 'PR_ORDERS'`)).toEqual([
      { n: 0 },
    ]);
  });

  test('createTempTable refuses a non-SELECT before anything is sent', async () => {
    const sf = await start();
    const wh = await connect();
    const before = sf.queries.length;
    expect((await failure(wh.createTempTable('x', 'DELETE FROM "PUBLIC".orders'))).code).toBe('refused_statement');
    expect(sf.queries.length).toBe(before);
  });

  test('the server-side statement timeout is mapped to timeout', async () => {
    const sf = await start({ failures: [{ match: 'FROM "PUBLIC".orders', delayMs: 30_000 }] });
    const wh = await connect({ SNOWFLAKE_STATEMENT_TIMEOUT_SECONDS: '1' });
    const err = await failure(wh.query('SELECT * FROM "PUBLIC".orders', { purpose: 'profile' }));
    expect(err.code).toBe('timeout');
    expect(err.message).toContain('Statement reached its statement or warehouse timeout of 1 second(s)');
    expect(sf.queries.filter((q) => q.sql!.includes('STATEMENT_TIMEOUT')).map((q) => q.sql)).toEqual([
      'ALTER SESSION SET STATEMENT_TIMEOUT_IN_SECONDS = 1',
    ]);
  });

  test('a per-call timeout cancels the statement on the server', async () => {
    const sf = await start({ failures: [{ match: 'FROM "PUBLIC".orders', delayMs: 30_000 }] });
    const wh = await connect();
    const err = await failure(wh.query('SELECT * FROM "PUBLIC".orders', { timeoutSeconds: 1 }));
    expect(err.code).toBe('timeout');
    expect(err.message).toBe('statement timed out after 1s and was cancelled');
    // The driver sends its abort request asynchronously; wait for it to arrive.
    for (let i = 0; i < 50 && !sf.requests.some((r) => r.kind === 'abort'); i++) await new Promise((r) => setTimeout(r, 20));
    expect(sf.requests.filter((r) => r.kind === 'abort')).toHaveLength(1);
  });

  test('an injected Snowflake error keeps its message and the session stays usable', async () => {
    await start({
      failures: [{ match: 'SELECT 1', error: { code: '002003', message: "Object 'X' does not exist or not authorized." }, times: 1 }],
    });
    const wh = await connect();
    expect((await failure(wh.query('SELECT 1 AS one'))).code).toBe('not_found');
    expect((await wh.query('SELECT 1 AS one')).rows).toEqual([{ ONE: 1 }]);
  });

  test('a refused login is a connection error naming the user, and leaves no session', async () => {
    const sf = await start({ users: { alice: { password: 'right' } } });
    const err = await failure(connect({ SNOWFLAKE_PASSWORD: 'wrong' }));
    expect(err.code).toBe('connection');
    expect(err.message).toContain(`cannot connect to Snowflake as alice@acme (${sf.url})`);
    expect(err.message).toContain('Incorrect username or password was specified.');
    expect(sf.openSessions()).toEqual([]);
  });

  test('key-pair (SNOWFLAKE_JWT) login with an encrypted private key, inline or from a file', async () => {
    const { publicKey, privateKey } = generateKeyPairSync('rsa', {
      modulusLength: 2048,
      publicKeyEncoding: { type: 'spki', format: 'pem' },
      privateKeyEncoding: { type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'open sesame' },
    });
    const sf = await start({ users: { alice: { publicKey } } });
    const wh = await connect({ SNOWFLAKE_PASSWORD: '', SNOWFLAKE_PRIVATE_KEY: privateKey, SNOWFLAKE_PRIVATE_KEY_PASSPHRASE: 'open sesame' });
    expect((await wh.query('SELECT 2 AS two')).rows).toEqual([{ TWO: 2 }]);
    expect(sf.requests.find((r) => r.kind === 'login')!.body).toMatchObject({ data: { AUTHENTICATOR: 'SNOWFLAKE_JWT' } });
    await wh.close();
    warehouse = null;

    const dir = mkdtempSync(join(tmpdir(), 'impact-review-key-'));
    try {
      writeFileSync(join(dir, 'rsa_key.p8'), privateKey);
      const fromFile = await connect({
        SNOWFLAKE_PASSWORD: '',
        SNOWFLAKE_PRIVATE_KEY_PATH: join(dir, 'rsa_key.p8'),
        SNOWFLAKE_PRIVATE_KEY_PASSPHRASE: 'open sesame',
      });
      expect((await fromFile.query('SELECT 3 AS three')).rows).toEqual([{ THREE: 3 }]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }

    const other = generateKeyPairSync('rsa', {
      modulusLength: 2048,
      publicKeyEncoding: { type: 'spki', format: 'pem' },
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    });
    const err = await failure(connect({ SNOWFLAKE_PASSWORD: '', SNOWFLAKE_PRIVATE_KEY: other.privateKey }));
    expect(err.code).toBe('connection');
    expect(err.message).toContain('JWT token is invalid.');
  });

  test('explain reads bytes and partitions from EXPLAIN USING JSON', async () => {
    const sf = await start({ explainStats: { partitionsTotal: 120, partitionsAssigned: 7, bytesAssigned: 5_242_880 } });
    const wh = await connect();
    const plan = await wh.explain('SELECT * FROM "PUBLIC".orders');
    expect(plan).toMatchObject({ bytes: 5_242_880, partitionsTotal: 120, partitionsAssigned: 7 });
    expect(sf.queries.at(-1)!.sql).toBe('EXPLAIN USING JSON SELECT * FROM "PUBLIC".orders');
    expect(sf.queries.at(-1)!.tag).toBe(tag('explain'));
  });

  test('missing settings are named before any connection is attempted', async () => {
    const err = await failure(openWarehouse('snowflake:', { env: { SNOWFLAKE_USER: 'alice' } }));
    expect(err.code).toBe('config');
    expect(err.message).toBe(
      'Snowflake is not configured: SNOWFLAKE_ACCOUNT is not set; SNOWFLAKE_DATABASE is not set; SNOWFLAKE_SCHEMA is not set; ' +
        'no credentials: set SNOWFLAKE_PASSWORD, or SNOWFLAKE_PRIVATE_KEY / SNOWFLAKE_PRIVATE_KEY_PATH for key-pair authentication',
    );
  });
});
