import { createHash } from 'node:crypto';

/**
 * Python's `str()` and `repr()` of YAML-loaded values. dbt hashes and names generic tests from
 * these strings, so matching dbt's unique ids means printing values exactly as Python would.
 */

export function md5(text: string): string {
  return createHash('md5').update(text, 'utf8').digest('hex');
}

function pyNumber(n: number): string {
  if (Number.isInteger(n) && Math.abs(n) < 1e16) return String(n);
  if (Number.isNaN(n)) return 'nan';
  if (!Number.isFinite(n)) return n > 0 ? 'inf' : '-inf';
  return String(n);
}

/** Python `repr()` of a str: single quotes unless the text has a `'` and no `"`. */
export function pyReprString(s: string): string {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = quote;
  for (const ch of s) {
    const code = ch.codePointAt(0) ?? 0;
    if (ch === '\\') out += '\\\\';
    else if (ch === quote) out += '\\' + ch;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (code < 0x20 || code === 0x7f) out += '\\x' + code.toString(16).padStart(2, '0');
    else out += ch;
  }
  return out + quote;
}

export function pyRepr(value: unknown): string {
  if (value === null || value === undefined) return 'None';
  if (typeof value === 'string') return pyReprString(value);
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (typeof value === 'number') return pyNumber(value);
  if (value instanceof Date) return pyReprString(value.toISOString());
  if (Array.isArray(value)) return '[' + value.map(pyRepr).join(', ') + ']';
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>);
    return '{' + entries.map(([k, v]) => `${pyReprString(k)}: ${pyRepr(v)}`).join(', ') + '}';
  }
  return pyReprString(String(value));
}

export function pyStr(value: unknown): string {
  if (typeof value === 'string') return value;
  return pyRepr(value);
}
