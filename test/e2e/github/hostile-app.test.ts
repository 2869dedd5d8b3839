import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { pipelineFromEnv } from '../../../src/github/review-pipeline.js';
import { CASES, type HostileCase, type OverlayFile } from '../../fixtures/hostile/cases.js';
import { baseRepositoryFiles, buildHostileProduction, expectProductionUntouched } from '../../fixtures/hostile/production.js';
import { dumpOutputs, expectClean, expectNoSecrets, expectSays, forbiddenValues, overlayOf, plantSecrets } from '../../fixtures/hostile/repo.js';
import type { FakeChangedFile, FakeFile } from '../../support/fake-github.js';
import { pullRequestEvent } from '../../support/webhooks.js';
import { appPrivateKey, captureLog, startHarness, type Harness } from './harness.js';

/** The review says a model was built and compared with production: "Compared with: `…model…` — rows 1,800 → 1,524". */
function diffedIn(body: string, model: string): boolean {
  return new RegExp(`\\*\\*Compared with\\*\\*: \`[^\`]*${model}[^\`]*\` — rows [\\d,]+ → [\\d,]+`).test(body);
}

/**
 * The hostile corpus through the GitHub app: each case is a pull request on the fake GitHub
 * (its commits served as tarballs), delivered as a signed webhook to the real app running the
 * real pipeline (`pipelineFromEnv`, as `npm start` wires it) on a DuckDB production. Every case
 * ends with one completed check and one comment that names the bad file (and line), the valid
 * change in the same PR is still diffed, and nothing the app sent or logged holds a secret, a
 * sensitive value or a stack trace.
 */
describe('hostile pull requests through the GitHub app', () => {
  let h: Harness;
  let production: { url: string; dir: string };
  let restoreEnv: () => void;
  let base: Record<string, string>;
  const logged = captureLog('info');
  const BASE_SHA = 'a0'.repeat(20);
  let forbidden: string[];

  beforeAll(async () => {
    // The app's own secrets are in the environment too, as `npm start` has them.
    restoreEnv = plantSecrets({ PRIVATE_KEY: appPrivateKey(), GITHUB_PRIVATE_KEY: appPrivateKey() });
    forbidden = forbiddenValues([appPrivateKey(), process.env.WEBHOOK_SECRET as string]);
    production = await buildHostileProduction();
    base = await baseRepositoryFiles();
    h = await startHarness({ log: logged.log, webhookSecret: process.env.WEBHOOK_SECRET });
    h.setPipeline(pipelineFromEnv({ ...process.env, IMPACT_REVIEW_WAREHOUSE: production.url }));
    h.fake.addCommit(h.repo, BASE_SHA, base);
  });

  afterAll(async () => {
    restoreEnv?.();
    if (h) {
      // Nothing the app sent to GitHub, and no line it logged, holds a secret or a sensitive value.
      // Nothing posted to GitHub holds a secret, a sensitive value or a stack; no log line holds a secret.
      expectClean({ 'requests to GitHub': JSON.stringify(h.fake.requests.map((r) => r.body)) }, forbidden);
      expectNoSecrets({ log: logged.lines.join('') }, forbidden);
      h.fake.assertClean();
      await h.close();
    }
    if (production) await expectProductionUntouched(production);
  });

  /** The head commit's files and the PR's changed-file list, as GitHub would list them. */
  function pullOf(overlay: Record<string, OverlayFile>): { files: Record<string, FakeFile>; changed: FakeChangedFile[] } {
    const files: Record<string, FakeFile> = { ...base };
    const changed: FakeChangedFile[] = [];
    for (const [path, content] of Object.entries(overlay)) {
      if (content === null) {
        delete files[path];
        changed.push({ filename: path, status: 'removed' });
        continue;
      }
      files[path] = content;
      // A `../` entry exists only in a forged tarball: GitHub's file list never names one.
      if (typeof content === 'object' && !Buffer.isBuffer(content) && 'rawName' in content) continue;
      changed.push({ filename: path, status: path in base ? 'modified' : 'added' });
    }
    return { files, changed };
  }

  const run = (c: HostileCase, index: number) => async () => {
    const number = 100 + index;
    const sha = `${String(index).padStart(4, '0')}${'c'.repeat(36)}`;
    const { files, changed } = pullOf(overlayOf(c, { front: 'app', outside: '/nonexistent' }));
    h.fake.addCommit(h.repo, sha, files);
    const pull = h.fake.openPull(h.repo, { number, headSha: sha, baseSha: BASE_SHA, files: changed });
    const logStart = logged.lines.length;

    const res = await h.send('pull_request', pullRequestEvent(h.repo, pull, 'opened'));
    expect(res.status).toBe(200);
    await h.app.idle();

    const checks = h.fake.checkRunsFor(h.repo, sha).filter((r) => r.external_id === String(number));
    expect(checks.map((r) => r.status)).toEqual(['completed']);
    const [check] = checks;
    const comments = h.fake.botComments(h.repo, number);
    expect(comments).toHaveLength(1);
    const body = comments[0].body;
    const checkText = `${check.output.title}\n${check.output.summary}`;
    await dumpOutputs(c.id, 'app', { [`check (${check.conclusion})`]: checkText, comment: body, log: logged.lines.slice(logStart).join('') });
    // The review ran: the check is not the "could not finish" error.
    expect(check.output.title).not.toBe('Impact review could not finish');
    expectClean({ comment: body, check: checkText }, [...forbidden, ...(c.absent ?? [])]);
    expectNoSecrets({ log: logged.lines.slice(logStart).join('') }, [...forbidden, ...(c.absent ?? [])]);
    expectSays(body, [...c.review, ...(c.reviewOn?.app ?? [])]);
    // Once the app hands the pipeline the tarball's skipped entries, the awaited messages are checked too.
    if (c.awaiting?.app && h.calls.at(-1)?.input.skipped !== undefined) expectSays(body, c.awaiting.app.review);
    for (const model of c.diffed ?? ['fct_orders']) expect({ model, diffed: diffedIn(body, model) }).toEqual({ model, diffed: true });
  };

  CASES.forEach((c, index) => {
    if (c.notOn?.app) return;
    const title = `${c.id}: ${c.title}`;
    it(title, run(c, index), c.timeoutMs ?? 60_000);
    if (c.awaiting?.app) it.skip(`${c.id}: the review names it — ${c.awaiting.app.reason}`, () => undefined);
  });
});
