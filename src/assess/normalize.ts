/**
 * Text normalisation for change detection: two versions that differ only in whitespace, comments
 * or the case of unquoted words are the same program, so they must compare equal.
 */
import { lex, lexRulesFor } from '../sql/tokens.js';

/** SQL without comments, whitespace collapsed, unquoted words lower-cased (both engines fold them). */
export function normalizeSql(text: string, dialect: string): string {
  const withoutJinjaComments = text.replace(/\{#[\s\S]*?#\}/g, ' ');
  const lexed = lex(withoutJinjaComments, lexRulesFor(dialect));
  // An unterminated string or comment makes token boundaries guesswork; fall back to whitespace only.
  if (lexed.unterminated) return withoutJinjaComments.replace(/\s+/g, ' ').trim();
  const out: string[] = [];
  for (const t of lexed.tokens) {
    if (t.kind === 'comment' || t.kind === 'space') continue;
    out.push(t.kind === 'word' ? t.text.toLowerCase() : t.text);
  }
  return out.join(' ');
}

/**
 * Jinja/macro source: comments dropped and tokens re-joined with single spaces, so indentation and
 * line breaks never count. Case is kept: Jinja names are case-sensitive.
 */
export function normalizeMacro(text: string): string {
  const withoutJinjaComments = text.replace(/\{#[\s\S]*?#\}/g, ' ');
  const lexed = lex(withoutJinjaComments, lexRulesFor('postgres'));
  if (lexed.unterminated) return withoutJinjaComments.replace(/\s+/g, ' ').trim();
  return lexed.tokens
    .filter((t) => t.kind !== 'comment' && t.kind !== 'space')
    .map((t) => t.text)
    .join(' ');
}

/** Replaces each relation name in `sql` by its counterpart in one pass (longest first, so a prefix never wins). */
export function rewriteRelations(sql: string, mapping: Map<string, string>): string {
  const names = [...mapping.keys()].filter((k) => k.length > 0 && mapping.get(k) !== k && sql.includes(k)).sort((a, b) => b.length - a.length);
  if (names.length === 0) return sql;
  const pattern = new RegExp(names.map((n) => n.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'), 'g');
  return sql.replace(pattern, (m) => mapping.get(m) ?? m);
}

/** JSON with sorted keys, so two equal values always give the same text. */
export function stableJson(value: unknown): string {
  return JSON.stringify(sortKeys(value)) ?? 'undefined';
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) out[key] = sortKeys((value as Record<string, unknown>)[key]);
    return out;
  }
  return value;
}

export function sameValue(a: unknown, b: unknown): boolean {
  return stableJson(a) === stableJson(b);
}
