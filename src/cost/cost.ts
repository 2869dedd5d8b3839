import { CREDITS_PER_HOUR, type WarehouseSize } from '../assess/config.js';

/** Where a runtime figure came from: the review states it next to the number. */
export type RuntimeSource =
  | 'measured_pr_build'
  | 'measured_production_build'
  | 'query_history'
  | 'explain_estimate'
  | 'unknown';

export interface Runtime {
  seconds: number | null;
  source: RuntimeSource;
  /** For query history: how many past runs the figure averages. */
  samples?: number;
}

export interface PricingAssumptions {
  size: WarehouseSize;
  credit_price_usd: number;
  min_billed_seconds: number;
}

export interface RunCost {
  seconds: number | null;
  source: RuntimeSource;
  credits: number | null;
  usd: number | null;
  /** The same run billed as if it resumed a suspended warehouse (Snowflake's 60-second minimum). */
  usd_if_resumed: number | null;
}

export interface ModelCost {
  before: RunCost | null;
  after: RunCost;
  runs_per_month: number;
  monthly_before_usd: number | null;
  monthly_after_usd: number | null;
  monthly_change_usd: number | null;
  /** Change in percent of the monthly cost; null when there is no baseline. */
  monthly_change_pct: number | null;
}

const round = (value: number, digits: number) => Math.round(value * 10 ** digits) / 10 ** digits;

/** credits = seconds × credits per hour of the size / 3600; $ = credits × $/credit. */
export function priceRun(runtime: Runtime, pricing: PricingAssumptions): RunCost {
  if (runtime.seconds === null || !Number.isFinite(runtime.seconds)) {
    return { seconds: null, source: runtime.source, credits: null, usd: null, usd_if_resumed: null };
  }
  const perHour = CREDITS_PER_HOUR[pricing.size];
  const credits = (runtime.seconds * perHour) / 3600;
  const resumedCredits = (Math.max(runtime.seconds, pricing.min_billed_seconds) * perHour) / 3600;
  return {
    seconds: round(runtime.seconds, 3),
    source: runtime.source,
    credits: round(credits, 6),
    usd: round(credits * pricing.credit_price_usd, 4),
    usd_if_resumed: round(resumedCredits * pricing.credit_price_usd, 4),
  };
}

/** Prices one materialisation before and after the PR, and the monthly change at the schedule's runs. */
export function modelCost(before: Runtime | null, after: Runtime, runsPerMonth: number, pricing: PricingAssumptions): ModelCost {
  const b = before ? priceRun(before, pricing) : null;
  const a = priceRun(after, pricing);
  const monthly = (run: RunCost | null) => (run?.usd === null || run?.usd === undefined ? null : round(run.usd * runsPerMonth, 2));
  const monthlyBefore = monthly(b);
  const monthlyAfter = monthly(a);
  const change = monthlyBefore !== null && monthlyAfter !== null ? round(monthlyAfter - monthlyBefore, 2) : null;
  const pct =
    b?.seconds && a.seconds !== null && b.seconds > 0 ? round(((a.seconds - b.seconds) / b.seconds) * 100, 1) : null;
  return {
    before: b,
    after: a,
    runs_per_month: runsPerMonth,
    monthly_before_usd: monthlyBefore,
    monthly_after_usd: monthlyAfter,
    monthly_change_usd: change,
    monthly_change_pct: pct,
  };
}

/** A runtime estimated from the bytes EXPLAIN says a statement would scan, at an assumed scan rate. */
export function runtimeFromExplain(bytes: number | undefined, bytesPerSecond: number): Runtime {
  return bytes === undefined || !Number.isFinite(bytes) ? { seconds: null, source: 'unknown' } : { seconds: bytes / bytesPerSecond, source: 'explain_estimate' };
}
