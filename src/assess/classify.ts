/**
 * How a model's change reaches the consumers of each of its output columns, in dbt's vocabulary.
 *
 * Decisions (the review relies on them, so they are stated here once):
 * - A change to the rows themselves — a filter added, removed or changed (a 90-day window), a join
 *   added/removed/changed, the GROUP BY keys (grain) changed, or the set of source relations
 *   changed — is breaking for EVERY output column: each column's values now describe a different
 *   set of rows, so a consumer reading any of them (even `count(*)`) sees different results.
 *   Because predicates and GROUP BY keys are compared after inlining CTEs, "a changed column feeds
 *   WHERE, JOIN or GROUP BY" shows up as exactly such a predicate change.
 * - A removed column, or a column whose type changed (a CAST to another type, or a declared
 *   data_type change under an enforced contract), is breaking for that column.
 * - A column whose expression changed (including CASE thresholds) without touching the rows is
 *   partial: its values differ for some rows.
 * - A new column is additive: nobody reads it yet.
 * - A seed whose CSV content changed is partial for the columns it keeps (the data diff shows
 *   whether one value or every row changed), breaking for a removed header, additive for a new one.
 * - When the SQL changed but either side cannot be analysed, columns are unknown.
 * - The model's class is the worst of its columns'; a removed model, and a model whose relation
 *   moved (rename, schema, alias or database), is breaking too: whatever reads the old relation
 *   by name (dashboards, other tools) no longer finds it.
 */
import { plain, type SemanticChange, type SemanticDiffResult } from '../sql/semantic-diff.js';
import type { ChangeReason, ChangeStatus, ColumnChangeClass, ColumnClass, ColumnReason } from './types.js';

const RANK: Record<ColumnClass, number> = { unchanged: 0, additive: 1, partial: 2, unknown: 3, breaking: 4 };

export function worstClass(classes: Iterable<ColumnClass>, floor: ColumnClass = 'unchanged'): ColumnClass {
  let out = floor;
  for (const c of classes) if (RANK[c] > RANK[out]) out = c;
  return out;
}

export function isWorse(a: ColumnClass, b: ColumnClass): boolean {
  return RANK[a] > RANK[b];
}

export interface ClassifyInput {
  status: ChangeStatus;
  /** The semantic diff when the body changed; null when the SQL is the same (or there is none). */
  semantic: SemanticDiffResult | null;
  /** Output column names of each side, when the SQL could be analysed (else the YAML columns). */
  baseColumns: string[];
  headColumns: string[];
  reasons: ChangeReason[];
  /** A seed whose CSV content changed: its rows differ, by how much the data diff tells. */
  seedDataChanged?: boolean;
  contractEnforced: boolean;
}

export interface Classification {
  columns: ColumnChangeClass[];
  class: ColumnClass;
}

export function classifyModel(input: ClassifyInput): Classification {
  if (input.status === 'added') {
    const columns = input.headColumns.map((column) => ({ column, class: 'additive' as const, because: [{ kind: 'new_model' }] as ColumnReason[] }));
    return { columns, class: 'additive' };
  }
  if (input.status === 'removed') {
    const columns = input.baseColumns.map((column) => ({ column, class: 'breaking' as const, because: [{ kind: 'model_removed' }] as ColumnReason[] }));
    return { columns, class: 'breaking' };
  }

  const byKey = new Map<string, ColumnChangeClass>();
  const order: string[] = [];
  const entry = (name: string): ColumnChangeClass => {
    const key = name.toLowerCase();
    let e = byKey.get(key);
    if (!e) {
      e = { column: name, class: 'unchanged', because: [] };
      byKey.set(key, e);
      order.push(key);
    }
    return e;
  };
  const raise = (name: string, cls: ColumnClass, because: ColumnReason) => {
    const e = entry(name);
    if (isWorse(cls, e.class)) e.class = cls;
    const key = JSON.stringify(because);
    if (!e.because.some((b) => JSON.stringify(b) === key)) e.because.push(because);
  };
  for (const c of input.headColumns) entry(c);
  for (const c of input.baseColumns) entry(c);

  const rowChange: ColumnReason[] = [];
  if (input.semantic?.status === 'unknown') {
    for (const key of order) raise(byKey.get(key)?.column ?? key, 'unknown', { kind: 'not_analysed', reason: input.semantic.reason });
  } else if (input.semantic?.status === 'ok') {
    const changes = input.semantic.changes;
    rowChange.push(...rowChanges(changes));
    for (const ch of changes) {
      if (!ch.column) continue;
      switch (ch.kind) {
        case 'column_removed':
          raise(ch.column, 'breaking', { kind: 'column_removed' });
          break;
        case 'column_added':
          raise(ch.column, 'additive', { kind: 'column_added' });
          break;
        case 'column_expression_changed':
        case 'case_threshold_changed': {
          const types = castTypes(ch);
          if (types) raise(ch.column, 'breaking', { kind: 'type_changed', ...types });
          else raise(ch.column, 'partial', { kind: ch.kind === 'case_threshold_changed' ? 'case_thresholds_changed' : 'expression_changed' });
          break;
        }
        default:
          break;
      }
    }
    if (rowChange.length) {
      const added = new Set(changes.filter((c) => c.kind === 'column_added').map((c) => c.column?.toLowerCase()));
      // A new column stays additive: no consumer reads it yet, whatever rows it covers.
      for (const key of order) if (!added.has(key)) for (const why of rowChange) raise(byKey.get(key)?.column ?? key, 'breaking', why);
    }
  }

  if (input.seedDataChanged) {
    // A seed edit may fix one value or replace the table; partial until the data diff says more.
    const before = new Set(input.baseColumns.map((c) => c.toLowerCase()));
    const after = new Set(input.headColumns.map((c) => c.toLowerCase()));
    for (const c of input.baseColumns) if (!after.has(c.toLowerCase())) raise(c, 'breaking', { kind: 'column_removed' });
    for (const c of input.headColumns) raise(c, before.has(c.toLowerCase()) ? 'partial' : 'additive', before.has(c.toLowerCase()) ? { kind: 'seed_data_changed' } : { kind: 'column_added' });
  }

  // Declared types are what consumers and the contract rely on, when the contract is enforced.
  for (const r of input.reasons) {
    if (r.kind !== 'columns' || !input.contractEnforced) continue;
    const changed = Array.isArray(r.detail.changed) ? (r.detail.changed as { column: string; changes: { field: string; before: unknown; after: unknown }[] }[]) : [];
    for (const c of changed) {
      const t = c.changes.find((x) => x.field === 'data_type');
      if (t) raise(c.column, 'breaking', { kind: 'declared_type_changed', before: String(t.before), after: String(t.after) });
    }
  }

  const columns = order.map((k) => byKey.get(k)).filter((c): c is ColumnChangeClass => c !== undefined);
  let cls = worstClass(columns.map((c) => c.class));
  if (input.semantic?.status === 'unknown') cls = worstClass([cls], 'unknown');
  if (rowChange.length) cls = 'breaking';
  if (input.status === 'renamed' || input.reasons.some((r) => r.kind === 'relation')) cls = 'breaking';
  return { columns, class: cls };
}

/** The semantic changes that change the model's rows (filters, joins, grain, sources); [] when none does. */
function rowChanges(changes: SemanticChange[]): ColumnReason[] {
  return changes.filter(changesRows).map((change) => ({ kind: 'rows_changed' as const, change }));
}

/** Whether any of a model's semantic changes changes its rows. */
export function changesRowSet(changes: SemanticChange[]): boolean {
  return changes.some(changesRows);
}

const ROW_LEVEL = new Set<SemanticChange['kind']>([
  'filter_added', 'filter_removed', 'filter_changed', 'join_added', 'join_removed', 'join_changed', 'group_by_changed', 'source_added', 'source_removed',
]);

/** Whether a semantic change touches the row set rather than one column. */
function changesRows(ch: SemanticChange): boolean {
  return ROW_LEVEL.has(ch.kind);
}

const CAST = /^(?:try_)?cast\((.*) as ([a-z_][\w ]*(?:\([\d, ]*\))?)\)$/is;
const COLON_CAST = /^(.*)::([a-z_][\w ]*(?:\([\d, ]*\))?)$/is;

/** When both definitions are casts of the same kind to different types. */
function castTypes(ch: SemanticChange): { before: string; after: string } | undefined {
  if (!ch.before || !ch.after) return undefined;
  const typeOf = (def: string): string | undefined => {
    const text = plain(def);
    const m = CAST.exec(text) ?? COLON_CAST.exec(text);
    return m ? m[2].trim().toLowerCase().replace(/\s+/g, ' ') : undefined;
  };
  const before = typeOf(ch.before);
  const after = typeOf(ch.after);
  return before && after && before !== after ? { before, after } : undefined;
}
