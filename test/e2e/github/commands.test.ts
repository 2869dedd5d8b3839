import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { checkRunEvent, issueCommentEvent, pullRequestEvent } from '../../support/webhooks.js';
import { baseFiles, cannedOutput, headFiles, MODEL_CHANGE, SHA, startHarness, type Harness } from './harness.js';

/** `/impact` commands, who may run them, and fork pull requests that wait for a maintainer. */
describe('GitHub app: /impact commands and forks', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness();
    h.fake.addCommit(h.repo, SHA.base, baseFiles());
    h.fake.addCommit(h.repo, SHA.head1, headFiles(1));
    h.fake.addCommit(h.repo, SHA.head2, headFiles(2));
    h.repo.permissions.set('maya', 'maintain');
    h.repo.permissions.set('wendy', 'write');
    h.repo.permissions.set('rita', 'read');
    h.repo.permissions.set('tom', 'triage');
    // Text independent of approvals, so a re-run of the same commit renders the same comment.
    h.setPipeline(async (input) => cannedOutput(input, { renderComment: () => `## impact-review\n\nreviewed ${input.headSha.slice(0, 7)} full=${input.full}` }));
    h.fake.openPull(h.repo, { number: 11, headSha: SHA.head1, baseSha: SHA.base, files: MODEL_CHANGE });
    await h.send('pull_request', pullRequestEvent(h.repo, h.repo.pulls.get(11)!, 'opened'));
    await h.app.idle();
  });

  afterAll(async () => {
    h.fake.assertClean();
    await h.close();
  });

  it('refuses /impact from read and triage users with a short reply, a 👀 reaction, and no work', async () => {
    const callsBefore = h.calls.length;
    for (const login of ['rita', 'tom']) {
      const comment = h.fake.addComment(h.repo, 11, login, '/impact');
      const res = await h.send('issue_comment', issueCommentEvent(h.repo, h.repo.pulls.get(11)!, comment));
      expect(res.status).toBe(200);
      await h.app.idle();
      expect(h.repo.reactions).toContainEqual({ commentId: comment.id, content: 'eyes' });
    }
    expect(h.calls.length).toBe(callsBefore);
    expect(h.fake.checkRunsFor(h.repo, SHA.head1)).toHaveLength(1);
    const replies = h.fake.botComments(h.repo, 11).filter((c) => c.body.includes('can only be run by people with write access'));
    expect(replies.map((c) => c.body.split(' ')[0])).toEqual(['@rita', '@tom']);
  });

  it('/impact help answers anyone with the command list', async () => {
    const comment = h.fake.addComment(h.repo, 11, 'rita', 'What can it do?\n/impact help');
    await h.send('issue_comment', issueCommentEvent(h.repo, h.repo.pulls.get(11)!, comment));
    await h.app.idle();
    const help = h.fake.botComments(h.repo, 11).filter((c) => c.body.includes('**impact-review commands**'));
    expect(help).toHaveLength(1);
    expect(help[0].body).toContain('| `/impact full` |');
  });

  it('/impact from a maintainer re-runs; an identical result leaves the comment untouched', async () => {
    const callsBefore = h.calls.length;
    const comment = h.fake.addComment(h.repo, 11, 'maya', '/impact');
    await h.send('issue_comment', issueCommentEvent(h.repo, h.repo.pulls.get(11)!, comment));
    await h.app.idle();
    expect(h.calls.length).toBe(callsBefore + 1);
    expect(h.fake.calls('PATCH', /\/issues\/comments\/\d+$/)).toHaveLength(0);
    const checks = h.fake.checkRunsFor(h.repo, SHA.head1);
    expect(checks).toHaveLength(1);
    expect(checks[0].history.map((s) => s.status)).toEqual(['in_progress', 'completed', 'in_progress', 'completed']);
  });

  it('/impact full from a writer passes full=true to the pipeline and updates the comment', async () => {
    const comment = h.fake.addComment(h.repo, 11, 'wendy', '/impact full');
    await h.send('issue_comment', issueCommentEvent(h.repo, h.repo.pulls.get(11)!, comment));
    await h.app.idle();
    expect(h.calls.at(-1)?.input.full).toBe(true);
    const sticky = h.fake.botComments(h.repo, 11).filter((c) => c.body.startsWith('<!-- impact-review -->'));
    expect(sticky).toHaveLength(1);
    expect(sticky[0].body).toContain('reviewed 1111111 full=true');
  });

  it('ignores /impact in comments written by bots, and on plain issues', async () => {
    const callsBefore = h.calls.length;
    const reactionsBefore = h.repo.reactions.length;
    const bot = h.fake.addComment(h.repo, 11, 'other-bot[bot]', '/impact', 'Bot');
    await h.send('issue_comment', issueCommentEvent(h.repo, h.repo.pulls.get(11)!, bot));
    const onIssue = h.fake.addComment(h.repo, 12, 'maya', '/impact');
    await h.send('issue_comment', issueCommentEvent(h.repo, null, onIssue));
    await h.app.idle();
    expect(h.calls.length).toBe(callsBefore);
    expect(h.repo.reactions.length).toBe(reactionsBefore);
  });

  it('the check\'s Re-run button reviews the commit again', async () => {
    const callsBefore = h.calls.length;
    const [check] = h.fake.checkRunsFor(h.repo, SHA.head1);
    await h.send('check_run', checkRunEvent(h.repo, check, 'requested_action', 'wendy', [11]));
    await h.app.idle();
    expect(h.calls.length).toBe(callsBefore + 1);
    expect(h.fake.checkRunsFor(h.repo, SHA.head1)[0].status).toBe('completed');
  });

  it('an edited PR is re-reviewed only when its base branch changed', async () => {
    const pull = h.repo.pulls.get(11)!;
    const callsBefore = h.calls.length;
    await h.send('pull_request', pullRequestEvent(h.repo, pull, 'edited', { changes: { title: { from: 'old title' } } }));
    await h.app.idle();
    expect(h.calls.length).toBe(callsBefore);
    await h.send('pull_request', pullRequestEvent(h.repo, pull, 'edited', { changes: { base: { ref: { from: 'develop' }, sha: { from: 'a'.repeat(40) } } } }));
    await h.app.idle();
    expect(h.calls.length).toBe(callsBefore + 1);
  });

  it('a fork PR waits for a maintainer: no tarball fetched, neutral check; /impact then runs it', async () => {
    h.fake.openPull(h.repo, { number: 21, headSha: SHA.head2, baseSha: SHA.base, files: MODEL_CHANGE, forkOwner: 'outsider', author: 'outsider' });
    const tarballsBefore = h.fake.calls('GET', /\/tarball\//).length;
    const callsBefore = h.calls.length;
    await h.send('pull_request', pullRequestEvent(h.repo, h.repo.pulls.get(21)!, 'opened'));
    await h.app.idle();
    expect(h.calls.length).toBe(callsBefore);
    expect(h.fake.calls('GET', /\/tarball\//).length).toBe(tarballsBefore);
    const [waiting] = h.fake.checkRunsFor(h.repo, SHA.head2);
    expect(waiting).toMatchObject({ status: 'completed', conclusion: 'neutral', external_id: '21' });
    expect(waiting.output.title).toBe('Waiting for a maintainer to comment /impact');

    // The fork's author cannot start it themselves.
    const own = h.fake.addComment(h.repo, 21, 'outsider', '/impact');
    await h.send('issue_comment', issueCommentEvent(h.repo, h.repo.pulls.get(21)!, own));
    await h.app.idle();
    expect(h.calls.length).toBe(callsBefore);

    const comment = h.fake.addComment(h.repo, 21, 'maya', '/impact');
    await h.send('issue_comment', issueCommentEvent(h.repo, h.repo.pulls.get(21)!, comment));
    await h.app.idle();
    expect(h.calls.length).toBe(callsBefore + 1);
    expect(h.calls.at(-1)?.input).toMatchObject({ pullNumber: 21, isFork: true, headSha: SHA.head2 });
    const checks = h.fake.checkRunsFor(h.repo, SHA.head2);
    expect(checks).toHaveLength(1);
    expect(checks[0].conclusion).toBe('action_required');
  });

  it('a Re-run on a fork check finds the PR through external_id (forks have no pull_requests)', async () => {
    const callsBefore = h.calls.length;
    const [check] = h.fake.checkRunsFor(h.repo, SHA.head2);
    await h.send('check_run', checkRunEvent(h.repo, check, 'rerequested', 'maya', []));
    await h.app.idle();
    expect(h.calls.length).toBe(callsBefore + 1);
    expect(h.calls.at(-1)?.input.pullNumber).toBe(21);
  });
});
