import type { GitHubClient, RepoRef } from './client.js';
import { redactSecrets } from './redact.js';

export const CHECK_NAME = 'impact-review';
export const RERUN_ACTION = 'rerun';
const MAX_SUMMARY = 65_535;

export type Conclusion = 'success' | 'failure' | 'neutral' | 'action_required' | 'skipped' | 'cancelled';

export interface ExistingCheck {
  id: number;
  status: string;
  conclusion: string | null;
  title: string;
  summary: string;
}

/**
 * The app's check run for this commit and PR, if one exists, so redeliveries reuse it (one check
 * per SHA). Two PRs can share a head commit (same branch, different bases): external_id keeps
 * their checks apart.
 */
export async function findCheckRun(octokit: GitHubClient, ref: RepoRef, sha: string, pullNumber: number): Promise<ExistingCheck | null> {
  const { data } = await octokit.rest.checks.listForRef({ ...ref, ref: sha, check_name: CHECK_NAME, filter: 'latest', per_page: 100 });
  const run = data.check_runs.find((r) => r.external_id === String(pullNumber));
  if (!run) return null;
  return { id: run.id, status: run.status, conclusion: run.conclusion, title: run.output.title ?? '', summary: run.output.summary ?? '' };
}

/** Finds or creates the check for `sha` and marks it in progress. */
export async function startCheckRun(octokit: GitHubClient, ref: RepoRef, sha: string, pullNumber: number, title: string, summary: string, known?: ExistingCheck | null): Promise<number> {
  const existing = known === undefined ? await findCheckRun(octokit, ref, sha, pullNumber) : known;
  const output = { title: redactSecrets(title), summary: clip(redactSecrets(summary)) };
  if (existing) {
    await octokit.rest.checks.update({ ...ref, check_run_id: existing.id, status: 'in_progress', output });
    return existing.id;
  }
  const { data } = await octokit.rest.checks.create({
    ...ref,
    name: CHECK_NAME,
    head_sha: sha,
    status: 'in_progress',
    started_at: new Date().toISOString(),
    // Fork PRs are not listed in check_run.pull_requests; the number lets rerequests find the PR.
    external_id: String(pullNumber),
    output,
  });
  return data.id;
}

export interface CheckResult {
  conclusion: Conclusion;
  title: string;
  summary: string;
  /** Offer the "Re-run" button. */
  rerun?: boolean;
  rerunLabel?: string;
  rerunDescription?: string;
}

export async function completeCheckRun(octokit: GitHubClient, ref: RepoRef, checkRunId: number, result: CheckResult): Promise<void> {
  await octokit.rest.checks.update({
    ...ref,
    check_run_id: checkRunId,
    status: 'completed',
    conclusion: result.conclusion,
    completed_at: new Date().toISOString(),
    output: { title: redactSecrets(result.title).slice(0, 255), summary: clip(redactSecrets(result.summary)) },
    actions: result.rerun ? [{ label: (result.rerunLabel ?? 'Re-run').slice(0, 20), description: (result.rerunDescription ?? 'Run the impact review again').slice(0, 40), identifier: RERUN_ACTION }] : [],
  });
}

function clip(summary: string): string {
  return summary.length <= MAX_SUMMARY ? summary : `${summary.slice(0, MAX_SUMMARY - 20)}\n\n…(truncated)`;
}

export type Verdict = 'SAFE' | 'NEEDS_REVIEW' | 'NOT_SAFE' | 'NO_CHANGES' | 'ERROR';

/**
 * How a verdict and the approvals so far become the check's conclusion. NOT SAFE with no team
 * to approve stays blocked: only a fix (a new push) can clear it.
 */
export function conclusionFor(verdict: Verdict, teamsRequired: number, approvalsComplete: boolean, blocked: 'failure' | 'action_required'): Conclusion {
  if (verdict === 'SAFE' || verdict === 'NO_CHANGES') return 'success';
  if (verdict === 'ERROR') return 'neutral';
  if (verdict === 'NOT_SAFE' && teamsRequired === 0) return blocked;
  return approvalsComplete ? 'success' : blocked;
}
