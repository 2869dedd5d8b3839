import type { Project } from '../../dbt/types.js';
import { ownerOf } from '../../dbt/owners.js';
import { renderTemplate } from '../../report/templates.js';
import { selectedProject } from '../project-input.js';

export interface LineageNode {
  resource_type: string;
  name: string;
  package_name: string;
  original_file_path: string;
  tags: string[];
  owner: string | null;
  config: { materialized: string | null; enabled: boolean };
}

export interface LineageOutput {
  nodes: Record<string, LineageNode>;
  parent_map: Record<string, string[]>;
  child_map: Record<string, string[]>;
  problems: Project['problems'];
}

/** The lineage JSON: manifest-shaped maps limited to the selection, with owners and problems. */
export function lineageOf(project: Project, ids: string[]): LineageOutput {
  const selected = new Set(ids);
  const nodes: Record<string, LineageNode> = {};
  for (const id of ids) {
    const member = project.nodes[id] ?? project.sources[id] ?? project.exposures[id];
    const config = member.config as { materialized?: string; enabled: boolean };
    nodes[id] = {
      resource_type: member.resource_type,
      name: member.name,
      package_name: member.package_name,
      original_file_path: member.original_file_path,
      tags: member.tags,
      owner: ownerOf(project, id),
      config: { materialized: config.materialized ?? null, enabled: config.enabled },
    };
  }
  const restrict = (map: Record<string, string[]>) =>
    Object.fromEntries(ids.map((id) => [id, (map[id] ?? []).filter((other) => selected.has(other))]));
  return { nodes, parent_map: restrict(project.parent_map), child_map: restrict(project.child_map), problems: project.problems };
}

export async function lineageCommand(argv: string[]): Promise<string> {
  const { project, ids, format } = await selectedProject('lineage', argv, ['json', 'text'] as const, 'text');
  const output = lineageOf(project, ids);
  if (format === 'json') return JSON.stringify(output, null, 2);
  const entries = Object.entries(output.nodes).map(([id, node]) => ({
    id,
    ...node,
    parents: output.parent_map[id],
    children: output.child_map[id],
  }));
  return renderTemplate('cli/lineage.txt.hbs', { project: project.name, entries, count: entries.length, problems: output.problems });
}
