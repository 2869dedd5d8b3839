import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { openWarehouse } from '../../src/warehouse/connect.js';
import { estimateRowsScanned } from '../../src/warehouse/scan-estimate.js';
import type { ExplainResult, QueryOptions, QueryResult, Warehouse } from '../../src/warehouse/warehouse.js';

/** limits.max_rows_scanned is judged on an estimate made before anything runs: EXPLAIN and the catalog. */
describe('limits: rows a statement would scan', () => {
  describe('DuckDB', () => {
    let warehouse: Warehouse;
    beforeAll(async () => {
      warehouse = await openWarehouse('duckdb::memory:');
      await warehouse.query('create table big as select range as id, range % 7 as k from range(100000)');
      await warehouse.query('create table small as select range as id from range(5000)');
      await warehouse.query('create view big_sevens as select * from big where k = 3');
      await warehouse.createTempTable('pr_small', 'select * from small where id < 10');
    });
    afterAll(() => warehouse?.close());

    it('counts whole tables behind views and joins, not the rows left after filters', async () => {
      const estimate = await estimateRowsScanned(warehouse, 'select b.id, count(*) from big_sevens b join small s using (id) where b.id > 10 group by 1');
      expect(estimate?.rows).toBe(105_000);
      expect(estimate?.scans.map((s) => s.relation).sort()).toEqual(['memory.main.big', 'memory.main.small']);
    });

    it('counts temporary tables and table functions too', async () => {
      expect((await estimateRowsScanned(warehouse, 'select * from temp.main.pr_small'))?.rows).toBe(10);
      expect((await estimateRowsScanned(warehouse, 'select * from range(1234)'))?.rows).toBe(1234);
    });

    it('sends nothing for SQL that is not one read-only SELECT', async () => {
      expect(await estimateRowsScanned(warehouse, 'drop table big')).toBeNull();
      expect(await estimateRowsScanned(warehouse, 'select 1; select 2')).toBeNull();
      expect((await warehouse.query<{ n: number }>('select count(*)::int as n from big')).rows[0].n).toBe(100_000);
    });
  });

  describe('Snowflake', () => {
    /** Just enough of a Snowflake warehouse: EXPLAIN USING JSON output and INFORMATION_SCHEMA rows. */
    function fakeSnowflake(plan: unknown, rowCounts: Record<string, number>) {
      const sent: { sql: string; params: unknown[] }[] = [];
      const warehouse = {
        type: 'snowflake' as const,
        database: 'ANALYTICS',
        async explain(sql: string): Promise<ExplainResult> {
          sent.push({ sql: `EXPLAIN USING JSON ${sql}`, params: [] });
          return { plan: JSON.stringify(plan) };
        },
        async query<Row>(sql: string, options?: QueryOptions): Promise<QueryResult<Row>> {
          const params = options?.params ?? [];
          sent.push({ sql, params });
          const db = /from "([^"]+)"\.information_schema\.tables/i.exec(sql)?.[1];
          const rows = [];
          for (let i = 0; i < params.length; i += 2) {
            const n = rowCounts[`${db}.${params[i]}.${params[i + 1]}`];
            if (n !== undefined) rows.push({ TABLE_SCHEMA: params[i], TABLE_NAME: params[i + 1], ROW_COUNT: n });
          }
          return { columns: [], rows: rows as Row[], stats: { elapsedMs: 0 } };
        },
      };
      return { warehouse: warehouse as unknown as Warehouse, sent };
    }

    const plan = {
      GlobalStats: { partitionsTotal: 12, partitionsAssigned: 6, bytesAssigned: 123456 },
      Operations: [
        [
          { id: 0, operation: 'Result', expressions: ['E.ID'] },
          { id: 1, parent: 0, operation: 'InnerJoin' },
          { id: 2, parent: 1, operation: 'TableScan', objects: ['ANALYTICS.RAW.EVENTS'], partitionsAssigned: 2, partitionsTotal: 8, bytesAssigned: 100000 },
          { id: 3, parent: 1, operation: 'TableScan', objects: ['ANALYTICS.MARTS.USERS'], partitionsAssigned: 4, partitionsTotal: 4, bytesAssigned: 23456 },
        ],
      ],
    };

    it('scales each table ROW_COUNT by the share of partitions left after pruning', async () => {
      const { warehouse, sent } = fakeSnowflake(plan, { 'ANALYTICS.RAW.EVENTS': 4_000_000_000, 'ANALYTICS.MARTS.USERS': 2_000_000 });
      const estimate = await estimateRowsScanned(warehouse, 'select e.id from raw.events e join marts.users u on u.id = e.user_id');
      expect(estimate).toEqual({
        rows: 1_000_000_000 + 2_000_000,
        scans: [
          { relation: 'ANALYTICS.RAW.EVENTS', rows: 1_000_000_000 },
          { relation: 'ANALYTICS.MARTS.USERS', rows: 2_000_000 },
        ],
      });
      // One catalog read per database, with the names bound, never spliced into the SQL.
      expect(sent.slice(1)).toEqual([
        {
          sql: 'select table_schema, table_name, row_count from "ANALYTICS".information_schema.tables where (table_schema = ? and table_name = ?) or (table_schema = ? and table_name = ?)',
          params: ['RAW', 'EVENTS', 'MARTS', 'USERS'],
        },
      ]);
    });

    it('a table the catalog does not count is left out; with none counted there is no estimate', async () => {
      const partly = await estimateRowsScanned(fakeSnowflake(plan, { 'ANALYTICS.MARTS.USERS': 7 }).warehouse, 'select 1 from x');
      expect(partly?.rows).toBe(7);
      expect(await estimateRowsScanned(fakeSnowflake(plan, {}).warehouse, 'select 1 from x')).toBeNull();
      expect(await estimateRowsScanned(fakeSnowflake({ GlobalStats: {}, Operations: [[{ id: 0, operation: 'Result' }]] }, {}).warehouse, 'select 1')).toBeNull();
    });
  });
});
