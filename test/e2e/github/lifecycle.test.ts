import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { APPROVALS_START, MARKER, parseState } from '../../../src/github/comment.js';
import { pullRequestEvent, reviewEvent } from '../../support/webhooks.js';
import { baseFiles, headFiles, MODEL_CHANGE, OWNER, SHA, startHarness, type Harness } from './harness.js';

/** One pull request through its life: opened, pushed to, approved by finance, then by growth. */
describe('GitHub app: a PR from open to approved', () => {
  let h: Harness;
  const timings: { ack: number[]; toComment: number[] } = { ack: [], toComment: [] };

  beforeAll(async () => {
    h = await startHarness();
    h.fake.addCommit(h.repo, SHA.base, baseFiles());
    h.fake.addCommit(h.repo, SHA.head1, headFiles(1));
    h.fake.addCommit(h.repo, SHA.head2, headFiles(2));
    h.fake.addTeamMember(OWNER, 'finance', 'fiona');
    h.fake.addTeamMember(OWNER, 'growth', 'greg');
    h.fake.addTeamMember(OWNER, 'growth', 'pat', 'pending');
    h.fake.openPull(h.repo, { number: 7, headSha: SHA.head1, baseSha: SHA.base, files: MODEL_CHANGE });
  });

  afterAll(async () => {
    await h.close();
    // Measurements for the closing note (not assertions: speed is not a test property).
    process.stdout.write(`[github e2e] webhook ack ms: ${timings.ack.map((t) => t.toFixed(1)).join(', ')}; delivery→comment ms: ${timings.toComment.map((t) => t.toFixed(1)).join(', ')}\n`);
  });

  it('opened: one in-progress-then-completed check and one comment, from the trees at base and head', async () => {
    const started = performance.now();
    const res = await h.send('pull_request', pullRequestEvent(h.repo, h.repo.pulls.get(7)!, 'opened'));
    timings.ack.push(res.ms);
    expect(res.status).toBe(200);
    await h.app.idle();
    timings.toComment.push(performance.now() - started);

    expect(h.calls).toHaveLength(1);
    const { input, headFiles: seen } = h.calls[0];
    expect(input).toMatchObject({ repo: { owner: 'acme', name: 'analytics-repo' }, pullNumber: 7, headSha: SHA.head1, baseSha: SHA.base, projectDirs: ['analytics'], changedFilesTruncated: false, full: false, isFork: false });
    expect(input.configText).toContain('blocked_conclusion: action_required');
    expect(seen['analytics/models/fct_orders.sql']).toContain('-- v1');

    const checks = h.fake.checkRunsFor(h.repo, SHA.head1);
    expect(checks).toHaveLength(1);
    expect(checks[0].history.map((s) => s.status)).toEqual(['in_progress', 'completed']);
    expect(checks[0]).toMatchObject({ name: 'impact-review', conclusion: 'action_required', external_id: '7' });
    expect(checks[0].output.title).toBe('NEEDS REVIEW: fct_orders.revenue changed');
    expect(checks[0].output.summary).toContain('fct_orders.revenue changed at 1111111.');
    expect(checks[0].actions.map((a) => a.identifier)).toEqual(['rerun']);

    const comments = h.fake.botComments(h.repo, 7);
    expect(comments).toHaveLength(1);
    expect(comments[0].body.startsWith(MARKER)).toBe(true);
    expect(comments[0].body).toContain('**NEEDS REVIEW** for 1111111');
    expect(comments[0].body).toContain('- [ ] **@acme/finance** — 1 more approval needed (exposure finance_dashboard reads fct_orders)');
    expect(comments[0].body).toContain('- [ ] **@acme/growth** — 1 more approval needed (model growth_funnel is downstream)');
    expect(parseState(comments[0].body)).toMatchObject({ sha: SHA.head1, verdict: 'NEEDS_REVIEW', perTeam: 1, blockedConclusion: 'action_required' });
  });

  it('synchronize: the same comment is updated and the new commit gets its own check', async () => {
    const pull = h.repo.pulls.get(7)!;
    pull.head.sha = SHA.head2;
    const started = performance.now();
    const res = await h.send('pull_request', pullRequestEvent(h.repo, pull, 'synchronize', { before: SHA.head1 }));
    timings.ack.push(res.ms);
    await h.app.idle();
    timings.toComment.push(performance.now() - started);

    const comments = h.fake.botComments(h.repo, 7);
    expect(comments).toHaveLength(1);
    expect(comments[0].body).toContain('**NEEDS REVIEW** for 2222222');
    expect(comments[0].body).not.toContain('1111111');
    expect(h.fake.calls('PATCH', /\/issues\/comments\/\d+$/)).toHaveLength(1);
    expect(h.fake.checkRunsFor(h.repo, SHA.head1)).toHaveLength(1);
    expect(h.fake.checkRunsFor(h.repo, SHA.head2).map((c) => c.conclusion)).toEqual(['action_required']);
  });

  it('a finance approval ticks finance but keeps the check blocked, without re-running the analysis', async () => {
    const pull = h.repo.pulls.get(7)!;
    const review = h.fake.submitReview(h.repo, 7, 'fiona', 'APPROVED');
    await h.send('pull_request_review', reviewEvent(h.repo, pull, review, 'submitted'));
    await h.app.idle();

    expect(h.calls).toHaveLength(2);
    const [check] = h.fake.checkRunsFor(h.repo, SHA.head2);
    expect(check.conclusion).toBe('action_required');
    expect(check.output.summary).toContain('- [x] **@acme/finance** — approved by @fiona');
    const [comment] = h.fake.botComments(h.repo, 7);
    expect(comment.body).toContain('- [x] **@acme/finance** — approved by @fiona');
    expect(comment.body).toContain('- [ ] **@acme/growth** — 1 more approval needed');
    // The pipeline's own text is kept; only the checklist section changed.
    expect(comment.body).toContain('**NEEDS REVIEW** for 2222222');
    expect(comment.body.split(APPROVALS_START)).toHaveLength(2);
  });

  it('a pending team member does not count; an active growth member flips the check to success', async () => {
    const pull = h.repo.pulls.get(7)!;
    const pending = h.fake.submitReview(h.repo, 7, 'pat', 'APPROVED');
    await h.send('pull_request_review', reviewEvent(h.repo, pull, pending, 'submitted'));
    await h.app.idle();
    expect(h.fake.checkRunsFor(h.repo, SHA.head2)[0].conclusion).toBe('action_required');

    const review = h.fake.submitReview(h.repo, 7, 'greg', 'APPROVED');
    await h.send('pull_request_review', reviewEvent(h.repo, pull, review, 'submitted'));
    await h.app.idle();

    const [check] = h.fake.checkRunsFor(h.repo, SHA.head2);
    expect(check.conclusion).toBe('success');
    const [comment] = h.fake.botComments(h.repo, 7);
    expect(comment.body).toContain('- [x] **@acme/finance** — approved by @fiona');
    expect(comment.body).toContain('- [x] **@acme/growth** — approved by @greg');
    expect(comment.body).toContain('Every required team has approved.');
    expect(h.calls).toHaveLength(2);
  });

  it('finance changing its mind (changes requested) blocks the check again', async () => {
    const pull = h.repo.pulls.get(7)!;
    const review = h.fake.submitReview(h.repo, 7, 'fiona', 'CHANGES_REQUESTED');
    await h.send('pull_request_review', reviewEvent(h.repo, pull, review, 'submitted'));
    await h.app.idle();
    expect(h.fake.checkRunsFor(h.repo, SHA.head2)[0].conclusion).toBe('action_required');
    expect(h.fake.botComments(h.repo, 7)[0].body).toContain('- [ ] **@acme/finance** — 1 more approval needed');
  });

  it('a redelivered event for a reviewed commit leaves the comment alone and keeps one check per commit', async () => {
    const patchesBefore = h.fake.calls('PATCH', /\/issues\/comments\/\d+$/).length;
    const pull = h.repo.pulls.get(7)!;
    const payload = pullRequestEvent(h.repo, pull, 'synchronize', { before: SHA.head1 });
    await h.send('pull_request', payload);
    await h.app.idle();
    expect(h.fake.checkRunsFor(h.repo, SHA.head2)).toHaveLength(1);
    expect(h.fake.botComments(h.repo, 7)).toHaveLength(1);
    expect(h.fake.calls('PATCH', /\/issues\/comments\/\d+$/)).toHaveLength(patchesBefore);
    h.fake.assertClean();
  });
});
