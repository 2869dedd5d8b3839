/**
 * What changed between two versions of a model's SELECT, as structured data a template words in
 * a second: a filter added on order_date within the last 90 days, refund_amount now subtracted
 * from net_revenue (templates/partials/semantic/ holds the words). Works on the inlined
 * definitions from columns.ts, so renaming a CTE alias or reformatting is no change, and a change
 * deep in a CTE shows on the output column.
 */
import { analyzeSelect, type Predicate, type SelectAnalysis } from './columns.js';
import { lex, lexRulesFor } from './tokens.js';

/**
 * A date window or, when the predicate is not one, its SQL text (qualifiers dropped):
 * `within_last` ends today (current_date, now()); `within_before` is a lower bound N units before a
 * fixed date paired with an upper bound below that date; `since` is such a lower bound alone.
 */
export type FilterPhrase =
  | { form: 'within_last'; column: string; n: number; unit: DateUnit }
  | { form: 'within_before' | 'since'; column: string; n: number; unit: DateUnit; anchor: string }
  | { form: 'plain'; text: string };

export type DateUnit = 'day' | 'week' | 'month' | 'year' | 'hour';

export type ArithmeticOp = 'subtract' | 'add' | 'multiply' | 'divide';

/** How one output column's expression changed; `changed` when no common edit is recognised. */
export type ExpressionPhrase =
  | { form: 'operand_added'; column: string; op: ArithmeticOp; operand: string }
  | { form: 'operand_removed'; column: string; op: ArithmeticOp; operand: string }
  | { form: 'null_default'; column: string; value: string; expression: string }
  | { form: 'function_changed'; column: string; before: string; after: string }
  | { form: 'changed'; column: string; before: string; after: string };

/** A branch of a CASE with a string result: `High >= 5000`, `Other when x is null`, `Low` (the ELSE). */
export type CaseBranch =
  | { form: 'threshold'; value: string; op: string; bound: string }
  | { form: 'condition'; value: string; condition: string }
  | { form: 'otherwise'; value: string };

/** One branch in a thresholds change: moved, added, removed, or kept (listed so the buckets read whole). */
export type ThresholdItem =
  | { form: 'moved'; before: CaseBranch; after: CaseBranch }
  | { form: 'added'; branch: CaseBranch }
  | { form: 'removed'; branch: CaseBranch }
  | { form: 'kept'; branch: CaseBranch };

/** What a new column computes: its CASE buckets, or its expression. */
export type DefinitionPhrase = { form: 'case'; branches: CaseBranch[] } | { form: 'expression'; text: string };

/** A join's type as parsed (`left join`; null when plain) and its condition (qualifiers dropped). */
export interface JoinPhrase {
  join_type: string | null;
  on: string;
}

/** The structured description of a change; templates/partials/semantic/ words it. */
export type SemanticPhrase =
  | { key: 'source_added'; relation: string }
  | { key: 'source_removed'; relation: string }
  | { key: 'column_added'; column: string; definition: DefinitionPhrase }
  | { key: 'column_removed'; column: string }
  | { key: 'column_expression_changed'; change: ExpressionPhrase }
  | { key: 'case_threshold_changed'; column: string; thresholds: ThresholdItem[]; subject?: ExpressionPhrase }
  | { key: 'filter_added'; filter: FilterPhrase }
  | { key: 'filter_removed'; filter: FilterPhrase }
  | { key: 'filter_changed'; before: FilterPhrase; after: FilterPhrase }
  | { key: 'join_added'; relation: string; join: JoinPhrase }
  | { key: 'join_removed'; relation: string }
  | { key: 'join_changed'; relation: string; before: JoinPhrase; after: JoinPhrase }
  | { key: 'group_by_changed'; added: string[]; removed: string[] };

export type SemanticChangeKind = SemanticPhrase['key'];

/** One change; `before`/`after` hold the SQL (inlined), `phrase` what a reader is told about it. */
export type SemanticChange = {
  [K in SemanticChangeKind]: {
    kind: K;
    column?: string;
    relation?: string;
    before?: string;
    after?: string;
    phrase: Extract<SemanticPhrase, { key: K }>;
  };
}[SemanticChangeKind];

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

/** What a new model's SELECT does, in the terms a review states it: what it reads, which rows it keeps, its grain. */
export interface SelectDescription {
  reads: string[];
  filters: FilterPhrase[];
  /** GROUP BY expressions (plain text); [] when it does not aggregate by keys. */
  grain: string[];
}

/** A new model's SELECT described, or null when it cannot be analysed. */
export function describeSelect(sql: string, dialect = 'snowflake'): SelectDescription | null {
  const head = analyzeSelect(sql, dialect);
  if ('reason' in head) return null;
  const none: SelectAnalysis = { columns: [], relations: [], filters: [], joins: [], groupBy: [], predicates: [], groupByTexts: [] };
  const filters = filterChanges(none, head).flatMap((c) => (c.phrase.key === 'filter_added' ? [c.phrase.filter] : []));
  return { reads: [...head.relations], filters, grain: [...new Set(head.groupByTexts)].map(plain) };
}

function sourceChanges(base: SelectAnalysis, head: SelectAnalysis): SemanticChange[] {
  const out: SemanticChange[] = [];
  for (const r of head.relations) if (!base.relations.includes(r)) out.push({ kind: 'source_added', relation: r, phrase: { key: 'source_added', relation: r } });
  for (const r of base.relations) if (!head.relations.includes(r)) out.push({ kind: 'source_removed', relation: r, phrase: { key: 'source_removed', relation: r } });
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
      const definition: DefinitionPhrase = cases ? { form: 'case', branches: cases } : { form: 'expression', text: plain(c.definition) };
      out.push({ kind: 'column_added', column: c.name, after: c.definition, phrase: { key: 'column_added', column: c.name, definition } });
      continue;
    }
    if (old.definition === c.definition) continue;
    const thresholds = thresholdChange(old.definition, c.definition);
    if (thresholds) {
      out.push({ kind: 'case_threshold_changed', column: c.name, before: old.definition, after: c.definition, phrase: { key: 'case_threshold_changed', column: c.name, thresholds } });
      continue;
    }
    const buckets = bucketChange(c.name, old.definition, c.definition);
    if (buckets) {
      out.push({ kind: 'case_threshold_changed', column: c.name, before: old.definition, after: c.definition, phrase: { key: 'case_threshold_changed', column: c.name, ...buckets } });
      continue;
    }
    const change = describeExpressionChange(c.name, plain(old.definition), plain(c.definition));
    out.push({ kind: 'column_expression_changed', column: c.name, before: old.definition, after: c.definition, phrase: { key: 'column_expression_changed', change } });
  }
  for (const [key, c] of before) if (!after.has(key)) out.push({ kind: 'column_removed', column: c.name, before: c.definition, phrase: { key: 'column_removed', column: c.name } });
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
      out.push({ kind: 'filter_changed', column: columnsOf(a), before: r.text, after: a.text, phrase: { key: 'filter_changed', before: describeFilter(plain(r.text)), after: describeFilter(plain(a.text)) } });
    } else {
      out.push({ kind: 'filter_added', column: columnsOf(a), after: a.text, phrase: { key: 'filter_added', filter: describeFilter(plain(a.text)) } });
    }
  }
  for (const r of removed) out.push({ kind: 'filter_removed', column: columnsOf(r), before: r.text, phrase: { key: 'filter_removed', filter: describeFilter(plain(r.text)) } });
  return pairWindows(out);
}

/**
 * A lower bound N units before a fixed date and an upper bound below that same date, both added on
 * one column, are one window: `order_date >= dateadd(day, -90, '2026-11-01') and order_date < '2026-11-01'`.
 */
function pairWindows(changes: SemanticChange[]): SemanticChange[] {
  const out = [...changes];
  for (const lower of changes) {
    const phrase = lower.kind === 'filter_added' && lower.phrase.key === 'filter_added' ? lower.phrase.filter : null;
    if (!phrase || phrase.form !== 'since') continue;
    const upper = out.find((c) => c !== lower && c.kind === 'filter_added' && c.after !== undefined && upperBound(plain(c.after)) === `${phrase.column}\u0000${phrase.anchor}`);
    if (!upper) continue;
    const merged: SemanticChange = {
      kind: 'filter_added',
      column: lower.column,
      after: `${lower.after} and ${upper.after}`,
      phrase: { key: 'filter_added', filter: { ...phrase, form: 'within_before' } },
    };
    out.splice(out.indexOf(lower), 1, merged);
    out.splice(out.indexOf(upper), 1);
  }
  return out;
}

/** `column < anchor` (or `<=`) with a fixed date: column and anchor date, else undefined. */
function upperBound(text: string): string | undefined {
  const m = new RegExp(`^(\\w+) <=? ${ANCHOR_DATE}$`, 'i').exec(text);
  const date = m ? anchorDate(m[2]) : undefined;
  return m && date ? `${m[1]}\u0000${date}` : undefined;
}

function joinChanges(base: SelectAnalysis, head: SelectAnalysis): SemanticChange[] {
  const key = (p: Predicate) => (p.joined ?? []).join(',');
  const join = (p: Predicate): JoinPhrase => ({ join_type: p.joinType ?? null, on: plain(p.text) });
  const bj = base.predicates.filter((p) => p.clause === 'join');
  const hj = head.predicates.filter((p) => p.clause === 'join');
  const out: SemanticChange[] = [];
  for (const h of hj) {
    const b = bj.find((x) => key(x) === key(h));
    if (!b) out.push({ kind: 'join_added', relation: key(h), after: h.text, phrase: { key: 'join_added', relation: key(h), join: join(h) } });
    else if (b.text !== h.text || b.joinType !== h.joinType) {
      out.push({ kind: 'join_changed', relation: key(h), before: `${b.joinType ?? 'join'} on ${b.text}`, after: `${h.joinType ?? 'join'} on ${h.text}`, phrase: { key: 'join_changed', relation: key(h), before: join(b), after: join(h) } });
    }
  }
  for (const b of bj) if (!hj.some((x) => key(x) === key(b))) out.push({ kind: 'join_removed', relation: key(b), before: b.text, phrase: { key: 'join_removed', relation: key(b) } });
  return out;
}

function groupByChanges(base: SelectAnalysis, head: SelectAnalysis): SemanticChange[] {
  const b = [...new Set(base.groupByTexts)].sort();
  const h = [...new Set(head.groupByTexts)].sort();
  if (b.join('\n') === h.join('\n')) return [];
  const added = h.filter((x) => !b.includes(x)).map(plain);
  const removed = b.filter((x) => !h.includes(x)).map(plain);
  return [{ kind: 'group_by_changed', before: b.join(', '), after: h.join(', '), phrase: { key: 'group_by_changed', added, removed } }];
}

// ---- structure for the wording (the words are in templates/partials/semantic/) ----

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
/** Today, in the spellings warehouses accept. */
const NOW = "(?:current_date|current_date\\(\\)|current_timestamp|current_timestamp\\(\\)|now\\(\\)|getdate\\(\\)|sysdate\\(\\))";
/** A fixed date: `'2026-11-01'`, `date '2026-11-01'`, `cast('2026-11-01' as date)`, `'2026-11-01'::date`. */
const ANCHOR_DATE = "(\\(?(cast\\('\\d{4}-\\d{2}-\\d{2}' as (?:date|timestamp)\\)|date '\\d{4}-\\d{2}-\\d{2}'|'\\d{4}-\\d{2}-\\d{2}'(?:::(?:date|timestamp))?)\\)?)";

function anchorDate(text: string): string | undefined {
  return /(\d{4}-\d{2}-\d{2})/.exec(text)?.[1];
}

/**
 * `<anchor> minus N units` in the forms dbt's cross-database dateadd and hand-written SQL take:
 * `dateadd(day, -90, A)`, `A - interval '90 days'`, `A - interval 90 day`, and DuckDB's compiled
 * `(A + cast(-90 as bigint) * interval 1 day)`.
 */
function minusUnits(expr: string): { anchor: string; n: number; unit: DateUnit } | undefined {
  const forms: [RegExp, (m: RegExpExecArray) => [string, string, string]][] = [
    [new RegExp(`^dateadd\\('?${UNIT}'?, -(\\d+), (.+)\\)$`, 'i'), (m) => [m[3], m[2], m[1]]],
    [new RegExp(`^\\(?(.+?) - interval '?(\\d+)'? ?'?${UNIT}'?\\)?$`, 'i'), (m) => [m[1], m[2], m[3]]],
    [new RegExp(`^\\(?(.+?) \\+ cast\\(-(\\d+) as bigint\\) \\* interval '?1'? ?'?${UNIT}'?\\)?$`, 'i'), (m) => [m[1], m[2], m[3]]],
  ];
  for (const [re, parts] of forms) {
    const m = re.exec(expr.trim());
    if (!m) continue;
    const [anchor, n, u] = parts(m);
    return { anchor: anchor.trim(), n: Number(n), unit: unit(u) };
  }
  return undefined;
}

/** A predicate (plain text), recognising date windows: `order_date >= dateadd(day, -90, current_date)`. */
export function describeFilter(text: string): FilterPhrase {
  const m = /^(\w+) >=? (.+)$/s.exec(text);
  const window = m ? minusUnits(m[2]) : undefined;
  if (m && window) {
    if (new RegExp(`^${NOW}$`, 'i').test(window.anchor)) return { form: 'within_last', column: m[1], n: window.n, unit: window.unit };
    const date = new RegExp(`^${ANCHOR_DATE}$`, 'i').test(window.anchor) ? anchorDate(window.anchor) : undefined;
    if (date) return { form: 'since', column: m[1], n: window.n, unit: window.unit, anchor: date };
  }
  return { form: 'plain', text };
}

function unit(u: string): DateUnit {
  return u.toLowerCase().replace(/s$/, '') as DateUnit;
}

/** The common edits of an expression (plain text both sides): an operand added or removed, a null default, another aggregate. */
export function describeExpressionChange(column: string, before: string, after: string): ExpressionPhrase {
  const ops: [string, ArithmeticOp][] = [
    [' - ', 'subtract'],
    [' + ', 'add'],
    [' * ', 'multiply'],
    [' / ', 'divide'],
  ];
  for (const [text, op] of ops) {
    if (after.startsWith(before + text)) return { form: 'operand_added', column, op, operand: after.slice((before + text).length) };
    if (before.startsWith(after + text)) return { form: 'operand_removed', column, op, operand: before.slice((after + text).length) };
  }
  const coalesce = /^coalesce\((.*), (.*)\)$/i.exec(after);
  if (coalesce && coalesce[1] === before) return { form: 'null_default', column, value: coalesce[2], expression: before };
  const agg = /^(\w+)\((.*)\)$/;
  const ab = agg.exec(before);
  const aa = agg.exec(after);
  if (ab && aa && ab[2] === aa[2] && ab[1].toLowerCase() !== aa[1].toLowerCase()) return { form: 'function_changed', column, before: ab[1], after: aa[1] };
  // Same function around a changed argument (`sum(amount)` → `sum(amount - refund_amount)`): describe the argument.
  if (ab && aa && ab[1].toLowerCase() === aa[1].toLowerCase()) {
    // One argument changed (`coalesce(sum(amount), 0)` → `coalesce(sum(amount - refund), 0)`): describe it.
    const [argsB, argsA] = [topLevelArgs(ab[2]), topLevelArgs(aa[2])];
    const differing = argsB.length === argsA.length ? argsB.flatMap((x, i) => (x === argsA[i] ? [] : [i])) : [];
    const [pb, pa] = differing.length === 1 ? [argsB[differing[0]], argsA[differing[0]]] : [ab[2], aa[2]];
    const inner = describeExpressionChange(column, unwrap(pb), unwrap(pa));
    if (inner.form !== 'changed') return inner;
  }
  return { form: 'changed', column, before, after };
}

/** A call's arguments split at top-level commas (quotes and parentheses respected). */
function topLevelArgs(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let quoted = false;
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === "'") quoted = !quoted;
    else if (quoted) continue;
    else if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === ',' && depth === 0) {
      out.push(s.slice(start, i).trim());
      start = i + 1;
    }
  }
  out.push(s.slice(start).trim());
  return out;
}

function unwrap(s: string): string {
  const m = /^\((.*)\)$/s.exec(s);
  return m && balanced(m[1]) ? unwrap(m[1]) : s;
}

/** The branches of a top-level CASE … END with string results (`High >= 5000`, …). */
export function caseBranches(definition: string): CaseBranch[] | undefined {
  const text = plain(definition);
  if (!/^case\b/i.test(text) || !/\bend$/i.test(text)) return undefined;
  const branches: CaseBranch[] = [];
  for (const { cond, value } of caseWhens(text)) {
    const cmp = /(>=|<=|<>|!=|>|<|=)\s*(-?[\d.]+)$/.exec(cond);
    branches.push(cmp ? { form: 'threshold', value, op: cmp[1], bound: cmp[2] } : { form: 'condition', value, condition: cond });
  }
  const other = /\belse '((?:[^']|'')*)' end$/i.exec(text);
  if (other) branches.push({ form: 'otherwise', value: other[1] });
  return branches.length ? branches : undefined;
}

/**
 * Two CASE expressions of threshold buckets whose buckets differ (one added, removed or moved) and
 * whose compared expression may have changed too: `High >= 5000, Low` → `High >= 5000, Medium >= 1000
 * (new), Low`, and `sum(order_amount)` → `sum(order_amount - refund_amount)` as the subject's change.
 */
function bucketChange(column: string, before: string, after: string): { thresholds: ThresholdItem[]; subject?: ExpressionPhrase } | undefined {
  const b = caseBranches(before);
  const a = caseBranches(after);
  if (!b || !a || !b.every((x) => x.form !== 'condition') || !a.every((x) => x.form !== 'condition')) return undefined;
  const byValue = new Map(b.map((x) => [x.value, x]));
  const items: ThresholdItem[] = a.map((x) => {
    const old = byValue.get(x.value);
    if (!old) return { form: 'added', branch: x };
    return JSON.stringify(old) === JSON.stringify(x) ? { form: 'kept', branch: x } : { form: 'moved', before: old, after: x };
  });
  for (const x of b) if (!a.some((y) => y.value === x.value)) items.push({ form: 'removed', branch: x });
  const sb = caseSubject(before);
  const sa = caseSubject(after);
  const subject = sb && sa && sb !== sa ? describeExpressionChange(column, sb, sa) : undefined;
  if (items.every((i) => i.form === 'kept') && !subject) return undefined;
  return subject ? { thresholds: items, subject } : { thresholds: items };
}

/** The one expression every threshold branch of a CASE compares (`coalesce(sum(amount), 0)`), if they share it. */
function caseSubject(definition: string): string | undefined {
  const subjects = new Set<string>();
  for (const { cond } of caseWhens(plain(definition))) {
    const cmp = /^(.+?)\s*(>=|<=|<>|!=|>|<|=)\s*-?[\d.]+$/.exec(cond);
    if (!cmp) return undefined;
    subjects.add(cmp[1].trim());
  }
  return subjects.size === 1 ? [...subjects][0] : undefined;
}

/** Each `when <cond> then '<value>'` of a CASE (plain text), its condition's outer parentheses dropped. */
function caseWhens(text: string): { cond: string; value: string }[] {
  const when = /\bwhen (.+?) then '((?:[^']|'')*)'/gi;
  const out: { cond: string; value: string }[] = [];
  for (let m = when.exec(text); m; m = when.exec(text)) out.push({ cond: m[1].replace(/^\((.*)\)$/, '$1'), value: m[2] });
  return out;
}

/** When two CASE expressions differ only in their numbers, the branches that moved (`High >= 5000` → `High >= 6000`). */
function thresholdChange(before: string, after: string): ThresholdItem[] | undefined {
  const shape = (s: string) => plain(s).replace(/-?\b\d+(\.\d+)?\b/g, '#');
  const same = (x: CaseBranch, y: CaseBranch) => JSON.stringify(x) === JSON.stringify(y);
  const b = caseBranches(before);
  const a = caseBranches(after);
  if (!b || !a || b.length !== a.length || shape(before) !== shape(after)) return undefined;
  const moved = b.flatMap((x, i): ThresholdItem[] => (same(x, a[i]) ? [] : [{ form: 'moved', before: x, after: a[i] }]));
  return moved.length ? moved : undefined;
}
