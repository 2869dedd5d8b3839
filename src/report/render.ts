/**
 * The assessment rendered for people: the PR comment (markdown), the check-run summary, the
 * Mermaid lineage graph, and JSON for machines. Every word comes from templates/; this module
 * chooses what fits in GitHub's limits.
 */
import type { Assessment, ModelChange } from '../assess/types.js';
import { registerReportHelpers } from './helpers.js';
import { GITHUB_CHECK_SUMMARY_LIMIT, GITHUB_COMMENT_LIMIT, LEVELS, renderWithin } from './limits.js';
import { renderMermaidText } from './mermaid.js';
import { columnReasonText, semanticSummary } from './semantic.js';
import { renderTemplate } from './templates.js';
import { type Approved, approvalsView, reviewView } from './view.js';

export const APPROVALS_START = '<!-- impact-review:approvals:start -->';
export const APPROVALS_END = '<!-- impact-review:approvals:end -->';

export interface ReviewOptions {
  /** Team slug → logins of its members who approved. */
  approved?: Approved;
  /** Default 65,536 (GitHub's comment limit). */
  maxLength?: number;
  /** A hidden marker line placed verbatim at the top (the app's). */
  marker?: string;
}

export interface CheckSummaryOptions {
  approved?: Approved;
  /** Default 65,535 (GitHub's check-run summary limit). */
  maxLength?: number;
}

/** Templates end lines as they like; collapse runs of blank lines so output stays tidy. */
function tidy(text: string): string {
  return text.replace(/[ \t]+$/gm, '').replace(/\n{3,}/g, '\n\n').trim() + '\n';
}

/** The approvals checklist alone, between its markers, exactly as it appears in the comment. */
export function renderApprovalsSection(assessment: Assessment, approved: Approved = {}): string {
  registerReportHelpers();
  const body = renderTemplate('approvals.md.hbs', { approvals: approvalsView(assessment, approved) }).trim();
  return `${APPROVALS_START}\n${body}\n${APPROVALS_END}`;
}

function shortenedNote(where: 'comment' | 'check'): string {
  return renderTemplate('notes/shortened-hard.md.hbs', { where }).trim();
}

export function renderReview(assessment: Assessment, options: ReviewOptions = {}): string {
  registerReportHelpers();
  const approvalsSection = renderApprovalsSection(assessment, options.approved ?? {});
  const limit = options.maxLength ?? GITHUB_COMMENT_LIMIT;
  const render = (limits: (typeof LEVELS)[number]) =>
    tidy(renderTemplate('review.md.hbs', reviewView(assessment, limits, { approved: options.approved ?? {}, marker: options.marker ?? null, approvalsSection })));
  return renderWithin(limit, render, { start: APPROVALS_START, end: APPROVALS_END }, shortenedNote('comment'));
}

export function renderCheckSummary(assessment: Assessment, options: CheckSummaryOptions = {}): string {
  registerReportHelpers();
  const limit = options.maxLength ?? GITHUB_CHECK_SUMMARY_LIMIT;
  const approvalsSection = renderApprovalsSection(assessment, options.approved ?? {});
  const render = (limits: (typeof LEVELS)[number]) =>
    tidy(renderTemplate('check-summary.md.hbs', reviewView(assessment, limits, { approved: options.approved ?? {}, marker: null, approvalsSection })));
  return renderWithin(limit, render, null, shortenedNote('check'));
}

/**
 * The whole assessment, for `--format json` and the app's artifacts. Each semantic change carries
 * its `summary` in words, and each column's `because` is a list of reasons in words.
 */
export function renderJson(assessment: Assessment): string {
  const worded = (change: ModelChange) => ({
    ...change,
    semantic: change.semantic.map((s) => ({ ...s, summary: semanticSummary(s) })),
    columns: change.columns.map((c) => ({ ...c, because: c.because.map(columnReasonText) })),
  });
  const out = {
    ...assessment,
    changes: { ...assessment.changes, models: assessment.changes.models.map(worded) },
    models: assessment.models.map((m) => ({ ...m, change: worded(m.change) })),
  };
  return JSON.stringify(out, null, 2) + '\n';
}

/** The lineage graph alone (Mermaid flowchart source, without the code fence). */
export function renderMermaid(assessment: Assessment): string {
  return renderMermaidText(assessment);
}
