import { describe, expect, it } from '@jest/globals';
import { semanticSummary } from '../../../src/report/semantic.js';
import { describeExpressionChange, semanticDiff, semanticDiffResult } from '../../../src/sql/semantic-diff.js';

const base = `
with orders as (
  select order_id, customer_id, order_date, amount, refund_amount, status from analytics.main.stg_orders
),
customers as (
  select customer_id, region from analytics.main.stg_customers
)
select o.customer_id, c.region, sum(o.amount) as net_revenue, count(*) as orders
from orders o
join customers c on o.customer_id = c.customer_id
where o.status = 'completed'
group by 1, 2`;

describe('semanticDiff', () => {
  it('finds nothing when only formatting and aliases change', () => {
    const head = base.replace(/\bo\./g, 'ord.').replace('orders o', 'orders ord').replace(/\n/g, '\n  ').toUpperCase().replace("'COMPLETED'", "'completed'");
    expect(semanticDiff(base, head, 'snowflake')).toEqual([]);
  });

  it('describes a new relative-date filter in words', () => {
    const head = base.replace("where o.status = 'completed'", "where o.status = 'completed' and o.order_date >= dateadd(day, -90, current_date)");
    const changes = semanticDiff(base, head, 'snowflake');
    expect(changes).toEqual([
      {
        kind: 'filter_added',
        column: 'order_date',
        after: 'stg_orders.order_date >= dateadd(day, -90, CURRENT_DATE)',
        phrase: { key: 'filter_added', filter: { form: 'within_last', column: 'order_date', n: 90, unit: 'day' } },
      },
    ]);
    expect(changes.map(semanticSummary)).toEqual(['now only includes rows where order_date is within the last 90 days']);
    const oneWeek = semanticDiff(base, base.replace("where o.status = 'completed'", "where o.status = 'completed' and o.order_date >= current_date - interval '1 weeks'"), 'snowflake');
    expect(oneWeek.map(semanticSummary)).toEqual(['now only includes rows where order_date is within the last 1 week']);
  });

  it('a window before a fixed date (a var), as dbt.dateadd compiles on each warehouse, is one change in words', () => {
    const withWhere = (w: string) => base.replace("where o.status = 'completed'", `where o.status = 'completed' and ${w}`);
    const words = (w: string, dialect: string) => semanticDiff(base, withWhere(w), dialect).map((c) => [c.kind, semanticSummary(c)]);
    const expected = [['filter_added', 'now only includes rows where order_date is within the 90 days before 2026-11-01']];
    // DuckDB (dbt-duckdb's dateadd), Snowflake, and hand-written Postgres-style intervals.
    expect(words("o.order_date >= (cast('2026-11-01' as date) + cast(-90 as bigint) * interval 1 day) and o.order_date < cast('2026-11-01' as date)", 'duckdb')).toEqual(expected);
    expect(words("o.order_date >= dateadd(day, -90, '2026-11-01'::date) and o.order_date < '2026-11-01'::date", 'snowflake')).toEqual(expected);
    expect(words("o.order_date >= date '2026-11-01' - interval '90 days' and o.order_date < date '2026-11-01'", 'postgres')).toEqual(expected);
    // Anchored on today, as dbt.dateadd(…, current_date) compiles on DuckDB: the last N days.
    expect(words('o.order_date >= (current_date + cast(-7 as bigint) * interval 1 day)', 'duckdb')).toEqual([['filter_added', 'now only includes rows where order_date is within the last 7 days']]);
    // A lower bound alone says so; an upper bound on another date is a second change.
    expect(words("o.order_date >= dateadd(day, -30, '2026-11-01')", 'snowflake')).toEqual([['filter_added', 'now only includes rows where order_date is on or after 30 days before 2026-11-01']]);
    expect(words("o.order_date >= dateadd(day, -30, '2026-11-01') and o.order_date < '2026-10-01'", 'snowflake')).toEqual([
      ['filter_added', 'now only includes rows where order_date is on or after 30 days before 2026-11-01'],
      ['filter_added', "now only includes rows where order_date < '2026-10-01'"],
    ]);
  });

  it('a CASE whose buckets and compared expression both changed reads as buckets plus the expression edit', () => {
    const seg = (expr: string, cases: string) => base.replace('count(*) as orders', `count(*) as orders, case ${cases.replace(/X/g, expr)} end as segment`);
    const before = seg('coalesce(sum(o.amount), 0)', "when X >= 5000 then 'High' else 'Low'");
    const after = seg('coalesce(sum(o.amount - o.refund_amount), 0)', "when X >= 5000 then 'High' when X >= 1000 then 'Medium' else 'Low'");
    const changes = semanticDiff(before, after, 'snowflake');
    expect(changes.map((c) => [c.kind, semanticSummary(c)])).toEqual([
      ['case_threshold_changed', 'segment thresholds changed: High >= 5000, Medium >= 1000 (new), Low; segment now subtracts refund_amount'],
    ]);
    // A bucket dropped, same expression.
    const dropped = semanticDiff(after, seg('coalesce(sum(o.amount - o.refund_amount), 0)', "when X >= 5000 then 'High' else 'Low'"), 'snowflake');
    expect(dropped.map(semanticSummary)).toEqual(['segment thresholds changed: High >= 5000, Low, Medium >= 1000 (removed)']);
    // One argument of a call changed: that argument's edit, not the whole expression.
    expect(semanticSummary({ key: 'column_expression_changed', change: describeExpressionChange('revenue', 'coalesce(sum(amount), 0)', 'coalesce(sum(amount - refund), 0)') })).toBe('revenue now subtracts refund');
  });

  it('describes a removed and a changed filter', () => {
    const removed = semanticDiff(base, base.replace("where o.status = 'completed'", ''), 'snowflake');
    expect(removed.map((c) => [c.kind, semanticSummary(c)])).toEqual([['filter_removed', "no longer requires status = 'completed'"]]);
    const changed = semanticDiff(base, base.replace("'completed'", "'shipped'"), 'snowflake');
    expect(changed.map((c) => [c.kind, c.column, semanticSummary(c)])).toEqual([
      ['filter_changed', 'status', "filter changed: status = 'completed' → status = 'shipped'"],
    ]);
  });

  it('sees an expression change made inside a CTE on the output column', () => {
    const head = base.replace('amount, refund_amount', 'amount - refund_amount as amount, refund_amount');
    const changes = semanticDiff(base, head, 'snowflake');
    expect(changes).toEqual([
      {
        kind: 'column_expression_changed',
        column: 'net_revenue',
        before: 'SUM(stg_orders.amount)',
        after: 'SUM((stg_orders.amount - stg_orders.refund_amount))',
        phrase: { key: 'column_expression_changed', change: { form: 'operand_added', column: 'net_revenue', op: 'subtract', operand: 'refund_amount' } },
      },
    ]);
    expect(changes.map(semanticSummary)).toEqual(['net_revenue now subtracts refund_amount']);
    const direct = semanticDiff('select amount as net_revenue from s.p', 'select amount - refund_amount as net_revenue from s.p', 'snowflake');
    expect(direct.map((c) => semanticSummary(c))).toEqual(['net_revenue now subtracts refund_amount']);
  });

  it('names CASE buckets of a new column and spots a moved threshold', () => {
    const seg = (hi: number) =>
      `select customer_id, case when lifetime_value >= ${hi} then 'High' when lifetime_value >= 1000 then 'Medium' else 'Low' end as cltv_segment from m.customers`;
    const added = semanticDiff('select customer_id from m.customers', seg(5000), 'snowflake');
    expect(added.map((c) => [c.kind, semanticSummary(c)])).toEqual([['column_added', 'new column cltv_segment: High >= 5000, Medium >= 1000, Low']]);
    const moved = semanticDiff(seg(5000), seg(6000), 'snowflake');
    expect(moved.map((c) => [c.kind, c.column, semanticSummary(c)])).toEqual([
      ['case_threshold_changed', 'cltv_segment', 'cltv_segment thresholds changed: High >= 5000 → High >= 6000'],
    ]);
  });

  it('reports removed columns, joins, sources and grain changes', () => {
    const head = `
      select o.customer_id, sum(o.amount) as net_revenue
      from analytics.main.stg_orders o
      left join analytics.main.stg_refunds r on r.order_id = o.order_id
      where o.status = 'completed'
      group by 1`;
    const changes = semanticDiff(base, head, 'snowflake');
    expect(changes.map((c) => [c.kind, c.column ?? c.relation, semanticSummary(c)])).toEqual([
      ['source_added', 'analytics.main.stg_refunds', 'now also reads analytics.main.stg_refunds'],
      ['source_removed', 'analytics.main.stg_customers', 'no longer reads analytics.main.stg_customers'],
      ['column_removed', 'region', 'column region removed'],
      ['column_removed', 'orders', 'column orders removed'],
      ['join_added', 'analytics.main.stg_refunds', 'now joins analytics.main.stg_refunds (left join on order_id = order_id)'],
      ['join_removed', 'cte customers', 'no longer joins cte customers'],
      ['group_by_changed', undefined, 'grouping changed: no longer groups by region (one row per group changes the grain)'],
    ]);
  });

  it('words the common expression edits, and falls back to before → after', () => {
    const say = (before: string, after: string) => semanticSummary({ key: 'column_expression_changed', change: describeExpressionChange('revenue', before, after) });
    expect(say('amount - refund', 'amount')).toBe('revenue no longer subtracts refund');
    expect(say('amount', 'amount * fx_rate')).toBe('revenue is now multiplied by fx_rate');
    expect(say('amount', 'coalesce(amount, 0)')).toBe('revenue now defaults to 0 when amount is null');
    expect(say('sum(amount)', 'avg(amount)')).toBe('revenue now uses avg(…) instead of sum(…)');
    expect(say('sum(amount)', 'sum(price)')).toBe('revenue changed: sum(amount) → sum(price)');
  });

  it('says why when a side cannot be parsed', () => {
    expect(semanticDiffResult('select 1', 'select from (', 'snowflake')).toEqual({ status: 'unknown', reason: expect.stringMatching(/^head version: SQL parser stopped/) });
    expect(semanticDiff('select 1', 'select from (', 'snowflake')).toEqual([]);
  });
});
