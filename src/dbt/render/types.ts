import type { DbtProjectFile, Macro, RefCall, SourceCall, Target } from '../types.js';

/**
 * The contract between the project loader (src/dbt/project.ts) and the Jinja renderer
 * (src/dbt/render/). The loader renders each node twice: once in `parse` mode to learn its
 * refs, sources and config() (ref returns a placeholder), then in `compile` mode with the real
 * relation names of its parents.
 */

/** Columns of a relation, as the warehouse or the YAML knows them. */
export interface RelationColumn {
  name: string;
  data_type?: string | null;
}

/**
 * Warehouse metadata the renderer may need (dbt_utils.get_column_values, star,
 * get_filtered_columns_in_relation, adapter.get_columns_in_relation, run_query).
 * Rendering is synchronous, so this is a lookup into what the pipeline fetched beforehand:
 * `undefined` means "not known", and the renderer then uses a placeholder, adds a note, and
 * records the request in `metadata_requests` so a caller with a warehouse can fetch it and render again.
 */
export interface MetadataLookup {
  columns(relation: string): RelationColumn[] | undefined;
  columnValues(relation: string, column: string, options: { where?: string; orderBy?: string; maxRecords?: number }): unknown[] | undefined;
  /** Result of a `run_query`/`statement` SELECT, keyed by its exact SQL text. */
  queryResult(sql: string): { columns: string[]; rows: unknown[][] } | undefined;
}

export type MetadataRequest =
  | { kind: 'columns'; relation: string }
  | { kind: 'column_values'; relation: string; column: string; where?: string; orderBy?: string; maxRecords?: number }
  | { kind: 'query'; sql: string };

export interface RendererOptions {
  /** The root project's name. */
  rootProject: string;
  target: Target;
  /** Vars from dbt_project.yml: the root project's `vars`, which may scope values by package name. */
  projectVars: Record<string, unknown>;
  /** Vars from the command line (`--vars`), which win over project vars. */
  cliVars: Record<string, unknown>;
  /** Every macro of the root project and its packages. */
  macros: Macro[];
  /** The root project's `dispatch:` config. */
  dispatch: DbtProjectFile['dispatch'];
  /** Package names in the project, root first. */
  packages: string[];
  /** The environment env_var() may read. Only names starting with DBT_ or listed in envAllow are visible. */
  env: Record<string, string | undefined>;
  envAllow: string[];
  /**
   * The relation a ref resolves to, as `database.schema.identifier` for the target, or undefined when
   * no such node exists. `fromPackage` is the package of the node being rendered.
   */
  resolveRef(ref: RefCall, fromPackage: string): string | undefined;
  resolveSource(source: string, table: string, fromPackage: string): string | undefined;
  /** Columns declared in YAML for a relation (used by star when no warehouse is known). */
  declaredColumns?(relation: string): RelationColumn[] | undefined;
  metadata?: MetadataLookup;
  /** `run_started_at`; fixed in tests so output is deterministic. */
  runStartedAt?: Date;
  /** Bounds on one top-level render; PR authors control the templates (time is bounded by the sandbox's host). */
  limits?: RenderLimits;
  /**
   * Called before each top-level render with the node's unique id (or `file:<path>` for a value),
   * so a supervising process can tell which template was running if this one dies.
   */
  onRenderStart?(key: string): void;
  onRenderEnd?(): void;
  /** Nodes not to render at all, with the reason (they stopped an earlier render process). */
  skip?: ReadonlyMap<string, string>;
}

export interface RenderLimits {
  /** Length of one rendered result, in characters. */
  maxOutputChars?: number;
}

/** What the node being rendered looks like to Jinja (`this`, `model`, config.get). */
export interface RenderTarget {
  unique_id: string;
  name: string;
  package_name: string;
  resource_type: string;
  original_file_path: string;
  /** `this`: the node's own relation name (database.schema.identifier) and its parts. */
  database: string | null;
  schema: string;
  alias: string;
  /** Config known before rendering (folder configs + YAML), visible through config.get(). */
  config: Record<string, unknown>;
}

export interface RenderRequest {
  node: RenderTarget;
  /** Jinja-SQL source (raw_code). */
  template: string;
  /** `parse`: ref/source return placeholders, execute=false. `compile`: real relations, execute=true. */
  mode: 'parse' | 'compile';
  /** What is_incremental() returns (false unless asked). */
  isIncremental?: boolean;
}

export interface RenderOutcome {
  /** Rendered SQL; null when rendering failed. */
  sql: string | null;
  refs: RefCall[];
  sources: SourceCall[];
  /** Config set by `{{ config(...) }}`, merged in call order. */
  config: Record<string, unknown>;
  /** Unique ids of the macros the template called, directly or through other macros. */
  macros: string[];
  /** Things the user should know that are not errors (placeholders, unsupported features). */
  notes: string[];
  metadata_requests: MetadataRequest[];
  /** Why rendering failed: the Jinja error and its 1-based line in the template. */
  error?: { message: string; line?: number };
}

export interface Renderer {
  render(request: RenderRequest): RenderOutcome;
  /**
   * Renders a config or YAML value that may hold Jinja (`"{{ var('x_enabled', true) }}"`).
   * Non-string values pass through; a string that renders to `true`/`false`/a number is converted
   * as dbt does for config values.
   */
  renderValue(value: unknown, context?: { package_name?: string }): unknown;
}

/** What `ref()`, `source()` and `this` return in Jinja: prints as the quoted/plain relation name. */
export interface RelationRef {
  database: string | null;
  schema: string;
  identifier: string;
  /** The unique id it points at, when known. */
  unique_id?: string;
  toString(): string;
}

/**
 * What a natively implemented macro (src/dbt/render/builtins/) can ask of the renderer.
 * Builtins are used only where no package source defines the macro (a project that ships
 * dbt_packages/dbt_utils renders the real Jinja instead).
 */
export interface BuiltinEnv {
  /** target.type: `duckdb`, `snowflake`, … */
  adapterType: string;
  /** Columns of a relation: warehouse metadata first, then YAML-declared columns; undefined if unknown. */
  columns(relation: RelationRef | string): RelationColumn[] | undefined;
  columnValues(relation: RelationRef | string, column: string, options: { where?: string; orderBy?: string; maxRecords?: number }): unknown[] | undefined;
  note(message: string): void;
  request(request: MetadataRequest): void;
  /** `var(name)` as the rendered node sees it; undefined when unset (e.g. surrogate_key_treat_nulls_as_empty_strings). */
  var?(name: string): unknown;
  /** A prefetched `run_query` result, keyed by exact SQL (as MetadataLookup.queryResult). */
  queryResult?(sql: string): { columns: string[]; rows: unknown[][] } | undefined;
}

/** A builtin macro. Positional and keyword arguments arrive separately, as Jinja passed them. */
export type BuiltinMacro = (env: BuiltinEnv, args: unknown[], kwargs: Record<string, unknown>) => unknown;
