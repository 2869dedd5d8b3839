import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { buildProject } from '../../../src/build/production.js';
import { loadProject } from '../../../src/dbt/project.js';
import { pipelineFromEnv } from '../../../src/github/review-pipeline.js';
import { openWarehouse } from '../../../src/warehouse/connect.js';
import { SECRETS, VALID_CHANGE } from '../../fixtures/hostile/cases.js';
import { BASE_DIR, baseRepositoryFiles, RAW_SQL } from '../../fixtures/hostile/production.js';
import { expectClean, expectNoSecrets, forbiddenValues, plantSecrets } from '../../fixtures/hostile/repo.js';
import { startFakeSnowflake, type FakeSnowflake } from '../../support/fake-snowflake.js';
import { pullRequestEvent } from '../../support/webhooks.js';
import { appPrivateKey, captureLog, startHarness, type Harness } from './harness.js';

/**
 * The warehouse failing under the real pipeline: the app reviews on Snowflake (the fake endpoint,
 * through the real driver), and the connection drops in the middle of a statement or a statement
 * runs past its timeout. Each PR still ends with exactly one completed check and one comment for
 * its commit, saying what failed in one line: no stack trace, no password.
 */
describe('GitHub app: the warehouse fails mid-review', () => {
  let h: Harness;
  let sf: FakeSnowflake;
  let restoreEnv: () => void;
  const logged = captureLog('info');
  const BASE_SHA = 'b1'.repeat(20);
  let forbidden: string[];
  let pr = 300;
  let url: string;

  beforeAll(async () => {
    restoreEnv = plantSecrets({ PRIVATE_KEY: appPrivateKey() });
    forbidden = forbiddenValues([appPrivateKey()]);
    sf = await startFakeSnowflake({ schemas: ['PUBLIC', 'SCRATCH', 'RAW'], users: { reviewer: { password: SECRETS.SNOWFLAKE_PASSWORD } } });
    url = `snowflake://reviewer@acme/ANALYTICS/SCRATCH?warehouse=REVIEW_WH&accessUrl=${encodeURIComponent(sf.url)}`;
    // Production on the fake: the raw tables, then the base project built as `impact-review build` would.
    const w = await openWarehouse(url);
    try {
      for (const sql of RAW_SQL.slice(1)) await w.query(sql);
      const project = await loadProject(BASE_DIR, { target: { name: 'prod', type: 'snowflake', database: 'ANALYTICS', schema: 'PUBLIC' } });
      const built = await buildProject(project, w, Object.keys(project.nodes));
      expect(built.failed).toEqual([]);
    } finally {
      await w.close();
    }
    h = await startHarness({ log: logged.log });
    h.setPipeline(pipelineFromEnv({ ...process.env, IMPACT_REVIEW_WAREHOUSE: url }));
    const base = await baseRepositoryFiles();
    // Production lives in ANALYTICS.PUBLIC; statements time out after 2 s.
    base['.github/impact-review.yml'] = `${base['.github/impact-review.yml']}target: { schema: PUBLIC }\nwarehouse: { statement_timeout_seconds: 2 }\n`;
    h.fake.addCommit(h.repo, BASE_SHA, base);
    h.fake.addCommit(h.repo, 'c1'.repeat(20), { ...base, ...VALID_CHANGE });
  });

  afterAll(async () => {
    restoreEnv?.();
    if (h) {
      expectClean({ 'requests to GitHub': JSON.stringify(h.fake.requests.map((r) => r.body)) }, forbidden);
      expectNoSecrets({ log: logged.lines.join('') }, forbidden);
      h.fake.assertClean();
      await h.close();
    }
    // Every session the reviews opened was closed.
    expect(sf?.openSessions()).toEqual([]);
    await sf?.close();
  });

  async function review(): Promise<{ body: string; check: string; conclusion: string | null }> {
    pr += 1;
    const sha = 'c1'.repeat(20);
    const pull = h.fake.openPull(h.repo, { number: pr, headSha: sha, baseSha: BASE_SHA, files: [{ filename: 'models/marts/fct_orders.sql', status: 'modified' }] });
    const res = await h.send('pull_request', pullRequestEvent(h.repo, pull, 'opened'));
    expect(res.status).toBe(200);
    await h.app.idle();
    const checks = h.fake.checkRunsFor(h.repo, sha).filter((c) => c.external_id === String(pr));
    expect(checks.map((c) => c.status)).toEqual(['completed']);
    const comments = h.fake.botComments(h.repo, pr);
    expect(comments).toHaveLength(1);
    const out = { body: comments[0].body, check: `${checks[0].output.title}\n${checks[0].output.summary}`, conclusion: checks[0].conclusion };
    expectClean({ comment: out.body, check: out.check }, forbidden);
    return out;
  }

  it('without a fault, the review on Snowflake diffs the changed model', async () => {
    const { body } = await review();
    expect(body).toMatch(/\*\*Compared with\*\*: `[^`]*fct_orders[^`]*` — rows 1,800 → 1,524/);
  });

  it('the connection drops while the PR version is built: the build failure is reported in one line, the review completes', async () => {
    // Every attempt the driver makes at the statement loses its socket.
    sf.failures.push({ match: /TEMPORARY TABLE\s+\S*pr__hostile__fct_orders/i, drop: true });
    const { body, conclusion } = await review();
    sf.failures.length = 0;
    expect(body).toMatch(/🛑 \*\*Build failed\*\*: the PR version of `fct_orders` did not build: Snowflake did not answer within 7s \(the connection may have dropped\); the statement was cancelled\n/);
    // The models downstream are still walked and listed.
    expect(body).toContain('`customer_revenue`');
    expect(conclusion).toBe('action_required');
  });

  it('the connection drops while the PR version is compared with production: each failure is one line, the review completes', async () => {
    // Every statement that reads the PR version loses its socket: the comparison and the tests.
    sf.failures.push({ match: /\bFROM\s+\S*pr__hostile__fct_orders/i, drop: true });
    const { body } = await review();
    sf.failures.length = 0;
    expect(body).toMatch(/PR build\*\*: built/);
    expect(body).toMatch(/⚠️ \*\*Comparison failed\*\* for `fct_orders`: [^\n]+\n/);
    expect(body).toMatch(/⚠️ \*\*Test could not run\*\*: `unique_fct_orders_order_id` [^\n]+\n/);
    expect(body).not.toMatch(/\*\*Compared with\*\*: `[^`]*fct_orders[^`]*` — rows/);
  });

  it('a statement runs past the statement timeout: the review names the timeout and completes', async () => {
    sf.failures.push({ match: /TEMPORARY TABLE\s+\S*pr__hostile__fct_orders/i, delayMs: 30_000 });
    const { body } = await review();
    sf.failures.length = 0;
    expect(body).toMatch(/the PR version of `fct_orders` did not build: [^\n]*timeout of 2 second\(s\)/);
    // The statement was cancelled on the server, not left running.
    expect(sf.queries.some((q) => /TEMPORARY TABLE/i.test(q.sql ?? ''))).toBe(true);
  });

  it('the warehouse refuses the login: the check completes neutral with the one-line reason, and the log says the pipeline failed', async () => {
    const linesBefore = logged.lines.length;
    h.setPipeline(pipelineFromEnv({ ...process.env, IMPACT_REVIEW_WAREHOUSE: url.replace('reviewer@', 'intruder@') }));
    try {
      const { body, check, conclusion } = await review();
      expect(conclusion).toBe('neutral');
      expect(check).toMatch(/^Impact review could not finish\nThe review could not finish: \*\*cannot connect to Snowflake as intruder@acme [^\n]*Incorrect username or password was specified\.\*\*/);
      expect(body).toContain('The review could not finish');
    } finally {
      h.setPipeline(pipelineFromEnv({ ...process.env, IMPACT_REVIEW_WAREHOUSE: url }));
    }
    const log = logged.lines.slice(linesBefore).join('');
    expect(log).toContain('the analysis pipeline failed');
    expectNoSecrets({ log }, forbidden);
  });
});
