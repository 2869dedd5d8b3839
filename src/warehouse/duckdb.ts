/**
 * The embedded DuckDB adapter (@duckdb/node-api): the demo and test warehouse, and the engine
 * behind the fake Snowflake endpoint.
 */
import { basename } from 'node:path';
import {
  DuckDBConnection,
  DuckDBDateValue,
  DuckDBDecimalValue,
  DuckDBInstance,
  DuckDBTimestampTZValue,
  DuckDBTypeId,
  type DuckDBType,
  type DuckDBValue,
} from '@duckdb/node-api';
import { assertReadOnlySelect } from '../sql/readonly.js';
import { dialectFor, splitRelation } from './dialect.js';
import { bigintToPlain, timestampTextToIso } from './values.js';
import {
  WarehouseError,
  type ColumnType,
  type ExplainResult,
  type QueryOptions,
  type QueryResult,
  type QueryStats,
  type QueryTag,
  type TempTableResult,
  type Warehouse,
} from './warehouse.js';

/**
 * Database settings a `duckdb:` URL may carry as query parameters, applied when the database
 * opens (`duckdb:prod.db?memory_limit=512MB&threads=2`). DuckDB runs inside this process, so its
 * buffers are this process's memory: `memory_limit` caps them (what does not fit spills to
 * `temp_directory`, by default `<file>.tmp`, or `.tmp` for `:memory:`), which keeps the process's
 * footprint independent of table size.
 */
export const DUCKDB_SETTINGS = ['memory_limit', 'threads', 'temp_directory', 'max_temp_directory_size'] as const;
export type DuckDbSettingName = (typeof DUCKDB_SETTINGS)[number];
export type DuckDbSettings = Partial<Record<DuckDbSettingName, string>>;

export interface DuckDbOptions {
  /** A file path, or `:memory:`. */
  path: string;
  /** Default statement timeout; DuckDB has none of its own, so the adapter interrupts. */
  statementTimeoutSeconds?: number;
  /** Repository context copied into every query tag. */
  tagContext?: Omit<QueryTag, 'app' | 'purpose'>;
  /** Database settings (see `DUCKDB_SETTINGS`); DuckDB's defaults for the rest. */
  settings?: DuckDbSettings;
}

const SIZE = /^\d+(\.\d+)?\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)$/i;

function checkSetting(name: string, value: string): DuckDbSettingName {
  if (!(DUCKDB_SETTINGS as readonly string[]).includes(name)) {
    throw new WarehouseError(`unknown DuckDB setting "${name}" in the warehouse URL; allowed: ${DUCKDB_SETTINGS.join(', ')}`, 'config');
  }
  const ok =
    name === 'threads' ? /^[1-9]\d*$/.test(value) : name === 'temp_directory' ? value.trim().length > 0 : SIZE.test(value.trim());
  if (!ok) {
    const expected = name === 'threads' ? 'a positive integer' : name === 'temp_directory' ? 'a directory' : 'a size such as 512MB or 2GB';
    throw new WarehouseError(`DuckDB setting ${name}=${value} is not valid: expected ${expected}`, 'config');
  }
  return name as DuckDbSettingName;
}

/**
 * Splits what follows `duckdb:` into the database path and its settings:
 * `prod.db?memory_limit=512MB` → `{ path: 'prod.db', settings: { memory_limit: '512MB' } }`.
 */
export function parseDuckDbTarget(target: string): { path: string; settings: DuckDbSettings } {
  const q = target.indexOf('?');
  const path = q < 0 ? target : target.slice(0, q);
  const settings: DuckDbSettings = {};
  if (q >= 0) {
    for (const [name, value] of new URLSearchParams(target.slice(q + 1))) settings[checkSetting(name, value)] = value.trim();
  }
  return { path, settings };
}

const dialect = dialectFor('duckdb');

/**
 * Open database files, shared by every adapter in this process: DuckDB locks a file per
 * instance, so two adapters on the same file (base and head) must share one instance — and
 * therefore one set of settings.
 */
const instances = new Map<string, { instance: Promise<DuckDBInstance>; refs: number; settings: string }>();

const settingsKey = (settings: DuckDbSettings): string =>
  JSON.stringify(Object.entries(settings).sort(([a], [b]) => a.localeCompare(b)));

async function acquireInstance(path: string, settings: DuckDbSettings): Promise<DuckDBInstance> {
  const config = settings as Record<string, string>;
  if (path === ':memory:') return DuckDBInstance.create(':memory:', config);
  let entry = instances.get(path);
  if (entry && entry.settings !== settingsKey(settings)) {
    throw new WarehouseError(`DuckDB database ${path} is already open in this process with other settings (${entry.settings})`, 'config');
  }
  if (!entry) {
    entry = { instance: DuckDBInstance.create(path, config), refs: 0, settings: settingsKey(settings) };
    instances.set(path, entry);
    entry.instance.catch(() => instances.delete(path));
  }
  entry.refs++;
  return entry.instance;
}

function releaseInstance(path: string, instance: DuckDBInstance): void {
  if (path === ':memory:') {
    instance.closeSync();
    return;
  }
  const entry = instances.get(path);
  if (!entry) return;
  entry.refs--;
  if (entry.refs <= 0) {
    instances.delete(path);
    instance.closeSync();
  }
}

/** Converts a DuckDB value to plain JS: numbers, strings, booleans, ISO dates, arrays, objects. */
export function duckValueToPlain(value: DuckDBValue): unknown {
  if (value === null || typeof value === 'boolean' || typeof value === 'number' || typeof value === 'string') return value;
  if (typeof value === 'bigint') return bigintToPlain(value);
  if (value instanceof DuckDBDecimalValue) return value.toDouble();
  if (value instanceof DuckDBDateValue) return value.toString();
  if (value instanceof DuckDBTimestampTZValue) {
    // `2024-01-02 03:04:05+00` → `2024-01-02T03:04:05+00:00`
    return timestampTextToIso(value.toString()).replace(/([+-]\d{2})$/, '$1:00');
  }
  if ('items' in value && Array.isArray(value.items)) {
    return (value.items as DuckDBValue[]).map((item) => duckValueToPlain(item));
  }
  if ('entries' in value && !Array.isArray(value.entries) && typeof value.entries === 'object' && value.entries !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value.entries as Record<string, DuckDBValue>)) out[k] = duckValueToPlain(v);
    return out;
  }
  const text = value.toString();
  // Timestamps of every precision print as `YYYY-MM-DD HH:MM:SS[.fff]`.
  return /^-?\d{4,}-\d{2}-\d{2} \d{2}:\d{2}/.test(text) ? timestampTextToIso(text) : text;
}

/** Turns our `unknown` params into values the DuckDB binder accepts. */
function toDuckParam(value: unknown): DuckDBValue {
  if (value === undefined || value === null) return null;
  if (typeof value === 'boolean' || typeof value === 'string' || typeof value === 'bigint') return value;
  if (typeof value === 'number') return value;
  if (value instanceof Date) return value.toISOString();
  return JSON.stringify(value);
}

function typeName(type: DuckDBType): string {
  return type.typeId === DuckDBTypeId.SQLNULL ? 'NULL' : type.toString();
}

/** DuckDB reports a missing relation as a Catalog Error; everything else is a query error. */
function mapError(err: unknown, sql: string, timedOut: boolean): WarehouseError {
  if (err instanceof WarehouseError) return err;
  const message = err instanceof Error ? err.message : String(err);
  if (timedOut || /INTERRUPT/i.test(message)) {
    return new WarehouseError(`statement timed out and was interrupted: ${firstLine(message)}`, 'timeout', sql);
  }
  const missing = /Catalog Error: (?:Table|View|Table Function|Schema|Catalog) with name "?([^"!\s]+)"? does not exist/i.exec(message);
  if (missing) return new WarehouseError(`relation ${missing[1]} does not exist`, 'not_found', sql);
  return new WarehouseError(firstLine(message), 'query', sql);
}

function firstLine(text: string): string {
  return text.split('\n')[0].trim();
}

export class DuckDbWarehouse implements Warehouse {
  readonly type = 'duckdb' as const;
  private _database: string;
  private instance: DuckDBInstance | null = null;
  private connection: DuckDBConnection | null = null;
  private connecting: Promise<DuckDBConnection> | null = null;
  private closed = false;
  /** DuckDB has no query tags; the last one is kept so tests and logs can see what ran and why. */
  lastTag: QueryTag | null = null;

  constructor(private readonly options: DuckDbOptions) {
    this._database = options.path === ':memory:' ? 'memory' : basename(options.path).replace(/\.[^.]*$/, '');
  }

  get database(): string {
    return this._database;
  }

  async connect(): Promise<void> {
    await this.conn();
  }

  private conn(): Promise<DuckDBConnection> {
    if (this.closed) return Promise.reject(new WarehouseError('the DuckDB warehouse is closed', 'closed'));
    if (this.connection) return Promise.resolve(this.connection);
    this.connecting ??= (async () => {
      try {
        const instance = await acquireInstance(this.options.path, this.options.settings ?? {});
        this.instance = instance;
        const connection = await instance.connect();
        const reader = await connection.runAndReadAll('SELECT current_database() AS db');
        const db = reader.getRowObjects()[0]?.db;
        if (typeof db === 'string') this._database = db;
        this.connection = connection;
        return connection;
      } catch (err) {
        this.connecting = null;
        if (this.instance) releaseInstance(this.options.path, this.instance);
        this.instance = null;
        if (err instanceof WarehouseError) throw err;
        const message = err instanceof Error ? err.message : String(err);
        throw new WarehouseError(`cannot open DuckDB database ${this.options.path}: ${firstLine(message)}`, 'connection');
      }
    })();
    return this.connecting;
  }

  private tag(purpose: string | undefined): void {
    this.lastTag = { app: 'impact-review', ...this.options.tagContext, purpose: purpose ?? 'query' };
  }

  /** Runs one statement with the timeout applied, returning DuckDB's materialized result. */
  private async run(sql: string, options: QueryOptions = {}) {
    const connection = await this.conn();
    this.tag(options.purpose);
    const timeout = options.timeoutSeconds ?? this.options.statementTimeoutSeconds;
    let timedOut = false;
    const timer =
      timeout && timeout > 0
        ? setTimeout(() => {
            timedOut = true;
            connection.interrupt();
          }, timeout * 1000)
        : null;
    const started = performance.now();
    try {
      const reader = await connection.runAndReadAll(sql, (options.params ?? []).map(toDuckParam));
      return { reader, elapsedMs: performance.now() - started };
    } catch (err) {
      throw mapError(err, sql, timedOut);
    } finally {
      if (timer) clearTimeout(timer);
    }
  }

  async query<Row = Record<string, unknown>>(sql: string, options: QueryOptions = {}): Promise<QueryResult<Row>> {
    const { reader, elapsedMs } = await this.run(sql, options);
    const names = reader.columnNames();
    const types = reader.columnTypes();
    const rows = reader.getRows().map((values) => {
      const row: Record<string, unknown> = {};
      names.forEach((name, i) => {
        row[name] = duckValueToPlain(values[i]);
      });
      return row as Row;
    });
    return {
      columns: names.map((name, i) => ({ name, type: typeName(types[i]) })),
      rows,
      stats: { elapsedMs, rowsProduced: rows.length },
    };
  }

  async describe(relation: string): Promise<ColumnType[]> {
    try {
      const result = await this.query<{ column_name: string; column_type: string }>(`DESCRIBE ${relation}`, {
        purpose: 'describe',
      });
      return result.rows.map((r) => ({ name: r.column_name, type: r.column_type, kind: dialect.kindOfType(r.column_type) }));
    } catch (err) {
      if (err instanceof WarehouseError && (err.code === 'not_found' || /does not exist/i.test(err.message))) {
        throw new WarehouseError(`relation ${relation} does not exist`, 'not_found', err.sql);
      }
      throw err;
    }
  }

  async createTempTable(name: string, select: string, options: QueryOptions = {}): Promise<TempTableResult> {
    assertReadOnlySelect(select, 'duckdb');
    const sql = dialect.tempTableSql(dialect.quoteIdent(name), select);
    const { elapsedMs } = await this.run(sql, { purpose: 'build', ...options });
    // Temporary tables live in the `temp` catalog, whatever the database file is called.
    return { relation: dialect.qualify('temp', 'main', name), elapsedMs };
  }

  async explain(select: string, options: QueryOptions = {}): Promise<ExplainResult> {
    assertReadOnlySelect(select, 'duckdb');
    const { reader } = await this.run(`EXPLAIN ${select}`, { purpose: 'explain', ...options });
    const plan = reader
      .getRowObjects()
      .map((r) => String(r.explain_value ?? ''))
      .join('\n');
    // The top operator's cardinality estimate ("~1,000 rows") is the statement's row estimate.
    const estimate = /~([\d,]+) rows?/.exec(plan);
    return { plan, rows: estimate ? Number(estimate[1].replace(/,/g, '')) : undefined };
  }

  private async ensureSchemaOf(relation: string): Promise<void> {
    const parts = splitRelation(relation);
    if (parts.length === 3) await this.ensureSchema(parts[0], parts[1]);
    else if (parts.length === 2) await this.ensureSchema(null, parts[0]);
  }

  async materialize(relation: string, select: string, kind: 'table' | 'view', options: QueryOptions = {}): Promise<QueryStats> {
    await this.ensureSchemaOf(relation);
    // A relation that changes kind must be dropped first: DuckDB will not replace a view by a table.
    const other = kind === 'table' ? 'VIEW' : 'TABLE';
    await this.run(`DROP ${other} IF EXISTS ${relation}`, { purpose: 'build' }).catch(() => undefined);
    const { elapsedMs } = await this.run(`CREATE OR REPLACE ${kind.toUpperCase()} ${relation} AS\n${select}`, {
      purpose: 'build',
      ...options,
    });
    return { elapsedMs };
  }

  async loadCsv(relation: string, csvPath: string, options: QueryOptions = {}): Promise<QueryStats> {
    await this.ensureSchemaOf(relation);
    await this.run(`DROP VIEW IF EXISTS ${relation}`, { purpose: 'seed' }).catch(() => undefined);
    const { elapsedMs } = await this.run(
      `CREATE OR REPLACE TABLE ${relation} AS SELECT * FROM read_csv(${dialect.stringLiteral(csvPath)}, header = true, auto_detect = true)`,
      { purpose: 'seed', ...options },
    );
    return { elapsedMs };
  }

  async ensureSchema(database: string | null, schema: string): Promise<void> {
    await this.run(`CREATE SCHEMA IF NOT EXISTS ${dialect.qualify(database, schema)}`, { purpose: 'build' });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.connecting) await this.connecting.catch(() => undefined);
    this.connection?.closeSync();
    this.connection = null;
    if (this.instance) releaseInstance(this.options.path, this.instance);
    this.instance = null;
  }
}
