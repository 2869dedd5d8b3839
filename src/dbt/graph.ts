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
