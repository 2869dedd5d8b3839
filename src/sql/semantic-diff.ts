/**
 * What changed between two versions of a model's SELECT, in words a reviewer reads in a second:
 * "now only includes rows where order_date is within the last 90 days", "net_revenue now
 * subtracts refund_amount". Works on the inlined definitions from columns.ts, so renaming a CTE
 * alias or reformatting is no change, and a change deep in a CTE shows on the output column.
 */
import { analyzeSelect, type Predicate, type SelectAnalysis } from './columns.js';
import { lex, lexRulesFor } from './tokens.js';

export type SemanticChangeKind =
  | 'column_added'
  | 'column_removed'
  | 'column_expression_changed'
  | 'filter_added'
  | 'filter_removed'
  | 'filter_changed'
  | 'join_added'
  | 'join_removed'
  | 'join_changed'
  | 'group_by_changed'
  | 'case_threshold_changed'
  | 'source_added'
  | 'source_removed';

export interface SemanticChange {
  kind: SemanticChangeKind;
  column?: string;
  relation?: string;
  before?: string;
  after?: string;
  summary: string;
}

export type SemanticDiffResult = { status: 'ok'; changes: SemanticChange[] } | { status: 'unknown'; reason: string };

/** The changes, or [] when either side cannot be parsed (use semanticDiffResult to know why). */
export function semanticDiff(baseSql: string, headSql: string, dialect = 'snowflake'): SemanticChange[] {
  const r = semanticDiffResult(baseSql, headSql, dialect);
  return r.status === 'ok' ? r.changes : [];
}

export function semanticDiffResult(baseSql: string, headSql: string, dialect = 'snowflake'): SemanticDiffResult {
  const base = analyzeSelect(baseSql, dialect);
  if ('reason' in base) return { status: 'unknown', reason: `base version: ${base.reason}` };
  const head = analyzeSelect(headSql, dialect);
  if ('reason' in head) return { status: 'unknown', reason: `head version: ${head.reason}` };
  return { status: 'ok', changes: [...sourceChanges(base, head), ...columnChanges(base, head), ...filterChanges(base, head), ...joinChanges(base, head), ...groupByChanges(base, head)] };
}

function sourceChanges(base: SelectAnalysis, head: SelectAnalysis): SemanticChange[] {
  const out: SemanticChange[] = [];
  for (const r of head.relations) if (!base.relations.includes(r)) out.push({ kind: 'source_added', relation: r, summary: `now also reads ${r}` });
  for (const r of base.relations) if (!head.relations.includes(r)) out.push({ kind: 'source_removed', relation: r, summary: `no longer reads ${r}` });
  return out;
}

function columnChanges(base: SelectAnalysis, head: SelectAnalysis): SemanticChange[] {
  const out: SemanticChange[] = [];
  const before = new Map(base.columns.filter((c) => c.name !== '*').map((c) => [c.name.toLowerCase(), c]));
  const after = new Map(head.columns.filter((c) => c.name !== '*').map((c) => [c.name.toLowerCase(), c]));
  for (const [key, c] of after) {
    const old = before.get(key);
    if (!old) {
      const cases = caseBranches(c.definition);
      const what = cases ? cases.map((b) => b.label).join(', ') : plain(c.definition);
      out.push({ kind: 'column_added', column: c.name, after: c.definition, summary: `new column ${c.name}: ${what}` });
      continue;
    }
    if (old.definition === c.definition) continue;
    const threshold = thresholdChange(old.definition, c.definition);
    if (threshold) {
      out.push({ kind: 'case_threshold_changed', column: c.name, before: old.definition, after: c.definition, summary: `${c.name} thresholds changed: ${threshold}` });
      continue;
    }
    out.push({ kind: 'column_expression_changed', column: c.name, before: old.definition, after: c.definition, summary: describeExpressionChange(c.name, plain(old.definition), plain(c.definition)) });
  }
  for (const [key, c] of before) if (!after.has(key)) out.push({ kind: 'column_removed', column: c.name, before: c.definition, summary: `column ${c.name} removed` });
  return out;
}

function filterChanges(base: SelectAnalysis, head: SelectAnalysis): SemanticChange[] {
  const isFilter = (p: Predicate) => p.clause !== 'join';
  const removed = minus(base.predicates.filter(isFilter), head.predicates.filter(isFilter));
  const added = minus(head.predicates.filter(isFilter), base.predicates.filter(isFilter));
  const out: SemanticChange[] = [];
  for (const a of added) {
    // The same columns filtered differently is one change, not an add and a remove.
    const i = removed.findIndex((r) => r.clause === a.clause && sameColumns(r, a));
    if (i >= 0) {
      const [r] = removed.splice(i, 1);
      out.push({ kind: 'filter_changed', column: columnsOf(a), before: r.text, after: a.text, summary: `filter changed: ${describeFilter(plain(r.text))} → ${describeFilter(plain(a.text))}` });
    } else {
      out.push({ kind: 'filter_added', column: columnsOf(a), after: a.text, summary: `now only includes rows where ${describeFilter(plain(a.text))}` });
    }
  }
  for (const r of removed) out.push({ kind: 'filter_removed', column: columnsOf(r), before: r.text, summary: `no longer requires ${describeFilter(plain(r.text))}` });
  return out;
}

function joinChanges(base: SelectAnalysis, head: SelectAnalysis): SemanticChange[] {
  const key = (p: Predicate) => (p.joined ?? []).join(',');
  const bj = base.predicates.filter((p) => p.clause === 'join');
  const hj = head.predicates.filter((p) => p.clause === 'join');
  const out: SemanticChange[] = [];
  for (const h of hj) {
    const b = bj.find((x) => key(x) === key(h));
    const label = `${h.joinType ?? 'join'} ${key(h)}`;
    if (!b) out.push({ kind: 'join_added', relation: key(h), after: h.text, summary: `now joins ${key(h)} (${h.joinType ?? 'join'} on ${plain(h.text)})` });
    else if (b.text !== h.text || b.joinType !== h.joinType) {
      out.push({ kind: 'join_changed', relation: key(h), before: `${b.joinType ?? 'join'} on ${b.text}`, after: `${h.joinType ?? 'join'} on ${h.text}`, summary: `${label} changed: ${b.joinType ?? 'join'} on ${plain(b.text)} → ${h.joinType ?? 'join'} on ${plain(h.text)}` });
    }
  }
  for (const b of bj) if (!hj.some((x) => key(x) === key(b))) out.push({ kind: 'join_removed', relation: key(b), before: b.text, summary: `no longer joins ${key(b)}` });
  return out;
}

function groupByChanges(base: SelectAnalysis, head: SelectAnalysis): SemanticChange[] {
  const b = [...new Set(base.groupByTexts)].sort();
  const h = [...new Set(head.groupByTexts)].sort();
  if (b.join('\n') === h.join('\n')) return [];
  const addedKeys = h.filter((x) => !b.includes(x)).map(plain);
  const removedKeys = b.filter((x) => !h.includes(x)).map(plain);
  const parts = [addedKeys.length ? `now also groups by ${addedKeys.join(', ')}` : '', removedKeys.length ? `no longer groups by ${removedKeys.join(', ')}` : ''].filter(Boolean);
  return [{ kind: 'group_by_changed', before: b.join(', '), after: h.join(', '), summary: `grouping changed: ${parts.join('; ')} (one row per group changes the grain)` }];
}

// ---- wording ----

function minus(a: Predicate[], b: Predicate[]): Predicate[] {
  const left = b.map((p) => `${p.clause}:${p.text}`);
  return a.filter((p) => {
    const i = left.indexOf(`${p.clause}:${p.text}`);
    if (i < 0) return true;
    left.splice(i, 1);
    return false;
  });
}

function sameColumns(a: Predicate, b: Predicate): boolean {
  return columnsOf(a) === columnsOf(b) && columnsOf(a) !== '';
}

function columnsOf(p: Predicate): string {
  return [...new Set(p.refs.map((r) => r.column.toLowerCase()))].sort().join(', ');
}

/** Text for people: qualifiers dropped (`stg_orders.amount` → `amount`), keywords lower-cased. */
export function plain(text: string): string {
  const tokens = lex(text, lexRulesFor('postgres')).tokens;
  const out: string[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if ((t.kind === 'word' || t.kind === 'quoted') && tokens[i + 1]?.text === '.' && (tokens[i + 2]?.kind === 'word' || tokens[i + 2]?.kind === 'quoted')) {
      i++;
      continue;
    }
    out.push(t.kind === 'word' && /^[A-Z_]+$/.test(t.text) ? t.text.toLowerCase() : t.text);
  }
  return out.join('').replace(/^\((.*)\)$/s, (m, inner: string) => (balanced(inner) ? inner : m));
}

function balanced(s: string): boolean {
  let depth = 0;
  for (const c of s) {
    if (c === '(') depth++;
    else if (c === ')' && --depth < 0) return false;
  }
  return depth === 0;
}

const UNIT = '(day|days|week|weeks|month|months|year|years|hour|hours)';

/** A predicate in words, recognising relative date windows. */
export function describeFilter(text: string): string {
  const rel = [
    new RegExp(`^(\\w+) >=? dateadd\\('?${UNIT}'?, -(\\d+), (current_date|current_date\\(\\)|current_timestamp|current_timestamp\\(\\)|now\\(\\)|getdate\\(\\))\\)$`, 'i'),
    new RegExp(`^(\\w+) >=? (?:current_date|current_timestamp|now\\(\\)|getdate\\(\\)) - interval '?(\\d+) ${UNIT}'?$`, 'i'),
  ];
  const a = rel[0].exec(text);
  if (a) return `${a[1]} is within the last ${a[3]} ${unit(a[2], a[3])}`;
  const b = rel[1].exec(text);
  if (b) return `${b[1]} is within the last ${b[2]} ${unit(b[3], b[2])}`;
  return text;
}

function unit(u: string, n: string): string {
  const base = u.toLowerCase().replace(/s$/, '');
  return n === '1' ? base : `${base}s`;
}

/** "net_revenue now subtracts refund_amount" for the common edits; before → after otherwise. */
export function describeExpressionChange(name: string, before: string, after: string): string {
  const ops: [string, string, string][] = [
    [' - ', 'now subtracts', 'no longer subtracts'],
    [' + ', 'now adds', 'no longer adds'],
    [' * ', 'is now multiplied by', 'is no longer multiplied by'],
    [' / ', 'is now divided by', 'is no longer divided by'],
  ];
  for (const [op, added, removed] of ops) {
    if (after.startsWith(before + op)) return `${name} ${added} ${after.slice((before + op).length)}`;
    if (before.startsWith(after + op)) return `${name} ${removed} ${before.slice((after + op).length)}`;
  }
  const coalesce = /^coalesce\((.*), (.*)\)$/i.exec(after);
  if (coalesce && coalesce[1] === before) return `${name} now defaults to ${coalesce[2]} when ${before} is null`;
  const agg = /^(\w+)\((.*)\)$/;
  const ab = agg.exec(before);
  const aa = agg.exec(after);
  if (ab && aa && ab[2] === aa[2] && ab[1].toLowerCase() !== aa[1].toLowerCase()) return `${name} now uses ${aa[1]}(…) instead of ${ab[1]}(…)`;
  // Same function around a changed argument (`sum(amount)` → `sum(amount - refund_amount)`): describe the argument.
  if (ab && aa && ab[1].toLowerCase() === aa[1].toLowerCase()) {
    const inner = describeExpressionChange(name, unwrap(ab[2]), unwrap(aa[2]));
    if (!inner.startsWith(`${name} changed:`)) return inner;
  }
  return `${name} changed: ${before} → ${after}`;
}

function unwrap(s: string): string {
  const m = /^\((.*)\)$/s.exec(s);
  return m && balanced(m[1]) ? unwrap(m[1]) : s;
}

interface CaseBranch {
  label: string;
  condition?: string;
}

/** The branches of a top-level CASE … END with string results, as "High >= 5000" labels. */
export function caseBranches(definition: string): CaseBranch[] | undefined {
  const text = plain(definition);
  if (!/^case\b/i.test(text) || !/\bend$/i.test(text)) return undefined;
  const branches: CaseBranch[] = [];
  const when = /\bwhen (.+?) then '((?:[^']|'')*)'/gi;
  for (let m = when.exec(text); m; m = when.exec(text)) {
    const cond = m[1].replace(/^\((.*)\)$/, '$1');
    const cmp = /(>=|<=|<>|!=|>|<|=)\s*(-?[\d.]+)$/.exec(cond);
    branches.push({ label: cmp ? `${m[2]} ${cmp[1]} ${cmp[2]}` : `${m[2]} when ${cond}`, condition: cond });
  }
  const other = /\belse '((?:[^']|'')*)' end$/i.exec(text);
  if (other) branches.push({ label: other[1] });
  return branches.length ? branches : undefined;
}

/** When two CASE expressions differ only in their numbers: "High >= 5000 → High >= 6000". */
function thresholdChange(before: string, after: string): string | undefined {
  const shape = (s: string) => plain(s).replace(/-?\b\d+(\.\d+)?\b/g, '#');
  const b = caseBranches(before);
  const a = caseBranches(after);
  if (!b || !a || b.length !== a.length || shape(before) !== shape(after)) return undefined;
  const diffs = b.map((x, i) => (x.label === a[i].label ? '' : `${x.label} → ${a[i].label}`)).filter(Boolean);
  return diffs.length ? diffs.join(', ') : undefined;
}
