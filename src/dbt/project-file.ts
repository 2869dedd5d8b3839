import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { DbtProjectFile } from './types.js';
import { asRecord, asString, asStringList, isRecord, parseYaml } from './yaml.js';

/** The input is unusable as a dbt project: there is nothing sensible to load. */
export class ProjectLoadError extends Error {
  constructor(
    message: string,
    readonly file: string,
  ) {
    super(message);
    this.name = 'ProjectLoadError';
  }
}

/** dbt_project.yml keys that hold folder configs, by resource type. */
const CONFIG_SECTIONS = ['models', 'seeds', 'snapshots', 'tests', 'sources'] as const;

/**
 * Reads and validates one dbt_project.yml. `label` is the path shown in messages
 * (relative to the root project). Throws ProjectLoadError when the file is missing,
 * is not YAML, or has no `name`.
 */
export async function readProjectFile(dir: string, label: string): Promise<DbtProjectFile> {
  const file = path.join(dir, 'dbt_project.yml');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    throw new ProjectLoadError(`${label}: no dbt_project.yml found in ${dir}`, label);
  }
  const parsed = parseYaml(text);
  if (parsed.error) {
    const at = parsed.error.line ? `:${parsed.error.line}` : '';
    throw new ProjectLoadError(`${label}${at}: dbt_project.yml is not valid YAML: ${parsed.error.message}`, label);
  }
  return projectFileFromYaml(parsed.value, label);
}

export function projectFileFromYaml(value: unknown, label: string): DbtProjectFile {
  if (!isRecord(value)) throw new ProjectLoadError(`${label}: dbt_project.yml must be a mapping of keys`, label);
  const name = asString(value.name);
  if (!name) throw new ProjectLoadError(`${label}: dbt_project.yml has no \`name\``, label);
  const paths = (keys: string[], fallback: string[]): string[] => {
    for (const k of keys) if (value[k] !== undefined && value[k] !== null) return asStringList(value[k]).map(normalizeDir);
    return fallback;
  };
  const tests = { ...asRecord(value.tests), ...asRecord(value['data_tests']) };
  const dispatch = Array.isArray(value.dispatch)
    ? value.dispatch.filter(isRecord).map((d) => ({
        macro_namespace: asString(d.macro_namespace) ?? '',
        search_order: asStringList(d.search_order),
      }))
    : [];
  const result: DbtProjectFile = {
    name,
    version: typeof value.version === 'number' || typeof value.version === 'string' ? value.version : undefined,
    profile: asString(value.profile),
    config_version: typeof value['config-version'] === 'number' ? value['config-version'] : undefined,
    model_paths: paths(['model-paths', 'source-paths'], ['models']),
    seed_paths: paths(['seed-paths', 'data-paths'], ['seeds']),
    snapshot_paths: paths(['snapshot-paths'], ['snapshots']),
    macro_paths: paths(['macro-paths'], ['macros']),
    test_paths: paths(['test-paths'], ['tests']),
    analysis_paths: paths(['analysis-paths'], ['analyses']),
    docs_paths: value['docs-paths'] !== undefined ? asStringList(value['docs-paths']) : undefined,
    target_path: asString(value['target-path']),
    vars: asRecord(value.vars),
    models: asRecord(value.models),
    seeds: asRecord(value.seeds),
    snapshots: asRecord(value.snapshots),
    tests,
    sources: asRecord(value.sources),
    dispatch,
    quoting: isRecord(value.quoting) ? value.quoting : undefined,
  };
  return result;
}

function normalizeDir(p: string): string {
  return p.replace(/\\/g, '/').replace(/^\.\//, '').replace(/\/+$/, '');
}

/**
 * Renders the Jinja in a dbt_project.yml's folder configs. As dbt does, hooks are left as
 * written (they run later, at execution), and only CLI vars are visible (the project's own
 * `vars:` are not, a documented dbt rule).
 */
export function renderFolderConfigs(project: DbtProjectFile, render: (value: unknown) => unknown): DbtProjectFile {
  const walk = (value: unknown, key: string): unknown => {
    if (/^\+?\s*(pre|post)[-_]hook$/.test(key)) return value;
    if (Array.isArray(value)) return value.map((v) => walk(v, ''));
    if (isRecord(value)) {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) out[k] = walk(v, k);
      return out;
    }
    return typeof value === 'string' && value.includes('{') ? render(value) : value;
  };
  const copy = { ...project };
  for (const section of CONFIG_SECTIONS) copy[section] = walk(project[section], section) as Record<string, unknown>;
  return copy;
}
