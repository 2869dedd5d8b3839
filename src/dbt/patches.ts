import { stem } from './files.js';
import type { PropertyEntry } from './properties.js';
import { columnsOf, versionColumns } from './properties.js';
import type { Constraint, DbtNode, Problem } from './types.js';
import { asRecord, asString, asStringList, isRecord } from './yaml.js';

/**
 * YAML properties applied to the nodes they name: descriptions, columns, meta, access, group,
 * and model versions (each version its own node, `model.<pkg>.<name>.v<v>`).
 */

const SECTION_OF: Record<string, string> = { model: 'models', seed: 'seeds', snapshot: 'snapshots', analysis: 'analyses' };

export function patchKey(section: string, pkg: string, name: string): string {
  return `${section}\u0000${pkg}\u0000${name}`;
}

export function sectionOf(node: DbtNode): string | undefined {
  return SECTION_OF[node.resource_type];
}

/** Property entries by section, package and name. A second entry for the same name is a problem; the first wins. */
export function indexPatches(entries: PropertyEntry[], problems: Problem[]): Map<string, PropertyEntry> {
  const index = new Map<string, PropertyEntry>();
  for (const e of entries) {
    if (!['models', 'seeds', 'snapshots', 'analyses'].includes(e.section)) continue;
    const key = patchKey(e.section, e.package_name, e.name);
    const prior = index.get(key);
    if (prior) {
      problems.push({
        file: e.file.original_file_path,
        line: e.line,
        message: `${e.section} \`${e.name}\` already has properties in ${prior.file.original_file_path}; this entry is ignored`,
        severity: 'warning',
      });
      continue;
    }
    index.set(key, e);
  }
  return index;
}

export interface VersionInfo {
  v: string | number;
  raw: Record<string, unknown>;
}

function versionsOf(entry: PropertyEntry): VersionInfo[] {
  const list = entry.entry.versions;
  if (!Array.isArray(list)) return [];
  return list.filter(isRecord).flatMap((raw) => (typeof raw.v === 'number' || typeof raw.v === 'string' ? [{ v: raw.v, raw }] : []));
}

/** The declared latest_version, else the greatest version (numeric when all are numbers). */
export function latestVersion(entry: PropertyEntry): string | number | null {
  const declared = entry.entry.latest_version;
  if (typeof declared === 'number' || typeof declared === 'string') return declared;
  const versions = versionsOf(entry).map((v) => v.v);
  if (versions.length === 0) return null;
  return versions.reduce((a, b) => (Number(b) > Number(a) || (Number.isNaN(Number(a)) && String(b) > String(a)) ? b : a));
}

/**
 * Turns the model nodes of one package that implement versions into versioned nodes. Each version
 * lives in `<name>_v<v>.sql` or its `defined_in` file; the latest may also live in `<name>.sql`.
 * Returns the version declaration of each versioned node.
 */
export function applyVersions(models: DbtNode[], patches: Map<string, PropertyEntry>, pkg: string, problems: Problem[]): Map<DbtNode, VersionInfo> {
  const byStem = new Map<string, DbtNode>();
  for (const n of models) byStem.set(stem(n.path), n);
  const result = new Map<DbtNode, VersionInfo>();
  for (const entry of patches.values()) {
    if (entry.section !== 'models' || entry.package_name !== pkg) continue;
    const versions = versionsOf(entry);
    if (versions.length === 0) continue;
    const latest = latestVersion(entry);
    for (const version of versions) {
      const definedIn = asString(version.raw.defined_in);
      let node = byStem.get(definedIn ?? `${entry.name}_v${version.v}`);
      if (!node && String(version.v) === String(latest)) node = byStem.get(entry.name);
      if (!node || result.has(node)) {
        problems.push({
          file: entry.file.original_file_path,
          line: entry.line,
          message: `version ${version.v} of model \`${entry.name}\` has no file (${definedIn ?? `${entry.name}_v${version.v}`}.sql)`,
          severity: 'warning',
        });
        continue;
      }
      node.name = entry.name;
      node.unique_id = `model.${pkg}.${entry.name}.v${version.v}`;
      node.version = version.v;
      node.latest_version = latest;
      node.fqn = [...node.fqn.slice(0, -1), entry.name, `v${version.v}`];
      result.set(node, version);
    }
  }
  return result;
}

/** The YAML `config:` of an entry (and of its version), with top-level meta/tags/docs/group/access folded in. */
export function yamlConfig(entry: PropertyEntry, version?: VersionInfo): Record<string, unknown> {
  const raw = entry.entry;
  const config: Record<string, unknown> = { ...asRecord(raw.config) };
  const fold = (key: string, value: unknown): void => {
    if (value === undefined || value === null) return;
    if (key === 'meta' && isRecord(value)) config.meta = { ...value, ...asRecord(config.meta) };
    else if (key === 'tags') config.tags = [...asStringList(value), ...asStringList(config.tags)];
    else if (!(key in config)) config[key] = value;
  };
  for (const key of ['meta', 'tags', 'docs', 'group', 'access']) fold(key, raw[key]);
  if (version) {
    const vconf = asRecord(version.raw.config);
    for (const [k, v] of Object.entries(vconf)) {
      config[k] = isRecord(v) && isRecord(config[k]) ? { ...(config[k] as Record<string, unknown>), ...v } : v;
    }
    for (const key of ['docs', 'access', 'group']) if (version.raw[key] !== undefined) config[key] = version.raw[key];
  }
  return config;
}

function constraints(value: unknown): Constraint[] {
  return Array.isArray(value) ? value.filter(isRecord).map((c) => ({ ...c, type: String(c.type ?? '') })) : [];
}

/** Properties other than config: description, columns, constraints, latest_version, patch_path. */
export function applyProperties(node: DbtNode, entry: PropertyEntry, version?: VersionInfo): void {
  const raw = entry.entry;
  node.patch_path = `${entry.package_name}://${entry.file.original_file_path}`;
  node.description = asString(version?.raw.description) ?? asString(raw.description) ?? '';
  node.columns = columnsOf(version ? versionColumns(raw.columns, version.raw.columns) : raw.columns);
  node.constraints = constraints(version?.raw.constraints ?? raw.constraints);
  if (version) node.latest_version = latestVersion(entry);
  else if (raw.latest_version !== undefined) node.latest_version = raw.latest_version as string | number;
}

/** Test entries of a node (model-level and per column) for one version, as dbt's get_tests_for_version. */
export function testsFor(entry: PropertyEntry, version?: VersionInfo): { column: Record<string, unknown> | null; tests: unknown[] }[] {
  const raw = entry.entry;
  const modelTests = (r: Record<string, unknown>): unknown[] => [...(Array.isArray(r.data_tests) ? r.data_tests : []), ...(Array.isArray(r.tests) ? r.tests : [])];
  const out: { column: Record<string, unknown> | null; tests: unknown[] }[] = [];
  const columns = version ? versionColumns(raw.columns, version.raw.columns) : Array.isArray(raw.columns) ? raw.columns.filter(isRecord) : [];
  for (const c of columns) {
    const tests = modelTests(c);
    if (tests.length > 0 && c.name !== undefined && c.name !== null) out.push({ column: c, tests });
  }
  const top = version && (version.raw.tests !== undefined || version.raw.data_tests !== undefined) ? modelTests(version.raw) : modelTests(raw);
  if (top.length > 0) out.push({ column: null, tests: top });
  return out;
}
