import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { z } from 'zod';
import { buildGraphMaps } from './graph.js';
import {
  type exposureSchema,
  manifestSchema,
  nodeSchema,
  type owner,
  type RawColumn,
  type RawManifest,
  type RawNode,
  type refSchema,
  type sourceSchema,
} from './manifest-schema.js';
import type {
  ColumnInfo,
  Constraint,
  DbtNode,
  Exposure,
  Group,
  Macro,
  NodeConfig,
  NodeResourceType,
  OtherResource,
  PackageInfo,
  Problem,
  Project,
  RefCall,
  SourceCall,
  SourceDefinition,
  Target,
} from './types.js';

/**
 * Loads dbt's target/manifest.json (schema v6–v12) into the same `Project` that the file loader
 * builds, so that either source can feed the pipeline and the two can be compared node for node.
 * Only the fields we read are validated; everything else passes through untouched.
 */

export class ManifestLoadError extends Error {
  constructor(
    readonly file: string,
    detail: string,
  ) {
    super(`${file}: ${detail}`);
    this.name = 'ManifestLoadError';
  }
}

export const SUPPORTED_MANIFEST_VERSIONS = [6, 7, 8, 9, 10, 11, 12] as const;


const NODE_TYPES: ReadonlySet<string> = new Set<NodeResourceType>(['model', 'seed', 'snapshot', 'test', 'analysis']);

export interface LoadManifestOptions {
  /** Overrides for the target; `type` defaults to the manifest's adapter_type. */
  target?: Partial<Target>;
  /** The project directory; defaults to the parent of the `target/` folder holding the manifest. */
  root?: string;
}

export async function loadManifest(file: string, options: LoadManifestOptions = {}): Promise<Project> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new ManifestLoadError(file, `cannot read manifest (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new ManifestLoadError(file, `not valid JSON (${(err as Error).message})`);
  }
  const abs = path.resolve(file);
  const root = options.root ?? (path.basename(path.dirname(abs)) === 'target' ? path.dirname(path.dirname(abs)) : path.dirname(abs));
  return manifestToProject(json, { ...options, root, file });
}

/** The version number in `https://schemas.getdbt.com/dbt/manifest/v12.json`, or undefined. */
export function manifestSchemaVersion(url: string): number | undefined {
  const m = /\/manifest\/v(\d+)(?:\.json)?$/.exec(url.trim());
  return m ? Number(m[1]) : undefined;
}

/** Builds a Project from already-parsed manifest JSON. `file` names the source in messages. */
export function manifestToProject(json: unknown, options: LoadManifestOptions & { root: string; file?: string }): Project {
  const file = options.file ?? 'manifest.json';
  const version = probeVersion(json, file);
  const parsed = manifestSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('').replace(/^\./, '');
    throw new ManifestLoadError(file, `invalid manifest v${version} at ${where || '(root)'}: ${issue.message}`);
  }
  const m = parsed.data;
  const problemFile = path.relative(options.root, path.resolve(options.root, file)) || file;

  const nodes: Record<string, DbtNode> = {};
  for (const raw of Object.values(m.nodes ?? {})) {
    // Project hooks (`operation`) and RPC/sql nodes are not part of the DAG users select from.
    if (NODE_TYPES.has(raw.resource_type)) nodes[raw.unique_id] = toNode(raw);
  }
  const sources: Record<string, SourceDefinition> = {};
  for (const raw of Object.values(m.sources ?? {})) sources[raw.unique_id] = toSource(raw);
  const exposures: Record<string, Exposure> = {};
  for (const raw of Object.values(m.exposures ?? {})) exposures[raw.unique_id] = toExposure(raw);
  const macros: Record<string, Macro> = {};
  for (const raw of Object.values(m.macros ?? {})) {
    macros[raw.unique_id] = {
      unique_id: raw.unique_id,
      resource_type: 'macro',
      name: raw.name,
      package_name: raw.package_name,
      original_file_path: slash(raw.original_file_path),
      path: slash(raw.path),
      macro_sql: raw.macro_sql ?? '',
      description: raw.description ?? '',
      arguments: (raw.arguments ?? []).map((a) => ({ name: a.name, type: a.type ?? null, description: a.description ?? '' })),
      depends_on: { macros: raw.depends_on?.macros ?? [] },
    };
  }
  const groups: Record<string, Group> = {};
  for (const raw of Object.values(m.groups ?? {})) {
    groups[raw.unique_id] = {
      unique_id: raw.unique_id,
      resource_type: 'group',
      name: raw.name,
      package_name: raw.package_name,
      original_file_path: slash(raw.original_file_path),
      path: slash(raw.path),
      owner: toOwner(raw.owner),
    };
  }
  const other: Record<string, OtherResource> = {};
  for (const bucket of [m.semantic_models, m.metrics, m.saved_queries, m.unit_tests, m.functions]) {
    for (const raw of Object.values(bucket ?? {})) {
      other[raw.unique_id] = {
        unique_id: raw.unique_id,
        resource_type: raw.resource_type,
        name: raw.name,
        package_name: raw.package_name,
        original_file_path: slash(raw.original_file_path),
        depends_on: { nodes: raw.depends_on?.nodes ?? [], macros: raw.depends_on?.macros ?? [] },
        raw: { ...raw },
      };
    }
  }
  const disabled: Record<string, DbtNode[]> = {};
  for (const [id, entries] of Object.entries(m.disabled ?? {})) {
    const list = entries.filter((e) => NODE_TYPES.has(e.resource_type)).flatMap((e) => {
      const one = nodeSchema.safeParse(e);
      return one.success ? [toNode(one.data)] : [];
    });
    if (list.length) disabled[id] = list;
  }

  const problems: Problem[] = [];
  const { parent_map, child_map } = buildGraphMaps({ nodes, sources, exposures, other });
  if (m.parent_map) compareMaps('parent_map', parent_map, m.parent_map, problemFile, problems);
  if (m.child_map) compareMaps('child_map', child_map, m.child_map, problemFile, problems);

  const name = rootProjectName(m, nodes, macros);
  const adapter = m.metadata.adapter_type ?? 'unknown';
  return {
    name,
    root: options.root,
    origin: 'manifest',
    target: { ...defaultTarget(nodes, name, adapter), ...options.target } as Target,
    vars: {},
    packages: packageList(name, adapter, nodes, macros, sources),
    nodes,
    sources,
    exposures,
    macros,
    groups,
    other,
    disabled,
    parent_map,
    child_map,
    problems,
  };
}

function probeVersion(json: unknown, file: string): number {
  const url = isRecord(json) && isRecord(json.metadata) ? json.metadata.dbt_schema_version : undefined;
  if (typeof url !== 'string') throw new ManifestLoadError(file, 'not a dbt manifest (metadata.dbt_schema_version is missing)');
  const version = manifestSchemaVersion(url);
  if (version === undefined || !(SUPPORTED_MANIFEST_VERSIONS as readonly number[]).includes(version)) {
    throw new ManifestLoadError(file, `unsupported manifest schema ${url} (supported: v6 to v12, written by dbt 1.2 and later)`);
  }
  return version;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Manifests written on Windows carry backslashes; the file loader always uses `/`. */
function slash(p: string | null | undefined): string {
  return (p ?? '').replace(/\\/g, '/');
}

function toRef(raw: z.infer<typeof refSchema>): RefCall {
  if (Array.isArray(raw)) {
    const parts = raw.map(String);
    return parts.length === 1 ? { name: parts[0], package: null, version: null } : { name: parts[1], package: parts[0], version: parts[2] ?? null };
  }
  return { name: raw.name, package: raw.package ?? null, version: raw.version ?? null };
}

function toColumns(raw: Record<string, RawColumn> | null | undefined): Record<string, ColumnInfo> {
  const out: Record<string, ColumnInfo> = {};
  for (const [key, c] of Object.entries(raw ?? {})) {
    out[key] = {
      name: c.name ?? key,
      description: c.description ?? '',
      data_type: c.data_type ?? null,
      meta: c.meta ?? {},
      tags: c.tags ?? [],
      constraints: (c.constraints ?? []) as Constraint[],
      quote: c.quote ?? null,
    };
  }
  return out;
}

function toNode(raw: RawNode): DbtNode {
  const cfg = raw.config ?? {};
  const tags = typeof raw.tags === 'string' ? [raw.tags] : (raw.tags ?? []);
  const config: NodeConfig = {
    ...meaningful(cfg),
    enabled: typeof cfg.enabled === 'boolean' ? cfg.enabled : true,
    materialized: typeof cfg.materialized === 'string' ? cfg.materialized : defaultMaterialized(raw.resource_type),
    tags: Array.isArray(cfg.tags) ? cfg.tags.map(String) : typeof cfg.tags === 'string' ? [cfg.tags] : [],
    meta: isRecord(cfg.meta) ? cfg.meta : {},
  };
  const contract = raw.contract ?? (isRecord(cfg.contract) ? cfg.contract : undefined);
  const node: DbtNode = {
    unique_id: raw.unique_id,
    resource_type: raw.resource_type as NodeResourceType,
    name: raw.name,
    package_name: raw.package_name,
    path: slash(raw.path),
    original_file_path: slash(raw.original_file_path),
    patch_path: raw.patch_path ? raw.patch_path.replace(/\\/g, '/') : null,
    fqn: raw.fqn ?? [raw.package_name, raw.name],
    database: raw.database ?? null,
    schema: raw.schema ?? '',
    alias: raw.alias ?? raw.name,
    relation_name: raw.relation_name ?? null,
    config,
    tags,
    meta: raw.meta ?? {},
    description: raw.description ?? '',
    columns: toColumns(raw.columns),
    language: raw.language === 'python' ? 'python' : 'sql',
    raw_code: raw.raw_code ?? raw.raw_sql ?? '',
    compiled_code: raw.compiled_code ?? raw.compiled_sql ?? null,
    refs: (raw.refs ?? []).map(toRef),
    sources: (raw.sources ?? []).filter((s) => s.length >= 2).map((s) => [s[0], s[1]] as SourceCall),
    depends_on: { nodes: raw.depends_on?.nodes ?? [], macros: raw.depends_on?.macros ?? [] },
    version: raw.version ?? null,
    latest_version: raw.latest_version ?? null,
    group: raw.group ?? (typeof cfg.group === 'string' ? cfg.group : null),
    access: toAccess(raw.access ?? (typeof cfg.access === 'string' ? cfg.access : null), raw.resource_type),
    contract: {
      enforced: contract?.enforced === true,
      ...(typeof contract?.alias_types === 'boolean' ? { alias_types: contract.alias_types } : {}),
    },
    constraints: (raw.constraints ?? []) as Constraint[],
    ...(raw.resource_type === 'seed' && raw.checksum ? { checksum: { name: raw.checksum.name, checksum: raw.checksum.checksum } } : {}),
  };
  // Singular tests have no metadata and source tests no attached node: leave those fields out, as the file loader does.
  if (raw.test_metadata) {
    node.test_metadata = { name: raw.test_metadata.name, namespace: raw.test_metadata.namespace ?? null, kwargs: raw.test_metadata.kwargs ?? {} };
  }
  if (raw.column_name) node.column_name = raw.column_name;
  if (raw.attached_node) node.attached_node = raw.attached_node;
  return node;
}

/** dbt writes every config key with its default (null, {}, []); keep only the ones that say something. */
function meaningful(cfg: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(cfg)) {
    if (k === 'tags' || k === 'meta') {
      out[k] = v;
      continue;
    }
    if (v === null || v === undefined) continue;
    if (Array.isArray(v) && v.length === 0) continue;
    if (isRecord(v) && Object.keys(v).length === 0) continue;
    out[k] = v;
  }
  return out;
}

/** A freshness block whose counts are all null is dbt's way of writing "no freshness rule". */
function toFreshness(raw: Record<string, unknown> | null | undefined): SourceDefinition['freshness'] {
  if (!raw) return null;
  const count = (k: string) => (isRecord(raw[k]) ? (raw[k] as Record<string, unknown>).count : null);
  if (count('warn_after') == null && count('error_after') == null && raw.filter == null) return null;
  return raw as SourceDefinition['freshness'];
}

function defaultMaterialized(type: string): string {
  return type === 'seed' || type === 'snapshot' || type === 'test' ? type : 'view';
}

function toAccess(v: string | null | undefined, type: string): DbtNode['access'] {
  if (v === 'private' || v === 'protected' || v === 'public') return v;
  // dbt gives every model `protected` access unless told otherwise (v10+); older manifests have none.
  return type === 'model' ? 'protected' : null;
}

function toOwner(raw: z.infer<typeof owner> | null | undefined): Exposure['owner'] {
  if (!raw) return {};
  const email = Array.isArray(raw.email) ? raw.email.join(', ') : (raw.email ?? null);
  return { ...raw, name: raw.name ?? null, email };
}

function toSource(raw: z.infer<typeof sourceSchema>): SourceDefinition {
  const identifier = raw.identifier ?? raw.name;
  const q = raw.quoting ?? {};
  const flag = (v: unknown) => (typeof v === 'boolean' ? v : null);
  return {
    unique_id: raw.unique_id,
    resource_type: 'source',
    name: raw.name,
    source_name: raw.source_name,
    package_name: raw.package_name,
    original_file_path: slash(raw.original_file_path),
    path: slash(raw.path),
    fqn: raw.fqn ?? [raw.package_name, raw.source_name, raw.name],
    database: raw.database ?? null,
    schema: raw.schema ?? raw.source_name,
    identifier,
    relation_name: raw.relation_name ?? [raw.database, raw.schema ?? raw.source_name, identifier].filter(Boolean).join('.'),
    description: raw.description ?? '',
    source_description: raw.source_description ?? '',
    loader: raw.loader ?? '',
    loaded_at_field: raw.loaded_at_field ?? null,
    freshness: toFreshness(raw.freshness),
    quoting: { database: flag(q.database), schema: flag(q.schema), identifier: flag(q.identifier), column: flag(q.column) },
    meta: raw.meta ?? {},
    source_meta: raw.source_meta ?? {},
    tags: raw.tags ?? [],
    columns: toColumns(raw.columns),
    config: { ...meaningful(raw.config ?? {}), enabled: raw.config?.enabled !== false },
  };
}

function toExposure(raw: z.infer<typeof exposureSchema>): Exposure {
  return {
    unique_id: raw.unique_id,
    resource_type: 'exposure',
    name: raw.name,
    label: raw.label ?? null,
    type: raw.type ?? 'dashboard',
    owner: toOwner(raw.owner),
    description: raw.description ?? '',
    url: raw.url ?? null,
    maturity: raw.maturity === 'low' || raw.maturity === 'medium' || raw.maturity === 'high' ? raw.maturity : null,
    package_name: raw.package_name,
    original_file_path: slash(raw.original_file_path),
    path: slash(raw.path),
    fqn: raw.fqn ?? [raw.package_name, raw.name],
    tags: raw.tags ?? [],
    meta: raw.meta ?? {},
    refs: (raw.refs ?? []).map(toRef),
    sources: (raw.sources ?? []).filter((s) => s.length >= 2).map((s) => [s[0], s[1]] as SourceCall),
    depends_on: { nodes: raw.depends_on?.nodes ?? [], macros: raw.depends_on?.macros ?? [] },
    config: { ...(raw.config ?? {}), enabled: raw.config?.enabled !== false },
  };
}

/**
 * metadata.project_name exists from v10 on. Before that, metadata.project_id is the md5 of the
 * project name, which identifies the root among the packages exactly; failing that, the package
 * of the first model.
 */
function rootProjectName(m: RawManifest, nodes: Record<string, DbtNode>, macros: Record<string, Macro>): string {
  if (m.metadata.project_name) return m.metadata.project_name;
  const candidates = new Set([...Object.values(nodes), ...Object.values(macros)].map((n) => n.package_name));
  const id = m.metadata.project_id;
  if (id) for (const c of candidates) if (createHash('md5').update(c).digest('hex') === id) return c;
  const firstModel = Object.values(nodes).find((n) => n.resource_type === 'model') ?? Object.values(nodes)[0];
  return firstModel?.package_name ?? 'unknown';
}

/** dbt's own macro packages (`dbt`, `dbt_<adapter>`) are not user packages. */
function packageList(
  rootName: string,
  adapter: string,
  nodes: Record<string, DbtNode>,
  macros: Record<string, Macro>,
  sources: Record<string, SourceDefinition>,
): PackageInfo[] {
  const internal = new Set(['dbt', `dbt_${adapter}`]);
  const names = new Set<string>();
  for (const r of [...Object.values(nodes), ...Object.values(macros), ...Object.values(sources)]) {
    if (r.package_name !== rootName && !internal.has(r.package_name)) names.add(r.package_name);
  }
  return [
    { name: rootName, root: '.', origin: 'root' },
    ...[...names].sort().map((n): PackageInfo => ({ name: n, root: `dbt_packages/${n}`, origin: 'installed' })),
  ];
}

/** The database and schema most of the root project's models are built in. */
function defaultTarget(nodes: Record<string, DbtNode>, rootName: string, adapter: string): Target {
  const count = (key: 'database' | 'schema') => {
    const tally = new Map<string, number>();
    for (const n of Object.values(nodes)) {
      const v = n[key];
      if (n.package_name === rootName && n.resource_type !== 'test' && v) tally.set(v, (tally.get(v) ?? 0) + 1);
    }
    return [...tally.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]?.[0] ?? '';
  };
  return { name: 'manifest', type: adapter, database: count('database'), schema: count('schema') };
}

function compareMaps(
  which: string,
  ours: Record<string, string[]>,
  theirs: Record<string, string[]>,
  file: string,
  problems: Problem[],
): void {
  const diffs: string[] = [];
  for (const [id, list] of Object.entries(ours)) {
    const other = theirs[id];
    if (!other) continue;
    const a = [...new Set(list)].sort().join(',');
    const b = [...new Set(other)].filter((x) => x in ours).sort().join(',');
    if (a !== b) diffs.push(id);
  }
  if (diffs.length) {
    problems.push({
      file,
      severity: 'warning',
      message: `${which} in the manifest disagrees with depends_on for ${diffs.length} node(s): ${diffs.slice(0, 5).join(', ')}${diffs.length > 5 ? ', …' : ''}`,
    });
  }
}
