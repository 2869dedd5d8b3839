import { withEphemeralCtes } from '../dbt/ephemeral.js';
import { topologicalOrder } from '../dbt/graph.js';
import type { NodeCompiler } from '../dbt/project.js';
import type { DbtNode, Project } from '../dbt/types.js';
import { dialectFor } from '../warehouse/dialect.js';
import { seedSelectSql } from './seed.js';
import { readOnlyCheck } from '../sql/readonly.js';
import type { Warehouse } from '../warehouse/warehouse.js';


export interface PrBuild {
  unique_id: string;
  status: 'built' | 'failed' | 'skipped';
  /** The temporary table holding the PR version. */
  relation: string | null;
  seconds: number | null;
  sql: string | null;
  message?: string;
}

/** The message of a model not started because the run's signal had aborted (a newer push, the runtime limit). */
export const NOT_STARTED = 'superseded by a newer run';

/** A temporary table name that cannot collide between packages and stays within identifier limits. */
export function tempName(prefix: string, packageName: string, alias: string): string {
  return `${prefix}__${packageName}__${alias}`.replace(/[^A-Za-z0-9_]/g, '_').slice(0, 200);
}

/**
 * Builds the PR version of each changed model as a session-scoped temporary table, in DAG order:
 * refs to changed parents point at their PR versions, refs to unchanged parents at production.
 * Nothing is written to production schemas; only one read-only SELECT is ever sent (the adapter
 * checks again). A failed model makes its changed children fail with the reason.
 */
export async function buildPrVersions(
  head: Project,
  compile: NodeCompiler,
  warehouse: Warehouse,
  changed: string[],
  options: {
    prefix?: string;
    onProgress?: (message: string) => void;
    signal?: AbortSignal;
    /** The head CSV of a changed seed; without it, seeds are not built. */
    readSeed?: (node: DbtNode) => Promise<string>;
  } = {},
): Promise<Map<string, PrBuild>> {
  const prefix = options.prefix ?? 'pr';
  const results = new Map<string, PrBuild>();
  const kinds = options.readSeed ? ['model', 'snapshot', 'seed'] : ['model', 'snapshot'];
  const buildable = changed.filter((id) => kinds.includes(head.nodes[id]?.resource_type ?? ''));
  const { order, cycle } = topologicalOrder(head.parent_map, buildable);
  for (const id of cycle) results.set(id, { unique_id: id, status: 'skipped', relation: null, seconds: null, sql: null, message: 'part of a circular ref' });
  const overrides: Record<string, string> = {};
  const ephemeralCode = new Map<string, string>();
  const failed = new Set<string>();

  for (const [index, id] of order.entries()) {
    if (options.signal?.aborted) {
      results.set(id, { unique_id: id, status: 'skipped', relation: null, seconds: null, sql: null, message: NOT_STARTED });
      continue;
    }
    const node = head.nodes[id];
    const brokenParent = head.parent_map[id]?.find((p) => failed.has(p));
    if (brokenParent) {
      failed.add(id);
      results.set(id, { unique_id: id, status: 'failed', relation: null, seconds: null, sql: null, message: `its parent ${head.nodes[brokenParent]?.name ?? brokenParent} could not be built` });
      continue;
    }
    if (node.language === 'python') {
      results.set(id, { unique_id: id, status: 'skipped', relation: null, seconds: null, sql: null, message: 'Python models are not executed' });
      continue;
    }
    const compiled = node.resource_type === 'seed' && options.readSeed ? await seedSql(node, warehouse, options.readSeed) : await compile(id, overrides);
    if ('error' in compiled) {
      failed.add(id);
      results.set(id, { unique_id: id, status: 'failed', relation: null, seconds: null, sql: null, message: `${node.original_file_path}${compiled.line ? `:${compiled.line}` : ''}: ${compiled.error}` });
      continue;
    }
    if (node.config.materialized === 'ephemeral') {
      // Ephemeral models are inlined as CTEs into their children, never built.
      ephemeralCode.set(id, compiled.sql);
      results.set(id, { unique_id: id, status: 'skipped', relation: null, seconds: null, sql: compiled.sql, message: 'ephemeral: inlined into its children' });
      continue;
    }
    const sql = withEphemeralCtes(head, id, (x) => (x === id ? compiled.sql : (ephemeralCode.get(x) ?? head.nodes[x]?.compiled_code)));
    if (sql === null) {
      failed.add(id);
      results.set(id, { unique_id: id, status: 'failed', relation: null, seconds: null, sql: null, message: 'an ephemeral parent did not render' });
      continue;
    }
    const check = readOnlyCheck(sql, warehouse.type);
    if (!check.ok) {
      failed.add(id);
      results.set(id, { unique_id: id, status: 'failed', relation: null, seconds: null, sql, message: `${node.original_file_path}: ${check.reason}` });
      continue;
    }
    options.onProgress?.(`building PR version ${index + 1}/${order.length}: ${node.name}`);
    const started = performance.now();
    try {
      const built = await warehouse.createTempTable(tempName(prefix, node.package_name, node.alias), sql, { purpose: 'build' });
      overrides[id] = built.relation;
      results.set(id, { unique_id: id, status: 'built', relation: built.relation, seconds: (performance.now() - started) / 1000, sql });
    } catch (err) {
      failed.add(id);
      results.set(id, { unique_id: id, status: 'failed', relation: null, seconds: null, sql, message: (err as Error).message.split('\n')[0] });
    }
  }
  return results;
}

/** A changed seed's SELECT from its head CSV, typed against the production table when there is one. */
async function seedSql(node: DbtNode, warehouse: Warehouse, readSeed: (node: DbtNode) => Promise<string>): Promise<{ sql: string } | { error: string; line?: number }> {
  let csv: string;
  try {
    csv = await readSeed(node);
  } catch (err) {
    return { error: `could not read the seed: ${(err as Error).message.split('\n')[0]}` };
  }
  const production = node.relation_name ? await warehouse.describe(node.relation_name).catch(() => []) : [];
  const columnTypes = node.config.column_types;
  const types = columnTypes && typeof columnTypes === 'object' ? Object.fromEntries(Object.entries(columnTypes).filter((e): e is [string, string] => typeof e[1] === 'string')) : {};
  return seedSelectSql(csv, { dialect: dialectFor(warehouse.type), production, columnTypes: types });
}
