import type { Macro } from '../../../src/dbt/types.js';
import type { RenderTarget, RendererOptions, RenderRequest } from '../../../src/dbt/render/types.js';
import { createRenderer } from '../../../src/dbt/render/index.js';

/** A Macro record as the loader builds it from one `{% macro %}` block. */
export function macro(pkg: string, sql: string, file = 'macros/m.sql'): Macro {
  const name = /\{%-?\s*(?:macro|test)\s+(\w+)/.exec(sql)?.[1] ?? 'x';
  const isTest = /\{%-?\s*test\s/.test(sql);
  const full = isTest ? `test_${name}` : name;
  return {
    unique_id: `macro.${pkg}.${full}`,
    resource_type: 'macro',
    name: full,
    package_name: pkg,
    original_file_path: file,
    path: file,
    macro_sql: sql,
    description: '',
    arguments: [],
    depends_on: { macros: [] },
  };
}

export const RELATIONS: Record<string, string> = {
  orders: 'analytics.prod.orders',
  customers: 'analytics.prod.customers',
  'finance.revenue': 'analytics.finance.revenue',
};

export function options(overrides: Partial<RendererOptions> = {}): RendererOptions {
  return {
    rootProject: 'shop',
    target: { name: 'dev', type: 'duckdb', database: 'analytics', schema: 'dev_schema', threads: 4 },
    projectVars: {},
    cliVars: {},
    macros: [],
    dispatch: [],
    packages: ['shop'],
    env: {},
    envAllow: [],
    resolveRef: (ref) => RELATIONS[ref.package ? `${ref.package}.${ref.name}` : ref.name] ?? (ref.version != null && ref.name === 'dim' ? `analytics.prod.dim_v${ref.version}` : undefined),
    resolveSource: (source, table) => (source === 'raw' ? `raw_db.${source}.${table}` : undefined),
    runStartedAt: new Date(Date.UTC(2024, 2, 5, 6, 7, 8)),
    ...overrides,
  };
}

export function node(overrides: Partial<RenderTarget> = {}): RenderTarget {
  return {
    unique_id: 'model.shop.my_model',
    name: 'my_model',
    package_name: 'shop',
    resource_type: 'model',
    original_file_path: 'models/my_model.sql',
    database: 'analytics',
    schema: 'dev_schema',
    alias: 'my_model',
    config: { materialized: 'view' },
    ...overrides,
  };
}

export function render(template: string, opts: Partial<RendererOptions> = {}, req: Partial<RenderRequest> = {}) {
  return createRenderer(options(opts)).render({ node: node(), template, mode: 'compile', ...req });
}
