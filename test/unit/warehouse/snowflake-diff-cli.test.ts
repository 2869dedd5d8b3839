/**
 * `impact-review diff --warehouse snowflake://…` as a user runs it, pointed at the fake Snowflake
 * endpoint with `accessUrl`: the JSON the issue names, and the bad-input cases (a relation that
 * does not exist, a refused connection, a statement timeout) ending with exit code 2, a one-line
 * reason and no session left open.
 */
import { createServer } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, test } from '@jest/globals';
import { startFakeSnowflake, type FakeSnowflake } from '../../support/fake-snowflake.js';
import { BASE_SQL, HEAD_SQL } from '../diff/fixtures.js';
import { cli } from '../../support/cli.js';


const ENV = ['SNOWFLAKE_PASSWORD', 'SNOWFLAKE_STATEMENT_TIMEOUT_SECONDS', 'SNOWFLAKE_ACCESS_URL'] as const;
const saved = Object.fromEntries(ENV.map((k) => [k, process.env[k]]));

let fake: FakeSnowflake;
const urlFor = (accessUrl: string) =>
  `snowflake://alice@acme/ANALYTICS/SCRATCH?warehouse=REVIEW_WH&accessUrl=${encodeURIComponent(accessUrl)}`;
const diffArgs = (url: string, head = 'ANALYTICS.PUBLIC.head_orders') => [
  'diff',
  '--warehouse',
  url,
  '--base',
  'ANALYTICS.PUBLIC.base_orders',
  '--head',
  head,
  '--primary-key',
  'id',
];

beforeAll(async () => {
  fake = await startFakeSnowflake({ setup: [BASE_SQL, HEAD_SQL] });
  process.env.SNOWFLAKE_PASSWORD = 'secret';
  delete process.env.SNOWFLAKE_STATEMENT_TIMEOUT_SECONDS;
  delete process.env.SNOWFLAKE_ACCESS_URL;
});
afterEach(() => {
  fake.failures.length = 0;
  delete process.env.SNOWFLAKE_STATEMENT_TIMEOUT_SECONDS;
});
afterAll(async () => {
  for (const k of ENV) {
    if (saved[k] === undefined) delete process.env[k];
    else process.env[k] = saved[k];
  }
  await fake.close();
});

describe('impact-review diff --warehouse snowflake://… (fake endpoint)', () => {
  test('--format json carries the fields issue 3 names, with exact planted counts', async () => {
    const before = fake.queries.length;
    const { code, stdout, stderr } = await cli(...diffArgs(urlFor(fake.url)), '--format', 'json');
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const diff = JSON.parse(stdout);
    expect(diff.schema).toMatchObject({ added: ['CHANNEL'], removed: ['NOTE'], type_changed: ['QTY'] });
    expect(diff.rows).toMatchObject({ base: 1000, head: 997, added: 7, removed: 10, changed: 18, unchanged: 972 });
    expect(diff.columns.AMOUNT).toMatchObject({ mismatched: 13, base: { nulls: 0, min: 0.5, max: 99.5 }, head: { nulls: 0 } });
    expect(diff.columns.STATUS.mismatched).toBe(5);
    expect(diff.distribution.CATEGORY.buckets.map((b: { value: string; base: number; head: number }) => [b.value, b.base, b.head])).toEqual([
      ['A', 500, 495],
      ['B', 500, 495],
      ['C', 0, 7],
    ]);
    expect(diff.distribution.AMOUNT.kind).toBe('histogram');
    // Every statement the diff ran reached the fake, each under the diff's query tag.
    const sent = fake.queries.slice(before).filter((q) => !q.describeOnly && /^\s*(SELECT|WITH)\b/.test(q.sql!));
    expect(diff.queries).toBe(3);
    expect(sent.map((q) => JSON.parse(q.tag!).purpose)).toEqual(['diff:profile', 'diff:distribution', 'diff:values']);
    expect(fake.openSessions()).toEqual([]);
  });

  test('--format text is a readable table', async () => {
    const { code, stdout } = await cli(...diffArgs(urlFor(fake.url)), '--format', 'text');
    expect(code).toBe(0);
    expect(stdout).toContain('~ QTY  NUMBER(38,0) → VARCHAR');
    expect(stdout).toMatch(/added\s+7/);
    expect(stdout).toContain('CATEGORY: new C (7)');
  });

  test('a relation that does not exist: exit 2, one line naming it, session closed', async () => {
    const { code, stdout, stderr } = await cli(...diffArgs(urlFor(fake.url), 'ANALYTICS.PUBLIC.nope'));
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toBe('impact-review diff: head relation ANALYTICS.PUBLIC.nope does not exist\n');
    expect(fake.openSessions()).toEqual([]);
  });

  test('a refused connection (nothing listens on the port): exit 2 with the reason', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    await new Promise((resolve) => server.close(resolve));
    const { code, stderr } = await cli(...diffArgs(urlFor(`http://127.0.0.1:${port}`)));
    expect(code).toBe(2);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toContain(`impact-review diff: cannot connect to Snowflake as alice@acme (http://127.0.0.1:${port})`);
    expect(stderr).toContain('ECONNREFUSED');
  });

  test('a statement timeout: exit 2 naming the timeout, and the session is closed', async () => {
    process.env.SNOWFLAKE_STATEMENT_TIMEOUT_SECONDS = '1';
    fake.failures.push({ match: 'APPROX_PERCENTILE', delayMs: 30_000 });
    const { code, stderr } = await cli(...diffArgs(urlFor(fake.url)));
    expect(code).toBe(2);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toContain('impact-review diff: statement timed out: Statement reached its statement or warehouse timeout of 1 second(s)');
    expect(fake.openSessions()).toEqual([]);
    expect(fake.queries.some((q) => q.sql === 'ALTER SESSION SET STATEMENT_TIMEOUT_IN_SECONDS = 1')).toBe(true);
  });
});
