import type { Project } from './types.js';

/**
 * dbt compiles a ref to an ephemeral model as `__dbt__cte__<alias>` and prepends that model's SQL
 * as a CTE. The loader renders the name; this injects the CTEs, deepest first, so the SQL can run.
 */
export function withEphemeralCtes(project: Project, uniqueId: string, codeOf: (id: string) => string | null | undefined = (id) => project.nodes[id]?.compiled_code): string | null {
  const sql = codeOf(uniqueId);
  if (typeof sql !== 'string') return null;
  const ordered: string[] = [];
  const seen = new Set<string>();
  const visit = (id: string, path: Set<string>): boolean => {
    for (const parent of project.nodes[id]?.depends_on.nodes ?? []) {
      const node = project.nodes[parent];
      if (!node || node.config.materialized !== 'ephemeral' || seen.has(parent)) continue;
      if (path.has(parent)) return false;
      path.add(parent);
      if (!visit(parent, path)) return false;
      path.delete(parent);
      seen.add(parent);
      ordered.push(parent);
    }
    return true;
  };
  if (!visit(uniqueId, new Set([uniqueId]))) return null;
  if (!ordered.length) return sql;
  const ctes: string[] = [];
  for (const id of ordered) {
    const code = codeOf(id);
    if (typeof code !== 'string') return null;
    ctes.push(`__dbt__cte__${project.nodes[id].alias} as (\n${code.trim()}\n)`);
  }
  return injectCtes(sql, ctes);
}

/** Puts CTEs in front of a statement, merging with its own WITH clause when it has one. */
export function injectCtes(sql: string, ctes: string[]): string {
  const lead = /^(\s*(?:--[^\n]*\n|\/\*[\s\S]*?\*\/|\s)*)with(\s+recursive)?\b/i.exec(sql);
  if (lead) {
    const rest = sql.slice(lead[0].length);
    return `${lead[1]}with${lead[2] ?? ''} ${ctes.join(',\n')},${rest}`;
  }
  return `with ${ctes.join(',\n')}\n${sql}`;
}
