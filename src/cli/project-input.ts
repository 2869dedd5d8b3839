import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { loadManifest } from '../dbt/manifest.js';
import { loadProjectInSandbox } from '../sandbox/client.js';
import { select } from '../dbt/selectors.js';
import type { Project, Target } from '../dbt/types.js';
import { oneOf, parseCommandArgs, parseVars, UsageError } from './args.js';

export interface ProjectInput {
  project?: string;
  manifest?: string;
  vars: Record<string, unknown>;
  target?: Partial<Target>;
}

/** Loads the project from files or from a manifest; only unusable input throws (as a UsageError). */
export async function loadProjectInput(command: string, input: ProjectInput): Promise<Project> {
  if (input.manifest) {
    try {
      return await loadManifest(resolve(input.manifest), { target: input.target });
    } catch (err) {
      throw new UsageError(`${command}: ${(err as Error).message}`);
    }
  }
  const dir = resolve(input.project ?? '.');
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new UsageError(`${command}: project directory ${dir} does not exist`);
  try {
    // A checkout may be someone's pull request: its Jinja renders in the render worker, as in analyze.
    const loaded = await loadProjectInSandbox(dir, { target: input.target, vars: input.vars, env: process.env });
    loaded.close();
    return loaded.project;
  } catch (err) {
    throw new UsageError(`${command}: ${(err as Error).message}`);
  }
}

/** The selected unique ids, or every graph member when no selector is given. */
export function selectIds(command: string, project: Project, selector: string | undefined, exclude?: string): string[] {
  const all = [...Object.keys(project.nodes), ...Object.keys(project.sources), ...Object.keys(project.exposures)];
  let ids: Set<string>;
  try {
    ids = selector ? select(project, selector) : new Set(all);
    if (exclude) for (const id of select(project, exclude)) ids.delete(id);
  } catch (err) {
    throw new UsageError(`${command}: ${(err as Error).message}`);
  }
  return all.filter((id) => ids.has(id)).sort();
}

/**
 * What `lineage` and `compile` share: --project/--manifest, --select/--exclude, --vars and
 * --format parsed, the project loaded, and the selected ids.
 */
export async function selectedProject<F extends string>(command: string, argv: string[], formats: readonly F[], fallback: F): Promise<{ project: Project; ids: string[]; format: F }> {
  const values = parseCommandArgs(command, argv, {
    project: { type: 'string' },
    manifest: { type: 'string' },
    select: { type: 'string', short: 's' },
    exclude: { type: 'string' },
    vars: { type: 'string' },
    format: { type: 'string' },
  });
  const format = oneOf(command, 'format', values.format, formats, fallback);
  const project = await loadProjectInput(command, { project: values.project, manifest: values.manifest, vars: await parseVars(command, values.vars) });
  return { project, ids: selectIds(command, project, values.select, values.exclude), format };
}
