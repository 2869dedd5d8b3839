/**
 * The read-only guard: nothing but ONE read-only SELECT/WITH statement may reach the warehouse,
 * because PR authors control the SQL we run.
 *
 * It works on tokens (./tokens.ts), so `;` and keywords inside strings, quoted identifiers and
 * comments do not count, using the target engine's rules for where strings and comments end.
 * Decisions:
 * - DDL/DML/session/transaction keywords are refused wherever they appear as bare words (not
 *   quoted, not part of a dotted name), not only at the start: that catches `WITH … INSERT`,
 *   data-modifying CTEs and scripting blocks. `INSERT(`, `TRUNCATE(` and `GET(` are Snowflake
 *   functions and are allowed when a `(` follows.
 * - Snowflake time travel (`AT(`, `BEFORE(`, `CHANGES(`) is refused: a review compares current data.
 * - `SYSTEM$…` functions are refused (some change state, e.g. SYSTEM$CANCEL_QUERY).
 * - `RESULT_SCAN` is refused: it reads results of earlier statements in the session, which may be
 *   our own unmasked probes; PR SQL has no reason to use it.
 * - `INTO` (SELECT … INTO) is refused.
 * - DuckDB: file-reading table functions (read_csv, read_parquet, read_text, glob, …) and
 *   `FROM 'file'` are refused: they read the app server's files. The DuckDB adapter should also
 *   disable external access; this is the second fence.
 * - `IDENTIFIER($var)` and session variables are allowed (read-only). Snowflake stage reads
 *   (`@stage`) are allowed: read-only and governed by the role.
 * - Not detectable syntactically: external functions and UDFs with side effects look like any
 *   other function call; only the warehouse role (read-only grants) stops those.
 */
import { WarehouseError, type WarehouseType } from '../warehouse/warehouse.js';
import { isNode, parseSelect } from './parse.js';
import { lex, lexRulesFor, significant, type Token } from './tokens.js';

export type ReadOnlyCheck = { ok: true; /** node-sql-parser could parse it and confirmed one SELECT */ parsed: boolean } | { ok: false; reason: string };

const STATEMENT_WORDS = new Set([
  'insert', 'update', 'delete', 'merge', 'upsert', 'create', 'drop', 'undrop', 'alter', 'truncate',
  'rename', 'grant', 'revoke', 'copy', 'put', 'get', 'remove', 'call', 'execute', 'exec', 'use', 'set', 'unset',
  'begin', 'commit', 'rollback', 'start', 'declare', 'attach', 'detach', 'install', 'load', 'export', 'import',
  'pragma', 'vacuum', 'checkpoint', 'comment', 'describe', 'show', 'list', 'explain', 'into', 'returning',
]);
/**
 * Statement words that are also common column or function names; refused only where a statement
 * would begin (start, after `(` or after `)`), e.g. `with a as (…) set x = 1`.
 */
const STATEMENT_POSITION_ONLY = new Set(['start', 'comment', 'list', 'show', 'describe', 'explain', 'load', 'export', 'import', 'remove', 'rename', 'checkpoint', 'use']);
/** Statement words that name a (read-only) function when a `(` follows. */
const FUNCTION_NAMES = new Set(['insert', 'truncate', 'get', 'list', 'comment', 'load']);
const TIME_TRAVEL = new Set(['at', 'before', 'changes']);
const DUCKDB_FILE_FUNCTIONS = new Set([
  'read_csv', 'read_csv_auto', 'read_parquet', 'parquet_scan', 'read_json', 'read_json_auto', 'read_json_objects',
  'read_ndjson', 'read_ndjson_auto', 'read_ndjson_objects', 'read_text', 'read_blob', 'glob', 'sniff_csv',
  'parquet_metadata', 'parquet_schema', 'parquet_file_metadata', 'parquet_kv_metadata', 'read_xlsx', 'st_read',
  'iceberg_scan', 'delta_scan', 'getenv', 'duckdb_secrets', 'duckdb_settings', 'current_setting', 'sqlite_scan', 'postgres_scan',
]);

/** Throws WarehouseError('refused_statement') unless the SQL is one read-only SELECT/WITH. */
export function assertReadOnlySelect(sql: string, dialect: WarehouseType): void {
  const check = readOnlyCheck(sql, dialect);
  if (!check.ok) throw new WarehouseError(check.reason, 'refused_statement', sql);
}

/** The guard as a value, so callers can report why (or whether the parser confirmed it). */
export function readOnlyCheck(sql: string, dialect: string): ReadOnlyCheck {
  const lexical = lexicalCheck(sql, dialect);
  if (lexical) return { ok: false, reason: lexical };
  const parsed = parseSelect(sql, dialect);
  // The parser is weaker than the engines: a parse failure is not a refusal, the lexer has spoken.
  if (!parsed.ok) return { ok: true, parsed: false };
  const type = parsed.ast.type;
  if (type !== 'select') return { ok: false, reason: `refused: the SQL is a ${String(type).toUpperCase()} statement, not a SELECT` };
  if (hasInto(parsed.ast)) return { ok: false, reason: 'refused: SELECT … INTO writes a table; only plain SELECTs may run' };
  return { ok: true, parsed: true };
}

function at(t: Token): string {
  return `at line ${t.line}, column ${t.column}`;
}

/** The lexical half of the guard; returns the refusal reason or undefined. */
function lexicalCheck(sql: string, dialect: string): string | undefined {
  const { tokens, unterminated } = lex(sql, lexRulesFor(dialect));
  if (unterminated) {
    return `refused: the SQL ends inside ${unterminated.what} that starts at line ${unterminated.line}, column ${unterminated.column}`;
  }
  const sig = significant(tokens);
  if (sig.length === 0) return 'refused: the SQL is empty';

  // One statement, with at most one trailing `;`.
  const semis = sig.map((t, k) => ({ t, k })).filter(({ t }) => t.text === ';');
  for (const { k } of semis) {
    if (k !== sig.length - 1) {
      const rest = sig.slice(k + 1).find((x) => x.text !== ';');
      return rest
        ? `refused: the SQL holds a second statement after ';' ${at(rest)}`
        : `refused: the SQL holds more than one ';' (${at(sig[k + 1])})`;
    }
    if (k === 0) return "refused: the SQL holds no statement before ';'";
  }
  const body = sig[sig.length - 1].text === ';' ? sig.slice(0, -1) : sig;

  const first = body[0];
  const firstWord = first.kind === 'word' ? first.text.toLowerCase() : first.text;
  if (firstWord !== 'select' && firstWord !== 'with' && firstWord !== '(') {
    return `refused: only a SELECT or WITH statement may run, but the SQL starts with ${describe(first)} ${at(first)}`;
  }

  const isDuck = dialect.toLowerCase() === 'duckdb';
  let depth = 0;
  for (let k = 0; k < body.length; k++) {
    const t = body[k];
    const prev = body[k - 1];
    const next = body[k + 1];
    if (t.text === '(') depth++;
    else if (t.text === ')') depth--;
    if (isDuck && t.kind === 'string' && prev?.kind === 'word' && /^(from|join)$/i.test(prev.text)) {
      return `refused: reading a file (${t.text}) ${at(t)}; only tables and views may be read`;
    }
    if (t.kind !== 'word') continue;
    const word = t.text.toLowerCase();
    const dotted = prev?.text === '.' || next?.text === '.';
    const call = next?.text === '(';
    if (word.startsWith('system$')) return `refused: the system function ${t.text} ${at(t)}`;
    if (word === 'result_scan' && call) return `refused: RESULT_SCAN ${at(t)} reads earlier results of the session`;
    if (TIME_TRAVEL.has(word) && call && !dotted && prev !== undefined && (prev.kind === 'word' || prev.kind === 'quoted' || prev.text === ')')) {
      return `refused: Snowflake time travel (${t.text.toUpperCase()}(…)) ${at(t)}; a review reads current data`;
    }
    if (isDuck && call && DUCKDB_FILE_FUNCTIONS.has(word)) return `refused: ${t.text}() ${at(t)} reads files or settings of the server`;
    if (!STATEMENT_WORDS.has(word) || dotted) continue;
    if (call && FUNCTION_NAMES.has(word)) continue;
    // A statement could begin here: the start, a `(`, or after a CTE's closing `)` at the top level.
    const statementPosition = prev === undefined || prev.text === '(' || (prev.text === ')' && depth === 0);
    if (STATEMENT_POSITION_ONLY.has(word) && !statementPosition) continue;
    // `start with` belongs to CONNECT BY; `set` inside type names never appears in SELECTs.
    if (word === 'start' && next?.kind === 'word' && next.text.toLowerCase() === 'with') continue;
    return `refused: ${t.text.toUpperCase()} ${at(t)}; only a read-only SELECT may run`;
  }
  return undefined;
}

function describe(t: Token): string {
  return t.kind === 'word' ? t.text.toUpperCase() : `'${t.text.slice(0, 20)}'`;
}

/** SELECT … INTO anywhere in the tree (node-sql-parser puts `into: { position }` on selects). */
function hasInto(node: unknown): boolean {
  if (Array.isArray(node)) return node.some(hasInto);
  if (!isNode(node)) return false;
  const into = node.into;
  if (isNode(into) && (into.position != null || into.expr != null)) return true;
  return Object.values(node).some((v) => typeof v === 'object' && v !== null && hasInto(v));
}
