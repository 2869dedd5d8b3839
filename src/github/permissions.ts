import type { GitHubClient, RepoRef } from './client.js';
import { httpStatus } from './client.js';

/** Whether the user may start work: write, maintain or admin on the repository. */
export async function canRun(octokit: GitHubClient, ref: RepoRef, username: string): Promise<boolean> {
  try {
    const { data } = await octokit.rest.repos.getCollaboratorPermissionLevel({ ...ref, username });
    // `permission` folds maintain into write and triage into read; role_name keeps them apart.
    const role = (data as { role_name?: string }).role_name ?? '';
    return ['admin', 'write'].includes(data.permission) || ['admin', 'maintain', 'write'].includes(role);
  } catch (err) {
    if (httpStatus(err) === 404) return false; // not a collaborator
    throw err;
  }
}
