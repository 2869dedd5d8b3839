import type { Context } from 'probot';
import { enqueueAnalysis, laneKey, type AppDeps } from '../analysis.js';
import { CHECK_NAME, RERUN_ACTION } from '../check-run.js';
import { canRun } from '../permissions.js';

/** "Re-run" on the check (GitHub's own button or ours): review that commit again. */
export function onCheckRun(deps: AppDeps) {
  return async (context: Context<'check_run.rerequested' | 'check_run.requested_action'>): Promise<void> => {
    const { payload } = context;
    const run = payload.check_run;
    if (run.name !== CHECK_NAME) return;
    if (payload.action === 'requested_action' && payload.requested_action?.identifier !== RERUN_ACTION) return;
    // Fork PRs are missing from pull_requests; external_id carries the number for them.
    const pullNumber = run.pull_requests[0]?.number ?? Number.parseInt(run.external_id ?? '', 10);
    if (!Number.isInteger(pullNumber) || pullNumber <= 0) return;
    const ref = { owner: payload.repository.owner.login, repo: payload.repository.name };
    const octokit = context.octokit;
    const login = payload.sender.login;
    deps.queue.enqueue({
      key: laneKey(ref, pullNumber),
      kind: 'command',
      run: async () => {
        if (!(await canRun(octokit, ref, login))) return;
        enqueueAnalysis(deps, octokit, { ref, pullNumber, sha: run.head_sha, full: false, authorizedFork: true, force: true });
      },
    });
  };
}
