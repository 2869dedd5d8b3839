/**
 * The SQL of one dbt test, pointed at the relations a review must test (the PR's temporary
 * tables for changed models, production for the rest), and wrapped as dbt's get_test_sql does so
 * that the warehouse returns ONE row per test: the failure count and whether it should warn or
 * error. Failing rows never leave the warehouse.
 */
import { dialectFor as crossDbDialectFor } from '../dbt/render/builtins/dialect.js';
import { scanRefsAndSources } from '../dbt/ref-scan.js';
import type { DbtNode, Project, RefCall } from '../dbt/types.js';
import { splitRelation } from '../warehouse/dialect.js';
import { macroKey, nativeTest, type MacroContext } from './test-macros.js';

export interface TestSqlOptions {
  /** The relation to read for a unique id; undefined falls back to the project's relation_name. */
  relationOf(uniqueId: string): string | undefined;
  /** Adapter type (`duckdb`, `snowflake`, …): picks cross-database spellings (dateadd, types). */
  dialect: string;
  /** Resolves ref()/source() arguments by name and provides production relation names. */
  project?: Project;
}

export type TestSqlOutcome = { sql: string; severity: 'warn' | 'error' } | { skip: string; severity: 'warn' | 'error' };

/** dbt's config defaults for tests (TestConfig). */
const DEFAULTS = { fail_calc: 'count(*)', warn_if: '!= 0', error_if: '!= 0' };

export function severityOf(test: DbtNode): 'warn' | 'error' {
  const s = test.config.severity;
  return typeof s === 'string' && s.trim().toLowerCase() === 'warn' ? 'warn' : 'error';
}

/** `dbt_utils.expression_is_true`, `not_null`: the name dbt users know the test by. */
export function testNameOf(test: DbtNode): string {
  const md = test.test_metadata;
  if (!md) return 'singular';
  return macroKey(md.name, namespaceOf(test));
}

/**
 * The package whose macro implements a generic test: the explicit namespace, else the package of
 * the `test_<name>` macro the loader resolved (an unprefixed `expression_is_true` is dbt_utils' when
 * the project installs dbt_utils and defines no macro of that name itself); null for dbt's own and
 * the test's own project's.
 */
export function namespaceOf(test: DbtNode): string | null {
  const md = test.test_metadata;
  if (!md) return null;
  if (md.namespace) return md.namespace;
  for (const m of test.depends_on.macros) {
    const match = /^macro\.([^.]+)\.test_(.+)$/.exec(m);
    // dbt's own macro, or one the test's own project defines: known by its bare name.
    if (match && match[2] === md.name) return match[1] === 'dbt' || match[1] === test.package_name ? null : match[1];
  }
  return null;
}

function configString(value: unknown, fallback: string): string {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : fallback;
}

/** dbt's get_test_sql: the aggregate the runner reads (`failures`, `should_warn`, `should_error`). */
export function wrapTestSql(mainSql: string, config: { fail_calc?: string; warn_if?: string; error_if?: string; limit?: number | null }): string {
  const failCalc = configString(config.fail_calc, DEFAULTS.fail_calc);
  const warnIf = configString(config.warn_if, DEFAULTS.warn_if);
  const errorIf = configString(config.error_if, DEFAULTS.error_if);
  const limit = typeof config.limit === 'number' && Number.isFinite(config.limit) ? `\n  limit ${Math.trunc(config.limit)}` : '';
  // A trailing `;` or line comment in user SQL would break the wrapper; dbt strips neither, but
  // singular tests often end with `;`, so it is dropped here and the comment gets its own line.
  const body = mainSql.trim().replace(/;\s*$/, '');
  return `select\n  ${failCalc} as failures,\n  ${failCalc} ${warnIf} as should_warn,\n  ${failCalc} ${errorIf} as should_error\nfrom (\n${body}\n${limit}\n) dbt_internal_test`;
}

function fromConfig(test: DbtNode, key: 'fail_calc' | 'warn_if' | 'error_if'): string | undefined {
  const v = test.config[key];
  return typeof v === 'string' && v.trim() ? v : undefined;
}

function limitOf(test: DbtNode): number | null {
  const v = test.config.limit;
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() ? Number(v) : NaN;
  return Number.isFinite(n) ? n : null;
}

/** The relation for a unique id: the caller's choice, else production. */
function relationFor(id: string, options: TestSqlOptions): string | undefined {
  const chosen = options.relationOf(id);
  if (chosen) return chosen;
  const p = options.project;
  return p?.nodes[id]?.relation_name ?? p?.sources[id]?.relation_name ?? undefined;
}

/** Matches a ref() to one of the ids the test depends on (as the loader resolved them), else by name. */
function idOfRef(ref: RefCall, test: DbtNode, project: Project | undefined): string | undefined {
  const candidates = [...test.depends_on.nodes, ...(test.attached_node ? [test.attached_node] : [])];
  const matches = (id: string): boolean => {
    const node = project?.nodes[id];
    if (node) {
      if (node.name !== ref.name || (ref.package && node.package_name !== ref.package)) return false;
      return ref.version === undefined || ref.version === null || String(node.version) === String(ref.version);
    }
    // Without the project, dbt's id shape `<type>.<package>.<name>[.v<version>]` is enough.
    const parts = id.split('.');
    if (parts[0] === 'source' || parts[0] === 'test' || parts[0] === 'exposure') return false;
    const version = ref.version !== undefined && ref.version !== null ? `v${ref.version}` : undefined;
    return parts[2] === ref.name && (!ref.package || parts[1] === ref.package) && (version === undefined || parts[3] === version);
  };
  const hit = candidates.find(matches);
  if (hit || !project) return hit;
  return Object.values(project.nodes).find((n) => n.resource_type !== 'test' && n.name === ref.name && (!ref.package || n.package_name === ref.package))?.unique_id;
}

function idOfSource(source: [string, string], test: DbtNode, project: Project | undefined): string | undefined {
  const ids = [...test.depends_on.nodes, ...(project ? Object.keys(project.sources) : [])];
  return ids.find((id) => {
    const s = project?.sources[id];
    if (s) return s.source_name === source[0] && s.name === source[1];
    const parts = id.split('.');
    return parts[0] === 'source' && parts[2] === source[0] && parts[3] === source[1];
  });
}

/** A `ref('x')` / `source('s', 't')` argument (with or without `{{ }}`) as the relation to read. */
export function resolveRelationArg(text: string, test: DbtNode, options: TestSqlOptions): { relation: string } | { error: string } {
  const found = scanRefsAndSources(text);
  let id: string | undefined;
  let what: string;
  if (found.refs.length > 0) {
    id = idOfRef(found.refs[0], test, options.project);
    what = `ref('${found.refs[0].name}')`;
  } else if (found.sources.length > 0) {
    id = idOfSource(found.sources[0], test, options.project);
    what = `source('${found.sources[0][0]}', '${found.sources[0][1]}')`;
  } else {
    return { error: `cannot resolve \`${text}\`: expected ref('…') or source('…', '…')` };
  }
  if (!id) return { error: `${what} matches no node of the project` };
  const relation = relationFor(id, options);
  return relation ? { relation } : { error: `no relation is known for ${id}` };
}

/** The id of the relation a generic test tests: its attached node, else its `model` argument. */
export function testedId(test: DbtNode, project?: Project): string | undefined {
  if (test.attached_node) return test.attached_node;
  const model = test.test_metadata?.kwargs.model;
  if (typeof model !== 'string') return undefined;
  const found = scanRefsAndSources(model);
  if (found.refs.length > 0) return idOfRef(found.refs[0], test, project);
  if (found.sources.length > 0) return idOfSource(found.sources[0], test, project);
  return undefined;
}

/** dbt's get_where_subquery. */
export function whereSubquery(relation: string, where: unknown): string {
  return typeof where === 'string' && where.trim() !== '' ? `(select * from ${relation} where ${where}) dbt_subquery` : relation;
}

function genericSql(test: DbtNode, options: TestSqlOptions): { sql: string } | { skip: string } {
  const md = test.test_metadata;
  if (!md) return { skip: 'not a generic test' };
  const namespace = namespaceOf(test);
  const impl = nativeTest(md.name, namespace);
  if (!impl) {
    const name = macroKey(md.name, namespace);
    return { skip: `generic test \`${name}\` has no built-in implementation in impact-review, and no \`test_${md.name}\` macro in the project or its packages` };
  }
  const id = testedId(test, options.project);
  if (!id) return { skip: 'cannot tell which model the test is attached to' };
  const relation = relationFor(id, options);
  if (!relation) return { skip: `no relation is known for ${id}` };
  const where = test.config.where;
  if (typeof where === 'string' && /\{\{|\{%/.test(where)) return { skip: `the where config still holds Jinja: ${where}` };
  const { model: _model, column_name, ...args } = md.kwargs;
  const column = typeof column_name === 'string' && column_name.trim() ? column_name : (test.column_name ?? null);
  const ctx: MacroContext = {
    model: whereSubquery(relation, where),
    column,
    args,
    relation: (text) => resolveRelationArg(text, test, options),
    sql: crossDbDialectFor(options.dialect),
  };
  const main = impl(ctx);
  if ('skip' in main) return main;
  // A package macro's own config(fail_calc=…) applies unless the project set another one.
  const configured = fromConfig(test, 'fail_calc');
  const failCalc = configured && configured.replace(/\s+/g, '') !== 'count(*)' ? configured : (main.failCalc ?? configured);
  return {
    sql: wrapTestSql(main.sql, { fail_calc: failCalc, warn_if: fromConfig(test, 'warn_if'), error_if: fromConfig(test, 'error_if'), limit: limitOf(test) }),
  };
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * A pattern for a relation name as it may appear in compiled SQL: each part quoted or bare, any
 * case, with optional spaces around the dots. The boundaries keep `db.s.orders` from matching
 * inside `db.s.orders_v2` or `x.db.s.orders`.
 */
export function relationPattern(relation: string): RegExp {
  const parts = splitRelation(relation).map((p) => `(?:"${escapeRegex(p.replace(/"/g, '""'))}"|${escapeRegex(p)})`);
  return new RegExp(`(?<![\\w$."])${parts.join('\\s*\\.\\s*')}(?![\\w$"])`, 'gi');
}

/**
 * Rewrites a singular test's compiled SQL (rendered against production) so that every relation
 * it depends on is the one `relationOf` chooses. Plain text replacement of each production
 * relation name, case-insensitive and with or without quotes; names spelled differently (only
 * schema.table, another alias) are not found and keep reading production.
 */
export function rewriteRelations(sql: string, test: DbtNode, options: TestSqlOptions): string {
  const swaps: { from: string; to: string }[] = [];
  for (const id of test.depends_on.nodes) {
    const p = options.project;
    const production = p?.nodes[id]?.relation_name ?? p?.sources[id]?.relation_name;
    const chosen = options.relationOf(id);
    if (production && chosen && chosen !== production) swaps.push({ from: production, to: chosen });
  }
  // Longer names first, so a name that contains another is replaced whole.
  swaps.sort((a, b) => b.from.length - a.from.length);
  let out = sql;
  for (const s of swaps) out = out.replace(relationPattern(s.from), () => s.to);
  return out;
}

function singularSql(test: DbtNode, options: TestSqlOptions): { sql: string } | { skip: string } {
  const code = test.compiled_code;
  if (typeof code !== 'string' || code.trim() === '') {
    const why = test.render_error ? `its SQL did not render: ${test.render_error.message}` : 'it has no compiled SQL';
    return { skip: `singular test cannot run: ${why}` };
  }
  return {
    sql: wrapTestSql(rewriteRelations(code, test, options), {
      fail_calc: fromConfig(test, 'fail_calc'),
      warn_if: fromConfig(test, 'warn_if'),
      error_if: fromConfig(test, 'error_if'),
      limit: limitOf(test),
    }),
  };
}

/**
 * The one-row SQL of a test, or why it cannot be produced. Generic tests use the native macros;
 * a generic test without one runs its compiled SQL (manifest.json provides it) like a singular test.
 */
export function testSql(test: DbtNode, options: TestSqlOptions): TestSqlOutcome {
  const severity = severityOf(test);
  if (test.test_metadata) {
    const generic = genericSql(test, options);
    const native = nativeTest(test.test_metadata.name, namespaceOf(test)) !== undefined;
    const compiled = typeof test.compiled_code === 'string' && test.compiled_code.trim() !== '';
    if (!('sql' in generic) && !native && compiled) return { ...singularSql(test, options), severity };
    return { ...generic, severity };
  }
  return { ...singularSql(test, options), severity };
}
