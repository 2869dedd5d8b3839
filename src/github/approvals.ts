import type { GitHubClient, RepoRef } from './client.js';
import { httpStatus } from './client.js';
import type { RequiredApproval } from './pipeline.js';

export interface ReviewLike {
  id: number;
  state: string;
  user: { login: string } | null;
  submitted_at?: string | null;
}

/**
 * Logins whose latest decisive review is an approval. Comments do not change a decision (as on
 * GitHub); a later CHANGES_REQUESTED or a dismissal withdraws it.
 */
export function currentApprovers(reviews: ReviewLike[]): string[] {
  const ordered = [...reviews].sort((a, b) => (a.submitted_at ?? '').localeCompare(b.submitted_at ?? '') || a.id - b.id);
  const latest = new Map<string, string>();
  for (const review of ordered) {
    const login = review.user?.login;
    if (!login) continue;
    const state = review.state.toUpperCase();
    if (state === 'APPROVED' || state === 'CHANGES_REQUESTED' || state === 'DISMISSED') latest.set(login, state);
  }
  return [...latest].filter(([, state]) => state === 'APPROVED').map(([login]) => login).sort();
}

/** Team slug → the approvers who are active members of it (teams API; needs members:read). */
export async function approvedByTeam(octokit: GitHubClient, ref: RepoRef, pullNumber: number, required: RequiredApproval[]): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  if (required.length === 0) return out;
  const reviews = await octokit.paginate(octokit.rest.pulls.listReviews, { ...ref, pull_number: pullNumber, per_page: 100 });
  const approvers = currentApprovers(reviews);
  for (const { team } of required) {
    out[team] = [];
    for (const login of approvers) {
      if (await isActiveMember(octokit, ref.owner, team, login)) out[team].push(login);
    }
  }
  return out;
}

async function isActiveMember(octokit: GitHubClient, org: string, team: string, username: string): Promise<boolean> {
  try {
    const { data } = await octokit.rest.teams.getMembershipForUserInOrg({ org, team_slug: team, username });
    return data.state === 'active';
  } catch (err) {
    if (httpStatus(err) === 404) return false;
    throw err;
  }
}

/** Every required team has at least `perTeam` approvals. */
export function approvalsMet(required: { team: string }[], approved: Record<string, string[]>, perTeam: number): boolean {
  return required.every(({ team }) => (approved[team]?.length ?? 0) >= perTeam);
}

/** The data the approvals checklist template renders. */
export function approvalsView(required: RequiredApproval[], approved: Record<string, string[]>, perTeam: number) {
  const teams = required.map(({ team, reasons }) => {
    const by = approved[team] ?? [];
    return { team, reasons, approvedBy: by, done: by.length >= perTeam, missing: Math.max(0, perTeam - by.length) };
  });
  return { teams, perTeam, allApproved: teams.every((t) => t.done), any: teams.length > 0 };
}
