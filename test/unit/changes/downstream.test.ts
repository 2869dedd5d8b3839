import { afterAll, describe, expect, it } from '@jest/globals';
import { detectChanges } from '../../../src/assess/changes.js';
import { downstreamOf } from '../../../src/assess/downstream.js';
import type { DownstreamNode } from '../../../src/assess/types.js';
import { cleanup, edit, project } from './project-kit.js';

afterAll(cleanup);

/** Consumers added on both sides: a filter on a changed column, `select *`, and a reader of the star. */
const EXTRA = {
  'models/marts/big_spenders.sql': "select customer_id from {{ ref('customer_revenue') }} where revenue > 1000\n",
  'models/orders_copy.sql': "select * from {{ ref('stg_orders') }}\n",
  'models/copy_ids.sql': "select order_id from {{ ref('orders_copy') }}\n",
  'models/copy_amounts.sql': "select order_id, amount * 2 as double_amount from {{ ref('orders_copy') }}\n",
};

const AMOUNT_CHANGED = edit('models/staging/stg_orders.sql', "{{ cents('amount_cents') }} as amount", "({{ cents('amount_cents') }} - {{ cents('refund_cents') }}) as amount");
const ROWS_CHANGED = edit('models/staging/stg_orders.sql', "from {{ source('raw', 'orders') }}", "from {{ source('raw', 'orders') }}\nwhere status <> 'test'");

async function downstream(change: Record<string, string | null>, extra: Record<string, string | null> = EXTRA) {
  const base = await project(extra);
  const head = await project({ ...extra, ...change });
  const changes = detectChanges(base, head);
  return { changes, ...downstreamOf(head, changes) };
}

const byName = (list: DownstreamNode[]) => Object.fromEntries(list.map((n) => [n.name, n]));
const impacts = (list: DownstreamNode[]) => Object.fromEntries(list.map((n) => [n.name, n.impact]));

describe('an expression change (partial) follows column lineage', () => {
  it('reaches only the consumers that read the changed column', async () => {
    const { changes, models, exposures } = await downstream(AMOUNT_CHANGED);
    expect(changes.models.map((m) => [m.name, m.class])).toEqual([['stg_orders', 'partial']]);
    expect(impacts(models)).toEqual({
      customer_revenue: 'partial', // sum(amount)
      order_dates: 'unchanged', // order_id, order_date only
      orders_copy: 'partial', // select * carries amount
      big_spenders: 'breaking', // filters on revenue, derived from the changed amount
      copy_amounts: 'partial', // two levels down, through the star
      copy_ids: 'unchanged',
      customer_tiers: 'unchanged', // reads order_count only
    });
    const m = byName(models);
    expect(m.customer_revenue).toEqual({
      unique_id: 'model.shop.customer_revenue',
      name: 'customer_revenue',
      resource_type: 'model',
      depth: 1,
      via: ['model.shop.stg_orders'],
      owner: 'finance-analytics',
      tags: [],
      impact: 'partial',
      impacted_columns: ['stg_orders.amount'],
    });
    expect(m.big_spenders).toMatchObject({ depth: 2, impacted_columns: ['customer_revenue.revenue'] });
    expect(m.copy_amounts).toMatchObject({ depth: 2, impacted_columns: ['orders_copy.amount'] });
    expect(m.order_dates).toMatchObject({ tags: ['nightly'], impacted_columns: [] });
    expect(models.map((n) => n.depth)).toEqual([1, 1, 1, 2, 2, 2, 2]);
  });

  it('exposures inherit the worst impact of the models they read', async () => {
    const { exposures } = await downstream(AMOUNT_CHANGED);
    expect(exposures).toEqual([
      {
        unique_id: 'exposure.shop.dates_report',
        name: 'dates_report',
        resource_type: 'exposure',
        depth: 2,
        via: ['model.shop.stg_orders'],
        owner: 'Ops',
        tags: [],
        exposure: { type: 'analysis', url: null, maturity: null, label: null },
        impact: 'unchanged',
        impacted_columns: [],
      },
      {
        unique_id: 'exposure.shop.revenue_dashboard',
        name: 'revenue_dashboard',
        resource_type: 'exposure',
        depth: 2,
        via: ['model.shop.stg_orders'],
        owner: 'Finance',
        tags: [],
        exposure: { type: 'dashboard', url: 'https://bi.example.com/revenue', maturity: 'high', label: 'Revenue Dashboard' },
        impact: 'partial',
        impacted_columns: ['stg_orders.amount'],
      },
    ]);
  });
});

describe('a row-set change (breaking) reaches every consumer', () => {
  it('even one reading only columns whose expressions are unchanged', async () => {
    const { changes, models, exposures } = await downstream(ROWS_CHANGED);
    expect(changes.models.map((m) => [m.name, m.class])).toEqual([['stg_orders', 'breaking']]);
    expect(impacts(models)).toEqual({
      customer_revenue: 'breaking',
      order_dates: 'breaking',
      orders_copy: 'breaking',
      big_spenders: 'breaking',
      copy_amounts: 'breaking',
      copy_ids: 'breaking',
      customer_tiers: 'breaking',
    });
    expect(byName(models).order_dates.impacted_columns).toEqual(['stg_orders.order_date', 'stg_orders.order_id']);
    expect(impacts(exposures)).toEqual({ dates_report: 'breaking', revenue_dashboard: 'breaking' });
  });

  it('a count(*) consumer of a filtered model is breaking', async () => {
    const extra = { 'models/order_count.sql': "select count(*) as n from {{ ref('stg_orders') }}\n" };
    const { models } = await downstream(ROWS_CHANGED, extra);
    expect(byName(models).order_count.impact).toBe('breaking');
  });
});

describe('changes that do not reach consumers', () => {
  it('a comment-only change has no downstream at all', async () => {
    const { changes, models, exposures } = await downstream(edit('models/staging/stg_orders.sql', '-- one row per order', '-- one row per order (see the wiki)'));
    expect(changes.models).toEqual([]);
    expect(models).toEqual([]);
    expect(exposures).toEqual([]);
  });

  it('a new column upstream leaves consumers unchanged', async () => {
    const { models } = await downstream(edit('models/staging/stg_orders.sql', '    status\n', '    status,\n    channel\n'));
    expect(new Set(Object.values(impacts(models)))).toEqual(new Set(['unchanged']));
    expect(models).toHaveLength(7);
  });

  it('a relation move breaks the exposure reading it by name, not the dbt model that re-resolves the ref', async () => {
    const { models, exposures } = await downstream(edit('models/marts/customer_revenue.sql', 'select', "{{ config(schema='finance') }}\nselect"), {});
    expect(impacts(models)).toEqual({ customer_tiers: 'unchanged' });
    expect(byName(exposures).revenue_dashboard).toMatchObject({ impact: 'breaking', depth: 1, via: ['model.shop.customer_revenue'] });
  });
});

describe('unknown lineage', () => {
  const broken = { 'models/weird.sql': "select customer_id,, from {{ ref('customer_revenue') }}\n" };
  it('is unknown under a partial parent', async () => {
    const { models } = await downstream(edit('models/marts/customer_revenue.sql', 'sum(amount)', 'sum(amount - refund)'), broken);
    expect(byName(models).weird.impact).toBe('unknown');
  });
  it('is breaking under a breaking parent', async () => {
    const { models } = await downstream(edit('models/marts/customer_revenue.sql', 'group by', "where status = 'paid'\ngroup by"), broken);
    expect(byName(models).weird.impact).toBe('breaking');
  });
});

it('a removed model still referenced breaks its consumers and exposures', async () => {
  const { changes, models, exposures } = await downstream({ 'models/marts/customer_revenue.sql': null }, {});
  expect(changes.models.map((m) => [m.name, m.status])).toEqual([['customer_revenue', 'removed']]);
  expect(byName(models).customer_tiers).toMatchObject({ impact: 'breaking', depth: 1, via: ['model.shop.customer_revenue'] });
  expect(byName(exposures).revenue_dashboard).toMatchObject({ impact: 'breaking', depth: 1, via: ['model.shop.customer_revenue'] });
});
