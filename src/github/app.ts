import type { ApplicationFunction } from 'probot';
import type { AppDeps } from './analysis.js';
import { onCheckRun } from './handlers/check-run.js';
import { onIssueComment } from './handlers/command.js';
import { onPullRequest } from './handlers/pull-request.js';
import { onReview } from './handlers/review.js';

/** The Probot entry: wires events to handlers, nothing else. Handlers only queue work, so webhooks are acknowledged at once. */
export function impactReviewApp(deps: AppDeps): ApplicationFunction {
  return (app) => {
    app.on(['pull_request.opened', 'pull_request.synchronize', 'pull_request.reopened', 'pull_request.ready_for_review', 'pull_request.edited'], onPullRequest(deps));
    app.on(['pull_request_review.submitted', 'pull_request_review.dismissed'], onReview(deps));
    app.on('issue_comment.created', onIssueComment(deps));
    app.on(['check_run.rerequested', 'check_run.requested_action'], onCheckRun(deps));
  };
}
