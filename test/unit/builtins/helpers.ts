import { builtinMacros } from '../../../src/dbt/render/builtins/index.js';
import type { BuiltinEnv, MetadataRequest, RelationColumn, RelationRef } from '../../../src/dbt/render/types.js';

/** A BuiltinEnv over planted metadata that records what the macros said and asked for. */
export function fakeEnv(
  adapterType: string,
  metadata: { columns?: Record<string, RelationColumn[]>; values?: Record<string, unknown[]>; vars?: Record<string, unknown> } = {},
): BuiltinEnv & { notes: string[]; requests: MetadataRequest[] } {
  const notes: string[] = [];
  const requests: MetadataRequest[] = [];
  return {
    adapterType,
    notes,
    requests,
    columns: (relation) => metadata.columns?.[String(relation)],
    columnValues: (relation, column) => metadata.values?.[`${String(relation)}.${column}`],
    note: (m) => notes.push(m),
    request: (r) => requests.push(r),
    var: (name) => metadata.vars?.[name],
  };
}

/** Calls `namespace.name(...args, **kwargs)` as the renderer would. */
export function call(env: BuiltinEnv, namespace: string, name: string, args: unknown[] = [], kwargs: Record<string, unknown> = {}): unknown {
  const fn = builtinMacros[namespace]?.[name];
  if (!fn) throw new Error(`no builtin ${namespace}.${name}`);
  return fn(env, args, kwargs);
}

export function relation(database: string, schema: string, identifier: string): RelationRef {
  return { database, schema, identifier, toString: () => `${database}.${schema}.${identifier}` };
}

export async function runDuckDb(sql: string): Promise<Record<string, unknown>[]> {
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    const reader = await connection.runAndReadAll(sql);
    // Plain values for exact comparison: counts as numbers, dates and timestamps as ISO text.
    return reader.getRowObjectsJS().map((row) =>
      Object.fromEntries(
        Object.entries(row).map(([k, v]) => [k, typeof v === 'bigint' ? Number(v) : v instanceof Date ? v.toISOString().replace('.000Z', '') : v]),
      ),
    );
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}
