import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { issueCommentEvent, pullRequestEvent } from '../../support/webhooks.js';
import { baseFiles, cannedOutput, headFiles, MODEL_CHANGE, SHA, startHarness, type Harness } from './harness.js';

const CONFIG = ['approvals:', '  per_team: 1', '  blocked_conclusion: failure', '  review: request_changes', '  request_team_reviews: true', ''].join('\n');

/** Config asks for a PR review and team review requests: NOT SAFE requests changes, once per commit. */
describe('GitHub app: optional PR review and team requests', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness();
    h.fake.addCommit(h.repo, SHA.base, baseFiles(CONFIG));
    h.fake.addCommit(h.repo, SHA.head1, headFiles(1, CONFIG));
    h.repo.permissions.set('maya', 'admin');
    h.setPipeline(async (input) => cannedOutput(input, { verdict: 'NOT_SAFE', title: 'NOT SAFE: revenue halves' }));
  });

  afterAll(async () => {
    h.fake.assertClean();
    await h.close();
  });

  it('posts one REQUEST_CHANGES review, requests the missing teams, and fails the check', async () => {
    const pull = h.fake.openPull(h.repo, { number: 81, headSha: SHA.head1, baseSha: SHA.base, files: MODEL_CHANGE });
    await h.send('pull_request', pullRequestEvent(h.repo, pull, 'opened'));
    await h.app.idle();
    expect(pull.reviews.map((r) => [r.user.login, r.state, r.commit_id])).toEqual([['impact-review[bot]', 'CHANGES_REQUESTED', SHA.head1]]);
    expect(pull.reviews[0].body).toBe('impact-review found this change **not safe** to merge as it is. See the impact-review comment for the details; approvals needed from @acme/finance, @acme/growth.');
    expect(pull.requestedTeams).toEqual(['finance', 'growth']);
    expect(h.fake.checkRunsFor(h.repo, SHA.head1)[0]).toMatchObject({ conclusion: 'failure', output: { title: 'NOT SAFE: revenue halves' } });

    // Re-running the same commit does not pile up reviews.
    const comment = h.fake.addComment(h.repo, 81, 'maya', '/impact refresh');
    await h.send('issue_comment', issueCommentEvent(h.repo, pull, comment));
    await h.app.idle();
    expect(h.calls).toHaveLength(2);
    expect(pull.reviews).toHaveLength(1);
  });
});
