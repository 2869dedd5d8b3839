/**
 * Column profiles: ONE statement, two aggregate scans (one per side) cross-joined into a single
 * row, every column's statistics in the same SELECT list. Nothing but aggregates comes back.
 *
 * The same scan carries the whole-table hash of the identical check when it is worth computing
 * (same schema, and row counts equal or unknown), so that check costs no scan of its own.
 *
 * What is deliberately not computed here, because a cheaper exact figure exists:
 * - `avg`: sum / non-null count, in Node;
 * - distinct of a boolean: from the true and non-null counts;
 * - distinct of a single-column primary key: from the value diff's duplicate and NULL key counts
 *   (listed in `distinctPending` until then);
 * - distinct of a low-cardinality column is replaced later by the exact count of its values.
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
  /** Whole-table hashes, when asked for. */
  hashes: { base: string | null; head: string | null } | null;
  /** Columns whose distinct count is filled in by a later stage (`distinct` is null until then). */
  distinctPending: Set<string>;
}

/** Known row counts let DuckDB sample its percentiles on large tables. */
export interface RowCounts {
  base: number;
  head: number;
}

export interface ProfileOptions {
  /** Row counts from an earlier statement, when the dialect samples percentiles by size. */
  rows?: RowCounts;
  /** Add the whole-table hash of every column both sides share (the identical check). */
  withHash?: boolean;
  /** Columns (by pair name) whose distinct count another stage computes exactly. */
  distinctLater?: ReadonlySet<string>;
}

type Stat = 'nn' | 'distinct' | 'min' | 'max' | 'sum' | 'stddev' | 'p25' | 'p50' | 'p75' | 'percentiles' | 'min_length' | 'max_length' | 'true_count';

interface PlannedStat {
  alias: string;
  stat: Stat;
  sql: string;
}

/** Name of the per-row flag that selects the percentile sample (DuckDB, large tables). */
const SAMPLE_FLAG = 'ir_pct_sample';

/** The statistics one column gets, by kind; sensitive columns get counts only. */
function statsFor(r: Runner, col: ColumnType, sensitive: boolean, prefix: string, sampled: boolean, distinctLater: boolean): PlannedStat[] {
  const c = r.q(col.name);
  const d = r.sql;
  const out: PlannedStat[] = [{ alias: `${prefix}_nn`, stat: 'nn', sql: `count(${c})` }];
  if (uncomparableReason(col.kind)) return out;
  const add = (stat: Stat, sql: string) => out.push({ alias: `${prefix}_${stat}`, stat, sql });
  // A HyperLogLog sketch per column is the costliest aggregate of the scan: skip it where an
  // exact figure comes for free.
  if (col.kind !== 'boolean' && !distinctLater) add('distinct', d.distinct(c));
  switch (col.kind) {
    case 'number':
      if (sensitive) break;
      add('min', d.toDouble(`min(${c})`));
      add('max', d.toDouble(`max(${c})`));
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
  /** Fraction of rows the percentiles see, when sampled. */
  sampleFraction: number | null;
  hashAlias: string | null;
}

function planSide(r: Runner, pairs: ColumnPair[], side: 'base' | 'head', options: ProfileOptions): SidePlan {
  const prefix = side === 'base' ? 'b' : 'h';
  const limit = r.sql.percentileSampleRows;
  const rows = options.rows?.[side];
  const sampleFraction = limit !== null && rows !== undefined && rows > limit ? limit / rows : null;
  const plan: SidePlan = { select: [`count(*) AS ${r.q(`${prefix}_rows`)}`], columns: [], sampleFraction, hashAlias: null };
  if (options.withHash) {
    // Both sides hash the same columns in the same order, so equal rows hash equally.
    const shared = pairs.filter((p) => p.base && p.head).map((p) => r.q(p[side]!.name));
    plan.hashAlias = `${prefix}_hash`;
    plan.select.push(`${r.sql.tableHash(shared)} AS ${r.q(plan.hashAlias)}`);
  }
  pairs.forEach((p, i) => {
    const col = p[side];
    if (!col) return;
    const stats = statsFor(r, col, p.sensitive, `${prefix}${i}`, sampleFraction !== null, options.distinctLater?.has(p.name) ?? false);
    plan.columns.push({ name: p.name, col, stats });
    for (const s of stats) plan.select.push(`${s.sql} AS ${r.q(s.alias)}`);
  });
  return plan;
}

function source(r: Runner, relation: string, plan: SidePlan): string {
  if (plan.sampleFraction === null) return relation;
  // The flag is computed once per row and shared by every column's percentiles.
  return `(SELECT *, ${r.sql.sampleFlag(plan.sampleFraction)} AS ${r.q(SAMPLE_FLAG)} FROM ${relation}) AS ir_src`;
}

export function profileSql(r: Runner, base: string, head: string, pairs: ColumnPair[], options: ProfileOptions = {}): string {
  const b = planSide(r, pairs, 'base', options);
  const h = planSide(r, pairs, 'head', options);
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
    let nn = 0;
    for (const s of stats) {
      const v = pick(row, s.alias);
      switch (s.stat) {
        case 'nn':
          nn = count(v);
          profile.nulls = rows - nn;
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
    if (profile.sum !== undefined) profile.avg = profile.sum !== null && nn > 0 ? profile.sum / nn : null;
    if (col.kind === 'boolean' && profile.true_count !== undefined) {
      const t = profile.true_count ?? 0;
      profile.distinct = (t > 0 ? 1 : 0) + (nn - t > 0 ? 1 : 0);
      profile.distinct_exact = true;
    }
    out.set(name, orderKeys(profile));
  }
  return out;
}

/** The profile's fields in a fixed order (JSON readers see avg next to sum, as before). */
function orderKeys(p: ColumnProfile): ColumnProfile {
  const order: (keyof ColumnProfile)[] = [
    'kind', 'type', 'nulls', 'distinct', 'distinct_exact', 'min', 'max', 'avg', 'sum', 'stddev', 'p25', 'p50', 'p75',
    'min_length', 'max_length', 'true_count',
  ];
  const out: Record<string, unknown> = {};
  for (const k of order) if (k in p) out[k] = p[k];
  return out as unknown as ColumnProfile;
}

export async function profileBoth(
  r: Runner,
  base: string,
  head: string,
  pairs: ColumnPair[],
  options: ProfileOptions = {},
): Promise<Profiles> {
  const [row] = await r.run(profileSql(r, base, head, pairs, options), 'diff:profile');
  const b = planSide(r, pairs, 'base', options);
  const h = planSide(r, pairs, 'head', options);
  const baseRows = count(pick(row, 'b_rows'));
  const headRows = count(pick(row, 'h_rows'));
  const distinctPending = new Set<string>();
  for (const p of pairs) if (p.comparable && options.distinctLater?.has(p.name)) distinctPending.add(p.name);
  return {
    baseRows,
    headRows,
    base: readSide(b, row, baseRows),
    head: readSide(h, row, headRows),
    percentilesSampled: b.sampleFraction !== null || h.sampleFraction !== null,
    hashes: b.hashAlias && h.hashAlias ? { base: toText(pick(row, b.hashAlias)), head: toText(pick(row, h.hashAlias)) } : null,
    distinctPending,
  };
}
