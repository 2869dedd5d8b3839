/**
 * Opens a warehouse from a URL:
 *
 *   duckdb:path/to/file.db          relative file
 *   duckdb:///abs/path/prod.db      absolute file
 *   duckdb::memory:                 in-memory database
 *   duckdb:file.db?memory_limit=512MB&threads=2
 *                                   DuckDB settings (memory_limit, threads, temp_directory,
 *                                   max_temp_directory_size; see duckdb.ts)
 *   snowflake://user@account/database/schema?warehouse=WH&role=R
 *   snowflake:                      everything from SNOWFLAKE_* variables
 *
 * Snowflake credentials never appear in the URL: they come from SNOWFLAKE_PASSWORD or
 * SNOWFLAKE_PRIVATE_KEY / SNOWFLAKE_PRIVATE_KEY_PATH (+ SNOWFLAKE_PRIVATE_KEY_PASSPHRASE).
 * Values in the URL win over the environment; explicit `settings.snowflake` win over both.
 */
import { DuckDbWarehouse, parseDuckDbTarget, type DuckDbSettings } from './duckdb.js';
import {
  snowflakeSettingsFromEnv,
  validateSnowflakeSettings,
  type SnowflakeSettings,
  type SnowflakeSettingsInput,
  type TagContext,
} from './snowflake-settings.js';
import { WarehouseError, type Warehouse } from './warehouse.js';

export type { SnowflakeSettings, TagContext } from './snowflake-settings.js';

export interface WarehouseSettings {
  /** Environment to read SNOWFLAKE_* from; defaults to process.env. */
  env?: Record<string, string | undefined>;
  /** Default statement timeout for every statement. */
  statementTimeoutSeconds?: number;
  /** Repository, PR and commit copied into every query tag. */
  tagContext?: TagContext;
  /** Explicit Snowflake settings, overriding the URL and the environment. */
  snowflake?: Partial<SnowflakeSettings>;
  /** Connect before returning (default true). */
  connect?: boolean;
}

export type ParsedWarehouseUrl =
  | { type: 'duckdb'; path: string; settings?: DuckDbSettings }
  | { type: 'snowflake'; settings: SnowflakeSettingsInput };

export function parseWarehouseUrl(url: string): ParsedWarehouseUrl {
  const trimmed = url.trim();
  const duck = /^duckdb:(.*)$/i.exec(trimmed);
  if (duck) {
    // Query parameters are database settings: duckdb:prod.db?memory_limit=512MB
    const target = parseDuckDbTarget(duck[1]);
    const withSettings = Object.keys(target.settings).length ? { settings: target.settings } : {};
    let rest = target.path;
    if (rest === '' || rest === ':memory:' || rest === '//:memory:' || rest === 'memory') return { type: 'duckdb', path: ':memory:', ...withSettings };
    // duckdb:///abs/path.db → /abs/path.db; duckdb://rel/path.db → rel/path.db
    if (rest.startsWith('//')) rest = rest.slice(2);
    return { type: 'duckdb', path: decodeURIComponent(rest), ...withSettings };
  }
  if (/^snowflake:/i.test(trimmed)) {
    const settings: SnowflakeSettingsInput = {};
    if (/^snowflake:\/\/./i.test(trimmed)) {
      let parsed: URL;
      try {
        parsed = new URL(trimmed);
      } catch {
        throw new WarehouseError(`invalid Snowflake URL ${trimmed}: expected snowflake://user@account/database/schema`, 'config');
      }
      if (parsed.password) {
        throw new WarehouseError(
          'do not put the Snowflake password in the URL; set SNOWFLAKE_PASSWORD or a key pair instead',
          'config',
        );
      }
      if (parsed.username) settings.username = decodeURIComponent(parsed.username);
      if (parsed.hostname) settings.account = decodeURIComponent(parsed.hostname);
      const [database, schema] = parsed.pathname.split('/').filter(Boolean).map(decodeURIComponent);
      if (database) settings.database = database;
      if (schema) settings.schema = schema;
      const params = parsed.searchParams;
      if (params.get('warehouse')) settings.warehouse = params.get('warehouse');
      if (params.get('role')) settings.role = params.get('role');
      if (params.get('accessUrl')) settings.accessUrl = params.get('accessUrl');
    }
    return { type: 'snowflake', settings };
  }
  throw new WarehouseError(
    `unknown warehouse URL ${trimmed}: use duckdb:path/to/file.db, duckdb::memory: or snowflake://user@account/database/schema`,
    'config',
  );
}

/** The validated Snowflake settings a URL and environment describe. */
export function resolveSnowflakeSettings(url: string, settings: WarehouseSettings = {}): SnowflakeSettings {
  const parsed = parseWarehouseUrl(url);
  if (parsed.type !== 'snowflake') throw new WarehouseError(`${url} is not a Snowflake URL`, 'config');
  const input: SnowflakeSettingsInput = {
    ...snowflakeSettingsFromEnv(settings.env ?? process.env),
    ...parsed.settings,
    ...(settings.statementTimeoutSeconds !== undefined ? { statementTimeoutSeconds: settings.statementTimeoutSeconds } : {}),
    ...(settings.tagContext ? { tagContext: settings.tagContext } : {}),
    ...settings.snowflake,
  };
  return validateSnowflakeSettings(input);
}

/** Creates the adapter for `url` and (unless `connect: false`) connects it. */
export async function openWarehouse(url: string, settings: WarehouseSettings = {}): Promise<Warehouse> {
  const parsed = parseWarehouseUrl(url);
  const warehouse: Warehouse =
    parsed.type === 'duckdb'
      ? new DuckDbWarehouse({
          path: parsed.path,
          settings: parsed.settings,
          statementTimeoutSeconds: settings.statementTimeoutSeconds,
          tagContext: settings.tagContext,
        })
      : // Loaded only when asked for: the driver pulls in the AWS SDK, slow to load and noisy on Node 20.
        new (await import('./snowflake.js')).SnowflakeWarehouse(resolveSnowflakeSettings(url, settings));
  if (settings.connect !== false) {
    try {
      await warehouse.connect();
    } catch (err) {
      await warehouse.close().catch(() => undefined);
      throw err;
    }
  }
  return warehouse;
}
