import type { Warehouse } from './warehouse.js';

/** Wraps a warehouse to count the statements a review sends, so it can state its own cost. */
export function countingWarehouse(inner: Warehouse): Warehouse & { statements(): number } {
  let count = 0;
  const counted = <A extends unknown[], R>(fn: (...args: A) => Promise<R>) => (...args: A): Promise<R> => {
    count++;
    return fn(...args);
  };
  return {
    get type() {
      return inner.type;
    },
    get database() {
      return inner.database;
    },
    connect: () => inner.connect(),
    query: counted((sql: string, options?: Parameters<Warehouse['query']>[1]) => inner.query(sql, options)) as Warehouse['query'],
    describe: counted((relation: string) => inner.describe(relation)),
    createTempTable: counted((name: string, sql: string, options?: Parameters<Warehouse['createTempTable']>[2]) => inner.createTempTable(name, sql, options)),
    explain: counted((sql: string, options?: Parameters<Warehouse['explain']>[1]) => inner.explain(sql, options)),
    materialize: (relation, sql, kind, options) => inner.materialize(relation, sql, kind, options),
    loadCsv: (relation, path, options) => inner.loadCsv(relation, path, options),
    ensureSchema: (database, schema) => inner.ensureSchema(database, schema),
    close: () => inner.close(),
    statements: () => count,
  };
}
