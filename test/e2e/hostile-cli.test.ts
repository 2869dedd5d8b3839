import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Assessment } from '../../src/assess/types.js';
import { CASES, OUTSIDE_MARKER, type HostileCase } from '../fixtures/hostile/cases.js';
import { baseRepositoryFiles, buildHostileProduction, expectProductionUntouched } from '../fixtures/hostile/production.js';
import { dumpOutputs, expectClean, expectSays, forbiddenValues, gitRepository, overlayOf, plantSecrets } from '../fixtures/hostile/repo.js';

/**
 * `impact-review …` as a user runs it: a real process (the sources as compiled for the render
 * worker by test/support/global-setup.ts), so its exit code, its stdout and stderr, and what it
 * prints when something throws are the real ones.
 */
async function cli(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const worker = process.env.IMPACT_REVIEW_RENDER_WORKER;
  if (!worker) throw new Error('the compiled sources are missing: run the tests through jest (test/support/global-setup.ts)');
  const main = join(dirname(dirname(worker)), 'cli', 'main.js');
  return new Promise((resolve) => {
    execFile(process.execPath, ['--no-warnings', main, ...argv], { env: process.env, maxBuffer: 256 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/**
 * The hostile corpus through the command line: each case is committed on top of the base project
 * in a git repository and reviewed with `impact-review analyze` against a DuckDB production. The
 * review names the bad file (and line), the valid change in the same commit is still diffed,
 * and no output holds a secret, a sensitive value or a stack trace.
 */
describe('hostile pull requests through the CLI', () => {
  let production: { url: string; dir: string };
  let outside: string;
  let base: Record<string, string>;
  let restoreEnv: () => void;
  const forbidden = forbiddenValues();

  beforeAll(async () => {
    restoreEnv = plantSecrets();
    production = await buildHostileProduction();
    base = await baseRepositoryFiles();
    outside = await mkdtemp(join(tmpdir(), 'ir-hostile-outside-'));
    await writeFile(join(outside, 'secret.sql'), `select '${OUTSIDE_MARKER}' as id\n`);
  });

  afterAll(async () => {
    restoreEnv();
    // Nothing the PRs sent reached production: its tables are whole and nothing was created.
    if (production) await expectProductionUntouched(production);
    if (outside) await rm(outside, { recursive: true, force: true });
  });

  const run = (c: HostileCase) => async () => {
    const repo = await gitRepository(base, overlayOf(c, { front: 'cli', outside }));
    try {
      const args = ['analyze', '--project', repo.dir, '--base', 'HEAD~1', '--head', 'HEAD', '--warehouse', production.url];
      const markdown = await cli(...args);
      const json = await cli(...args, '--format', 'json', '--quiet');
      await dumpOutputs(c.id, 'cli', { [`exit ${markdown.code}, stdout`]: markdown.stdout, stderr: markdown.stderr });
      expectClean({ stdout: markdown.stdout, stderr: markdown.stderr, 'json stdout': json.stdout, 'json stderr': json.stderr }, [...forbidden, ...(c.absent ?? [])]);
      if (c.cliRefuses) {
        // Unusable input: exit code 2, one line saying why, no review.
        expect({ code: markdown.code, stdout: markdown.stdout, lines: markdown.stderr.trim().split('\n').filter((l) => !l.startsWith('• ')).length }).toEqual({ code: 2, stdout: '', lines: 1 });
        expectSays(markdown.stderr.split('\n').find((l) => l.startsWith('impact-review')) ?? '', c.cliRefuses);
        return;
      }
      expect({ code: markdown.code, stderr: markdown.code === 0 ? '' : markdown.stderr }).toEqual({ code: 0, stderr: '' });
      expectSays(markdown.stdout, [...c.review, ...(c.reviewOn?.cli ?? [])]);
      const assessment = JSON.parse(json.stdout) as Assessment;
      for (const name of c.diffed ?? ['fct_orders']) {
        const m = assessment.models.find((x) => x.name === name);
        expect({ model: name, diffed: !!m?.probe?.diff }).toEqual({ model: name, diffed: true });
      }
    } finally {
      await repo.cleanup();
    }
  };

  for (const c of CASES) {
    if (c.notOn?.cli) continue;
    const title = `${c.id}: ${c.title}`;
    it(title, run(c), c.timeoutMs ?? 60_000);
    if (c.awaiting?.cli) it.skip(`${c.id}: the review names it — ${c.awaiting.cli.reason}`, () => undefined);
  }
});
