import { describe, expect, it } from '@jest/globals';
import { ConfigError, defaultConfig, parseConfig } from '../../../src/assess/config.js';

describe('parseConfig', () => {
  it('gives the documented defaults when the file is absent or empty', () => {
    expect(parseConfig(undefined)).toEqual(defaultConfig);
    expect(parseConfig('# only a comment\n')).toEqual(defaultConfig);
    expect(defaultConfig.warehouse).toEqual({ size: 'M', credit_price_usd: 3, min_billed_seconds: 60, statement_timeout_seconds: 600, scan_bytes_per_second: 100_000_000 });
    expect(defaultConfig.approvals.per_team).toBe(1);
  });

  it("accepts Snowflake's size names and team slugs written with an org or @", () => {
    const config = parseConfig('warehouse:\n  size: x-small\nowners:\n  exposures:\n    Finance Team: "@acme/finance"\n');
    expect(config.warehouse.size).toBe('XS');
    expect(config.owners.exposures).toEqual({ 'Finance Team': 'finance' });
  });

  it('names the key, the line and the problem for each invalid value', () => {
    const text = 'warehouse:\n  size: HUGE\nthresholds:\n  cost_increase_pct: -3\nfoo: 1\n';
    let error: unknown;
    try {
      parseConfig(text);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const issues = (error as ConfigError).issues;
    expect(issues.map((i) => [i.key, i.line])).toEqual([
      ['warehouse.size', 2],
      ['thresholds.cost_increase_pct', 4],
      ['foo', 5],
    ]);
    expect(issues[0].message).toMatch(/XS, S, M/);
    expect(issues[2].message).toBe('unknown key "foo"');
    expect((error as ConfigError).message).toContain('.github/impact-review.yml: line 2: warehouse.size');
  });

  it('reports malformed YAML with its line instead of throwing a parser error', () => {
    expect(() => parseConfig('warehouse:\n  size: [M\n')).toThrow(ConfigError);
  });

  it('refuses an alias bomb instead of expanding it', () => {
    const levels = ['  a: &a [x, x, x, x, x, x, x, x, x, x]', '  b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]', '  c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]'];
    // The same shape one level shallower is fine: vars may hold anything, so only the bomb is refused.
    expect(parseConfig(['vars:', ...levels.slice(0, 2)].join('\n')).vars.b).toHaveLength(10);
    expect(() => parseConfig(['vars:', ...levels, '  d: [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]'].join('\n'))).toThrow(/alias/i);
  });
});
