/**
 * Distributions: per-value counts for low-cardinality columns and shared-edge histograms for
 * numeric ones, all columns in ONE statement — one GROUPING SETS aggregate over one scan per
 * side, the two sides glued with UNION ALL. The profile decides which columns qualify.
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

/** Headroom over `distributionMaxDistinct` for estimated distinct counts. */
export const DISTINCT_MARGIN = 1.5;

export interface DistributionPlan {
  columns: PlannedColumn[];
}

export function planDistribution(
  r: Runner,
  pairs: ColumnPair[],
  profiles: Profiles,
  maxDistinct: number,
  bins: number,
): DistributionPlan {
  const columns: PlannedColumn[] = [];
  for (const pair of pairs) {
    if (!pair.comparable) continue;
    const bp = profiles.base.get(pair.name);
    const hp = profiles.head.get(pair.name);
    if (!bp || !hp || bp.distinct === null || hp.distinct === null) continue;
    const alias = `g${columns.length}`;
    const b = r.q(pair.base!.name);
    const h = r.q(pair.head!.name);
    // Estimates can be off by a quarter at small cardinalities (DuckDB's HyperLogLog), so the
    // threshold gets a margin; the value counts then give the exact number.
    if (Math.max(bp.distinct, hp.distinct) <= Math.ceil(maxDistinct * DISTINCT_MARGIN)) {
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
  return { columns };
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

/** Turns the GROUPING SETS rows (one grouped column per row) into per-column distributions. */
export function readDistribution(plan: DistributionPlan, rows: Row[], baseRows: number, headRows: number): Map<string, DistributionDiff> {
  const counts = plan.columns.map(() => new Map<string | null, { base: number; head: number }>());
  for (const row of rows) {
    const side = toText(pick(row, 'side'));
    const n = count(pick(row, 'n'));
    plan.columns.forEach((c, i) => {
      if (count(pick(row, `${c.alias}_grouped_out`)) !== 0) return;
      const raw = pick(row, c.alias);
      const key = raw === null || raw === undefined ? null : String(raw);
      const entry = counts[i].get(key) ?? { base: 0, head: 0 };
      if (side === 'b') entry.base += n;
      else entry.head += n;
      counts[i].set(key, entry);
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
    let entries = [...m.entries()].map(([value, e]) => bucket(value, e.base, e.head, baseRows, headRows));
    // Most frequent first; ties by value so output is deterministic.
    entries.sort((a, b) => b.base + b.head - (a.base + a.head) || String(a.value).localeCompare(String(b.value)));
    if (c.pair.sensitive) {
      let ordinal = 0;
      entries = entries.map((e) => (e.value === null ? e : { ...e, value: `#${++ordinal}` }));
    }
    out.set(c.pair.name, finish('values', c.pair.sensitive, entries));
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
  if (!plan.columns.length) return new Map();
  const rows = await r.run(distributionSql(r, plan, base, head), 'diff:distribution');
  return readDistribution(plan, rows, profiles.baseRows, profiles.headRows);
}
