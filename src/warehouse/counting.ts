import type { Warehouse } from './warehouse.js';

/**
 * A warehouse whose statements (query, describe, createTempTable, explain) each run through
 * `around`: the one place wrappers that count or check statements hook in.
 */
export function aroundStatements(inner: Warehouse, around: <R>(run: () => Promise<R>) => Promise<R>): Warehouse {
  const wrap = <A extends unknown[], R>(fn: (...args: A) => Promise<R>) => (...args: A): Promise<R> => around(() => fn(...args));
  return {
    get type() {
      return inner.type;
    },
    get database() {
      return inner.database;
    },
    connect: () => inner.connect(),
    query: wrap((sql: string, options?: Parameters<Warehouse['query']>[1]) => inner.query(sql, options)) as Warehouse['query'],
    describe: wrap((relation: string) => inner.describe(relation)),
    createTempTable: wrap((name: string, sql: string, options?: Parameters<Warehouse['createTempTable']>[2]) => inner.createTempTable(name, sql, options)),
    explain: wrap((sql: string, options?: Parameters<Warehouse['explain']>[1]) => inner.explain(sql, options)),
    materialize: (relation, sql, kind, options) => inner.materialize(relation, sql, kind, options),
    loadCsv: (relation, path, options) => inner.loadCsv(relation, path, options),
    ensureSchema: (database, schema) => inner.ensureSchema(database, schema),
    close: () => inner.close(),
  };
}

/** Wraps a warehouse to count the statements a review sends, so it can state its own cost. */
export function countingWarehouse(inner: Warehouse): Warehouse & { statements(): number } {
  let count = 0;
  const counted = aroundStatements(inner, (run) => {
    count++;
    return run();
  });
  return Object.assign(counted, { statements: () => count });
}
