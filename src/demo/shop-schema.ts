/**
 * The columns of the shop's raw tables, shared by the generator (CSV headers) and the loader
 * (explicit column types, so that loading never depends on type sniffing).
 */

export const SHOP_TABLE_COLUMNS = {
  customers: [
    ['customer_id', 'INTEGER'],
    ['first_name', 'VARCHAR'],
    ['last_name', 'VARCHAR'],
    ['email', 'VARCHAR'],
    ['is_test_user', 'BOOLEAN'],
    ['customer_segment', 'VARCHAR'],
    ['country_code', 'VARCHAR'],
    ['signup_date', 'DATE'],
    ['marketing_channel', 'VARCHAR'],
    ['_loaded_at', 'TIMESTAMP'],
  ],
  orders: [
    ['order_id', 'INTEGER'],
    ['customer_id', 'INTEGER'],
    ['order_date', 'DATE'],
    ['status', 'VARCHAR'],
    ['order_amount', 'DECIMAL(12,2)'],
    ['currency', 'VARCHAR'],
    ['sales_channel', 'VARCHAR'],
    ['_loaded_at', 'TIMESTAMP'],
  ],
  refunds: [
    ['refund_id', 'INTEGER'],
    ['order_id', 'INTEGER'],
    ['refund_date', 'DATE'],
    ['refund_amount', 'DECIMAL(12,2)'],
    ['reason', 'VARCHAR'],
    ['_loaded_at', 'TIMESTAMP'],
  ],
  payments: [
    ['payment_id', 'INTEGER'],
    ['order_id', 'INTEGER'],
    ['payment_date', 'DATE'],
    ['payment_method', 'VARCHAR'],
    ['status', 'VARCHAR'],
    ['amount', 'DECIMAL(12,2)'],
    ['_loaded_at', 'TIMESTAMP'],
  ],
} as const satisfies Record<string, readonly (readonly [string, string])[]>;

export type ShopTable = keyof typeof SHOP_TABLE_COLUMNS;

export const SHOP_TABLES = Object.keys(SHOP_TABLE_COLUMNS) as ShopTable[];

function sqlString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/**
 * DuckDB statements that load the generated CSVs as source tables `<schema>.<table>`
 * (the demo's stand-in for what an EL tool lands in production).
 */
export function duckdbLoadStatements(files: Partial<Record<string, string>>, schema = 'raw'): string[] {
  const statements = [`create schema if not exists ${schema}`];
  for (const table of SHOP_TABLES) {
    const path = files[table];
    if (path === undefined) continue;
    const columns = SHOP_TABLE_COLUMNS[table].map(([name, type]) => `${sqlString(name)}: ${sqlString(type)}`).join(', ');
    statements.push(
      `create or replace table ${schema}.${table} as select * from read_csv(${sqlString(path)}, header = true, columns = {${columns}})`,
    );
  }
  return statements;
}
