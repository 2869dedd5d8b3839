import { buildGraphMaps } from '../../../src/dbt/graph.js';
import type { DbtNode, Exposure, Project, SourceDefinition } from '../../../src/dbt/types.js';

/**
 * A hand-built project for graph and selector tests:
 *
 *   source raw.orders ──▶ stg_orders ─┐
 *   source raw.customers ▶ stg_customers ─┴▶ int_joined (ephemeral) ─┬▶ orders ──▶ revenue ──▶ exposure dash
 *   seed countries ───────────────────────────────────────────────────┴▶ customers ─────────────▶ (dash, assert_revenue)
 *   model utils.calendar (package) ──────────────────────────────────────────────▶ revenue
 *   tests: not_null_orders_order_id (orders), assert_revenue (revenue, customers)
 */

interface NodeSpec {
  type?: DbtNode['resource_type'];
  pkg?: string;
  file: string;
  deps?: string[];
  tags?: string[];
  materialized?: string;
  group?: string;
  generic?: boolean;
}

function node(id: string, spec: NodeSpec): DbtNode {
  const [type, pkg, name] = id.split('.');
  const folders = spec.file.split('/').slice(1, -1);
  return {
    unique_id: id,
    resource_type: type as DbtNode['resource_type'],
    name,
    package_name: pkg,
    path: spec.file.split('/').slice(1).join('/'),
    original_file_path: spec.file,
    fqn: [pkg, ...folders, name],
    database: 'db',
    schema: 'main',
    alias: name,
    relation_name: `db.main.${name}`,
    config: { enabled: true, materialized: spec.materialized ?? 'view', tags: spec.tags ?? [], meta: {}, group: spec.group ?? null },
    tags: spec.tags ?? [],
    meta: {},
    description: '',
    columns: {},
    language: 'sql',
    raw_code: '',
    refs: [],
    sources: [],
    depends_on: { nodes: spec.deps ?? [], macros: [] },
    group: spec.group ?? null,
    access: type === 'model' ? 'protected' : null,
    contract: { enforced: false },
    constraints: [],
    test_metadata: spec.generic ? { name: 'not_null', kwargs: {} } : null,
  };
}

function source(table: string): SourceDefinition {
  return {
    unique_id: `source.p.raw.${table}`,
    resource_type: 'source',
    name: table,
    source_name: 'raw',
    package_name: 'p',
    original_file_path: 'models/staging/_sources.yml',
    path: 'models/staging/_sources.yml',
    fqn: ['p', 'staging', 'raw', table],
    database: 'db',
    schema: 'raw',
    identifier: table,
    relation_name: `db.raw.${table}`,
    description: '',
    source_description: '',
    loader: '',
    quoting: {},
    meta: {},
    source_meta: {},
    tags: [],
    columns: {},
    config: { enabled: true },
  };
}

export function smallProject(): Project {
  const nodes: Record<string, DbtNode> = {};
  const add = (id: string, spec: NodeSpec) => (nodes[id] = node(id, spec));
  add('seed.p.countries', { file: 'seeds/countries.csv', materialized: 'seed' });
  add('model.p.stg_orders', { file: 'models/staging/stg_orders.sql', deps: ['source.p.raw.orders'], tags: ['staging'] });
  add('model.p.stg_customers', { file: 'models/staging/stg_customers.sql', deps: ['source.p.raw.customers'], tags: ['staging', 'pii'] });
  add('model.p.int_joined', { file: 'models/intermediate/int_joined.sql', deps: ['model.p.stg_orders', 'model.p.stg_customers'], materialized: 'ephemeral' });
  add('model.p.orders', { file: 'models/marts/orders.sql', deps: ['model.p.int_joined'], materialized: 'table', tags: ['nightly'] });
  add('model.p.customers', { file: 'models/marts/customers.sql', deps: ['model.p.int_joined', 'seed.p.countries'], materialized: 'table' });
  add('model.p.revenue', { file: 'models/marts/finance/revenue.sql', deps: ['model.p.orders', 'model.utils.calendar'], materialized: 'table', group: 'finance' });
  add('model.utils.calendar', { file: 'models/staging/calendar.sql', materialized: 'table' });
  add('test.p.not_null_orders_order_id', { file: 'models/marts/_marts.yml', deps: ['model.p.orders'], materialized: 'test', generic: true });
  add('test.p.assert_revenue', { file: 'tests/assert_revenue.sql', deps: ['model.p.revenue', 'model.p.customers'], materialized: 'test' });
  const sources = { 'source.p.raw.orders': source('orders'), 'source.p.raw.customers': source('customers') };
  const dash: Exposure = {
    unique_id: 'exposure.p.dash',
    resource_type: 'exposure',
    name: 'dash',
    type: 'dashboard',
    owner: { name: 'Ana' },
    description: '',
    package_name: 'p',
    original_file_path: 'models/marts/_exposures.yml',
    path: 'marts/_exposures.yml',
    fqn: ['p', 'marts', 'dash'],
    tags: [],
    meta: {},
    refs: [],
    sources: [],
    depends_on: { nodes: ['model.p.revenue', 'model.p.customers'], macros: [] },
    config: { enabled: true },
  };
  const exposures = { [dash.unique_id]: dash };
  const maps = buildGraphMaps({ nodes, sources, exposures, other: {} });
  return {
    name: 'p',
    root: '/nowhere',
    origin: 'files',
    target: { name: 'dev', type: 'duckdb', database: 'db', schema: 'main' },
    vars: {},
    packages: [],
    nodes,
    sources,
    exposures,
    macros: {},
    groups: {},
    other: {},
    disabled: {},
    ...maps,
    problems: [],
  };
}
