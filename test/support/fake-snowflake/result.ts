/**
 * DuckDB results in Snowflake's JSON result format: a `rowtype` describing each column with
 * Snowflake's type names, and a `rowset` of strings encoded as Snowflake sends them
 * (numbers as decimal text, dates as days since the epoch, timestamps as epoch seconds).
 */
import {
  DuckDBDateValue,
  DuckDBDecimalValue,
  DuckDBTimestampTZValue,
  DuckDBTimestampValue,
  DuckDBTimeValue,
  DuckDBTypeId,
  type DuckDBType,
  type DuckDBValue,
} from '@duckdb/node-api';

export interface RowType {
  name: string;
  type: string;
  precision: number | null;
  scale: number | null;
  length: number | null;
  byteLength: number | null;
  nullable: boolean;
  database: string;
  schema: string;
  table: string;
  collation: null;
}

/** A text column, for status and EXPLAIN output the fake makes up itself. */
export function textRowType(name: string): RowType {
  return { ...rowTypeOf(name, null), type: 'text', length: 16777216, byteLength: 16777216 };
}

const INTEGER_IDS = new Set<DuckDBTypeId>([
  DuckDBTypeId.TINYINT,
  DuckDBTypeId.SMALLINT,
  DuckDBTypeId.INTEGER,
  DuckDBTypeId.BIGINT,
  DuckDBTypeId.HUGEINT,
  DuckDBTypeId.UTINYINT,
  DuckDBTypeId.USMALLINT,
  DuckDBTypeId.UINTEGER,
  DuckDBTypeId.UBIGINT,
  DuckDBTypeId.UHUGEINT,
]);

export function rowTypeOf(name: string, type: DuckDBType | null): RowType {
  const base: RowType = {
    name,
    type: 'text',
    precision: null,
    scale: null,
    length: null,
    byteLength: null,
    nullable: true,
    database: '',
    schema: '',
    table: '',
    collation: null,
  };
  if (!type) return base;
  const id = type.typeId;
  if (INTEGER_IDS.has(id)) return { ...base, type: 'fixed', precision: 38, scale: 0 };
  if (id === DuckDBTypeId.DECIMAL) {
    const m = /DECIMAL\((\d+),\s*(\d+)\)/.exec(type.toString());
    return { ...base, type: 'fixed', precision: m ? Number(m[1]) : 38, scale: m ? Number(m[2]) : 0 };
  }
  if (id === DuckDBTypeId.FLOAT || id === DuckDBTypeId.DOUBLE) return { ...base, type: 'real' };
  if (id === DuckDBTypeId.BOOLEAN) return { ...base, type: 'boolean' };
  if (id === DuckDBTypeId.DATE) return { ...base, type: 'date' };
  if (id === DuckDBTypeId.TIME) return { ...base, type: 'time', scale: 9 };
  if (id === DuckDBTypeId.TIMESTAMP_TZ) return { ...base, type: 'timestamp_ltz', scale: 9 };
  if (
    id === DuckDBTypeId.TIMESTAMP ||
    id === DuckDBTypeId.TIMESTAMP_MS ||
    id === DuckDBTypeId.TIMESTAMP_S ||
    id === DuckDBTypeId.TIMESTAMP_NS
  ) {
    return { ...base, type: 'timestamp_ntz', scale: 9 };
  }
  return { ...base, type: 'text', length: 16777216, byteLength: 16777216 };
}

/** Epoch microseconds → `seconds.nanoseconds` with nine fractional digits. */
function microsToEpochText(micros: bigint): string {
  const secs = micros >= 0n ? micros / 1_000_000n : -((-micros + 999_999n) / 1_000_000n);
  const frac = micros - secs * 1_000_000n;
  return `${secs}.${(frac * 1000n).toString().padStart(9, '0')}`;
}

export function encodeValue(value: DuckDBValue, rowType: RowType): string | null {
  if (value === null) return null;
  switch (rowType.type) {
    case 'fixed':
      if (value instanceof DuckDBDecimalValue) return value.toString();
      return String(value);
    case 'real':
      return String(value);
    case 'boolean':
      return value ? '1' : '0';
    case 'date':
      return value instanceof DuckDBDateValue ? String(value.days) : String(value);
    case 'time':
      return value instanceof DuckDBTimeValue ? microsToEpochText(value.micros) : String(value);
    case 'timestamp_ntz':
    case 'timestamp_ltz':
      if (value instanceof DuckDBTimestampValue || value instanceof DuckDBTimestampTZValue) {
        return microsToEpochText(value.micros);
      }
      return String(value);
    default:
      return typeof value === 'string' ? value : String(value);
  }
}
