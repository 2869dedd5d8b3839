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

/** A kwarg as a Jinja expression: `{{ … }}` and `ref(…)`/`source(…)` text are expressions, other values literals. */
function jinjaExpr(value: unknown): string {
  if (typeof value === 'string') {
    const wrapped = /^\s*\{\{([\s\S]*)\}\}\s*$/.exec(value);
    if (wrapped && !wrapped[1].includes('}}')) return `(${wrapped[1].trim()})`;
    if (/^\s*(ref|source)\s*\(/.test(value)) return `(${value.trim()})`;
    return JSON.stringify(value);
  }
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value === null || value === undefined) return 'none';
  if (Array.isArray(value)) return `[${value.map(jinjaExpr).join(', ')}]`;
  if (isRecord(value)) return `{${Object.entries(value).map(([k, v]) => `${JSON.stringify(k)}: ${jinjaExpr(v)}`).join(', ')}}`;
  return JSON.stringify(String(value));
}

/**
 * The template that runs a generic test's macro with its arguments, as dbt calls it: the macro
 * named by `macro_name` (`test_<name>`, or `<package>.test_<name>`) with `model`, `column_name`
 * and the test's other arguments.
 */
export function genericTestTemplate(test: DbtNode): { template: string } | { error: string } {
  const kwargs = test.test_metadata?.kwargs ?? {};
  const bad = Object.keys(kwargs).find((k) => !/^[A-Za-z_][A-Za-z0-9_]*$/.test(k));
  if (bad !== undefined) return { error: `test argument ${JSON.stringify(bad)} is not a valid argument name` };
  const args = Object.entries(kwargs).map(([k, v]) => `${k}=${jinjaExpr(v)}`);
  // raw_code is `{{ <macro>(**_dbt_generic_test_kwargs) }}` and its config() call.
  return { template: test.raw_code.replace('(**_dbt_generic_test_kwargs)', `(${args.join(', ')})`) };
}

/**
 * Whether a generic test's macro is one the project or an installed package defines (not one of
 * dbt's own, and not a package's that is not installed: dbt_packages/ is rarely committed).
 */
export function hasProjectTestMacro(test: DbtNode, macroIds: ReadonlySet<string>): boolean {
  const macro = test.depends_on.macros[0];
  return !!test.test_metadata && typeof macro === 'string' && !macro.startsWith('macro.dbt.') && macroIds.has(macro);
}
