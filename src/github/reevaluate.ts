import { approvalsMet, approvedByTeam } from './approvals.js';
import { completeCheckRun, conclusionFor, findCheckRun } from './check-run.js';
import type { GitHubClient, RepoRef } from './client.js';
import { findSticky, parseState, publishSticky, replaceApprovals } from './comment.js';
import { approvalsSection, rerunButton } from './texts.js';

/**
 * A review was submitted or dismissed: recount approvals from the state kept in the sticky
 * comment and refresh the checklist and the check. No trees, no pipeline, no warehouse.
 */
export async function reevaluateApprovals(octokit: GitHubClient, ref: RepoRef, pullNumber: number): Promise<void> {
  const { data: pr } = await octokit.rest.pulls.get({ ...ref, pull_number: pullNumber });
  if (pr.state !== 'open') return;
  const sticky = await findSticky(octokit, ref, pullNumber);
  const state = sticky ? parseState(sticky.body) : null;
  // No review for the current head yet: the analysis in flight will count approvals itself.
  if (!sticky || !state || state.sha !== pr.head.sha) return;
  if (state.verdict !== 'NEEDS_REVIEW' && state.verdict !== 'NOT_SAFE') return;

  const approved = await approvedByTeam(octokit, ref, pullNumber, state.teams);
  const section = approvalsSection(ref.owner, state.teams, approved, state.perTeam);
  await publishSticky(octokit, ref, pullNumber, state.sha, replaceApprovals(sticky.body, section), sticky);

  const check = await findCheckRun(octokit, ref, state.sha, pullNumber);
  if (!check || check.status !== 'completed') return;
  const conclusion = conclusionFor(state.verdict, state.teams.length, approvalsMet(state.teams, approved, state.perTeam), state.blockedConclusion);
  const summary = replaceApprovals(check.summary, section);
  if (conclusion === check.conclusion && summary === check.summary) return;
  await completeCheckRun(octokit, ref, check.id, { conclusion, title: check.title, summary, rerun: true, ...rerunButton() });
}
