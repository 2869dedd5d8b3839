/**
 * The Jinja renderer: `createRenderer(options)` builds one nunjucks environment, the dbt context
 * and the macro library once, then renders node after node (synchronously; the render in
 * progress is a stack so nested renders, e.g. renderValue from a macro, stay separate).
 */
import nunjucks from 'nunjucks';
import type { BuiltinEnv, RelationColumn, RenderOutcome, RenderRequest, Renderer, RendererOptions, RenderTarget } from './types.js';
import { builtinMacros } from './builtins/index.js';
import { buildContext, nodeRelation, type RenderState } from './context.js';
import { asNative, createEnvironment } from './environment.js';
import { ReturnSignal, describeError } from './errors.js';
import { MacroLibrary } from './macros.js';
import { prepareTemplate } from './preprocess.js';
import { isPlainObject } from './python.js';

export { staticScan } from './static-scan.js';
export { Relation } from './relation.js';

/** Thrown by renderValue when a YAML/project value's Jinja fails (message names the problem, line is within the value). */
export class RenderValueError extends Error {
  constructor(message: string, readonly line?: number) {
    super(message);
    this.name = 'RenderValueError';
  }
}

const JINJA = /\{[{%#]/;

/** Default bound on one rendered result: far above what real dbt models produce (kilobytes). */
export const DEFAULT_MAX_OUTPUT_CHARS = 20_000_000;

/** Thrown when a render goes over a RenderLimits bound. */
export class RenderLimitError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RenderLimitError';
  }
}

function newState(node: RenderTarget, mode: 'parse' | 'compile', isIncremental: boolean): RenderState {
  return { node, mode, isIncremental, refs: [], sources: [], config: {}, macros: new Set(), notes: [], requests: [], requestKeys: new Set(), statements: new Map() };
}

function modelDict(node: RenderTarget, template: string, state: RenderState): Record<string, unknown> {
  return {
    unique_id: node.unique_id,
    name: node.name,
    package_name: node.package_name,
    resource_type: node.resource_type,
    original_file_path: node.original_file_path,
    path: node.original_file_path,
    database: node.database,
    schema: node.schema,
    alias: node.alias,
    config: { ...node.config, ...state.config },
    tags: Array.isArray(node.config.tags) ? node.config.tags : [],
    raw_code: template,
    raw_sql: template,
    refs: state.refs,
    sources: state.sources,
    columns: {},
    meta: isPlainObject(node.config.meta) ? node.config.meta : {},
  };
}

class NunjucksRenderer implements Renderer {
  private readonly env: nunjucks.Environment;
  private readonly macros: MacroLibrary;
  private readonly templates = new Map<string, nunjucks.Template>();
  private readonly stack: RenderState[] = [];
  private readonly globals: Record<string, unknown>;
  private readonly builtin: BuiltinEnv;

  constructor(private readonly options: RendererOptions) {
    this.env = createEnvironment();
    this.builtin = this.makeBuiltinEnv();
    this.macros = new MacroLibrary(
      {
        env: this.env,
        rootProject: options.rootProject,
        adapterType: options.target.type,
        dispatchConfig: options.dispatch ?? [],
        builtins: builtinMacros,
        recordMacro: (id) => this.state().macros.add(id),
        builtinEnv: () => this.builtin,
      },
      options.macros,
    );
    const context = buildContext({ options, state: () => this.state(), macros: this.macros, builtinEnv: () => this.builtin });
    // nunjucks keeps globals on the environment; Context.lookup reads them by reference, so the
    // per-render entries (`this`, `model`, `execute`) are reassigned in place for each render.
    this.globals = (this.env as unknown as { globals: Record<string, unknown> }).globals;
    Object.assign(this.globals, context, this.macros.namespaces(options.packages), this.macros.globalMacros());
  }

  render(request: RenderRequest): RenderOutcome {
    const state = newState(request.node, request.mode, request.isIncremental ?? false);
    const outcome = (sql: string | null, error?: { message: string; line?: number }): RenderOutcome => {
      const result: RenderOutcome = {
        sql,
        refs: state.refs,
        sources: state.sources,
        config: state.config,
        macros: [...state.macros],
        notes: state.notes,
        metadata_requests: state.requests,
      };
      if (error) result.error = error;
      return result;
    };
    if (!JINJA.test(request.template)) return outcome(request.template);
    const skipped = this.options.skip?.get(request.node.unique_id);
    if (skipped) return outcome(null, { message: skipped });
    try {
      const sql = this.run(request.template, state, request.node.original_file_path, (s) => ({
        this: nodeRelation(request.node),
        model: modelDict(request.node, request.template, s),
        execute: request.mode === 'compile',
      }));
      return outcome(sql);
    } catch (error) {
      const described = describeError(error);
      // An unclosed block is reported at the end of the template, as Jinja does.
      if (described.line === undefined && /end of file/.test(described.message)) {
        described.line = request.template.replace(/\n$/, '').split('\n').length;
      }
      return outcome(null, described);
    }
  }

  renderValue(value: unknown, context?: { package_name?: string }): unknown {
    if (Array.isArray(value)) return value.map((v) => this.renderValue(v, context));
    if (isPlainObject(value)) {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) out[k] = this.renderValue(v, context);
      return out;
    }
    if (typeof value !== 'string' || !JINJA.test(value)) return value;
    const pkg = context?.package_name ?? this.options.rootProject;
    const node: RenderTarget = {
      unique_id: '',
      name: '',
      package_name: pkg,
      resource_type: 'project',
      original_file_path: 'dbt_project.yml',
      database: this.options.target.database ?? null,
      schema: this.options.target.schema,
      alias: '',
      config: {},
    };
    const state = newState(node, 'parse', false);
    const skipped = this.options.skip?.get('file:dbt_project.yml');
    if (skipped) throw new RenderValueError(skipped);
    try {
      const rendered = this.run(value, state, 'dbt_project.yml', () => ({ execute: false }));
      return asNative(rendered);
    } catch (error) {
      const { message, line } = describeError(error);
      throw new RenderValueError(message, line);
    }
  }

  private run(template: string, state: RenderState, path: string, perRender: (s: RenderState) => Record<string, unknown>): string {
    // Nested renders (a macro rendering a value) run inside the top-level render's limits.
    if (this.stack.length > 0) return this.runUnbounded(template, state, path, perRender);
    const maxOutputChars = this.options.limits?.maxOutputChars ?? DEFAULT_MAX_OUTPUT_CHARS;
    // The markers let the render worker's host stop a render that runs too long (src/sandbox/).
    this.options.onRenderStart?.(state.node.unique_id || `file:${path}`);
    let sql: string;
    try {
      sql = this.runUnbounded(template, state, path, perRender);
    } finally {
      this.options.onRenderEnd?.();
    }
    if (sql.length > maxOutputChars) {
      throw new RenderLimitError(
        `rendered to ${sql.length.toLocaleString('en-US')} characters, more than the limit of ${maxOutputChars.toLocaleString('en-US')}`,
      );
    }
    return sql;
  }

  private runUnbounded(template: string, state: RenderState, path: string, perRender: (s: RenderState) => Record<string, unknown>): string {
    let tmpl = this.templates.get(template);
    if (!tmpl) {
      tmpl = new nunjucks.Template(prepareTemplate(template), this.env, path);
      this.templates.set(template, tmpl);
    }
    const saved: Record<string, unknown> = {};
    const overrides = perRender(state);
    for (const key of Object.keys(overrides)) {
      saved[key] = this.globals[key];
      this.globals[key] = overrides[key];
    }
    this.stack.push(state);
    try {
      return tmpl.render(this.macros.localScope(state.node.package_name));
    } catch (error) {
      // `return()` outside any macro ends the template with the returned value.
      const cause = (error as { cause?: unknown }).cause;
      if (error instanceof ReturnSignal) return String(error.value ?? '');
      if (cause instanceof ReturnSignal) return String(cause.value ?? '');
      throw error;
    } finally {
      this.stack.pop();
      for (const key of Object.keys(saved)) this.globals[key] = saved[key];
    }
  }

  private state(): RenderState {
    const state = this.stack[this.stack.length - 1];
    if (!state) throw new Error('dbt context used outside of a render');
    return state;
  }

  private makeBuiltinEnv(): BuiltinEnv {
    const { options } = this;
    const columns = (relation: unknown): RelationColumn[] | undefined => {
      const name = String(relation);
      return options.metadata?.columns(name) ?? options.declaredColumns?.(name);
    };
    return {
      adapterType: options.target.type,
      columns,
      columnValues: (relation, column, opts) => options.metadata?.columnValues(String(relation), column, opts),
      note: (message) => {
        const notes = this.state().notes;
        if (!notes.includes(message)) notes.push(message);
      },
      request: (req) => {
        const state = this.state();
        const key = JSON.stringify(req);
        if (state.requestKeys.has(key)) return;
        state.requestKeys.add(key);
        state.requests.push(req);
      },
    };
  }
}

export function createRenderer(options: RendererOptions): Renderer {
  return new NunjucksRenderer(options);
}
