import type { ProbotOctokit } from 'probot';

/** An installation-authenticated Octokit as Probot hands it to handlers. */
export type GitHubClient = InstanceType<typeof ProbotOctokit>;

export interface RepoRef {
  owner: string;
  repo: string;
}

/** GitHub answered with this HTTP status (Octokit's RequestError carries it). */
export function httpStatus(err: unknown): number | undefined {
  const status = (err as { status?: unknown } | null)?.status;
  return typeof status === 'number' ? status : undefined;
}
