import type { Context } from 'probot';
import { enqueueAnalysis, type AppDeps } from '../analysis.js';

type PullRequestContext = Context<'pull_request.opened' | 'pull_request.synchronize' | 'pull_request.reopened' | 'pull_request.ready_for_review' | 'pull_request.edited'>;

/** New commits, a reopened or ready PR, or a changed base branch: review the head commit. */
export function onPullRequest(deps: AppDeps) {
  return async (context: PullRequestContext): Promise<void> => {
    const { payload } = context;
    const baseChanged = payload.action === 'edited' && 'changes' in payload && payload.changes.base !== undefined;
    if (payload.action === 'edited' && !baseChanged) return;
    if (payload.pull_request.state !== 'open') return;
    enqueueAnalysis(deps, context.octokit, {
      ref: { owner: payload.repository.owner.login, repo: payload.repository.name },
      pullNumber: payload.pull_request.number,
      sha: payload.pull_request.head.sha,
      full: false,
      authorizedFork: false,
      // Same head, new base: the earlier result compared against the wrong commit.
      force: baseChanged,
    });
  };
}
