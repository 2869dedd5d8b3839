/**
 * Distributions: per-value counts for low-cardinality columns and shared-edge histograms for
 * numeric ones, all columns in ONE statement — one GROUPING SETS aggregate over one scan per
 * side, the two sides glued with UNION ALL. The profile decides which columns qualify. Boolean
 * columns need no statement: the profile's true and non-null counts are their value counts.
 */
import type { ColumnPair } from './schema.js';
import type { Profiles } from './profile.js';
import { count, pick, toText, type Row, type Runner } from './runner.js';
import type { DistributionBucket, DistributionDiff } from './types.js';

interface PlannedColumn {
  pair: ColumnPair;
  alias: string;
  kind: 'values' | 'histogram';
  baseExpr: string;
  headExpr: string;
  lo?: number;
  hi?: number;
  bins?: number;
}

/** A boolean column, whose value counts the profile already holds. */
interface CountedColumn {
  pair: ColumnPair;
}

/** Headroom over `distributionMaxDistinct` for estimated distinct counts. */
export const DISTINCT_MARGIN = 1.5;

export interface DistributionPlan {
  /** Columns the distribution statement groups by. */
  columns: PlannedColumn[];
  /** Boolean columns, counted from the profile without a statement. */
  counted: CountedColumn[];
}

/** The distinct count to plan with: the estimate, or for a key whose count comes later, its non-null rows (an upper bound). */
function planningDistinct(profiles: Profiles, name: string, side: 'base' | 'head'): number | null {
  const p = profiles[side].get(name);
  if (!p) return null;
  if (p.distinct !== null) return p.distinct;
  if (!profiles.distinctPending.has(name)) return null;
  return (side === 'base' ? profiles.baseRows : profiles.headRows) - p.nulls;
}

export function planDistribution(
  r: Runner,
  pairs: ColumnPair[],
  profiles: Profiles,
  maxDistinct: number,
  bins: number,
): DistributionPlan {
  const columns: PlannedColumn[] = [];
  const counted: CountedColumn[] = [];
  for (const pair of pairs) {
    if (!pair.comparable) continue;
    const bp = profiles.base.get(pair.name);
    const hp = profiles.head.get(pair.name);
    if (bp?.kind === 'boolean' && hp?.kind === 'boolean' && bp.true_count !== undefined && hp.true_count !== undefined) {
      counted.push({ pair });
      continue;
    }
    const bd = planningDistinct(profiles, pair.name, 'base');
    const hd = planningDistinct(profiles, pair.name, 'head');
    if (!bp || !hp || bd === null || hd === null) continue;
    const alias = `g${columns.length}`;
    const b = r.q(pair.base!.name);
    const h = r.q(pair.head!.name);
    // Estimates can be off by a quarter at small cardinalities (DuckDB's HyperLogLog), so the
    // threshold gets a margin; the value counts then give the exact number.
    if (Math.max(bd, hd) <= Math.ceil(maxDistinct * DISTINCT_MARGIN)) {
      // Sensitive values are grouped by their hash so that the values themselves never leave the warehouse.
      const expr = (c: string) => (pair.sensitive ? r.sql.valueHash(c) : r.sql.toText(c));
      columns.push({ pair, alias, kind: 'values', baseExpr: expr(b), headExpr: expr(h) });
      continue;
    }
    if (pair.sensitive || bp.kind !== 'number' || hp.kind !== 'number') continue;
    const mins = [bp.min, hp.min].filter((v): v is number => typeof v === 'number');
    const maxs = [bp.max, hp.max].filter((v): v is number => typeof v === 'number');
    if (!mins.length || !maxs.length) continue;
    const lo = Math.min(...mins);
    const hi = Math.max(...maxs);
    const nb = hi > lo ? bins : 1;
    columns.push({
      pair,
      alias,
      kind: 'histogram',
      baseExpr: r.sql.histogramBucket(b, lo, hi, nb),
      headExpr: r.sql.histogramBucket(h, lo, hi, nb),
      lo,
      hi,
      bins: nb,
    });
  }
  return { columns, counted };
}

function sideSql(r: Runner, plan: DistributionPlan, relation: string, side: 'b' | 'h'): string {
  const cols = plan.columns;
  const inner = cols.map((c) => `${side === 'b' ? c.baseExpr : c.headExpr} AS ${r.q(c.alias)}`).join(',\n      ');
  const flags = cols.map((c) => `GROUPING(${r.q(c.alias)}) AS ${r.q(`${c.alias}_grouped_out`)}`);
  const values = cols.map((c) => r.q(c.alias));
  const sets = cols.map((c) => `(${r.q(c.alias)})`).join(', ');
  return [
    `  SELECT ${r.dialect.stringLiteral(side)} AS ${r.q('side')}, ${[...flags, ...values].join(', ')}, count(*) AS ${r.q('n')}`,
    `  FROM (SELECT\n      ${inner}\n    FROM ${relation}) AS ir_s`,
    `  GROUP BY GROUPING SETS (${sets})`,
  ].join('\n');
}

export function distributionSql(r: Runner, plan: DistributionPlan, base: string, head: string): string {
  return `${sideSql(r, plan, base, 'b')}\nUNION ALL\n${sideSql(r, plan, head, 'h')}`;
}

function share(n: number, total: number): number {
  return total > 0 ? n / total : 0;
}

function bucket(value: string | null, base: number, head: number, baseRows: number, headRows: number): DistributionBucket {
  const base_share = share(base, baseRows);
  const head_share = share(head, headRows);
  return { value, base, head, base_share, head_share, shift: head_share - base_share };
}

function finish(kind: DistributionDiff['kind'], labelsHidden: boolean, buckets: DistributionBucket[]): DistributionDiff {
  let largest: DistributionBucket | null = null;
  for (const b of buckets) if (!largest || Math.abs(b.shift) > Math.abs(largest.shift)) largest = b;
  return {
    kind,
    labels_hidden: labelsHidden,
    buckets,
    new_values: kind === 'values' ? buckets.filter((b) => b.base === 0 && b.head > 0).map((b) => ({ value: b.value, count: b.head })) : [],
    vanished_values:
      kind === 'values' ? buckets.filter((b) => b.head === 0 && b.base > 0).map((b) => ({ value: b.value, count: b.base })) : [],
    largest_shift: largest && largest.shift !== 0 ? largest : null,
  };
}

function formatEdge(n: number): string {
  return Number.isInteger(n) ? String(n) : String(Number(n.toPrecision(6)));
}

type Counts = Map<string | null, { base: number; head: number }>;

/** The bin a histogram key belongs to: keys at or past the edges fold into the first and last bins. */
function binOf(key: string, bins: number): string {
  const k = Number(key);
  if (Number.isNaN(k)) return String(bins - 1); // NaN sorts above every number
  return String(Math.min(bins - 1, Math.max(0, Math.floor(k))));
}

function add(m: Counts, key: string | null, side: 'base' | 'head', n: number): void {
  const entry = m.get(key) ?? { base: 0, head: 0 };
  entry[side] += n;
  m.set(key, entry);
}

/** Value counts of a boolean column from its profiles: true, false and NULL rows per side. */
function countedFromProfiles(profiles: Profiles, name: string): Counts {
  const m: Counts = new Map();
  for (const side of ['base', 'head'] as const) {
    const p = profiles[side].get(name)!;
    const rows = side === 'base' ? profiles.baseRows : profiles.headRows;
    const t = p.true_count ?? 0;
    const nn = rows - p.nulls;
    if (t > 0) add(m, 'true', side, t);
    if (nn - t > 0) add(m, 'false', side, nn - t);
    if (p.nulls > 0) add(m, null, side, p.nulls);
  }
  return m;
}

function valuesDiff(pair: ColumnPair, m: Counts, baseRows: number, headRows: number): DistributionDiff {
  let entries = [...m.entries()].map(([value, e]) => bucket(value, e.base, e.head, baseRows, headRows));
  // Most frequent first; ties by value so output is deterministic.
  entries.sort((a, b) => b.base + b.head - (a.base + a.head) || String(a.value).localeCompare(String(b.value)));
  if (pair.sensitive) {
    let ordinal = 0;
    entries = entries.map((e) => (e.value === null ? e : { ...e, value: `#${++ordinal}` }));
  }
  return finish('values', pair.sensitive, entries);
}

/** Turns the GROUPING SETS rows (one grouped column per row) into per-column distributions. */
export function readDistribution(plan: DistributionPlan, rows: Row[], baseRows: number, headRows: number): Map<string, DistributionDiff> {
  const counts = plan.columns.map((): Counts => new Map());
  for (const row of rows) {
    const side = toText(pick(row, 'side')) === 'b' ? 'base' : 'head';
    const n = count(pick(row, 'n'));
    plan.columns.forEach((c, i) => {
      if (count(pick(row, `${c.alias}_grouped_out`)) !== 0) return;
      const raw = pick(row, c.alias);
      let key = raw === null || raw === undefined ? null : String(raw);
      if (key !== null && c.kind === 'histogram') key = binOf(key, c.bins!);
      add(counts[i], key, side, n);
    });
  }
  const out = new Map<string, DistributionDiff>();
  plan.columns.forEach((c, i) => {
    const m = counts[i];
    if (c.kind === 'histogram') {
      const width = (c.hi! - c.lo!) / c.bins!;
      const buckets: DistributionBucket[] = [];
      for (let k = 0; k < c.bins!; k++) {
        const e = m.get(String(k)) ?? { base: 0, head: 0 };
        const lo = c.lo! + k * width;
        const hi = k === c.bins! - 1 ? c.hi! : c.lo! + (k + 1) * width;
        const label = `[${formatEdge(lo)}, ${formatEdge(hi)}${k === c.bins! - 1 ? ']' : ')'}`;
        buckets.push({ ...bucket(label, e.base, e.head, baseRows, headRows), lo, hi });
      }
      const nulls = m.get(null);
      if (nulls) buckets.push(bucket(null, nulls.base, nulls.head, baseRows, headRows));
      out.set(c.pair.name, finish('histogram', false, buckets));
      return;
    }
    out.set(c.pair.name, valuesDiff(c.pair, m, baseRows, headRows));
  });
  return out;
}

export async function distributionBoth(
  r: Runner,
  plan: DistributionPlan,
  base: string,
  head: string,
  profiles: Profiles,
): Promise<Map<string, DistributionDiff>> {
  const out = plan.columns.length
    ? readDistribution(plan, await r.run(distributionSql(r, plan, base, head), 'diff:distribution'), profiles.baseRows, profiles.headRows)
    : new Map<string, DistributionDiff>();
  for (const { pair } of plan.counted) {
    out.set(pair.name, valuesDiff(pair, countedFromProfiles(profiles, pair.name), profiles.baseRows, profiles.headRows));
  }
  return out;
}
