import { WarehouseError, type Warehouse } from '../warehouse/warehouse.js';
import { duckdbLoadStatements } from './shop-schema.js';

/**
 * Loads generated shop CSVs into `<schema>.<table>` of an embedded DuckDB warehouse, the way an
 * EL tool lands sources in production. DuckDB only: it reads the files from the local disk.
 */
export async function loadShopData(warehouse: Warehouse, files: Record<string, string>, schema = 'raw'): Promise<void> {
  if (warehouse.type !== 'duckdb') {
    throw new WarehouseError(`the shop demo data can only be loaded into DuckDB, not ${warehouse.type}`, 'config');
  }
  for (const statement of duckdbLoadStatements(files, schema)) {
    await warehouse.query(statement, { purpose: 'build' });
  }
}
