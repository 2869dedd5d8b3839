import { md5, pyRepr, pyStr } from './python-repr.js';
import { scanRefsAndSources } from './ref-scan.js';
import type { RefCall, SourceCall, TestMetadata } from './types.js';
import { isRecord } from './yaml.js';

/**
 * Generic tests declared in YAML (`tests:`/`data_tests:`), named and hashed exactly as dbt-core's
 * TestBuilder and SchemaGenericTestParser do, so that our test unique ids equal manifest.json's.
 */

/** What a test is attached to. */
export type TestTarget =
  | { kind: 'node'; name: string; version?: string | number | null }
  | { kind: 'source'; source: string; table: string };

/** Arguments dbt moves from a test entry into its config. */
const CONFIG_ARGS = [
  'severity',
  'tags',
  'enabled',
  'where',
  'limit',
  'warn_if',
  'error_if',
  'fail_calc',
  'store_failures',
  'store_failures_as',
  'meta',
  'database',
  'schema',
  'alias',
];

const TEST_NAME = /^(?:([a-zA-Z_][0-9a-zA-Z_]*)\.)?([a-zA-Z_][0-9a-zA-Z_]*)/;

export interface GenericTestSpec {
  /** dbt's full name (unique_id and fqn). */
  name: string;
  /** The name truncated with a hash when 64 characters or longer (used as alias and path). */
  short_name: string;
  unique_id: string;
  test_metadata: TestMetadata;
  column_name: string | null;
  /** Config set on the test entry itself (top-level config args and `config:`), rendered. */
  config: Record<string, unknown>;
  tags: string[];
  description: string;
  raw_code: string;
  /** `test_<name>`, or `<namespace>.test_<name>`. */
  macro_name: string;
  refs: RefCall[];
  sources: SourceCall[];
}

/** dbt's synthesize_generic_test_names: [short name, full name]. */
export function synthesizeTestNames(testType: string, targetName: string, args: Record<string, unknown>): [string, string] {
  const flat: string[] = [];
  for (const key of Object.keys(args).sort()) {
    if (key === 'model') continue;
    const value = args[key];
    const parts = isRecord(value) ? Object.values(value) : Array.isArray(value) ? value : [value];
    for (const part of parts) flat.push(pyStr(part));
  }
  const unique = flat.map((a) => a.replace(/[^0-9a-zA-Z_]+/g, '_')).join('__');
  const identifier = `${testType}_${targetName}`;
  const full = `${identifier}_${unique}`;
  if (full.length >= 64) return [`${identifier.slice(0, 30)}_${md5(full)}`, full];
  return [full, full];
}

/** dbt's get_hashable_md: dicts with sorted keys, lists kept, every leaf `str()`-ed. */
function hashable(data: unknown): unknown {
  if (isRecord(data)) {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(data).sort()) out[k] = hashable(data[k]);
    return out;
  }
  if (Array.isArray(data)) return data.map(hashable);
  return pyStr(data);
}

export function testHash(name: string, metadata: TestMetadata): string {
  const md = { name: metadata.name, namespace: metadata.namespace ?? null, kwargs: metadata.kwargs };
  return md5(name + pyRepr(hashable(md))).slice(-10);
}

function modelString(target: TestTarget): string {
  if (target.kind === 'source') return `{{ get_where_subquery(source('${target.source}', '${target.table}')) }}`;
  const ref = target.version !== undefined && target.version !== null ? `ref('${target.name}', version='${target.version}')` : `ref('${target.name}')`;
  return `{{ get_where_subquery(${ref}) }}`;
}

function configLiteral(config: Record<string, unknown>): string {
  const parts = Object.entries(config).map(([k, v]) => `${k}=` + (typeof v === 'string' ? `"${v.replace(/"/g, '\\"')}"` : pyStr(v)));
  return parts.length > 0 ? `{{ config(${parts.join(',')}) }}` : '';
}

/**
 * Builds one generic test from a YAML entry (`unique`, `{accepted_values: {...}}`,
 * `{test_name: x, ...}`). `column` is the column it is declared under, if any.
 * Returns an error message for an entry dbt would reject.
 */
export function buildGenericTest(
  entry: unknown,
  target: TestTarget,
  column: { name: string; quote?: boolean | null } | null,
  columnTags: string[],
  packageName: string,
  renderValue: (value: unknown) => unknown,
): GenericTestSpec | { error: string } {
  let testName: unknown;
  let rawArgs: unknown;
  if (typeof entry === 'string') {
    testName = entry;
    rawArgs = {};
  } else if (isRecord(entry)) {
    if ('test_name' in entry) {
      const { test_name, ...rest } = entry;
      testName = test_name;
      rawArgs = rest;
    } else {
      const keys = Object.keys(entry);
      if (keys.length !== 1) return { error: `a test entry must have exactly one key (the test name), found: ${keys.join(', ')}` };
      testName = keys[0];
      rawArgs = entry[keys[0]] ?? {};
    }
  } else {
    return { error: `a test entry must be a name or a mapping, found: ${JSON.stringify(entry)}` };
  }
  if (typeof testName !== 'string') return { error: 'a test name must be a string' };
  if (!isRecord(rawArgs)) return { error: `arguments of test \`${testName}\` must be a mapping` };
  const match = TEST_NAME.exec(testName);
  if (!match) return { error: `\`${testName}\` is not a valid test name` };
  const namespace = match[1] ?? null;
  const name = match[2];

  let args: Record<string, unknown> = structuredClone(rawArgs);
  if (column) args.column_name = column.quote ? `"${column.name}"` : column.name;
  // The newer `arguments:` property holds the test's keyword arguments.
  if (isRecord(args.arguments)) {
    const { arguments: nested, ...rest } = args;
    args = { ...rest, ...(nested as Record<string, unknown>) };
  }
  if ('model' in args) return { error: `test \`${testName}\` may not have an argument named \`model\`` };

  const render = (dict: Record<string, unknown>): Record<string, unknown> => {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(dict)) {
      const r = typeof v === 'string' ? renderValue(v) : v;
      if (r !== null && r !== undefined) out[k] = r;
    }
    return out;
  };
  const nestedConfig = isRecord(args.config) ? { ...args.config } : null;
  const legacy: Record<string, unknown> = {};
  for (const key of CONFIG_ARGS) {
    let value = args[key];
    delete args[key];
    if (!value && nestedConfig) {
      value = nestedConfig[key];
      delete nestedConfig[key];
    }
    legacy[key] = value;
  }
  const config = { ...render(legacy), ...(nestedConfig ? render(nestedConfig) : {}) };
  delete args.config;
  let description = '';
  if ('description' in args) {
    description = typeof args.description === 'string' ? args.description : '';
    delete args.description;
  }
  args.model = modelString(target);

  let short: string;
  let full: string;
  if ('name' in args) {
    short = full = String(args.name);
    delete args.name;
  } else {
    let type = target.kind === 'source' ? `source_${name}` : name;
    if (namespace) type = `${namespace}_${type}`;
    const targetName =
      target.kind === 'source' ? `${target.source}_${target.table}` : target.version !== undefined && target.version !== null ? `${target.name}_v${target.version}` : target.name;
    [short, full] = synthesizeTestNames(type, targetName, args);
    if (short !== full && !('alias' in config)) config.alias = short;
  }

  const test_metadata: TestMetadata = { name, kwargs: args, namespace };
  let tags = typeof config.tags === 'string' ? [config.tags] : Array.isArray(config.tags) ? config.tags.map(String) : [];
  tags = [...new Set([...columnTags, ...tags])].sort();
  const macro_name = namespace ? `${namespace}.test_${name}` : `test_${name}`;

  // dbt records refs in its arguments (relationships' `to:`) before the tested model's own ref.
  const refs: RefCall[] = [];
  const sources: SourceCall[] = [];
  for (const [k, v] of Object.entries(args)) {
    if (k === 'model' || typeof v !== 'string') continue;
    const found = scanRefsAndSources(v);
    refs.push(...found.refs);
    sources.push(...found.sources);
  }
  if (target.kind === 'source') sources.push([target.source, target.table]);
  else refs.push(target.version !== undefined && target.version !== null ? { name: target.name, version: target.version } : { name: target.name });

  return {
    name: full,
    short_name: short,
    unique_id: `test.${packageName}.${full}.${testHash(full, test_metadata)}`,
    test_metadata,
    column_name: column ? (args.column_name as string) : null,
    config,
    tags,
    description,
    raw_code: `{{ ${macro_name}(**_dbt_generic_test_kwargs) }}${configLiteral(config)}`,
    macro_name,
    refs,
    sources,
  };
}
