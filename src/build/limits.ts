import type { LimitKey, LimitSkip, ModelChange } from '../assess/types.js';
import { withEphemeralCtes } from '../dbt/ephemeral.js';
import type { Project } from '../dbt/types.js';
import { estimateRowsScanned } from '../warehouse/scan-estimate.js';
import type { Warehouse } from '../warehouse/warehouse.js';

/**
 * The limits that keep a changed model from being built, decided before any PR build starts:
 * its file was too large to read (limits.max_file_bytes), or its build and diff are estimated to
 * scan more than limits.max_rows_scanned. A changed model reading such a model's PR version is
 * not built either: it would silently read production in its place.
 */
export interface BuildPlan {
  /** Model → the limit that keeps it from being built. */
  skippedBy: Map<string, LimitKey>;
  /** Over max_rows_scanned: the model and its estimate, or the skipped parent it reads. */
  rowsSkipped: LimitSkip[];
  /** Model → rows estimated (null: the warehouse could not say). */
  estimates: Map<string, number | null>;
}

export async function planBuilds(
  warehouse: Warehouse,
  head: Project,
  base: Project,
  changes: ModelChange[],
  options: { maxRowsScanned: number; stop: () => boolean },
): Promise<BuildPlan> {
  const plan: BuildPlan = { skippedBy: new Map(), rowsSkipped: [], estimates: new Map() };
  const unread = new Set(head.problems.filter((p) => p.oversize && p.unique_id).map((p) => p.unique_id as string));
  // `changes` are in DAG order: a parent is decided before its children.
  for (const change of changes) {
    const id = change.unique_id;
    if (unread.has(id)) {
      plan.skippedBy.set(id, 'max_file_bytes');
      continue;
    }
    const parent = head.parent_map[id]?.find((p) => plan.skippedBy.has(p));
    if (parent) {
      const limit = plan.skippedBy.get(parent) as LimitKey;
      plan.skippedBy.set(id, limit);
      if (limit === 'max_rows_scanned') plan.rowsSkipped.push({ id, parent });
      continue;
    }
    if (options.stop()) break;
    const rows = await rowsToScan(warehouse, head, base, change);
    plan.estimates.set(id, rows);
    if (rows !== null && rows > options.maxRowsScanned) {
      plan.skippedBy.set(id, 'max_rows_scanned');
      plan.rowsSkipped.push({ id, value: rows });
    }
  }
  return plan;
}

/**
 * Rows a model's review would scan, estimated before anything runs: its PR build's inputs (the
 * head SQL against production) and the production relation its diff reads. Null: unknown.
 */
async function rowsToScan(warehouse: Warehouse, head: Project, base: Project, change: ModelChange): Promise<number | null> {
  const sql = withEphemeralCtes(head, change.unique_id);
  const build = sql ? await estimateRowsScanned(warehouse, sql) : null;
  const production = change.status === 'added' ? null : base.nodes[change.base_unique_id ?? change.unique_id]?.relation_name;
  const diff = production ? await estimateRowsScanned(warehouse, `select * from ${production}`) : null;
  if (!build && !diff) return null;
  return (build?.rows ?? 0) + (diff?.rows ?? 0);
}
