import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Assessment } from '../../src/assess/types.js';
import { renderReview } from '../../src/report/render.js';
import { plantedProject, type PlantedProject } from '../support/planted-project.js';

/**
 * The whole pipeline on small projects whose changes are planted: each kind of change must
 * produce its finding, class, verdict and approvals, and a harmless change must not.
 */
const BASE: Record<string, string> = {
  'dbt_project.yml': "name: kit\nmodels:\n  kit:\n    +materialized: table\n",
  'models/stg_orders.sql': "-- orders as loaded\nselect id, customer_id, amount, status from {{ source('raw', 'orders') }}\n",
  'models/fct_revenue.sql': "select customer_id, sum(amount) as revenue, count(*) as orders\nfrom {{ ref('stg_orders') }}\nwhere status <> 'cancelled'\ngroup by 1\n",
  'models/schema.yml': [
    'version: 2',
    'sources:',
    '  - name: raw',
    '    schema: raw',
    '    tables: [{ name: orders }]',
    'models:',
    '  - name: fct_revenue',
    '    columns:',
    '      - name: customer_id',
    '        data_tests: [unique, not_null]',
    'exposures:',
    '  - name: finance_dashboard',
    '    label: Finance Dashboard',
    '    type: dashboard',
    '    owner: { name: Finance Team }',
    "    depends_on: [ref('fct_revenue')]",
    '',
  ].join('\n'),
};

/** The planted data's revenue, computed here from the same formula that generated it. */
function plantedRevenue(keep: (amount: number) => boolean): number {
  let total = 0;
  for (let i = 0; i < 1000; i++) {
    const amount = (i % 7) * 10 + 5;
    if (i % 10 !== 0 && keep(amount)) total += amount;
  }
  return total;
}

describe('analyze(): planted changes', () => {
  let kit: PlantedProject;
  const review = (changes: Record<string, string>, configText = ''): Promise<Assessment> => kit.review(changes, configText);

  beforeAll(async () => {
    kit = await plantedProject(BASE, async (w) => {
      await w.ensureSchema(null, 'raw');
      // 1,000 orders from 100 customers; every 10th cancelled.
      await w.query(
        "create table raw.orders as select i as id, i % 100 as customer_id, (i % 7) * 10 + 5 as amount, case when i % 10 = 0 then 'cancelled' else 'completed' end as status from range(1000) t(i)",
      );
    });
  });
  afterAll(() => kit?.close());

  it('a comment-only change is SAFE with no approvals and no findings', async () => {
    const a = await review({ 'models/stg_orders.sql': "-- orders as loaded, reformatted\nselect   id, customer_id,\n  amount, status\nfrom {{ source('raw', 'orders') }}\n" });
    expect(a.verdict).toBe('SAFE');
    expect(a.required_approvals).toEqual([]);
    expect(a.changes.models).toEqual([]);
    expect(a.findings).toEqual([]);
  });

  it('a new filter is breaking, shifts totals, reaches the dashboard: NOT SAFE, Finance must approve', async () => {
    const a = await review({ 'models/fct_revenue.sql': BASE['models/fct_revenue.sql'].replace("where status <> 'cancelled'", "where status <> 'cancelled' and amount > 20") });
    const model = a.models.find((m) => m.name === 'fct_revenue')!;
    expect(model.change.class).toBe('breaking');
    expect(model.change.semantic.map((s) => s.kind)).toContain('filter_added');
    expect(a.verdict).toBe('NOT_SAFE');
    expect(a.required_approvals.map((r) => r.team)).toEqual(['finance']);
    const totals = a.findings.find((f) => f.kind === 'total_changed' && f.column === 'revenue')!;
    expect(totals.figures).toMatchObject({ base: plantedRevenue(() => true), head: plantedRevenue((amount) => amount > 20) });
    expect(a.findings.find((f) => f.kind === 'exposure_affected')?.figures).toMatchObject({ name: 'Finance Dashboard', impact: 'breaking' });
    // Customers whose id ends in 0 only have cancelled orders, so 90 remain on both sides.
    expect(model.probe?.diff?.rows).toMatchObject({ base: 90, head: 90, added: 0, removed: 0, changed: 90 });
  });

  it('an added column is additive: no dashboard approval, not blocked', async () => {
    const a = await review({ 'models/fct_revenue.sql': BASE['models/fct_revenue.sql'].replace('count(*) as orders', 'count(*) as orders, max(amount) as largest_order') });
    const model = a.models.find((m) => m.name === 'fct_revenue')!;
    expect(model.change.class).toBe('additive');
    expect(a.findings.map((f) => [f.kind, f.column])).toContainEqual(['schema_column_added', 'largest_order']);
    expect(a.verdict).not.toBe('NOT_SAFE');
    expect(a.required_approvals).toEqual([]);
  });

  it('a change that breaks a unique test fails the test and blocks the merge', async () => {
    const a = await review({ 'models/fct_revenue.sql': "select customer_id, amount as revenue, 1 as orders from {{ ref('stg_orders') }} where status <> 'cancelled'\n" });
    const unique = a.models.find((m) => m.name === 'fct_revenue')!.probe!.tests.find((t) => t.test_name === 'unique')!;
    // One failing row per duplicated customer_id: the 90 customers with completed orders.
    expect(unique).toMatchObject({ status: 'fail', failures: 90 });
    expect(a.findings.some((f) => f.kind === 'test_failed' && f.severity === 'blocker')).toBe(true);
    expect(a.verdict).toBe('NOT_SAFE');
  });

  it('a model whose PR version cannot be built lists its tests as not run, with why', async () => {
    const a = await review({ 'models/fct_revenue.sql': "select customer_id, sum(no_such_column) as revenue from {{ ref('stg_orders') }} group by 1\n" });
    const model = a.models.find((m) => m.name === 'fct_revenue')!;
    expect(model.probe!.build.status).toBe('failed');
    expect(model.probe!.tests.map((t) => [t.test_name, t.status, t.reason])).toEqual([
      ['not_null', 'skipped', 'not run: the PR version of the model was not built'],
      ['unique', 'skipped', 'not run: the PR version of the model was not built'],
    ]);
    const text = renderReview(a);
    expect(text).toContain('`fct_revenue`: 0 passed, 0 warned, 0 failed, 0 errored, 2 skipped');
    expect(text).not.toContain('`fct_revenue`: no tests are configured');
  });

  it('a model that fails to render still appears with its error and known lineage, and the rest is reviewed', async () => {
    const a = await review({
      'models/fct_revenue.sql': "select customer_id, sum(amount) as revenue\nfrom {{ ref('stg_orders') }}\n{% if var('x', true) %}\ngroup by 1\n",
      'models/stg_orders.sql': "select id, customer_id, amount * 2 as amount, status from {{ source('raw', 'orders') }}\n",
    });
    const broken = a.models.find((m) => m.name === 'fct_revenue')!;
    expect(broken.problems[0]).toMatchObject({ file: 'models/fct_revenue.sql', severity: 'error' });
    expect(a.findings.some((f) => f.kind === 'render_error' && f.unique_id === 'model.kit.fct_revenue')).toBe(true);
    const staging = a.models.find((m) => m.name === 'stg_orders')!;
    expect(staging.probe?.diff?.columns.amount.head?.sum).toBe(2 * staging.probe!.diff!.columns.amount.base!.sum!);
    // Its lineage still comes from a static scan of its refs: the dashboard it feeds is listed.
    expect(a.exposures.map((e) => e.name)).toContain('finance_dashboard');
    const text = renderReview(a);
    expect(text).toContain('models/fct_revenue.sql');
    expect(text).toContain('stg_orders');
  });

  it('a config rule adds its team and verdict', async () => {
    const a = await review(
      { 'models/stg_orders.sql': "select id, customer_id, amount + 1 as amount, status from {{ source('raw', 'orders') }}\n" },
      'rules:\n  - name: staging needs platform\n    when: { path: models/stg_* }\n    require: [data-platform]\n    verdict: not_safe\n',
    );
    expect(a.verdict).toBe('NOT_SAFE');
    expect(a.required_approvals.map((r) => r.team)).toContain('data-platform');
  });

  it('past limits.max_models the rest are listed, not built, and the review says so', async () => {
    const a = await review(
      {
        'models/stg_orders.sql': "select id, customer_id, amount + 1 as amount, status from {{ source('raw', 'orders') }}\n",
        'models/fct_revenue.sql': BASE['models/fct_revenue.sql'].replace('sum(amount)', 'sum(amount) * 2'),
      },
      'limits:\n  max_models: 1\n',
    );
    const builds = Object.fromEntries(a.models.map((m) => [m.name, m.probe?.build.status]));
    expect(builds).toEqual({ fct_revenue: 'skipped', stg_orders: 'built' });
    expect(a.limits?.find((l) => l.key === 'max_models')).toEqual({ key: 'max_models', limit: 1, used: 2, hit: true, skipped: [{ id: 'model.kit.fct_revenue' }] });
    expect(renderReview(a)).toContain('limits.max_models: 1');
  });
});
