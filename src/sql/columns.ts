/**
 * Column lineage of one SELECT: for each output column, the physical relation columns it derives
 * from (through CTEs, subqueries and unions), and how (direct, renamed, derived, aggregated, …).
 *
 * Names: Snowflake folds unquoted identifiers to upper case and DuckDB is case-insensitive, so
 * names are compared case-insensitively. Reported names (output columns, source columns,
 * relations) are lower-cased unless the identifier was written in double quotes somewhere in the
 * SQL, in which case its spelling is kept; dbt models almost always use unquoted lower-case names,
 * and lower case is how dbt's own manifests spell them.
 */
import { columnRefOf, exprText, isNode, mapAst, nameText, nodes, relationName, shapeOf, str, type AstNode } from './ast.js';
import { parseSelect } from './parse.js';
import { lex, lexRulesFor } from './tokens.js';

export interface ColumnRef {
  relation: string;
  column: string;
}

export type Transform = 'direct' | 'renamed' | 'derived' | 'aggregated' | 'constant' | 'window' | 'unknown';

export interface OutputColumn {
  name: string;
  /** Normalised SQL text of the expression as written in the outermost SELECT. */
  expression: string;
  /** The expression with references to CTE/subquery columns replaced by their definitions, down to physical columns. */
  definition: string;
  sources: ColumnRef[];
  transform: Transform;
}

/** A predicate (WHERE/HAVING/QUALIFY conjunct or JOIN condition), for the semantic diff. */
export interface Predicate {
  clause: 'where' | 'having' | 'qualify' | 'join';
  /** Inlined SQL text (CTE columns replaced by their definitions). */
  text: string;
  refs: ColumnRef[];
  /** For joins: the relation(s) joined in, and the join type. */
  joined?: string[];
  joinType?: string;
}

export type ColumnLineage =
  | {
      status: 'ok';
      columns: OutputColumn[];
      relations: string[];
      filters: ColumnRef[];
      joins: ColumnRef[];
      groupBy: ColumnRef[];
    }
  | { status: 'unknown'; reason: string };

export interface LineageOptions {
  /** Known columns of a physical relation (lower-cased normalised name as in `relations`). */
  schemaOf?: (relation: string) => string[] | undefined;
}

/** Everything the analysis learns; the semantic diff reads the richer parts. */
export interface SelectAnalysis {
  columns: OutputColumn[];
  relations: string[];
  filters: ColumnRef[];
  joins: ColumnRef[];
  groupBy: ColumnRef[];
  predicates: Predicate[];
  /** Inlined GROUP BY expressions of every SELECT level. */
  groupByTexts: string[];
}

// ---- internal model ----

/** A column as seen by the SELECT that reads it. */
interface Col {
  name: string;
  key: string;
  /** AST of the column's definition, inlined down to physical columns. */
  inlined: AstNode;
  sources: ColumnRef[];
  transform: Transform;
  /** An unexpanded `*` from a physical relation whose columns are unknown. */
  starOf?: string;
  /** Display text of the definition when the AST cannot say it (union branches). */
  definitionText?: string;
  /** For direct/renamed chains: the physical column name it passes through. */
  base?: string;
}

type Source =
  | { kind: 'physical'; relation: string; columns?: string[] }
  | { kind: 'derived'; columns: Col[] }
  /** Table functions (FLATTEN, VALUES, …): any column of it derives from the function's inputs. */
  | { kind: 'opaque'; sources: ColumnRef[] };

interface Scope {
  sources: Map<string, Source>;
  order: Source[];
  parent?: Scope;
}

class Context {
  readonly relations = new Set<string>();
  readonly filters: ColumnRef[] = [];
  readonly joins: ColumnRef[] = [];
  readonly groupBy: ColumnRef[] = [];
  readonly predicates: Predicate[] = [];
  readonly groupByTexts: string[] = [];
  constructor(
    readonly grammar: string,
    readonly quoted: Set<string>,
    readonly schemaOf: ((relation: string) => string[] | undefined) | undefined,
  ) {}

  display(name: string): string {
    return this.quoted.has(name) ? name : name.toLowerCase();
  }
  text(ast: unknown): string {
    return exprText(ast, this.grammar);
  }
}

const RANK: Record<Transform, number> = { constant: 0, direct: 1, renamed: 1, derived: 2, aggregated: 3, window: 4, unknown: 5 };

export function columnLineage(sql: string, dialect = 'snowflake', options: LineageOptions = {}): ColumnLineage {
  const analysis = analyzeSelect(sql, dialect, options);
  if ('reason' in analysis) return { status: 'unknown', reason: analysis.reason };
  const { columns, relations, filters, joins, groupBy } = analysis;
  return { status: 'ok', columns, relations, filters, joins, groupBy };
}

/** Lineage plus predicates and group-by texts; `{ reason }` when the SQL cannot be analysed. */
export function analyzeSelect(sql: string, dialect = 'snowflake', options: LineageOptions = {}): SelectAnalysis | { reason: string } {
  const parsed = parseSelect(sql, dialect);
  if (!parsed.ok) return { reason: parsed.error.message };
  if (parsed.ast.type !== 'select') return { reason: `not a SELECT statement (${String(parsed.ast.type)})` };
  const quoted = new Set<string>();
  for (const t of lex(sql, lexRulesFor(dialect)).tokens) if (t.kind === 'quoted') quoted.add(t.text.slice(1, -1).replace(/""/g, '"'));
  const ctx = new Context(parsed.dialect, quoted, options.schemaOf);
  try {
    const cols = resolveQuery(parsed.ast, ctx, new Map(), undefined);
    return {
      columns: cols.map((c) => toOutput(c, ctx, parsed.ast)),
      relations: [...ctx.relations].sort(),
      filters: dedupe(ctx.filters),
      joins: dedupe(ctx.joins),
      groupBy: dedupe(ctx.groupBy),
      predicates: ctx.predicates,
      groupByTexts: ctx.groupByTexts,
    };
  } catch (err) {
    // An AST shape we did not foresee: say so rather than guess.
    return { reason: `could not follow the SQL's columns: ${err instanceof Error ? err.message : String(err)}` };
  }
}

/** Expression and definition of one output column, or undefined when unknown. */
export function expressionOf(sql: string, dialect: string, column: string): OutputColumn | undefined {
  const lineage = columnLineage(sql, dialect);
  if (lineage.status !== 'ok') return undefined;
  return lineage.columns.find((c) => c.name.toLowerCase() === column.toLowerCase());
}

function toOutput(col: Col, ctx: Context, top: AstNode): OutputColumn {
  const item = nodes(top.columns).find((c) => outputName(c, ctx) === col.name);
  const expression = col.starOf ? `${col.starOf}.*` : item ? ctx.text(item.expr) : ctx.text(col.inlined);
  return {
    name: col.name,
    expression,
    definition: col.starOf ? expression : (col.definitionText ?? ctx.text(col.inlined)),
    sources: dedupe(col.sources),
    transform: col.transform,
  };
}

function dedupe(refs: ColumnRef[]): ColumnRef[] {
  const seen = new Map<string, ColumnRef>();
  for (const r of refs) seen.set(`${r.relation}\u0000${r.column.toLowerCase()}`, r);
  return [...seen.values()];
}

// ---- queries, CTEs, set operations ----

type Ctes = Map<string, Col[]>;

/** A SELECT with its WITH clause and UNION chain. */
function resolveQuery(ast: AstNode, ctx: Context, outerCtes: Ctes, parent: Scope | undefined): Col[] {
  const ctes: Ctes = new Map(outerCtes);
  for (const w of nodes(ast.with)) {
    const name = nameText(w.name);
    const stmt = isNode(w.stmt) && isNode(w.stmt.ast) ? w.stmt.ast : isNode(w.stmt) ? w.stmt : undefined;
    if (!name || !stmt) continue;
    const key = name.toLowerCase();
    // Recursive CTEs: the anchor branch defines the columns the recursive branch reads.
    if (isNode(stmt._next)) ctes.set(key, resolveSelectCore({ ...stmt, _next: undefined, with: undefined }, ctx, ctes, parent));
    let cols = resolveQuery(stmt, ctx, ctes, parent);
    const renames = nodes(w.columns).map((c) => nameText(c.column) ?? nameText(c) ?? '');
    if (renames.length) cols = cols.map((c, i) => (renames[i] ? { ...c, name: ctx.display(renames[i]), key: renames[i].toLowerCase() } : c));
    ctes.set(key, cols);
  }
  const branches: Col[][] = [];
  for (let s: AstNode | undefined = ast; s; s = isNode(s._next) ? s._next : undefined) {
    branches.push(resolveSelectCore({ ...s, with: undefined }, ctx, ctes, parent));
  }
  if (branches.length === 1) return branches[0];
  // UNION/EXCEPT/INTERSECT: names from the first branch, sources from every branch by position.
  return branches[0].map((first, i) => {
    const same = branches.map((b) => b[i]).filter((c): c is Col => c !== undefined);
    const transforms = new Set(same.map((c) => c.transform));
    const inlinedTexts = same.map((c) => ctx.text(c.inlined));
    return {
      ...first,
      sources: same.flatMap((c) => c.sources),
      transform: transforms.size === 1 ? first.transform : maxTransform([...transforms].filter((t) => t !== 'constant'), 'derived'),
      definitionText: inlinedTexts.join(' UNION '),
      base: undefined,
    };
  });
}

function maxTransform(ts: Transform[], floor: Transform): Transform {
  return ts.reduce<Transform>((acc, t) => (RANK[t] > RANK[acc] ? t : acc), floor);
}

/** One SELECT … FROM … WHERE … GROUP BY … (no WITH, no UNION). */
function resolveSelectCore(ast: AstNode, ctx: Context, ctes: Ctes, parent: Scope | undefined): Col[] {
  if (ast.with) return resolveQuery({ ...ast, _next: undefined }, ctx, ctes, parent);
  const scope: Scope = { sources: new Map(), order: [], parent };
  for (const from of nodes(ast.from)) addFromItem(from, scope, ctx, ctes);

  // Join conditions: resolved once every FROM item is in scope.
  for (const from of nodes(ast.from)) {
    if (from.on) {
      const resolved = resolveExpr(from.on, scope, ctx, ctes, []);
      ctx.joins.push(...resolved.sources);
      const joined = from.table ? relationLabel(from, ctes) : str(from.as) ?? 'subquery';
      ctx.predicates.push({ clause: 'join', text: ctx.text(resolved.inlined), refs: resolved.sources, joined: [joined], joinType: str(from.join)?.toLowerCase() });
    }
    for (const u of Array.isArray(from.using) ? from.using : []) {
      const name = nameText(u);
      if (!name) continue;
      for (const source of scope.order) {
        const hit = lookup(source, name, ctx);
        if (hit && hit !== 'maybe') ctx.joins.push(...hit.sources);
      }
    }
  }

  const out: Col[] = [];
  for (const item of nodes(ast.columns)) {
    const expr = isNode(item.expr) ? item.expr : undefined;
    if (!expr) continue;
    const ref = columnRefOf(expr);
    if (ref && ref.column === '*') {
      out.push(...expandStar(ref.table, expr, scope, ctx));
      continue;
    }
    const name = outputName(item, ctx);
    const resolved = resolveExpr(expr, scope, ctx, ctes, out);
    const key = name.toLowerCase();
    let transform = resolved.transform;
    if (transform === 'direct' || transform === 'renamed') transform = resolved.base !== undefined && resolved.base.toLowerCase() === key ? 'direct' : 'renamed';
    out.push({ name, key, inlined: resolved.inlined, sources: resolved.sources, transform, base: resolved.base, definitionText: resolved.definitionText });
  }

  for (const [clause, node] of [['where', ast.where], ['having', ast.having], ['qualify', ast.qualify]] as const) {
    if (!isNode(node)) continue;
    for (const conjunct of splitAnd(node)) {
      const resolved = resolveExpr(conjunct, scope, ctx, ctes, out);
      ctx.filters.push(...resolved.sources);
      ctx.predicates.push({ clause, text: ctx.text(resolved.inlined), refs: resolved.sources });
    }
  }

  const groupby = isNode(ast.groupby) ? nodes(ast.groupby.columns) : nodes(ast.groupby);
  for (const g of groupby) {
    if (g.type === 'number' && typeof g.value === 'number') {
      const col = out[g.value - 1];
      if (col) {
        ctx.groupBy.push(...col.sources);
        ctx.groupByTexts.push(ctx.text(col.inlined));
      }
      continue;
    }
    if (g.type === 'origin' && str(g.value)?.toLowerCase() === 'all') {
      for (const col of out) {
        if (col.transform === 'aggregated' || col.transform === 'constant') continue;
        ctx.groupBy.push(...col.sources);
        ctx.groupByTexts.push(ctx.text(col.inlined));
      }
      continue;
    }
    const resolved = resolveExpr(g, scope, ctx, ctes, out);
    ctx.groupBy.push(...resolved.sources);
    ctx.groupByTexts.push(ctx.text(resolved.inlined));
  }
  return out;
}

function splitAnd(node: AstNode): AstNode[] {
  if (node.type === 'binary_expr' && str(node.operator)?.toUpperCase() === 'AND' && !node.parentheses && isNode(node.left) && isNode(node.right)) {
    return [...splitAnd(node.left), ...splitAnd(node.right)];
  }
  return [node];
}

function relationLabel(from: AstNode, ctes: Ctes): string {
  const name = relationName(from) ?? '?';
  return ctes.has(name) ? `cte ${name}` : name;
}

/** The output column's name: its alias, its column name, or the expression text (as Snowflake does). */
function outputName(item: AstNode, ctx: Context): string {
  const alias = nameText(item.as);
  if (alias) return ctx.display(alias);
  const expr = isNode(item.expr) ? item.expr : undefined;
  const ref = expr ? columnRefOf(expr) : undefined;
  if (ref) return ctx.display(ref.column);
  return ctx.text(expr).toLowerCase();
}

// ---- FROM ----

function addFromItem(from: AstNode, scope: Scope, ctx: Context, ctes: Ctes): void {
  const alias = nameText(from.as)?.replace(/\(.*$/s, '').trim();
  let source: Source;
  let key: string | undefined = alias?.toLowerCase();
  if (typeof from.table === 'string') {
    const name = relationName(from) ?? from.table.toLowerCase();
    const cte = !from.db && !from.schema ? ctes.get(from.table.toLowerCase()) : undefined;
    if (cte) source = { kind: 'derived', columns: cte };
    else {
      ctx.relations.add(name);
      source = { kind: 'physical', relation: name, columns: ctx.schemaOf?.(name) };
    }
    key ??= from.table.toLowerCase();
  } else if (isNode(from.expr) && isNode(from.expr.ast) && from.expr.ast.type === 'select') {
    source = { kind: 'derived', columns: resolveQuery(from.expr.ast, ctx, ctes, scope.parent) };
  } else if (isNode(from.expr)) {
    // Table function or VALUES: its columns derive from whatever columns feed its arguments.
    const resolved = resolveExpr(from.expr, scope, ctx, ctes, []);
    source = { kind: 'opaque', sources: resolved.sources };
  } else return;
  if (key) scope.sources.set(key, source);
  scope.order.push(source);
}

/** Finds a column in a source: a Col, 'maybe' (the source's columns are unknown), or undefined. */
function lookup(source: Source, column: string, ctx: Context): Col | 'maybe' | undefined {
  const key = column.toLowerCase();
  if (source.kind === 'physical') {
    if (!source.columns) return 'maybe';
    const hit = source.columns.find((c) => c.toLowerCase() === key);
    return hit === undefined ? undefined : physicalCol(source.relation, hit, ctx);
  }
  if (source.kind === 'opaque') return 'maybe';
  const hit = source.columns.find((c) => c.key === key && !c.starOf);
  if (hit) return hit;
  return source.columns.some((c) => c.starOf) ? 'maybe' : undefined;
}

/** What a 'maybe' lookup contributes: the column from every unexpanded `*` or opaque input. */
function maybeCol(source: Source, column: string, ctx: Context): Col {
  const name = ctx.display(column);
  if (source.kind === 'physical') return physicalCol(source.relation, column, ctx);
  if (source.kind === 'opaque') {
    return { name, key: column.toLowerCase(), inlined: colNode(name), sources: source.sources, transform: source.sources.length ? 'derived' : 'constant' };
  }
  const stars = source.columns.filter((c) => c.starOf);
  return {
    name,
    key: column.toLowerCase(),
    inlined: colNode(name, stars.length === 1 ? stars[0].starOf : undefined),
    sources: stars.map((s) => ({ relation: s.starOf ?? '?', column: name })),
    transform: 'direct',
    base: name,
  };
}

function physicalCol(relation: string, column: string, ctx: Context): Col {
  const name = ctx.display(column);
  return { name, key: column.toLowerCase(), inlined: colNode(name, relation), sources: [{ relation, column: name }], transform: 'direct', base: name };
}

/** A column node; physical columns are qualified by the relation's last name part so definitions read unambiguously. */
function colNode(name: string, relation?: string): AstNode {
  return { type: 'column_ref', table: relation ? (relation.split('.').pop() ?? null) : null, column: name };
}

function expandStar(table: string | null, expr: AstNode, scope: Scope, ctx: Context): Col[] {
  const sources = table ? [scope.sources.get(table.toLowerCase())].filter((s): s is Source => s !== undefined) : scope.order;
  const excluded = new Set(
    isNode(expr.suffix) && isNode(expr.suffix.args) ? nodes(expr.suffix.args.value).map((v) => (nameText(v.column) ?? '').toLowerCase()) : [],
  );
  const out: Col[] = [];
  for (const source of sources) {
    if (source.kind === 'physical') {
      if (source.columns) out.push(...source.columns.map((c) => physicalCol(source.relation, c, ctx)));
      else out.push({ name: '*', key: '*', inlined: colNode('*'), sources: [{ relation: source.relation, column: '*' }], transform: 'direct', starOf: source.relation });
    } else if (source.kind === 'derived') out.push(...source.columns);
  }
  return out.filter((c) => !excluded.has(c.key));
}

// ---- expressions ----

interface Resolved {
  inlined: AstNode;
  sources: ColumnRef[];
  transform: Transform;
  base?: string;
  definitionText?: string;
}

/**
 * Resolves an expression in a scope: its physical sources, its transform (composed with the
 * transforms of the columns it reads), and its definition inlined through CTEs and subqueries.
 * `lateral` holds the SELECT's earlier output columns (Snowflake lets later items use their aliases).
 */
function resolveExpr(expr: unknown, scope: Scope, ctx: Context, ctes: Ctes, lateral: Col[]): Resolved {
  if (!isNode(expr)) return { inlined: colNode('?'), sources: [], transform: 'unknown' };
  const shape = shapeOf(expr);
  const sources: ColumnRef[] = [];
  const inner: Transform[] = [];
  const byNode = new Map<AstNode, Col>();
  for (const refNode of shape.refs) {
    const ref = columnRefOf(refNode);
    if (!ref) continue;
    const col = resolveColumn(ref.table, ref.column, scope, ctx, lateral);
    byNode.set(refNode, col);
    sources.push(...col.sources);
    inner.push(col.transform);
  }
  for (const sub of shape.subqueries) {
    const cols = resolveQuery(sub, ctx, ctes, scope);
    for (const c of cols) {
      sources.push(...c.sources);
      inner.push(c.transform);
    }
  }
  const inlined = mapAst(expr, (node) => {
    const col = byNode.get(node);
    if (!col) return undefined;
    const def = col.inlined;
    return def.type === 'binary_expr' ? { ...def, parentheses: true } : def;
  });
  const inlinedNode = isNode(inlined) ? inlined : colNode('?');

  const bare = columnRefOf(expr) !== undefined && shape.refs.length === 1;
  if (bare) {
    const col = byNode.get(shape.refs[0]);
    return { inlined: inlinedNode, sources, transform: col?.transform ?? 'unknown', base: col?.base, definitionText: col?.definitionText };
  }
  if (shape.refs.length === 0 && shape.subqueries.length === 0) return { inlined: inlinedNode, sources, transform: shape.window ? 'window' : shape.aggregate ? 'aggregated' : 'constant' };
  const own: Transform = shape.window ? 'window' : shape.aggregate ? 'aggregated' : 'derived';
  return { inlined: inlinedNode, sources, transform: maxTransform(inner.filter((t) => t !== 'direct' && t !== 'renamed' && t !== 'constant'), own) };
}

function resolveColumn(table: string | null, column: string, scope: Scope, ctx: Context, lateral: Col[]): Col {
  if (table) {
    for (let s: Scope | undefined = scope; s; s = s.parent) {
      const source = s.sources.get(table.toLowerCase());
      if (!source) continue;
      const hit = lookup(source, column, ctx);
      if (hit === 'maybe') return maybeCol(source, column, ctx);
      if (hit) return hit;
      return unknownCol(column, ctx);
    }
    return unknownCol(column, ctx);
  }
  for (let s: Scope | undefined = scope; s; s = s.parent) {
    const definite: Col[] = [];
    const maybe: Source[] = [];
    for (const source of s.order) {
      const hit = lookup(source, column, ctx);
      if (hit === 'maybe') maybe.push(source);
      else if (hit) definite.push(hit);
    }
    if (definite.length) return definite[0];
    // Snowflake: a source column wins over an earlier item's alias; the alias is the fallback.
    if (s === scope) {
      const alias = lateral.find((c) => c.key === column.toLowerCase());
      if (alias) return alias;
    }
    if (maybe.length === 1) return maybeCol(maybe[0], column, ctx);
    if (maybe.length > 1) {
      // Several sources of unknown shape could hold it: report every candidate.
      const cols = maybe.map((m) => maybeCol(m, column, ctx));
      return { ...cols[0], sources: cols.flatMap((c) => c.sources), transform: 'unknown', base: undefined };
    }
  }
  return unknownCol(column, ctx);
}

function unknownCol(column: string, ctx: Context): Col {
  const name = ctx.display(column);
  return { name, key: column.toLowerCase(), inlined: colNode(name), sources: [], transform: 'unknown' };
}
