/**
 * Parses rendered dbt SQL with node-sql-parser. The parser's grammars are weaker than the engines,
 * so each adapter type maps to a list of grammars tried in order, after cheap rewrites that keep
 * column lineage intact.
 *
 * Measured against node-sql-parser 5.4 (see test/unit/sql/parse.test.ts): its `snowflake` grammar
 * accepts `::` casts, QUALIFY, ILIKE, `$1`, `$$…$$`, double-quoted identifiers, `* EXCLUDE (…)`,
 * LATERAL FLATTEN, GROUP BY ALL, `v:a.b` paths, `//` integer division, FILTER (WHERE …), and DuckDB's
 * syntax better than its `postgresql` grammar does; it rejects EXCEPT/INTERSECT (postgresql
 * accepts them), trailing commas before FROM, `WITHIN GROUP (ORDER BY …)`, `* REPLACE (…)`,
 * SAMPLE, `UNION ALL BY NAME` and `{…}` struct literals. The first three are rewritten below.
 */
import nodeSqlParser from 'node-sql-parser';
import { blankComments, lex, lexRulesFor, significant, type Token } from './tokens.js';

const { Parser } = nodeSqlParser;

/** A node of node-sql-parser's AST; its published types are too loose to rely on, so we narrow. */
export type AstNode = Record<string, unknown>;

export interface ParseError {
  message: string;
  line?: number;
  column?: number;
}

export type ParseResult =
  | { ok: true; ast: AstNode; /** the node-sql-parser grammar that accepted it */ dialect: string; sql: string }
  | { ok: false; error: ParseError };

/** Grammars to try for each adapter type, best first. */
export function grammarsFor(dialect: string): string[] {
  switch (dialect.toLowerCase()) {
    case 'snowflake':
    case 'duckdb':
      return ['snowflake', 'postgresql'];
    case 'postgres':
    case 'postgresql':
      return ['postgresql', 'snowflake'];
    case 'redshift':
      return ['redshift', 'postgresql', 'snowflake'];
    case 'bigquery':
      return ['bigquery'];
    case 'trino':
    case 'athena':
      return ['trino', 'postgresql', 'snowflake'];
    case 'databricks':
    case 'spark':
      return ['hive', 'mysql'];
    default:
      return ['snowflake', 'postgresql'];
  }
}

let sharedParser: InstanceType<typeof Parser> | undefined;
export function parser(): InstanceType<typeof Parser> {
  sharedParser ??= new Parser();
  return sharedParser;
}

/**
 * Rewrites that the grammars need and that do not change which columns feed which output:
 * comments blanked (same shape, so error positions stay right), one trailing `;` dropped,
 * a trailing comma before FROM dropped (DuckDB and Snowflake accept it), and
 * `WITHIN GROUP (ORDER BY …)` dropped (it only orders an aggregate's input; the ordering
 * column is lost from lineage, which we accept).
 */
export function normalizeForParser(sql: string, dialect: string): string {
  const lexed = lex(sql, lexRulesFor(dialect));
  if (lexed.unterminated) return sql;
  let text = blankComments(sql, lexed.tokens);
  const sig = significant(lexed.tokens);
  // Edits as [start, end) ranges over the original offsets, applied right to left.
  const cuts: [number, number][] = [];
  for (let k = 0; k < sig.length; k++) {
    const t = sig[k];
    if (t.text === ',' && isWord(sig[k + 1], 'from')) cuts.push([t.start, t.start + 1]);
    if (isWord(t, 'within') && isWord(sig[k + 1], 'group') && sig[k + 2]?.text === '(') {
      const close = matchingParen(sig, k + 2);
      if (close !== undefined) cuts.push([t.start, sig[close].start + 1]);
    }
  }
  const last = sig[sig.length - 1];
  if (last && last.text === ';') cuts.push([last.start, last.start + 1]);
  cuts.sort((a, b) => b[0] - a[0]);
  for (const [from, to] of cuts) text = text.slice(0, from) + text.slice(from, to).replace(/[^\n\r]/g, ' ') + text.slice(to);
  return text;
}

function isWord(t: Token | undefined, word: string): boolean {
  return t !== undefined && t.kind === 'word' && t.text.toLowerCase() === word;
}

/** Index of the `)` closing the `(` at `open`, in significant tokens. */
export function matchingParen(sig: Token[], open: number): number | undefined {
  let depth = 0;
  for (let k = open; k < sig.length; k++) {
    if (sig[k].text === '(') depth++;
    else if (sig[k].text === ')') {
      depth--;
      if (depth === 0) return k;
    }
  }
  return undefined;
}

/** Parses one SELECT/WITH statement. Never throws. */
export function parseSelect(sql: string, dialect = 'snowflake'): ParseResult {
  const text = normalizeForParser(sql, dialect);
  let firstError: ParseError | undefined;
  for (const grammar of grammarsFor(dialect)) {
    try {
      const raw: unknown = parser().astify(text, { database: grammar });
      const list = Array.isArray(raw) ? raw : [raw];
      if (list.length !== 1 || !isNode(list[0])) {
        return { ok: false, error: { message: `expected one statement, found ${list.length}` } };
      }
      return { ok: true, ast: list[0], dialect: grammar, sql: text };
    } catch (err) {
      firstError ??= toParseError(err);
    }
  }
  return { ok: false, error: firstError ?? { message: 'could not parse the SQL' } };
}

export function isNode(v: unknown): v is AstNode {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function toParseError(err: unknown): ParseError {
  if (!isNode(err)) return { message: String(err) };
  const location = isNode(err.location) && isNode(err.location.start) ? err.location.start : undefined;
  const line = typeof location?.line === 'number' ? location.line : undefined;
  const column = typeof location?.column === 'number' ? location.column : undefined;
  const found = typeof err.found === 'string' ? `"${err.found}"` : err.found === null ? 'the end of the SQL' : undefined;
  const message =
    found !== undefined
      ? `SQL parser stopped at ${found}${line !== undefined ? ` (line ${line}, column ${column})` : ''}`
      : typeof err.message === 'string'
        ? err.message
        : 'could not parse the SQL';
  return { message, line, column };
}
