/**
 * A local stand-in for Snowflake that the real snowflake-sdk driver talks to (accessUrl
 * `http://127.0.0.1:<port>`): login (password or key-pair JWT), query requests with binds and
 * statement parameters, ALTER SESSION (QUERY_TAG, STATEMENT_TIMEOUT_IN_SECONDS), the
 * MULTI_STATEMENT_COUNT check, describeOnly, abort, heartbeat and logout. SQL runs on an
 * in-memory DuckDB with the configured database attached: the Snowflake SQL the app sends is
 * translated by fake-snowflake/sql.ts (identifiers folded to upper case, Snowflake functions as
 * DuckDB macros), and identifiers resolve case-sensitively the way Snowflake's do.
 *
 * Every request is recorded for assertions, and failures can be injected per statement.
 */
import { createHash, createPublicKey, randomUUID, verify, type KeyObject } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { DuckDBConnection, DuckDBInstance, type DuckDBValue } from '@duckdb/node-api';
import { encodeValue, rowTypeOf, textRowType } from './fake-snowflake/result.js';
import {
  foldIdentifiers,
  identifierCaseProblem,
  parseAlterSession,
  SNOWFLAKE_MACROS,
  splitStatements,
  statementTypeId,
  tempTableName,
  toDuckDb,
} from './fake-snowflake/sql.js';

export interface RecordedRequest {
  kind: 'login' | 'query' | 'abort' | 'logout' | 'heartbeat' | 'telemetry' | 'other';
  method: string;
  path: string;
  sessionId?: number;
  body?: unknown;
  /** Query requests: the statement text, bindings, parameters and the session's tag when it ran. */
  sql?: string;
  bindings?: Record<string, { type: string; value: unknown }>;
  parameters?: Record<string, unknown>;
  tag?: string;
  describeOnly?: boolean;
}

export interface InjectedFailure {
  /** Which statements: a substring or pattern of the SQL text. */
  match: string | RegExp;
  /** Respond with this Snowflake error. */
  error?: { code: string; message: string; sqlState?: string };
  /** Wait this long before answering (the session's STATEMENT_TIMEOUT_IN_SECONDS still applies). */
  delayMs?: number;
  /** Destroy the socket instead of answering. */
  drop?: boolean;
  /** How many times the rule fires (default: always). */
  times?: number;
}

export interface FakeUser {
  password?: string;
  /** PEM public key for key-pair authentication. */
  publicKey?: string;
}

export interface FakeSnowflakeOptions {
  /** The database attached in DuckDB (default ANALYTICS, with schemas PUBLIC and SCRATCH). */
  database?: string;
  schemas?: string[];
  /** Known users; when omitted any user and password is accepted. */
  users?: Record<string, FakeUser>;
  /** Refuse every login with this error (default error 390100 when `true`). */
  refuseLogin?: boolean | { code: string; message: string };
  failures?: InjectedFailure[];
  /**
   * SQL run once at start-up to create fixtures: DuckDB syntax, with unquoted identifiers folded
   * to upper case as Snowflake would store them. The connection starts in the database's PUBLIC
   * schema (when there is one).
   */
  setup?: string[];
  /** GlobalStats returned for EXPLAIN USING JSON. */
  explainStats?: { partitionsTotal: number; partitionsAssigned: number; bytesAssigned: number };
}

interface Session {
  id: number;
  user: string;
  token: string;
  masterToken: string;
  connection: DuckDBConnection;
  params: Record<string, string | number | boolean>;
  tempTables: string[];
  pending: Map<string, () => void>;
}

export interface FakeSnowflake {
  url: string;
  port: number;
  requests: RecordedRequest[];
  /** Query requests only, in order. */
  readonly queries: RecordedRequest[];
  /** Ids of sessions that have logged in and not logged out. */
  openSessions(): number[];
  failures: InjectedFailure[];
  /** Runs SQL directly on the backing DuckDB (fixtures, assertions): DuckDB syntax, nothing folded. */
  sql(text: string): Promise<Record<string, unknown>[]>;
  close(): Promise<void>;
}

class SnowflakeFailure extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly sqlState = '42000',
  ) {
    super(message);
  }
}

function jsonReply(res: ServerResponse, body: unknown, status = 200): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

function failureBody(err: SnowflakeFailure, queryId?: string): unknown {
  return {
    success: false,
    code: err.code,
    message: err.message,
    data: { errorCode: err.code, sqlState: err.sqlState, queryId, internalError: false },
  };
}

async function readBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  let buf = Buffer.concat(chunks);
  if (buf.length === 0) return undefined;
  if (req.headers['content-encoding'] === 'gzip') buf = gunzipSync(buf);
  return JSON.parse(buf.toString('utf8'));
}

/** Checks an RS256 JWT against the user's public key, as Snowflake does for SNOWFLAKE_JWT. */
function verifyJwt(token: string, account: string, user: string, publicKeyPem: string): boolean {
  const [header, payload, signature] = token.split('.');
  if (!header || !payload || !signature) return false;
  const key: KeyObject = createPublicKey(publicKeyPem);
  const ok = verify('sha256', Buffer.from(`${header}.${payload}`), key, Buffer.from(signature, 'base64url'));
  if (!ok) return false;
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { iss?: string; sub?: string };
  const fingerprint = 'SHA256:' + createHash('sha256').update(key.export({ format: 'der', type: 'spki' })).digest('base64');
  const subject = `${account.toUpperCase()}.${user.toUpperCase()}`;
  return claims.sub === subject && claims.iss === `${subject}.${fingerprint}`;
}

export async function startFakeSnowflake(options: FakeSnowflakeOptions = {}): Promise<FakeSnowflake> {
  const database = options.database ?? 'ANALYTICS';
  const instance = await DuckDBInstance.create(':memory:');
  const admin = await instance.connect();
  await admin.run(`ATTACH ':memory:' AS "${database}"`);
  await admin.run(`USE "${database}"`);
  const schemas = options.schemas ?? ['PUBLIC', 'SCRATCH'];
  for (const schema of schemas) await admin.run(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
  if (schemas.includes('PUBLIC')) await admin.run(`USE "${database}"."PUBLIC"`);
  for (const macro of SNOWFLAKE_MACROS) await admin.run(macro);
  for (const statement of options.setup ?? []) await admin.run(foldIdentifiers(statement));

  const requests: RecordedRequest[] = [];
  const sessions = new Map<string, Session>();
  const failures = [...(options.failures ?? [])];
  let nextSessionId = 1000;
  const sockets = new Set<import('node:net').Socket>();

  function takeFailure(sql: string): InjectedFailure | undefined {
    const rule = failures.find((f) => (typeof f.match === 'string' ? sql.includes(f.match) : f.match.test(sql)));
    if (!rule) return undefined;
    if (rule.times !== undefined) {
      rule.times--;
      if (rule.times <= 0) failures.splice(failures.indexOf(rule), 1);
    }
    return rule;
  }

  function sessionOf(req: IncomingMessage): Session | undefined {
    const m = /Snowflake Token="([^"]+)"/.exec(req.headers.authorization ?? '');
    return m ? sessions.get(m[1]) : undefined;
  }

  async function login(req: IncomingMessage, res: ServerResponse, body: unknown, url: URL): Promise<void> {
    const data = ((body as { data?: Record<string, unknown> })?.data ?? {}) as Record<string, unknown>;
    const user = String(data.LOGIN_NAME ?? '');
    const account = String(data.ACCOUNT_NAME ?? '');
    requests.push({ kind: 'login', method: 'POST', path: url.pathname, body });
    if (options.refuseLogin) {
      const r = options.refuseLogin === true ? { code: '390100', message: 'Incorrect username or password was specified.' } : options.refuseLogin;
      jsonReply(res, { success: false, code: r.code, message: r.message, data: { nextAction: 'RETRY_LOGIN' } });
      return;
    }
    if (options.users) {
      const known = options.users[user];
      let ok = false;
      if (known && data.AUTHENTICATOR === 'SNOWFLAKE_JWT') {
        ok = !!known.publicKey && typeof data.TOKEN === 'string' && verifyJwt(data.TOKEN, account, user, known.publicKey);
      } else if (known) ok = known.password !== undefined && known.password === data.PASSWORD;
      if (!ok) {
        const code = data.AUTHENTICATOR === 'SNOWFLAKE_JWT' ? '390144' : '390100';
        const message = code === '390144' ? 'JWT token is invalid.' : 'Incorrect username or password was specified.';
        jsonReply(res, { success: false, code, message, data: { nextAction: 'RETRY_LOGIN' } });
        return;
      }
    }
    const id = nextSessionId++;
    const session: Session = {
      id,
      user,
      token: `session-${randomUUID()}`,
      masterToken: `master-${randomUUID()}`,
      connection: await instance.connect(),
      params: { QUERY_TAG: '', MULTI_STATEMENT_COUNT: 1, STATEMENT_TIMEOUT_IN_SECONDS: 0 },
      tempTables: [],
      pending: new Map(),
    };
    // The session's TIMEZONE parameter, as the login response reports it.
    await session.connection.run(`SET TimeZone = 'UTC'`);
    for (const macro of SNOWFLAKE_MACROS) await session.connection.run(macro);
    await session.connection.run(`USE "${database}"`);
    const schema = url.searchParams.get('schemaName');
    if (schema) await session.connection.run(`USE "${database}"."${schema}"`).catch(() => undefined);
    sessions.set(session.token, session);
    requests[requests.length - 1].sessionId = id;
    jsonReply(res, {
      success: true,
      code: null,
      message: null,
      data: {
        token: session.token,
        masterToken: session.masterToken,
        validityInSeconds: 3600,
        masterValidityInSeconds: 14400,
        sessionId: id,
        displayUserName: user,
        serverVersion: '9.0.0-fake',
        parameters: [
          { name: 'TIMEZONE', value: 'UTC' },
          { name: 'CLIENT_SESSION_KEEP_ALIVE', value: false },
          { name: 'QUERY_CONTEXT_CACHE_SIZE', value: 5 },
        ],
        sessionInfo: {
          databaseName: database,
          schemaName: schema,
          warehouseName: url.searchParams.get('warehouse'),
          roleName: url.searchParams.get('roleName') ?? 'PUBLIC',
        },
      },
    });
  }

  /**
   * Refuses an identifier whose exact spelling names nothing while another spelling does: DuckDB
   * would resolve it, Snowflake would not (e.g. `"id"` for a column stored as ID).
   */
  async function checkIdentifiers(session: Session, statement: string): Promise<void> {
    const reader = await session.connection.runAndReadAll(
      `SELECT schema_name, table_name, column_name FROM duckdb_columns() WHERE database_name = $1 AND NOT internal`,
      [database],
    );
    const columns = new Set<string>();
    const objects = new Set<string>([database]);
    for (const [schema, table, column] of reader.getRows()) {
      if (schema !== 'main') objects.add(String(schema));
      objects.add(String(table));
      columns.add(String(column));
    }
    for (const schema of schemas) objects.add(schema);
    const problem = identifierCaseProblem(statement, columns, objects);
    if (!problem) return;
    if (problem.object) {
      throw new SnowflakeFailure('002003', `SQL compilation error:\nObject '${problem.written}' does not exist or not authorized.`, '42S02');
    }
    throw new SnowflakeFailure(
      '000904',
      `SQL compilation error: error line ${problem.line} at position ${problem.position}\ninvalid identifier '${problem.written}'`,
      '42000',
    );
  }

  async function execute(session: Session, sql: string, body: Record<string, unknown>) {
    const requested = (body.parameters ?? {}) as Record<string, unknown>;
    const desired = Number(requested.MULTI_STATEMENT_COUNT ?? session.params.MULTI_STATEMENT_COUNT ?? 1);
    const statements = splitStatements(sql);
    if (desired !== 0 && statements.length !== desired) {
      throw new SnowflakeFailure(
        '000008',
        `Actual statement count ${statements.length} did not match the desired statement count ${desired}.`,
        '0A000',
      );
    }
    const statement = statements[0] ?? '';
    const alter = parseAlterSession(statement);
    if (alter) {
      Object.assign(session.params, alter);
      return { rowtype: [textRowType('status')], rowset: [['Statement executed successfully.']], typeId: 0x4000 };
    }
    const explain = /^\s*explain\s+using\s+json\s+([\s\S]*)$/i.exec(statement);
    await checkIdentifiers(session, explain ? explain[1] : statement);
    const duckSql = explain ? `EXPLAIN ${toDuckDb(explain[1])}` : toDuckDb(statement);
    const binds = Object.entries((body.bindings ?? {}) as Record<string, { type: string; value: unknown }>)
      .sort(([a], [b]) => Number(a) - Number(b))
      .map(([, b]) => bindValue(b));
    try {
      if (body.describeOnly === true) {
        const prepared = await session.connection.prepare(duckSql);
        const rowtype = Array.from({ length: prepared.columnCount }, (_, i) => rowTypeOf(prepared.columnName(i), prepared.columnType(i)));
        return { rowtype, rowset: [], typeId: statementTypeId(statement) };
      }
      const reader = await session.connection.runAndReadAll(duckSql, binds);
      const temp = tempTableName(statement);
      if (temp && !session.tempTables.includes(temp)) session.tempTables.push(temp);
      if (explain) {
        const plan = reader.getRowObjects().map((r) => String(r.explain_value ?? '')).join('\n');
        const stats = options.explainStats ?? { partitionsTotal: 1, partitionsAssigned: 1, bytesAssigned: 1024 };
        const json = JSON.stringify({ GlobalStats: stats, Operations: [[{ id: 0, operation: 'Result', plan }]] });
        return { rowtype: [textRowType('content')], rowset: [[json]], typeId: 0x1000 };
      }
      const types = reader.columnTypes();
      const rowtype = reader.columnNames().map((name, i) => rowTypeOf(name, types[i]));
      const rowset = reader.getRows().map((row) => row.map((v, i) => encodeValue(v, rowtype[i])));
      return { rowtype, rowset, typeId: statementTypeId(statement) };
    } catch (err) {
      if (err instanceof SnowflakeFailure) throw err;
      const message = err instanceof Error ? err.message : String(err);
      const missing = /with name "?([^"!\s]+)"? does not exist/i.exec(message);
      if (missing) {
        throw new SnowflakeFailure('002003', `SQL compilation error:\nObject '${missing[1]}' does not exist or not authorized.`, '42S02');
      }
      const column = /Referenced column "?([^"\s]+)"? not found|does not have a column named "([^"]+)"/i.exec(message);
      if (column) {
        throw new SnowflakeFailure('000904', `SQL compilation error: error line 1 at position 0\ninvalid identifier '${column[1] ?? column[2]}'`, '42000');
      }
      if (/Parser Error/i.test(message)) throw new SnowflakeFailure('001003', `SQL compilation error:\n${message}`, '42000');
      throw new SnowflakeFailure('100000', message.split('\n')[0], '22000');
    }
  }

  async function query(req: IncomingMessage, res: ServerResponse, body: unknown, url: URL): Promise<void> {
    const session = sessionOf(req);
    const b = (body ?? {}) as Record<string, unknown>;
    const sql = String(b.sqlText ?? '');
    const record: RecordedRequest = {
      kind: 'query',
      method: 'POST',
      path: url.pathname,
      sessionId: session?.id,
      body,
      sql,
      bindings: b.bindings as RecordedRequest['bindings'],
      parameters: b.parameters as Record<string, unknown>,
      tag: session ? String(session.params.QUERY_TAG ?? '') : undefined,
      describeOnly: b.describeOnly === true,
    };
    requests.push(record);
    if (!session) {
      jsonReply(res, { success: false, code: '390111', message: 'Session no longer exists.  New login required to access the service.', data: null });
      return;
    }
    const queryId = randomUUID();
    const requestId = url.searchParams.get('requestId') ?? queryId;
    const rule = takeFailure(sql);
    if (rule?.drop) {
      req.socket.destroy();
      return;
    }
    try {
      if (rule?.delayMs) {
        const timeoutSec = Number(session.params.STATEMENT_TIMEOUT_IN_SECONDS ?? 0);
        const timers: NodeJS.Timeout[] = [];
        const outcome = await new Promise<'done' | 'timeout' | 'cancelled'>((resolve) => {
          timers.push(setTimeout(() => resolve('done'), rule.delayMs));
          if (timeoutSec > 0) timers.push(setTimeout(() => resolve('timeout'), timeoutSec * 1000));
          session.pending.set(requestId, () => resolve('cancelled'));
        }).finally(() => {
          session.pending.delete(requestId);
          for (const t of timers) clearTimeout(t);
        });
        if (outcome === 'timeout') {
          const n = session.params.STATEMENT_TIMEOUT_IN_SECONDS;
          throw new SnowflakeFailure('000630', `Statement reached its statement or warehouse timeout of ${n} second(s) and was canceled.`, '57014');
        }
        if (outcome === 'cancelled') throw new SnowflakeFailure('000604', 'SQL execution canceled', '57014');
      }
      if (rule?.error) throw new SnowflakeFailure(rule.error.code, rule.error.message, rule.error.sqlState);
      const result = await execute(session, sql, b);
      jsonReply(res, {
        success: true,
        code: null,
        message: null,
        data: {
          parameters: [{ name: 'TIMEZONE', value: 'UTC' }],
          rowtype: result.rowtype,
          rowset: result.rowset,
          total: result.rowset.length,
          returned: result.rowset.length,
          queryId,
          databaseProvider: null,
          finalDatabaseName: database,
          finalSchemaName: 'PUBLIC',
          finalWarehouseName: 'FAKE_WH',
          finalRoleName: 'PUBLIC',
          numberOfBinds: Object.keys((b.bindings ?? {}) as object).length,
          arrayBindSupported: false,
          statementTypeId: result.typeId,
          version: 1,
          sendResultTime: Date.now(),
          queryResultFormat: 'json',
        },
      });
    } catch (err) {
      if (err instanceof SnowflakeFailure) jsonReply(res, failureBody(err, queryId));
      else jsonReply(res, failureBody(new SnowflakeFailure('100000', String(err)), queryId));
    }
  }

  async function logout(session: Session | undefined): Promise<void> {
    if (!session) return;
    sessions.delete(session.token);
    for (const table of session.tempTables) {
      await session.connection.run(toDuckDb(`DROP TABLE IF EXISTS ${table}`)).catch(() => undefined);
    }
    for (const cancel of session.pending.values()) cancel();
    session.connection.closeSync();
  }

  const server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const body = await readBody(req).catch(() => undefined);
      const path = url.pathname;
      if (path === '/session/v1/login-request') return login(req, res, body, url);
      if (path === '/queries/v1/query-request') return query(req, res, body, url);
      const session = sessionOf(req);
      if (path === '/session' && url.searchParams.get('delete') === 'true') {
        requests.push({ kind: 'logout', method: req.method ?? 'POST', path, sessionId: session?.id });
        await logout(session);
        return jsonReply(res, { success: true, code: null, message: null, data: null });
      }
      if (path === '/queries/v1/abort-request' || /^\/queries\/[^/]+\/abort-request$/.test(path)) {
        requests.push({ kind: 'abort', method: req.method ?? 'POST', path, sessionId: session?.id, body });
        const requestId = (body as { requestId?: string } | undefined)?.requestId;
        if (session && requestId) session.pending.get(requestId)?.();
        else if (session) for (const cancel of session.pending.values()) cancel();
        return jsonReply(res, { success: true, code: null, message: null, data: null });
      }
      const kind = path === '/session/heartbeat' ? 'heartbeat' : path.startsWith('/telemetry') ? 'telemetry' : 'other';
      requests.push({ kind, method: req.method ?? 'GET', path, sessionId: session?.id, body });
      return jsonReply(res, { success: true, code: null, message: null, data: {} });
    })().catch((err: unknown) => {
      if (!res.headersSent) jsonReply(res, { success: false, code: '100000', message: String(err), data: null });
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    get queries() {
      return requests.filter((r) => r.kind === 'query');
    },
    openSessions: () => [...sessions.values()].map((s) => s.id),
    failures,
    async sql(text: string) {
      const reader = await admin.runAndReadAll(text);
      return reader.getRowObjectsJson() as Record<string, unknown>[];
    },
    async close() {
      for (const session of [...sessions.values()]) await logout(session);
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      admin.closeSync();
      instance.closeSync();
    },
  };
}

/** Snowflake binding `{type, value}` (values arrive as strings) → a DuckDB parameter. */
function bindValue(bind: { type: string; value: unknown }): DuckDBValue {
  const { type, value } = bind;
  if (value === null || value === undefined) return null;
  const text = String(value);
  switch (type.toUpperCase()) {
    case 'FIXED':
      return /^-?\d+$/.test(text) && Number.isSafeInteger(Number(text)) ? Number(text) : text;
    case 'REAL':
      return Number(text);
    case 'BOOLEAN':
      return text === 'true' || text === '1';
    default:
      return text;
  }
}
