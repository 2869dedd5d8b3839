import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { pullRequestEvent } from '../../support/webhooks.js';
import { baseFiles, CONFIG, headFiles, MODEL_CHANGE, SHA, startHarness, type Harness } from './harness.js';

/** What the pipeline is handed: every changed file (across pages, up to GitHub's cap), safe trees, projects. */
describe('GitHub app: source fetching', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness();
    h.fake.addCommit(h.repo, SHA.base, baseFiles());
    h.fake.addCommit(h.repo, SHA.head1, headFiles(1));
  });

  afterAll(async () => {
    h.fake.assertClean();
    await h.close();
  });

  it('reads changed files across pages and flags GitHub\'s 3,000-file cap', async () => {
    const files = Array.from({ length: 3105 }, (_, i) => ({ filename: `analytics/models/gen/m_${String(i).padStart(4, '0')}.sql`, status: 'added' }));
    const pull = h.fake.openPull(h.repo, { number: 61, headSha: SHA.head1, baseSha: SHA.base, files });
    await h.send('pull_request', pullRequestEvent(h.repo, pull, 'opened'));
    await h.app.idle();
    const { input } = h.calls.at(-1)!;
    expect(input.changedFiles).toHaveLength(3000);
    expect(input.changedFiles[2999].filename).toBe('analytics/models/gen/m_2999.sql');
    expect(input.changedFilesTruncated).toBe(true);
    expect(h.fake.calls('GET', /\/pulls\/61\/files$/)).toHaveLength(30);
  });

  it('finds its sticky comment on a later page instead of posting a second one', async () => {
    const pull = h.fake.openPull(h.repo, { number: 62, headSha: SHA.head1, baseSha: SHA.base, files: MODEL_CHANGE });
    await h.send('pull_request', pullRequestEvent(h.repo, pull, 'opened'));
    await h.app.idle();
    for (let i = 0; i < 130; i++) h.fake.addComment(h.repo, 62, `user${i}`, `comment ${i}`);
    // A human quoting the marker must not hijack the sticky comment.
    h.fake.addComment(h.repo, 62, 'mallory', '<!-- impact-review --> fake');
    const head2 = '3'.repeat(40);
    h.fake.addCommit(h.repo, head2, headFiles(3));
    pull.head.sha = head2;
    await h.send('pull_request', pullRequestEvent(h.repo, pull, 'synchronize'));
    await h.app.idle();
    const bot = h.fake.botComments(h.repo, 62);
    expect(bot).toHaveLength(1);
    expect(bot[0].body).toContain('for 3333333');
    expect(h.fake.calls('GET', /\/issues\/62\/comments$/).length).toBeGreaterThanOrEqual(2);
    expect(h.repo.comments.find((c) => c.user.login === 'mallory')?.body).toBe('<!-- impact-review --> fake');
  });

  it('extracts hostile tarballs safely: no traversal, no symlinks, and the temp trees are removed', async () => {
    const hostile = '4'.repeat(40);
    const escapeName = `../../../../../../..${tmpdir()}/impact-review-escaped.txt`;
    h.fake.addCommit(h.repo, hostile, {
      ...headFiles(4),
      'analytics/models/link.sql': { symlink: '../../../../etc/passwd' },
      'analytics/models/inside_link.sql': { symlink: 'fct_orders.sql' },
      escape: { rawName: escapeName, content: 'escaped' },
      'analytics/seeds/blob.bin': Buffer.from([0, 1, 2, 3, 0, 0, 9]),
    });
    const pull = h.fake.openPull(h.repo, {
      number: 63,
      headSha: hostile,
      baseSha: SHA.base,
      files: [...MODEL_CHANGE, { filename: 'analytics/models/link.sql', status: 'added' }, { filename: 'analytics/models/inside_link.sql', status: 'added' }],
    });
    await h.send('pull_request', pullRequestEvent(h.repo, pull, 'opened'));
    await h.app.idle();
    const { input, headFiles: seen } = h.calls.at(-1)!;
    expect(seen['analytics/models/fct_orders.sql']).toContain('-- v4');
    expect(seen['analytics/models/link.sql']).toBe('<missing>');
    expect(seen['analytics/models/inside_link.sql']).toBe('<missing>');
    expect(existsSync(join(tmpdir(), 'impact-review-escaped.txt'))).toBe(false);
    expect(existsSync(join(input.headDir, 'analytics/seeds/blob.bin'))).toBe(false);
    expect(existsSync(input.headDir)).toBe(false); // cleaned up after the run
  });

  it('detects every project in a monorepo, and config `projects` narrows them', async () => {
    const mono = '5'.repeat(40);
    const monoBase = '6'.repeat(40);
    const two = { ...baseFiles(), 'marketing/dbt/dbt_project.yml': 'name: marketing\n', 'marketing/dbt/models/a.sql': 'select 1\n' };
    h.fake.addCommit(h.repo, monoBase, two);
    h.fake.addCommit(h.repo, mono, { ...two, 'marketing/dbt/models/a.sql': 'select 2\n' });
    const pull = h.fake.openPull(h.repo, { number: 64, headSha: mono, baseSha: monoBase, files: [{ filename: 'marketing/dbt/models/a.sql', status: 'modified' }] });
    await h.send('pull_request', pullRequestEvent(h.repo, pull, 'opened'));
    await h.app.idle();
    expect(h.calls.at(-1)?.input.projectDirs).toEqual(['analytics', 'marketing/dbt']);

    const narrowBase = '7'.repeat(40);
    const narrowHead = '8'.repeat(40);
    const narrowed = { ...two, '.github/impact-review.yml': `${CONFIG}projects: ['./analytics/']\n` };
    h.fake.addCommit(h.repo, narrowBase, narrowed);
    h.fake.addCommit(h.repo, narrowHead, { ...narrowed, 'marketing/dbt/models/a.sql': 'select 3\n' });
    const callsBefore = h.calls.length;
    const other = h.fake.openPull(h.repo, { number: 65, headSha: narrowHead, baseSha: narrowBase, files: [{ filename: 'marketing/dbt/models/a.sql', status: 'modified' }] });
    await h.send('pull_request', pullRequestEvent(h.repo, other, 'opened'));
    await h.app.idle();
    expect(h.calls.length).toBe(callsBefore);
    expect(h.fake.checkRunsFor(h.repo, narrowHead)[0]).toMatchObject({ conclusion: 'success', output: { title: 'No model changes' } });
  });

  it('a renamed model counts through its previous path', async () => {
    const renamedHead = '9'.repeat(40);
    h.fake.addCommit(h.repo, renamedHead, headFiles(9));
    const pull = h.fake.openPull(h.repo, { number: 66, headSha: renamedHead, baseSha: SHA.base, files: [{ filename: 'archive/fct_orders.sql', status: 'renamed', previous_filename: 'analytics/models/fct_orders.sql' }] });
    await h.send('pull_request', pullRequestEvent(h.repo, pull, 'opened'));
    await h.app.idle();
    expect(h.calls.at(-1)?.input.changedFiles).toEqual([{ filename: 'archive/fct_orders.sql', status: 'renamed', previous_filename: 'analytics/models/fct_orders.sql' }]);
  });
});
