/**
 * A semantic SQL change in words: templates/partials/semantic/change.hbs renders its structured
 * phrase (src/sql stays free of wording). Plain text, not markdown; templates escape it where
 * they place it.
 */
import type { SemanticChange, SemanticPhrase } from '../sql/semantic-diff.js';
import { registerReportHelpers } from './helpers.js';

/** "now only includes rows where order_date is within the last 90 days", from a change or its phrase. */
export function semanticSummary(change: SemanticChange | SemanticPhrase): string {
  const h = registerReportHelpers();
  const partial = h.partials['semantic/change'];
  if (typeof partial !== 'function') throw new Error('impact-review: templates/partials/semantic/change.hbs is missing');
  return (partial as (context: SemanticPhrase) => string)('phrase' in change ? change.phrase : change);
}
