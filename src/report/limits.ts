/**
 * Fitting a review into GitHub's body limit (65,536 characters for comments, 65,535 for check-run
 * summaries). Renders are tried at increasing levels of brevity: first everything collapsed into
 * <details>, then lists cut with "… and N more", then a hard cut that keeps the approvals section
 * whole (the app replaces it in place) and says it did.
 */

export const GITHUB_COMMENT_LIMIT = 65_536;
export const GITHUB_CHECK_SUMMARY_LIMIT = 65_535;

export interface Limits {
  /** Collapse long sections (profiles, downstream, tests) into <details>. */
  collapse: boolean;
  /** Set when lists were cut: the template says the review was shortened. */
  shortened: boolean;
  models: number;
  findings: number;
  downstream: number;
  tests: number;
  columns: number;
  values: number;
  keyChanges: number;
  graphNodes: number;
  problems: number;
}

const ALL = 1_000_000;

/** Level 0 shows everything (long lists still folded); each next level is shorter. */
export const LEVELS: Limits[] = [
  { collapse: false, shortened: false, models: ALL, findings: ALL, downstream: ALL, tests: ALL, columns: ALL, values: 50, keyChanges: ALL, graphNodes: 80, problems: ALL },
  { collapse: true, shortened: false, models: ALL, findings: ALL, downstream: ALL, tests: ALL, columns: ALL, values: 50, keyChanges: ALL, graphNodes: 60, problems: ALL },
  { collapse: true, shortened: true, models: 25, findings: 40, downstream: 100, tests: 25, columns: 25, values: 20, keyChanges: 15, graphNodes: 40, problems: 25 },
  { collapse: true, shortened: true, models: 5, findings: 15, downstream: 20, tests: 10, columns: 10, values: 10, keyChanges: 8, graphNodes: 25, problems: 10 },
];

/** Lists longer than this fold into <details> even at level 0. */
export const FOLD_AT = 10;

export function renderWithin(limit: number, render: (limits: Limits) => string, approvals: { start: string; end: string } | null, note: string): string {
  let body = '';
  for (let i = 0; i < LEVELS.length; i++) {
    body = render(LEVELS[i]);
    if (body.length <= limit) return body;
    // Folding adds a few tags and removes nothing: only worth a render when it is close.
    if (i === 0 && body.length > limit * 1.1) i++;
  }
  return hardCut(body, limit, approvals, note);
}

/** Closes what a cut left open: a code fence and <details> blocks, so the rest renders sanely. */
function closeOpen(text: string): string {
  let out = text;
  const fences = (out.match(/^```/gm) ?? []).length;
  if (fences % 2 === 1) out += '\n```';
  const open = (out.match(/<details>/g) ?? []).length - (out.match(/<\/details>/g) ?? []).length;
  for (let i = 0; i < open; i++) out += '\n</details>';
  return out;
}

function cutAtLine(text: string, budget: number): string {
  if (text.length <= budget) return text;
  if (budget <= 0) return '';
  const cut = text.lastIndexOf('\n', budget);
  return text.slice(0, cut > 0 ? cut : budget);
}

/**
 * The last resort: keeps the top of the review, the approvals section whole, and as much of the
 * rest as fits, with `note` where text was dropped.
 */
export function hardCut(body: string, limit: number, approvals: { start: string; end: string } | null, note: string): string {
  const reserve = 200; // closing tags added by closeOpen
  const s = approvals ? body.indexOf(approvals.start) : -1;
  const e = approvals && s >= 0 ? body.indexOf(approvals.end, s) : -1;
  if (!approvals || s < 0 || e < 0) {
    return closeOpen(cutAtLine(body, limit - note.length - reserve)) + '\n\n' + note + '\n';
  }
  const section = body.slice(s, e + approvals.end.length);
  const pre = body.slice(0, s);
  const post = body.slice(e + approvals.end.length);
  let budget = limit - section.length - 2 * (note.length + reserve) - 8;
  const keptPre = closeOpen(cutAtLine(pre, budget));
  budget -= keptPre.length;
  const preCut = keptPre.length < pre.length;
  const keptPost = closeOpen(cutAtLine(post, Math.max(0, budget)));
  const postCut = keptPost.length < post.length;
  return [keptPre, preCut ? `\n\n${note}\n\n` : '\n', section, keptPost, postCut ? `\n\n${note}\n` : ''].join('');
}
