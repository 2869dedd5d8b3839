import picomatch from 'picomatch';
import type { DbtNode, Project } from '../dbt/types.js';
import type { ImpactReviewConfig } from './config.js';

/**
 * The primary key of a model, in the order a dbt user declares one: config/meta `primary_key`
 * (or `unique_key`), a column with both unique and not_null tests, or a
 * unique_combination_of_columns test. Null when none is declared.
 */
export function primaryKeyOf(project: Project, node: DbtNode): { columns: string[]; source: string } | null {
  const asList = (v: unknown): string[] | null =>
    typeof v === 'string' && v.trim() ? v.split(',').map((s) => s.trim()) : Array.isArray(v) && v.every((x) => typeof x === 'string') && v.length ? (v as string[]) : null;
  for (const [value, source] of [
    [node.config.meta?.primary_key, 'config.meta.primary_key'],
    [node.meta?.primary_key, 'meta.primary_key'],
    [node.config.primary_key, 'config.primary_key'],
    [node.config.unique_key, 'config.unique_key'],
  ] as const) {
    const list = asList(value);
    if (list) return { columns: list, source };
  }
  const metaKeys = Object.values(node.columns).filter((c) => c.meta?.primary_key === true || c.meta?.primary_key === 'true');
  if (metaKeys.length) return { columns: metaKeys.map((c) => c.name), source: 'columns.meta.primary_key' };
  const tests = (project.child_map[node.unique_id] ?? []).map((id) => project.nodes[id]).filter((t): t is DbtNode => t?.resource_type === 'test' && t.attached_node === node.unique_id && !!t.test_metadata);
  const byColumn = new Map<string, Set<string>>();
  for (const t of tests) {
    const column = t.column_name ?? (typeof t.test_metadata?.kwargs.column_name === 'string' ? t.test_metadata.kwargs.column_name : null);
    if (!column) continue;
    const set = byColumn.get(column) ?? new Set<string>();
    set.add(t.test_metadata?.name ?? '');
    byColumn.set(column, set);
  }
  for (const [column, names] of byColumn) if (names.has('unique') && names.has('not_null')) return { columns: [column], source: `unique + not_null tests on ${column}` };
  const combo = tests.find((t) => t.test_metadata?.name === 'unique_combination_of_columns');
  const cols = asList(combo?.test_metadata?.kwargs.combination_of_columns);
  if (cols) return { columns: cols, source: 'unique_combination_of_columns test' };
  return null;
}

/** Columns whose values must never leave the warehouse: tagged or meta-marked sensitive, or matching config name patterns. */
export function sensitiveColumnsOf(node: DbtNode, config: ImpactReviewConfig, actualColumns: string[] = []): string[] {
  const tags = new Set(config.data.sensitive_tags.map((t) => t.toLowerCase()));
  const isMatch = picomatch(config.data.sensitive_columns, { nocase: true });
  const out = new Set<string>();
  for (const column of Object.values(node.columns)) {
    const meta = column.meta ?? {};
    if (column.tags.some((t) => tags.has(t.toLowerCase())) || meta.sensitive === true || meta.pii === true || meta.contains_pii === true) out.add(column.name.toLowerCase());
  }
  for (const name of [...Object.keys(node.columns), ...actualColumns]) if (isMatch(name)) out.add(name.toLowerCase());
  return [...out].sort();
}
