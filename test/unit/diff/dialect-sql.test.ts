/**
 * The same generators produce Snowflake SQL; it cannot run here, so its key fragments are checked
 * as text. DuckDB's plans are checked for the one-scan-per-side promise.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { Runner } from '../../../src/diff/runner.js';
import { compareSchemas } from '../../../src/diff/schema.js';
import { profileBoth, profileSql, type Profiles } from '../../../src/diff/profile.js';
import { distributionSql, planDistribution } from '../../../src/diff/distribution.js';
import { planValues, sampleSql, valuesSql } from '../../../src/diff/values.js';
import type { ColumnType, Warehouse } from '../../../src/warehouse/warehouse.js';
import type { DuckDbWarehouse } from '../../../src/warehouse/duckdb.js';
import { plantedWarehouse } from './fixtures.js';

const cols = (spec: [string, string, ColumnType['kind']][]): ColumnType[] => spec.map(([name, type, kind]) => ({ name, type, kind }));

describe('Snowflake SQL', () => {
  const r = new Runner({ type: 'snowflake' } as Warehouse);
  const base = cols([
    ['ID', 'NUMBER(38,0)', 'number'],
    ['AMOUNT', 'NUMBER(12,2)', 'number'],
    ['STATUS', 'VARCHAR(16777216)', 'string'],
    ['CREATED_AT', 'TIMESTAMP_NTZ(9)', 'timestamp'],
    ['PAYLOAD', 'VARIANT', 'json'],
  ]);
  const s = compareSchemas(base, base);
  const B = 'ANALYTICS.PROD.ORDERS';
  const H = 'ANALYTICS.PR_12.ORDERS';

  test('the identical check is HASH_AGG over the same columns on both sides, inside the profile statement', () => {
    const sql = profileSql(r, B, H, s.pairs, { withHash: true });
    expect(sql).toContain('TO_VARCHAR(HASH_AGG("ID", "AMOUNT", "STATUS", "CREATED_AT", "PAYLOAD")) AS "b_hash"');
    expect(sql).toContain('TO_VARCHAR(HASH_AGG("ID", "AMOUNT", "STATUS", "CREATED_AT", "PAYLOAD")) AS "h_hash"');
    expect(sql.match(/FROM ANALYTICS\./g)).toHaveLength(2);
    expect(profileSql(r, B, H, s.pairs)).not.toContain('HASH_AGG');
  });

  test('profile uses APPROX_COUNT_DISTINCT, APPROX_PERCENTILE and STDDEV_SAMP; avg comes from sum', () => {
    const sql = profileSql(r, B, H, s.pairs);
    expect(sql).not.toMatch(/\bavg\(/i);
    expect(sql).toContain('APPROX_COUNT_DISTINCT("AMOUNT") AS "b1_distinct"');
    expect(sql).toContain('APPROX_PERCENTILE("AMOUNT", 0.5) AS "b1_p50"');
    expect(sql).toContain('STDDEV_SAMP(CAST("AMOUNT" AS DOUBLE))');
    expect(sql).toContain('TO_VARCHAR(min("CREATED_AT")) AS "h3_min"');
    expect(sql).toContain('LENGTH("STATUS")');
    // VARIANT: counted, never aggregated by value.
    expect(sql).toContain('count("PAYLOAD") AS "b4_nn"');
    expect(sql).not.toContain('APPROX_COUNT_DISTINCT("PAYLOAD")');
    expect(sql.match(/FROM ANALYTICS\./g)).toHaveLength(2);
  });

  const profiles: Profiles = {
    baseRows: 10,
    headRows: 10,
    percentilesSampled: false,
    hashes: null,
    distinctPending: new Set(),
    base: new Map([
      ['AMOUNT', { kind: 'number', type: 'NUMBER(12,2)', nulls: 0, distinct: 500, min: 0, max: 100 }],
      ['STATUS', { kind: 'string', type: 'VARCHAR', nulls: 0, distinct: 3 }],
    ]),
    head: new Map([
      ['AMOUNT', { kind: 'number', type: 'NUMBER(12,2)', nulls: 0, distinct: 500, min: -50, max: 50 }],
      ['STATUS', { kind: 'string', type: 'VARCHAR', nulls: 0, distinct: 4 }],
    ]),
  };

  test('distribution: GROUPING SETS, shared histogram edges from both profiles, TO_VARCHAR labels', () => {
    const plan = planDistribution(r, s.pairs, profiles, 20, 4);
    const sql = distributionSql(r, plan, B, H);
    expect(sql).toContain('GROUP BY GROUPING SETS (("g0"), ("g1"))');
    expect(sql).toContain('FLOOR((CAST("AMOUNT" AS DOUBLE) - (-50)) / 37.5) AS "g0"');
    expect(sql).toContain('TO_VARCHAR("STATUS") AS "g1"');
    expect(sql).toContain('UNION ALL');
  });

  test('sensitive values are grouped by HASH in the warehouse', () => {
    const sens = compareSchemas(base, base, {}, ['status']);
    const sql = distributionSql(r, planDistribution(r, sens.pairs, profiles, 20, 4), B, H);
    expect(sql).toContain('TO_VARCHAR(HASH("STATUS")) AS "g1"');
  });

  test('values: one full outer join on key + HASH, IS DISTINCT FROM on differing rows, COUNT_IF; sample bounded', () => {
    const plan = planValues(s.pairs, ['id'], B, H);
    const sql = valuesSql(r, plan, B, H);
    expect(sql).toContain('FROM ir_b FULL OUTER JOIN ir_h ON ir_b."k0" = ir_h."k0"');
    expect(sql).toContain('HASH("AMOUNT", "STATUS", "CREATED_AT") AS "rh" FROM ANALYTICS.PROD.ORDERS');
    expect(sql).toContain('(ir_bb."AMOUNT" IS DISTINCT FROM ir_hh."AMOUNT")');
    expect(sql).toContain(`FROM ${B} AS ir_bb WHERE EXISTS (SELECT 1 FROM ir_ck WHERE ir_bb."ID" = ir_ck."k0")`);
    expect(sql).toContain('COUNT_IF("bp" = 1 AND "hp" = 1) AS "matched"');
    expect(sql).not.toContain('"PAYLOAD"');
    expect(sampleSql(r, plan, B, H, 7)).toMatch(/LIMIT 7$/);
  });
});

describe('DuckDB plans scan each table once per statement', () => {
  let w: DuckDbWarehouse;
  beforeAll(async () => {
    w = await plantedWarehouse();
  });
  afterAll(async () => {
    await w.close();
  });
  const scans = async (sql: string, table: string) => {
    const plan = (await w.query(`EXPLAIN ${sql}`)).rows.map((row) => String(row.explain_value)).join('\n');
    return plan.split(`main.${table}`).length - 1;
  };

  test('profile and distribution read base and head once each', async () => {
    const r = new Runner(w);
    const s = compareSchemas(await w.describe('base_orders'), await w.describe('head_orders'));
    const p = await profileBoth(r, 'base_orders', 'head_orders', s.pairs);
    const dist = distributionSql(r, planDistribution(r, s.pairs, p, 20, 10), 'base_orders', 'head_orders');
    for (const sql of [profileSql(r, 'base_orders', 'head_orders', s.pairs), dist]) {
      expect(await scans(sql, 'base_orders')).toBe(1);
      expect(await scans(sql, 'head_orders')).toBe(1);
    }
  });
});
