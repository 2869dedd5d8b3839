import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { parseState } from '../../../src/github/comment.js';
import type { ReviewInput } from '../../../src/github/pipeline.js';
import { pullRequestEvent } from '../../support/webhooks.js';
import { baseFiles, cannedOutput, headFiles, MODEL_CHANGE, SHA, startHarness, type Harness } from './harness.js';

function gate() {
  let open: () => void = () => undefined;
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { opened, open };
}

/** Events out of order, replicas racing, and pushes superseding runs in flight. */
describe('GitHub app: ordering and coalescing', () => {
  let a: Harness;
  let b: Harness;

  beforeAll(async () => {
    a = await startHarness();
    b = await startHarness({ fake: a.fake });
    a.fake.addCommit(a.repo, SHA.base, baseFiles());
    a.fake.addCommit(a.repo, SHA.head1, headFiles(1));
    a.fake.addCommit(a.repo, SHA.head2, headFiles(2));
  });

  afterAll(async () => {
    a.fake.assertClean();
    await b.close();
    await a.close();
  });

  it('an older commit finishing after a newer one (on another replica) does not overwrite the comment', async () => {
    const pull = a.fake.openPull(a.repo, { number: 51, headSha: SHA.head1, baseSha: SHA.base, files: MODEL_CHANGE });
    const slow = gate();
    const started = gate();
    a.setPipeline(async (input: ReviewInput) => {
      started.open();
      await slow.opened; // replica A is slow and does not look at its abort signal
      return cannedOutput(input);
    });
    await a.send('pull_request', pullRequestEvent(a.repo, pull, 'opened'));
    await started.opened;

    pull.head.sha = SHA.head2;
    await b.send('pull_request', pullRequestEvent(a.repo, pull, 'synchronize', { before: SHA.head1 }));
    await b.app.idle();
    expect(a.fake.botComments(a.repo, 51)[0].body).toContain('for 2222222');

    slow.open();
    await a.app.idle();
    const comments = a.fake.botComments(a.repo, 51);
    expect(comments).toHaveLength(1);
    expect(comments[0].body).toContain('for 2222222');
    expect(parseState(comments[0].body)?.sha).toBe(SHA.head2);
    // Each commit still ends with exactly one completed check.
    for (const sha of [SHA.head1, SHA.head2]) {
      const checks = a.fake.checkRunsFor(a.repo, sha).filter((c) => c.external_id === '51');
      expect(checks.map((c) => c.status)).toEqual(['completed']);
    }
  });

  it('two pushes 100 ms apart: the first run is aborted and marked superseded, only the latest publishes', async () => {
    const pull = a.fake.openPull(a.repo, { number: 52, headSha: SHA.head1, baseSha: SHA.base, files: MODEL_CHANGE });
    const seenAbort: string[] = [];
    let firstStarted: () => void = () => undefined;
    const started = new Promise<void>((r) => (firstStarted = r));
    a.setPipeline(
      (input: ReviewInput) =>
        new Promise((resolve, reject) => {
          if (input.headSha === SHA.head1) firstStarted();
          const timer = setTimeout(() => resolve(cannedOutput(input)), 300);
          input.signal.addEventListener('abort', () => {
            clearTimeout(timer);
            seenAbort.push(input.headSha);
            reject(new Error('aborted'));
          });
        }),
    );
    await a.send('pull_request', pullRequestEvent(a.repo, pull, 'opened'));
    // The push lands while the first analysis runs (100 ms in, or later on a loaded machine:
    // waiting for the run to start keeps the interleaving this test is about).
    await Promise.all([started, new Promise((r) => setTimeout(r, 100))]);
    pull.head.sha = SHA.head2;
    await a.send('pull_request', pullRequestEvent(a.repo, pull, 'synchronize', { before: SHA.head1 }));
    await a.app.idle();

    expect(seenAbort).toEqual([SHA.head1]);
    const [old] = a.fake.checkRunsFor(a.repo, SHA.head1).filter((c) => c.external_id === '52');
    expect(old).toMatchObject({ status: 'completed', conclusion: 'neutral' });
    expect(old.output.title).toBe('Superseded by a newer commit');
    const [latest] = a.fake.checkRunsFor(a.repo, SHA.head2).filter((c) => c.external_id === '52');
    expect(latest).toMatchObject({ status: 'completed', conclusion: 'action_required' });
    const comments = a.fake.botComments(a.repo, 52);
    expect(comments).toHaveLength(1);
    expect(comments[0].body).toContain('for 2222222');
    expect(a.fake.calls('POST', /\/issues\/52\/comments$/)).toHaveLength(1);
  });

  it('the same webhook delivered twice at once runs the analysis once', async () => {
    const pull = a.fake.openPull(a.repo, { number: 53, headSha: SHA.head1, baseSha: SHA.base, files: MODEL_CHANGE });
    a.setPipeline(async (input) => cannedOutput(input));
    const callsBefore = a.calls.length;
    const payload = pullRequestEvent(a.repo, pull, 'opened');
    await Promise.all([a.send('pull_request', payload), a.send('pull_request', payload)]);
    await a.app.idle();
    expect(a.calls.length).toBe(callsBefore + 1);
    expect(a.fake.checkRunsFor(a.repo, SHA.head1).filter((c) => c.external_id === '53')).toHaveLength(1);
    expect(a.fake.botComments(a.repo, 53)).toHaveLength(1);
  });
});
