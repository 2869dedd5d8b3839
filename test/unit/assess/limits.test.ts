import { describe, expect, it } from '@jest/globals';
import { ConfigError, defaultConfig, parseConfig } from '../../../src/assess/config.js';
import { limitFindings, limitsReport, startDeadline } from '../../../src/assess/limits.js';

describe('limits: config', () => {
  it('has a default for each of the five limits', () => {
    expect(defaultConfig.limits).toMatchObject({
      max_models: 50,
      max_rows_scanned: 1e9,
      max_fetch_bytes: 200 * 1024 * 1024,
      max_file_bytes: 2 * 1024 * 1024,
      max_runtime_seconds: 900,
    });
  });

  it('reads max_runtime_seconds, and the earlier name analysis_timeout_seconds as the same key', () => {
    expect(parseConfig('limits:\n  max_runtime_seconds: 120\n').limits.max_runtime_seconds).toBe(120);
    expect(parseConfig('limits:\n  analysis_timeout_seconds: 30\n').limits.max_runtime_seconds).toBe(30);
    expect(parseConfig('limits:\n  analysis_timeout_seconds: 30\n  max_runtime_seconds: 60\n').limits.max_runtime_seconds).toBe(60);
  });

  it('refuses a misspelt limit with its line, rather than running without the limit', () => {
    let error: unknown;
    try {
      parseConfig('limits:\n  max_model: 3\n');
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).issues).toEqual([{ key: 'limits.max_model', message: 'unknown key "max_model"', line: 2 }]);
  });
});

describe('limits: runtime deadline', () => {
  it('expires on its clock at the limit, and says the limit was hit', () => {
    let now = 1_000;
    const d = startDeadline(10, () => now);
    expect(d.expired()).toBe(false);
    now += 9_999;
    expect(d.expired()).toBe(false);
    now += 1;
    expect(d.expired()).toBe(true);
    expect(d.signal.aborted).toBe(true);
    expect(d.hit()).toBe(true);
    expect(d.elapsed()).toBe(10);
    d.dispose();
  });

  it('a newer push aborts the work but is not the runtime limit', () => {
    const outer = new AbortController();
    const d = startDeadline(10, () => 0, outer.signal);
    outer.abort();
    expect(d.expired()).toBe(true);
    expect(d.hit()).toBe(false);
    d.dispose();
  });
});

describe('limits: report and findings', () => {
  const base = {
    config: parseConfig('limits:\n  max_rows_scanned: 100\n  max_fetch_bytes: 1000\n'),
    models: { changed: 3, skipped: [] },
    rows: { estimates: [40, null, 250], skipped: [{ id: 'model.x.big', value: 250 }] },
    runtime: { seconds: 1.234, hit: false, skipped: [] },
    files: { skipped: [], hit: false },
  };

  it('lists every limit in order with what was used, the fetch cap being the lower of the app and config', () => {
    const limits = limitsReport({ ...base, fetched: { base: 300, head: 400, limit: 5000 } });
    expect(limits).toEqual([
      { key: 'max_models', limit: 50, used: 3, hit: false, skipped: [] },
      { key: 'max_fetch_bytes', limit: 1000, used: 700, hit: false, skipped: [], parts: { base: 300, head: 400 } },
      { key: 'max_rows_scanned', limit: 100, used: 250, hit: true, skipped: [{ id: 'model.x.big', value: 250 }] },
      { key: 'max_runtime_seconds', limit: 900, used: 1.23, hit: false, skipped: [] },
      { key: 'max_file_bytes', limit: 2 * 1024 * 1024, used: null, hit: false, skipped: [] },
    ]);
  });

  it('each limit hit is a warning finding naming its config key, so the verdict cannot be SAFE', () => {
    const findings = limitFindings(limitsReport(base));
    expect(findings).toEqual([
      { kind: 'limit_reached', severity: 'warning', unique_id: null, figures: { limit: 'max_rows_scanned', value: 100, used: 250, skipped: 1 }, threshold: { key: 'limits.max_rows_scanned', value: 100 } },
    ]);
  });
});
