import { renderTemplate } from '../report/templates.js';
import { approvalsView } from './approvals.js';
import type { RequiredApproval } from './pipeline.js';

/** Everything the app itself writes, rendered from templates/github/. */

export type CheckKind = 'in_progress' | 'no_changes' | 'fork_waiting' | 'config_error' | 'error' | 'superseded' | 'fetch_error' | 'too_large' | 'rerun_label' | 'rerun_description';

export function checkTitle(kind: CheckKind): string {
  return renderTemplate('github/check-title.hbs', { kind }).trim();
}

export function checkSummary(kind: CheckKind, data: Record<string, unknown> = {}): string {
  return renderTemplate('github/check-summary.md.hbs', { kind, ...data }).trim();
}

export function statusComment(kind: 'no_changes' | 'config_error' | 'error' | 'fetch_error' | 'too_large', data: Record<string, unknown>): string {
  return renderTemplate('github/comment-status.md.hbs', { kind, ...data }).trim();
}

export function approvalsSection(org: string, required: RequiredApproval[], approved: Record<string, string[]>, perTeam: number): string {
  return renderTemplate('github/approvals.md.hbs', { org, ...approvalsView(required, approved, perTeam) }).trim();
}

export function rerunButton(): { rerunLabel: string; rerunDescription: string } {
  return { rerunLabel: checkTitle('rerun_label'), rerunDescription: checkTitle('rerun_description') };
}

export function short(sha: string): string {
  return sha.slice(0, 7);
}
