/**
 * The in-memory model of a dbt project. Field names follow manifest.json (snake_case, dbt's own
 * words) so that a project loaded from files and one loaded from target/manifest.json can be
 * compared node for node, and users recognise what they read.
 */

/** Something wrong with the user's input, located so that they can fix it. */
export interface Problem {
  /** Path relative to the project root (or the package root for package files). */
  file: string;
  /** 1-based line, when known. */
  line?: number;
  message: string;
  severity: 'error' | 'warning';
  /** The unique id of the node the problem belongs to, when there is one. */
  unique_id?: string;
  /** The file was not read: it is larger than limits.max_file_bytes. */
  oversize?: { bytes: number; limit: number };
}

export type NodeResourceType = 'model' | 'seed' | 'snapshot' | 'test' | 'analysis' | 'operation';

export type Materialization =
  | 'table'
  | 'view'
  | 'incremental'
  | 'ephemeral'
  | 'materialized_view'
  | 'seed'
  | 'snapshot'
  | 'test'
  | (string & {});

/** A node's resolved config: folder configs from dbt_project.yml, then YAML `config:`, then `{{ config() }}`. */
export interface NodeConfig {
  enabled: boolean;
  materialized: Materialization;
  schema?: string | null;
  database?: string | null;
  alias?: string | null;
  tags: string[];
  meta: Record<string, unknown>;
  group?: string | null;
  docs?: { show?: boolean; node_color?: string | null };
  contract?: { enforced: boolean; alias_types?: boolean };
  unique_key?: string | string[] | null;
  /** Test configs. */
  severity?: 'warn' | 'error' | 'WARN' | 'ERROR' | (string & {});
  where?: string | null;
  warn_if?: string;
  error_if?: string;
  /** Any other config key a project sets (persist_docs, cluster_by, …). */
  [key: string]: unknown;
}

export interface Constraint {
  type: string;
  name?: string | null;
  expression?: string | null;
  columns?: string[];
  [key: string]: unknown;
}

export interface ColumnInfo {
  name: string;
  description: string;
  data_type?: string | null;
  meta: Record<string, unknown>;
  tags: string[];
  constraints: Constraint[];
  quote?: boolean | null;
}

/** A `ref()` call as dbt records it in `refs`. */
export interface RefCall {
  name: string;
  package?: string | null;
  version?: string | number | null;
}

/** A `source()` call: [source_name, table_name]. */
export type SourceCall = [string, string];

/** A generic test's metadata, as manifest.json's `test_metadata`. */
export interface TestMetadata {
  name: string;
  namespace?: string | null;
  kwargs: Record<string, unknown>;
}

export interface DbtNode {
  unique_id: string;
  resource_type: NodeResourceType;
  name: string;
  package_name: string;
  /** Path relative to the resource path (e.g. `staging/stg_orders.sql`). */
  path: string;
  /** Path relative to the root of the project or package that defines it. */
  original_file_path: string;
  /** The YAML file whose properties were applied, as `package://path`. */
  patch_path?: string | null;
  fqn: string[];
  database: string | null;
  schema: string;
  alias: string;
  /** `database.schema.identifier` as the target renders it; null for ephemeral models and tests. */
  relation_name: string | null;
  config: NodeConfig;
  tags: string[];
  meta: Record<string, unknown>;
  description: string;
  columns: Record<string, ColumnInfo>;
  language: 'sql' | 'python';
  raw_code: string;
  /** Rendered SQL, when rendering succeeded. */
  compiled_code?: string | null;
  /** Why rendering failed; parents then come from a static scan of ref/source calls. */
  render_error?: Problem | null;
  refs: RefCall[];
  sources: SourceCall[];
  depends_on: { nodes: string[]; macros: string[] };
  version?: string | number | null;
  latest_version?: string | number | null;
  group?: string | null;
  access?: 'private' | 'protected' | 'public' | null;
  contract: { enforced: boolean; alias_types?: boolean };
  constraints: Constraint[];
  /** Tests only. */
  test_metadata?: TestMetadata | null;
  column_name?: string | null;
  attached_node?: string | null;
  /** Seeds only: the CSV header. */
  seed_columns?: string[];
  /** Seeds only: the file's sha256, as dbt's manifest records it (a data edit changes it). */
  checksum?: { name: string; checksum: string };
  /** Lines of `-- depends_on: {{ ref(...) }}` comments are part of raw_code; nothing extra here. */
}

export interface FreshnessRule {
  count?: number | null;
  period?: 'minute' | 'hour' | 'day' | null;
}

export interface SourceDefinition {
  unique_id: string;
  resource_type: 'source';
  name: string;
  source_name: string;
  package_name: string;
  original_file_path: string;
  path: string;
  fqn: string[];
  database: string | null;
  schema: string;
  identifier: string;
  relation_name: string;
  description: string;
  source_description: string;
  loader: string;
  loaded_at_field?: string | null;
  freshness?: { warn_after?: FreshnessRule | null; error_after?: FreshnessRule | null; filter?: string | null } | null;
  quoting: { database?: boolean | null; schema?: boolean | null; identifier?: boolean | null; column?: boolean | null };
  meta: Record<string, unknown>;
  source_meta: Record<string, unknown>;
  tags: string[];
  columns: Record<string, ColumnInfo>;
  config: { enabled: boolean; [key: string]: unknown };
}

export interface Owner {
  name?: string | null;
  email?: string | null;
  [key: string]: unknown;
}

export interface Exposure {
  unique_id: string;
  resource_type: 'exposure';
  name: string;
  label?: string | null;
  type: 'dashboard' | 'notebook' | 'analysis' | 'ml' | 'application' | (string & {});
  owner: Owner;
  description: string;
  url?: string | null;
  maturity?: 'low' | 'medium' | 'high' | null;
  package_name: string;
  original_file_path: string;
  path: string;
  fqn: string[];
  tags: string[];
  meta: Record<string, unknown>;
  refs: RefCall[];
  sources: SourceCall[];
  depends_on: { nodes: string[]; macros: string[] };
  config: { enabled: boolean; [key: string]: unknown };
}

export interface Macro {
  unique_id: string;
  resource_type: 'macro';
  name: string;
  package_name: string;
  original_file_path: string;
  path: string;
  macro_sql: string;
  description: string;
  arguments: { name: string; type?: string | null; description?: string }[];
  depends_on: { macros: string[] };
}

export interface Group {
  unique_id: string;
  resource_type: 'group';
  name: string;
  package_name: string;
  original_file_path: string;
  path: string;
  owner: Owner;
}

/** Semantic models, metrics, saved queries and unit tests: kept so nothing is lost, not analysed. */
export interface OtherResource {
  unique_id: string;
  resource_type: 'semantic_model' | 'metric' | 'saved_query' | 'unit_test' | (string & {});
  name: string;
  package_name: string;
  original_file_path: string;
  depends_on: { nodes: string[]; macros: string[] };
  raw: Record<string, unknown>;
}

/** The target dbt renders against (`target.*` in Jinja). */
export interface Target {
  name: string;
  /** Adapter type: `duckdb`, `snowflake`, … */
  type: string;
  database: string;
  schema: string;
  [key: string]: unknown;
}

export interface PackageInfo {
  name: string;
  /** Directory relative to the root project. */
  root: string;
  /** How it joined: `local:` in packages.yml, or installed under dbt_packages/. */
  origin: 'root' | 'local' | 'installed';
}

/** The parsed dbt_project.yml of one project or package. */
export interface DbtProjectFile {
  name: string;
  version?: string | number;
  profile?: string;
  config_version?: number;
  model_paths: string[];
  seed_paths: string[];
  snapshot_paths: string[];
  macro_paths: string[];
  test_paths: string[];
  analysis_paths: string[];
  docs_paths?: string[];
  target_path?: string;
  vars: Record<string, unknown>;
  /** Folder configs, as written (rendered), keyed by resource type. */
  models: Record<string, unknown>;
  seeds: Record<string, unknown>;
  snapshots: Record<string, unknown>;
  tests: Record<string, unknown>;
  sources: Record<string, unknown>;
  /** dispatch: [{ macro_namespace, search_order }] */
  dispatch: { macro_namespace: string; search_order: string[] }[];
  quoting?: Record<string, unknown>;
}

export interface Project {
  /** The root project's name (dbt_project.yml `name`). */
  name: string;
  /** Absolute path of the directory it was loaded from (or of the manifest's project). */
  root: string;
  /** Where it came from. */
  origin: 'files' | 'manifest';
  target: Target;
  /** Root project vars merged with CLI vars. */
  vars: Record<string, unknown>;
  packages: PackageInfo[];
  /** Models, seeds, snapshots, tests, analyses (enabled only, as in manifest.json `nodes`). */
  nodes: Record<string, DbtNode>;
  sources: Record<string, SourceDefinition>;
  exposures: Record<string, Exposure>;
  macros: Record<string, Macro>;
  groups: Record<string, Group>;
  other: Record<string, OtherResource>;
  /** Nodes removed by `enabled: false`, kept for change detection. */
  disabled: Record<string, DbtNode[]>;
  /** unique id → parents / children, shaped like manifest.json's. Every id in nodes, sources and exposures has a key. */
  parent_map: Record<string, string[]>;
  child_map: Record<string, string[]>;
  problems: Problem[];
}

/** Anything that has a unique id and sits in the graph. */
export type GraphMember = DbtNode | SourceDefinition | Exposure;
