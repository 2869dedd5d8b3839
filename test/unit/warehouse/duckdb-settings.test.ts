/**
 * DuckDB settings in the warehouse URL (`duckdb:file.db?memory_limit=512MB&threads=2`): parsed,
 * validated, applied when the database opens, and a cap that really holds (work beyond it spills
 * to the temporary directory instead of growing the process).
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { mkdirSync, mkdtempSync, rmSync, watch } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openWarehouse, parseWarehouseUrl } from '../../../src/warehouse/connect.js';
import { WarehouseError, type Warehouse } from '../../../src/warehouse/warehouse.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'impact-review-duckdb-settings-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

const setting = async (w: Warehouse, name: string) => String((await w.query<{ v: unknown }>(`SELECT current_setting('${name}') AS v`)).rows[0].v);

describe('duckdb: URL settings', () => {
  test('query parameters become settings; URLs without them parse as before', () => {
    expect(parseWarehouseUrl('duckdb:data/prod.db?memory_limit=512MB&threads=2')).toEqual({
      type: 'duckdb',
      path: 'data/prod.db',
      settings: { memory_limit: '512MB', threads: '2' },
    });
    expect(parseWarehouseUrl('duckdb:///srv/prod.db?temp_directory=/var/tmp/spill')).toEqual({
      type: 'duckdb',
      path: '/srv/prod.db',
      settings: { temp_directory: '/var/tmp/spill' },
    });
    expect(parseWarehouseUrl('duckdb::memory:?memory_limit=1GB')).toEqual({ type: 'duckdb', path: ':memory:', settings: { memory_limit: '1GB' } });
    expect(parseWarehouseUrl('duckdb:data/prod.db')).toEqual({ type: 'duckdb', path: 'data/prod.db' });
  });

  test('unknown settings and malformed values are refused with the reason', () => {
    const err = (url: string) => {
      try {
        parseWarehouseUrl(url);
      } catch (e) {
        return e;
      }
      return null;
    };
    const unknown = err('duckdb:prod.db?enable_external_access=true');
    expect(unknown).toBeInstanceOf(WarehouseError);
    expect((unknown as WarehouseError).code).toBe('config');
    expect((unknown as Error).message).toBe(
      'unknown DuckDB setting "enable_external_access" in the warehouse URL; allowed: memory_limit, threads, temp_directory, max_temp_directory_size',
    );
    expect((err('duckdb:prod.db?memory_limit=lots') as Error).message).toBe(
      'DuckDB setting memory_limit=lots is not valid: expected a size such as 512MB or 2GB',
    );
    expect((err('duckdb:prod.db?threads=0') as Error).message).toBe('DuckDB setting threads=0 is not valid: expected a positive integer');
  });

  test('the settings are applied when the database opens', async () => {
    const w = await openWarehouse(`duckdb:${join(dir, 'applied.db')}?memory_limit=64MB&threads=1`);
    try {
      expect(await setting(w, 'memory_limit')).toBe('61.0 MiB'); // 64 MB = 64,000,000 bytes
      expect(await setting(w, 'threads')).toBe('1');
    } finally {
      await w.close();
    }
  });

  test('a second adapter on the same file with other settings is refused, not silently reconfigured', async () => {
    const file = join(dir, 'shared.db');
    const first = await openWarehouse(`duckdb:${file}?memory_limit=64MB`);
    try {
      const second = await openWarehouse(`duckdb:${file}?memory_limit=128MB`).catch((e: unknown) => e);
      expect(second).toBeInstanceOf(WarehouseError);
      expect((second as Error).message).toContain('is already open in this process with other settings');
      const same = await openWarehouse(`duckdb:${file}?memory_limit=64MB`);
      expect((await same.query<{ one: number }>('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
      await same.close();
    } finally {
      await first.close();
    }
  });

  test('work larger than memory_limit spills to temp_directory and still completes', async () => {
    const spill = join(dir, 'spill');
    mkdirSync(spill);
    const created: string[] = [];
    const watcher = watch(spill, (_event, name) => {
      if (name) created.push(String(name));
    });
    const w = await openWarehouse(`duckdb:${join(dir, 'spill.db')}?memory_limit=20MB&threads=1&temp_directory=${encodeURIComponent(spill)}`);
    try {
      // Sorting 4M BIGINTs (32 MB of keys alone) cannot happen inside 20 MB.
      const { rows } = await w.query<{ n: number; top: number }>(
        'SELECT count(*) AS n, max(r) AS top FROM (SELECT range AS r FROM range(4000000) ORDER BY hash(range) LIMIT 3999999) AS s',
      );
      expect(rows).toEqual([{ n: 3999999, top: 3999999 }]);
      expect(created.length).toBeGreaterThan(0);
    } finally {
      watcher.close();
      await w.close();
    }
  });
});
