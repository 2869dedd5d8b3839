import { existsSync } from 'node:fs';
import { join, posix } from 'node:path';
import { analyze } from '../analyze.js';
import { parseConfig } from '../assess/config.js';
import type { Assessment } from '../assess/types.js';
import { renderCheckSummary, renderReview } from '../report/render.js';
import { renderTemplate } from '../report/templates.js';
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
    try {
      for (const dir of projects) {
        const baseDir = join(input.baseDir, dir);
        const headDir = join(input.headDir, dir);
        // A project the PR creates has no base: review it against an empty one (everything is new).
        if (!existsSync(join(headDir, 'dbt_project.yml'))) continue;
        const renamedFiles = input.changedFiles
          .filter((f) => f.status === 'renamed' && f.previous_filename && insideProject(f.filename, dir))
          .map((f) => ({ from: dir ? posix.relative(dir, f.previous_filename as string) : (f.previous_filename as string), to: dir ? posix.relative(dir, f.filename) : f.filename }));
        const assessment = await analyze({
          baseDir: existsSync(join(baseDir, 'dbt_project.yml')) ? baseDir : headDir,
          headDir,
          headRepoRoot: input.headDir,
          warehouse,
          config,
          renamedFiles,
          full: input.full,
          env: options.env ?? {},
          signal: input.signal,
          now: options.now?.(),
          meta: {
            repository: input.repo,
            pull_request: { number: input.pullNumber, title: null, url: null },
            base: { ref: 'base', sha: input.baseSha },
            head: { ref: 'head', sha: input.headSha },
          },
        });
        if (input.changedFilesTruncated) assessment.notes.push({ key: 'files_truncated', values: {} });
        assessments.push(assessment);
      }
    } finally {
      await warehouse.close();
    }
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
    const teams = new Map<string, string[]>();
    for (const a of assessments) {
      for (const r of a.required_approvals) teams.set(r.team, [...(teams.get(r.team) ?? []), ...r.reasons.map((x) => `${x.kind}: ${x.name}`)]);
    }
    // Several projects share GitHub's limit on one comment.
    const share = Math.floor(65_000 / assessments.length);
    return {
      verdict,
      title: renderTemplate('github/verdict-title.hbs', { verdict, teams: [...teams.keys()] }).trim(),
      requiredApprovals: [...teams].map(([team, reasons]) => ({ team, reasons })),
      renderComment: (approved) => assessments.map((a) => renderReview(a, { approved, maxLength: share })).join('\n\n'),
      renderCheckSummary: (approved) => assessments.map((a) => renderCheckSummary(a, { approved, maxLength: share })).join('\n\n'),
    };
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
