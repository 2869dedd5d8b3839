import type { ProjectFile } from './files.js';
import { folderParts } from './files.js';
import type { GenericTestSpec } from './generic-tests.js';
import { skeleton } from './nodes.js';
import type { DbtNode, Macro } from './types.js';
import { isRecord } from './yaml.js';

/** dbt's defaults for every test's config (TestConfig), before folder and test-entry configs. */
export const TEST_CONFIG_DEFAULTS: Record<string, unknown> = {
  materialized: 'test',
  severity: 'ERROR',
  schema: 'dbt_test__audit',
  store_failures: null,
  store_failures_as: null,
  where: null,
  limit: null,
  fail_calc: 'count(*)',
  warn_if: '!= 0',
  error_if: '!= 0',
};

/**
 * A generic test node from its spec, before configs are merged: `path` is dbt's pseudo path
 * `<short name>.sql`, original_file_path the YAML file that declares it.
 */
export function genericTestNode(spec: GenericTestSpec, yamlFile: ProjectFile, package_name: string): DbtNode {
  const fqn = [package_name, ...folderParts(yamlFile.path), spec.name];
  const node = skeleton('test', spec.name, package_name, { path: `${spec.short_name}.sql`, original_file_path: yamlFile.original_file_path }, spec.raw_code, fqn);
  node.unique_id = spec.unique_id;
  node.alias = spec.short_name;
  node.description = spec.description;
  node.test_metadata = spec.test_metadata;
  node.column_name = spec.column_name;
  node.refs = spec.refs;
  node.sources = spec.sources;
  node.tags = spec.tags;
  return node;
}

/** The macro a generic test calls: root project first, then the test's package, then any (dbt's order), else dbt's own. */
export function testMacroResolver(macros: Macro[], rootProject: string): (macroName: string, pkg: string) => string {
  const byName = new Map<string, Macro[]>();
  for (const m of macros) {
    const list = byName.get(m.name);
    if (list) list.push(m);
    else byName.set(m.name, [m]);
  }
  return (macroName, pkg) => {
    const [ns, name] = macroName.includes('.') ? macroName.split('.') : [null, macroName];
    if (ns) return `macro.${ns}.${name}`;
    const found = byName.get(name) ?? [];
    const hit = found.find((m) => m.package_name === rootProject) ?? found.find((m) => m.package_name === pkg) ?? found[0];
    return hit ? hit.unique_id : `macro.dbt.${name}`;
  };
}

export function columnArg(c: Record<string, unknown> | null): { name: string; quote?: boolean | null } | null {
  return c ? { name: String(c.name), quote: typeof c.quote === 'boolean' ? c.quote : null } : null;
}

export function columnTags(c: Record<string, unknown> | null): string[] {
  if (!c) return [];
  const tags = (v: unknown): string[] => (typeof v === 'string' ? [v] : Array.isArray(v) ? v.map(String) : []);
  return [...tags(c.tags), ...tags(isRecord(c.config) ? c.config.tags : undefined)];
}
