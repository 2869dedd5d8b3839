/**
 * Builds test nodes the way the project loader does: the YAML entry goes through the loader's own
 * buildGenericTest (so kwargs, names and config split are dbt's), then configs get dbt's defaults,
 * and refs become depends_on ids.
 */
import { buildGenericTest } from '../../../src/dbt/generic-tests.js';
import { skeleton } from '../../../src/dbt/nodes.js';
import { TEST_CONFIG_DEFAULTS } from '../../../src/dbt/test-nodes.js';
import type { DbtNode, NodeConfig, Project } from '../../../src/dbt/types.js';

export const PKG = 'shop';

export function modelNode(name: string, relation: string): DbtNode {
  const node = skeleton('model', name, PKG, { path: `${name}.sql`, original_file_path: `models/${name}.sql` }, 'select 1', [PKG, name]);
  node.relation_name = relation;
  node.schema = 'main';
  node.database = 'memory';
  node.config = { ...node.config, materialized: 'table' };
  return node;
}

function config(extra: Record<string, unknown>): NodeConfig {
  return { ...TEST_CONFIG_DEFAULTS, enabled: true, materialized: 'test', tags: [], meta: {}, ...extra };
}

/** Macro packages the loader would resolve an unprefixed test name to. */
const MACRO_PACKAGE: Record<string, string> = { not_null: 'dbt', unique: 'dbt', accepted_values: 'dbt', relationships: 'dbt' };

/**
 * A generic test from a YAML entry such as `'not_null'` or
 * `{ 'dbt_utils.expression_is_true': { expression: 'amount >= 0', config: { severity: 'warn' } } }`.
 */
export function genericTest(project: Project, modelName: string, entry: unknown, column: string | null = null): DbtNode {
  const spec = buildGenericTest(entry, { kind: 'node', name: modelName }, column ? { name: column } : null, [], PKG, (v) => v);
  if ('error' in spec) throw new Error(spec.error);
  const node = skeleton('test', spec.name, PKG, { path: `${spec.short_name}.sql`, original_file_path: `models/schema.yml` }, spec.raw_code, [PKG, spec.name]);
  node.unique_id = spec.unique_id;
  node.test_metadata = spec.test_metadata;
  node.column_name = spec.column_name;
  node.description = spec.description;
  node.refs = spec.refs;
  node.config = config(spec.config);
  const [ns, short] = spec.macro_name.includes('.') ? spec.macro_name.split('.') : [MACRO_PACKAGE[spec.test_metadata.name] ?? PKG, spec.macro_name];
  node.depends_on = {
    nodes: [...new Set(spec.refs.map((r) => `model.${PKG}.${r.name}`))].filter((id) => id in project.nodes),
    macros: [`macro.${ns}.${short}`, 'macro.dbt.get_where_subquery'],
  };
  node.attached_node = `model.${PKG}.${modelName}`;
  project.nodes[node.unique_id] = node;
  return node;
}

/** A singular test: SQL already compiled against production relations, as the loader leaves it. */
export function singularTest(project: Project, name: string, compiled: string | null, dependsOn: string[], extra: Record<string, unknown> = {}): DbtNode {
  const node = skeleton('test', name, PKG, { path: `${name}.sql`, original_file_path: `tests/${name}.sql` }, compiled ?? '', [PKG, name]);
  node.compiled_code = compiled;
  node.config = config(extra);
  node.depends_on = { nodes: dependsOn, macros: [] };
  project.nodes[node.unique_id] = node;
  return node;
}

export function emptyProject(models: DbtNode[]): Project {
  return {
    name: PKG,
    root: '/tmp/shop',
    origin: 'files',
    target: { name: 'dev', type: 'duckdb', database: 'memory', schema: 'main' },
    vars: {},
    packages: [{ name: PKG, root: '.', origin: 'root' }],
    nodes: Object.fromEntries(models.map((m) => [m.unique_id, m])),
    sources: {},
    exposures: {},
    macros: {},
    groups: {},
    other: {},
    disabled: {},
    parent_map: {},
    child_map: {},
    problems: [],
  };
}
