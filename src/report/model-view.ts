/**
 * Per-model view data for the review: details, tests, schedule, column profiles and cost rows.
 * Figures are formatted here (one place, one style); words stay in templates/.
 */
import type { ColumnClass, ModelReport } from '../assess/types.js';
import type { TestResult } from '../assess/tests.js';
import type { RunCost } from '../cost/cost.js';
import { timesOfDay } from '../cost/schedule.js';
import type { ColumnDiff, ColumnProfile, DistributionDiff, TableDiff } from '../diff/types.js';
import {
  formatInteger,
  formatNumber,
  formatPoints,
  formatSeconds,
  formatShare,
  formatSignedNumber,
  formatSignedPercent,
  formatSignedUsd,
  formatUsd,
  percentChange,
  toNumber,
} from './format.js';
import type { Limits } from './limits.js';

export const CLASS_ICON: Record<ColumnClass, string> = { breaking: '🔴', partial: '🟠', additive: '🟢', unknown: '⚪', unchanged: '▫️' };

const TEST_ICON: Record<TestResult['status'], string> = { pass: '✅', warn: '⚠️', fail: '❌', error: '❌', skipped: '⏭️' };

export interface Truncated<T> {
  items: T[];
  more: number;
}

export function take<T>(list: readonly T[], limit: number): Truncated<T> {
  return list.length > limit ? { items: list.slice(0, limit), more: list.length - limit } : { items: [...list], more: 0 };
}

export interface TestView {
  icon: string;
  status: TestResult['status'];
  name: string;
  test_name: string;
  column: string | null;
  severity: string;
  failures: string | null;
  failing: boolean;
  reason: string | null;
  description: string | null;
}

function testView(t: TestResult): TestView {
  return {
    icon: TEST_ICON[t.status] ?? '❔',
    status: t.status,
    name: t.name,
    test_name: t.test_name,
    column: t.column_name,
    severity: t.severity,
    failures: t.failures === null ? null : formatInteger(t.failures),
    failing: t.failures !== null && t.failures > 0,
    reason: t.reason ?? null,
    description: t.description ?? null,
  };
}

interface ProfileRow {
  metric: string;
  base: string;
  head: string;
  change: string;
}

function metricValue(value: unknown): string {
  if (value === undefined) return '';
  if (value === null) return 'NULL';
  return toNumber(value) !== null && typeof value !== 'string' ? formatNumber(value, 2) : String(value);
}

function deltaOf(base: unknown, head: unknown): string {
  const b = toNumber(base);
  const h = toNumber(head);
  if (b === null || h === null || typeof base === 'string' || typeof head === 'string') return '';
  if (b === h) return '=';
  const pct = percentChange(b, h);
  return pct === null ? formatSignedNumber(h - b) : `${formatSignedNumber(h - b)} (${formatSignedPercent(pct)})`;
}

const METRICS: { key: keyof ColumnProfile; label: string }[] = [
  { key: 'nulls', label: 'nulls' },
  { key: 'distinct', label: 'distinct' },
  { key: 'min', label: 'min' },
  { key: 'max', label: 'max' },
  { key: 'avg', label: 'avg' },
  { key: 'sum', label: 'sum' },
];

function profileRows(col: ColumnDiff): ProfileRow[] {
  const rows: ProfileRow[] = [];
  for (const { key, label } of METRICS) {
    // Sensitive columns: min/max would print values; counts and aggregates of numbers are fine.
    if (col.sensitive && (key === 'min' || key === 'max')) continue;
    const b = col.base?.[key];
    const h = col.head?.[key];
    if ((b === undefined || b === null) && (h === undefined || h === null) && key !== 'nulls') continue;
    rows.push({ metric: label, base: col.base ? metricValue(b) : '—', head: col.head ? metricValue(h) : '—', change: col.base && col.head ? deltaOf(b, h) : '' });
  }
  return rows;
}

interface ValueRow {
  value: string | null;
  base: string;
  head: string;
  base_share: string;
  head_share: string;
  shift: string;
}

function valueRows(dist: DistributionDiff, limit: number): Truncated<ValueRow> {
  const rows = [...dist.buckets]
    .sort((a, b) => Math.max(b.base, b.head) - Math.max(a.base, a.head))
    .map((b) => ({
      value: b.value,
      base: formatInteger(b.base),
      head: formatInteger(b.head),
      base_share: formatShare(b.base_share),
      head_share: formatShare(b.head_share),
      shift: formatPoints(b.shift * 100),
    }));
  return take(rows, limit);
}

export interface ColumnView {
  name: string;
  description: string;
  data_type: string | null;
  class: ColumnClass;
  icon: string;
  renamed_from: string | null;
  sensitive: boolean;
  profile: ProfileRow[] | null;
  values: Truncated<ValueRow> | null;
  values_hidden: boolean;
}

/** The diff's entry for a head column: keyed by either name, matched case-insensitively. */
function columnDiff(diff: TableDiff | null, name: string): [ColumnDiff | null, DistributionDiff | null] {
  if (!diff) return [null, null];
  const lower = name.toLowerCase();
  const entry = Object.entries(diff.columns).find(([k, c]) => k.toLowerCase() === lower || c.head_name?.toLowerCase() === lower);
  const dist = Object.entries(diff.distribution).find(([k]) => k.toLowerCase() === lower || (entry && k === entry[0]))?.[1] ?? null;
  return [entry?.[1] ?? null, dist];
}

function columnViews(model: ModelReport, limits: Limits): Truncated<ColumnView> {
  const diff = model.probe?.diff ?? null;
  const views = model.columns.map((c): ColumnView => {
    const [col, dist] = columnDiff(diff, c.name);
    const hidden = Boolean(col?.sensitive || dist?.labels_hidden);
    return {
      name: c.name,
      description: c.description,
      data_type: c.data_type ?? col?.head?.type ?? null,
      class: c.class,
      icon: CLASS_ICON[c.class],
      renamed_from: col && col.base_name && col.head_name && col.base_name !== col.head_name ? col.base_name : null,
      sensitive: hidden,
      profile: col ? profileRows(col) : null,
      values: dist && dist.kind === 'values' && !hidden ? valueRows(dist, limits.values) : null,
      values_hidden: Boolean(dist && hidden),
    };
  });
  return take(views, limits.columns);
}

export interface RunView {
  seconds: string;
  source: string;
  usd: string;
  usd_if_resumed: string;
}

function runView(run: RunCost | null): RunView | null {
  if (!run) return null;
  return { seconds: formatSeconds(run.seconds), source: run.source, usd: formatUsd(run.usd, true), usd_if_resumed: formatUsd(run.usd_if_resumed, true) };
}

function cronTimes(cron: string): string | null {
  const times = timesOfDay(cron);
  return times ? times.join(', ') : null;
}

/** `m h * * *`: the same times every day. */
function isDaily(cron: string): boolean {
  const f = cron.trim().split(/\s+/);
  return f.length === 5 && f[2] === '*' && f[3] === '*' && f[4] === '*';
}

function origin(o: { kind: 'config' } | { kind: 'airflow'; file: string; line: number }): string {
  return o.kind === 'airflow' ? `${o.file}:${o.line}` : 'config';
}

export function modelView(model: ModelReport, limits: Limits) {
  const probe = model.probe;
  const tests = take((probe?.tests ?? []).map(testView), limits.tests);
  const counts = { pass: 0, warn: 0, fail: 0, error: 0, skipped: 0 } as Record<TestResult['status'], number>;
  for (const t of probe?.tests ?? []) counts[t.status] = (counts[t.status] ?? 0) + 1;
  const schedule = model.schedule;
  const cost = model.cost;
  const diff = probe?.diff ?? null;
  return {
    unique_id: model.unique_id,
    name: model.name,
    status: model.change.status,
    file: model.original_file_path,
    materialized: model.materialized,
    database: model.database,
    schema: model.schema,
    relation: model.relation_name,
    tags: model.tags,
    owner: model.owner,
    group: model.group ?? null,
    description: model.description,
    class: model.change.class,
    class_icon: CLASS_ICON[model.change.class],
    reasons: model.change.reasons,
    semantic: take(model.change.semantic, limits.keyChanges),
    semantic_status: model.change.semantic_status,
    semantic_reason: model.change.semantic_reason ?? null,
    select_summary: model.change.select_summary ?? null,
    problems: model.problems,
    no_baseline: !probe?.production_relation,
    probe: probe
      ? {
          production_relation: probe.production_relation,
          pr_relation: probe.pr_relation,
          build_status: probe.build.status,
          build_seconds: formatSeconds(probe.build.seconds),
          build_message: probe.build.message ?? null,
          skipped_by: probe.skipped_by ?? null,
          rows_estimate: probe.rows_estimate ?? null,
          diff_error: probe.diff_error ?? null,
          rows: diff ? { base: formatInteger(diff.rows.base), head: formatInteger(diff.rows.head), change: deltaOf(diff.rows.base, diff.rows.head) } : null,
          removed_columns: diff?.schema.removed ?? [],
          identical: diff?.identical ?? false,
          keyed: diff ? keyedChange(diff) : null,
        }
      : null,
    tests,
    tests_total: probe?.tests.length ?? 0,
    test_counts: counts,
    columns: columnViews(model, limits),
    cost: cost
      ? {
          before: runView(cost.before),
          after: runView(cost.after),
          runs_per_month: formatNumber(cost.runs_per_month, 2),
          monthly_before: formatUsd(cost.monthly_before_usd),
          monthly_after: formatUsd(cost.monthly_after_usd),
          monthly_change: formatSignedUsd(cost.monthly_change_usd),
          monthly_change_pct: cost.monthly_change_pct === null ? null : formatSignedPercent(cost.monthly_change_pct),
        }
      : null,
    schedule: schedule
      ? {
          jobs: schedule.jobs.map((j) => ({ name: j.name, cron: j.cron, timezone: j.timezone, times: cronTimes(j.cron), runs_per_month: formatNumber(j.runs_per_month, 2), origin: origin(j.origin) })),
          runs_per_month: formatNumber(schedule.runs_per_month, 2),
          requested: schedule.requested
            ? { cron: schedule.requested.cron, source: schedule.requested.source, times: cronTimes(schedule.requested.cron), daily: isDaily(schedule.requested.cron) }
            : null,
          mismatch: schedule.mismatch,
        }
      : null,
  };
}

export type ModelView = ReturnType<typeof modelView>;

/** Keyed row counts and the columns whose values differ: what a data-only change (a seed) did; null without a key. */
export function keyedChange(diff: TableDiff): { added: number; removed: number; changed: number; columns: string[] } | null {
  const { added, removed, changed } = diff.rows;
  if (added === null || removed === null || changed === null) return null;
  return { added, removed, changed, columns: Object.entries(diff.columns).filter(([, c]) => (c.mismatched ?? 0) > 0).map(([name]) => name) };
}
