import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { generateShopData, type ShopDataResult } from '../../../src/demo/shop-data.js';
import { duckdbLoadStatements } from '../../../src/demo/shop-schema.js';

const root = mkdtempSync(join(tmpdir(), 'shop-data-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function hashes(result: ShopDataResult): Record<string, string> {
  return Object.fromEntries(
    Object.entries(result.files).map(([table, path]) => [table, createHash('sha256').update(readFileSync(path)).digest('hex')]),
  );
}

describe('generateShopData', () => {
  let first: ShopDataResult;
  let instance: DuckDBInstance;
  let conn: DuckDBConnection;

  const rows = async (sql: string): Promise<Record<string, unknown>[]> => (await conn.runAndReadAll(sql)).getRowObjectsJS();
  const one = async (sql: string): Promise<Record<string, unknown>> => (await rows(sql))[0];

  beforeAll(async () => {
    first = await generateShopData(join(root, 'a'));
    instance = await DuckDBInstance.create(':memory:');
    conn = await instance.connect();
    for (const statement of duckdbLoadStatements(first.files)) await conn.run(statement);
  });
  afterAll(() => {
    conn?.closeSync();
    instance?.closeSync();
  });

  it('writes the same bytes for the same seed and different bytes for another seed', async () => {
    const again = await generateShopData(join(root, 'b'));
    const other = await generateShopData(join(root, 'c'), { seed: 7 });
    expect(hashes(again)).toEqual(hashes(first));
    expect(again.counts).toEqual(first.counts);
    for (const [table, hash] of Object.entries(hashes(other))) expect(hash).not.toBe(hashes(first)[table]);
  });

  it('meets the size minimums and reports what it wrote', async () => {
    expect(Object.keys(first.files).sort()).toEqual(['customers', 'orders', 'payments', 'refunds']);
    expect(first.counts.customers).toBe(10_000);
    expect(first.counts.orders).toBe(100_000);
    for (const table of ['customers', 'orders', 'refunds', 'payments']) {
      expect(Number((await one(`select count(*) as n from raw.${table}`)).n)).toBe(first.counts[table]);
    }
  });

  it('has flagged test users and test users known only by their e-mail domain, both with orders', async () => {
    const r = await one(`
      select
        count(*) filter (where c.is_test_user) as flagged,
        count(*) filter (where not c.is_test_user and c.email like '%@test.example') as by_email,
        count(distinct o.customer_id) filter (where c.is_test_user or c.email like '%@test.example') as ordering
      from raw.customers c left join raw.orders o on o.customer_id = c.customer_id`);
    expect(Number(r.flagged)).toBeGreaterThan(50);
    expect(Number(r.by_email)).toBeGreaterThan(50);
    expect(Number(r.ordering)).toBeGreaterThan(20);
  });

  it('has every order status, and refunds that never exceed their order', async () => {
    const statuses = (await rows(`select distinct status from raw.orders order by 1`)).map((r) => r.status);
    expect(statuses).toEqual(['cancelled', 'completed', 'placed', 'returned', 'shipped']);
    const r = await one(`
      select count(*) as refunds,
             count(*) filter (where r.refund_amount > o.order_amount or r.refund_amount <= 0) as bad,
             count(*) filter (where o.status = 'returned' and r.refund_amount = o.order_amount) as full_returns,
             (select count(*) from raw.orders where status = 'returned') as returned
      from raw.refunds r join raw.orders o using (order_id)`);
    expect(Number(r.refunds)).toBe(first.counts.refunds);
    expect(Number(r.bad)).toBe(0);
    expect(Number(r.full_returns)).toBe(Number(r.returned));
  });

  it('keeps every date before the as-of date and spans about two years', async () => {
    const r = await one(`select cast(min(order_date) as varchar) as first, cast(max(order_date) as varchar) as last,
      cast(max(_loaded_at) as varchar) as loaded from raw.orders`);
    expect(r).toEqual({ first: '2024-11-01', last: '2026-10-31', loaded: '2026-11-01 03:00:00' });
  });

  it('populates High, Medium and Low both all-time and over the 90 days before the as-of date', async () => {
    // The segment rule of examples/shop's PR 1, on real customers only.
    const result = await rows(`
      with o as (
        select o.customer_id, o.order_date, o.order_amount, o.order_amount - coalesce(r.refund_amount, 0) as net
        from raw.orders o left join raw.refunds r using (order_id)
        where o.status in ('shipped', 'completed', 'returned')),
      c as (select customer_id from raw.customers where not is_test_user and email not like '%@test.example'),
      v as (
        select c.customer_id,
               coalesce(sum(o.order_amount), 0) as all_time,
               coalesce(sum(o.net) filter (where o.order_date >= date '2026-11-01' - interval 90 day), 0) as last_90d
        from c left join o using (customer_id) group by 1)
      select 'all_time' as window_, count(*) filter (where all_time >= 5000) as high,
             count(*) filter (where all_time >= 1000 and all_time < 5000) as medium, count(*) filter (where all_time < 1000) as low from v
      union all
      select '90d', count(*) filter (where last_90d >= 5000), count(*) filter (where last_90d >= 1000 and last_90d < 5000),
             count(*) filter (where last_90d < 1000) from v
      order by 1`);
    const counts = result.map((r) => [r.window_, Number(r.high), Number(r.medium), Number(r.low)]);
    // Exact for seed 42: the demo's review quotes these numbers.
    expect(counts).toEqual([
      ['90d', 370, 695, 8730],
      ['all_time', 1061, 1392, 7342],
    ]);
  });

  it('follows the asOf option and refuses a malformed date', async () => {
    const shifted = await generateShopData(join(root, 'd'), { customers: 200, orders: 2000, asOf: '2025-03-01' });
    const lastLine = readFileSync(shifted.files.orders, 'utf8').trimEnd().split('\n').at(-1) ?? '';
    expect(lastLine.split(',')[2]).toBe('2025-02-28');
    await expect(generateShopData(join(root, 'e'), { asOf: '2026-02-30' })).rejects.toThrow(/asOf must be a date written YYYY-MM-DD, got '2026-02-30'/);
    await expect(generateShopData(join(root, 'e'), { orders: 0 })).rejects.toThrow(/orders must be a positive integer/);
  });
});
