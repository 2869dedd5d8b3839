import { existsSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { analyze } from '../analyze.js';
import { parseConfig } from '../assess/config.js';
import type { Assessment } from '../assess/types.js';
import { ProjectLoadError, readProjectFile } from '../dbt/project-file.js';
import { escapeText } from '../report/format.js';
import { renderCheckSummary, renderReview } from '../report/render.js';
import { renderTemplate } from '../report/templates.js';
import { notUtf8Problems, skippedFileProblems } from '../tree-problems.js';
import { openWarehouse } from '../warehouse/connect.js';
import type { ReviewInput, ReviewOutput, ReviewPipeline } from './pipeline.js';

export interface ReviewPipelineOptions {
  /** Warehouse URL, e.g. `snowflake:` (settings from SNOWFLAKE_*) or `duckdb:/data/prod.db`. */
  warehouseUrl: string;
  /** What env_var() may see while rendering (only DBT_* and config env_allow names pass). */
  env?: Record<string, string | undefined>;
  now?: () => Date;
}

const ORDER: Record<Assessment['verdict'], number> = { NOT_SAFE: 0, NEEDS_REVIEW: 1, SAFE: 2 };

function insideProject(file: string, dir: string): boolean {
  return dir === '' || file === dir || file.startsWith(`${dir}/`);
}

/**
 * Why a project folder's dbt_project.yml cannot be loaded by dbt (not YAML, no name), or null when
 * it can or is not there. One over limits.max_file_bytes is not read here: analyze() reports it.
 */
async function unusableProjectFile(dir: string, root: string, maxBytes: number): Promise<string | null> {
  const size = await stat(join(dir, 'dbt_project.yml')).then((s) => s.size, () => null);
  if (size === null || size > maxBytes) return null;
  try {
    await readProjectFile(dir, 'dbt_project.yml');
    return null;
  } catch (err) {
    if (err instanceof ProjectLoadError) return err.message.split(root).join('');
    throw err;
  }
}

/** A project whose dbt_project.yml the PR made unusable: dbt cannot run any of it. */
interface UnusableProject {
  dir: string;
  message: string;
}

/**
 * The real pipeline behind the GitHub app: one analyze() per changed dbt project, on the
 * warehouse of this installation, closed on every path.
 */
export function createReviewPipeline(options: ReviewPipelineOptions): ReviewPipeline {
  return async (input: ReviewInput): Promise<ReviewOutput> => {
    const config = parseConfig(input.configText);
    const projects = input.projectDirs.filter((dir) => input.changedFiles.some((f) => insideProject(f.filename, dir) || (f.previous_filename && insideProject(f.previous_filename, dir))));
    const warehouse = await openWarehouse(options.warehouseUrl, {
      statementTimeoutSeconds: config.warehouse.statement_timeout_seconds,
      tagContext: { repo: `${input.repo.owner}/${input.repo.name}`, pr: input.pullNumber, sha: input.headSha },
    });
    const assessments: Assessment[] = [];
    const unusable: UnusableProject[] = [];
    try {
      for (const dir of projects) {
        const baseDir = join(input.baseDir, dir);
        const headDir = join(input.headDir, dir);
        const [baseExists, headExists] = [existsSync(join(baseDir, 'dbt_project.yml')), existsSync(join(headDir, 'dbt_project.yml'))];
        const baseProblem = await unusableProjectFile(baseDir, input.baseDir, config.limits.max_file_bytes);
        const headProblem = await unusableProjectFile(headDir, input.headDir, config.limits.max_file_bytes);
        // Deleted, or no longer valid: the project is gone for dbt, which the review must say.
        if (headProblem) unusable.push({ dir, message: headProblem });
        else if (!headExists && baseExists && !baseProblem) unusable.push({ dir, message: 'dbt_project.yml was deleted in this pull request' });
        if (headProblem || !headExists) continue;
        const renamedFiles = input.changedFiles
          .filter((f) => f.status === 'renamed' && f.previous_filename && insideProject(f.filename, dir))
          .map((f) => ({ from: dir ? posix.relative(dir, f.previous_filename as string) : (f.previous_filename as string), to: dir ? posix.relative(dir, f.filename) : f.filename }));
        const assessment = await analyze({
          // A project the PR creates has no base: review it against an empty one (everything is new).
          baseDir: baseExists && !baseProblem ? baseDir : headDir,
          headDir,
          headRepoRoot: input.headDir,
          baseRepoRoot: input.baseDir,
          warehouse,
          config,
          renamedFiles,
          full: input.full,
          env: options.env ?? {},
          signal: input.signal,
          fetched: input.fetched,
          now: options.now?.(),
          meta: {
            repository: input.repo,
            pull_request: { number: input.pullNumber, title: null, url: null },
            base: { ref: 'base', sha: input.baseSha },
            head: { ref: 'head', sha: input.headSha },
          },
        });
        if (input.changedFilesTruncated) assessment.notes.push({ key: 'files_truncated', values: {} });
        // What the loader cannot see: tarball entries never extracted, changed files that are not UTF-8.
        const changed = input.changedFiles.filter((f) => f.status !== 'removed').map((f) => f.filename);
        assessment.problems.push(...skippedFileProblems(input.skipped ?? [], dir), ...(await notUtf8Problems(input.headDir, dir, changed)));
        assessments.push(assessment);
      }
    } finally {
      await warehouse.close();
    }
    const teams = new Map<string, string[]>();
    for (const a of assessments) {
      for (const r of a.required_approvals) teams.set(r.team, [...(teams.get(r.team) ?? []), ...r.reasons.map((x) => `${x.kind}: ${x.name}`)]);
    }
    const requiredApprovals = [...teams].map(([team, reasons]) => ({ team, reasons }));
    if (unusable.length) return unusableOutput(unusable, assessments, requiredApprovals, input.headSha);
    if (!assessments.length || assessments.every((a) => a.changes.models.length === 0)) {
      return {
        verdict: 'NO_CHANGES',
        title: renderTemplate('github/check-title.hbs', { kind: 'no_changes' }).trim(),
        requiredApprovals: [],
        renderComment: (approved) => assessments.map((a) => renderReview(a, { approved })).join('\n\n'),
        renderCheckSummary: (approved) => assessments.map((a) => renderCheckSummary(a, { approved })).join('\n\n'),
      };
    }
    const verdict = assessments.map((a) => a.verdict).sort((a, b) => ORDER[a] - ORDER[b])[0];
    // Several projects share GitHub's limit on one comment.
    const share = Math.floor(65_000 / assessments.length);
    return {
      verdict,
      title: renderTemplate('github/verdict-title.hbs', { verdict, teams: [...teams.keys()] }).trim(),
      requiredApprovals,
      renderComment: (approved) => assessments.map((a) => renderReview(a, { approved, maxLength: share })).join('\n\n'),
      renderCheckSummary: (approved) => assessments.map((a) => renderCheckSummary(a, { approved, maxLength: share })).join('\n\n'),
    };
  };
}

/**
 * A PR that deletes a project's dbt_project.yml or makes it unusable breaks every model of that
 * project: NOT SAFE, saying which file and why, followed by the reviews of the other projects.
 */
function unusableOutput(unusable: UnusableProject[], assessments: Assessment[], requiredApprovals: ReviewOutput['requiredApprovals'], sha: string): ReviewOutput {
  // The messages quote the PR's own YAML (a parse error): escaped like every other PR-controlled text.
  const projects = unusable.map((p) => ({ dir: p.dir, message: escapeText(p.message) }));
  const section = renderTemplate('github/project-unusable.md.hbs', { projects, shortSha: sha.slice(0, 7) }).trim();
  const share = Math.floor(60_000 / Math.max(1, assessments.length));
  return {
    verdict: 'NOT_SAFE',
    title: renderTemplate('github/verdict-title.hbs', { verdict: 'NOT_SAFE', teams: requiredApprovals.map((r) => r.team) }).trim(),
    requiredApprovals,
    renderComment: (approved) => [section, ...assessments.map((a) => renderReview(a, { approved, maxLength: share }))].join('\n\n'),
    renderCheckSummary: (approved) => [section, ...assessments.map((a) => renderCheckSummary(a, { approved, maxLength: share }))].join('\n\n'),
  };
}

/** The pipeline `npm start` uses: the warehouse from IMPACT_REVIEW_WAREHOUSE, or a neutral "not configured" review. */
export function pipelineFromEnv(env: NodeJS.ProcessEnv): ReviewPipeline {
  const url = env.IMPACT_REVIEW_WAREHOUSE;
  if (!url) {
    return async () => ({
      verdict: 'ERROR',
      title: renderTemplate('github/check-title.hbs', { kind: 'error' }).trim(),
      requiredApprovals: [],
      renderComment: () => renderTemplate('github/unwired.md.hbs', {}),
      renderCheckSummary: () => renderTemplate('github/unwired.md.hbs', {}),
    });
  }
  // Rendering sees no secrets: only DBT_* variables reach env_var().
  const dbtEnv = Object.fromEntries(Object.entries(env).filter(([k]) => k.startsWith('DBT_') && !k.startsWith('DBT_ENV_SECRET')));
  return createReviewPipeline({ warehouseUrl: url, env: dbtEnv });
}
