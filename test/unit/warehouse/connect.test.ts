import { describe, expect, test } from '@jest/globals';
import { parseWarehouseUrl, resolveSnowflakeSettings } from '../../../src/warehouse/connect.js';
import { dialectFor, splitRelation } from '../../../src/warehouse/dialect.js';

describe('warehouse URLs', () => {
  test('DuckDB file, absolute file and memory forms', () => {
    expect(parseWarehouseUrl('duckdb:data/prod.db')).toEqual({ type: 'duckdb', path: 'data/prod.db' });
    expect(parseWarehouseUrl('duckdb:///srv/prod.db')).toEqual({ type: 'duckdb', path: '/srv/prod.db' });
    expect(parseWarehouseUrl('duckdb::memory:')).toEqual({ type: 'duckdb', path: ':memory:' });
  });

  test('Snowflake URL fields win over the environment; the password comes only from the environment', () => {
    const settings = resolveSnowflakeSettings('snowflake://bob@xy12345.eu-west-1/PROD/PR_SCRATCH?warehouse=WH&role=R', {
      env: { SNOWFLAKE_ACCOUNT: 'other', SNOWFLAKE_USER: 'other', SNOWFLAKE_PASSWORD: 'pw', SNOWFLAKE_STATEMENT_TIMEOUT_SECONDS: '600' },
    });
    expect(settings).toEqual({
      account: 'xy12345.eu-west-1',
      username: 'bob',
      database: 'PROD',
      schema: 'PR_SCRATCH',
      warehouse: 'WH',
      role: 'R',
      password: 'pw',
      statementTimeoutSeconds: 600,
    });
    expect(() => resolveSnowflakeSettings('snowflake://bob:pw@acct/DB/S', { env: {} })).toThrow(
      'do not put the Snowflake password in the URL; set SNOWFLAKE_PASSWORD or a key pair instead',
    );
    expect(() => parseWarehouseUrl('postgres://x')).toThrow(/unknown warehouse URL postgres:\/\/x/);
  });
});

describe('dialect', () => {
  test('quoting keeps case-folding semantics per engine', () => {
    const sf = dialectFor('snowflake');
    expect(sf.qualify('ANALYTICS', 'scratch', 'MixedCase', 'order')).toBe('ANALYTICS.scratch."MixedCase"."order"');
    expect(dialectFor('duckdb').qualify(null, 'main', 'MixedCase')).toBe('main.MixedCase');
    expect(sf.stringLiteral(`it's a \\ path`)).toBe(`'it''s a \\\\ path'`);
    expect(splitRelation('db."odd.schema"."a""b"')).toEqual(['db', 'odd.schema', 'a"b']);
  });

  test('type names map to kinds on both engines', () => {
    const kind = dialectFor('snowflake').kindOfType;
    expect(['NUMBER(38,0)', 'VARCHAR(16777216)', 'TIMESTAMP_NTZ(9)', 'DATE', 'BOOLEAN', 'VARIANT', 'TIME', 'BINARY', 'GEOGRAPHY'].map(kind)).toEqual([
      'number', 'string', 'timestamp', 'date', 'boolean', 'json', 'time', 'binary', 'other',
    ]);
    expect(['HUGEINT', 'DOUBLE', 'TIMESTAMP WITH TIME ZONE', 'STRUCT(a INTEGER)', 'INTEGER[]', 'UUID'].map(kind)).toEqual([
      'number', 'number', 'timestamp', 'json', 'json', 'string',
    ]);
  });
});
