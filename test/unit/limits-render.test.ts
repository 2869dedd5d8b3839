import { describe, expect, it } from '@jest/globals';
import { limitsReport, limitFindings } from '../../src/assess/limits.js';
import { parseConfig } from '../../src/assess/config.js';
import type { Assessment } from '../../src/assess/types.js';
import { renderCheckSummary, renderJson, renderReview } from '../../src/report/render.js';
import { pr1Assessment } from '../support/assessments/pr1-cltv.js';

/** Every limit reads the same way wherever the review appears: one "Limits reached" section, and the JSON. */
describe('limits: in the review', () => {
  const config = parseConfig('limits:\n  max_models: 2\n  max_rows_scanned: 1000000\n  max_runtime_seconds: 60\n  max_file_bytes: 1048576\n');
  const withLimits = (hit: boolean): Assessment => {
    const a = pr1Assessment();
    const limits = limitsReport({
      config,
      models: { changed: hit ? 14 : 1, skipped: hit ? Array.from({ length: 12 }, (_, i) => `model.shop.m${String(i).padStart(2, '0')}`) : [] },
      fetched: { base: 512 * 1024, head: 1024 * 1024, limit: 200 * 1024 * 1024 },
      rows: { estimates: [2.5e9], skipped: hit ? [{ id: 'model.shop.events_wide', value: 2.5e9 }, { id: 'model.shop.events_daily', parent: 'model.shop.events_wide' }] : [] },
      runtime: { seconds: 75, hit, skipped: hit ? ['model.shop.mart_customer_revenue'] : [] },
      files: { skipped: hit ? [{ id: 'models/huge.yml', value: 50 * 1024 * 1024 }] : [], hit },
    });
    return { ...a, limits, findings: [...a.findings, ...limitFindings(limits)] };
  };

  it('lists each limit hit, with what it left out, in the comment and the check summary', () => {
    const a = withLimits(true);
    for (const text of [renderReview(a), renderCheckSummary(a)]) {
      const section = text.slice(text.indexOf('### Limits reached'));
      const bullets = section.split('\n').filter((l) => l.startsWith('- **')).slice(0, 4);
      expect(bullets).toEqual([
        '- **Models** (`limits.max_models: 2`): this PR changes 14 models that need a build; the first 2 in DAG order were built and diffed. Not built, only listed with their lineage and a runtime estimated from EXPLAIN: `m00`, `m01`, `m02`, `m03`, `m04`, `m05`, `m06`, `m07`, `m08`, `m09` … and 2 more (all in the JSON assessment).',
        '- **Rows scanned** (`limits.max_rows_scanned: 1000000`, 1 million rows): estimated from the warehouse\'s plan and table sizes before anything ran; not built or diffed: `events_wide` (~2.5 billion rows), `events_daily` (reads the PR version of `events_wide`).',
        '- **Runtime** (`limits.max_runtime_seconds: 60`): the analysis ran 75.0 s; once past the limit no new warehouse work started, and what was done is reviewed. Not compared with production or tested: `mart_customer_revenue`.',
        '- **File size** (`limits.max_file_bytes: 1048576`, 1 MiB): this file was not read, and what it defines is missing from the review: `models/huge.yml` (50 MiB).',
      ]);
    }
    expect(renderReview(a)).toContain('**Limit reached**: `limits.max_rows_scanned: 1000000` left 2 items out; the review is incomplete (see Limits reached).');
    const json = JSON.parse(renderJson(a)) as Assessment;
    expect(json.limits!.filter((l) => l.hit).map((l) => l.key)).toEqual(['max_models', 'max_rows_scanned', 'max_runtime_seconds', 'max_file_bytes']);
  });

  it('states the bytes fetched from GitHub even when no limit is hit, and has no Limits section then', () => {
    const a = withLimits(false);
    const text = renderReview(a);
    expect(text).not.toContain('Limits reached');
    expect(text).toContain('· fetched 1.5 MiB from GitHub (base 512 KiB + head 1 MiB)');
  });
});
