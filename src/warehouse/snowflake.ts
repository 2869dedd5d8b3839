/**
 * The Snowflake adapter (snowflake-sdk). Every statement is tagged with a JSON query tag, runs
 * with MULTI_STATEMENT_COUNT=1 (so one request can never smuggle a second statement) and under a
 * timeout; the session is closed on every path.
 */
import snowflake from 'snowflake-sdk';
import { assertReadOnlySelect } from '../sql/readonly.js';
import { dialectFor, splitRelation } from './dialect.js';
import { loadCsvStatements } from './snowflake-csv.js';
import type { SnowflakeSettings } from './snowflake-settings.js';
import { bigintToPlain } from './values.js';
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

const dialect = dialectFor('snowflake');

// The driver probes cloud metadata endpoints at login to report its platform; a review bot gains
// nothing from that and it costs a timeout outside the cloud.
process.env.SNOWFLAKE_DISABLE_PLATFORM_DETECTION ??= 'true';
let configured = false;
function configureDriver(): void {
  if (configured) return;
  configured = true;
  // The driver's default logger writes snowflake.log into the working directory; every error it
  // would log reaches the caller as a WarehouseError instead.
  const quiet = () => undefined;
  snowflake.configure({ customLogger: { error: quiet, warn: quiet, info: quiet, debug: quiet, trace: quiet } });
}

/** Snowflake error codes the adapter reacts to. */
const CODES = {
  timeout: new Set(['000630', '000604']),
  notFound: new Set(['002003', '002043', '002040']),
};

interface Executed {
  rows: Record<string, unknown>[];
  columns: snowflake.Column[];
  queryId?: string;
  elapsedMs: number;
}

interface ExecOptions extends QueryOptions {
  describeOnly?: boolean;
}

function errorCode(err: unknown): string | undefined {
  if (typeof err === 'object' && err !== null && 'code' in err) {
    const code = (err as { code: unknown }).code;
    if (typeof code === 'string' || typeof code === 'number') return String(code);
  }
  return undefined;
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * Snowflake splits its messages over lines, the reason last ("SQL compilation error: error line 1
 * at position 7\ninvalid identifier 'X'"); callers show one line, so the lines are joined.
 */
function oneLine(message: string): string {
  return message
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean)
    .reduce((acc, line) => (!acc ? line : /[:.]$/.test(acc) ? `${acc} ${line}` : `${acc}: ${line}`), '');
}

/** Maps a driver error to a WarehouseError whose code callers can act on. */
export function mapSnowflakeError(err: unknown, sql?: string): WarehouseError {
  if (err instanceof WarehouseError) return err;
  const code = errorCode(err);
  const message = oneLine(errorMessage(err));
  if (code && CODES.timeout.has(code)) return new WarehouseError(`statement timed out: ${message}`, 'timeout', sql);
  if (code && CODES.notFound.has(code) || /does not exist or not authorized/i.test(message)) {
    return new WarehouseError(message, 'not_found', sql);
  }
  // Driver-side network and HTTP failures have 4xxxxx codes; GS authentication failures 390xxx.
  if (code && (/^40[0-9]{4}$/.test(code) || /^390[0-9]{3}$/.test(code))) {
    return new WarehouseError(`Snowflake connection failed: ${message}`, 'connection', sql);
  }
  return new WarehouseError(message, 'query', sql);
}

/** Driver values to the same plain JS the DuckDB adapter returns. */
function toPlain(value: unknown, column: snowflake.Column): unknown {
  if (value === null || value === undefined) return null;
  const type = column.getType().toLowerCase();
  if (typeof value === 'string' && (type === 'fixed' || type === 'real' || type === 'decfloat')) {
    if (/^-?\d+$/.test(value)) return bigintToPlain(BigInt(value));
    return Number(value);
  }
  if (value instanceof Date) {
    if (type === 'date') return value.toISOString().slice(0, 10);
    const iso = value.toISOString().replace(/\.000Z$/, 'Z');
    return type === 'timestamp_ntz' ? iso.replace(/Z$/, '') : iso;
  }
  return value;
}

/** The engine's type name from the result column, e.g. NUMBER(18,2), VARCHAR, TIMESTAMP_NTZ. */
function snowflakeTypeName(column: snowflake.Column): string {
  const type = column.getType().toLowerCase();
  switch (type) {
    case 'fixed':
      return `NUMBER(${column.getPrecision() ?? 38},${column.getScale() ?? 0})`;
    case 'real':
      return 'FLOAT';
    case 'text':
      return 'VARCHAR';
    default:
      return type.toUpperCase();
  }
}

export class SnowflakeWarehouse implements Warehouse {
  readonly type = 'snowflake' as const;
  readonly database: string;
  private connection: snowflake.Connection | null = null;
  private connecting: Promise<snowflake.Connection> | null = null;
  private closed = false;
  /** The tag the session currently carries (as last set by ALTER SESSION). */
  private sessionTag: string | null = null;
  /** Statements run one at a time: the session tag is per session, so interleaving would mis-tag. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly settings: SnowflakeSettings) {
    this.database = settings.database;
  }

  /** The scratch schema holding temporary tables. */
  get scratchSchema(): string {
    return this.settings.schema;
  }

  async connect(): Promise<void> {
    await this.conn();
  }

  private conn(): Promise<snowflake.Connection> {
    if (this.closed) return Promise.reject(new WarehouseError('the Snowflake warehouse is closed', 'closed'));
    if (this.connection) return Promise.resolve(this.connection);
    this.connecting ??= this.open().catch((err: unknown) => {
      this.connecting = null;
      throw err;
    });
    return this.connecting;
  }

  private async open(): Promise<snowflake.Connection> {
    configureDriver();
    const s = this.settings;
    const keyPair = Boolean(s.privateKey || s.privateKeyPath);
    let connection: snowflake.Connection;
    try {
      connection = snowflake.createConnection({
        account: s.account,
        username: s.username,
        role: s.role,
        warehouse: s.warehouse,
        database: s.database,
        schema: s.schema,
        ...(s.accessUrl ? { accessUrl: s.accessUrl } : {}),
        ...(keyPair
          ? {
              authenticator: 'SNOWFLAKE_JWT',
              ...(s.privateKey ? { privateKey: s.privateKey } : { privateKeyPath: s.privateKeyPath }),
              ...(s.privateKeyPassphrase ? { privateKeyPass: s.privateKeyPassphrase } : {}),
            }
          : { password: s.password }),
        application: 'impact-review',
        // With fetchAsString (numbers arrive as exact text), the driver's default would turn a
        // NULL number into the string 'NULL'.
        representNullAsStringNull: false,
        clientSessionKeepAlive: false,
        sfRetryMaxLoginRetries: 2,
      });
    } catch (err) {
      throw new WarehouseError(`invalid Snowflake settings: ${errorMessage(err)}`, 'config');
    }
    try {
      // connectAsync resolves even when login fails; the error only reaches the callback.
      await new Promise<void>((resolve, reject) => {
        connection.connectAsync((err) => (err ? reject(err) : resolve())).catch(reject);
      });
    } catch (err) {
      await destroy(connection);
      const who = `${s.username}@${s.account}${s.accessUrl ? ` (${s.accessUrl})` : ''}`;
      throw new WarehouseError(`cannot connect to Snowflake as ${who}: ${errorMessage(err)}`, 'connection');
    }
    this.connection = connection;
    try {
      if (s.statementTimeoutSeconds) {
        await this.execute(connection, `ALTER SESSION SET STATEMENT_TIMEOUT_IN_SECONDS = ${s.statementTimeoutSeconds}`, {
          purpose: 'session',
        });
      }
    } catch (err) {
      this.connection = null;
      await destroy(connection);
      throw mapSnowflakeError(err);
    }
    return connection;
  }

  private tagFor(purpose: string | undefined): string {
    const tag: QueryTag = { app: 'impact-review', ...this.settings.tagContext, purpose: purpose ?? 'query' };
    return JSON.stringify(tag);
  }

  /** Runs one statement on the connection: tag, single-statement guard, timeout. */
  private async execute(connection: snowflake.Connection, sql: string, options: ExecOptions = {}): Promise<Executed> {
    const tag = this.tagFor(options.purpose);
    if (tag !== this.sessionTag) {
      // Set per statement rather than as a connection-level queryTag, which would pin one tag.
      await this.raw(connection, `ALTER SESSION SET QUERY_TAG = ${dialect.stringLiteral(tag)}`, {});
      this.sessionTag = tag;
    }
    return this.raw(connection, sql, options);
  }

  private raw(connection: snowflake.Connection, sql: string, options: ExecOptions): Promise<Executed> {
    const timeout = options.timeoutSeconds ?? this.settings.statementTimeoutSeconds;
    const started = performance.now();
    return new Promise<Executed>((resolve, reject) => {
      let timer: NodeJS.Timeout | null = null;
      let timedOut = false;
      const statement = connection.execute({
        sqlText: sql,
        binds: (options.params ?? []).map(toBind) as snowflake.Binds,
        parameters: { MULTI_STATEMENT_COUNT: 1 },
        fetchAsString: ['Number'],
        describeOnly: options.describeOnly,
        complete: (err, stmt, rows) => {
          if (timer) clearTimeout(timer);
          if (timedOut) return;
          if (err) {
            reject(mapSnowflakeError(err, sql));
            return;
          }
          const columns = stmt.getColumns() ?? [];
          const plain = (rows ?? []).map((row: Record<string, unknown>) => {
            const out: Record<string, unknown> = {};
            for (const column of columns) out[column.getName()] = toPlain(row[column.getName()], column);
            return out;
          });
          resolve({ rows: plain, columns, queryId: stmt.getQueryId(), elapsedMs: performance.now() - started });
        },
      });
      if (timeout && timeout > 0) {
        // The server enforces the session timeout; this timer covers per-call overrides and a
        // server that does not answer.
        const grace = options.timeoutSeconds !== undefined ? 0 : 5;
        timer = setTimeout(() => {
          timedOut = true;
          statement.cancel(() => undefined);
          // Past the server's own timeout and its grace, silence means a lost connection as often as a slow query.
          const message = grace
            ? `Snowflake did not answer within ${timeout + grace}s (the connection may have dropped); the statement was cancelled`
            : `statement timed out after ${timeout}s and was cancelled`;
          reject(new WarehouseError(message, 'timeout', sql));
        }, (timeout + grace) * 1000);
      }
    });
  }

  /** Serialises statements on the one session. */
  private run(sql: string, options: ExecOptions = {}): Promise<Executed> {
    const next = this.queue.then(async () => this.execute(await this.conn(), sql, options));
    this.queue = next.catch(() => undefined);
    return next;
  }

  async query<Row = Record<string, unknown>>(sql: string, options: QueryOptions = {}): Promise<QueryResult<Row>> {
    const result = await this.run(sql, options);
    return {
      columns: result.columns.map((c) => ({ name: c.getName(), type: snowflakeTypeName(c) })),
      rows: result.rows as Row[],
      stats: { elapsedMs: result.elapsedMs, queryId: result.queryId, rowsProduced: result.rows.length },
    };
  }

  async describe(relation: string): Promise<ColumnType[]> {
    try {
      // describeOnly compiles the statement and returns its columns without running it.
      const result = await this.run(`SELECT * FROM ${relation}`, { purpose: 'describe', describeOnly: true });
      return result.columns.map((c) => {
        const type = snowflakeTypeName(c);
        return { name: c.getName(), type, kind: dialect.kindOfType(type) };
      });
    } catch (err) {
      if (err instanceof WarehouseError && err.code === 'not_found') {
        throw new WarehouseError(`relation ${relation} does not exist or is not authorized`, 'not_found', err.sql);
      }
      throw err;
    }
  }

  async createTempTable(name: string, select: string, options: QueryOptions = {}): Promise<TempTableResult> {
    assertReadOnlySelect(select, 'snowflake');
    const relation = dialect.qualify(this.settings.database, this.settings.schema, name);
    const result = await this.run(dialect.tempTableSql(relation, select), { purpose: 'build', ...options });
    return { relation, elapsedMs: result.elapsedMs, queryId: result.queryId };
  }

  async explain(select: string, options: QueryOptions = {}): Promise<ExplainResult> {
    assertReadOnlySelect(select, 'snowflake');
    const result = await this.run(`EXPLAIN USING JSON ${select}`, { purpose: 'explain', ...options });
    const text = String(Object.values(result.rows[0] ?? {})[0] ?? '');
    return parseExplainJson(text);
  }

  async materialize(relation: string, select: string, kind: 'table' | 'view', options: QueryOptions = {}): Promise<QueryStats> {
    await this.ensureSchemaOf(relation);
    // CREATE OR REPLACE will not change an object's kind; drop the other kind first.
    await this.run(`DROP ${kind === 'table' ? 'VIEW' : 'TABLE'} IF EXISTS ${relation}`, { purpose: 'build' }).catch(
      () => undefined,
    );
    const result = await this.run(`CREATE OR REPLACE ${kind.toUpperCase()} ${relation} AS\n${select}`, {
      purpose: 'build',
      ...options,
    });
    return { elapsedMs: result.elapsedMs, queryId: result.queryId };
  }

  async loadCsv(relation: string, csvPath: string, options: QueryOptions = {}): Promise<QueryStats> {
    await this.ensureSchemaOf(relation);
    let elapsedMs = 0;
    for (const statement of await loadCsvStatements(relation, csvPath)) {
      const result = await this.run(statement.sql, { purpose: 'seed', ...options, params: statement.params });
      elapsedMs += result.elapsedMs;
    }
    return { elapsedMs };
  }

  private async ensureSchemaOf(relation: string): Promise<void> {
    const parts = splitRelation(relation);
    if (parts.length === 3) await this.ensureSchema(parts[0], parts[1]);
    else if (parts.length === 2) await this.ensureSchema(this.settings.database, parts[0]);
  }

  async ensureSchema(database: string | null, schemaName: string): Promise<void> {
    await this.run(`CREATE SCHEMA IF NOT EXISTS ${dialect.qualify(database ?? this.settings.database, schemaName)}`, {
      purpose: 'build',
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const connection = this.connection ?? (this.connecting ? await this.connecting.catch(() => null) : null);
    this.connection = null;
    if (connection) {
      await this.queue.catch(() => undefined);
      await destroy(connection);
    }
  }
}

function toBind(value: unknown): snowflake.Bind {
  if (value === undefined || value === null) return null as unknown as snowflake.Bind;
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  if (value instanceof Date) return value.toISOString();
  return JSON.stringify(value);
}

/** Destroys a driver connection, never throwing: closing is best-effort on every path. */
function destroy(connection: snowflake.Connection): Promise<void> {
  return new Promise((resolve) => {
    try {
      connection.destroy(() => resolve());
    } catch {
      resolve();
    }
  });
}

/** Reads `EXPLAIN USING JSON` output: GlobalStats carries the partition and byte estimates. */
export function parseExplainJson(text: string): ExplainResult {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { plan: text };
  }
  const stats =
    typeof parsed === 'object' && parsed !== null && 'GlobalStats' in parsed
      ? (parsed as { GlobalStats: Record<string, unknown> }).GlobalStats
      : {};
  const num = (v: unknown) => (typeof v === 'number' ? v : typeof v === 'string' && v !== '' ? Number(v) : undefined);
  return {
    plan: text,
    bytes: num(stats.bytesAssigned),
    partitionsTotal: num(stats.partitionsTotal),
    partitionsAssigned: num(stats.partitionsAssigned),
  };
}
