import { describe, expect, it } from '@jest/globals';
import { modelCost, priceRun, runtimeFromExplain } from '../../../src/cost/cost.js';

const pricing = { size: 'M' as const, credit_price_usd: 3, min_billed_seconds: 60 };

describe('cost', () => {
  it('prices a run as seconds × credits per hour / 3600 × $ per credit', () => {
    // 90 s on M (4 credits/h) = 0.1 credits = $0.30; resumed it is still 90 s.
    expect(priceRun({ seconds: 90, source: 'measured_pr_build' }, pricing)).toEqual({
      seconds: 90,
      source: 'measured_pr_build',
      credits: 0.1,
      usd: 0.3,
      usd_if_resumed: 0.3,
    });
    // 9 s is billed as 60 s when it resumes the warehouse.
    expect(priceRun({ seconds: 9, source: 'query_history' }, { ...pricing, size: 'XL' }).usd_if_resumed).toBe(0.8);
  });

  it('gives the monthly change at the schedule’s runs, and none without a baseline', () => {
    const cost = modelCost({ seconds: 60, source: 'query_history' }, { seconds: 120, source: 'measured_pr_build' }, 30, pricing);
    expect(cost.monthly_before_usd).toBe(6);
    expect(cost.monthly_after_usd).toBe(12);
    expect(cost.monthly_change_usd).toBe(6);
    expect(cost.monthly_change_pct).toBe(100);
    const fresh = modelCost(null, { seconds: 30, source: 'measured_pr_build' }, 30, pricing);
    expect([fresh.monthly_before_usd, fresh.monthly_change_usd, fresh.monthly_after_usd]).toEqual([null, null, 3]);
  });

  it('estimates a runtime from EXPLAIN bytes at the assumed scan rate, and none without bytes', () => {
    expect(runtimeFromExplain(5e9, 1e8)).toEqual({ seconds: 50, source: 'explain_estimate' });
    expect(runtimeFromExplain(undefined, 1e8)).toEqual({ seconds: null, source: 'unknown' });
  });
});
