import { describe, expect, it } from '@jest/globals';
import { columnLineage, expressionOf, type ColumnLineage, type OutputColumn } from '../../../src/sql/columns.js';

function ok(lineage: ColumnLineage): Extract<ColumnLineage, { status: 'ok' }> {
  if (lineage.status !== 'ok') throw new Error(`expected lineage, got: ${lineage.reason}`);
  return lineage;
}
function col(lineage: ColumnLineage, name: string): OutputColumn {
  const c = ok(lineage).columns.find((x) => x.name === name);
  if (!c) throw new Error(`no output column ${name}`);
  return c;
}
const ref = (relation: string, column: string) => ({ relation, column });

describe('columnLineage', () => {
  const twoCtes = `
    with orders as (
      select order_id, customer_id, amount::decimal(18,2) as amount, status
      from main.main.stg_orders
      where status != 'returned'
    ),
    payments as (
      select order_id, sum(amount) as paid
      from "main"."main"."stg_payments"
      group by order_id
    )
    select
      o.order_id,
      o.customer_id as cust,
      p.paid - o.amount as balance,
      (select max(created_at) from main.main.events e where e.order_id = o.order_id) as last_event
    from orders o
    left join payments p on o.order_id = p.order_id
    where o.status = 'paid'`;

  it('follows two CTEs, a join and a scalar subquery down to physical columns', () => {
    const l = ok(columnLineage(twoCtes, 'snowflake'));
    expect(l.columns.map((c) => [c.name, c.transform, c.sources])).toEqual([
      ['order_id', 'direct', [ref('main.main.stg_orders', 'order_id')]],
      ['cust', 'renamed', [ref('main.main.stg_orders', 'customer_id')]],
      ['balance', 'aggregated', [ref('main.main.stg_payments', 'amount'), ref('main.main.stg_orders', 'amount')]],
      ['last_event', 'aggregated', [ref('main.main.events', 'created_at')]],
    ]);
    expect(l.relations).toEqual(['main.main.events', 'main.main.stg_orders', 'main.main.stg_payments']);
    expect(l.joins).toEqual([ref('main.main.stg_orders', 'order_id'), ref('main.main.stg_payments', 'order_id')]);
    expect(l.filters).toEqual([ref('main.main.stg_orders', 'status'), ref('main.main.events', 'order_id'), ref('main.main.stg_orders', 'order_id')]);
    expect(l.groupBy).toEqual([ref('main.main.stg_payments', 'order_id')]);
    expect(col(l, 'balance').expression).toBe('p.paid - o.amount');
    expect(col(l, 'balance').definition).toBe('SUM(stg_payments.amount) - stg_orders.amount::DECIMAL(18, 2)');
  });

  it('classifies aggregates and resolves GROUP BY by position and ALL', () => {
    const l = ok(
      columnLineage(
        `select customer_id, date_trunc('month', ordered_at) as month, count(*) as n, sum(amount) as total, 'x' as tag
         from shop.orders group by 1, 2`,
        'duckdb',
      ),
    );
    expect(l.columns.map((c) => [c.name, c.transform])).toEqual([
      ['customer_id', 'direct'],
      ['month', 'derived'],
      ['n', 'aggregated'],
      ['total', 'aggregated'],
      ['tag', 'constant'],
    ]);
    expect(l.groupBy).toEqual([ref('shop.orders', 'customer_id'), ref('shop.orders', 'ordered_at')]);
    const all = ok(columnLineage('select region, sum(x) as s from t group by all', 'snowflake'));
    expect(all.groupBy).toEqual([ref('t', 'region')]);
  });

  it('takes UNION columns by position from every branch', () => {
    const l = ok(columnLineage('select id, amount from web.orders union all select order_id, total as amt from pos.sales', 'duckdb'));
    expect(l.columns.map((c) => [c.name, c.sources])).toEqual([
      ['id', [ref('web.orders', 'id'), ref('pos.sales', 'order_id')]],
      ['amount', [ref('web.orders', 'amount'), ref('pos.sales', 'total')]],
    ]);
    expect(col(l, 'amount').definition).toBe('orders.amount UNION sales.total');
  });

  it('expands * and t.* with schemaOf, and keeps an unknown * as a star column', () => {
    const schemaOf = (r: string) => (r === 'db.s.customers' ? ['customer_id', 'name', 'email'] : undefined);
    const l = ok(columnLineage('with c as (select * exclude (email) from db.s.customers) select c.*, o.* from c join db.s.orders o on o.customer_id = c.customer_id', 'snowflake', { schemaOf }));
    expect(l.columns.map((c) => [c.name, c.sources])).toEqual([
      ['customer_id', [ref('db.s.customers', 'customer_id')]],
      ['name', [ref('db.s.customers', 'name')]],
      ['*', [ref('db.s.orders', '*')]],
    ]);
    expect(col(l, '*').expression).toBe('db.s.orders.*');
    // A column read through an unexpanded star is attributed to the starred relation.
    const through = ok(columnLineage('with o as (select * from db.s.orders) select total from o', 'snowflake'));
    expect(through.columns).toEqual([{ name: 'total', expression: 'total', definition: 'orders.total', sources: [ref('db.s.orders', 'total')], transform: 'direct' }]);
  });

  it('reads CASE, window functions and lateral column aliases', () => {
    const l = ok(
      columnLineage(
        `select customer_id, lifetime_value * 1.1 as ltv,
           case when ltv >= 5000 then 'High' when ltv >= 1000 then 'Medium' else 'Low' end as segment,
           rank() over (partition by region order by lifetime_value desc) as ltv_rank
         from analytics.customers`,
        'snowflake',
      ),
    );
    expect(col(l, 'segment')).toEqual({
      name: 'segment',
      expression: "CASE WHEN ltv >= 5000 THEN 'High' WHEN ltv >= 1000 THEN 'Medium' ELSE 'Low' END",
      definition:
        "CASE WHEN (customers.lifetime_value * 1.1) >= 5000 THEN 'High' WHEN (customers.lifetime_value * 1.1) >= 1000 THEN 'Medium' ELSE 'Low' END",
      sources: [ref('analytics.customers', 'lifetime_value')],
      transform: 'derived',
    });
    expect(col(l, 'ltv_rank').transform).toBe('window');
    expect(col(l, 'ltv_rank').sources).toEqual([ref('analytics.customers', 'region'), ref('analytics.customers', 'lifetime_value')]);
  });

  it('handles Snowflake-flavoured SQL: :: casts, QUALIFY, ILIKE, quoted identifiers, comments', () => {
    const l = ok(
      columnLineage(
        `-- latest order per customer
         select "Customer Id" as customer_id, ORDER_DATE::date as order_date, /* money */ amount
         from RAW.SHOP."Orders"
         where email ilike '%@example.com'
         qualify row_number() over (partition by "Customer Id" order by ORDER_DATE desc) = 1;`,
        'snowflake',
      ),
    );
    expect(l.relations).toEqual(['raw.shop.orders']);
    expect(l.columns.map((c) => [c.name, c.transform, c.sources])).toEqual([
      ['customer_id', 'renamed', [ref('raw.shop.orders', 'Customer Id')]],
      ['order_date', 'derived', [ref('raw.shop.orders', 'order_date')]],
      ['amount', 'direct', [ref('raw.shop.orders', 'amount')]],
    ]);
    expect(l.filters).toEqual([ref('raw.shop.orders', 'email'), ref('raw.shop.orders', 'Customer Id'), ref('raw.shop.orders', 'order_date')]);
  });

  it('derives columns of LATERAL FLATTEN from its input', () => {
    const l = ok(columnLineage('select o.id, f.value:sku::string as sku from raw.orders o, lateral flatten(input => o.items) f', 'snowflake'));
    expect(col(l, 'sku').sources).toEqual([ref('raw.orders', 'items')]);
    expect(col(l, 'sku').transform).toBe('derived');
  });

  it('gives unknown, never a crash, for SQL it cannot parse', () => {
    const l = columnLineage('select from where )(', 'snowflake');
    expect(l.status).toBe('unknown');
    if (l.status === 'unknown') expect(l.reason).toMatch(/line 1/);
    expect(columnLineage('', 'duckdb').status).toBe('unknown');
    expect(columnLineage('select * replace (a + 1 as a) from t', 'duckdb').status).toBe('unknown');
  });

  it('falls back to another grammar when the first rejects the SQL (EXCEPT)', () => {
    const l = ok(columnLineage('select id from a.t1 except select id from a.t2', 'snowflake'));
    expect(l.columns[0].sources).toEqual([ref('a.t1', 'id'), ref('a.t2', 'id')]);
  });

  it('expressionOf finds one output column case-insensitively', () => {
    expect(expressionOf('select amount - refund_amount as NET_REVENUE from s.payments', 'snowflake', 'net_revenue')?.definition).toBe(
      'payments.amount - payments.refund_amount',
    );
    expect(expressionOf('select 1 as a', 'snowflake', 'missing')).toBeUndefined();
  });
});
