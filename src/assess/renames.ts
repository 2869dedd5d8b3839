import { columnLineage, type OutputColumn } from '../sql/columns.js';

export interface ColumnPairing {
  /** head name → base name: the same expression under a new name. */
  renames: Record<string, string>;
  /** A removed column and an added one computed from the same source columns in another way (total_revenue → net_revenue_90d). */
  replacements: { base: string; head: string; shared_sources: string[] }[];
}

const key = (c: { relation: string; column: string }) => `${c.relation}.${c.column}`.toLowerCase();

/**
 * Pairs the columns a PR removed with those it added, through column lineage: the same inlined
 * definition is a rename (the diff then compares their values), shared source columns a
 * replacement (the review compares their totals). Unparseable SQL pairs nothing.
 */
export function pairColumns(baseSql: string | null | undefined, headSql: string | null | undefined, dialect: string): ColumnPairing {
  const out: ColumnPairing = { renames: {}, replacements: [] };
  if (!baseSql || !headSql) return out;
  const base = columnLineage(baseSql, dialect);
  const head = columnLineage(headSql, dialect);
  if (base.status !== 'ok' || head.status !== 'ok') return out;
  const find = (cols: OutputColumn[], name: string) => cols.find((c) => c.name.toLowerCase() === name.toLowerCase());
  const removed = base.columns.filter((c) => !find(head.columns, c.name)).map((c) => c.name);
  const added = head.columns.filter((c) => !find(base.columns, c.name)).map((c) => c.name);
  const taken = new Set<string>();
  for (const a of added) {
    const h = find(head.columns, a);
    if (!h) continue;
    const exact = removed.find((r) => !taken.has(r) && find(base.columns, r)?.definition === h.definition);
    if (exact) {
      out.renames[a] = exact;
      taken.add(exact);
      continue;
    }
    const headSources = new Set(h.sources.map(key));
    let best: { name: string; shared: string[] } | null = null;
    for (const r of removed) {
      if (taken.has(r)) continue;
      const b = find(base.columns, r);
      if (!b) continue;
      const shared = b.sources.map(key).filter((s) => headSources.has(s));
      if (shared.length && (!best || shared.length > best.shared.length)) best = { name: r, shared };
    }
    if (best) {
      out.replacements.push({ base: best.name, head: a, shared_sources: best.shared });
      taken.add(best.name);
    }
  }
  return out;
}
