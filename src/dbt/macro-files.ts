import type { ProjectFile } from './files.js';
import { calledNames, extractBlocks } from './sql-blocks.js';
import type { Macro, Problem } from './types.js';

/**
 * Macros from `.sql` files under macro paths (and tests/generic): every `{% macro %}`,
 * `{% test %}` (as `test_<name>`) and `{% materialization %}` block becomes one Macro.
 */
export function macrosFromFile(file: ProjectFile, package_name: string, problems: Problem[]): Macro[] {
  const { blocks, problems: blockProblems } = extractBlocks(file.text, ['macro', 'test', 'materialization']);
  for (const p of blockProblems) problems.push({ file: file.original_file_path, line: p.line, message: p.message, severity: 'error' });
  return blocks.map((b) => {
    const name = b.kind === 'test' ? `test_${b.name}` : b.name;
    return {
      unique_id: `macro.${package_name}.${name}`,
      resource_type: 'macro',
      name,
      package_name,
      original_file_path: file.original_file_path,
      path: file.original_file_path,
      macro_sql: b.text,
      description: '',
      arguments: b.args.map((a) => ({ name: a, type: null, description: '' })),
      depends_on: { macros: calledNames(b.body) },
    };
  });
}

/**
 * Replaces the called names collected per macro by the unique ids they resolve to (same package,
 * then the root project, then any package), dropping names that are not macros (Jinja functions).
 */
export function resolveMacroDependencies(macros: Macro[], rootProject: string): void {
  const byName = new Map<string, Macro[]>();
  const byId = new Map<string, Macro>();
  for (const m of macros) {
    byId.set(m.unique_id, m);
    const list = byName.get(m.name);
    if (list) list.push(m);
    else byName.set(m.name, [m]);
  }
  for (const m of macros) {
    const ids = new Set<string>();
    for (const called of m.depends_on.macros) {
      if (called.includes('.')) {
        const [pkg, name] = called.split('.');
        const hit = byId.get(`macro.${pkg}.${name}`);
        if (hit) ids.add(hit.unique_id);
        continue;
      }
      const candidates = byName.get(called);
      if (!candidates) continue;
      const hit =
        candidates.find((c) => c.package_name === rootProject) ?? candidates.find((c) => c.package_name === m.package_name) ?? candidates[0];
      if (hit.unique_id !== m.unique_id) ids.add(hit.unique_id);
    }
    m.depends_on = { macros: [...ids].sort() };
  }
}
