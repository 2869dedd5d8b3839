/**
 * Column profiles: ONE statement, two aggregate scans (one per side) cross-joined into a single
 * row, every column's statistics in the same SELECT list. Nothing but aggregates comes back.
 */
import type { ColumnType } from '../warehouse/warehouse.js';
import type { ColumnPair } from './schema.js';
import { uncomparableReason } from './schema.js';
import { count, pick, toNum, toText, type Row, type Runner } from './runner.js';
import type { ColumnProfile } from './types.js';

export interface Profiles {
  baseRows: number;
  headRows: number;
  /** Keyed by `ColumnPair.name`. */
  base: Map<string, ColumnProfile>;
  head: Map<string, ColumnProfile>;
  /** Whether percentiles came from a random sample (large tables on DuckDB). */
  percentilesSampled: boolean;
}

type Stat =
  | 'nn'
  | 'distinct'
  | 'min'
  | 'max'
  | 'avg'
  | 'sum'
  | 'stddev'
  | 'p25'
  | 'p50'
  | 'p75'
  | 'percentiles'
  | 'min_length'
  | 'max_length'
  | 'true_count';

interface PlannedStat {
  alias: string;
  stat: Stat;
  sql: string;
}

/** Name of the per-row flag that selects the percentile sample (DuckDB, large tables). */
const SAMPLE_FLAG = 'ir_pct_sample';

/** The statistics one column gets, by kind; sensitive columns get counts only. */
function statsFor(r: Runner, col: ColumnType, sensitive: boolean, prefix: string, sampled: boolean): PlannedStat[] {
  const c = r.q(col.name);
  const d = r.sql;
  const out: PlannedStat[] = [{ alias: `${prefix}_nn`, stat: 'nn', sql: `count(${c})` }];
  if (uncomparableReason(col.kind)) return out;
  out.push({ alias: `${prefix}_distinct`, stat: 'distinct', sql: d.distinct(c) });
  const add = (stat: Stat, sql: string) => out.push({ alias: `${prefix}_${stat}`, stat, sql });
  switch (col.kind) {
    case 'number':
      if (sensitive) break;
      add('min', d.toDouble(`min(${c})`));
      add('max', d.toDouble(`max(${c})`));
      add('avg', `avg(${d.toDouble(c)})`);
      add('sum', d.toDouble(`sum(${c})`));
      add('stddev', d.stddev(c));
      {
        const pct = d.percentiles(c, [0.25, 0.5, 0.75], sampled ? r.q(SAMPLE_FLAG) : undefined);
        if (pct.packed) add('percentiles', pct.exprs[0]);
        else (['p25', 'p50', 'p75'] as const).forEach((stat, i) => add(stat, pct.exprs[i]));
      }
      break;
    case 'date':
    case 'timestamp':
    case 'time':
      if (sensitive) break;
      add('min', d.toText(`min(${c})`));
      add('max', d.toText(`max(${c})`));
      break;
    case 'string':
      add('min_length', `min(${d.textLength(c)})`);
      add('max_length', `max(${d.textLength(c)})`);
      break;
    case 'boolean':
      add('true_count', d.countIf(c));
      break;
  }
  return out;
}

interface SidePlan {
  select: string[];
  columns: { name: string; col: ColumnType; stats: PlannedStat[] }[];
  /** Fraction of rows the percentile sketches see, when sampled. */
  sampleFraction: number | null;
}

/** Known row counts let DuckDB sample its percentile sketches on large tables. */
export interface RowCounts {
  base: number;
  head: number;
}

function planSide(r: Runner, pairs: ColumnPair[], side: 'base' | 'head', rows: number | undefined): SidePlan {
  const prefix = side === 'base' ? 'b' : 'h';
  const limit = r.sql.percentileSampleRows;
  const sampleFraction = limit !== null && rows !== undefined && rows > limit ? limit / rows : null;
  const plan: SidePlan = { select: [`count(*) AS ${r.q(`${prefix}_rows`)}`], columns: [], sampleFraction };
  pairs.forEach((p, i) => {
    const col = p[side];
    if (!col) return;
    const stats = statsFor(r, col, p.sensitive, `${prefix}${i}`, sampleFraction !== null);
    plan.columns.push({ name: p.name, col, stats });
    for (const s of stats) plan.select.push(`${s.sql} AS ${r.q(s.alias)}`);
  });
  return plan;
}

function source(r: Runner, relation: string, plan: SidePlan): string {
  if (plan.sampleFraction === null) return relation;
  // The flag is computed once per row and shared by every column's sketch.
  return `(SELECT *, ${r.sql.sampleFlag(plan.sampleFraction)} AS ${r.q(SAMPLE_FLAG)} FROM ${relation}) AS ir_src`;
}

export function profileSql(r: Runner, base: string, head: string, pairs: ColumnPair[], rows?: RowCounts): string {
  const b = planSide(r, pairs, 'base', rows?.base);
  const h = planSide(r, pairs, 'head', rows?.head);
  return [
    'SELECT * FROM',
    `  (SELECT\n    ${b.select.join(',\n    ')}\n  FROM ${source(r, base, b)}) AS ir_b`,
    'CROSS JOIN',
    `  (SELECT\n    ${h.select.join(',\n    ')}\n  FROM ${source(r, head, h)}) AS ir_h`,
  ].join('\n');
}

/** A list-valued result: the adapter's array, or its JSON text. */
function toList(value: unknown): unknown[] {
  if (Array.isArray(value)) return value;
  if (typeof value === 'string') {
    try {
      const parsed: unknown = JSON.parse(value);
      if (Array.isArray(parsed)) return parsed;
    } catch {
      // not JSON: no percentiles
    }
  }
  return [];
}

function readSide(plan: SidePlan, row: Row, rows: number): Map<string, ColumnProfile> {
  const out = new Map<string, ColumnProfile>();
  for (const { name, col, stats } of plan.columns) {
    const profile: ColumnProfile = { kind: col.kind, type: col.type, nulls: 0, distinct: null };
    for (const s of stats) {
      const v = pick(row, s.alias);
      switch (s.stat) {
        case 'nn':
          profile.nulls = rows - count(v);
          break;
        case 'distinct':
          profile.distinct = count(v);
          break;
        case 'percentiles': {
          const [p25, p50, p75] = toList(v).map(toNum);
          Object.assign(profile, { p25: p25 ?? null, p50: p50 ?? null, p75: p75 ?? null });
          break;
        }
        case 'min':
        case 'max':
          profile[s.stat] = col.kind === 'number' ? toNum(v) : toText(v);
          break;
        default:
          profile[s.stat] = toNum(v);
      }
    }
    out.set(name, profile);
  }
  return out;
}

export async function profileBoth(
  r: Runner,
  base: string,
  head: string,
  pairs: ColumnPair[],
  rows?: RowCounts,
): Promise<Profiles> {
  const [row] = await r.run(profileSql(r, base, head, pairs, rows), 'diff:profile');
  const b = planSide(r, pairs, 'base', rows?.base);
  const h = planSide(r, pairs, 'head', rows?.head);
  const baseRows = count(pick(row, 'b_rows'));
  const headRows = count(pick(row, 'h_rows'));
  return {
    baseRows,
    headRows,
    base: readSide(b, row, baseRows),
    head: readSide(h, row, headRows),
    percentilesSampled: b.sampleFraction !== null || h.sampleFraction !== null,
  };
}
