/**
 * The limits against abuse (config `limits:`), shaped for the templates: the ones this review hit,
 * with what each left out by name, and the bytes fetched from GitHub. Wording lives in
 * templates/partials/limits/.
 */
import type { Assessment, LimitUse } from '../assess/types.js';

/** Items named per limit; the rest are counted ("… and N more") and listed in the JSON. */
const SHOWN = 10;

export function limitsView(assessment: Assessment, name: (id: string | null) => string | null) {
  const limits: LimitUse[] = assessment.limits ?? [];
  const hit = limits
    .filter((l) => l.hit)
    .map((l) => {
      // Files are named by path; models by name.
      const label = (id: string) => (l.key === 'max_file_bytes' ? id : (name(id) ?? id));
      return {
        key: l.key,
        limit: l.limit,
        used: l.used,
        count: l.skipped.length,
        /** max_models: the changed models that were built and diffed. */
        kept: l.used !== null ? Math.max(0, l.used - l.skipped.length) : null,
        items: l.skipped.slice(0, SHOWN).map((s) => ({ name: label(s.id), value: s.value ?? null, parent: s.parent ? label(s.parent) : null })),
        more: Math.max(0, l.skipped.length - SHOWN),
      };
    });
  const fetch = limits.find((l) => l.key === 'max_fetch_bytes');
  return {
    hit,
    fetched: fetch?.used !== null && fetch?.used !== undefined ? { total: fetch.used, base: fetch.parts?.base ?? null, head: fetch.parts?.head ?? null, limit: fetch.limit } : null,
  };
}

export type LimitsView = ReturnType<typeof limitsView>;
