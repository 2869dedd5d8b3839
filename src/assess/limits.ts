/**
 * Limits against abuse (config `limits:`): the runtime deadline of one analysis, and the
 * assessment's account of every limit, hit or not. Each limit the review hits is a finding, so a
 * pull request too large to review whole is never called SAFE on the part that was.
 */
import type { ImpactReviewConfig } from './config.js';
import type { Warehouse } from '../warehouse/warehouse.js';
import type { Finding, LimitKey, LimitSkip, LimitUse } from './types.js';
import { aroundStatements } from '../warehouse/counting.js';

export const LIMIT_KEYS: readonly LimitKey[] = ['max_models', 'max_fetch_bytes', 'max_rows_scanned', 'max_runtime_seconds', 'max_file_bytes'];

/** Milliseconds on a monotonic clock. */
export type Clock = () => number;

export interface Deadline {
  /** Aborts when the runtime limit passes or the caller's signal aborts (a newer push). */
  readonly signal: AbortSignal;
  /** True once no new work may start; reads the clock, so a fake clock is honoured. */
  expired(): boolean;
  /** The runtime limit itself was reached (not a supersede). */
  hit(): boolean;
  /** Seconds since the analysis started. */
  elapsed(): number;
  dispose(): void;
}

/**
 * The runtime limit of one analysis: a timer for real time, and clock checks at every step for
 * work that never yields to the timer. Work in flight finishes; nothing new starts.
 */
export function startDeadline(seconds: number, clock: Clock, outer?: AbortSignal): Deadline {
  const started = clock();
  const controller = new AbortController();
  let reached = false;
  const reach = () => {
    if (outer?.aborted) return;
    reached = true;
    controller.abort(new Error(`limits.max_runtime_seconds (${seconds}) reached`));
  };
  const timer = setTimeout(reach, Math.min(seconds * 1000, 2 ** 31 - 1));
  timer.unref?.();
  const onOuter = () => controller.abort(outer?.reason);
  if (outer?.aborted) onOuter();
  else outer?.addEventListener('abort', onOuter, { once: true });
  return {
    signal: controller.signal,
    expired() {
      if (!controller.signal.aborted && clock() - started >= seconds * 1000) reach();
      return controller.signal.aborted;
    },
    hit: () => reached,
    elapsed: () => (clock() - started) / 1000,
    dispose() {
      clearTimeout(timer);
      outer?.removeEventListener('abort', onOuter);
    },
  };
}

export interface LimitsInput {
  config: ImpactReviewConfig;
  /** Changed models that needed a PR build, and those past max_models. */
  models: { changed: number; skipped: string[] };
  /** Bytes fetched from GitHub per tarball, and the cap in force (the app's may be lower than config's). */
  fetched?: { base: number; head: number; limit: number };
  /** Per model: the rows estimate (null: unknown); over-limit models and their changed children. */
  rows: { estimates: (number | null)[]; skipped: LimitSkip[] };
  runtime: { seconds: number; hit: boolean; skipped: string[] };
  /** Head files not read for their size; hit when one of them is new or changed in this PR (not oversize alike at base). */
  files: { skipped: LimitSkip[]; hit: boolean };
}

/** Every limit in LIMIT_KEYS order, with what this review used and left out. */
export function limitsReport(input: LimitsInput): LimitUse[] {
  const l = input.config.limits;
  const estimates = input.rows.estimates.filter((n): n is number => n !== null);
  const fetched = input.fetched;
  return [
    { key: 'max_models', limit: l.max_models, used: input.models.changed, hit: input.models.skipped.length > 0, skipped: input.models.skipped.map((id) => ({ id })) },
    {
      key: 'max_fetch_bytes',
      limit: fetched ? Math.min(fetched.limit, l.max_fetch_bytes) : l.max_fetch_bytes,
      used: fetched ? fetched.base + fetched.head : null,
      // A tarball over the cap stops the review before analysis: the app says so in the check.
      hit: false,
      skipped: [],
      ...(fetched ? { parts: { base: fetched.base, head: fetched.head } } : {}),
    },
    { key: 'max_rows_scanned', limit: l.max_rows_scanned, used: estimates.length ? Math.max(...estimates) : null, hit: input.rows.skipped.length > 0, skipped: input.rows.skipped },
    { key: 'max_runtime_seconds', limit: l.max_runtime_seconds, used: Math.round(input.runtime.seconds * 100) / 100, hit: input.runtime.hit, skipped: input.runtime.skipped.map((id) => ({ id })) },
    { key: 'max_file_bytes', limit: l.max_file_bytes, used: input.files.skipped.length ? Math.max(...input.files.skipped.map((f) => f.value ?? 0)) : null, hit: input.files.hit, skipped: input.files.skipped },
  ];
}

/** One warning per limit hit: the review is incomplete, so someone must look. */
export function limitFindings(limits: LimitUse[]): Finding[] {
  return limits
    .filter((l) => l.hit)
    .map((l) => ({
      kind: 'limit_reached' as const,
      severity: 'warning' as const,
      unique_id: null,
      figures: { limit: l.key, value: l.limit, used: l.used, skipped: l.skipped.length },
      threshold: { key: `limits.${l.key}`, value: l.limit },
    }));
}

/**
 * The warehouse, with `check` called after each statement: a deadline passed during a statement
 * is noticed before the next one starts, whatever clock measures it.
 */
export function checkedAfterEachStatement(inner: Warehouse, check: () => void): Warehouse {
  return aroundStatements(inner, async (run) => {
    try {
      return await run();
    } finally {
      check();
    }
  });
}
