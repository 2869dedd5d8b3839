/**
 * How the diff stages reach the warehouse: one counted, logged `run` per statement, plus the
 * helpers that read plain values back out of result rows whatever the adapter returned.
 */
import { dialectFor, diffDialectFor, type Dialect, type DiffDialect } from '../warehouse/dialect.js';
import type { Warehouse } from '../warehouse/warehouse.js';
import type { QueryLogEntry } from './types.js';

export type Row = Record<string, unknown>;

export class Runner {
  readonly dialect: Dialect;
  readonly sql: DiffDialect;
  readonly log: QueryLogEntry[] = [];

  constructor(readonly warehouse: Warehouse) {
    this.dialect = dialectFor(warehouse.type);
    this.sql = diffDialectFor(warehouse.type);
  }

  get queries(): number {
    return this.log.length;
  }

  async run(sql: string, purpose: string): Promise<Row[]> {
    const started = performance.now();
    const entry: QueryLogEntry = { purpose, elapsed_ms: 0 };
    this.log.push(entry);
    try {
      const result = await this.warehouse.query<Row>(sql, { purpose });
      return result.rows;
    } finally {
      entry.elapsed_ms = Math.round(performance.now() - started);
    }
  }

  /** A quoted identifier, exactly as spelled (describe reports the stored spelling). */
  q(name: string): string {
    return this.dialect.quoteIdent(name);
  }
}

/** Reads `alias` from a row; engines may fold unquoted aliases, so the match ignores case. */
export function pick(row: Row, alias: string): unknown {
  if (alias in row) return row[alias];
  const lower = alias.toLowerCase();
  for (const [k, v] of Object.entries(row)) if (k.toLowerCase() === lower) return v;
  return undefined;
}

/** A number from whatever the driver gave (number, bigint, numeric string, decimal object). */
export function toNum(value: unknown): number | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number') return Number.isNaN(value) ? null : value;
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'boolean') return value ? 1 : 0;
  const n = Number(String(value));
  return Number.isNaN(n) ? null : n;
}

export function toText(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value.toISOString();
  return String(value);
}

/** `toNum` for counts, where a missing value means zero. */
export function count(value: unknown): number {
  return toNum(value) ?? 0;
}
