import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DEFAULT_WEBHOOK_PATH } from '../../../src/github/create-app.js';
import { deliver, pullRequestEvent, sign } from '../../support/webhooks.js';
import { baseFiles, headFiles, MODEL_CHANGE, SECRET, SHA, startHarness, type Harness } from './harness.js';

/** Bad deliveries, GitHub failures, a failing pipeline and a broken policy: each ends with a clear check, never a crash. */
describe('GitHub app: faults', () => {
  let h: Harness;
  const secretValue = 'sf-password-Zq81xx';
  let pr = 40;

  function open(files = MODEL_CHANGE, base = SHA.base) {
    pr += 1;
    const pull = h.fake.openPull(h.repo, { number: pr, headSha: SHA.head1, baseSha: base, files });
    return pull;
  }

  beforeAll(async () => {
    process.env.SNOWFLAKE_PASSWORD = secretValue;
    h = await startHarness();
    h.fake.addCommit(h.repo, SHA.base, baseFiles());
    h.fake.addCommit(h.repo, SHA.head1, headFiles(1));
  });

  afterAll(async () => {
    delete process.env.SNOWFLAKE_PASSWORD;
    // Nothing the app sent to GitHub carries a secret: not the webhook secret, the key, or the warehouse password.
    const sent = JSON.stringify(h.fake.requests.map((r) => r.body));
    for (const secret of [SECRET, secretValue, 'PRIVATE KEY']) expect(sent).not.toContain(secret);
    h.fake.assertClean();
    await h.close();
  });

  it('a bad signature gets 400 and makes no API call', async () => {
    const pull = open();
    const before = h.fake.requests.length;
    const payload = pullRequestEvent(h.repo, pull, 'opened');
    const res = await h.send('pull_request', payload, { signature: sign('wrong-secret', JSON.stringify(payload)) });
    const unsigned = await fetch(`${h.url}${DEFAULT_WEBHOOK_PATH}`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-github-event': 'pull_request', 'x-github-delivery': 'x1' }, body: JSON.stringify(payload) });
    await h.app.idle();
    expect(res.status).toBe(400);
    expect(unsigned.status).toBe(400);
    expect(h.fake.requests.length).toBe(before);
    expect(h.calls).toHaveLength(0);
  });

  it('one GitHub 502 is retried and the review completes', async () => {
    const pull = open();
    h.fake.fault({ method: 'GET', path: new RegExp(`/pulls/${pull.number}/files$`), status: 502, body: { message: 'Server Error' } });
    await h.send('pull_request', pullRequestEvent(h.repo, pull, 'opened'));
    await h.app.idle();
    expect(h.fake.calls('GET', new RegExp(`/pulls/${pull.number}/files$`)).map((r) => r.status)).toEqual([502, 200]);
    expect(h.calls.at(-1)?.input.pullNumber).toBe(pull.number);
    expect(h.fake.botComments(h.repo, pull.number)).toHaveLength(1);
  });

  it('warehouse down: the check completes neutral with the message, no stack, no secret; the app keeps serving', async () => {
    const pull = open();
    h.setPipeline(async () => {
      throw new Error(`warehouse down: login failed for user REVIEW with password ${secretValue}\n    at connect (/app/dist/src/warehouse/snowflake.js:10:5)`);
    });
    await h.send('pull_request', pullRequestEvent(h.repo, pull, 'opened'));
    await h.app.idle();
    const checks = h.fake.checkRunsFor(h.repo, SHA.head1).filter((c) => c.external_id === String(pull.number));
    expect(checks).toHaveLength(1);
    expect(checks[0]).toMatchObject({ status: 'completed', conclusion: 'neutral' });
    expect(checks[0].output.title).toBe('Impact review could not finish');
    expect(checks[0].output.summary).toContain('**warehouse down: login failed for user REVIEW with password [redacted]**');
    const [comment] = h.fake.botComments(h.repo, pull.number);
    expect(comment.body).toContain('The review could not finish');
    for (const text of [checks[0].output.summary ?? '', comment.body]) {
      expect(text).not.toContain(secretValue);
      expect(text).not.toContain('snowflake.js');
    }
    const health = await fetch(`${h.url}/healthz`);
    expect(health.status).toBe(200);
  });

  it('GitHub failing for good while posting: the check still completes neutral, nothing crashes', async () => {
    const { cannedOutput } = await import('./harness.js');
    h.setPipeline(async (input) => cannedOutput(input));
    const pull = open();
    h.fake.fault({ method: 'POST', path: new RegExp(`/issues/${pull.number}/comments$`), status: 500, times: 2 });
    await h.send('pull_request', pullRequestEvent(h.repo, pull, 'opened'));
    await h.app.idle();
    const [check] = h.fake.checkRunsFor(h.repo, SHA.head1).filter((c) => c.external_id === String(pull.number));
    expect(check).toMatchObject({ status: 'completed', conclusion: 'neutral' });
    expect(check.output.summary).toContain('The review could not finish');
  });

  it('an invalid config at the base commit fails the check, naming the key and the line', async () => {
    const badBase = 'e'.repeat(40);
    h.fake.addCommit(h.repo, badBase, baseFiles('approvals:\n  per_team: 1\n  blocked_conclusion: maybe\n'));
    const pull = open(MODEL_CHANGE, badBase);
    const callsBefore = h.calls.length;
    await h.send('pull_request', pullRequestEvent(h.repo, pull, 'opened'));
    await h.app.idle();
    expect(h.calls.length).toBe(callsBefore);
    const [check] = h.fake.checkRunsFor(h.repo, SHA.head1).filter((c) => c.external_id === String(pull.number));
    expect(check).toMatchObject({ status: 'completed', conclusion: 'failure' });
    expect(check.output.title).toBe('Invalid .github/impact-review.yml');
    expect(check.output.summary).toMatch(/- line 3: `approvals\.blocked_conclusion`: .*/);
    const [comment] = h.fake.botComments(h.repo, pull.number);
    expect(comment.body).toMatch(/line 3: `approvals\.blocked_conclusion`/);
  });

  it('a PR that changes no dbt file: success "No model changes", no pipeline call, no comment', async () => {
    const callsBefore = h.calls.length;
    const pull = open([
      { filename: 'README.md', status: 'modified' },
      { filename: 'analytics/dbt_packages/dbt_utils/macros/x.sql', status: 'added' },
    ]);
    // dbt_packages/ holds installed packages, not the project: only analytics/ is a project, and
    // its dbt_packages folder still lies inside it, so use a file outside every project.
    pull.files = [{ filename: 'README.md', status: 'modified' }, { filename: 'docs/guide.md', status: 'added' }];
    await h.send('pull_request', pullRequestEvent(h.repo, pull, 'opened'));
    await h.app.idle();
    expect(h.calls.length).toBe(callsBefore);
    const [check] = h.fake.checkRunsFor(h.repo, SHA.head1).filter((c) => c.external_id === String(pull.number));
    expect(check).toMatchObject({ status: 'completed', conclusion: 'success' });
    expect(check.output.title).toBe('No model changes');
    expect(check.output.summary).toContain('(`analytics`)');
    expect(h.fake.botComments(h.repo, pull.number)).toHaveLength(0);
  });

  it('acknowledges a webhook before the analysis finishes', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const { cannedOutput } = await import('./harness.js');
    h.setPipeline(async (input) => {
      await gate;
      return cannedOutput(input);
    });
    const pull = open();
    const res = await deliver(`${h.url}${DEFAULT_WEBHOOK_PATH}`, SECRET, 'pull_request', pullRequestEvent(h.repo, pull, 'opened'));
    expect(res.status).toBe(200);
    // Acknowledged while the pipeline is still blocked: no comment yet.
    expect(h.fake.botComments(h.repo, pull.number)).toHaveLength(0);
    release();
    await h.app.idle();
    expect(h.fake.botComments(h.repo, pull.number)).toHaveLength(1);
  });
});
