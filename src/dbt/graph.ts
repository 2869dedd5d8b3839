import type { Project } from './types.js';

type GraphParts = Pick<Project, 'nodes' | 'sources' | 'exposures' | 'other'>;

/**
 * parent_map and child_map exactly as manifest.json shapes them: every node, source, exposure
 * (and other resource) has a key; parents come from depends_on.nodes; lists are sorted.
 */
export function buildGraphMaps(project: GraphParts): { parent_map: Record<string, string[]>; child_map: Record<string, string[]> } {
  const parent_map: Record<string, string[]> = {};
  const child_map: Record<string, string[]> = {};
  const members = [
    ...Object.values(project.nodes),
    ...Object.values(project.sources).map((s) => ({ unique_id: s.unique_id, depends_on: { nodes: [] as string[] } })),
    ...Object.values(project.exposures),
    ...Object.values(project.other),
  ];
  for (const m of members) {
    parent_map[m.unique_id] = [];
    child_map[m.unique_id] = [];
  }
  for (const m of members) {
    for (const parent of new Set(m.depends_on.nodes)) {
      parent_map[m.unique_id].push(parent);
      (child_map[parent] ??= []).push(m.unique_id);
    }
  }
  for (const map of [parent_map, child_map]) for (const k of Object.keys(map)) map[k].sort();
  return { parent_map, child_map };
}

/**
 * The given ids in an order where every parent comes before its children (Kahn's algorithm over
 * parent_map, ties broken by id so the order is stable). Ids caught in a cycle are returned in
 * `cycle` instead, so a circular ref is reported, never looped on.
 */
export function topologicalOrder(parentMap: Record<string, string[]>, ids: Iterable<string>): { order: string[]; cycle: string[] } {
  const wanted = new Set(ids);
  const pending = new Map<string, number>();
  const children = new Map<string, string[]>();
  for (const id of wanted) {
    const parents = (parentMap[id] ?? []).filter((p) => wanted.has(p) && p !== id);
    pending.set(id, parents.length);
    for (const p of parents) {
      const list = children.get(p);
      if (list) list.push(id);
      else children.set(p, [id]);
    }
  }
  const ready = [...wanted].filter((id) => pending.get(id) === 0).sort();
  const order: string[] = [];
  while (ready.length) {
    const id = ready.shift() as string;
    order.push(id);
    const next: string[] = [];
    for (const child of children.get(id) ?? []) {
      const left = (pending.get(child) ?? 0) - 1;
      pending.set(child, left);
      if (left === 0) next.push(child);
    }
    if (next.length) {
      ready.push(...next);
      ready.sort();
    }
  }
  const placed = new Set(order);
  return { order, cycle: [...wanted].filter((id) => !placed.has(id)).sort() };
}
