import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { parseState } from '../../../src/github/comment.js';
import { pipelineFromEnv } from '../../../src/github/review-pipeline.js';
import { baseRepositoryFiles, buildHostileProduction } from '../../fixtures/hostile/production.js';
import { expectClean, expectNoSecrets, forbiddenValues, plantSecrets } from '../../fixtures/hostile/repo.js';
import type { FakePull } from '../../support/fake-github.js';
import { pullRequestEvent, randomUUID } from '../../support/webhooks.js';
import { appPrivateKey, captureLog, startHarness, type Harness } from './harness.js';

/**
 * GitHub misbehaving around the real pipeline (DuckDB production): webhooks redelivered with the
 * same delivery id, pushes 100 ms apart, 5xx answers and secondary rate limits on the calls the
 * existing fault tests do not cover (tarball downloads, comments, the check's completion). After
 * each, every commit has exactly one completed check, the PR has exactly one comment and it is
 * about the newest commit, and nothing posted holds a stack trace or a secret.
 */

const BASE_SHA = 'e0'.repeat(20);
const FCT = 'models/marts/fct_orders.sql';
const CHANGED = [{ filename: FCT, status: 'modified' }];

/** A head commit whose only change is fct_orders' filter threshold, so each commit's review differs. */
function headWith(base: Record<string, string>, threshold: number): Record<string, string> {
  return { ...base, [FCT]: `select order_id, customer_id, amount, status\nfrom {{ ref('stg_orders') }}\nwhere status <> 'cancelled' and amount > ${threshold}\n` };
}

function sha(n: number): string {
  return `${n.toString(16).padStart(4, '0')}${'f'.repeat(36)}`;
}

let production: { url: string; dir: string };
let base: Record<string, string>;
let restoreEnv: () => void;
let forbidden: string[];

beforeAll(async () => {
  restoreEnv = plantSecrets({ PRIVATE_KEY: appPrivateKey() });
  forbidden = forbiddenValues([appPrivateKey()]);
  production = await buildHostileProduction();
  base = await baseRepositoryFiles();
});

afterAll(async () => {
  restoreEnv?.();
  if (production) await rm(production.dir, { recursive: true, force: true });
});

/** A harness on the real pipeline, its logs captured at info level. */
async function start(options: { productionThrottling?: boolean } = {}): Promise<{ h: Harness; lines: string[] }> {
  const logged = captureLog('info');
  const h = await startHarness({ log: logged.log, productionThrottling: options.productionThrottling });
  h.setPipeline(pipelineFromEnv({ ...process.env, IMPACT_REVIEW_WAREHOUSE: production.url }));
  h.fake.addCommit(h.repo, BASE_SHA, base);
  return { h, lines: logged.lines };
}

/** The invariant every fault must leave: per commit one completed check, one comment on the PR about `latest`. */
function expectSettled(h: Harness, pull: FakePull, shas: string[], latest: string): { body: string } {
  for (const s of shas) {
    const checks = h.fake.checkRunsFor(h.repo, s).filter((c) => c.external_id === String(pull.number));
    expect({ sha: s.slice(0, 4), statuses: checks.map((c) => c.status) }).toEqual({ sha: s.slice(0, 4), statuses: ['completed'] });
  }
  const comments = h.fake.botComments(h.repo, pull.number);
  expect(comments).toHaveLength(1);
  const body = comments[0].body;
  expect(parseState(body)?.sha).toBe(latest);
  expect(body).toContain(`(\`${latest.slice(0, 7)}\`)`);
  const checks = shas.flatMap((s) => h.fake.checkRunsFor(h.repo, s)).map((c) => `${c.output.title}\n${c.output.summary}`);
  expectClean({ comment: body, checks: checks.join('\n') }, forbidden);
  return { body };
}

/** Nothing the app sent to GitHub or logged carries a forbidden value; the fake saw no unknown route. */
async function closeClean(h: Harness | undefined, lines: string[]): Promise<void> {
  if (!h) return;
  expectClean({ 'requests to GitHub': JSON.stringify(h.fake.requests.map((r) => r.body)) }, forbidden);
  expectNoSecrets({ log: lines.join('') }, forbidden);
  h.fake.assertClean();
  await h.close();
}

describe('GitHub app on the real pipeline: deliveries and pushes', () => {
  let h: Harness;
  let lines: string[];

  beforeAll(async () => {
    ({ h, lines } = await start());
  });

  afterAll(() => closeClean(h, lines));

  it('one webhook delivered three times with the same X-GitHub-Delivery id (twice at once, once later) is reviewed once', async () => {
    const head = sha(1);
    h.fake.addCommit(h.repo, head, headWith(base, 10));
    const pull = h.fake.openPull(h.repo, { number: 401, headSha: head, baseSha: BASE_SHA, files: CHANGED });
    const payload = pullRequestEvent(h.repo, pull, 'opened');
    const id = randomUUID();
    const before = h.calls.length;
    const replies = await Promise.all([h.send('pull_request', payload, { id }), h.send('pull_request', payload, { id })]);
    await h.app.idle();
    // GitHub's "Redeliver" sends the same delivery again, after the review is out.
    replies.push(await h.send('pull_request', payload, { id }));
    await h.app.idle();
    expect(replies.map((r) => r.status)).toEqual([200, 200, 200]);
    expect(h.calls.length - before).toBe(1);
    expectSettled(h, pull, [head], head);
    expect(h.fake.calls('POST', /\/issues\/401\/comments$/)).toHaveLength(1);
  });

  it('two synchronize events 100 ms apart: each commit ends with one completed check, the one comment is about the newest', async () => {
    const [first, second, third] = [sha(2), sha(3), sha(4)];
    h.fake.addCommit(h.repo, first, headWith(base, 10));
    h.fake.addCommit(h.repo, second, headWith(base, 20));
    h.fake.addCommit(h.repo, third, headWith(base, 30));
    const pull = h.fake.openPull(h.repo, { number: 402, headSha: first, baseSha: BASE_SHA, files: CHANGED });
    await h.send('pull_request', pullRequestEvent(h.repo, pull, 'opened'));
    await h.app.idle();

    pull.head.sha = second;
    await h.send('pull_request', pullRequestEvent(h.repo, pull, 'synchronize', { before: first }));
    await new Promise((r) => setTimeout(r, 100));
    pull.head.sha = third;
    await h.send('pull_request', pullRequestEvent(h.repo, pull, 'synchronize', { before: second }));
    await h.app.idle();

    const { body } = expectSettled(h, pull, [first, second, third], third);
    expect(body).toContain('amount &gt; 30');
    // The newest commit got a real review, whatever became of the one in between.
    const [latest] = h.fake.checkRunsFor(h.repo, third).filter((c) => c.external_id === '402');
    expect(latest.output.title).toMatch(/^(Not safe to merge|Needs review|Safe to merge)/);
    const [between] = h.fake.checkRunsFor(h.repo, second).filter((c) => c.external_id === '402');
    expect(between.output.title).toMatch(/^(Superseded by a newer commit|Not safe to merge|Needs review|Safe to merge)/);
  });

  it('GitHub answers 502 to the tarball download, then 503 from codeload: both retried, the review completes', async () => {
    const head = sha(5);
    h.fake.addCommit(h.repo, head, headWith(base, 10));
    const pull = h.fake.openPull(h.repo, { number: 403, headSha: head, baseSha: BASE_SHA, files: CHANGED });
    h.fake.fault({ method: 'GET', path: new RegExp(`/tarball/${head}$`), status: 502, body: { message: 'Server Error' } });
    h.fake.fault({ method: 'GET', path: new RegExp(`/_codeload/.*/${BASE_SHA}$`), status: 503, body: { message: 'Service Unavailable' } });
    await h.send('pull_request', pullRequestEvent(h.repo, pull, 'opened'));
    await h.app.idle();
    expect(h.fake.calls('GET', new RegExp(`/tarball/${head}$`)).map((r) => r.status)).toEqual([502, 302]);
    const { body } = expectSettled(h, pull, [head], head);
    expect(body).toMatch(/\*\*Compared with\*\*: `[^`]*fct_orders[^`]*` — rows 1,800 → 1,524/);
  });

  it('GitHub answers 500 to completing the check, once: retried, and the check completes with the review', async () => {
    const head = sha(6);
    h.fake.addCommit(h.repo, head, headWith(base, 10));
    const pull = h.fake.openPull(h.repo, { number: 404, headSha: head, baseSha: BASE_SHA, files: CHANGED });
    h.fake.fault({ method: 'PATCH', path: /\/check-runs\/\d+$/, status: 500 });
    await h.send('pull_request', pullRequestEvent(h.repo, pull, 'opened'));
    await h.app.idle();
    expectSettled(h, pull, [head], head);
    const [check] = h.fake.checkRunsFor(h.repo, head).filter((c) => c.external_id === '404');
    expect(check.output.title).toBe('Needs review');
  });

  it('the tarball cannot be fetched for a new push: the check of that commit completes neutral, saying so in one line', async () => {
    const [first, second] = [sha(7), sha(8)];
    h.fake.addCommit(h.repo, first, headWith(base, 10));
    h.fake.addCommit(h.repo, second, headWith(base, 20));
    const pull = h.fake.openPull(h.repo, { number: 405, headSha: first, baseSha: BASE_SHA, files: CHANGED });
    await h.send('pull_request', pullRequestEvent(h.repo, pull, 'opened'));
    await h.app.idle();
    pull.head.sha = second;
    h.fake.fault({ method: 'GET', path: new RegExp(`/tarball/${second}$`), status: 502, times: 10 });
    await h.send('pull_request', pullRequestEvent(h.repo, pull, 'synchronize', { before: first }));
    await h.app.idle();
    for (const s of [first, second]) expect(h.fake.checkRunsFor(h.repo, s).filter((c) => c.external_id === '405').map((c) => c.status)).toEqual(['completed']);
    const [check] = h.fake.checkRunsFor(h.repo, second).filter((c) => c.external_id === '405');
    expect(check).toMatchObject({ status: 'completed', conclusion: 'neutral' });
    expect(check.output.title).toBe('Could not fetch the repository');
    expect(check.output.summary?.split('\n').filter((l) => l.trim()).length).toBeLessThanOrEqual(2);
    expectClean({ check: `${check.output.title}\n${check.output.summary}` }, forbidden);
    // The one comment is about the new commit: the first commit's review no longer passes for it.
    const comments = h.fake.botComments(h.repo, 405);
    expect(comments).toHaveLength(1);
    expect(comments[0].body).toContain(`**Not reviewed** at ${second.slice(0, 7)}: impact-review could not read the repository`);
    expect(comments[0].body).not.toContain('Needs review');
    expectClean({ comment: comments[0].body }, forbidden);
  });
});

describe('GitHub app on the real pipeline: secondary rate limits (production client)', () => {
  let h: Harness;
  let lines: string[];

  beforeAll(async () => {
    ({ h, lines } = await start({ productionThrottling: true }));
  });

  afterAll(() => closeClean(h, lines));

  it('a secondary rate limit on the changed-file list and on posting the comment is waited out; the review completes', async () => {
    const head = sha(9);
    h.fake.addCommit(h.repo, head, headWith(base, 10));
    const pull = h.fake.openPull(h.repo, { number: 406, headSha: head, baseSha: BASE_SHA, files: CHANGED });
    const limited = { status: 403, headers: { 'retry-after': '1' }, body: { message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.' } };
    h.fake.fault({ method: 'GET', path: /\/pulls\/406\/files$/, ...limited });
    h.fake.fault({ method: 'POST', path: /\/issues\/406\/comments$/, ...limited });
    await h.send('pull_request', pullRequestEvent(h.repo, pull, 'opened'));
    await h.app.idle();
    expect(h.fake.calls('GET', /\/pulls\/406\/files$/).map((r) => r.status)).toEqual([403, 200]);
    expect(h.fake.calls('POST', /\/issues\/406\/comments$/).map((r) => r.status)).toEqual([403, 201]);
    const { body } = expectSettled(h, pull, [head], head);
    expect(body).toMatch(/\*\*Compared with\*\*: `[^`]*fct_orders[^`]*` — rows 1,800 → 1,524/);
    // The waits were logged (at warn): the log this file checks for secrets is not empty.
    expect(lines.join('')).toMatch(/secondary rate limit on GET \S*\/pulls\/406\/files/);
    expect(lines.join('')).toMatch(/secondary rate limit on POST \S*\/comments/);
  });
});
