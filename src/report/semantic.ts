/**
 * Semantic SQL changes and column-class reasons in words: templates/partials/semantic/change.hbs
 * and templates/partials/because.hbs render their structured forms (src/sql and src/assess stay
 * free of wording). Plain text, not markdown; templates escape it where they place it.
 */
import type { SemanticChange, SemanticPhrase } from '../sql/semantic-diff.js';
import type { ColumnReason } from '../assess/types.js';
import { registerReportHelpers } from './helpers.js';

function partial<T>(name: string): (context: T) => string {
  const h = registerReportHelpers();
  const p = h.partials[name];
  if (typeof p !== 'function') throw new Error(`impact-review: templates/partials/${name}.hbs is missing`);
  return p as (context: T) => string;
}

/** "now only includes rows where order_date is within the last 90 days", from a change or its phrase. */
export function semanticSummary(change: SemanticChange | SemanticPhrase): string {
  return partial<SemanticPhrase>('semantic/change')('phrase' in change ? change.phrase : change);
}

/** "row set changed: now only includes rows where …", "type changed: integer → varchar", … */
export function columnReasonText(reason: ColumnReason): string {
  return partial<ColumnReason>('because')(reason);
}
