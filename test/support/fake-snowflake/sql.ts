/**
 * The SQL understanding the fake Snowflake needs: a tokenizer that knows Snowflake's strings,
 * quoted identifiers and comments; statement counting for MULTI_STATEMENT_COUNT; ALTER SESSION;
 * and the translation of the Snowflake SQL our app sends into DuckDB's.
 *
 * The translation is deliberately small. Most Snowflake functions become DuckDB macros (see
 * `SNOWFLAKE_MACROS`); only what a macro cannot express is rewritten in the text:
 *   - unquoted identifiers are folded to UPPER case, as Snowflake resolves them;
 *   - string literals lose Snowflake's backslash escapes (DuckDB has none);
 *   - Snowflake type names (NUMBER, FLOAT, TIMESTAMP_NTZ, VARIANT, …) become DuckDB's;
 *   - variadic or `*` calls: HASH(…), HASH_AGG(…), and LEAST/GREATEST, which are NULL when any
 *     argument is (DuckDB's skip NULLs);
 *   - calls whose first argument is a bare date part: DATEADD, DATEDIFF;
 *   - `CURRENT_TIMESTAMP()` and friends, which DuckDB only knows without parentheses;
 *   - `CREATE … TEMPORARY TABLE` becomes a plain table (the fake drops it at logout), because
 *     DuckDB's temporary tables cannot live in a named database and schema.
 */

export type TokenKind = 'space' | 'comment' | 'string' | 'quoted' | 'word' | 'number' | 'other';

export interface Token {
  kind: TokenKind;
  text: string;
}

const WORD = /[A-Za-z_][A-Za-z0-9_$]*/y;
const NUMBER = /(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?/y;
const SPACE = /\s+/y;

/**
 * Splits SQL into tokens. `backslashEscapes`: Snowflake strings treat `\` as an escape
 * (`'it\'s'`); DuckDB's do not.
 */
export function tokenize(sql: string, backslashEscapes = true): Token[] {
  const out: Token[] = [];
  let i = 0;
  const sticky = (re: RegExp): string | null => {
    re.lastIndex = i;
    const m = re.exec(sql);
    return m ? m[0] : null;
  };
  while (i < sql.length) {
    const ch = sql[i];
    const next = sql[i + 1];
    let kind: TokenKind;
    let end: number;
    if (/\s/.test(ch)) {
      kind = 'space';
      end = i + sticky(SPACE)!.length;
    } else if ((ch === '-' && next === '-') || (ch === '/' && next === '/')) {
      kind = 'comment';
      const nl = sql.indexOf('\n', i);
      end = nl === -1 ? sql.length : nl;
    } else if (ch === '/' && next === '*') {
      kind = 'comment';
      const close = sql.indexOf('*/', i + 2);
      end = close === -1 ? sql.length : close + 2;
    } else if (ch === '$' && next === '$') {
      kind = 'string';
      const close = sql.indexOf('$$', i + 2);
      end = close === -1 ? sql.length : close + 2;
    } else if (ch === "'" || ch === '"') {
      kind = ch === "'" ? 'string' : 'quoted';
      let j = i + 1;
      while (j < sql.length) {
        if (sql[j] === ch) {
          if (sql[j + 1] === ch) j += 2;
          else break;
        } else if (ch === "'" && backslashEscapes && sql[j] === '\\') j += 2;
        else j++;
      }
      end = Math.min(j + 1, sql.length);
    } else if (/[A-Za-z_]/.test(ch)) {
      kind = 'word';
      end = i + sticky(WORD)!.length;
    } else if (/[0-9]/.test(ch) || (ch === '.' && /[0-9]/.test(next ?? ''))) {
      kind = 'number';
      end = i + sticky(NUMBER)!.length;
    } else {
      kind = 'other';
      end = i + 1;
    }
    out.push({ kind, text: sql.slice(i, end) });
    i = end;
  }
  return out;
}

const significant = (t: Token) => t.kind !== 'space' && t.kind !== 'comment';

/** Splits SQL into statements on semicolons outside strings, quoted identifiers and comments. */
export function splitStatements(sql: string): string[] {
  const out: string[] = [];
  let current = '';
  for (const t of tokenize(sql)) {
    if (t.kind === 'other' && t.text === ';') {
      if (current.trim()) out.push(current.trim());
      current = '';
    } else if (t.kind === 'comment') current += t.text.startsWith('/*') ? ' ' : '';
    else current += t.text;
  }
  if (current.trim()) out.push(current.trim());
  return out;
}

/** `ALTER SESSION SET A = 1, B = 'x'` → { A: 1, B: 'x' }; null if the statement is something else. */
export function parseAlterSession(sql: string): Record<string, string | number | boolean> | null {
  const m = /^\s*alter\s+session\s+set\s+([\s\S]*?)\s*;?\s*$/i.exec(sql);
  if (!m) return null;
  const out: Record<string, string | number | boolean> = {};
  const re = /\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*('(?:[^'\\]|''|\\.)*'|[^,\s]+)\s*,?/gy;
  const body = m[1];
  re.lastIndex = 0;
  let match: RegExpExecArray | null;
  while ((match = re.exec(body))) {
    const raw = match[2];
    let value: string | number | boolean;
    if (raw.startsWith("'")) value = stringValue(raw);
    else if (/^-?\d+(\.\d+)?$/.test(raw)) value = Number(raw);
    else if (/^(true|false)$/i.test(raw)) value = raw.toLowerCase() === 'true';
    else value = raw;
    out[match[1].toUpperCase()] = value;
    if (re.lastIndex >= body.length) break;
  }
  return out;
}

/** A temporary table the session creates; the fake keeps it as a real table dropped at logout. */
export function tempTableName(sql: string): string | null {
  const m = /^\s*create\s+(?:or\s+replace\s+)?temp(?:orary)?\s+table\s+((?:"(?:[^"]|"")*"|[^\s(])+)/i.exec(sql);
  return m ? m[1] : null;
}

const ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', b: '\b', f: '\f', '0': '\0' };

/** The value of a Snowflake string literal: `'…'` with `''` and backslash escapes, or `$$…$$`. */
export function stringValue(raw: string): string {
  if (raw.startsWith('$$')) return raw.slice(2, raw.endsWith('$$') && raw.length >= 4 ? -2 : undefined);
  const inner = raw.slice(1, raw.endsWith("'") && raw.length >= 2 ? -1 : undefined);
  return inner.replace(/''|\\(.)/gs, (all: string, ch: string | undefined) => (ch === undefined ? "'" : (ESCAPES[ch] ?? ch)));
}

/** The name a Snowflake identifier token resolves to: unquoted folds to upper case. */
export function identifierName(t: Token): string {
  return t.kind === 'quoted' ? t.text.slice(1, -1).replace(/""/g, '"') : t.text.toUpperCase();
}

/** Snowflake type names → DuckDB's. Snowflake's NUMBER defaults to (38,0); DuckDB's DECIMAL to (18,3). */
function duckType(word: string, followedByParen: boolean): string | null {
  switch (word.toUpperCase()) {
    case 'NUMBER':
    case 'NUMERIC':
    case 'DECIMAL':
    case 'DEC':
      return followedByParen ? 'DECIMAL' : 'DECIMAL(38,0)';
    case 'FLOAT':
    case 'FLOAT4':
    case 'FLOAT8':
    case 'REAL':
      // All of Snowflake's floats are 64-bit; DuckDB's FLOAT is 32-bit.
      return 'DOUBLE';
    case 'BYTEINT':
      return 'TINYINT';
    case 'TIMESTAMP_NTZ':
      return 'TIMESTAMP';
    case 'TIMESTAMP_TZ':
    case 'TIMESTAMP_LTZ':
      return 'TIMESTAMPTZ';
    case 'VARIANT':
      return 'JSON';
    default:
      return null;
  }
}

/**
 * Snowflake functions DuckDB lacks, as macros created on every connection of the fake. Aggregates
 * inside a macro body stay aggregates: the body is expanded where the macro is called.
 */
export const SNOWFLAKE_MACROS = [
  'CREATE OR REPLACE TEMP MACRO IFF(c, a, b) AS CASE WHEN c THEN a ELSE b END',
  'CREATE OR REPLACE TEMP MACRO TO_VARCHAR(x) AS CAST(x AS VARCHAR)',
  'CREATE OR REPLACE TEMP MACRO TO_CHAR(x) AS CAST(x AS VARCHAR)',
  // Snowflake returns FLOAT whatever the input type.
  'CREATE OR REPLACE TEMP MACRO APPROX_PERCENTILE(x, p) AS approx_quantile(CAST(x AS DOUBLE), p)',
  // The generator argument (RANDOM()) only seeds the sequence on Snowflake.
  'CREATE OR REPLACE TEMP MACRO UNIFORM(lo, hi, gen) AS lo + (hi - lo) * random()',
  'CREATE OR REPLACE TEMP MACRO BOOLOR_AGG(x) AS bool_or(x)',
  'CREATE OR REPLACE TEMP MACRO BOOLAND_AGG(x) AS bool_and(x)',
  'CREATE OR REPLACE TEMP MACRO ZEROIFNULL(x) AS coalesce(x, 0)',
  'CREATE OR REPLACE TEMP MACRO NVL(a, b) AS coalesce(a, b)',
  // Two arguments: a moment shown in `tz`; three: a wall-clock time moved from `src` to `tgt`.
  `CREATE OR REPLACE TEMP MACRO CONVERT_TIMEZONE(tz, ts) AS timezone(tz, CAST(ts AS TIMESTAMPTZ)),
     (src, tgt, ts) AS timezone(tgt, timezone(src, CAST(ts AS TIMESTAMP)))`,
  // Snowflake's hashes are signed 64-bit integers; DuckDB's hash() is unsigned.
  `CREATE OR REPLACE TEMP MACRO IR_SIGNED64(u) AS CAST(CAST(u AS HUGEINT) - CASE WHEN u >= 9223372036854775808 THEN 18446744073709551616 ELSE 0 END AS BIGINT)`,
  // HASH_AGG: an order-independent sum of row hashes (duplicates count), 0 for no rows.
  `CREATE OR REPLACE TEMP MACRO IR_HASH_AGG(h) AS IR_SIGNED64(CAST(coalesce(sum(h), 0) % 18446744073709551616 AS UBIGINT))`,
];

/** Index of the `)` closing the `(` at `open`, in a token list. */
function closingParen(tokens: Token[], open: number): number {
  let depth = 0;
  for (let i = open; i < tokens.length; i++) {
    const t = tokens[i];
    if (t.kind !== 'other') continue;
    if (t.text === '(') depth++;
    else if (t.text === ')' && --depth === 0) return i;
  }
  return tokens.length;
}

/** Splits the tokens between a call's parentheses at top-level commas. */
function splitArgs(tokens: Token[]): Token[][] {
  const args: Token[][] = [[]];
  let depth = 0;
  for (const t of tokens) {
    if (t.kind === 'other' && t.text === '(') depth++;
    if (t.kind === 'other' && t.text === ')') depth--;
    if (depth === 0 && t.kind === 'other' && t.text === ',') args.push([]);
    else args[args.length - 1].push(t);
  }
  return args;
}

const isStar = (arg: Token[]) => {
  const s = arg.filter(significant);
  return s.length === 1 && s[0].text === '*';
};

/** HASH(a, b) / HASH(*) arguments in DuckDB: `*` becomes every column, unpacked. */
function hashArgs(args: Token[][]): string {
  return args.map((a) => (isStar(a) ? '*COLUMNS(*)' : translate(a))).join(', ');
}

const DATE_PARTS = new Set(['YEAR', 'QUARTER', 'MONTH', 'WEEK', 'DAY', 'HOUR', 'MINUTE', 'SECOND', 'MILLISECOND', 'MICROSECOND']);

function datePart(arg: Token[]): string | null {
  const s = arg.filter(significant);
  if (s.length !== 1) return null;
  const part = (s[0].kind === 'string' ? stringValue(s[0].text) : s[0].text).toUpperCase().replace(/S$/, '');
  return DATE_PARTS.has(part) ? part : null;
}

/** Calls rewritten in the text; null: leave the call as it is. */
function rewriteCall(name: string, args: Token[][]): string | null {
  switch (name) {
    case 'HASH':
      return `IR_SIGNED64(HASH(${hashArgs(args)}))`;
    case 'HASH_AGG':
      return `IR_HASH_AGG(HASH(${hashArgs(args)}))`;
    case 'LEAST':
    case 'GREATEST': {
      // Snowflake returns NULL when any argument is NULL; DuckDB skips NULL arguments.
      const parts = args.map(translate);
      return `(CASE WHEN ${parts.map((p) => `(${p}) IS NULL`).join(' OR ')} THEN NULL ELSE ${name}(${parts.join(', ')}) END)`;
    }
    case 'CURRENT_TIMESTAMP':
    case 'CURRENT_DATE':
    case 'CURRENT_TIME':
      // Snowflake allows (and dbt writes) `current_timestamp()`; DuckDB only the bare keyword.
      return args.length === 1 && args[0].every((t) => !significant(t)) ? name : null;
    case 'SYSDATE':
    case 'GETDATE':
      return args.length === 1 && args[0].every((t) => !significant(t)) ? `TIMEZONE('UTC', CURRENT_TIMESTAMP)` : null;
    case 'DATEADD':
    case 'TIMESTAMPADD': {
      const part = args.length === 3 ? datePart(args[0]) : null;
      if (!part) return null;
      if (part === 'QUARTER') return `(${translate(args[2])} + CAST(${translate(args[1])} AS BIGINT) * 3 * INTERVAL 1 MONTH)`;
      if (part === 'WEEK') return `(${translate(args[2])} + CAST(${translate(args[1])} AS BIGINT) * 7 * INTERVAL 1 DAY)`;
      return `(${translate(args[2])} + CAST(${translate(args[1])} AS BIGINT) * INTERVAL 1 ${part})`;
    }
    case 'DATEDIFF':
    case 'TIMESTAMPDIFF': {
      const part = args.length === 3 ? datePart(args[0]) : null;
      if (!part) return null;
      return `DATE_DIFF('${part.toLowerCase()}', ${translate(args[1])}, ${translate(args[2])})`;
    }
    default:
      return null;
  }
}

/** Translates a token list (one statement or one call argument) into DuckDB text. */
function translate(tokens: Token[]): string {
  let out = '';
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (t.kind === 'word') {
      let j = i + 1;
      while (j < tokens.length && !significant(tokens[j])) j++;
      const paren = tokens[j]?.kind === 'other' && tokens[j].text === '(';
      if (paren) {
        const close = closingParen(tokens, j);
        const replaced = rewriteCall(t.text.toUpperCase(), splitArgs(tokens.slice(j + 1, close)));
        if (replaced !== null) {
          out += replaced;
          i = close;
          continue;
        }
      }
      out += duckType(t.text, paren) ?? t.text.toUpperCase();
    } else if (t.kind === 'string') out += `'${stringValue(t.text).replace(/'/g, "''")}'`;
    else if (t.kind === 'comment') out += t.text.startsWith('/*') ? ' ' : `--${t.text.slice(2)}`;
    else out += t.text;
  }
  return out;
}

/** Rewrites one Snowflake statement into DuckDB's SQL (see the file comment). */
export function toDuckDb(sql: string): string {
  const tokens = tokenize(sql);
  // CREATE [OR REPLACE] TEMP[ORARY] TABLE → CREATE [OR REPLACE] TABLE.
  const words = tokens.filter(significant).slice(0, 5).map((t) => t.text.toUpperCase());
  const at = words[0] === 'CREATE' ? (words[1] === 'OR' && words[2] === 'REPLACE' ? 3 : 1) : -1;
  if (at > 0 && (words[at] === 'TEMPORARY' || words[at] === 'TEMP') && words[at + 1] === 'TABLE') {
    const temp = tokens.filter(significant)[at];
    tokens.splice(tokens.indexOf(temp), 2);
  }
  return translate(tokens);
}

/**
 * Folds unquoted identifiers to upper case in DuckDB SQL (fixtures), so that tables created for a
 * test look the way Snowflake would have stored them.
 */
export function foldIdentifiers(duckSql: string): string {
  return tokenize(duckSql, false)
    .map((t) => (t.kind === 'word' ? t.text.toUpperCase() : t.text))
    .join('');
}

/** Words that are never names in the SQL our app sends (so never checked against the catalog). */
const KEYWORDS = new Set(
  (
    'ALL AND ANY AS ASC BETWEEN BY CASE CAST CREATE CROSS CURRENT DATE DESC DISTINCT DROP ELSE END EXISTS FALSE ' +
    'FILTER FROM FULL GROUP GROUPING HAVING IF ILIKE IN INNER INSERT INTERVAL INTO IS JOIN LEFT LIKE LIMIT NOT ' +
    'NULL OFFSET ON OR ORDER OUTER OVER PARTITION QUALIFY REPLACE RIGHT SCHEMA SELECT SESSION SET SETS TABLE ' +
    'TEMPORARY TEMP THEN TIME TIMESTAMP TRUE UNION USING VALUES VIEW WHEN WHERE WITH'
  ).split(' '),
);

export interface IdentifierProblem {
  /** The identifier as written (`ID`, `"id"`). */
  written: string;
  /** Where it starts: 1-based line, 0-based position in the line (as Snowflake reports them). */
  line: number;
  position: number;
  /** Whether the mismatch is with a database, schema or table name (rather than a column). */
  object: boolean;
}

/**
 * Snowflake resolves identifiers case-sensitively after folding unquoted ones to upper case;
 * DuckDB resolves them case-insensitively. This finds the first identifier DuckDB would resolve
 * but Snowflake would not: its exact spelling names nothing, while another spelling does.
 *
 * `columns` and `objects` are the catalog's names; names the statement itself defines (aliases,
 * CTEs, column lists, the table a CREATE makes and its columns) count as known.
 */
export function identifierCaseProblem(sql: string, columns: Set<string>, objects: Set<string>): IdentifierProblem | null {
  const all = tokenize(sql);
  const offsets = new Map<Token, number>();
  all.reduce((at, t) => (offsets.set(t, at), at + t.text.length), 0);
  const s = all.filter(significant);
  const isName = (t: Token | undefined) => t !== undefined && (t.kind === 'quoted' || (t.kind === 'word' && !KEYWORDS.has(t.text.toUpperCase())));
  const is = (t: Token | undefined, text: string) => t !== undefined && t.kind !== 'string' && t.kind !== 'quoted' && t.text.toUpperCase() === text;
  const defined = new Set<string>();
  const markList = (open: number) => {
    // Names at the list's top level that start an item: `(a, b)` or `(a NUMBER, b VARCHAR)`.
    const close = closingParen(s, open);
    for (let k = open + 1; k < close; k++) {
      if ((is(s[k - 1], '(') && k - 1 === open) || (is(s[k - 1], ',') && depthAt(s, open, k) === 1)) {
        if (isName(s[k])) defined.add(identifierName(s[k]));
      }
    }
  };
  for (let i = 0; i < s.length; i++) {
    const t = s[i];
    if (!isName(t)) continue;
    if (is(s[i - 1], 'AS')) {
      defined.add(identifierName(t));
      if (is(s[i + 1], '(')) markList(i + 1);
    }
    if (is(s[i + 1], 'AS') && is(s[i + 2], '(')) defined.add(identifierName(t)); // WITH name AS (…)
  }
  // CREATE … TABLE|VIEW|SCHEMA [IF NOT EXISTS] name [(columns …)]
  if (is(s[0], 'CREATE')) {
    let k = s.findIndex((t) => is(t, 'TABLE') || is(t, 'VIEW') || is(t, 'SCHEMA'));
    if (k > 0) {
      k++;
      if (is(s[k], 'IF')) k += 3;
      while (isName(s[k])) {
        defined.add(identifierName(s[k]));
        if (is(s[k + 1], '.')) k += 2;
        else break;
      }
      if (is(s[k + 1], '(')) markList(k + 1);
    }
  }
  const lowerColumns = new Set([...columns].map((n) => n.toLowerCase()));
  const lowerObjects = new Set([...objects].map((n) => n.toLowerCase()));
  for (let i = 0; i < s.length; i++) {
    const t = s[i];
    if (!isName(t)) continue;
    if (t.kind === 'word' && is(s[i + 1], '(')) continue; // a function
    const name = identifierName(t);
    if (defined.has(name) || columns.has(name) || objects.has(name)) continue;
    const lower = name.toLowerCase();
    const definedOtherwise = [...defined].some((d) => d.toLowerCase() === lower);
    if (definedOtherwise || lowerColumns.has(lower) || lowerObjects.has(lower)) {
      const before = sql.slice(0, offsets.get(t));
      return {
        written: t.kind === 'quoted' ? t.text : name,
        line: before.split('\n').length,
        position: before.length - (before.lastIndexOf('\n') + 1),
        object: !definedOtherwise && !lowerColumns.has(lower),
      };
    }
  }
  return null;
}

function depthAt(tokens: Token[], open: number, at: number): number {
  let depth = 0;
  for (let k = open; k < at; k++) {
    if (tokens[k].kind !== 'other') continue;
    if (tokens[k].text === '(') depth++;
    else if (tokens[k].text === ')') depth--;
  }
  return depth;
}

/** Snowflake's statement type ids, as the driver reads them. */
export function statementTypeId(sql: string): number {
  const word = /^\s*(\w+)/.exec(sql)?.[1]?.toLowerCase() ?? '';
  if (word === 'select' || word === 'with' || word === 'explain' || word === 'describe' || word === 'show') return 0x1000;
  if (word === 'insert') return 0x3100;
  if (word === 'update') return 0x3200;
  if (word === 'delete') return 0x3300;
  if (word === 'alter' && /^\s*alter\s+session/i.test(sql)) return 0x4000;
  return 0x6000;
}
