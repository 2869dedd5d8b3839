/**
 * The shapes the diff engine speaks: options in, a `TableDiff` out. Field names are snake_case
 * because the CLI prints this object as JSON and reviewers read it.
 */
import type { ColumnKind, WarehouseType } from '../warehouse/warehouse.js';

export interface DiffOptions {
  /** Key columns for the value diff; without them the value diff is skipped with a note. */
  primaryKey?: string[];
  /** How many differing rows to sample (keys plus non-sensitive values). Default 0: off. */
  sampleRows?: number;
  /** Columns whose values never leave the warehouse: counts only, no labels, no samples. */
  sensitiveColumns?: string[];
  /** Columns with at most this many distinct values get per-value counts. Default 20. */
  distributionMaxDistinct?: number;
  /** Equal-width bins for numeric histograms, shared by both sides. Default 10. */
  histogramBins?: number;
  /** Renames found by column lineage: head name → base name. */
  columnLineageRenames?: Record<string, string>;
  /** Skip the whole-table hash comparison (when the caller already knows the tables differ). */
  skipIdenticalCheck?: boolean;
}

/** Raised for a diff that cannot run as asked (e.g. a key column missing on one side). */
export class DiffError extends Error {
  constructor(
    message: string,
    readonly code: 'primary_key_missing' | 'invalid_option',
  ) {
    super(message);
    this.name = 'DiffError';
  }
}

export interface TypeChange {
  column: string;
  base: string;
  head: string;
}

export interface SkippedColumn {
  column: string;
  side: 'base' | 'head' | 'both';
  type: string;
  reason: string;
}

export interface SchemaDiff {
  added: string[];
  removed: string[];
  type_changed: string[];
  type_changes: TypeChange[];
  renamed: { base: string; head: string }[];
}

export interface ColumnProfile {
  kind: ColumnKind;
  type: string;
  nulls: number;
  /** Distinct non-null values; an estimate where `TableDiff.distinct_method` says approx. Null for uncomparable types. */
  distinct: number | null;
  /** True when `distinct` is exact (counted from per-value counts), not an estimate. */
  distinct_exact?: boolean;
  min?: number | string | null;
  max?: number | string | null;
  avg?: number | null;
  sum?: number | null;
  stddev?: number | null;
  p25?: number | null;
  p50?: number | null;
  p75?: number | null;
  min_length?: number | null;
  max_length?: number | null;
  true_count?: number | null;
}

export interface ColumnDiff {
  /** Name on the base side (null when added). */
  base_name: string | null;
  /** Name on the head side (null when removed). */
  head_name: string | null;
  sensitive: boolean;
  base: ColumnProfile | null;
  head: ColumnProfile | null;
  /** Matched rows whose value differs (null-safe); null when there is no value diff for it. */
  mismatched: number | null;
}

export interface DistributionBucket {
  /** The value (as text) or bin label; null for the NULL bucket. Hidden values get `#n` labels. */
  value: string | null;
  /** Histogram bins: the bin's lower and upper edge. */
  lo?: number;
  hi?: number;
  base: number;
  head: number;
  base_share: number;
  head_share: number;
  /** head_share − base_share. */
  shift: number;
}

export interface DistributionDiff {
  kind: 'values' | 'histogram';
  /** Sensitive columns: values are replaced by ordinal labels and never leave the warehouse. */
  labels_hidden: boolean;
  buckets: DistributionBucket[];
  /** Values present in head only (labels hidden → `#n`). */
  new_values: { value: string | null; count: number }[];
  /** Values present in base only. */
  vanished_values: { value: string | null; count: number }[];
  largest_shift: DistributionBucket | null;
}

export interface RowsDiff {
  base: number;
  head: number;
  added: number | null;
  removed: number | null;
  changed: number | null;
  unchanged: number | null;
  /** Key values that occur more than once, and the rows carrying them (keyed diffs only). */
  duplicate_keys: { base: { keys: number; rows: number }; head: { keys: number; rows: number } } | null;
  /** Rows whose key has a NULL part; they cannot be matched and are not counted as added/removed. */
  null_keys: { base: number; head: number } | null;
}

export interface SampleRow {
  key: Record<string, unknown>;
  /** Column → [base value, head value] for the columns that differ. */
  changes: Record<string, [unknown, unknown]>;
}

export interface QueryLogEntry {
  purpose: string;
  elapsed_ms: number;
}

export interface TableDiff {
  base: string;
  head: string;
  warehouse: WarehouseType;
  identical: boolean;
  primary_key: string[] | null;
  schema: SchemaDiff;
  rows: RowsDiff;
  columns: Record<string, ColumnDiff>;
  distribution: Record<string, DistributionDiff>;
  distinct_method: 'approx' | 'exact';
  percentile_method: 'approx' | 'exact';
  samples: SampleRow[];
  notes: string[];
  warnings: string[];
  skipped: SkippedColumn[];
  /** Statements run through `warehouse.query` (describes are counted in `describes`). */
  queries: number;
  describes: number;
  query_log: QueryLogEntry[];
}
