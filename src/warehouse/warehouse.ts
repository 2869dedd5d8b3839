/**
 * The Warehouse port: the only way any module talks to a database. One adapter per engine
 * (duckdb.ts, snowflake.ts); every dialect difference lives in dialect.ts.
 */

export type WarehouseType = 'duckdb' | 'snowflake';

/** What a column's type means for profiling and diffing. */
export type ColumnKind = 'number' | 'string' | 'boolean' | 'date' | 'timestamp' | 'time' | 'binary' | 'json' | 'other';

export interface ColumnType {
  name: string;
  /** The engine's type name, as it reports it (e.g. `DECIMAL(18,2)`, `NUMBER(38,0)`, `VARCHAR`). */
  type: string;
  kind: ColumnKind;
}

/** The JSON query tag every statement carries: who ran it and why. */
export interface QueryTag {
  app: 'impact-review';
  repo?: string;
  pr?: number;
  sha?: string;
  purpose: string;
}

export interface QueryOptions {
  /** Bound parameters for `?` placeholders. */
  params?: unknown[];
  /** Why this statement runs (`profile`, `values`, `build`, …); becomes the query tag's purpose. */
  purpose?: string;
  /** Overrides the connection's statement timeout. */
  timeoutSeconds?: number;
}

export interface QueryStats {
  elapsedMs: number;
  queryId?: string;
  bytesScanned?: number;
  rowsProduced?: number;
}

export interface QueryResult<Row = Record<string, unknown>> {
  columns: { name: string; type: string }[];
  rows: Row[];
  stats: QueryStats;
}

export interface ExplainResult {
  /** Estimated bytes the statement would scan, when the engine says. */
  bytes?: number;
  /** Estimated rows, when the engine says. */
  rows?: number;
  /** Number of partitions (Snowflake), when known. */
  partitionsTotal?: number;
  partitionsAssigned?: number;
  plan: string;
}

export interface TempTableResult {
  /** The fully qualified name the temporary table can be queried by. */
  relation: string;
  elapsedMs: number;
  queryId?: string;
}

/** Thrown for anything the warehouse refused or could not do; `code` lets callers react. */
export class WarehouseError extends Error {
  constructor(
    message: string,
    readonly code:
      | 'connection'
      | 'timeout'
      | 'not_found'
      | 'refused_statement'
      | 'query'
      | 'config'
      | 'closed',
    readonly sql?: string,
  ) {
    super(message);
    this.name = 'WarehouseError';
  }
}

export interface Warehouse {
  readonly type: WarehouseType;
  /** Database name used for relations that do not name one (DuckDB: the catalog, Snowflake: DATABASE). */
  readonly database: string;
  connect(): Promise<void>;
  /** Runs one statement. Read-only callers must use SELECT/WITH; the guard in readonly.ts is applied by callers that run PR SQL. */
  query<Row = Record<string, unknown>>(sql: string, options?: QueryOptions): Promise<QueryResult<Row>>;
  /** Columns and types of a table or view; WarehouseError('not_found') if it does not exist. */
  describe(relation: string): Promise<ColumnType[]>;
  /** Creates a session-scoped temporary table from one SELECT/WITH statement (checked before it is sent). */
  createTempTable(name: string, select: string, options?: QueryOptions): Promise<TempTableResult>;
  explain(select: string, options?: QueryOptions): Promise<ExplainResult>;
  /**
   * Materialises a relation permanently (`impact-review build` creating "production" for the demo and
   * tests). Never used on the PR path.
   */
  materialize(relation: string, select: string, kind: 'table' | 'view', options?: QueryOptions): Promise<QueryStats>;
  /** Loads a seed CSV into a permanent table (build only). */
  loadCsv(relation: string, csvPath: string, options?: QueryOptions): Promise<QueryStats>;
  /** Creates a schema if missing (build only). */
  ensureSchema(database: string | null, schema: string): Promise<void>;
  close(): Promise<void>;
}
