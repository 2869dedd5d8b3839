import { beforeAll, describe, expect, it } from '@jest/globals';
import { loadProject } from '../../../src/dbt/project.js';
import type { Project } from '../../../src/dbt/types.js';

const FIXTURE = 'test/fixtures/projects/shop';
const runStartedAt = new Date('2024-01-01T00:00:00Z');

let project: Project;
beforeAll(async () => {
  project = await loadProject(FIXTURE, { runStartedAt });
});

const node = (id: string) => {
  const n = project.nodes[id];
  if (!n) throw new Error(`missing node ${id}; have ${Object.keys(project.nodes).join(', ')}`);
  return n;
};

describe('loadProject on a jaffle-shop-like project', () => {
  it('finds models, seeds, snapshots, tests and analyses under their dbt unique ids', () => {
    const ids = Object.keys(project.nodes).filter((id) => !id.startsWith('test.') || !/\.[0-9a-f]{10}$/.test(id)).sort();
    expect(ids).toEqual([
      'analysis.shop.customer_report',
      'model.ad_reporting.ad_spend',
      'model.helpers.helper_dates',
      'model.helpers.helper_orders',
      'model.shop.broken',
      'model.shop.consumer_of_experimental',
      'model.shop.customer_scores',
      'model.shop.customers',
      'model.shop.dim_customers.v1',
      'model.shop.dim_customers.v2',
      'model.shop.legacy_report',
      'model.shop.orders',
      'model.shop.orders_via_macro',
      'model.shop.orphan',
      'model.shop.revenue',
      'model.shop.revenue_daily',
      'model.shop.stg_customers',
      'model.shop.stg_orders',
      'model.shop.stg_payments',
      'model.shop.uses_dim',
      'seed.shop.raw_customers',
      'snapshot.shop.customers_snapshot',
      'snapshot.shop.orders_snapshot',
      'test.shop.assert_revenue_positive',
    ]);
  });

  it('applies folder config < YAML config < config() precedence', () => {
    // Folder: marts → table; finance → schema finance. YAML: view, schema reporting.
    const revenue = node('model.shop.revenue');
    expect(revenue.config.materialized).toBe('view');
    expect(revenue.schema).toBe('main_reporting');
    expect(revenue.relation_name).toBe('"main"."main_reporting"."revenue"');
    // Tags accumulate down the folders, then YAML; meta merges.
    expect(revenue.tags).toEqual(['marts', 'finance', 'kpi']);
    expect(revenue.config.meta).toEqual({ team: 'analytics', pii: false, owner: 'finance-team@example.com' });
    expect(revenue.group).toBe('finance');
    // YAML says table, config() says ephemeral: config() wins and there is no relation.
    const daily = node('model.shop.revenue_daily');
    expect(daily.config.materialized).toBe('ephemeral');
    expect(daily.relation_name).toBeNull();
    // Folder view, YAML table for stg_orders; config() adds a tag.
    const stg = node('model.shop.stg_orders');
    expect(stg.config.materialized).toBe('table');
    expect(stg.schema).toBe('main_staging');
    expect(stg.tags).toEqual(['staging', 'orders']);
    expect(node('model.shop.orders').config).toMatchObject({ materialized: 'incremental', unique_key: 'order_id' });
  });

  it('keeps the last value of a duplicated YAML key', () => {
    expect(node('model.shop.stg_orders').description).toBe('Orders, cleaned (the second description wins)');
    expect(project.sources['source.shop.raw.payments'].description).toBe('Payments, last key wins');
  });

  it('reads a flow sequence indented less than its key, as PyYAML does', () => {
    expect(node('model.shop.customers').config.tags).toEqual(['marts', 'customer', 'mart']);
  });

  it('builds sources with relation names and freshness', () => {
    const orders = project.sources['source.shop.raw.orders'];
    expect(orders).toMatchObject({
      database: 'raw_db',
      schema: 'raw',
      identifier: 'raw_orders',
      relation_name: '"raw_db"."raw"."raw_orders"',
      loader: 'fivetran',
      loaded_at_field: '_loaded_at',
      fqn: ['shop', 'staging', 'raw', 'orders'],
      source_meta: { owner: 'data-eng' },
    });
    expect(orders.freshness?.warn_after).toEqual({ count: 12, period: 'hour' });
    expect(project.sources['source.shop.raw.payments'].freshness).toBeNull();
  });

  it('resolves refs, sources, macros that call ref, and seeds into parents and children', () => {
    expect(project.parent_map['model.shop.customers']).toEqual(['model.shop.stg_customers', 'model.shop.stg_orders', 'model.shop.stg_payments']);
    expect(project.parent_map['model.shop.stg_orders']).toEqual(['source.shop.raw.orders']);
    expect(project.parent_map['model.shop.stg_customers']).toEqual(['seed.shop.raw_customers']);
    expect(project.parent_map['model.shop.orders_via_macro']).toEqual(['model.shop.orders']);
    expect(node('model.shop.orders_via_macro').depends_on.macros).toContain('macro.shop.orders_relation');
    expect(project.child_map['model.shop.revenue']).toEqual(
      expect.arrayContaining(['exposure.shop.weekly_revenue', 'test.shop.assert_revenue_positive', 'test.shop.dbt_utils_expression_is_true_revenue_revenue_0.21164a58e1']),
    );
    // A package model's ref to a root model resolves (root project is searched first).
    expect(project.parent_map['model.helpers.helper_orders']).toEqual(['model.shop.stg_orders']);
  });

  it('compiles with real relation names and ephemeral CTE names', () => {
    expect(node('model.shop.stg_customers').compiled_code).toBe('select id as customer_id, first_name, last_name\nfrom "main"."main_raw"."raw_customers"\n');
    expect(node('model.shop.stg_payments').compiled_code).toContain('(amount / 100)::numeric(16, 2) as amount');
    expect(node('model.helpers.helper_dates').compiled_code).toBe("select cast('2020-01-01' as date) as date_day\n");
    expect(node('model.shop.orders').compiled_code).toContain("= 'gift_card' then payments.amount");
  });

  it('loads versioned models as one node per version', () => {
    const v1 = node('model.shop.dim_customers.v1');
    const v2 = node('model.shop.dim_customers.v2');
    expect([v1.name, v1.version, v1.latest_version, v1.alias]).toEqual(['dim_customers', 1, 2, 'dim_customers_v1']);
    expect(v2.fqn).toEqual(['shop', 'marts', 'dim_customers', 'v2']);
    expect(Object.keys(v1.columns)).toEqual(['customer_id', 'first_name']);
    expect(Object.keys(v2.columns)).toEqual(['customer_id', 'first_name', 'last_name']);
    // An unpinned ref means the latest version.
    expect(project.parent_map['model.shop.uses_dim']).toEqual(['model.shop.dim_customers.v1', 'model.shop.dim_customers.v2']);
    expect(node('model.shop.uses_dim').compiled_code).toBe(
      'select * from "main"."main"."dim_customers_v2"\nunion all\nselect *, null as last_name from "main"."main"."dim_customers_v1"\n',
    );
    expect(project.nodes['test.shop.not_null_dim_customers_v2_customer_id.7df2e38f8c'].test_metadata?.kwargs.model).toBe(
      "{{ get_where_subquery(ref('dim_customers', version='2')) }}",
    );
  });

  it('lists a Python model with its dbt.ref and dbt.source calls, never executed', () => {
    const py = node('model.shop.customer_scores');
    expect(py.language).toBe('python');
    expect(py.config.materialized).toBe('table');
    expect(py.tags).toEqual(['marts', 'scored', 'python']);
    expect(py.depends_on.nodes).toEqual(['model.shop.orders', 'source.shop.raw.payments']);
    expect(py.compiled_code).toBeNull();
  });

  it('reads the seed header and splits several snapshots out of one file', () => {
    expect(node('seed.shop.raw_customers').seed_columns).toEqual(['id', 'first_name', 'last name']);
    expect(node('seed.shop.raw_customers').schema).toBe('main_raw');
    const snap = node('snapshot.shop.customers_snapshot');
    expect(snap.schema).toBe('snapshots');
    expect(snap.config).toMatchObject({ unique_key: 'customer_id', strategy: 'check' });
    expect(snap.depends_on.nodes).toEqual(['model.shop.stg_customers']);
  });

  it('disables nodes by folder var, by config(enabled=var()) and their tests, and warns their consumers', () => {
    expect(Object.keys(project.disabled).sort()).toEqual(['model.shop.experimental', 'model.shop.old_orders', 'test.shop.unique_old_orders_order_id.cdc4c1799a']);
    expect(project.problems).toContainEqual({
      file: 'models/marts/legacy_report.sql',
      line: 1,
      message: "ref('old_orders') points to model.shop.old_orders, which is disabled",
      severity: 'warning',
      unique_id: 'model.shop.legacy_report',
    });
  });

  it('enables them when CLI vars say so (dbt_project.yml sees only CLI vars)', async () => {
    const enabled = await loadProject(FIXTURE, { runStartedAt, vars: { legacy_enabled: true, experimental_enabled: true }, compile: false });
    expect(enabled.nodes['model.shop.old_orders']).toBeDefined();
    expect(enabled.nodes['model.shop.experimental']).toBeDefined();
    expect(enabled.nodes['test.shop.unique_old_orders_order_id.cdc4c1799a']).toBeDefined();
    expect(enabled.disabled).toEqual({});
    expect(enabled.nodes['model.shop.orders'].compiled_code).toBeNull();
  });

  it('keeps a node that fails to render, with the error located and parents from a static scan', () => {
    const broken = node('model.shop.broken');
    expect(broken.render_error).toMatchObject({ file: 'models/marts/broken.sql', line: 4, severity: 'error' });
    expect(broken.render_error?.message).toMatch(/endif/);
    expect(broken.depends_on.nodes).toEqual(['model.shop.stg_orders']);
  });

  it('reports bad YAML, unknown refs, properties without a file and local packages outside the tree', () => {
    const problems = project.problems.map((p) => `${p.severity} ${p.file}:${p.line ?? '-'} ${p.message}`);
    expect(problems).toEqual(
      expect.arrayContaining([
        'error packages.yml:- local package `../analytics` points outside the project tree and was not loaded',
        'error models/misc/bad.yml:5 not valid YAML: Missing closing "quote',
        "error models/misc/orphan.sql:3 ref('missing_model'): no model, seed or snapshot named `missing_model` was found",
        'warning models/staging/schema.yml:51 properties for model `stg_ghost` but no such file exists',
      ]),
    );
    // The comment-only YAML file is not a problem; nothing else is reported.
    expect(project.problems.filter((p) => p.file === 'models/misc/empty.yml')).toEqual([]);
    expect(project.problems).toHaveLength(6);
  });

  it('loads local and installed packages, root folder configs overriding the package ones', () => {
    expect(project.packages).toEqual([
      { name: 'shop', root: '.', origin: 'root' },
      { name: 'helpers', root: 'local_pkgs/helpers', origin: 'local' },
      { name: 'ad_reporting', root: 'dbt_packages/ad_reporting', origin: 'installed' },
      { name: 'dbt_utils', root: 'dbt_packages/dbt_utils', origin: 'installed' },
    ]);
    const ad = node('model.ad_reporting.ad_spend');
    expect([ad.config.materialized, ad.schema, ad.original_file_path]).toEqual(['table', 'main_ads', 'models/ad_spend.sql']);
    expect(node('model.helpers.helper_dates').config.materialized).toBe('ephemeral');
    expect(Object.keys(project.macros).sort()).toEqual([
      'macro.dbt_utils.default__test_expression_is_true',
      'macro.dbt_utils.pretty_list',
      'macro.dbt_utils.test_expression_is_true',
      'macro.helpers.helpers_start_date',
      'macro.shop.cents_to_dollars',
      'macro.shop.materialization_lazy_table_duckdb',
      'macro.shop.orders_relation',
      'macro.shop.test_is_positive',
    ]);
    expect(project.macros['macro.dbt_utils.test_expression_is_true'].depends_on.macros).toEqual(['macro.dbt_utils.default__test_expression_is_true']);
  });

  it('keeps exposures with owners, groups and semantic models in the graph', () => {
    const exposure = project.exposures['exposure.shop.weekly_revenue'];
    expect(exposure.owner).toEqual({ name: 'Jane Doe', email: 'jane@example.com' });
    expect(exposure.depends_on.nodes).toEqual(['model.shop.revenue', 'model.shop.customers', 'source.shop.raw.orders']);
    expect(project.groups['group.shop.finance'].owner).toEqual({ name: 'Finance Team', email: 'finance@example.com' });
    expect(project.parent_map['semantic_model.shop.orders_sm']).toEqual(['model.shop.orders']);
    expect(project.other['metric.shop.order_count'].resource_type).toBe('metric');
  });
});

describe('generic tests from YAML', () => {
  const test = (id: string) => {
    const t = project.nodes[id];
    if (!t) throw new Error(`missing ${id}; tests: ${Object.keys(project.nodes).filter((k) => k.startsWith('test.')).join(', ')}`);
    return t;
  };

  it('names and hashes them as dbt does', () => {
    const ids = Object.keys(project.nodes).filter((id) => /^test\..*\.[0-9a-f]{10}$/.test(id)).sort();
    expect(ids).toEqual([
      'test.shop.accepted_values_stg_orders_status__placed__shipped__completed__return_pending__returned.080fb20aad',
      'test.shop.dbt_utils_expression_is_true_revenue_revenue_0.21164a58e1',
      'test.shop.is_positive_stg_customers_customer_id.9b641f267c',
      'test.shop.not_null_dim_customers_v1_customer_id.45feedb0d1',
      'test.shop.not_null_dim_customers_v2_customer_id.7df2e38f8c',
      'test.shop.not_null_stg_customers_customer_id.e2cfb1f9aa',
      'test.shop.not_null_stg_orders_order_id.81cfe2fe64',
      'test.shop.relationships_customers_customer_id__customer_id__ref_stg_customers_.e17c67013c',
      'test.shop.source_not_null_raw_orders_id.f232a64478',
      'test.shop.source_unique_raw_orders_id.56401af608',
      'test.shop.unique_customers_customer_id.c5af1ff4b1',
      'test.shop.unique_stg_orders_order_id.e3b841c71a',
    ]);
  });

  it('records metadata, configs and attachment like manifest.json', () => {
    const av = test('test.shop.accepted_values_stg_orders_status__placed__shipped__completed__return_pending__returned.080fb20aad');
    expect(av.alias).toBe('accepted_values_stg_orders_4f514bf94b77b7ea437830eec4421c58');
    expect(av.config.severity).toBe('warn');
    expect(av.test_metadata).toEqual({
      name: 'accepted_values',
      namespace: null,
      kwargs: { values: ['placed', 'shipped', 'completed', 'return_pending', 'returned'], column_name: 'status', model: "{{ get_where_subquery(ref('stg_orders')) }}" },
    });
    expect(av.column_name).toBe('status');
    expect(av.attached_node).toBe('model.shop.stg_orders');
    expect(av.tags).toEqual(['dq']);

    const nn = test('test.shop.not_null_stg_customers_customer_id.e2cfb1f9aa');
    expect(nn.config.where).toBe('customer_id > 0');
    expect(nn.depends_on.macros).toEqual(['macro.dbt.test_not_null', 'macro.dbt.get_where_subquery']);
    expect(test('test.shop.is_positive_stg_customers_customer_id.9b641f267c').depends_on.macros[0]).toBe('macro.shop.test_is_positive');

    const rel = test('test.shop.relationships_customers_customer_id__customer_id__ref_stg_customers_.e17c67013c');
    // dbt lists the `to:` model first, then the tested model (as in a real manifest).
    expect(rel.depends_on.nodes).toEqual(['model.shop.stg_customers', 'model.shop.customers']);
    expect(rel.alias).toBe('relationships_customers_d323b71203c2ada7ae80e3467ade1853');

    const ns = test('test.shop.dbt_utils_expression_is_true_revenue_revenue_0.21164a58e1');
    expect(ns.test_metadata?.namespace).toBe('dbt_utils');
    expect(ns.column_name).toBeNull();
    expect(ns.group).toBe('finance');
    expect(ns.depends_on.macros[0]).toBe('macro.dbt_utils.test_expression_is_true');

    const src = test('test.shop.source_unique_raw_orders_id.56401af608');
    expect(src.sources).toEqual([['raw', 'orders']]);
    expect(src.test_metadata?.kwargs.model).toBe("{{ get_where_subquery(source('raw', 'orders')) }}");
    expect([src.schema, src.original_file_path, src.path]).toEqual(['main_dbt_test__audit', 'models/staging/schema.yml', 'source_unique_raw_orders_id.sql']);
  });
});
