import { execFile } from 'node:child_process';
import { cp, mkdir, readFile, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { buildProject } from '../../build/production.js';
import { loadProject } from '../../dbt/project.js';
import { loadShopData } from '../../demo/load.js';
import { generateShopData } from '../../demo/shop-data.js';
import { renderJson, renderReview } from '../../report/render.js';
import { packageDir } from '../../report/templates.js';
import { openWarehouse } from '../../warehouse/connect.js';
import { oneOf, parseCommandArgs, UsageError } from '../args.js';
import { analyzeGit } from './analyze.js';

const run = promisify(execFile);

const PRS = { '1': 'pr1-cltv-90d', '2': 'pr2-growth-30d' } as const;

/**
 * `npm run demo`: the whole review on the shipped example, on DuckDB. It generates the shop's data
 * from a fixed seed, builds the base project as "production", makes a git repository whose last
 * commit is the PR, and runs `analyze` on it exactly as a user would on their checkout.
 */
export async function demoCommand(argv: string[]): Promise<string> {
  const values = parseCommandArgs('demo', argv, {
    pr: { type: 'string' },
    workdir: { type: 'string' },
    format: { type: 'string' },
    quiet: { type: 'boolean', short: 'q' },
  });
  const pr = oneOf('demo', 'pr', values.pr, ['1', '2'] as const, '1');
  const format = oneOf('demo', 'format', values.format, ['markdown', 'json'] as const, 'markdown');
  const progress = values.quiet ? () => undefined : (m: string) => process.stderr.write(`• ${m}\n`);
  const workdir = resolve(values.workdir ?? join('.impact-review', 'demo'));
  const example = join(packageDir, 'examples', 'shop');
  const repo = join(workdir, 'repo');
  const database = join(workdir, 'production.duckdb');

  await rm(workdir, { recursive: true, force: true });
  await mkdir(workdir, { recursive: true });
  progress('generating the shop data (seed 42: 10,000 customers, 100,000 orders)');
  const data = await generateShopData(join(workdir, 'data'));

  progress('building production from the base project');
  const warehouse = await openWarehouse(`duckdb:${database}`);
  try {
    await loadShopData(warehouse, data.files);
    const base = await loadProject(join(example, 'project'), { target: { name: 'prod', type: 'duckdb', database: warehouse.database, schema: 'main' } });
    const built = await buildProject(base, warehouse, Object.keys(base.nodes));
    if (built.failed.length) throw new UsageError(`demo: the base project did not build: ${built.failed.map((f) => `${f.file}: ${f.message}`).join('; ')}`);
  } finally {
    await warehouse.close();
  }

  progress(`committing the base project and PR ${pr} to a git repository in ${repo}`);
  await mkdir(repo, { recursive: true });
  for (const part of ['project', '.github', 'airflow']) await cp(join(example, part), join(repo, part), { recursive: true });
  const git = (...args: string[]) => run('git', ['-c', 'user.name=impact-review demo', '-c', 'user.email=demo@impact-review.invalid', '-c', 'init.defaultBranch=main', '-c', 'commit.gpgsign=false', ...args], { cwd: repo });
  await git('init', '-q');
  await git('add', '-A');
  await git('commit', '-q', '-m', 'Base: production');
  await cp(join(example, 'prs', PRS[pr]), join(repo, 'project'), { recursive: true, filter: (src) => !src.endsWith('PR.md') });
  await git('add', '-A');
  await git('commit', '-q', '-m', `PR ${pr}`);

  const assessment = await analyzeGit({ project: join(repo, 'project'), base: 'HEAD~1', head: 'HEAD', warehouse: `duckdb:${database}`, progress });
  const description = await readFile(join(example, 'prs', PRS[pr], 'PR.md'), 'utf8').catch(() => '');
  const title = /^#\s+(.+)$/m.exec(description)?.[1]?.trim() ?? null;
  assessment.pull_request = { number: Number(pr), title, url: null };
  return format === 'json' ? renderJson(assessment) : renderReview(assessment);
}
