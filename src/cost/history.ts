import type { Warehouse } from '../warehouse/warehouse.js';

export interface HistoryRuntime {
  seconds: number;
  samples: number;
}

/**
 * The production build time of a model from Snowflake's query history: the average elapsed time
 * of its recent successful CREATE statements, found by dbt's query comment (`"node_id": "<id>"`)
 * or by our own query tag. Null when history has nothing (or the engine keeps none).
 */
export function queryHistorySql(uniqueId: string): { sql: string; params: unknown[] } {
  return {
    sql: `select avg(total_elapsed_time) / 1000 as seconds, count(*) as samples
from table(information_schema.query_history(result_limit => 10000))
where execution_status = 'SUCCESS'
  and query_type in ('CREATE_TABLE_AS_SELECT', 'CREATE_VIEW', 'INSERT', 'MERGE', 'CREATE_TABLE')
  and (query_text ilike ? or query_tag ilike ?)`,
    params: [`%"node_id": "${uniqueId}"%`, `%"node_id":"${uniqueId}"%`],
  };
}

export async function productionRuntime(warehouse: Warehouse, uniqueId: string): Promise<HistoryRuntime | null> {
  if (warehouse.type !== 'snowflake') return null;
  const { sql, params } = queryHistorySql(uniqueId);
  try {
    const result = await warehouse.query<{ SECONDS?: unknown; seconds?: unknown; SAMPLES?: unknown; samples?: unknown }>(sql, { params, purpose: 'query_history' });
    const row = result.rows[0];
    const seconds = Number(row?.SECONDS ?? row?.seconds);
    const samples = Number(row?.SAMPLES ?? row?.samples);
    return Number.isFinite(seconds) && samples > 0 ? { seconds, samples } : null;
  } catch {
    // No access to query history is common for a read-only role: the review says the baseline is unknown.
    return null;
  }
}
