/**
 * Narrow helpers over node-sql-parser's AST: its shapes differ per grammar (a column name is a
 * string in `snowflake`, `{ expr: { value } }` in `postgresql`), so reading them lives in one place.
 */
import { isNode, parser, type AstNode } from './parse.js';
import { lex, lexRulesFor } from './tokens.js';

export { isNode, type AstNode };

export function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

/** Text of a name that may be a string or a `{ expr: { value } }` / `{ value }` wrapper. */
export function nameText(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (!isNode(v)) return undefined;
  if (typeof v.value === 'string') return v.value;
  if (isNode(v.expr)) return nameText(v.expr);
  return undefined;
}

export function nodes(v: unknown): AstNode[] {
  return Array.isArray(v) ? v.filter(isNode) : [];
}

/** Is this expression node a (possibly nested) SELECT, as found in scalar and IN subqueries? */
export function subSelect(node: AstNode): AstNode | undefined {
  if (isNode(node.ast) && node.ast.type === 'select') return node.ast;
  return undefined;
}

/**
 * A column reference: `column_ref` nodes, and `"Quoted"` identifiers that the snowflake grammar
 * reads as double-quoted strings (in Snowflake, DuckDB and Postgres double quotes name things).
 */
export function columnRefOf(node: AstNode): { table: string | null; column: string } | undefined {
  if (node.type === 'column_ref') {
    const column = nameText(node.column);
    if (column === undefined) return undefined;
    // Snowflake paths (`v:a.b`, `t.v:a`) arrive as schema/table/column with `:` among the notations;
    // the column is the part before the first `:`, the qualifier the part before that.
    const parts = [nameText(node.schema), nameText(node.table), column].filter((p): p is string => p !== undefined);
    const notations = Array.isArray(node.notations) ? node.notations : [];
    const colon = notations.indexOf(':');
    if (colon >= 0 && colon < parts.length - 1) return { table: parts[colon - 1] ?? null, column: parts[colon] };
    return { table: parts.length > 1 ? parts[parts.length - 2] : null, column };
  }
  if (node.type === 'double_quote_string' && typeof node.value === 'string') return { table: null, column: node.value };
  return undefined;
}

/** Physical relation name as written, dot-joined and lowercased (what `relations` reports). */
export function relationName(from: AstNode): string | undefined {
  const table = str(from.table);
  if (!table) return undefined;
  const db = str(from.db) ?? str(from.catalog);
  const schema = str(from.schema);
  const parts = schema ? [db, schema, table] : [db, table];
  return parts
    .filter((p): p is string => !!p)
    .join('.')
    .toLowerCase();
}

const AGGREGATES = new Set([
  'count', 'sum', 'avg', 'min', 'max', 'listagg', 'array_agg', 'string_agg', 'group_concat', 'count_if', 'sum_if',
  'median', 'mode', 'any_value', 'approx_count_distinct', 'approx_distinct', 'stddev', 'stddev_pop', 'stddev_samp',
  'variance', 'var_pop', 'var_samp', 'bool_and', 'bool_or', 'booland_agg', 'boolor_agg', 'bit_and', 'bit_or',
  'percentile_cont', 'percentile_disc', 'approx_percentile', 'quantile', 'quantile_cont', 'arg_max', 'arg_min',
  'max_by', 'min_by', 'object_agg', 'array_union_agg', 'hll', 'corr', 'covar_pop', 'covar_samp', 'kurtosis', 'skew',
  'first', 'last', 'list', 'histogram', 'product', 'avg_distinct', 'countif', 'logical_and', 'logical_or',
]);

export function functionName(node: AstNode): string | undefined {
  if (typeof node.name === 'string') return node.name.toLowerCase();
  if (isNode(node.name) && Array.isArray(node.name.name)) {
    const parts = nodes(node.name.name).map((p) => str(p.value) ?? '');
    return parts.join('.').toLowerCase();
  }
  return undefined;
}

export interface ExprShape {
  aggregate: boolean;
  window: boolean;
  /** Column-reference nodes outside nested subqueries. */
  refs: AstNode[];
  /** SELECTs nested inside the expression (scalar, IN, EXISTS subqueries). */
  subqueries: AstNode[];
}

/** What an expression is made of; does not descend into nested SELECTs (they have their own scope). */
export function shapeOf(expr: unknown): ExprShape {
  const shape: ExprShape = { aggregate: false, window: false, refs: [], subqueries: [] };
  const visit = (v: unknown): void => {
    if (Array.isArray(v)) return v.forEach(visit);
    if (!isNode(v)) return;
    const sub = subSelect(v);
    if (sub) {
      shape.subqueries.push(sub);
      return;
    }
    if (v.type === 'select') {
      shape.subqueries.push(v);
      return;
    }
    if (columnRefOf(v)) {
      if (nameText(v.column) !== '*') shape.refs.push(v);
      return;
    }
    if (v.over != null || v.type === 'window_func') shape.window = true;
    else if (v.type === 'aggr_func' || ((v.type === 'function' || v.type === 'aggr_func') && AGGREGATES.has(functionName(v) ?? ''))) {
      shape.aggregate = true;
    }
    for (const [k, child] of Object.entries(v)) {
      if (k === 'loc') continue;
      if (typeof child === 'object' && child !== null) visit(child);
    }
  };
  visit(expr);
  return shape;
}

/** Deep copy of an AST subtree, replacing nodes for which `replace` returns a value. */
export function mapAst(v: unknown, replace: (node: AstNode) => AstNode | undefined): unknown {
  if (Array.isArray(v)) return v.map((x) => mapAst(x, replace));
  if (!isNode(v)) return v;
  const hit = replace(v);
  if (hit) return hit;
  const out: AstNode = {};
  for (const [k, child] of Object.entries(v)) out[k] = typeof child === 'object' && child !== null ? mapAst(child, replace) : child;
  return out;
}

/**
 * Normalised SQL text of an expression: node-sql-parser's printer, then quotes dropped from
 * identifiers that need none, so `"o"."amount"` reads `o.amount`. Lower-cased keywords would be
 * nicer but the printer upper-cases them; equality is what the semantic diff needs.
 */
export function exprText(expr: unknown, grammar: string): string {
  if (!isNode(expr)) return '';
  let text: string;
  try {
    text = parser().exprToSQL(expr as never, { database: grammar });
  } catch {
    return '?';
  }
  const { tokens } = lex(text, lexRulesFor('postgres'));
  return tokens
    .map((t) => (t.kind === 'quoted' && /^"[a-z_][a-z0-9_$]*"$/.test(t.text) ? t.text.slice(1, -1) : t.text))
    .join('');
}
