import type { Project } from '../../dbt/types.js';
import { renderTemplate } from '../../report/templates.js';
import { selectedProject } from '../project-input.js';

export type CompileEntry = { compiled_code: string } | { error: string };

/** Rendered SQL of each selected node that has SQL; a node that failed to render carries its error instead. */
export function compiledOf(project: Project, ids: string[]): Record<string, CompileEntry> {
  const out: Record<string, CompileEntry> = {};
  for (const id of ids) {
    const node = project.nodes[id];
    if (!node || node.resource_type === 'seed') continue;
    if (node.render_error) {
      const where = `${node.render_error.file}${node.render_error.line ? `:${node.render_error.line}` : ''}`;
      out[id] = { error: `${where}: ${node.render_error.message}` };
    } else if (typeof node.compiled_code === 'string') {
      out[id] = { compiled_code: node.compiled_code };
    } else if (node.language === 'python') {
      out[id] = { error: `${node.original_file_path}: Python models are listed, never executed` };
    }
  }
  return out;
}

export async function compileCommand(argv: string[]): Promise<string> {
  const { project, ids, format } = await selectedProject('compile', argv, ['json', 'sql'] as const, 'sql');
  const compiled = compiledOf(project, ids);
  if (format === 'json') return JSON.stringify(compiled, null, 2);
  const entries = Object.entries(compiled).map(([id, entry]) => ({
    id,
    file: project.nodes[id].original_file_path,
    sql: 'compiled_code' in entry ? entry.compiled_code.trim() : null,
    error: 'error' in entry ? entry.error : null,
  }));
  return renderTemplate('cli/compile.sql.hbs', { entries });
}
