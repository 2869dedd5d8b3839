import { z } from 'zod';
import type { GitHubClient, RepoRef } from './client.js';
import { redactSecrets } from './redact.js';

/** The hidden marker that identifies the app's one sticky comment on a PR. */
export const MARKER = '<!-- impact-review -->';
export const APPROVALS_START = '<!-- impact-review:approvals:start -->';
export const APPROVALS_END = '<!-- impact-review:approvals:end -->';
const STATE_RE = /<!-- impact-review:state (\{.*?\}) -->/;

/**
 * What review events need to re-evaluate approvals without re-running the analysis. It lives in
 * the comment because the app keeps no state: any replica can pick up any event.
 */
const stateSchema = z.object({
  sha: z.string(),
  verdict: z.enum(['SAFE', 'NEEDS_REVIEW', 'NOT_SAFE', 'NO_CHANGES', 'ERROR', 'CONFIG_ERROR']),
  teams: z.array(z.object({ team: z.string(), reasons: z.array(z.string()) })),
  perTeam: z.number().int().positive(),
  blockedConclusion: z.enum(['failure', 'action_required']),
  /** The head SHA a PR review was last posted for, so pushes do not pile up reviews. */
  reviewedSha: z.string().optional(),
});
export type StickyState = z.infer<typeof stateSchema>;

export function encodeState(state: StickyState): string {
  // "--" cannot appear inside an HTML comment; JSON escapes keep the text round-trippable.
  return `<!-- impact-review:state ${JSON.stringify(state).replace(/-/g, '\\u002d')} -->`;
}

export function parseState(body: string): StickyState | null {
  const match = STATE_RE.exec(body);
  if (!match) return null;
  try {
    const parsed = stateSchema.safeParse(JSON.parse(match[1]));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/** The full comment body: markers first, so the comment is recognised even when truncated. */
export function composeBody(state: StickyState, content: string): string {
  return `${MARKER}\n${encodeState(state)}\n${content.trim()}\n`;
}

/** Replaces the approvals section (or appends one) with `section`. */
export function replaceApprovals(body: string, section: string): string {
  const block = section.trim() === '' ? '' : `${APPROVALS_START}\n${section.trim()}\n${APPROVALS_END}`;
  const start = body.indexOf(APPROVALS_START);
  const end = body.indexOf(APPROVALS_END, start === -1 ? 0 : start);
  if (start !== -1 && end !== -1) return body.slice(0, start) + block + body.slice(end + APPROVALS_END.length);
  if (block === '') return body;
  return `${body.replace(/\s+$/, '')}\n\n${block}\n`;
}

export interface StickyComment {
  id: number;
  body: string;
}

/** The app's comment, searched across every page; only bot-authored comments count, so a user cannot plant the marker. */
export async function findSticky(octokit: GitHubClient, ref: RepoRef, issueNumber: number): Promise<StickyComment | null> {
  const comments = await octokit.paginate(octokit.rest.issues.listComments, { ...ref, issue_number: issueNumber, per_page: 100 });
  for (const c of comments) {
    if (c.body?.includes(MARKER) && c.user?.type === 'Bot') return { id: c.id, body: c.body };
  }
  return null;
}

const MAX_COMMENT = 65_536;

function clip(body: string): string {
  if (body.length <= MAX_COMMENT) return body;
  return `${body.slice(0, MAX_COMMENT - 200)}\n\n…(truncated)\n`;
}

export type PublishResult = 'created' | 'updated' | 'unchanged' | 'stale';

/**
 * Creates or updates the sticky comment for `sha`, but only while `sha` is still the PR's head:
 * events arrive out of order and replicas race, so a result for an older commit must never
 * overwrite a newer one.
 */
export async function publishSticky(octokit: GitHubClient, ref: RepoRef, pullNumber: number, sha: string, body: string, existing?: StickyComment | null): Promise<PublishResult> {
  const { data: pr } = await octokit.rest.pulls.get({ ...ref, pull_number: pullNumber });
  if (pr.head.sha !== sha) return 'stale';
  const current = existing === undefined ? await findSticky(octokit, ref, pullNumber) : existing;
  const safe = clip(redactSecrets(body));
  if (current) {
    if (current.body === safe) return 'unchanged';
    await octokit.rest.issues.updateComment({ ...ref, comment_id: current.id, body: safe });
    return 'updated';
  }
  await octokit.rest.issues.createComment({ ...ref, issue_number: pullNumber, body: safe });
  return 'created';
}
