/**
 * A small SQL lexer that knows where strings, quoted identifiers and comments start and end, per
 * dialect. The read-only guard depends on it: a `;` or a keyword hidden in a string or comment must
 * not count, and a real one must never be missed. The rules follow the target engine, because the
 * engine (not us) decides where a string ends.
 */

export type TokenKind =
  | 'word' // identifier or keyword, unquoted (may contain `$`, e.g. SYSTEM$WHITELIST)
  | 'quoted' // "double quoted identifier" (or `backtick` for BigQuery-like dialects)
  | 'string' // 'single quoted', E'escaped', $$dollar$$ or $tag$dollar$tag$
  | 'number'
  | 'param' // $1, $name, :name, ?
  | 'punct' // operators and punctuation, one token per symbol run we care about
  | 'comment'
  | 'space';

export interface Token {
  kind: TokenKind;
  text: string;
  /** Offset of the first character in the input. */
  start: number;
  /** 1-based line and column of the first character. */
  line: number;
  column: number;
}

export interface LexResult {
  tokens: Token[];
  /** Set when the input ends inside a string, quoted identifier or block comment. */
  unterminated?: { what: string; line: number; column: number };
}

/** Which lexical rules apply. Snowflake: backslash escapes in '…', `//` comments, flat block comments. */
export interface LexRules {
  backslashEscapes: boolean;
  slashSlashComments: boolean;
  nestedBlockComments: boolean;
  /** `$tag$…$tag$` (Postgres, DuckDB) besides plain `$$…$$`. */
  taggedDollarStrings: boolean;
  backtickIdentifiers: boolean;
}

export function lexRulesFor(dialect: string): LexRules {
  switch (dialect.toLowerCase()) {
    case 'snowflake':
      return { backslashEscapes: true, slashSlashComments: true, nestedBlockComments: false, taggedDollarStrings: false, backtickIdentifiers: false };
    case 'bigquery':
    case 'databricks':
    case 'spark':
    case 'mysql':
      return { backslashEscapes: true, slashSlashComments: false, nestedBlockComments: false, taggedDollarStrings: false, backtickIdentifiers: true };
    default:
      // duckdb, postgres, redshift: standard strings (backslash is literal), nested /* */.
      return { backslashEscapes: false, slashSlashComments: false, nestedBlockComments: true, taggedDollarStrings: true, backtickIdentifiers: false };
  }
}

const WORD_START = /[A-Za-z_\u0080-\uffff]/;
const WORD_PART = /[A-Za-z0-9_$\u0080-\uffff]/;
const DIGIT = /[0-9]/;

export function lex(sql: string, rules: LexRules): LexResult {
  const tokens: Token[] = [];
  let i = 0;
  let line = 1;
  let lineStart = 0;
  const n = sql.length;

  const push = (kind: TokenKind, start: number, end: number, startLine: number, startCol: number): void => {
    tokens.push({ kind, text: sql.slice(start, end), start, line: startLine, column: startCol });
  };
  // Advances over [from, to) keeping the line counter right.
  const advance = (to: number): void => {
    for (let k = i; k < to; k++) {
      if (sql.charCodeAt(k) === 10) {
        line++;
        lineStart = k + 1;
      }
    }
    i = to;
  };

  while (i < n) {
    const c = sql[i];
    const next = sql[i + 1];
    const startLine = line;
    const startCol = i - lineStart + 1;
    const start = i;
    const unterminated = (what: string): LexResult => ({ tokens, unterminated: { what, line: startLine, column: startCol } });

    if (/\s/.test(c)) {
      let j = i + 1;
      while (j < n && /\s/.test(sql[j])) j++;
      advance(j);
      push('space', start, j, startLine, startCol);
      continue;
    }
    if ((c === '-' && next === '-') || (rules.slashSlashComments && c === '/' && next === '/')) {
      let j = i + 2;
      while (j < n && sql[j] !== '\n' && sql[j] !== '\r') j++;
      advance(j);
      push('comment', start, j, startLine, startCol);
      continue;
    }
    if (c === '/' && next === '*') {
      let depth = 1;
      let j = i + 2;
      while (j < n && depth > 0) {
        if (sql[j] === '*' && sql[j + 1] === '/') {
          depth--;
          j += 2;
        } else if (rules.nestedBlockComments && sql[j] === '/' && sql[j + 1] === '*') {
          depth++;
          j += 2;
        } else j++;
      }
      if (depth > 0) return unterminated('a /* comment');
      advance(j);
      push('comment', start, j, startLine, startCol);
      continue;
    }
    // E'…' strings always take backslash escapes (Postgres, DuckDB).
    const escapeString = (c === 'E' || c === 'e') && next === "'";
    if (c === "'" || escapeString) {
      const j = afterClosingQuote(sql, escapeString ? i + 2 : i + 1, "'", rules.backslashEscapes || escapeString);
      if (j < 0) return unterminated('a quoted string');
      advance(j);
      push('string', start, j, startLine, startCol);
      continue;
    }
    if (c === '"' || (rules.backtickIdentifiers && c === '`')) {
      const j = afterClosingQuote(sql, i + 1, c, false);
      if (j < 0) return unterminated('a quoted identifier');
      advance(j);
      push('quoted', start, j, startLine, startCol);
      continue;
    }
    if (c === '$') {
      // $$…$$, $tag$…$tag$, or a parameter/variable ($1, $name).
      let tag: string | undefined;
      if (next === '$') tag = '$$';
      else if (rules.taggedDollarStrings) {
        const m = /^\$[A-Za-z_][A-Za-z0-9_]*\$/.exec(sql.slice(i, i + 130));
        if (m) tag = m[0];
      }
      if (tag) {
        const end = sql.indexOf(tag, i + tag.length);
        if (end < 0) return unterminated(`a ${tag} string`);
        advance(end + tag.length);
        push('string', start, end + tag.length, startLine, startCol);
        continue;
      }
      let j = i + 1;
      while (j < n && WORD_PART.test(sql[j])) j++;
      advance(j);
      push('param', start, j, startLine, startCol);
      continue;
    }
    if (WORD_START.test(c)) {
      let j = i + 1;
      while (j < n && WORD_PART.test(sql[j])) j++;
      advance(j);
      push('word', start, j, startLine, startCol);
      continue;
    }
    if (DIGIT.test(c) || (c === '.' && next !== undefined && DIGIT.test(next))) {
      let j = i + 1;
      while (j < n && /[0-9.eE]/.test(sql[j])) {
        if ((sql[j] === 'e' || sql[j] === 'E') && (sql[j + 1] === '-' || sql[j + 1] === '+')) j++;
        j++;
      }
      advance(j);
      push('number', start, j, startLine, startCol);
      continue;
    }
    if (c === '?' || (c === ':' && next !== undefined && WORD_START.test(next) && sql[i - 1] !== ':')) {
      let j = i + 1;
      while (j < n && WORD_PART.test(sql[j])) j++;
      advance(j);
      push('param', start, j, startLine, startCol);
      continue;
    }
    advance(i + 1);
    push('punct', start, i, startLine, startCol);
  }
  return { tokens };
}

/** Tokens that carry meaning (no spaces, no comments). */
export function significant(tokens: Token[]): Token[] {
  return tokens.filter((t) => t.kind !== 'space' && t.kind !== 'comment');
}

/**
 * The SQL with comments replaced by spaces of the same shape (newlines kept), so parser error
 * positions still point at the user's line and column.
 */
export function blankComments(sql: string, tokens: Token[]): string {
  let out = '';
  let last = 0;
  for (const t of tokens) {
    if (t.kind !== 'comment') continue;
    out += sql.slice(last, t.start) + t.text.replace(/[^\n\r]/g, ' ');
    last = t.start + t.text.length;
  }
  return out + sql.slice(last);
}

/**
 * The index just past the quote that closes a string or quoted identifier opened before `from`;
 * a doubled quote is an escaped one, and so is anything after a backslash when `backslash` is set.
 * -1 when the text ends first.
 */
function afterClosingQuote(sql: string, from: number, quote: string, backslash: boolean): number {
  let j = from;
  while (j < sql.length) {
    const d = sql[j];
    if (backslash && d === '\\') j += 2;
    else if (d === quote && sql[j + 1] === quote) j += 2;
    else if (d === quote) return j + 1;
    else j++;
  }
  return -1;
}
