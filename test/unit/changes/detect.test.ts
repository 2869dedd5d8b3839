import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { detectChanges } from '../../../src/assess/changes.js';
import type { ChangeSet, ModelChange } from '../../../src/assess/types.js';
import type { Project } from '../../../src/dbt/types.js';
import { BASE_FILES, cleanup, edit, project } from './project-kit.js';
import { columnReasonText, semanticSummary } from '../../../src/report/semantic.js';

let base: Project;
beforeAll(async () => {
  base = await project();
});
afterAll(cleanup);

async function changesFor(files: Record<string, string | null>, options?: Parameters<typeof detectChanges>[2]): Promise<ChangeSet> {
  return detectChanges(base, await project(files), options);
}

function model(cs: ChangeSet, name: string): ModelChange {
  const m = cs.models.find((x) => x.name === name);
  if (!m) throw new Error(`${name} not changed; changed: ${cs.models.map((x) => x.name).join(', ')}`);
  return m;
}

const kinds = (m: ModelChange) => m.reasons.map((r) => r.kind);
const classes = (m: ModelChange) => Object.fromEntries(m.columns.map((c) => [c.column, c.class]));

describe('no change', () => {
  it('the same project yields an empty change set', async () => {
    expect(await changesFor({})).toEqual({ models: [], macros: [], vars: [], other_files: [] });
  });

  it('whitespace, comments and keyword case alone are not a change', async () => {
    const cs = await changesFor({
      'models/staging/stg_orders.sql': `/* staged orders, reformatted */
SELECT id AS order_id, customer_id,   {{ cents('amount_cents') }} AS amount, -- dollars
       {{ cents('refund_cents') }} AS refund, order_date, status
FROM {{ source('raw', 'orders') }}
`,
      'macros/cents.sql': `{# divide by a hundred #}\n{% macro cents(col) %}\n  ({{ col }} / 100.0)\n{% endmacro %}\n`,
    });
    expect(cs.models).toEqual([]);
    expect(cs.macros).toEqual([]);
  });

  it('passes the caller\'s other files through', async () => {
    expect((await changesFor({}, { otherFiles: ['README.md'] })).other_files).toEqual(['README.md']);
  });
});

describe('added, removed, renamed', () => {
  it('a new model is added, additive, with no semantic diff', async () => {
    const cs = await changesFor({ 'models/marts/vip.sql': "select customer_id from {{ ref('customer_revenue') }} where revenue > 1000\n" });
    const m = model(cs, 'vip');
    expect(m).toMatchObject({ unique_id: 'model.shop.vip', status: 'added', semantic_status: 'not_applicable', class: 'additive', base_unique_id: null });
    expect(m.reasons).toEqual([{ kind: 'new', detail: { file: 'models/marts/vip.sql' } }]);
    expect(classes(m)).toEqual({ customer_id: 'additive' });
    expect(cs.models).toHaveLength(1);
  });

  it('a removed model is breaking', async () => {
    const cs = await changesFor({ 'models/order_dates.sql': null });
    const m = model(cs, 'order_dates');
    expect(m).toMatchObject({ status: 'removed', base_unique_id: 'model.shop.order_dates', class: 'breaking' });
    expect(classes(m)).toEqual({ order_id: 'breaking', order_date: 'breaking' });
  });

  it('disabling a model removes it; enabling it again adds it', async () => {
    const disabled = await project(edit('models/schema.yml', '      tags: [nightly]', '      tags: [nightly]\n      enabled: false'));
    const off = detectChanges(base, disabled);
    expect(off.models.map((m) => [m.name, m.status])).toEqual([['order_dates', 'removed']]);
    expect(off.models[0].reasons).toEqual([{ kind: 'removed', detail: { file: 'models/order_dates.sql', disabled: true } }]);
    const on = detectChanges(disabled, base);
    expect(on.models.map((m) => [m.name, m.status])).toEqual([['order_dates', 'added']]);
    expect(on.models[0].reasons).toEqual([{ kind: 'new', detail: { file: 'models/order_dates.sql', enabled: true } }]);
  });

  it('a git rename with an edit is one renamed model, with its body change', async () => {
    const cs = await changesFor(
      { 'models/order_dates.sql': null, 'models/order_days.sql': "select order_id, order_date, status from {{ ref('stg_orders') }}\n" },
      { renamedFiles: [{ from: 'analytics/models/order_dates.sql', to: 'analytics/models/order_days.sql' }] },
    );
    expect(cs.models).toHaveLength(1);
    const m = model(cs, 'order_days');
    expect(m).toMatchObject({ status: 'renamed', unique_id: 'model.shop.order_days', base_unique_id: 'model.shop.order_dates', semantic_status: 'ok', class: 'breaking' });
    expect(m.reasons[0]).toEqual({
      kind: 'renamed',
      detail: { from: 'order_dates', to: 'order_days', from_file: 'models/order_dates.sql', to_file: 'models/order_days.sql', detected_by: 'git' },
    });
    // The YAML still names order_dates, so the renamed model lost its `nightly` tag: that is reported too.
    expect(kinds(m)).toEqual(['renamed', 'body', 'relation', 'tags']);
    expect(m.reasons[3]).toEqual({ kind: 'tags', detail: { added: [], removed: ['nightly'] } });
    expect(m.semantic.map((s) => [s.kind, s.column])).toEqual([['column_added', 'status']]);
  });

  it('the same SQL under a new name is a rename without git', async () => {
    const cs = await changesFor({ 'models/order_dates.sql': null, 'models/dates_of_orders.sql': "SELECT order_id, order_date\n  FROM {{ ref('stg_orders') }}" });
    expect(cs.models.map((m) => [m.name, m.status, m.base_unique_id])).toEqual([['dates_of_orders', 'renamed', 'model.shop.order_dates']]);
    expect(cs.models[0].reasons[0].detail.detected_by).toBe('same_sql');
    expect(kinds(cs.models[0])).toEqual(['renamed', 'relation', 'tags']);
  });
});

describe('body changes and column classes', () => {
  it('a 90-day window makes every column breaking', async () => {
    const cs = await changesFor(edit('models/marts/customer_revenue.sql', 'group by', "where order_date >= current_date - interval '90 days'\ngroup by"));
    const m = model(cs, 'customer_revenue');
    expect(kinds(m)).toEqual(['body']);
    expect(m.semantic.map(semanticSummary)).toEqual(['now only includes rows where order_date is within the last 90 days']);
    expect(classes(m)).toEqual({ customer_id: 'breaking', revenue: 'breaking', order_count: 'breaking' });
    expect(m.class).toBe('breaking');
    expect(m.columns[0].because.map(columnReasonText)).toEqual(['row set changed: now only includes rows where order_date is within the last 90 days']);
  });

  it('an expression change outside filters is partial for that column only', async () => {
    const m = model(await changesFor(edit('models/marts/customer_revenue.sql', 'sum(amount)', 'sum(amount - refund)')), 'customer_revenue');
    expect(m.semantic.map(semanticSummary)).toEqual(['revenue now subtracts refund']);
    expect(classes(m)).toEqual({ customer_id: 'unchanged', revenue: 'partial', order_count: 'unchanged' });
    expect(m.class).toBe('partial');
  });

  it('a new column is additive', async () => {
    const m = model(await changesFor(edit('models/marts/customer_revenue.sql', 'count(*) as order_count', 'count(*) as order_count,\n    max(order_date) as last_order')), 'customer_revenue');
    expect(classes(m)).toEqual({ customer_id: 'unchanged', revenue: 'unchanged', order_count: 'unchanged', last_order: 'additive' });
    expect(m.class).toBe('additive');
  });

  it('a removed column is breaking; wrapping a column in a cast is only partial', async () => {
    const m = model(await changesFor({ 'models/order_dates.sql': "select cast(order_id as varchar) as order_id from {{ ref('stg_orders') }}\n" }), 'order_dates');
    expect(classes(m)).toEqual({ order_id: 'partial', order_date: 'breaking' });
    expect(m.columns[1].because.map(columnReasonText)).toEqual(['column removed']);
  });

  it('a cast to another type is breaking', async () => {
    const sql = (type: string) => ({ 'models/order_dates.sql': `select cast(order_id as ${type}) as order_id, order_date from {{ ref('stg_orders') }}\n` });
    const cs = detectChanges(await project(sql('integer')), await project(sql('varchar')));
    const m = model(cs, 'order_dates');
    expect(classes(m)).toEqual({ order_id: 'breaking', order_date: 'unchanged' });
    expect(m.columns[0].because).toEqual([{ kind: 'type_changed', before: 'integer', after: 'varchar' }]);
    expect(m.columns[0].because.map(columnReasonText)).toEqual(['type changed: integer → varchar']);
  });

  it('a new grouping key changes the grain: breaking', async () => {
    const m = model(await changesFor(edit('models/marts/customer_revenue.sql', 'group by customer_id', 'group by customer_id, status')), 'customer_revenue');
    expect(m.class).toBe('breaking');
    expect(m.columns.every((c) => c.class === 'breaking')).toBe(true);
    expect(columnReasonText(m.columns[0].because[0])).toMatch(/^grain changed: grouping changed: now also groups by status/);
  });

  it('SQL that does not parse gives unknown classes, with the reason', async () => {
    const m = model(await changesFor(edit('models/order_dates.sql', 'select order_id', 'select order_id,, oops')), 'order_dates');
    expect(m.semantic_status).toBe('unknown');
    expect(m.semantic_reason).toMatch(/^head version: /);
    expect(m.class).toBe('unknown');
  });
});

describe('config', () => {
  it('a materialization change', async () => {
    const m = model(await changesFor(edit('models/order_dates.sql', 'select', "{{ config(materialized='table') }}\nselect")), 'order_dates');
    expect(m.reasons).toEqual([{ kind: 'materialization', detail: { from: 'view', to: 'table' } }]);
    expect(m.class).toBe('unchanged');
    expect(m.semantic_status).toBe('ok');
  });

  it('a schema change moves the relation; children are not edited by it', async () => {
    const cs = await changesFor(edit('models/marts/customer_revenue.sql', 'select', "{{ config(schema='finance') }}\nselect"));
    expect(cs.models.map((m) => m.name)).toEqual(['customer_revenue']);
    const m = model(cs, 'customer_revenue');
    expect(m.reasons).toEqual([{ kind: 'relation', detail: { before: '"main"."main"."customer_revenue"', after: '"main"."main_finance"."customer_revenue"', keys: ['schema'] } }]);
    expect(m.class).toBe('breaking');
  });

  it('other config keys are listed by name', async () => {
    const m = model(await changesFor(edit('models/order_dates.sql', 'select', "{{ config(persist_docs={'relation': true}) }}\nselect")), 'order_dates');
    expect(m.reasons).toEqual([{ kind: 'config', detail: { keys: ['persist_docs'], before: { persist_docs: null }, after: { persist_docs: { relation: true } } } }]);
  });

  it('a folder config in dbt_project.yml reaches the models in that folder, as project config', async () => {
    const cs = await changesFor(edit('dbt_project.yml', '+materialized: table', '+materialized: incremental'));
    expect(cs.models.map((m) => m.name)).toEqual(['customer_revenue', 'customer_tiers']);
    expect(model(cs, 'customer_tiers').reasons).toEqual([
      { kind: 'materialization', detail: { from: 'table', to: 'incremental' } },
      { kind: 'project_config', detail: { keys: ['materialized'] } },
    ]);
  });

  it('with the changed files known, a YAML config edit is not project config', async () => {
    const files = edit('models/schema.yml', '      tags: [nightly]', "      tags: [nightly]\n      materialized: table");
    const cs = await changesFor(files, { changedFiles: ['models/schema.yml'] });
    expect(kinds(model(cs, 'order_dates'))).toEqual(['materialization']);
  });
});

describe('YAML', () => {
  it('a column description change', async () => {
    const m = model(await changesFor(edit('models/schema.yml', 'All-time revenue.', 'Revenue over the last 90 days.')), 'customer_revenue');
    expect(m.reasons).toEqual([
      { kind: 'columns', detail: { added: [], removed: [], changed: [{ column: 'revenue', changes: [{ field: 'description', before: 'All-time revenue.', after: 'Revenue over the last 90 days.' }] }] } },
    ]);
    expect(m.class).toBe('unchanged');
    expect(m.semantic_status).toBe('ok');
  });

  it('a test added', async () => {
    const m = model(await changesFor(edit('models/schema.yml', '        data_type: double', '        data_type: double\n        tests: [not_null]')), 'customer_revenue');
    expect(m.reasons).toEqual([{ kind: 'tests', detail: { added: [{ name: 'not_null_customer_revenue_revenue', unique_id: expect.stringMatching(/^test\.shop\.not_null_customer_revenue_revenue\./), column: 'revenue' }], removed: [], changed: [] } }]);
  });

  it('a test config change is a changed test', async () => {
    const m = model(await changesFor(edit('models/schema.yml', 'tests: [unique, not_null]', "tests:\n          - unique:\n              config:\n                severity: warn\n          - not_null")), 'customer_revenue');
    const detail = m.reasons[0].detail as { changed: { name: string }[]; added: unknown[] };
    expect(detail.changed.map((t) => t.name)).toEqual(['unique_customer_revenue_customer_id']);
    expect(detail.added).toEqual([]);
  });

  it('a contract toggle', async () => {
    const m = model(await changesFor(edit('models/schema.yml', '    meta:\n      owner: finance-analytics', '    config:\n      contract:\n        enforced: true\n    meta:\n      owner: finance-analytics')), 'customer_revenue');
    expect(m.reasons.find((r) => r.kind === 'contract')).toEqual({ kind: 'contract', detail: { from: false, to: true, constraints_changed: false } });
  });

  it('a declared data_type change is breaking under an enforced contract, documentation otherwise', async () => {
    const contract = edit('models/schema.yml', '    meta:\n      owner: finance-analytics', '    config:\n      contract:\n        enforced: true\n    meta:\n      owner: finance-analytics');
    const retype = (files: Record<string, string>) => ({ 'models/schema.yml': files['models/schema.yml'].replace('data_type: double', 'data_type: decimal(18,2)') });
    const enforced = detectChanges(await project(contract), await project(retype(contract)));
    expect(classes(model(enforced, 'customer_revenue'))).toEqual({ customer_id: 'unchanged', revenue: 'breaking', order_count: 'unchanged' });
    const plain = await changesFor(retype({ 'models/schema.yml': BASE_FILES['models/schema.yml'] }));
    expect(model(plain, 'customer_revenue').class).toBe('unchanged');
  });

  it('description, tags and meta each have their reason', async () => {
    const m = model(
      await changesFor(edit('models/schema.yml', '    description: Revenue per customer.\n    meta:\n      owner: finance-analytics', '    description: Revenue per customer, net.\n    tags: [finance]\n    meta:\n      owner: growth')),
      'customer_revenue',
    );
    expect(m.reasons).toEqual([
      { kind: 'description', detail: { before: 'Revenue per customer.', after: 'Revenue per customer, net.' } },
      { kind: 'tags', detail: { added: ['finance'], removed: [] } },
      { kind: 'meta', detail: { keys: ['owner'], before: { owner: 'finance-analytics' }, after: { owner: 'growth' } } },
    ]);
  });
});

describe('macros and vars', () => {
  it('a macro change reaches the two models that call it, not the third', async () => {
    const cs = await changesFor({ 'macros/cents.sql': '{% macro cents(col) %}round({{ col }} / 100.0, 2){% endmacro %}\n' });
    expect(cs.macros).toEqual([{ unique_id: 'macro.shop.cents', status: 'modified', models: ['model.shop.stg_customers', 'model.shop.stg_orders'] }]);
    expect(cs.models.map((m) => m.name)).toEqual(['stg_customers', 'stg_orders']);
    const orders = model(cs, 'stg_orders');
    expect(orders.reasons).toEqual([
      { kind: 'body', detail: { compared: 'compiled_code' } },
      { kind: 'macro', detail: { macros: ['macro.shop.cents'] } },
    ]);
    expect(classes(orders)).toEqual({ order_id: 'unchanged', customer_id: 'unchanged', amount: 'partial', refund: 'partial', order_date: 'unchanged', status: 'unchanged' });
  });

  it('a macro reached through another macro counts', async () => {
    const files = {
      'macros/dollars.sql': '{% macro dollars(col) %}{{ cents(col) }}{% endmacro %}\n',
      ...edit('models/staging/stg_customers.sql', "{{ cents('credit_cents') }}", "{{ dollars('credit_cents') }}"),
    };
    const before = await project(files);
    const after = await project({ ...files, 'macros/cents.sql': '{% macro cents(col) %}({{ col }} / 1000.0){% endmacro %}\n' });
    const cs = detectChanges(before, after);
    expect(cs.models.map((m) => [m.name, m.reasons.find((r) => r.kind === 'macro')?.detail])).toEqual([
      ['stg_customers', { macros: ['macro.shop.cents'] }],
      ['stg_orders', { macros: ['macro.shop.cents'] }],
    ]);
  });

  it('a var change marks the models that read it, with the new filter', async () => {
    const files = edit('models/marts/customer_revenue.sql', 'group by', 'where order_date >= {{ window_start() }}\ngroup by');
    const before = await project(files);
    const after = await project({ ...files, ...edit('dbt_project.yml', 'window_days: 90', 'window_days: 30') });
    const cs = detectChanges(before, after);
    expect(cs.vars).toEqual([{ name: 'window_days', before: 90, after: 30 }]);
    expect(cs.models.map((m) => m.name)).toEqual(['customer_revenue']);
    const m = model(cs, 'customer_revenue');
    expect(kinds(m)).toEqual(['body', 'project_vars']);
    expect(m.reasons[1].detail).toEqual({ vars: ['window_days'] });
    expect(m.semantic.map((s) => s.kind)).toEqual(['filter_changed']);
    expect(m.class).toBe('breaking');
  });

  it('a var nobody reads changes no model', async () => {
    const cs = await changesFor(edit('dbt_project.yml', 'currency: usd', 'currency: eur'));
    expect(cs.vars).toEqual([{ name: 'currency', before: 'usd', after: 'eur' }]);
    expect(cs.models).toEqual([]);
  });
});
