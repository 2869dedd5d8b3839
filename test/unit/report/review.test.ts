import { describe, expect, test } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { APPROVALS_END, APPROVALS_START, renderApprovalsSection, renderCheckSummary, renderJson, renderMermaid, renderReview } from '../../../src/report/render.js';
import type { Assessment } from '../../../src/assess/types.js';
import { pr1Assessment } from '../../support/assessments/pr1-cltv.js';
import { pr2Assessment } from '../../support/assessments/pr2-growth.js';
import { largeAssessment, safeAssessment } from '../../support/assessments/synthetic.js';

function section(markdown: string, heading: string): string {
  const start = markdown.indexOf(heading);
  expect(start).toBeGreaterThanOrEqual(0);
  const next = markdown.slice(start + heading.length).search(/\n##? [^#]/);
  return next < 0 ? markdown.slice(start) : markdown.slice(start, start + heading.length + next);
}

describe('PR 1 review (CLTV 90 days)', () => {
  const review = renderReview(pr1Assessment(), { approved: { finance: ['alice'] }, marker: '<!-- impact-review -->' });

  test('starts with the marker and a NOT SAFE banner naming Finance and Growth', () => {
    expect(review.startsWith('<!-- impact-review -->\n')).toBe(true);
    expect(review).toContain('## ⚠️ NOT SAFE TO MERGE');
    expect(review).toContain('**Approval required from Finance and Growth teams before merging.**');
  });

  test('summary counts downstream models and dashboards', () => {
    const summary = section(review, '## Summary');
    expect(summary).toContain('modifies the table model `mart_customer_revenue`');
    // The row-set change leads; long changes are cut in the summary (the model's Key Changes hold them whole).
    expect(summary).toContain(
      'Key changes: now only includes rows where order_date is within the 90 days before 2026-11-01; cltv_segment thresholds changed: High &gt;= 5000, Medium &gt;= 1000 (new), Low; new column net_revenue_90d: sum(order_amount - refund_amount).',
    );
    expect(summary).toContain('**8 downstream models** and **3 dashboards** (Finance Metrics, Retention Analytics and Customer Cohort Analysis)');
  });

  test('observed issues carry the planted figures', () => {
    const issues = section(review, '### Observed Issues');
    expect(issues).toContain("**Distribution shift**: `cltv_segment` 'High' fell from 10.8% to 3.8% of rows (−7.1 pts; threshold 5.0 pts): 1,061 → 370 rows");
    expect(issues).toContain("**New value** in `cltv_segment` of `mart_customer_revenue`: 'Medium': 695 rows (two distinct values in production, three in the PR)");
    expect(issues).toContain('total of `net_revenue_90d` (was `total_revenue`) in `mart_customer_revenue` changed from $53,012,818.76 to $11,232,591.49 (−78.8%; threshold 10.0%)');
    expect(issues).toContain('changed from 86,051 to 19,282 (−77.6%');
    expect(issues).toContain('column `country_code` removed from `mart_customer_revenue`; nothing downstream reads it');
    expect(issues).toContain('**Test warned**: `assert_cltv_segment_distribution_stable` of `mart_customer_revenue`: 1 failing row');
    expect(issues).toContain('requests 06:00 daily (`0 6 * * *`), but `dbt_nightly` runs it at 07:00');
  });

  test('dashboards table links each exposure with owner and impact', () => {
    const dashboards = section(review, '### Affected Dashboards');
    expect(dashboards).toContain('| [Finance Metrics](https://bi.shop.example/dashboards/finance-metrics) | dashboard | Finance Team | 🔴 breaking');
    expect(dashboards).toContain('| [Customer Cohort Analysis](https://bi.shop.example/dashboards/cohorts) | dashboard | Growth Team |');
  });

  test('approvals checklist: finance approved by alice, growth missing', () => {
    expect(review).toContain('- [x] **Finance approval** (`finance`) — approved by @alice');
    expect(review).toContain('- [ ] **Growth approval** (`growth`) · for dashboard Retention Analytics, dashboard Customer Cohort Analysis');
    expect(review).toContain('- [ ] Update downstream models expecting two values of `cltv_segment` to handle three: `fct_customer_ltv`');
  });

  test('the approvals section in the comment is exactly renderApprovalsSection', () => {
    const alone = renderApprovalsSection(pr1Assessment(), { finance: ['alice'] });
    expect(alone.startsWith(APPROVALS_START)).toBe(true);
    expect(alone.endsWith(APPROVALS_END)).toBe(true);
    const start = review.indexOf(APPROVALS_START);
    const end = review.indexOf(APPROVALS_END) + APPROVALS_END.length;
    expect(review.slice(start, end)).toBe(alone);
    expect(review.indexOf(APPROVALS_START, start + 1)).toBe(-1);
  });

  test('key changes are numbered from the semantic diff', () => {
    expect(review).toContain('1. **New filter**: now only includes rows where order_date is within the 90 days before 2026-11-01');
    expect(review).toContain('4. **Thresholds changed**: cltv_segment thresholds changed: High &gt;= 5000, Medium &gt;= 1000 (new), Low');
  });

  test('cost section shows the monthly change and the assumptions', () => {
    const cost = section(review, '## Cost Analysis');
    expect(cost).toContain('| `mart_customer_revenue` | 7.9 s → 9.4 s | $0.0263 → $0.0313 | 30.42 | $0.80 → $0.95 | **+$0.15** (+19.0%) |');
    expect(cost).toContain('**Monthly total**: $0.80 → $0.95 (**+$0.15** a month).');
    expect(cost).toContain('Warehouse size **M** at 4 credits per hour');
    expect(cost).toContain('$3.00 per credit.');
    expect(cost).toContain('Snowflake bills at least 60 seconds each time a suspended warehouse resumes');
    expect(cost).toContain('Runtimes measured on DuckDB, priced as if on Snowflake');
    expect(cost).toContain('30.42 runs a month from the schedule of `dbt_nightly` (`0 7 * * *`).');
    expect(cost).toContain('This review itself ran 23 queries for 14.2 s of warehouse time');
  });

  test('each test is listed with its result', () => {
    const tests = section(review, '## Data Quality Tests');
    expect(tests).toContain('8 passed, 1 warned, 0 failed, 0 errored, 1 skipped');
    expect(tests).toContain('| ✅ pass | `unique_mart_customer_revenue_customer_id` (unique) | `customer_id` | 0 | error |');
    expect(tests).toContain('| ⚠️ warn | `assert_cltv_segment_distribution_stable` | — | 1 | warn |');
    expect(tests).toContain("| ⏭️ skipped | `relationships_mart_customer_revenue_customer_id__customer_id__ref_stg_customers_` (relationships) | `customer_id` | — | error | ref('stg_customers') has no relation in the warehouse |");
    expect(tests.match(/^\| (✅|⚠️|❌|⏭️) /gm)).toHaveLength(10);
  });

  test('downstream list and scheduling', () => {
    const downstream = section(review, '## Downstream Dependencies');
    expect(downstream).toContain('**8 downstream models** (up to 2 levels deep)');
    expect(downstream).toContain('| `rpt_growth_kpis` | 2 | 🔴 breaking | `cltv_segment` | `mart_customer_revenue` |');
    const schedule = section(review, '## Scheduling');
    expect(schedule).toContain('`dbt_nightly` at `0 7 * * *` (07:00 UTC), 30.42 runs a month — declared in `airflow/dags/dbt_nightly.py:31`');
    expect(schedule).toContain('Requested 06:00 daily (`0 6 * * *`), but dbt_nightly runs it at 07:00.');
  });

  test('column profiles show production → PR values and value counts', () => {
    const columns = section(review, '## Column Descriptions');
    expect(columns).toContain('#### `net_revenue_90d` (was `total_revenue`)');
    expect(columns).toContain('| sum | 53,012,818.76 | 11,232,591.49 | −41,780,227.27 (−78.8%) |');
    expect(columns).toContain('| `High` | 1,061 | 370 | 10.8% → 3.8% | −7.1 pts |');
    expect(columns).toContain('| `Medium` | 0 | 695 | 0.0% → 7.1% | +7.1 pts |');
    expect(columns).toContain('Removed columns: `country_code`, `first_order_date` and `last_order_date`.');
  });

  test('testing commands, owner and tags', () => {
    expect(review).toContain('dbt run --select mart_customer_revenue\n');
    expect(review).toContain('dbt ls --select mart_customer_revenue+\n');
    expect(section(review, '## Owner')).toContain('Jane Smith');
    expect(section(review, '## Tags')).toContain('- `high-impact`');
  });
});

describe('value labels of sensitive columns', () => {
  test('are not shown when the diff hides them', () => {
    const a = pr1Assessment();
    const dist = a.models[0].probe!.diff!.distribution.cltv_segment;
    dist.labels_hidden = true;
    const review = renderReview(a);
    expect(review).not.toContain('| `Medium` | 0 | 695 |');
    expect(review).toContain('🔒 Values of this column are hidden (sensitive)');
  });
});

describe('render problems', () => {
  test('a model that failed to render appears with file and line', () => {
    const a = pr1Assessment();
    a.models[0].problems = [{ file: 'models/marts/marketing/mart_customer_revenue.sql', line: 12, message: "unknown macro 'dateadd2'", severity: 'error', unique_id: a.models[0].unique_id }];
    const review = renderReview(a);
    expect(section(review, '### Problems')).toContain("❌ `models/marts/marketing/mart_customer_revenue.sql`:12 (`mart_customer_revenue`): unknown macro 'dateadd2'");
    expect(review).toContain('### `mart_customer_revenue`');
  });
});

describe('PR 2 review (new models)', () => {
  const review = renderReview(pr2Assessment());
  test('says there is no production comparison', () => {
    expect(review).toContain('## 🔍 NEEDS REVIEW');
    expect(review).toContain('**No production comparison** for `mart_orders_enriched` and `rpt_30day_revenue_by_segment`: they are new models with no production relation');
    expect(review).not.toContain('| production | PR | change |');
    expect(review).toContain('- **Compared with**: nothing — no production relation exists yet (new model)');
  });
  test('shows tests, schedule and the new monthly cost', () => {
    expect(review).toContain('`rpt_30day_revenue_by_segment`: 3 passed, 0 warned, 0 failed, 0 errored, 0 skipped');
    expect(review).toContain('| `mart_orders_enriched` | — → 3.2 s | — → $0.0107 | 30.42 | n/a → $0.33 | new: $0.33 |');
    expect(review).toContain('**Monthly total**: $0.39 a month, new.');
    expect(review).toContain('- [ ] **Growth approval** (`growth`) · for model `mart_orders_enriched`, model `rpt_30day_revenue_by_segment`');
  });
});

describe('SAFE review', () => {
  test('is short and asks for no approval', () => {
    const review = renderReview(safeAssessment());
    expect(review).toContain('## ✅ SAFE TO MERGE');
    expect(review).toContain('No team approval is required.');
    expect(review).not.toContain('- [ ]');
    expect(review).not.toContain('- [x]');
    expect(review).toContain('No issues observed');
    expect(review).not.toContain('```mermaid');
    expect(review.length).toBeLessThan(5000);
  });
});

describe('size limits', () => {
  const big = largeAssessment(300, 3000);
  test('a 300-model, 3,000-downstream review fits in 65,536 characters and says it was shortened', () => {
    const review = renderReview(big, { approved: { finance: ['alice'] }, marker: '<!-- impact-review -->' });
    expect(review.length).toBeLessThanOrEqual(65_536);
    expect(review).toContain("This review was shortened to fit GitHub's limit");
    expect(review).toContain('… and 295 more changed models');
    const alone = renderApprovalsSection(big, { finance: ['alice'] });
    expect(review).toContain(alone);
  });
  test('a smaller maxLength forces the hard cut, keeping the approvals section', () => {
    const review = renderReview(big, { approved: { finance: ['alice'] }, maxLength: 20_000 });
    expect(review.length).toBeLessThanOrEqual(20_000);
    expect(review).toContain("This review was shortened to fit GitHub's limit; the full assessment is in the check run / JSON");
    expect(review).toContain(renderApprovalsSection(big, { finance: ['alice'] }));
    expect((review.match(/<details/g) ?? []).length).toBe((review.match(/<\/details>/g) ?? []).length);
  });
  test('the check summary stays under 65,535', () => {
    const summary = renderCheckSummary(big);
    expect(summary.length).toBeLessThanOrEqual(65_535);
    expect(summary).toContain('## ⚠️ NOT SAFE TO MERGE');
  });
});

describe('check summary, JSON and Mermaid', () => {
  test('check summary carries verdict, findings and approvals', () => {
    const summary = renderCheckSummary(pr1Assessment(), { approved: { finance: ['alice'] } });
    expect(summary).toContain('## ⚠️ NOT SAFE TO MERGE');
    expect(summary).toContain("'High' fell from 10.8% to 3.8% of rows");
    expect(summary).toContain('- [ ] **Growth approval** (`growth`)');
    expect(summary).toContain('| `mart_customer_revenue` | modified | 🔴 breaking | 8 ✅ 1 ⚠️ 0 ❌ 1 ⏭️ | $0.80 → $0.95 |');
  });
  test('JSON round-trips the assessment, each SQL change carrying its summary and each column its reasons in words', () => {
    const a = pr1Assessment();
    const json = JSON.parse(renderJson(a)) as Assessment;
    const summaries = (changes: object[]) => changes.map((s) => ('summary' in s ? s.summary : undefined));
    const expected = [
      'now only includes rows where order_date is within the 90 days before 2026-11-01',
      'new column net_revenue_90d: sum(order_amount - refund_amount)',
      'column total_revenue removed',
      'cltv_segment thresholds changed: High >= 5000, Medium >= 1000 (new), Low',
      'column country_code removed',
    ];
    expect(summaries(json.models[0].change.semantic)).toEqual(expected);
    expect(summaries(json.changes.models[0].semantic)).toEqual(expected);
    const reasons = json.models[0].change.columns.map((c) => [c.column, c.because]);
    const window = 'row set changed: now only includes rows where order_date is within the 90 days before 2026-11-01';
    expect(reasons).toEqual([
      ['customer_id', []],
      ['net_revenue_90d', [window]],
      ['orders_count', [window]],
      ['cltv_segment', [window, 'CASE thresholds changed']],
    ]);
    // Back to the typed reasons, the JSON is the assessment itself.
    const typed = a.models[0].change.columns;
    json.models[0].change.columns = typed;
    json.changes.models[0].columns = typed;
    const unworded = (changes: object[]) => changes.map((s) => Object.fromEntries(Object.entries(s).filter(([k]) => k !== 'summary')));
    json.models.forEach((m) => (m.change.semantic = unworded(m.change.semantic) as typeof m.change.semantic));
    json.changes.models.forEach((m) => (m.semantic = unworded(m.semantic) as typeof m.semantic));
    expect(json).toEqual(a);
  });
  test('the JSON fixtures are the typed factories', () => {
    const read = (f: string) => JSON.parse(readFileSync(new URL(`../../fixtures/assessments/${f}`, import.meta.url), 'utf8'));
    expect(read('pr1-cltv.json')).toEqual(JSON.parse(renderJson(pr1Assessment())));
    expect(read('pr2-growth.json')).toEqual(JSON.parse(renderJson(pr2Assessment())));
  });
  test('Mermaid graph: changed model, downstream and three dashboards marked breaking', () => {
    const graph = renderMermaid(pr1Assessment());
    expect(graph.startsWith('flowchart LR\n')).toBe(true);
    expect(graph).toContain('n0[["mart_customer_revenue"]]');
    expect(graph).toContain('{{"Finance Metrics"}}');
    expect(graph).toContain('{{"Retention Analytics"}}');
    expect(graph).toContain('{{"Customer Cohort Analysis"}}');
    expect(graph).toContain('n2 --> n7');
    const breaking = /class ([n0-9,]+) breaking/.exec(graph)?.[1].split(',') ?? [];
    expect(breaking).toHaveLength(12);
    const pr1 = renderReview(pr1Assessment());
    expect(pr1).toContain('```mermaid\nflowchart LR');
  });
  test('Mermaid labels cannot break out of their quotes', () => {
    const a = pr1Assessment();
    a.exposures[0].exposure!.label = 'Bad "label"]; click n0 call x()';
    const graph = renderMermaid(a);
    expect(graph).toContain('{{"Bad #quot;label#quot;]; click n0 call x()"}}');
  });
});
