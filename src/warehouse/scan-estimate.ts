/**
 * How many rows a SELECT would read, asked of the warehouse before the statement runs: the plan
 * (EXPLAIN) names the tables it scans, and the catalog says how many rows each holds. Nothing is
 * executed but EXPLAIN and catalog reads.
 *
 * - DuckDB: `EXPLAIN (FORMAT JSON)` lists the scans; `duckdb_tables().estimated_size` counts each
 *   table (a scan of something else, e.g. a file, counts its own cardinality estimate).
 * - Snowflake: `EXPLAIN USING JSON` lists each TableScan with its partitions; INFORMATION_SCHEMA.TABLES
 *   gives ROW_COUNT, scaled by the share of partitions left after pruning.
 */
import { readOnlyCheck } from '../sql/readonly.js';
import { dialectFor, splitRelation } from './dialect.js';
import type { Warehouse } from './warehouse.js';

export interface ScanEstimate {
  /** Rows the statement would read, summed over its scans (a lower bound when a table is unknown). */
  rows: number;
  /** Every scan in the plan, with the rows counted for it (null: not known). */
  scans: { relation: string; rows: number | null }[];
}

/** The rows `select` would scan, or null when the warehouse cannot say (no plan, or no counts). */
export async function estimateRowsScanned(warehouse: Warehouse, select: string): Promise<ScanEstimate | null> {
  if (!readOnlyCheck(select, warehouse.type).ok) return null;
  try {
    return warehouse.type === 'duckdb' ? await duckdbEstimate(warehouse, select) : await snowflakeEstimate(warehouse, select);
  } catch {
    return null;
  }
}

function total(scans: ScanEstimate['scans']): ScanEstimate | null {
  const known = scans.filter((s) => s.rows !== null);
  if (!known.length) return null;
  return { rows: known.reduce((sum, s) => sum + (s.rows ?? 0), 0), scans };
}

const toNumber = (v: unknown): number | null => {
  const n = typeof v === 'number' ? v : typeof v === 'bigint' ? Number(v) : typeof v === 'string' && v.trim() !== '' ? Number(v.replace(/,/g, '')) : NaN;
  return Number.isFinite(n) ? n : null;
};

// ── DuckDB ─────────────────────────────────────────────────────────────────

interface DuckPlanNode {
  name?: string;
  children?: DuckPlanNode[];
  extra_info?: Record<string, unknown>;
}

/** The leaves of a DuckDB JSON plan (scans of tables, files, table functions): the table read, when one, and the planner's row estimate. */
export function duckdbPlanScans(planJson: string): { table: string | null; cardinality: number | null }[] {
  const scans: { table: string | null; cardinality: number | null }[] = [];
  const visit = (node: DuckPlanNode): void => {
    const info = node.extra_info ?? {};
    if (!(node.children ?? []).length) {
      scans.push({ table: typeof info.Table === 'string' ? info.Table : null, cardinality: toNumber(info['Estimated Cardinality']) });
    }
    for (const child of node.children ?? []) visit(child);
  };
  const parsed: unknown = JSON.parse(planJson);
  for (const root of Array.isArray(parsed) ? parsed : [parsed]) if (root && typeof root === 'object') visit(root as DuckPlanNode);
  return scans;
}

async function duckdbEstimate(warehouse: Warehouse, select: string): Promise<ScanEstimate | null> {
  const plan = await warehouse.query<{ explain_value: string }>(`EXPLAIN (FORMAT JSON) ${select}`, { purpose: 'estimate' });
  const scans = duckdbPlanScans(plan.rows.map((r) => String(r.explain_value ?? '')).join('\n'));
  if (!scans.length) return null;
  const tables = [...new Set(scans.map((s) => s.table).filter((t): t is string => t !== null))].map((t) => ({ label: t, parts: t.split('.') })).filter((t) => t.parts.length === 3);
  const sizes = new Map<string, number>();
  if (tables.length) {
    const where = tables.map(() => '(database_name = ? and schema_name = ? and table_name = ?)').join(' or ');
    const found = await warehouse.query<{ database_name: string; schema_name: string; table_name: string; estimated_size: unknown }>(
      `select database_name, schema_name, table_name, estimated_size from duckdb_tables() where ${where}`,
      { purpose: 'estimate', params: tables.flatMap((t) => t.parts) },
    );
    for (const row of found.rows) {
      const n = toNumber(row.estimated_size);
      if (n !== null) sizes.set(`${row.database_name}.${row.schema_name}.${row.table_name}`, n);
    }
  }
  // A table scan reads the whole table (the planner's figure is after filters); anything else counts its estimate.
  return total(scans.map((s) => ({ relation: s.table ?? 'table function', rows: (s.table !== null ? sizes.get(s.table) : undefined) ?? s.cardinality })));
}

// ── Snowflake ──────────────────────────────────────────────────────────────

export interface SnowflakeScan {
  /** `DB.SCHEMA.TABLE` as the plan names it. */
  object: string;
  partitionsAssigned: number | null;
  partitionsTotal: number | null;
}

/** The TableScans of `EXPLAIN USING JSON` output, with their partitions. */
export function snowflakePlanScans(planJson: string): SnowflakeScan[] {
  const parsed: unknown = JSON.parse(planJson);
  const operations = parsed && typeof parsed === 'object' && 'Operations' in parsed ? (parsed as { Operations: unknown }).Operations : [];
  const flat: unknown[] = Array.isArray(operations) ? operations.flat(2) : [];
  const scans: SnowflakeScan[] = [];
  for (const op of flat) {
    if (!op || typeof op !== 'object') continue;
    const o = op as Record<string, unknown>;
    if (typeof o.operation !== 'string' || !/TableScan/i.test(o.operation)) continue;
    const objects = Array.isArray(o.objects) ? o.objects.filter((x): x is string => typeof x === 'string') : [];
    for (const object of objects) scans.push({ object, partitionsAssigned: toNumber(o.partitionsAssigned), partitionsTotal: toNumber(o.partitionsTotal) });
  }
  return scans;
}

async function snowflakeEstimate(warehouse: Warehouse, select: string): Promise<ScanEstimate | null> {
  const explained = await warehouse.explain(select, { purpose: 'estimate' });
  const scans = snowflakePlanScans(explained.plan);
  if (!scans.length) return null;
  const dialect = dialectFor('snowflake');
  const byDatabase = new Map<string, { schema: string; table: string }[]>();
  for (const scan of scans) {
    const parts = splitRelation(scan.object);
    if (parts.length !== 3) continue;
    const list = byDatabase.get(parts[0]) ?? [];
    if (!list.some((t) => t.schema === parts[1] && t.table === parts[2])) list.push({ schema: parts[1], table: parts[2] });
    byDatabase.set(parts[0], list);
  }
  const rowCounts = new Map<string, number>();
  for (const [database, tables] of byDatabase) {
    const where = tables.map(() => '(table_schema = ? and table_name = ?)').join(' or ');
    const found = await warehouse.query<Record<string, unknown>>(
      `select table_schema, table_name, row_count from ${dialect.quoteIdent(database)}.information_schema.tables where ${where}`,
      { purpose: 'estimate', params: tables.flatMap((t) => [t.schema, t.table]) },
    );
    for (const row of found.rows) {
      const get = (k: string) => row[k] ?? row[k.toUpperCase()];
      const n = toNumber(get('row_count'));
      if (n !== null) rowCounts.set(`${database}.${String(get('table_schema'))}.${String(get('table_name'))}`, n);
    }
  }
  return total(
    scans.map((scan) => {
      const parts = splitRelation(scan.object);
      const count = parts.length === 3 ? rowCounts.get(parts.join('.')) : undefined;
      if (count === undefined) return { relation: scan.object, rows: null };
      // Pruning: only the assigned share of the table's partitions is read.
      const share = scan.partitionsTotal && scan.partitionsAssigned !== null ? Math.min(1, scan.partitionsAssigned / scan.partitionsTotal) : 1;
      return { relation: scan.object, rows: Math.round(count * share) };
    }),
  );
}
