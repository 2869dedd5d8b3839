import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createReviewPipeline } from '../../../src/github/review-pipeline.js';
import { buildShopProduction, shopRepository } from '../../support/shop-production.js';
import { pullRequestEvent, reviewEvent } from '../../support/webhooks.js';
import { OWNER, startHarness, type Harness } from './harness.js';

/**
 * The app with the real pipeline: the example's PR 1 (CLTV over 90 days) on a DuckDB
 * "production" built from the example, delivered as signed webhooks to the fake GitHub.
 */
describe('GitHub app with the real analysis on DuckDB', () => {
  let h: Harness;
  let production: { url: string; dir: string };
  const SHA = { base: 'a'.repeat(40), head: 'c'.repeat(40) };
  let deliveredToComment = 0;
  let ack = 0;

  beforeAll(async () => {
    production = await buildShopProduction();
    const repo = await shopRepository('pr1-cltv-90d');
    h = await startHarness();
    h.setPipeline(createReviewPipeline({ warehouseUrl: production.url, now: () => new Date('2026-11-02T00:00:00Z') }));
    h.fake.addCommit(h.repo, SHA.base, repo.base);
    h.fake.addCommit(h.repo, SHA.head, repo.head);
    h.fake.addTeamMember(OWNER, 'finance', 'fiona');
    h.fake.addTeamMember(OWNER, 'growth', 'greg');
    h.fake.openPull(h.repo, { number: 1, headSha: SHA.head, baseSha: SHA.base, files: repo.changed.map((filename) => ({ filename, status: 'modified' })) });
  });

  afterAll(async () => {
    await h?.close();
    await rm(production.dir, { recursive: true, force: true });
    process.stdout.write(`[github e2e, real pipeline] webhook ack ${ack.toFixed(1)} ms; delivery → comment ${deliveredToComment.toFixed(0)} ms\n`);
  });

  it('opened: the check holds the merge and the comment says NOT SAFE, naming Finance and Growth', async () => {
    const started = performance.now();
    const res = await h.send('pull_request', pullRequestEvent(h.repo, h.repo.pulls.get(1)!, 'opened'));
    ack = res.ms;
    expect(res.status).toBe(200);
    await h.app.idle();
    deliveredToComment = performance.now() - started;

    const [check] = h.fake.checkRunsFor(h.repo, SHA.head);
    expect(check).toMatchObject({ name: 'impact-review', status: 'completed', conclusion: 'action_required' });
    expect(check.output.title).toBe('Not safe to merge: approval needed from finance, growth');
    const [comment] = h.fake.botComments(h.repo, 1);
    expect(comment.body).toContain('NOT SAFE TO MERGE');
    expect(comment.body).toMatch(/'High' fell from 10\.8% to 3\.8%/);
    expect(comment.body).toContain("'Medium'");
    expect(comment.body).toMatch(/- \[ \] .*finance/i);
    expect(comment.body).toMatch(/- \[ \] .*growth/i);
    expect(comment.body.length).toBeLessThanOrEqual(65_536);
  });

  it('approvals from a finance member and then a growth member turn the check green', async () => {
    const pull = h.repo.pulls.get(1)!;
    const finance = h.fake.submitReview(h.repo, 1, 'fiona', 'APPROVED');
    await h.send('pull_request_review', reviewEvent(h.repo, pull, finance, 'submitted'));
    await h.app.idle();
    expect(h.fake.checkRunsFor(h.repo, SHA.head).at(-1)?.conclusion).toBe('action_required');

    const growth = h.fake.submitReview(h.repo, 1, 'greg', 'APPROVED');
    await h.send('pull_request_review', reviewEvent(h.repo, pull, growth, 'submitted'));
    await h.app.idle();
    expect(h.fake.checkRunsFor(h.repo, SHA.head).at(-1)?.conclusion).toBe('success');
    const [comment] = h.fake.botComments(h.repo, 1);
    expect(comment.body).toMatch(/- \[x\] .*finance/i);
    expect(comment.body).toMatch(/- \[x\] .*growth/i);
    // Approvals re-evaluate without warehouse work: the pipeline ran once.
    expect(h.calls).toHaveLength(1);
  });

  it('a PR that only edits a seed CSV gets a review of the seed: its rows diffed, its tests run', async () => {
    const repo = await shopRepository('pr1-cltv-90d');
    const seedFile = 'project/seeds/country_codes.csv';
    const head = { ...repo.base, [seedFile]: repo.base[seedFile].replace('MX,Mexico,LATAM', 'MX,Mexico,North America') + 'AE,United Arab Emirates,MEA\n' };
    const sha = { base: 'd'.repeat(40), head: 'e'.repeat(40) };
    h.fake.addCommit(h.repo, sha.base, repo.base);
    h.fake.addCommit(h.repo, sha.head, head);
    h.fake.openPull(h.repo, { number: 2, headSha: sha.head, baseSha: sha.base, files: [{ filename: seedFile, status: 'modified' }] });
    await h.send('pull_request', pullRequestEvent(h.repo, h.repo.pulls.get(2)!, 'opened'));
    await h.app.idle();

    const [comment] = h.fake.botComments(h.repo, 2);
    expect(comment.body).toContain('This PR modifies the seed `country_codes`. Key changes: 1 row added, 0 removed, 1 changed (in `region`).');
    expect(comment.body).toContain("**New value** in `region` of `country_codes`: 'MEA': 1 rows");
    expect(comment.body).toMatch(/❌ fail \| `accepted_values_country_codes_region__North_America__EMEA__APAC__LATAM` \(accepted_values\) \| `region` \| 1 \|/);
    expect(comment.body).toContain('dbt seed --select country_codes');
    const check = h.fake.checkRunsFor(h.repo, sha.head).at(-1);
    expect(check?.conclusion).not.toBe('success');
  });
});
