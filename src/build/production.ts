import { nodeFilePath } from '../dbt/files.js';
import { topologicalOrder } from '../dbt/graph.js';
import type { DbtNode, Project } from '../dbt/types.js';
import type { Warehouse } from '../warehouse/warehouse.js';

export interface BuiltRelation {
  unique_id: string;
  relation: string;
  kind: 'table' | 'view' | 'seed';
  seconds: number;
}

export interface SkippedNode {
  unique_id: string;
  reason: string;
}

export interface BuildResult {
  built: BuiltRelation[];
  skipped: SkippedNode[];
  failed: { unique_id: string; file: string; message: string }[];
}

const BUILDABLE = new Set(['model', 'seed', 'snapshot']);

/** How `dbt run` would materialise a node here: incremental and snapshot models as full tables. */
function kindOf(node: DbtNode): 'table' | 'view' | 'seed' | null {
  if (node.resource_type === 'seed') return 'seed';
  const m = node.config.materialized;
  if (m === 'view') return 'view';
  if (m === 'table' || m === 'incremental' || m === 'snapshot' || m === 'materialized_view' || m === 'dynamic_table') return 'table';
  return null;
}

/**
 * Materialises seeds and models into the warehouse in DAG order, as `dbt run`/`dbt seed` would
 * (the demo and the tests use it to create "production"). A node that fails does not stop the
 * others, but its children are skipped since they would read a missing relation.
 */
export async function buildProject(
  project: Project,
  warehouse: Warehouse,
  ids: string[],
  onProgress?: (message: string) => void,
): Promise<BuildResult> {
  const result: BuildResult = { built: [], skipped: [], failed: [] };
  const candidates = ids.filter((id) => BUILDABLE.has(project.nodes[id]?.resource_type ?? ''));
  const { order, cycle } = topologicalOrder(project.parent_map, candidates);
  for (const id of cycle) result.skipped.push({ unique_id: id, reason: 'part of a circular ref' });
  const broken = new Set<string>();
  const schemas = new Set<string>();
  for (const [index, id] of order.entries()) {
    const node = project.nodes[id];
    const kind = kindOf(node);
    if (!kind || !node.relation_name) {
      result.skipped.push({ unique_id: id, reason: `materialized '${node.config.materialized}' is not built` });
      continue;
    }
    const brokenParent = (project.parent_map[id] ?? []).find((p) => broken.has(p));
    if (brokenParent) {
      broken.add(id);
      result.skipped.push({ unique_id: id, reason: `parent ${brokenParent} failed` });
      continue;
    }
    onProgress?.(`[${index + 1}/${order.length}] ${kind} ${node.relation_name}`);
    const started = performance.now();
    try {
      const schemaKey = `${node.database ?? ''}.${node.schema}`;
      if (!schemas.has(schemaKey)) {
        await warehouse.ensureSchema(node.database, node.schema);
        schemas.add(schemaKey);
      }
      if (kind === 'seed') {
        await warehouse.loadCsv(node.relation_name, nodeFilePath(project, node), { purpose: 'build' });
      } else {
        if (node.render_error || typeof node.compiled_code !== 'string') {
          throw new Error(node.render_error?.message ?? 'the model did not render');
        }
        await warehouse.materialize(node.relation_name, node.compiled_code, kind, { purpose: 'build' });
      }
      result.built.push({ unique_id: id, relation: node.relation_name, kind, seconds: (performance.now() - started) / 1000 });
    } catch (err) {
      broken.add(id);
      const line = node.render_error?.line;
      result.failed.push({ unique_id: id, file: `${node.original_file_path}${line ? `:${line}` : ''}`, message: (err as Error).message.split('\n')[0] });
    }
  }
  return result;
}
