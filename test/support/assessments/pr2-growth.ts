/**
 * A hand-written assessment of the shop example's PR 2: two new models, no production baseline.
 * Figures follow examples/shop/README.md (seed 42); cost comes from the real pricing code.
 */
import { modelCost, type PricingAssumptions } from '../../../src/cost/cost.js';
import type { TestResult } from '../../../src/assess/tests.js';
import type { Assessment, ModelReport } from '../../../src/assess/types.js';

const pricing: PricingAssumptions = { size: 'M', credit_price_usd: 3, min_billed_seconds: 60 };
const nightly = { name: 'dbt_nightly', cron: '0 7 * * *', timezone: 'UTC', origin: { kind: 'airflow' as const, file: 'airflow/dags/dbt_nightly.py', line: 31 }, runs_per_month: 30.42 };

function t(model: string, name: string, test_name: string, column: string | null, status: TestResult['status'], failures: number | null, severity: 'warn' | 'error' = 'error'): TestResult {
  return { unique_id: `test.shop.${name}`, name, test_type: 'generic', test_name, column_name: column, attached_node: `model.shop.${model}`, severity, status, failures, sql: 'select 1' };
}

function added(name: string, file: string, schema: string, seconds: number, tags: string[], columns: ModelReport['columns'], tests: TestResult[], description: string): ModelReport {
  const id = `model.shop.${name}`;
  return {
    unique_id: id,
    name,
    package_name: 'shop',
    original_file_path: file,
    materialized: 'table',
    database: 'analytics',
    schema,
    relation_name: `analytics.${schema}.${name}`,
    tags,
    owner: 'Growth Team',
    group: null,
    description,
    columns,
    change: { unique_id: id, base_unique_id: null, name, resource_type: 'model', status: 'added', reasons: [{ kind: 'new', detail: {} }], semantic: [], semantic_status: 'not_applicable', columns: columns.map((c) => ({ column: c.name, class: 'additive', because: [{ kind: 'new_model' as const }] })), class: 'additive' },
    probe: { unique_id: id, production_relation: null, pr_relation: `impact_review_pr_2.${name}`, build: { status: 'built', seconds }, baseline: { seconds: null, source: 'none' }, diff: null, tests },
    cost: modelCost(null, { seconds, source: 'measured_pr_build' }, 30.42, pricing),
    schedule: { jobs: [nightly], runs_per_month: 30.42, requested: null, mismatch: false },
    problems: [],
  };
}

export function pr2Assessment(): Assessment {
  const enriched = added(
    'mart_orders_enriched',
    'models/marts/marketing/mart_orders_enriched.sql',
    'mart_marketing',
    3.2,
    ['nightly', 'marketing'],
    [
      { name: 'order_id', description: 'Primary key of the order.', data_type: 'integer', class: 'additive' },
      { name: 'order_amount', description: 'Gross order value in USD.', data_type: 'decimal(18,2)', class: 'additive' },
      { name: 'customer_segment', description: 'Commercial segment of the customer (consumer, smb, enterprise).', data_type: 'varchar', class: 'additive' },
      { name: 'is_test_user', description: 'Always false here; kept so the no-test-users test can prove it.', data_type: 'boolean', class: 'additive' },
    ],
    [
      t('mart_orders_enriched', 'unique_mart_orders_enriched_order_id', 'unique', 'order_id', 'pass', 0),
      t('mart_orders_enriched', 'not_null_mart_orders_enriched_order_id', 'not_null', 'order_id', 'pass', 0),
      t('mart_orders_enriched', 'dbt_utils_accepted_range_mart_orders_enriched_order_amount__0', 'dbt_utils.accepted_range', 'order_amount', 'pass', 0),
      t('mart_orders_enriched', 'not_null_mart_orders_enriched_customer_segment', 'not_null', 'customer_segment', 'pass', 0),
      t('mart_orders_enriched', 'accepted_values_mart_orders_enriched_is_test_user__False', 'accepted_values', 'is_test_user', 'pass', 0),
    ],
    'Completed and shipped orders joined to their customer, test users excluded. The curated starting point for order-level reporting.',
  );
  const report = added(
    'rpt_30day_revenue_by_segment',
    'models/reports/marketing/rpt_30day_revenue_by_segment.sql',
    'reports',
    0.6,
    ['nightly', 'marketing'],
    [
      { name: 'customer_segment', description: 'Commercial segment of the customer.', data_type: 'varchar', class: 'additive' },
      { name: 'revenue_30d', description: 'Sum of order_amount over the last 30 days.', data_type: 'decimal(38,2)', class: 'additive' },
    ],
    [
      t('rpt_30day_revenue_by_segment', 'rpt_30day_revenue_by_segment_revenue_not_negative', 'dbt_utils.expression_is_true', null, 'pass', 0),
      t('rpt_30day_revenue_by_segment', 'unique_rpt_30day_revenue_by_segment_customer_segment', 'unique', 'customer_segment', 'pass', 0),
      t('rpt_30day_revenue_by_segment', 'dbt_utils_at_least_one_rpt_30day_revenue_by_segment_customer_segment', 'dbt_utils.at_least_one', 'customer_segment', 'pass', 0, 'warn'),
    ],
    'Revenue, orders and customers of the 30 days before as_of_date, per customer segment.',
  );
  const monthlyAfter = (enriched.cost?.monthly_after_usd ?? 0) + (report.cost?.monthly_after_usd ?? 0);
  return {
    version: 1,
    generated_at: '2026-11-01T08:30:00.000Z',
    repository: { owner: 'shop', name: 'analytics' },
    pull_request: { number: 2, title: 'Growth dashboard: 30-day revenue by customer segment from a curated mart', url: 'https://github.com/shop/analytics/pull/2' },
    base: { ref: 'main', sha: '3333333333333333333333333333333333333333' },
    head: { ref: 'growth-30d', sha: '4444444444444444444444444444444444444444' },
    project: { name: 'shop', path: 'project', adapter: 'duckdb' },
    warehouse: { type: 'duckdb', database: 'shop.duckdb' },
    verdict: 'NEEDS_REVIEW',
    reasons: [],
    findings: [],
    required_approvals: [{ team: 'growth', reasons: [{ kind: 'model', name: 'model.shop.mart_orders_enriched', owner: 'Growth Team' }, { kind: 'model', name: 'model.shop.rpt_30day_revenue_by_segment', owner: 'Growth Team' }] }],
    changes: { models: [enriched.change, report.change], macros: [], vars: [], other_files: ['models/staging/_raw__sources.yml'] },
    models: [enriched, report],
    downstream: [{ unique_id: 'model.shop.rpt_30day_revenue_by_segment', name: 'rpt_30day_revenue_by_segment', resource_type: 'model', depth: 1, via: ['model.shop.mart_orders_enriched'], parents: ['model.shop.mart_orders_enriched'], owner: 'Growth Team', tags: ['nightly', 'marketing'], impact: 'additive', impacted_columns: [] }],
    exposures: [],
    cost: { pricing, monthly_before_usd: null, monthly_after_usd: Math.round(monthlyAfter * 100) / 100, monthly_change_usd: null, review: { seconds: 4.1, credits: (4.1 * 4) / 3600, usd: ((4.1 * 4) / 3600) * 3, queries: 10 } },
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
      { purpose: 'run', command: 'dbt run --select mart_orders_enriched rpt_30day_revenue_by_segment' },
      { purpose: 'test', command: 'dbt test --select mart_orders_enriched rpt_30day_revenue_by_segment' },
    ],
  };
}
