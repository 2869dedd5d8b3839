/**
 * The little SQL understanding the fake Snowflake needs: counting statements the way Snowflake
 * does for MULTI_STATEMENT_COUNT, reading ALTER SESSION, and rewriting the few Snowflake spellings
 * our adapter sends into DuckDB's.
 */

/** Splits SQL into statements on semicolons outside strings, quoted identifiers and comments. */
export function splitStatements(sql: string): string[] {
  const out: string[] = [];
  let current = '';
  let i = 0;
  while (i < sql.length) {
    const ch = sql[i];
    const next = sql[i + 1];
    if (ch === "'" || ch === '"') {
      let j = i + 1;
      while (j < sql.length) {
        if (sql[j] === ch) {
          if (sql[j + 1] === ch) j += 2;
          else break;
        } else if (ch === "'" && sql[j] === '\\') j += 2;
        else j++;
      }
      current += sql.slice(i, j + 1);
      i = j + 1;
    } else if (ch === '-' && next === '-') {
      const end = sql.indexOf('\n', i);
      i = end === -1 ? sql.length : end;
    } else if (ch === '/' && next === '*') {
      const end = sql.indexOf('*/', i + 2);
      i = end === -1 ? sql.length : end + 2;
    } else if (ch === ';') {
      if (current.trim()) out.push(current.trim());
      current = '';
      i++;
    } else {
      current += ch;
      i++;
    }
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
    if (raw.startsWith("'")) {
      value = raw
        .slice(1, -1)
        .replace(/''/g, "'")
        .replace(/\\(.)/g, '$1');
    } else if (/^-?\d+(\.\d+)?$/.test(raw)) value = Number(raw);
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

/** Rewrites the Snowflake spellings the adapter uses into DuckDB's. */
export function toDuckDb(sql: string): string {
  return sql
    .replace(/^(\s*create\s+(?:or\s+replace\s+)?)temp(?:orary)?\s+table/i, '$1TABLE')
    .replace(/\bTIMESTAMP_NTZ\b/gi, 'TIMESTAMP')
    .replace(/\bTIMESTAMP_TZ\b|\bTIMESTAMP_LTZ\b/gi, 'TIMESTAMPTZ')
    .replace(/\bNUMBER\s*\(/gi, 'DECIMAL(')
    .replace(/\bNUMBER\b/gi, 'DECIMAL(38,0)')
    .replace(/\bVARIANT\b/gi, 'JSON');
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
