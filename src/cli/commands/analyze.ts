import { readFile, rm } from 'node:fs/promises';
import { join, posix, resolve } from 'node:path';
import { analyze } from '../../analyze.js';
import { ConfigError, parseConfig } from '../../assess/config.js';
import type { Assessment } from '../../assess/types.js';
import { ProjectLoadError } from '../../dbt/project-file.js';
import { notUtf8Problems, skippedFileProblems } from '../../tree-problems.js';
import { renderJson, renderReview } from '../../report/render.js';
import { openWarehouse } from '../../warehouse/connect.js';
import { oneOf, parseCommandArgs, requireOption, UsageError } from '../args.js';
import { changedFiles, extractCommit, renamedFiles, repositoryOf, resolveCommit } from '../git.js';

export interface AnalyzeGitOptions {
  project: string;
  base: string;
  head: string;
  warehouse: string;
  config?: string;
  full?: boolean;
  progress?: (message: string) => void;
  now?: Date;
}

/** Runs the pipeline on a git checkout: the project at two commits, extracted without touching the work tree. */
export async function analyzeGit(options: AnalyzeGitOptions): Promise<Assessment> {
  const progress = options.progress ?? (() => undefined);
  const { root, prefix } = await repositoryOf(resolve(options.project));
  const [baseSha, headSha] = await Promise.all([resolveCommit(root, options.base), resolveCommit(root, options.head)]);
  const configPath = options.config ? resolve(options.config) : join(root, '.github', 'impact-review.yml');
  const configText = await readFile(configPath, 'utf8').catch((err: NodeJS.ErrnoException) => {
    if (options.config || err.code !== 'ENOENT') throw new UsageError(`analyze: cannot read config ${configPath}: ${err.message}`);
    return null;
  });
  let config;
  try {
    config = parseConfig(configText, options.config ?? '.github/impact-review.yml');
  } catch (err) {
    if (err instanceof ConfigError) throw new UsageError(`analyze: ${err.message}`);
    throw err;
  }
  progress(`extracting ${options.base} (${baseSha.slice(0, 7)}) and ${options.head} (${headSha.slice(0, 7)})`);
  const [{ dir: baseRoot }, { dir: headRoot, skipped }] = await Promise.all([extractCommit(root, baseSha), extractCommit(root, headSha)]);
  // Messages name the commits, not the temporary folders they were extracted to.
  const named = (message: string) => message.split(headRoot).join(`${options.head} (${headSha.slice(0, 7)})`).split(baseRoot).join(`${options.base} (${baseSha.slice(0, 7)})`);
  const warehouse = await openWarehouse(options.warehouse, { statementTimeoutSeconds: config.warehouse.statement_timeout_seconds }).catch((err: Error) => {
    throw new UsageError(`analyze: ${err.message}`);
  });
  try {
    const inProject = (file: string) => (prefix ? file.startsWith(`${prefix}/`) : true);
    const strip = (file: string) => (prefix ? posix.relative(prefix, file) : file);
    const renames = (await renamedFiles(root, baseSha, headSha)).filter((r) => inProject(r.from) && inProject(r.to)).map((r) => ({ from: strip(r.from), to: strip(r.to) }));
    const assessment = await analyze({
      baseDir: join(baseRoot, prefix),
      headDir: join(headRoot, prefix),
      headRepoRoot: headRoot,
      baseRepoRoot: baseRoot,
      warehouse,
      config,
      renamedFiles: renames,
      full: options.full,
      env: process.env,
      onProgress: progress,
      now: options.now,
      meta: { base: { ref: options.base, sha: baseSha }, head: { ref: options.head, sha: headSha } },
    }).catch((err: unknown) => {
      // No usable dbt_project.yml at one of the commits: a one-line reason, as for any unusable input.
      if (err instanceof ProjectLoadError) throw new UsageError(`analyze: ${named(err.message)}`);
      throw err;
    });
    // What the loader cannot see: symlinks that were not followed, text that is not UTF-8.
    const changed = await changedFiles(root, baseSha, headSha);
    assessment.problems.push(...skippedFileProblems(skipped, prefix), ...(await notUtf8Problems(headRoot, prefix, changed)));
    return assessment;
  } finally {
    await warehouse.close();
    await Promise.all([rm(baseRoot, { recursive: true, force: true }), rm(headRoot, { recursive: true, force: true })]);
  }
}

export async function analyzeCommand(argv: string[]): Promise<string> {
  const values = parseCommandArgs('analyze', argv, {
    project: { type: 'string' },
    base: { type: 'string' },
    head: { type: 'string' },
    warehouse: { type: 'string' },
    config: { type: 'string' },
    format: { type: 'string' },
    full: { type: 'boolean' },
    quiet: { type: 'boolean', short: 'q' },
  });
  const format = oneOf('analyze', 'format', values.format, ['markdown', 'json'] as const, 'markdown');
  const assessment = await analyzeGit({
    project: values.project ?? '.',
    base: requireOption('analyze', values, 'base'),
    head: values.head ?? 'HEAD',
    warehouse: requireOption('analyze', values, 'warehouse'),
    config: values.config,
    full: values.full,
    progress: values.quiet ? undefined : (m) => process.stderr.write(`• ${m}\n`),
  });
  return format === 'json' ? renderJson(assessment) : renderReview(assessment);
}
