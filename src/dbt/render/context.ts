/**
 * The dbt Jinja context: ref, source, config, var, env_var, adapter, run_query, … as globals of
 * one renderer's environment. They read and write the render in progress (`host.state()`), which
 * is what lets a macro compiled once record the refs of whichever node is being rendered.
 */
import { createHash, randomUUID } from 'node:crypto';
import YAML from 'yaml';
import type { RefCall, SourceCall } from '../types.js';
import type { BuiltinEnv, MetadataRequest, RelationColumn, RenderTarget, RendererOptions } from './types.js';
import { CompilerError, ReturnSignal } from './errors.js';
import type { MacroLibrary } from './macros.js';
import { makeModules, makeRunStartedAt } from './modules.js';
import { isPlainObject, pyStr, splitKeywords } from './python.js';
import { Relation } from './relation.js';

/** Everything one render accumulates. */
export interface RenderState {
  node: RenderTarget;
  mode: 'parse' | 'compile';
  isIncremental: boolean;
  refs: RefCall[];
  sources: SourceCall[];
  config: Record<string, unknown>;
  macros: Set<string>;
  notes: string[];
  requests: MetadataRequest[];
  requestKeys: Set<string>;
  statements: Map<string, unknown>;
}

export interface ContextHost {
  options: RendererOptions;
  state(): RenderState;
  macros: MacroLibrary;
  builtinEnv(): BuiltinEnv;
}

const has = (obj: Record<string, unknown>, key: string): boolean => Object.prototype.hasOwnProperty.call(obj, key);

/** A column as adapter.get_columns_in_relation returns it. */
class Column {
  readonly column: string;
  readonly dtype: string;
  constructor(readonly name: string, readonly data_type: string) {
    this.column = name;
    this.dtype = data_type;
  }
  get quoted(): string {
    return `"${this.name}"`;
  }
  is_string(): boolean {
    return /char|text|string/i.test(this.data_type);
  }
  is_number(): boolean {
    return /int|numeric|decimal|number|float|double|real/i.test(this.data_type);
  }
  is_numeric(): boolean {
    return /numeric|decimal|number/i.test(this.data_type);
  }
  is_float(): boolean {
    return /float|double|real/i.test(this.data_type);
  }
  is_integer(): boolean {
    return /int/i.test(this.data_type);
  }
  toString(): string {
    return `<Column ${this.name} (${this.data_type})>`;
  }
}

/** The agate.Table subset macros use on run_query results: `.columns[0].values()`, `.rows`. */
function makeTable(result: { columns: string[]; rows: unknown[][] }): Record<string, unknown> {
  const columns = result.columns.map((name, i) => {
    const values = result.rows.map((r) => r[i]);
    return Object.assign([...values], { name, values: () => values });
  });
  return { columns, rows: result.rows, column_names: result.columns, column_types: [], print_table: () => '', table: null };
}

export function nodeRelation(node: RenderTarget): Relation {
  return new Relation({ database: node.database, schema: node.schema, identifier: node.alias });
}

export function buildContext(host: ContextHost): Record<string, unknown> {
  const { options } = host;
  const target = options.target;
  const runStartedAt = options.runStartedAt ?? new Date();
  const invocationId = options.runStartedAt ? createHash('md5').update(runStartedAt.toISOString()).digest('hex').replace(/^(.{8})(.{4})(.{4})(.{4})(.{12}).*$/, '$1-$2-$3-$4-$5') : randomUUID();

  const note = (message: string): void => {
    const state = host.state();
    if (!state.notes.includes(message)) state.notes.push(message);
  };
  const request = (req: MetadataRequest): void => {
    const state = host.state();
    const key = JSON.stringify(req);
    if (state.requestKeys.has(key)) return;
    state.requestKeys.add(key);
    state.requests.push(req);
  };

  const ref = (...raw: unknown[]): Relation => {
    const { args, kwargs } = splitKeywords(raw);
    const strs = args.map((a) => (a === undefined || a === null ? a : String(a)));
    if (strs.length === 0 || strs.length > 2) throw new CompilerError(`ref() takes 1 or 2 arguments, got ${strs.length}`);
    const name = (strs.length === 2 ? strs[1] : strs[0]) as string;
    const pkg = strs.length === 2 ? (strs[0] as string) : null;
    const versionRaw = kwargs.version ?? kwargs.v;
    const version = versionRaw === undefined || versionRaw === null ? null : (versionRaw as string | number);
    const call: RefCall = { name, package: pkg, version };
    const state = host.state();
    if (!state.refs.some((r) => r.name === name && (r.package ?? null) === pkg && String(r.version ?? '') === String(version ?? ''))) state.refs.push(call);
    if (state.mode === 'parse') return new Relation({ database: target.database ?? null, schema: target.schema, identifier: name });
    const resolved = options.resolveRef(call, state.node.package_name);
    if (resolved === undefined) {
      const label = `${pkg ? `${pkg}.` : ''}${name}${version !== null ? ` (version ${version})` : ''}`;
      throw new CompilerError(`ref '${label}' was not found`);
    }
    return Relation.fromName(resolved);
  };

  const source = (...raw: unknown[]): Relation => {
    const { args } = splitKeywords(raw);
    if (args.length !== 2) throw new CompilerError(`source() takes 2 arguments (source name, table name), got ${args.length}`);
    const [sourceName, table] = args.map(String);
    const state = host.state();
    if (!state.sources.some(([s, t]) => s === sourceName && t === table)) state.sources.push([sourceName, table]);
    if (state.mode === 'parse') return new Relation({ database: target.database ?? null, schema: sourceName, identifier: table });
    const resolved = options.resolveSource(sourceName, table, state.node.package_name);
    if (resolved === undefined) throw new CompilerError(`source '${sourceName}.${table}' was not found`);
    return Relation.fromName(resolved);
  };

  const currentConfig = (): Record<string, unknown> => ({ ...host.state().node.config, ...host.state().config });
  const config = Object.assign(
    (...raw: unknown[]): string => {
      const { args, kwargs } = splitKeywords(raw);
      const state = host.state();
      for (const arg of args) if (isPlainObject(arg)) Object.assign(state.config, arg);
      Object.assign(state.config, kwargs);
      return '';
    },
    {
      get: (key: unknown, def?: unknown) => {
        const cfg = currentConfig();
        const k = String(key);
        return has(cfg, k) && cfg[k] !== undefined ? cfg[k] : def === undefined ? null : def;
      },
      require: (key: unknown) => {
        const cfg = currentConfig();
        const k = String(key);
        if (!has(cfg, k) || cfg[k] === undefined || cfg[k] === null) throw new CompilerError(`config '${k}' is required but was not set`);
        return cfg[k];
      },
      set: (key: unknown, value: unknown) => {
        host.state().config[String(key)] = value;
        return '';
      },
      persist_relation_docs: () => false,
      persist_column_docs: () => false,
    },
  );

  const lookupVar = (name: string): { found: boolean; value?: unknown } => {
    if (has(options.cliVars, name)) return { found: true, value: options.cliVars[name] };
    const pkg = host.state().node.package_name;
    const scoped = options.projectVars[pkg];
    if (isPlainObject(scoped) && has(scoped, name)) return { found: true, value: scoped[name] };
    if (has(options.projectVars, name) && !(options.packages.includes(name) && isPlainObject(options.projectVars[name]))) {
      return { found: true, value: options.projectVars[name] };
    }
    return { found: false };
  };
  const varFn = Object.assign(
    (...raw: unknown[]): unknown => {
      const { args } = splitKeywords(raw);
      const name = String(args[0]);
      const hit = lookupVar(name);
      if (hit.found) return hit.value;
      if (args.length >= 2) return args[1];
      throw new CompilerError(`Required var '${name}' not found`);
    },
    { has_var: (name: unknown) => lookupVar(String(name)).found },
  );

  const envVar = (...raw: unknown[]): unknown => {
    const { args } = splitKeywords(raw);
    const name = String(args[0]);
    const value = envVarVisible(name, options.envAllow) ? options.env[name] : undefined;
    if (value !== undefined) return value;
    if (args.length >= 2) return args[1];
    throw new CompilerError(`env_var '${name}' is not set or not allowed`);
  };

  const relationName = (relation: unknown): string => String(relation);
  const columnsOf = (relation: unknown): RelationColumn[] | undefined => host.builtinEnv().columns(relationName(relation));

  const adapter = {
    dispatch: (...raw: unknown[]) => {
      const { args, kwargs } = splitKeywords(raw);
      const ns = (kwargs.macro_namespace ?? args[1] ?? null) as string | null;
      return host.macros.dispatch(String(kwargs.macro_name ?? args[0]), ns);
    },
    quote: (s: unknown) => `"${String(s).replace(/"/g, '""')}"`,
    quote_as_configured: (s: unknown) => String(s),
    type: () => target.type,
    get_relation: (...raw: unknown[]) => {
      const { args, kwargs } = splitKeywords(raw);
      const database = (kwargs.database ?? args[0] ?? null) as string | null;
      const schema = String(kwargs.schema ?? args[1] ?? '');
      const identifier = String(kwargs.identifier ?? args[2] ?? '');
      const rel = new Relation({ database, schema, identifier });
      if (host.state().mode === 'parse') return null;
      const cols = options.metadata?.columns(rel.toString());
      if (cols !== undefined) return rel;
      request({ kind: 'columns', relation: rel.toString() });
      note(`adapter.get_relation(${rel.toString()}): warehouse metadata not available, treated as missing`);
      return null;
    },
    load_relation: (relation: unknown) => relation,
    get_columns_in_relation: (relation: unknown) => {
      if (host.state().mode === 'parse') return [];
      const cols = columnsOf(relation);
      if (cols === undefined) {
        request({ kind: 'columns', relation: relationName(relation) });
        note(`columns of ${relationName(relation)} are not known; rendered with an empty column list`);
        return [];
      }
      return cols.map((c) => new Column(c.name, c.data_type ?? ''));
    },
    get_missing_columns: () => [],
    already_exists: () => false,
    check_schema_exists: () => false,
    list_relations_without_caching: () => [],
    list_schemas: () => [],
    get_columns_in_query: () => [],
    standardize_grants_dict: () => ({}),
  };

  const runQuery = (sqlRaw: unknown): unknown => {
    const sql = pyStr(sqlRaw).trim();
    if (host.state().mode === 'parse') return null;
    const result = options.metadata?.queryResult(sql);
    if (result === undefined) {
      request({ kind: 'query', sql });
      note('run_query: result not available without the warehouse; rendered with an empty result');
      return makeTable({ columns: [], rows: [] });
    }
    return makeTable(result);
  };

  const statement = (...raw: unknown[]): string => {
    const { args, kwargs } = splitKeywords(raw);
    const name = String(args[0] ?? kwargs.name ?? 'statement');
    const caller = kwargs.caller as (() => unknown) | undefined;
    const sql = caller ? pyStr(caller()) : '';
    const fetch = Boolean(kwargs.fetch_result ?? args[1]);
    const table = fetch ? runQuery(sql) : null;
    const data = table && typeof table === 'object' ? (table as { rows: unknown[] }).rows : [];
    host.state().statements.set(name, { table, data, response: { code: 'SELECT', rows_affected: 0 } });
    return '';
  };

  const exceptions = {
    raise_compiler_error: (msg: unknown) => {
      throw new CompilerError(pyStr(msg));
    },
    raise_not_implemented: (msg: unknown) => {
      throw new CompilerError(pyStr(msg));
    },
    warn: (msg: unknown) => {
      note(`warning: ${pyStr(msg)}`);
      return '';
    },
    raise_fail_fast_error: (msg: unknown) => {
      throw new CompilerError(pyStr(msg));
    },
  };

  const relationApi = {
    Relation: {
      create: (...raw: unknown[]) => {
        const { args, kwargs } = splitKeywords(raw);
        const database = (kwargs.database ?? args[0] ?? null) as string | null;
        return new Relation({ database, schema: String(kwargs.schema ?? args[1] ?? ''), identifier: String(kwargs.identifier ?? args[2] ?? ''), type: (kwargs.type as string | undefined) ?? null });
      },
    },
    Column: { create: (name: unknown, type: unknown) => new Column(String(name), String(type ?? '')) },
  };

  return {
    ref,
    source,
    config,
    // dbt's default: the tested relation, or a subquery of it when the test's `where` config is set.
    get_where_subquery: (relation: unknown) => {
      const where = host.state().node.config.where;
      return typeof where === 'string' && where.trim() !== '' ? `(select * from ${String(relation)} where ${where}) dbt_subquery` : relation;
    },
    var: varFn,
    env_var: envVar,
    target: { ...target, profile_name: target.profile_name ?? 'default', threads: target.threads ?? 1 },
    is_incremental: () => host.state().isIncremental,
    should_full_refresh: () => false,
    run_started_at: makeRunStartedAt(runStartedAt),
    modules: makeModules(runStartedAt),
    log: () => '',
    print: () => '',
    return: (value: unknown) => {
      throw new ReturnSignal(value);
    },
    namespace: (...raw: unknown[]) => {
      const { args, kwargs } = splitKeywords(raw);
      const ns: Record<string, unknown> = {};
      for (const a of args) if (isPlainObject(a)) Object.assign(ns, a);
      return Object.assign(ns, kwargs);
    },
    __setattr__: (obj: unknown, key: string, value: unknown) => {
      if (obj === null || typeof obj !== 'object') throw new CompilerError(`cannot set attribute '${key}' on ${pyStr(obj)}`);
      (obj as Record<string, unknown>)[key] = value;
      return '';
    },
    dict: (...raw: unknown[]) => {
      const { args, kwargs } = splitKeywords(raw);
      const out: Record<string, unknown> = {};
      for (const a of args) {
        if (isPlainObject(a)) Object.assign(out, a);
        else if (Array.isArray(a)) for (const pair of a) if (Array.isArray(pair)) out[String(pair[0])] = pair[1];
      }
      return Object.assign(out, kwargs);
    },
    exceptions,
    adapter,
    run_query: runQuery,
    statement,
    load_relation: (relation: unknown) => relation,
    load_result: (name: unknown) => host.state().statements.get(String(name)) ?? null,
    store_result: () => '',
    api: relationApi,
    tojson: (value: unknown) => JSON.stringify(value ?? null),
    fromjson: (text: unknown, def?: unknown) => {
      try {
        return JSON.parse(pyStr(text));
      } catch {
        return def === undefined ? null : def;
      }
    },
    toyaml: (value: unknown) => YAML.stringify(value),
    fromyaml: (text: unknown, def?: unknown) => {
      try {
        return YAML.parse(pyStr(text));
      } catch {
        return def === undefined ? null : def;
      }
    },
    zip: (...lists: unknown[]) => {
      const arrays = lists.filter(Array.isArray) as unknown[][];
      const len = arrays.length ? Math.min(...arrays.map((a) => a.length)) : 0;
      return Array.from({ length: len }, (_v, i) => arrays.map((a) => a[i]));
    },
    range: jinjaRange,
    set: (items: unknown) => (Array.isArray(items) ? [...new Set(items)] : typeof items === 'string' ? [...new Set(items)] : []),
    local_md5: (text: unknown) => createHash('md5').update(pyStr(text)).digest('hex'),
    dbt_version: '1.8.0',
    project_name: options.rootProject,
    invocation_id: invocationId,
    graph: { nodes: {}, sources: {}, exposures: {}, metrics: {}, groups: {}, semantic_models: {} },
    selected_resources: [],
    flags: { FULL_REFRESH: false, STORE_FAILURES: false, WHICH: 'compile', WARN_ERROR: false, DEBUG: false },
    builtins: { ref, source, config },
    context: {},
  };
}

/** The most items `range()` builds: nunjucks' range is an eager array, so a huge one exhausts memory before any time limit. */
export const MAX_RANGE_ITEMS = 10_000_000;

/** Python's range(stop) / range(start, stop[, step]), refusing lists past MAX_RANGE_ITEMS. */
function jinjaRange(...raw: unknown[]): number[] {
  const nums = raw.map(Number);
  if (nums.some((n) => !Number.isFinite(n))) throw new CompilerError(`range() needs numbers, got ${raw.map(String).join(', ')}`);
  const [start, stop, step] = nums.length === 1 ? [0, nums[0], 1] : [nums[0], nums[1], nums[2] ?? 1];
  if (step === 0) throw new CompilerError('range() step must not be zero');
  const count = Math.max(0, Math.ceil((stop - start) / step));
  if (count > MAX_RANGE_ITEMS) {
    throw new CompilerError(`range() of ${count.toLocaleString('en-US')} items is more than the renderer allows (${MAX_RANGE_ITEMS.toLocaleString('en-US')})`);
  }
  return Array.from({ length: count }, (_v, i) => start + i * step);
}

/** Whether env_var() may read a variable: DBT_* (not DBT_ENV_SECRET_*, as in dbt) and the names config allows. */
export function envVarVisible(name: string, envAllow: readonly string[]): boolean {
  return envAllow.includes(name) || (name.startsWith('DBT_') && !name.startsWith('DBT_ENV_SECRET'));
}
