/**
 * Planted differences for the diff tests: 1,000 base rows; head drops ids 1–10, adds 1001–1007
 * (category 'C'), bumps amount by 1 on ids 11–23, flips status on ids 30–34, adds `channel`,
 * drops `note`, and changes `qty` from INTEGER to VARCHAR (same values).
 */
import { DuckDbWarehouse } from '../../../src/warehouse/duckdb.js';

export const BASE_SQL = `
CREATE TABLE base_orders AS
SELECT
  id,
  CASE WHEN id % 2 = 0 THEN 'A' ELSE 'B' END AS category,
  CASE id % 3 WHEN 0 THEN 'open' WHEN 1 THEN 'closed' ELSE 'pending' END AS status,
  CASE WHEN id <= 10 THEN 'east' WHEN id % 2 = 0 THEN 'north' ELSE 'south' END AS region,
  CAST((id * 7) % 100 + 0.5 AS DECIMAL(12, 2)) AS amount,
  CAST(id % 5 AS INTEGER) AS qty,
  CASE WHEN id % 10 = 0 THEN NULL ELSE CAST(id % 4 AS DOUBLE) END AS discount,
  DATE '2024-01-01' + CAST(id % 365 AS INTEGER) AS order_date,
  'note ' || id AS note
FROM range(1, 1001) AS t(id)`;

export const HEAD_SQL = `
CREATE TABLE head_orders AS
SELECT
  id,
  CASE WHEN id > 1000 THEN 'C' WHEN id % 2 = 0 THEN 'A' ELSE 'B' END AS category,
  CASE
    WHEN id BETWEEN 30 AND 34 THEN (CASE id % 3 WHEN 0 THEN 'closed' ELSE 'open' END)
    ELSE (CASE id % 3 WHEN 0 THEN 'open' WHEN 1 THEN 'closed' ELSE 'pending' END)
  END AS status,
  CASE WHEN id <= 10 THEN 'east' WHEN id % 2 = 0 THEN 'north' ELSE 'south' END AS region,
  CAST((id * 7) % 100 + 0.5 + CASE WHEN id BETWEEN 11 AND 23 THEN 1 ELSE 0 END AS DECIMAL(12, 2)) AS amount,
  CAST(id % 5 AS VARCHAR) AS qty,
  CASE WHEN id % 10 = 0 THEN NULL ELSE CAST(id % 4 AS DOUBLE) END AS discount,
  DATE '2024-01-01' + CAST(id % 365 AS INTEGER) AS order_date,
  'web' AS channel
FROM range(11, 1008) AS t(id)`;

/** Base amount per id, as planted. */
export const amountOf = (id: number): number => ((id * 7) % 100) + 0.5;

export function range(from: number, toInclusive: number): number[] {
  return Array.from({ length: toInclusive - from + 1 }, (_, i) => from + i);
}

export async function plantedWarehouse(): Promise<DuckDbWarehouse> {
  const w = new DuckDbWarehouse({ path: ':memory:' });
  await w.query(BASE_SQL);
  await w.query(HEAD_SQL);
  return w;
}
