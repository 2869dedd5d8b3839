import { WarehouseError, type WarehouseType } from '../warehouse/warehouse.js';

/**
 * Refuses anything but one read-only SELECT/WITH statement, before it reaches the warehouse.
 * Placeholder: the full guard (comments, strings, forbidden calls, time travel) replaces this.
 */
export function assertReadOnlySelect(sql: string, _dialect: WarehouseType): void {
  const body = sql.trim().replace(/;\s*$/, '');
  if (!/^(select|with|\()/i.test(body) || body.includes(';')) {
    throw new WarehouseError('Only a single SELECT or WITH statement may run.', 'refused_statement', sql);
  }
}
