/**
 * The macro library of one renderer: every parsed macro (compiled lazily, once), the native
 * builtins where no parsed macro exists, the namespaces Jinja sees (`dbt_utils.star`), and
 * `adapter.dispatch`'s search.
 */
import nunjucks from 'nunjucks';
import type { DbtProjectFile, Macro } from '../types.js';
import type { BuiltinEnv, BuiltinMacro } from './types.js';
import { ReturnSignal, annotateMacroError, CompilerError } from './errors.js';
import { prepareMacro } from './preprocess.js';
import { expandSplat, splitKeywords } from './python.js';

export type Callable = (...args: unknown[]) => unknown;

/** A package's macros as Jinja sees them (`dbt_utils.star`). A class, so dict methods do not shadow macro names. */
export class MacroNamespace {
  [name: string]: unknown;
}

export interface MacroHost {
  env: nunjucks.Environment;
  rootProject: string;
  adapterType: string;
  dispatchConfig: DbtProjectFile['dispatch'];
  builtins: Record<string, Record<string, BuiltinMacro>>;
  recordMacro(uniqueId: string): void;
  builtinEnv(): BuiltinEnv;
}

/** Adapters that inherit another adapter's macros (dbt searches `<child>__`, then `<parent>__`). */
const ADAPTER_PARENTS: Record<string, string[]> = {
  redshift: ['postgres'],
  databricks: ['spark'],
  materialize: ['postgres'],
};

const SafeString = nunjucks.runtime.SafeString;

function unwrapSafe(value: unknown): unknown {
  return value instanceof SafeString ? value.toString() : value;
}

export class MacroLibrary {
  /** package → macro name → callable, parsed macros only. */
  private readonly parsed = new Map<string, Map<string, Callable>>();
  private readonly builtinCache = new Map<string, Callable>();
  /** package → the context object its templates render with (its own macros, unqualified). */
  private readonly localScopes = new Map<string, Record<string, unknown>>();

  constructor(private readonly host: MacroHost, macros: Macro[]) {
    for (const macro of macros) {
      let pkg = this.parsed.get(macro.package_name);
      if (!pkg) {
        pkg = new Map();
        this.parsed.set(macro.package_name, pkg);
      }
      pkg.set(macro.name, this.wrapParsed(macro));
    }
  }

  /** Globals every template sees: dbt's builtin macros, then the root project's (which override them). */
  globalMacros(): Record<string, Callable> {
    const out: Record<string, Callable> = {};
    for (const name of Object.keys(this.host.builtins.dbt ?? {})) {
      const fn = this.builtin('dbt', name);
      if (fn) out[name] = fn;
    }
    for (const [name, fn] of this.parsed.get('dbt') ?? []) out[name] = fn;
    for (const [name, fn] of this.parsed.get(this.host.rootProject) ?? []) out[name] = fn;
    return out;
  }

  /** Every namespace object: each package (parsed macros over builtins) and the builtin namespaces. */
  namespaces(packages: string[]): Record<string, MacroNamespace> {
    const names = new Set([...packages, ...Object.keys(this.host.builtins), ...this.parsed.keys()]);
    const out: Record<string, MacroNamespace> = {};
    for (const pkg of names) {
      const ns = new MacroNamespace();
      for (const name of Object.keys(this.host.builtins[pkg] ?? {})) {
        const fn = this.builtin(pkg, name);
        if (fn) ns[name] = fn;
      }
      for (const [name, fn] of this.parsed.get(pkg) ?? []) ns[name] = fn;
      out[pkg] = ns;
    }
    return out;
  }

  /** The context a template of `pkg` renders with: the package's own macros, unqualified. */
  localScope(pkg: string): Record<string, unknown> {
    let scope = this.localScopes.get(pkg);
    if (!scope) {
      scope = {};
      if (pkg !== this.host.rootProject) {
        for (const [name, fn] of this.parsed.get(pkg) ?? []) scope[name] = fn;
      }
      this.localScopes.set(pkg, scope);
    }
    return scope;
  }

  /** A macro by package and name: a parsed one first, else a builtin. */
  find(pkg: string, name: string): Callable | undefined {
    return this.parsed.get(pkg)?.get(name) ?? this.builtin(pkg, name);
  }

  /** `adapter.dispatch(name, macro_namespace)`: dbt's search over packages, then adapter prefixes. */
  dispatch(name: string, namespace: string | null | undefined): Callable {
    const configured = namespace ? this.host.dispatchConfig.find((d) => d.macro_namespace === namespace) : undefined;
    const order = configured ? configured.search_order : [this.host.rootProject, namespace ?? 'dbt'];
    const type = this.host.adapterType;
    const prefixes = [type, ...(ADAPTER_PARENTS[type] ?? []), 'default'];
    const searched: string[] = [];
    for (const pkg of order) {
      for (const prefix of prefixes) {
        const candidate = `${prefix}__${name}`;
        searched.push(`${pkg}.${candidate}`);
        const fn = this.find(pkg, candidate);
        if (fn) return fn;
      }
      const plain = this.builtin(pkg, name);
      if (plain) return plain;
    }
    throw new CompilerError(`In dispatch: No macro named '${name}' found within namespace: '${namespace ?? 'dbt'}'\n    Searched for: ${searched.map((s) => `'${s}'`).join(', ')}`);
  }

  private builtin(pkg: string, name: string): Callable | undefined {
    const impl = this.host.builtins[pkg]?.[name];
    if (!impl) return undefined;
    const key = `${pkg}.${name}`;
    let fn = this.builtinCache.get(key);
    if (!fn) {
      const id = `macro.${pkg}.${name}`;
      const host = this.host;
      fn = (...raw: unknown[]) => {
        host.recordMacro(id);
        const { args, kwargs } = splitKeywords(raw);
        for (const k of Object.keys(kwargs)) kwargs[k] = unwrapSafe(kwargs[k]);
        return impl(host.builtinEnv(), args.map(unwrapSafe), kwargs);
      };
      this.builtinCache.set(key, fn);
    }
    return fn;
  }

  private wrapParsed(macro: Macro): Callable {
    const host = this.host;
    let compiled: Callable | null = null;
    const load = (): Callable => {
      if (compiled) return compiled;
      const prepared = prepareMacro(macro.macro_sql);
      if (!prepared.exportName) throw new CompilerError(`macro ${macro.unique_id} has no {% macro %} block`);
      const tmpl = new nunjucks.Template(prepared.text, host.env, macro.original_file_path);
      let exported: Record<string, unknown> | undefined;
      let failure: unknown;
      // getExported runs the defining template and hands back its macros; missing from @types/nunjucks.
      (tmpl as unknown as { getExported(ctx: object, cb: (err: unknown, result: unknown) => void): void }).getExported(this.localScope(macro.package_name), (err: unknown, result: unknown) => {
        failure = err;
        exported = result as Record<string, unknown>;
      });
      if (failure) throw failure;
      const fn = exported?.[prepared.exportName];
      if (typeof fn !== 'function') throw new CompilerError(`macro ${macro.unique_id} could not be compiled`);
      compiled = fn as Callable;
      return compiled;
    };
    return function macroCall(this: unknown, ...args: unknown[]): unknown {
      host.recordMacro(macro.unique_id);
      try {
        return load().apply(this, expandSplat(args));
      } catch (error) {
        if (error instanceof ReturnSignal) return error.value;
        throw annotateMacroError(error, macro.unique_id, macro.original_file_path);
      }
    };
  }
}
