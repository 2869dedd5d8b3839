/**
 * A hand-written assessment of the shop example's PR 1 (CLTV on a 90-day window), with the figures
 * the example measures on seed 42 (examples/shop/README.md). Cost figures are computed with the
 * real pricing code so they stay consistent with it. Kept typed here (tsc checks it); the JSON
 * copy in test/fixtures/assessments/ is written from it and compared by a test.
 */
import { modelCost, type PricingAssumptions } from '../../../src/cost/cost.js';
import type { Assessment, ColumnReason, DownstreamNode, Finding, ModelReport } from '../../../src/assess/types.js';
import type { SemanticChange } from '../../../src/sql/semantic-diff.js';
import type { TestResult } from '../../../src/assess/tests.js';
import type { DistributionBucket } from '../../../src/diff/types.js';

const pkg = 'shop';
const changedId = `model.${pkg}.mart_customer_revenue`;
const ROWS = 9795;

/** The PR's new 90-day window: a change to the model's rows, so every column's reason. */
const windowFilter: SemanticChange = {
  kind: 'filter_added',
  column: 'order_date',
  after: "order_date >= dateadd(day, -90, '2026-11-01') and order_date < '2026-11-01'",
  phrase: { key: 'filter_added', filter: { form: 'plain', text: 'order_date is within the 90 days before 2026-11-01' } },
};
const window: ColumnReason = { kind: 'rows_changed', change: windowFilter };

const pricing: PricingAssumptions = { size: 'M', credit_price_usd: 3, min_billed_seconds: 60 };

function bucket(value: string, base: number, head: number): DistributionBucket {
  const baseShare = base / ROWS;
  const headShare = head / ROWS;
  return { value, base, head, base_share: baseShare, head_share: headShare, shift: headShare - baseShare };
}

function test(name: string, test_name: string, column: string | null, status: TestResult['status'], failures: number | null, extra: Partial<TestResult> = {}): TestResult {
  const singular = test_name === 'singular';
  return {
    unique_id: `test.${pkg}.${name}`,
    name,
    test_type: singular ? 'singular' : 'generic',
    test_name,
    column_name: column,
    attached_node: changedId,
    severity: 'error',
    status,
    failures,
    sql: status === 'skipped' ? null : `select count(*) from (/* ${name} */ select 1) as t`,
    ...extra,
  };
}

function downstream(name: string, depth: number, parents: string[], impact: DownstreamNode['impact'], columns: string[], tags: string[] = ['nightly']): DownstreamNode {
  return { unique_id: `model.${pkg}.${name}`, name, resource_type: 'model', depth, via: [changedId], parents, owner: null, tags, impact, impacted_columns: columns };
}

function exposure(name: string, label: string, owner: string, url: string, parents: string[]): DownstreamNode {
  return {
    unique_id: `exposure.${pkg}.${name}`,
    name,
    resource_type: 'exposure',
    depth: 2,
    via: [changedId],
    parents,
    owner,
    tags: [],
    exposure: { type: 'dashboard', url, maturity: 'high', label },
    impact: 'breaking',
    impacted_columns: ['cltv_segment', 'net_revenue_90d'],
  };
}

const m = (name: string) => `model.${pkg}.${name}`;

export function pr1Assessment(): Assessment {
  const cost = modelCost({ seconds: 7.9, source: 'measured_production_build' }, { seconds: 9.4, source: 'measured_pr_build' }, 30.42, pricing);
  const high = bucket('High', 1061, 370);
  const tests: TestResult[] = [
    test('not_null_mart_customer_revenue_customer_id', 'not_null', 'customer_id', 'pass', 0),
    test('unique_mart_customer_revenue_customer_id', 'unique', 'customer_id', 'pass', 0),
    test('relationships_mart_customer_revenue_customer_id__customer_id__ref_stg_customers_', 'relationships', 'customer_id', 'skipped', null, {
      reason: "ref('stg_customers') has no relation in the warehouse",
    }),
    test('not_null_mart_customer_revenue_orders_count', 'not_null', 'orders_count', 'pass', 0),
    test('not_null_mart_customer_revenue_cltv_segment', 'not_null', 'cltv_segment', 'pass', 0),
    test('accepted_values_mart_customer_revenue_cltv_segment__High__Medium__Low', 'accepted_values', 'cltv_segment', 'pass', 0),
    test('mart_customer_revenue_net_revenue_not_negative', 'dbt_utils.expression_is_true', null, 'pass', 0),
    test('assert_customer_revenue_reconciles', 'singular', null, 'pass', 0, { description: 'net_revenue_90d matches the sum of order_amount minus refund_amount over the window.' }),
    test('assert_cltv_segment_distribution_stable', 'singular', null, 'warn', 1, { severity: 'warn', description: 'Warns if the share of High CLTV customers leaves the 1%–20% band.' }),
    test('assert_no_test_users_in_customer_revenue', 'singular', null, 'pass', 0, { description: 'No test users included in mart_customer_revenue.' }),
  ];

  const model: ModelReport = {
    unique_id: changedId,
    name: 'mart_customer_revenue',
    package_name: pkg,
    original_file_path: 'models/marts/marketing/mart_customer_revenue.sql',
    materialized: 'table',
    database: 'analytics',
    schema: 'mart_marketing',
    relation_name: 'analytics.mart_marketing.mart_customer_revenue',
    tags: ['nightly', 'finance', 'revenue', 'high-impact'],
    owner: 'Jane Smith',
    group: null,
    description:
      'Customer lifetime value (CLTV) over a rolling 90-day window ending at the as_of_date var: revenue net of refunds per customer, with a three-tier segment used by the Finance Metrics, Retention Analytics and Customer Cohort Analysis dashboards. Test users are excluded.',
    columns: [
      { name: 'customer_id', description: 'Unique ID representing a customer in the system.', data_type: 'integer', class: 'unchanged' },
      { name: 'net_revenue_90d', description: 'Total net revenue for each customer over the last 90 days, calculated as order_amount minus refund_amount.', data_type: 'decimal(18,2)', class: 'breaking' },
      { name: 'orders_count', description: 'Distinct number of orders placed by the customer in the last 90 days.', data_type: 'integer', class: 'breaking' },
      { name: 'cltv_segment', description: 'Customer lifetime value segment based on the 90-day revenue contribution: High when net_revenue_90d >= 5000, Medium when >= 1000, Low below 1000.', data_type: 'varchar', class: 'breaking' },
    ],
    change: {
      unique_id: changedId,
      base_unique_id: null,
      name: 'mart_customer_revenue',
      resource_type: 'model',
      status: 'modified',
      reasons: [
        { kind: 'body', detail: {} },
        { kind: 'columns', detail: { added: ['net_revenue_90d'], removed: ['total_revenue', 'country_code', 'first_order_date', 'last_order_date'] } },
        { kind: 'tests', detail: { added: 2, removed: 0 } },
        { kind: 'description', detail: {} },
      ],
      semantic: [
        windowFilter,
        { kind: 'column_added', column: 'net_revenue_90d', after: 'sum(order_amount - refund_amount)', phrase: { key: 'column_added', column: 'net_revenue_90d', definition: { form: 'expression', text: 'sum(order_amount - refund_amount)' } } },
        { kind: 'column_removed', column: 'total_revenue', before: 'sum(order_amount)', phrase: { key: 'column_removed', column: 'total_revenue' } },
        { kind: 'case_threshold_changed', column: 'cltv_segment', before: "case when total_revenue >= 5000 then 'High' else 'Low' end", after: "case when net_revenue_90d >= 5000 then 'High' when net_revenue_90d >= 1000 then 'Medium' else 'Low' end", phrase: { key: 'case_threshold_changed', column: 'cltv_segment', thresholds: [{ form: 'kept', branch: { form: 'threshold', value: 'High', op: '>=', bound: '5000' } }, { form: 'added', branch: { form: 'threshold', value: 'Medium', op: '>=', bound: '1000' } }, { form: 'kept', branch: { form: 'otherwise', value: 'Low' } }] } },
        { kind: 'column_removed', column: 'country_code', phrase: { key: 'column_removed', column: 'country_code' } },
      ],
      semantic_status: 'ok',
      columns: [
        { column: 'customer_id', class: 'unchanged', because: [] },
        { column: 'net_revenue_90d', class: 'breaking', because: [window] },
        { column: 'orders_count', class: 'breaking', because: [window] },
        { column: 'cltv_segment', class: 'breaking', because: [window, { kind: 'case_thresholds_changed' }] },
      ],
      class: 'breaking',
    },
    probe: {
      unique_id: changedId,
      production_relation: 'analytics.mart_marketing.mart_customer_revenue',
      pr_relation: 'impact_review_pr_1.mart_customer_revenue',
      build: { status: 'built', seconds: 9.4 },
      baseline: { seconds: 7.9, source: 'measured' },
      diff: {
        base: 'analytics.mart_marketing.mart_customer_revenue',
        head: 'impact_review_pr_1.mart_customer_revenue',
        warehouse: 'duckdb',
        identical: false,
        primary_key: ['customer_id'],
        schema: { added: [], removed: ['country_code', 'first_order_date', 'last_order_date'], type_changed: [], type_changes: [], renamed: [{ base: 'total_revenue', head: 'net_revenue_90d' }] },
        rows: { base: ROWS, head: ROWS, added: 0, removed: 0, changed: 9104, unchanged: 691, duplicate_keys: null, null_keys: null },
        columns: {
          customer_id: { base_name: 'customer_id', head_name: 'customer_id', sensitive: false, base: { kind: 'number', type: 'INTEGER', nulls: 0, distinct: 9795, min: 1, max: 10000, avg: 5001.2, sum: 48986754 }, head: { kind: 'number', type: 'INTEGER', nulls: 0, distinct: 9795, min: 1, max: 10000, avg: 5001.2, sum: 48986754 }, mismatched: 0 },
          net_revenue_90d: { base_name: 'total_revenue', head_name: 'net_revenue_90d', sensitive: false, base: { kind: 'number', type: 'DECIMAL(18,2)', nulls: 0, distinct: 9512, min: 0, max: 61520.4, avg: 5412.23, sum: 53012818.76 }, head: { kind: 'number', type: 'DECIMAL(18,2)', nulls: 0, distinct: 6201, min: -120.5, max: 22840.1, avg: 1146.77, sum: 11232591.49 }, mismatched: 9104 },
          orders_count: { base_name: 'orders_count', head_name: 'orders_count', sensitive: false, base: { kind: 'number', type: 'INTEGER', nulls: 0, distinct: 31, min: 0, max: 34, avg: 8.79, sum: 86051 }, head: { kind: 'number', type: 'INTEGER', nulls: 0, distinct: 12, min: 0, max: 11, avg: 1.97, sum: 19282 }, mismatched: 9008 },
          cltv_segment: { base_name: 'cltv_segment', head_name: 'cltv_segment', sensitive: false, base: { kind: 'string', type: 'VARCHAR', nulls: 0, distinct: 2, min: 'High', max: 'Low', min_length: 3, max_length: 4 }, head: { kind: 'string', type: 'VARCHAR', nulls: 0, distinct: 3, min: 'High', max: 'Medium', min_length: 3, max_length: 6 }, mismatched: 962 },
        },
        distribution: {
          cltv_segment: {
            kind: 'values',
            labels_hidden: false,
            buckets: [high, bucket('Low', 8734, 8730), bucket('Medium', 0, 695)],
            new_values: [{ value: 'Medium', count: 695 }],
            vanished_values: [],
            largest_shift: high,
          },
        },
        distinct_method: 'exact',
        percentile_method: 'exact',
        samples: [],
        notes: [],
        warnings: [],
        skipped: [],
        queries: 4,
        describes: 2,
        query_log: [],
      },
      tests,
    },
    cost,
    schedule: {
      jobs: [{ name: 'dbt_nightly', cron: '0 7 * * *', timezone: 'UTC', origin: { kind: 'airflow', file: 'airflow/dags/dbt_nightly.py', line: 31 }, runs_per_month: 30.42 }],
      runs_per_month: 30.42,
      requested: { cron: '0 6 * * *', source: 'config.meta.schedule' },
      mismatch: true,
    },
    problems: [],
  };

  const downstreamNodes: DownstreamNode[] = [
    downstream('fct_customer_ltv', 1, [changedId], 'breaking', ['cltv_segment', 'orders_count']),
    downstream('mart_finance_quarterly', 1, [changedId], 'breaking', ['cltv_segment', 'net_revenue_90d'], ['nightly', 'finance']),
    downstream('agg_customer_activity', 1, [changedId], 'breaking', ['cltv_segment']),
    downstream('mart_retention_segments', 1, [changedId], 'breaking', ['cltv_segment']),
    downstream('mart_customer_cohorts', 1, [changedId], 'breaking', ['cltv_segment']),
    downstream('mart_high_value_churn_risk', 1, [changedId], 'breaking', ['cltv_segment']),
    downstream('mart_finance_segment_summary', 2, [m('fct_customer_ltv')], 'breaking', ['cltv_segment'], ['nightly', 'finance']),
    downstream('rpt_growth_kpis', 2, [m('mart_retention_segments'), m('mart_high_value_churn_risk')], 'breaking', ['cltv_segment']),
  ];
  const exposures: DownstreamNode[] = [
    exposure('finance_metrics', 'Finance Metrics', 'Finance Team', 'https://bi.shop.example/dashboards/finance-metrics', [changedId, m('fct_customer_ltv'), m('mart_finance_quarterly'), m('mart_finance_segment_summary')]),
    exposure('retention_analytics', 'Retention Analytics', 'Growth Team', 'https://bi.shop.example/dashboards/retention', [m('mart_retention_segments'), m('rpt_growth_kpis')]),
    exposure('customer_cohort_analysis', 'Customer Cohort Analysis', 'Growth Team', 'https://bi.shop.example/dashboards/cohorts', [m('mart_customer_cohorts'), m('agg_customer_activity')]),
  ];

  const pct = (v: number) => Math.round(v * 1000) / 10;
  const findings: Finding[] = [
    ...exposures.map(
      (e): Finding => ({ kind: 'exposure_affected', severity: 'blocker', unique_id: e.unique_id, figures: { name: e.exposure?.label ?? e.name, impact: e.impact, owner: e.owner, via: e.via } }),
    ),
    {
      kind: 'distribution_shift',
      severity: 'blocker',
      unique_id: changedId,
      column: 'cltv_segment',
      figures: { value: 'High', bin: null, base_count: 1061, head_count: 370, base_share_pct: pct(high.base_share), head_share_pct: pct(high.head_share), shift_pct_points: pct(high.shift), count_change_pct: pct((370 - 1061) / 1061) },
      threshold: { key: 'thresholds.distribution_shift_pct', value: 5 },
    },
    {
      kind: 'total_changed',
      severity: 'blocker',
      unique_id: changedId,
      column: 'net_revenue_90d',
      figures: { base: 53012818.76, head: 11232591.49, change_pct: pct((11232591.49 - 53012818.76) / 53012818.76) },
      threshold: { key: 'thresholds.total_change_pct', value: 10 },
    },
    {
      kind: 'total_changed',
      severity: 'blocker',
      unique_id: changedId,
      column: 'orders_count',
      figures: { base: 86051, head: 19282, change_pct: pct((19282 - 86051) / 86051) },
      threshold: { key: 'thresholds.total_change_pct', value: 10 },
    },
    { kind: 'new_values', severity: 'warning', unique_id: changedId, column: 'cltv_segment', figures: { values: [{ value: 'Medium', count: 695 }], count: 1, base_distinct: 2, head_distinct: 3 } },
    ...['country_code', 'first_order_date', 'last_order_date'].map((column): Finding => ({ kind: 'schema_column_removed', severity: 'warning', unique_id: changedId, column, figures: { read_downstream: false } })),
    { kind: 'rows_changed', severity: 'warning', unique_id: changedId, figures: { changed: 9104, matched: ROWS, added: 0, removed: 0, changed_pct: pct(9104 / ROWS) }, threshold: { key: 'thresholds.changed_rows_pct', value: 1 } },
    { kind: 'test_warned', severity: 'warning', unique_id: changedId, column: null, figures: { test: 'assert_cltv_segment_distribution_stable', test_name: 'singular', failures: 1 } },
    { kind: 'schedule_mismatch', severity: 'warning', unique_id: changedId, figures: { requested: '0 6 * * *', requested_source: 'config.meta.schedule', jobs: [{ name: 'dbt_nightly', cron: '0 7 * * *' }] } },
    { kind: 'downstream_breaking', severity: 'warning', unique_id: null, figures: { count: downstreamNodes.length, models: downstreamNodes.map((d) => d.name) } },
  ];

  return {
    version: 1,
    generated_at: '2026-11-01T08:15:00.000Z',
    repository: { owner: 'shop', name: 'analytics' },
    pull_request: { number: 1, title: 'CLTV: 90-day rolling window, net of refunds, three segments', url: 'https://github.com/shop/analytics/pull/1' },
    base: { ref: 'main', sha: '1111111111111111111111111111111111111111' },
    head: { ref: 'cltv-90d', sha: '2222222222222222222222222222222222222222' },
    project: { name: 'shop', path: 'project', adapter: 'duckdb' },
    warehouse: { type: 'duckdb', database: 'shop.duckdb' },
    verdict: 'NOT_SAFE',
    reasons: findings.map((f, i) => (f.severity === 'blocker' ? i : -1)).filter((i) => i >= 0),
    findings,
    required_approvals: [
      { team: 'finance', reasons: [{ kind: 'exposure', name: 'Finance Metrics', owner: 'Finance Team' }, { kind: 'tag', name: 'finance' }] },
      { team: 'growth', reasons: [{ kind: 'exposure', name: 'Retention Analytics', owner: 'Growth Team' }, { kind: 'exposure', name: 'Customer Cohort Analysis', owner: 'Growth Team' }] },
    ],
    changes: { models: [model.change], macros: [], vars: [], other_files: [] },
    models: [model],
    downstream: downstreamNodes,
    exposures,
    cost: {
      pricing,
      monthly_before_usd: cost.monthly_before_usd,
      monthly_after_usd: cost.monthly_after_usd,
      monthly_change_usd: cost.monthly_change_usd,
      review: { seconds: 14.2, credits: (14.2 * 4) / 3600, usd: ((14.2 * 4) / 3600) * 3, queries: 23 },
    },
    assumptions: [
      { key: 'warehouse_size', values: { size: 'M', credits_per_hour: 4 } },
      { key: 'credit_price', values: { usd: 3 } },
      { key: 'min_billing', values: { seconds: 60 } },
      { key: 'runtime_source', values: { engine: 'duckdb', priced_as: 'snowflake' } },
      { key: 'runs_per_month', values: { job: 'dbt_nightly', cron: '0 7 * * *', runs: 30.42 } },
    ],
    problems: [],
    notes: [],
    commands: [
      { purpose: 'run', command: 'dbt run --select mart_customer_revenue' },
      { purpose: 'test', command: 'dbt test --select mart_customer_revenue' },
      { purpose: 'downstream', command: 'dbt ls --select mart_customer_revenue+' },
    ],
  };
}
