/**
 * Human-readable rendering of a `TableDiff` for terminals and logs; JSON output is the object
 * itself (`formatDiffJson`).
 */
import type { ColumnDiff, ColumnProfile, DistributionBucket, TableDiff } from './types.js';

const STATS: (keyof ColumnProfile)[] = [
  'nulls',
  'distinct',
  'min',
  'max',
  'avg',
  'sum',
  'stddev',
  'p25',
  'p50',
  'p75',
  'min_length',
  'max_length',
  'true_count',
];

function fmtNum(n: number): string {
  if (Number.isInteger(n)) return n.toLocaleString('en-US');
  const abs = Math.abs(n);
  return abs >= 1000 ? n.toLocaleString('en-US', { maximumFractionDigits: 2 }) : String(Number(n.toPrecision(6)));
}

function fmt(v: unknown): string {
  if (v === null || v === undefined) return '—';
  if (typeof v === 'number') return fmtNum(v);
  return String(v);
}

function pct(n: number): string {
  return `${(n * 100).toFixed(1)}%`;
}

function delta(base: unknown, head: unknown): [string, string] {
  // A statistic only one side has (a type change between kinds) has no delta.
  if (base === undefined || head === undefined) return ['', ''];
  if (typeof base !== 'number' || typeof head !== 'number') return [base === head ? '' : 'changed', ''];
  const d = head - base;
  if (d === 0) return ['0', ''];
  const sign = d > 0 ? '+' : '';
  const rel = base !== 0 ? `${sign}${((d / Math.abs(base)) * 100).toFixed(1)}%` : 'new';
  return [`${sign}${fmtNum(d)}`, rel];
}

/** Left-aligns the first column and right-aligns the rest. */
function table(header: string[], rows: string[][], indent = '  '): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    indent +
    cells
      .map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i])))
      .join('  ')
      .trimEnd();
  return [line(header), indent + widths.map((w) => '─'.repeat(w)).join('  '), ...rows.map(line)];
}

function columnChanged(c: ColumnDiff): boolean {
  if ((c.mismatched ?? 0) > 0 || !c.base || !c.head) return true;
  return STATS.some((s) => c.base![s] !== c.head![s]);
}

export function formatDiffText(diff: TableDiff): string {
  const out: string[] = [];
  out.push(`Diff ${diff.base} → ${diff.head} (${diff.warehouse}, ${diff.queries} queries)`);
  if (diff.identical) {
    out.push(`Identical: ${fmtNum(diff.rows.base)} rows, same schema and content.`);
    return out.join('\n') + '\n';
  }

  out.push('', 'Schema');
  const s = diff.schema;
  if (!s.added.length && !s.removed.length && !s.type_changes.length && !s.renamed.length) out.push('  no changes');
  for (const c of s.added) out.push(`  + ${c}  (${diff.columns[c]?.head?.type ?? 'added'})`);
  for (const c of s.removed) out.push(`  - ${c}  (${diff.columns[c]?.base?.type ?? 'removed'})`);
  for (const t of s.type_changes) out.push(`  ~ ${t.column}  ${t.base} → ${t.head}`);
  for (const r of s.renamed) out.push(`  > ${r.base} renamed to ${r.head}`);
  for (const k of diff.skipped) out.push(`  ! ${k.column} (${k.type}, ${k.side}) not compared: ${k.reason}`);

  out.push('', `Rows${diff.primary_key ? ` (key: ${diff.primary_key.join(', ')})` : ''}`);
  const [d, rel] = delta(diff.rows.base, diff.rows.head);
  const rowRows = [['total', fmt(diff.rows.base), fmt(diff.rows.head), d, rel]];
  if (diff.rows.added !== null) {
    for (const k of ['added', 'removed', 'changed', 'unchanged'] as const) rowRows.push([k, '', fmt(diff.rows[k]), '', '']);
  }
  out.push(...table(['', 'base', 'head', 'delta', '%'], rowRows));

  const changed = Object.entries(diff.columns).filter(([, c]) => columnChanged(c));
  const unchanged = Object.keys(diff.columns).filter((n) => !changed.some(([m]) => m === n));
  out.push('', 'Columns');
  const colRows: string[][] = [];
  for (const [name, c] of changed) {
    const mismatched = c.mismatched === null ? '' : fmt(c.mismatched);
    colRows.push([name, c.base_name && c.head_name ? '' : c.base_name ? '(removed)' : '(added)', '', '', '', '', mismatched]);
    for (const stat of STATS) {
      const b = c.base?.[stat];
      const h = c.head?.[stat];
      if (b === undefined && h === undefined) continue;
      const [dd, rr] = c.base && c.head ? delta(b, h) : ['', ''];
      colRows.push([`  ${stat}`, '', fmt(b), fmt(h), dd, rr, '']);
    }
  }
  if (colRows.length) out.push(...table(['column', '', 'base', 'head', 'delta', '%', 'mismatched'], colRows));
  if (unchanged.length) out.push(`  unchanged: ${unchanged.join(', ')}`);

  const shifts: { column: string; b: DistributionBucket }[] = [];
  const valueLines: string[] = [];
  for (const [column, dist] of Object.entries(diff.distribution)) {
    for (const b of dist.buckets) if (b.shift !== 0) shifts.push({ column, b });
    if (dist.new_values.length) {
      valueLines.push(`  ${column}: new ${dist.new_values.map((v) => `${fmt(v.value)} (${fmtNum(v.count)})`).join(', ')}`);
    }
    if (dist.vanished_values.length) {
      valueLines.push(`  ${column}: vanished ${dist.vanished_values.map((v) => `${fmt(v.value)} (${fmtNum(v.count)})`).join(', ')}`);
    }
  }
  if (shifts.length || valueLines.length) {
    out.push('', 'Distribution shifts');
    out.push(...valueLines);
    shifts.sort((a, b) => Math.abs(b.b.shift) - Math.abs(a.b.shift));
    const top = shifts
      .slice(0, 10)
      .map(({ column, b }) => [column, fmt(b.value ?? 'NULL'), fmt(b.base), fmt(b.head), pct(b.base_share), pct(b.head_share), `${b.shift > 0 ? '+' : ''}${(b.shift * 100).toFixed(1)} pt`]);
    if (top.length) out.push(...table(['column', 'value', 'base', 'head', 'base %', 'head %', 'shift'], top));
  }

  if (diff.warnings.length) out.push('', 'Warnings', ...diff.warnings.map((w) => `  ! ${w}`));
  const notes = [...diff.notes];
  if (diff.distinct_method === 'approx') notes.push('Distinct counts are estimates (HyperLogLog).');
  if (diff.percentile_method === 'approx') notes.push('Percentiles are estimates (quantile sketches or a random sample).');
  if (notes.length) out.push('', 'Notes', ...notes.map((n) => `  - ${n}`));
  if (diff.samples.length) {
    out.push('', 'Sample of changed rows');
    for (const s of diff.samples) {
      const key = Object.entries(s.key)
        .map(([k, v]) => `${k}=${fmt(v)}`)
        .join(', ');
      const changes = Object.entries(s.changes)
        .map(([c, [b, h]]) => `${c}: ${fmt(b)} → ${fmt(h)}`)
        .join('; ');
      out.push(`  ${key}  ${changes}`);
    }
  }
  return out.join('\n') + '\n';
}

export function formatDiffJson(diff: TableDiff): string {
  return JSON.stringify(diff, null, 2);
}
