import { join } from 'node:path';
import type { Logger } from 'probot';
import { ConfigError, parseConfig, type ImpactReviewConfig } from '../assess/config.js';
import { approvalsMet, approvedByTeam } from './approvals.js';
import { completeCheckRun, conclusionFor, findCheckRun, startCheckRun, type CheckResult } from './check-run.js';
import type { GitHubClient, RepoRef } from './client.js';
import { composeBody, findSticky, parseState, publishSticky, replaceApprovals, type StickyState } from './comment.js';
import type { ReviewOutput, ReviewPipeline } from './pipeline.js';
import type { WorkQueue } from './queue.js';
import { safeErrorMessage } from './redact.js';
import { TarLimitError } from './tar.js';
import { approvalsSection, checkSummary, checkTitle, rerunButton, short, statusComment } from './texts.js';
import { downloadTree, findDbtProjects, insideProject, listChangedFiles, makeWorkDir, normalizeProjectDir, readConfigText } from './tree.js';
import { renderTemplate } from '../report/templates.js';

const CONFIG_FILE = '.github/impact-review.yml';

type PullRequest = Awaited<ReturnType<GitHubClient['rest']['pulls']['get']>>['data'];

export interface AppDeps {
  pipeline: ReviewPipeline;
  queue: WorkQueue;
  log: Logger;
  /** Cap on each tarball, compressed and unpacked, before the config's own limit is known. */
  maxFetchBytes: number;
}

export interface AnalysisRequest {
  ref: RepoRef;
  pullNumber: number;
  /** The commit the event was about; omitted for commands (then the PR's current head). */
  sha?: string;
  full: boolean;
  /** A maintainer asked for this run, so a fork's code may be analysed. */
  authorizedFork: boolean;
  force: boolean;
}

export function laneKey(ref: RepoRef, pullNumber: number): string {
  return `${ref.owner}/${ref.repo}#${pullNumber}`;
}

export function enqueueAnalysis(deps: AppDeps, octokit: GitHubClient, req: AnalysisRequest): boolean {
  return deps.queue.enqueue({
    key: laneKey(req.ref, req.pullNumber),
    kind: 'analysis',
    sha: req.sha,
    force: req.force,
    run: (signal) => runAnalysis(deps, octokit, req, signal),
  });
}

/** The projects to review: config `projects` when set (must stay inside the repo), else every dbt_project.yml. */
async function projectDirsFor(config: ImpactReviewConfig, baseDir: string, headDir: string): Promise<string[]> {
  if (config.projects.length > 0) {
    const dirs = config.projects.map(normalizeProjectDir);
    const bad = dirs.findIndex((d) => d === '..' || d.startsWith('../') || d.startsWith('/'));
    if (bad !== -1) throw new ConfigError(CONFIG_FILE, [{ key: `projects.${bad}`, message: `"${config.projects[bad]}" points outside the repository` }]);
    return dirs;
  }
  const found = new Set([...(await findDbtProjects(baseDir)), ...(await findDbtProjects(headDir))]);
  return [...found].sort();
}

/** One full review of a PR commit: check, trees, config, pipeline, comment, approvals. */
export async function runAnalysis(deps: AppDeps, octokit: GitHubClient, req: AnalysisRequest, signal: AbortSignal): Promise<void> {
  const { ref, pullNumber } = req;
  const { data: pr } = await octokit.rest.pulls.get({ ...ref, pull_number: pullNumber });
  if (pr.state !== 'open') return;
  const sha = req.sha ?? pr.head.sha;
  const existing = await findCheckRun(octokit, ref, sha, pullNumber);
  // A redelivered or repeated event for a commit already reviewed (by any replica) changes nothing.
  if (!req.force && existing?.status === 'completed' && existing.title !== checkTitle('superseded')) return;
  const checkId = await startCheckRun(octokit, ref, sha, pullNumber, checkTitle('in_progress'), checkSummary('in_progress'), existing);
  const finish = (result: CheckResult) => completeCheckRun(octokit, ref, checkId, { rerun: true, ...rerunButton(), ...result });
  const superseded = () => finish({ conclusion: 'neutral', title: checkTitle('superseded'), summary: checkSummary('superseded'), rerun: false });

  if (signal.aborted || sha !== pr.head.sha) return superseded();
  const isFork = pr.head.repo === null || pr.head.repo.full_name !== pr.base.repo.full_name;
  if (isFork && !req.authorizedFork) {
    return finish({ conclusion: 'neutral', title: checkTitle('fork_waiting'), summary: checkSummary('fork_waiting'), rerun: false });
  }

  try {
    await reviewCommit(deps, octokit, req, signal, { pr, sha, isFork, finish, superseded });
  } catch (err) {
    // The check must not hang in progress: complete it with a safe one-line message, then log.
    await finish({ conclusion: 'neutral', title: checkTitle('error'), summary: checkSummary('error', { message: safeErrorMessage(err) }) }).catch(() => undefined);
    throw err;
  }
}

interface CommitRun {
  pr: PullRequest;
  sha: string;
  isFork: boolean;
  finish: (result: CheckResult) => Promise<void>;
  superseded: () => Promise<void>;
}

async function reviewCommit(deps: AppDeps, octokit: GitHubClient, req: AnalysisRequest, signal: AbortSignal, run: CommitRun): Promise<void> {
  const { ref, pullNumber } = req;
  const { pr, sha, isFork, finish, superseded } = run;
  const work = await makeWorkDir();
  try {
    const baseDir = join(work.dir, 'base');
    const headDir = join(work.dir, 'head');
    const changed = await listChangedFiles(octokit, ref, pullNumber, pr.changed_files);
    // A tree over the byte cap is not reviewed: the check (and the comment, for a PR touching
    // project-like files) says which tarball, which limit, and how to raise it.
    const tooLarge = (err: TarLimitError, side: 'base' | 'head', configLimit: number | null) =>
      publishTooLarge(octokit, ref, pullNumber, sha, finish, changed.files, { side, what: err.what, bytes: err.bytes, limit: err.limit, configLimit, appLimit: deps.maxFetchBytes, shortSha: short(sha), shortBase: short(pr.base.sha) });
    const fetched = { base: 0, head: 0 };
    // A comment left from an earlier commit must not pass for this one's review.
    const fetchError = async (err: unknown) => {
      const message = safeErrorMessage(err);
      const existing = await findSticky(octokit, ref, pullNumber);
      if (existing) {
        const state: StickyState = { sha, verdict: 'ERROR', teams: [], perTeam: 1, blockedConclusion: 'failure' };
        await publishSticky(octokit, ref, pullNumber, sha, composeBody(state, statusComment('fetch_error', { message, shortSha: short(sha) })), existing);
      }
      return finish({ conclusion: 'neutral', title: checkTitle('fetch_error'), summary: checkSummary('fetch_error', { message }) });
    };
    try {
      fetched.base = (await downloadTree(octokit, ref, pr.base.sha, baseDir, deps.maxFetchBytes)).archiveBytes;
    } catch (err) {
      if (err instanceof TarLimitError) return tooLarge(err, 'base', null);
      return fetchError(err);
    }
    // Read at the base commit: a PR must not be able to rewrite the policy that reviews it.
    const configText = await readConfigText(baseDir, CONFIG_FILE);
    let config: ImpactReviewConfig;
    let projectDirs: string[];
    let configLimit: number | null = null;
    let skipped: { path: string; reason: string }[] = [];
    try {
      config = parseConfig(configText, CONFIG_FILE);
      configLimit = config.limits.max_fetch_bytes;
      const cap = Math.min(deps.maxFetchBytes, config.limits.max_fetch_bytes);
      // The base was fetched before its config was known: the repository's own limit holds for it too.
      if (fetched.base > cap) return tooLarge(new TarLimitError('compressed', fetched.base, cap), 'base', config.limits.max_fetch_bytes);
      const headTree = await downloadTree(octokit, ref, sha, headDir, cap);
      fetched.head = headTree.archiveBytes;
      skipped = headTree.skipped;
      projectDirs = await projectDirsFor(config, baseDir, headDir);
    } catch (err) {
      if (err instanceof TarLimitError) return tooLarge(err, 'head', configLimit);
      if (!(err instanceof ConfigError)) return fetchError(err);
      const data = { file: err.file, issues: err.issues, shortBase: short(pr.base.sha), shortSha: short(sha) };
      const state: StickyState = { sha, verdict: 'CONFIG_ERROR', teams: [], perTeam: 1, blockedConclusion: 'failure' };
      await publishSticky(octokit, ref, pullNumber, sha, composeBody(state, statusComment('config_error', data)));
      return finish({ conclusion: 'failure', title: checkTitle('config_error'), summary: checkSummary('config_error', data) });
    }

    const relevant = changed.files.filter((f) => insideProject(f.filename, projectDirs) || (f.previous_filename !== undefined && insideProject(f.previous_filename, projectDirs)));
    if (relevant.length === 0 && !changed.truncated) {
      // Only touch the comment when one exists: a PR that never changed a model gets no comment.
      const existing = await findSticky(octokit, ref, pullNumber);
      if (existing) {
        const state: StickyState = { sha, verdict: 'NO_CHANGES', teams: [], perTeam: 1, blockedConclusion: config.approvals.blocked_conclusion };
        await publishSticky(octokit, ref, pullNumber, sha, composeBody(state, statusComment('no_changes', { shortSha: short(sha) })), existing);
      }
      return finish({ conclusion: 'success', title: checkTitle('no_changes'), summary: checkSummary('no_changes', { projectDirs }) });
    }

    let output: ReviewOutput;
    try {
      output = await deps.pipeline({
        repo: { owner: ref.owner, name: ref.repo },
        pullNumber,
        headSha: sha,
        baseSha: pr.base.sha,
        baseDir,
        headDir,
        projectDirs,
        changedFiles: changed.files,
        changedFilesTruncated: changed.truncated,
        configText,
        full: req.full,
        isFork,
        signal,
        fetched: { ...fetched, limit: Math.min(deps.maxFetchBytes, config.limits.max_fetch_bytes) },
        skipped,
      });
    } catch (err) {
      if (signal.aborted) return superseded();
      deps.log.warn({ pr: pullNumber, sha }, 'the analysis pipeline failed');
      output = errorOutput(safeErrorMessage(err), sha);
    }
    if (signal.aborted) return superseded();
    await publishResult(octokit, ref, pullNumber, sha, output, config, deps.log, finish);
  } finally {
    await work.cleanup();
  }
}

/** Files a dbt project is made of: a PR touching none of them gets no comment about the repository's size. */
const PROJECT_LIKE = /\.(sql|ya?ml|py|csv|jinja2?)$/i;

interface TooLarge {
  side: 'base' | 'head';
  what: 'compressed' | 'unpacked';
  bytes: number;
  /** The cap that was in force. */
  limit: number;
  /** `limits.max_fetch_bytes` from the base config, once known. */
  configLimit: number | null;
  /** The app's own cap (MAX_FETCH_BYTES), which config cannot raise. */
  appLimit: number;
  shortSha: string;
  shortBase: string;
}

/** The review of a tree over the byte cap: a neutral check naming the limit, and the same in the comment. */
async function publishTooLarge(
  octokit: GitHubClient,
  ref: RepoRef,
  pullNumber: number,
  sha: string,
  finish: (r: CheckResult) => Promise<void>,
  files: { filename: string; previous_filename?: string }[],
  data: TooLarge,
): Promise<void> {
  const view = { ...data, raiseConfig: data.configLimit !== null && data.configLimit <= data.appLimit, raiseApp: data.configLimit === null || data.appLimit < data.configLimit };
  const summary = checkSummary('too_large', view);
  const existing = await findSticky(octokit, ref, pullNumber);
  if (existing || files.some((f) => PROJECT_LIKE.test(f.filename) || PROJECT_LIKE.test(f.previous_filename ?? ''))) {
    const state: StickyState = { sha, verdict: 'ERROR', teams: [], perTeam: 1, blockedConclusion: 'failure' };
    await publishSticky(octokit, ref, pullNumber, sha, composeBody(state, statusComment('too_large', { ...view, summary })), existing);
  }
  return finish({ conclusion: 'neutral', title: checkTitle('too_large'), summary });
}

/** A pipeline that threw: neutral, with its one-line message and no stack. */
function errorOutput(message: string, sha: string): ReviewOutput {
  return {
    verdict: 'ERROR',
    title: checkTitle('error'),
    requiredApprovals: [],
    renderComment: () => statusComment('error', { message, shortSha: short(sha) }),
    renderCheckSummary: () => checkSummary('error', { message }),
  };
}

async function publishResult(
  octokit: GitHubClient,
  ref: RepoRef,
  pullNumber: number,
  sha: string,
  output: ReviewOutput,
  config: ImpactReviewConfig,
  log: Logger,
  finish: (r: CheckResult) => Promise<void>,
): Promise<void> {
  const { per_team: perTeam, blocked_conclusion: blocked, review, request_team_reviews: requestTeams } = config.approvals;
  const teams = output.requiredApprovals;
  const approved = await approvedByTeam(octokit, ref, pullNumber, teams);
  const complete = approvalsMet(teams, approved, perTeam);
  const section = approvalsSection(ref.owner, teams, approved, perTeam);

  const existing = await findSticky(octokit, ref, pullNumber);
  const previous = existing ? parseState(existing.body) : null;
  const wantsReview = review !== 'none' && (output.verdict === 'NEEDS_REVIEW' || output.verdict === 'NOT_SAFE') && previous?.reviewedSha !== sha;
  const state: StickyState = { sha, verdict: output.verdict, teams, perTeam, blockedConclusion: blocked, reviewedSha: wantsReview ? sha : previous?.reviewedSha };
  const body = composeBody(state, replaceApprovals(output.renderComment(approved), section));
  const published = await publishSticky(octokit, ref, pullNumber, sha, body, existing);

  // The check belongs to this commit, so it completes with this commit's result even when stale.
  await finish({
    conclusion: conclusionFor(output.verdict, teams.length, complete, blocked),
    title: output.title,
    summary: replaceApprovals(output.renderCheckSummary(approved), section),
  });
  if (published === 'stale') return;

  if (wantsReview) {
    const event = review === 'request_changes' && output.verdict === 'NOT_SAFE' ? 'REQUEST_CHANGES' : 'COMMENT';
    const reviewBody = renderTemplate('github/review.md.hbs', { verdict: output.verdict, org: ref.owner, teams: teams.map((t) => t.team) }).trim();
    await octokit.rest.pulls.createReview({ ...ref, pull_number: pullNumber, commit_id: sha, event, body: reviewBody });
  }
  const missing = teams.filter((t) => (approved[t.team]?.length ?? 0) < perTeam).map((t) => t.team);
  if (requestTeams && missing.length > 0) {
    try {
      await octokit.rest.pulls.requestReviewers({ ...ref, pull_number: pullNumber, team_reviewers: missing });
    } catch (err) {
      // A team without access to the repo cannot be requested; the checklist still names it.
      log.warn({ pr: pullNumber, teams: missing, status: (err as { status?: number }).status }, 'could not request team reviewers');
    }
  }
}
