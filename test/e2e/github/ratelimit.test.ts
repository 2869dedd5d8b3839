import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { pullRequestEvent } from '../../support/webhooks.js';
import { baseFiles, headFiles, MODEL_CHANGE, SHA, startHarness, type Harness } from './harness.js';

/** With the production client: GitHub's secondary rate limit (403 + retry-after) is waited out, not fatal. */
describe('GitHub app: rate limits', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness({ productionThrottling: true });
    h.fake.addCommit(h.repo, SHA.base, baseFiles());
    h.fake.addCommit(h.repo, SHA.head1, headFiles(1));
  });

  afterAll(async () => {
    h.fake.assertClean();
    await h.close();
  });

  it('a secondary rate limit on creating the check is retried after retry-after', async () => {
    const pull = h.fake.openPull(h.repo, { number: 71, headSha: SHA.head1, baseSha: SHA.base, files: MODEL_CHANGE });
    h.fake.fault({ method: 'POST', path: /\/check-runs$/, status: 403, headers: { 'retry-after': '1' }, body: { message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.' } });
    await h.send('pull_request', pullRequestEvent(h.repo, pull, 'opened'));
    await h.app.idle();
    expect(h.fake.calls('POST', /\/check-runs$/).map((r) => r.status)).toEqual([403, 201]);
    const checks = h.fake.checkRunsFor(h.repo, SHA.head1);
    expect(checks).toHaveLength(1);
    expect(checks[0].conclusion).toBe('action_required');
    expect(h.fake.botComments(h.repo, 71)).toHaveLength(1);
  });
});
