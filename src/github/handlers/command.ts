import type { Context } from 'probot';
import { renderTemplate } from '../../report/templates.js';
import { enqueueAnalysis, laneKey, type AppDeps } from '../analysis.js';
import type { GitHubClient, RepoRef } from '../client.js';
import { canRun } from '../permissions.js';

export type Command = { kind: 'run'; full: boolean; refresh: boolean } | { kind: 'help' } | { kind: 'unknown'; text: string };

/** The first line that is an `/impact` command, or null. */
export function parseCommand(body: string): Command | null {
  const match = /^[ \t]*\/impact(?:[ \t]+(\S+))?[ \t]*\r?$/m.exec(body);
  if (!match) return null;
  const arg = (match[1] ?? '').toLowerCase();
  if (arg === '') return { kind: 'run', full: false, refresh: false };
  if (arg === 'full') return { kind: 'run', full: true, refresh: false };
  if (arg === 'refresh') return { kind: 'run', full: false, refresh: true };
  if (arg === 'help') return { kind: 'help' };
  return { kind: 'unknown', text: `/impact ${match[1]}` };
}

async function reply(octokit: GitHubClient, ref: RepoRef, issueNumber: number, body: string): Promise<void> {
  await octokit.rest.issues.createComment({ ...ref, issue_number: issueNumber, body });
}

/** `/impact …` in a PR comment: acknowledged with 👀, checked for permission, then queued. */
export function onIssueComment(deps: AppDeps) {
  return async (context: Context<'issue_comment.created'>): Promise<void> => {
    const { payload } = context;
    if (!payload.issue.pull_request || payload.issue.state !== 'open') return;
    // Bots (this app's own comments quote the commands) never trigger work.
    if (payload.comment.user?.type === 'Bot' || payload.sender.type === 'Bot') return;
    const command = parseCommand(payload.comment.body ?? '');
    if (!command) return;
    const ref = { owner: payload.repository.owner.login, repo: payload.repository.name };
    const pullNumber = payload.issue.number;
    const login = payload.comment.user?.login ?? payload.sender.login;
    const octokit = context.octokit;
    // The permission check is an API call, so it runs off the request path too; a 'command'
    // task never aborts an analysis, so a refused user cannot cancel anyone's review.
    deps.queue.enqueue({
      key: laneKey(ref, pullNumber),
      kind: 'command',
      run: async () => {
        await octokit.rest.reactions.createForIssueComment({ ...ref, comment_id: payload.comment.id, content: 'eyes' });
        if (command.kind === 'help') return reply(octokit, ref, pullNumber, renderTemplate('github/help.md.hbs', {}).trim());
        if (command.kind === 'unknown') return reply(octokit, ref, pullNumber, renderTemplate('github/unknown-command.md.hbs', { login, command: command.text }).trim());
        if (!(await canRun(octokit, ref, login))) return reply(octokit, ref, pullNumber, renderTemplate('github/refused.md.hbs', { login }).trim());
        enqueueAnalysis(deps, octokit, { ref, pullNumber, full: command.full, authorizedFork: true, force: true });
      },
    });
  };
}
