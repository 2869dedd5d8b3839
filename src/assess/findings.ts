import type { ImpactReviewConfig } from './config.js';
import type { DownstreamNode, Finding, FindingSeverity, ModelReport } from './types.js';

/**
 * Turns measured evidence (diffs, tests, builds, cost, schedule, lineage) into findings, each with
 * its figure and the threshold that made it one. Severity rules, briefly:
 * - blocker: the PR version fails to build or render, an error-severity test fails past the
 *   tolerated count, a removed model is still referenced, a removed column is read downstream, or
 *   a measured shift past a threshold reaches a dashboard;
 * - warning: the same shifts without a dashboard downstream, warn-level tests, cost, schedule;
 * - info: additive changes.
 */
export interface FindingsInput {
  config: ImpactReviewConfig;
  models: ModelReport[];
  downstream: DownstreamNode[];
  exposures: DownstreamNode[];
  /** Removed models that head nodes still ref: model id → the referencing ids. */
  danglingRefs: Record<string, string[]>;
  /** Per model: removed columns replaced by added ones computed from the same sources. */
  replacements?: Record<string, { base: string; head: string }[]>;
  /** Findings decided elsewhere (the limits the review hit), sorted in with the rest. */
  also?: Finding[];
}

const pct = (value: number) => Math.round(value * 1000) / 10;

export function collectFindings(input: FindingsInput): Finding[] {
  const { config, models } = input;
  const t = config.thresholds;
  const findings: Finding[] = [];
  const reachesExposure = new Set(input.exposures.flatMap((e) => (e.impact === 'unchanged' || e.impact === 'additive' ? [] : e.via)));
  const impactedColumns = new Map<string, Set<string>>();
  for (const d of input.downstream) {
    for (const col of d.impacted_columns) {
      for (const via of d.via) {
        const set = impactedColumns.get(via) ?? new Set<string>();
        set.add(col.toLowerCase());
        impactedColumns.set(via, set);
      }
    }
  }
  const add = (f: Finding) => findings.push(f);
  const escalate = (id: string): FindingSeverity => (reachesExposure.has(id) ? 'blocker' : 'warning');

  for (const model of models) {
    const id = model.unique_id;
    for (const problem of model.problems) {
      if (problem.severity === 'error') add({ kind: 'render_error', severity: 'blocker', unique_id: id, figures: { file: problem.file, line: problem.line ?? null, message: problem.message } });
    }
    const probe = model.probe;
    if (!probe) continue;
    if (probe.build.status === 'failed') {
      add({ kind: 'build_failed', severity: 'blocker', unique_id: id, figures: { message: probe.build.message ?? '' } });
    }
    if (probe.diff_error) add({ kind: 'diff_failed', severity: 'warning', unique_id: id, figures: { message: probe.diff_error } });

    const errorFailures = probe.tests.filter((r) => r.status === 'fail');
    if (errorFailures.length > t.test_failures) {
      for (const r of errorFailures) add({ kind: 'test_failed', severity: 'blocker', unique_id: id, column: r.column_name, figures: { test: r.name, test_name: r.test_name, failures: r.failures }, threshold: { key: 'thresholds.test_failures', value: t.test_failures } });
    }
    for (const r of probe.tests.filter((x) => x.status === 'warn')) add({ kind: 'test_warned', severity: 'warning', unique_id: id, column: r.column_name, figures: { test: r.name, test_name: r.test_name, failures: r.failures } });
    for (const r of probe.tests.filter((x) => x.status === 'error')) add({ kind: 'test_error', severity: 'warning', unique_id: id, column: r.column_name, figures: { test: r.name, reason: r.reason ?? '' } });

    const diff = probe.diff;
    if (diff && !diff.identical) {
      const read = impactedColumns.get(id) ?? new Set<string>();
      for (const column of diff.schema.removed) {
        add({ kind: 'schema_column_removed', severity: read.has(column.toLowerCase()) ? 'blocker' : 'warning', unique_id: id, column, figures: { read_downstream: read.has(column.toLowerCase()) } });
      }
      for (const change of diff.schema.type_changes) add({ kind: 'schema_type_changed', severity: 'warning', unique_id: id, column: change.column, figures: { base: change.base, head: change.head } });
      for (const column of diff.schema.added) add({ kind: 'schema_column_added', severity: 'info', unique_id: id, column, figures: {} });

      const { base, head } = diff.rows;
      if (base > 0) {
        const change = (head - base) / base;
        if (Math.abs(change) * 100 >= t.row_count_change_pct) {
          add({ kind: 'row_count_changed', severity: 'warning', unique_id: id, figures: { base, head, change_pct: pct(change) }, threshold: { key: 'thresholds.row_count_change_pct', value: t.row_count_change_pct } });
        }
      }
      if (diff.rows.changed !== null && diff.rows.unchanged !== null) {
        const matched = diff.rows.changed + diff.rows.unchanged;
        if (matched > 0 && (diff.rows.changed / matched) * 100 >= t.changed_rows_pct) {
          add({ kind: 'rows_changed', severity: 'warning', unique_id: id, figures: { changed: diff.rows.changed, matched, added: diff.rows.added, removed: diff.rows.removed, changed_pct: pct(diff.rows.changed / matched) }, threshold: { key: 'thresholds.changed_rows_pct', value: t.changed_rows_pct } });
        }
      }
      for (const [column, dist] of Object.entries(diff.distribution)) {
        // Every value or bin whose share moved past the threshold: a category that shrank is as
        // telling as the one that grew. Not for a column whose values are all unique (a small
        // table's key): each is 1/rows of it, and rows added or removed are reported as such.
        const allUnique = dist.kind === 'values' && dist.buckets.every((b) => b.base <= 1 && b.head <= 1);
        const shifted = allUnique ? [] : dist.buckets.filter((b) => Math.abs(b.shift) * 100 >= t.distribution_shift_pct);
        for (const shift of shifted.sort((a, b) => Math.abs(b.shift) - Math.abs(a.shift))) {
          add({
            kind: 'distribution_shift',
            severity: escalate(id),
            unique_id: id,
            column,
            figures: {
              value: dist.labels_hidden ? null : shift.value,
              bin: dist.kind === 'histogram' ? { lo: shift.lo ?? null, hi: shift.hi ?? null } : null,
              base_count: shift.base,
              head_count: shift.head,
              base_share_pct: pct(shift.base_share),
              head_share_pct: pct(shift.head_share),
              shift_pct_points: pct(shift.shift),
              count_change_pct: shift.base > 0 ? pct((shift.head - shift.base) / shift.base) : null,
            },
            threshold: { key: 'thresholds.distribution_shift_pct', value: t.distribution_shift_pct },
          });
        }
        if (dist.kind === 'values' && dist.new_values.length) {
          add({ kind: 'new_values', severity: 'warning', unique_id: id, column, figures: { values: dist.labels_hidden ? null : dist.new_values, count: dist.new_values.length, base_distinct: dist.buckets.filter((b) => b.base > 0).length, head_distinct: dist.buckets.filter((b) => b.head > 0).length } });
        }
        if (dist.kind === 'values' && dist.vanished_values.length) {
          add({ kind: 'vanished_values', severity: 'warning', unique_id: id, column, figures: { values: dist.labels_hidden ? null : dist.vanished_values, count: dist.vanished_values.length } });
        }
      }
      // A total that moved past the threshold: per column, and from a removed column to the added one replacing it.
      const totalChanged = (column: string, before: unknown, after: unknown, names: Record<string, string>) => {
        if (typeof before !== 'number' || typeof after !== 'number' || before === 0) return;
        const change = (after - before) / Math.abs(before);
        if (Math.abs(change) * 100 < t.total_change_pct) return;
        add({ kind: 'total_changed', severity: escalate(id), unique_id: id, column, figures: { base: before, head: after, change_pct: pct(change), ...names }, threshold: { key: 'thresholds.total_change_pct', value: t.total_change_pct } });
      };
      for (const pair of input.replacements?.[id] ?? []) {
        totalChanged(pair.head, diff.columns[pair.base]?.base?.sum, diff.columns[pair.head]?.head?.sum, { base_column: pair.base, head_column: pair.head });
      }
      for (const [column, col] of Object.entries(diff.columns)) totalChanged(column, col.base?.sum, col.head?.sum, {});
    }
    const cost = model.cost;
    if (cost && cost.monthly_change_usd !== null) {
      const overUsd = cost.monthly_change_usd >= t.cost_increase_usd_month;
      const overPct = cost.monthly_change_pct !== null && cost.monthly_change_pct >= t.cost_increase_pct && cost.monthly_change_usd > 0;
      if (overUsd || overPct) {
        add({ kind: 'cost_increase', severity: 'warning', unique_id: id, figures: { before_usd: cost.monthly_before_usd, after_usd: cost.monthly_after_usd, change_usd: cost.monthly_change_usd, change_pct: cost.monthly_change_pct }, threshold: overUsd ? { key: 'thresholds.cost_increase_usd_month', value: t.cost_increase_usd_month } : { key: 'thresholds.cost_increase_pct', value: t.cost_increase_pct } });
      }
    }
    const schedule = model.schedule;
    if (schedule?.mismatch && schedule.requested) {
      add({ kind: 'schedule_mismatch', severity: 'warning', unique_id: id, figures: { requested: schedule.requested.cron, requested_source: schedule.requested.source, jobs: schedule.jobs.map((j) => ({ name: j.name, cron: j.cron })) } });
    }
    if (model.change.reasons.some((r) => r.kind === 'contract')) add({ kind: 'contract_changed', severity: 'warning', unique_id: id, figures: {} });
  }

  for (const exposure of input.exposures) {
    if (exposure.impact === 'unchanged' || exposure.impact === 'additive') continue;
    add({ kind: 'exposure_affected', severity: exposure.impact === 'breaking' ? 'blocker' : 'warning', unique_id: exposure.unique_id, figures: { name: exposure.exposure?.label ?? exposure.name, impact: exposure.impact, owner: exposure.owner, via: exposure.via } });
  }
  const breakingDownstream = input.downstream.filter((d) => d.impact === 'breaking');
  if (breakingDownstream.length) {
    add({ kind: 'downstream_breaking', severity: 'warning', unique_id: null, figures: { count: breakingDownstream.length, models: breakingDownstream.map((d) => d.name) } });
  }
  for (const [removed, users] of Object.entries(input.danglingRefs)) {
    add({ kind: 'model_removed_still_referenced', severity: 'blocker', unique_id: removed, figures: { referenced_by: users } });
  }
  findings.push(...(input.also ?? []));
  const order: Record<FindingSeverity, number> = { blocker: 0, warning: 1, info: 2 };
  return findings.sort((a, b) => order[a.severity] - order[b.severity]);
}
