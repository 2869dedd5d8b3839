import type { Context } from 'probot';
import type { AppDeps } from '../analysis.js';
import { laneKey } from '../analysis.js';
import { reevaluateApprovals } from '../reevaluate.js';

/** A review submitted or dismissed: re-evaluate approvals only (queued in the PR's lane, so it never races the comment). */
export function onReview(deps: AppDeps) {
  return async (context: Context<'pull_request_review.submitted' | 'pull_request_review.dismissed'>): Promise<void> => {
    const { payload } = context;
    const ref = { owner: payload.repository.owner.login, repo: payload.repository.name };
    const pullNumber = payload.pull_request.number;
    deps.queue.enqueue({ key: laneKey(ref, pullNumber), kind: 'approvals', run: () => reevaluateApprovals(context.octokit, ref, pullNumber) });
  };
}
