import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { demoCommand } from '../../src/cli/commands/demo.js';

/** `npm run demo`: the example's PR 1 re-enacts the hand-written CLTV review, every figure computed. */
describe('the demo', () => {
  const dirs: string[] = [];
  afterAll(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));
  const run = async (pr: string, format = 'json') => {
    const dir = await mkdtemp(join(tmpdir(), 'ir-demo-'));
    dirs.push(dir);
    return demoCommand(['--pr', pr, '--workdir', dir, '--format', format, '--quiet']);
  };

  it('PR 1 is NOT SAFE, names Finance and Growth, and carries the measured shift, totals, lineage, cost, tests and schedule', async () => {
    const a = JSON.parse(await run('1'));
    expect(a.verdict).toBe('NOT_SAFE');
    expect(a.required_approvals.map((r: { team: string }) => r.team)).toEqual(['finance', 'growth']);
    const model = a.models.find((m: { name: string }) => m.name === 'mart_customer_revenue');
    const segments = model.probe.diff.distribution.cltv_segment;
    expect(segments.new_values).toEqual([{ value: 'Medium', count: 695 }]);
    expect(segments.buckets.find((b: { value: string }) => b.value === 'High')).toMatchObject({ base: 1061, head: 370 });
    const shift = a.findings.find((f: { kind: string; figures: { value: string } }) => f.kind === 'distribution_shift' && f.figures.value === 'High');
    expect(shift.figures).toMatchObject({ base_count: 1061, head_count: 370 });
    const totals = a.findings.find((f: { kind: string; figures: { base_column?: string } }) => f.kind === 'total_changed' && f.figures.base_column === 'total_revenue');
    expect(totals.figures).toMatchObject({ head_column: 'net_revenue_90d', base: 53012818.76, head: 11232591.49 });
    expect(a.downstream.filter((d: { impact: string }) => d.impact === 'breaking').length).toBeGreaterThanOrEqual(8);
    expect(a.exposures.map((e: { exposure: { label: string } }) => e.exposure.label).sort()).toEqual(['Customer Cohort Analysis', 'Finance Metrics', 'Retention Analytics']);
    expect(model.cost.after.source).toBe('measured_pr_build');
    expect(model.cost.runs_per_month).toBe(30.42);
    expect(model.schedule).toMatchObject({ requested: { cron: '0 6 * * *' }, mismatch: true });
    expect(model.probe.tests.length).toBeGreaterThanOrEqual(5);
    expect(model.probe.tests.every((t: { status: string }) => t.status === 'pass')).toBe(true);
  });

  it("PR 1's summary says what the change means, the 90-day window first, each reason once", async () => {
    const text = await run('1', 'markdown');
    const summary = text.slice(text.indexOf('## Summary'), text.indexOf('### Affected Dashboards'));
    expect(summary).toContain(
      'Key changes in `mart_customer_revenue`: now only includes rows where order_date is within the 90 days before 2026-11-01; cltv_segment thresholds changed: High &gt;= 5000, Medium &gt;= 1000 (new), Low; cltv_segment now subtracts refund_amount;',
    );
    expect(summary.match(/a distribution shift in `cltv_segment`/g)).toHaveLength(1);
  });

  it('PR 2 adds models with no production baseline: tests, schedule and cost, no comparison', async () => {
    const text = await run('2', 'markdown');
    expect(text).toContain('mart_orders_enriched');
    expect(text).toContain('rpt_30day_revenue_by_segment');
    expect(text).toContain('No production comparison');
    // What the new models do, in the words the hand-written Growth report uses.
    expect(text).toContain(
      'in `rpt_30day_revenue_by_segment`: reads mart_orders_enriched; only includes rows where order_date is within the 30 days before 2026-11-01 and not is_test_user; one row per customer_segment.',
    );
    expect(text).toContain("New model: it reads stg_customers, stg_orders; only includes rows where status in ('completed', 'shipped') and not is_test_user.");
    expect(text).toContain('dbt_nightly');
    expect(text).not.toContain('NOT SAFE');
  });
});
