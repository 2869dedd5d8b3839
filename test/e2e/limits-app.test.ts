import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { pullRequestEvent } from '../support/webhooks.js';
import { baseFiles, CONFIG, headFiles, MODEL_CHANGE, SHA, startHarness, type Harness } from './github/harness.js';

/**
 * limits.max_fetch_bytes through the GitHub app: a tree over the cap still gets its review — a
 * neutral check (and comment) naming the tarball, the limit and how to raise it — and a tree under
 * it reaches the pipeline with the bytes fetched, which the review states.
 */
describe('GitHub app: bytes fetched from GitHub', () => {
  let h: Harness;
  const CAP = 20_000;
  const config = `${CONFIG}limits:\n  max_fetch_bytes: ${CAP}\n`;
  // Random text barely compresses: ~60 KB of it makes a tarball well over the cap.
  const bulk = () => randomBytes(45_000).toString('base64');
  let number = 600;

  beforeAll(async () => {
    h = await startHarness();
    h.fake.addCommit(h.repo, SHA.base, baseFiles(config));
  });
  afterAll(async () => {
    h.fake.assertClean();
    await h.close();
  });

  const open = async (headSha: string, files: Record<string, unknown>, changed = MODEL_CHANGE, baseSha = SHA.base) => {
    h.fake.addCommit(h.repo, headSha, files as Parameters<typeof h.fake.addCommit>[2]);
    const pull = h.fake.openPull(h.repo, { number: ++number, headSha, baseSha, files: changed });
    const before = h.calls.length;
    await h.send('pull_request', pullRequestEvent(h.repo, pull, 'opened'));
    await h.app.idle();
    const check = h.fake.checkRunsFor(h.repo, headSha).at(-1)!;
    return { pull, check, pipelineRan: h.calls.length > before, comments: h.fake.botComments(h.repo, pull.number) };
  };

  it('a head tarball over limits.max_fetch_bytes: neutral check and comment naming the limit and how to raise it, no analysis', async () => {
    const { check, pipelineRan, comments } = await open('5'.repeat(40), { ...headFiles(5, config), 'analytics/seeds/big.csv': `id,blob\n1,${bulk()}\n` });
    expect(pipelineRan).toBe(false);
    expect(check).toMatchObject({ status: 'completed', conclusion: 'neutral' });
    expect(check.output.title).toBe('Repository too large to review (limits.max_fetch_bytes)');
    const summary = check.output.summary!;
    expect(summary).toMatch(/^The repository at the head commit 5555555 is too large to review: its tarball is \d+\.\d KiB \([\d,]+ bytes\), over the limit of \*\*19\.5 KiB\*\* \(20,000 bytes\)/);
    expect(summary).toContain('raise `limits.max_fetch_bytes` in `.github/impact-review.yml` on the base branch (now 20000), then comment `/impact`');
    expect(summary).not.toContain('MAX_FETCH_BYTES');
    expect(comments).toHaveLength(1);
    expect(comments[0].body).toContain('**Not reviewed** at 5555555: the repository is too large (`limits.max_fetch_bytes`).');
    expect(comments[0].body).toContain(summary);
  });

  it('a base tarball over the limit is named as the base, and a PR touching no project file gets the check only', async () => {
    const bigBase = 'e'.repeat(40);
    h.fake.addCommit(h.repo, bigBase, { ...baseFiles(config), 'docs/blob.txt': bulk() });
    const { check, pipelineRan, comments } = await open('6'.repeat(40), { ...baseFiles(config), 'docs/blob.txt': bulk(), 'README.md': '# changed\n' }, [{ filename: 'README.md', status: 'modified' }], bigBase);
    expect(pipelineRan).toBe(false);
    expect(check.conclusion).toBe('neutral');
    expect(check.output.summary).toMatch(/^The repository at the base commit eeeeeee is too large to review/);
    expect(comments).toHaveLength(0);
  });

  it('under the limit the pipeline gets the bytes fetched from both tarballs and the cap in force', async () => {
    const { pipelineRan, check } = await open('7'.repeat(40), headFiles(7, config));
    expect(pipelineRan).toBe(true);
    expect(check.conclusion).not.toBe('neutral');
    const fetched = h.calls.at(-1)!.input.fetched!;
    expect(fetched.limit).toBe(CAP);
    expect(fetched.base).toBeGreaterThan(100);
    expect(fetched.head).toBeGreaterThan(100);
    expect(fetched.base + fetched.head).toBeLessThan(2 * CAP);
  });
});
