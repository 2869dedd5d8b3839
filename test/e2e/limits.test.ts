import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { analyze, type AnalyzeInput } from '../../src/analyze.js';
import { parseConfig } from '../../src/assess/config.js';
import type { Assessment, LimitUse } from '../../src/assess/types.js';
import { buildProject } from '../../src/build/production.js';
import { loadProject } from '../../src/dbt/project.js';
import { renderCheckSummary, renderJson, renderReview } from '../../src/report/render.js';
import { openWarehouse } from '../../src/warehouse/connect.js';
import type { Warehouse } from '../../src/warehouse/warehouse.js';

/**
 * Limits against abuse, end to end on DuckDB: each limit the review hits leaves the rest of the
 * review intact, names what it left out in the comment, the check summary and the JSON, and keeps
 * the verdict from SAFE.
 */
const BASE: Record<string, string> = {
  'dbt_project.yml': "name: kit\nmodels:\n  kit:\n    +materialized: table\n",
  'models/stg_orders.sql': "select id, customer_id, amount, status from {{ source('raw', 'orders') }}\n",
  'models/fct_revenue.sql': "select customer_id, sum(amount) as revenue from {{ ref('stg_orders') }} group by 1\n",
  'models/dim_status.sql': "select code, label from {{ source('raw', 'statuses') }}\n",
  'models/schema.yml': 'version: 2\nsources:\n  - name: raw\n    schema: raw\n    tables: [{ name: orders }, { name: statuses }]\n',
};

const CHANGED: Record<string, string> = {
  'models/stg_orders.sql': "select id, customer_id, amount + 1 as amount, status from {{ source('raw', 'orders') }}\n",
  'models/fct_revenue.sql': "select customer_id, sum(amount) * 2 as revenue from {{ ref('stg_orders') }} group by 1\n",
  'models/dim_status.sql': "select code, upper(label) as label from {{ source('raw', 'statuses') }}\n",
};

const limitOf = (a: Assessment, key: LimitUse['key']): LimitUse => a.limits!.find((l) => l.key === key)!;
const probeOf = (a: Assessment, name: string) => a.models.find((m) => m.name === name)!.probe!;

describe('limits against abuse', () => {
  let root: string;
  let warehouse: Warehouse;
  let baseDir: string;
  let count = 0;

  const write = async (dir: string, files: Record<string, string>) => {
    for (const [file, text] of Object.entries(files)) {
      await mkdir(dirname(join(dir, file)), { recursive: true });
      await writeFile(join(dir, file), text);
    }
  };
  const review = async (changes: Record<string, string>, configText: string, extra: Partial<AnalyzeInput> = {}): Promise<Assessment> => {
    const headDir = join(root, `head${count++}`);
    await write(headDir, { ...BASE, ...changes });
    return analyze({ baseDir, headDir, warehouse, config: parseConfig(configText), now: new Date('2026-11-02T00:00:00Z'), ...extra });
  };

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'ir-limits-'));
    baseDir = join(root, 'base');
    await write(baseDir, BASE);
    warehouse = await openWarehouse('duckdb::memory:');
    await warehouse.ensureSchema(null, 'raw');
    await warehouse.query("create table raw.orders as select i as id, i % 100 as customer_id, (i % 7) * 10 + 5 as amount, 'completed' as status from range(1000) t(i)");
    await warehouse.query("create table raw.statuses as select * from (values ('c', 'completed'), ('x', 'cancelled'), ('p', 'pending')) t(code, label)");
    const base = await loadProject(baseDir, { target: { name: 'prod', type: 'duckdb', database: warehouse.database, schema: 'main' } });
    expect((await buildProject(base, warehouse, Object.keys(base.nodes))).failed).toEqual([]);
  });
  afterAll(async () => {
    await warehouse?.close();
    await rm(root, { recursive: true, force: true });
  });

  it('rows scanned: the estimate comes first; a model over the limit and the model reading it are not built, the rest are', async () => {
    // stg_orders reads raw.orders (1,000 rows) and is compared with its production table (1,000):
    // ~2,000 rows. dim_status reads 3 + 3. fct_revenue reads the PR version of stg_orders.
    const sent: string[] = [];
    const recording: Warehouse = Object.create(warehouse, {
      query: { value: (sql: string, o?: object) => (sent.push(`query ${sql}`), warehouse.query(sql, o)) },
      createTempTable: { value: (name: string, sql: string, o?: object) => (sent.push(`temp ${name}`), warehouse.createTempTable(name, sql, o)) },
    });
    const a = await review(CHANGED, 'limits:\n  max_rows_scanned: 1500\n', { warehouse: recording });

    expect(probeOf(a, 'stg_orders')).toMatchObject({ build: { status: 'skipped' }, skipped_by: 'max_rows_scanned', rows_estimate: 2000, diff: null });
    expect(probeOf(a, 'fct_revenue')).toMatchObject({ build: { status: 'skipped' }, skipped_by: 'max_rows_scanned', diff: null });
    expect(probeOf(a, 'dim_status')).toMatchObject({ build: { status: 'built' }, rows_estimate: 6 });
    expect(probeOf(a, 'dim_status').diff?.rows).toMatchObject({ base: 3, head: 3 });
    // Nothing was built for the model over the limit, and every estimate preceded every build.
    expect(sent.filter((s) => s.startsWith('temp ')).map((s) => s.slice(5))).toEqual(['pr__kit__dim_status', 'base__kit__dim_status']);
    const lastEstimate = sent.map((s) => s.startsWith('query EXPLAIN')).lastIndexOf(true);
    expect(lastEstimate).toBeGreaterThan(-1);
    expect(lastEstimate).toBeLessThan(sent.findIndex((s) => s.startsWith('temp ')));

    expect(limitOf(a, 'max_rows_scanned')).toEqual({
      key: 'max_rows_scanned',
      limit: 1500,
      used: 2000,
      hit: true,
      skipped: [{ id: 'model.kit.stg_orders', value: 2000 }, { id: 'model.kit.fct_revenue', parent: 'model.kit.stg_orders' }],
    });
    expect(a.findings).toContainEqual(expect.objectContaining({ kind: 'limit_reached', severity: 'warning', figures: expect.objectContaining({ limit: 'max_rows_scanned' }) }));
    expect(a.verdict).not.toBe('SAFE');

    const text = renderReview(a);
    expect(text).toContain('### Limits reached');
    expect(text).toContain('**Rows scanned** (`limits.max_rows_scanned: 1500`, 1,500 rows)');
    expect(text).toContain('`stg_orders` (~2,000 rows), `fct_revenue` (reads the PR version of `stg_orders`)');
    expect(text).toContain('its build and diff were estimated to scan ~2,000 rows, over `limits.max_rows_scanned`: not built or diffed');
    expect(renderCheckSummary(a)).toContain('**Rows scanned** (`limits.max_rows_scanned: 1500`');
    expect(JSON.parse(renderJson(a)).limits.map((l: LimitUse) => [l.key, l.hit])).toEqual([
      ['max_models', false],
      ['max_fetch_bytes', false],
      ['max_rows_scanned', true],
      ['max_runtime_seconds', false],
      ['max_file_bytes', false],
    ]);
  });

  it('rows scanned under the limit: every model is built and no limit is reported', async () => {
    const a = await review(CHANGED, '');
    expect(a.models.map((m) => m.probe?.build.status)).toEqual(['built', 'built', 'built']);
    expect(a.limits!.filter((l) => l.hit)).toEqual([]);
    expect(limitOf(a, 'max_rows_scanned').used).toBe(2000);
    expect(renderReview(a)).not.toContain('Limits reached');
  });

  it('runtime: past limits.max_runtime_seconds no new model starts, and the partial review names the ones left', async () => {
    // A fake clock that a slow statement moves on: the first model's baseline rebuild "takes" 200 s.
    let now = 0;
    const slow: Warehouse = Object.create(warehouse, {
      createTempTable: {
        value: async (name: string, sql: string, o?: object) => {
          const result = await warehouse.createTempTable(name, sql, o);
          if (name.startsWith('base__')) now += 200_000;
          return result;
        },
      },
    });
    const a = await review(CHANGED, 'limits:\n  max_runtime_seconds: 100\n', { warehouse: slow, clock: () => now });

    const diffed = a.models.filter((m) => m.probe?.diff).map((m) => m.name);
    expect(diffed).toHaveLength(1);
    const left = a.models.filter((m) => !m.probe?.diff).map((m) => m.unique_id);
    expect(left).toHaveLength(2);
    for (const id of left) expect(a.models.find((m) => m.unique_id === id)!.probe).toMatchObject({ skipped_by: 'max_runtime_seconds', tests: [] });
    const runtime = limitOf(a, 'max_runtime_seconds');
    expect(runtime).toMatchObject({ limit: 100, hit: true, used: 200 });
    expect(runtime.skipped.map((s) => s.id).sort()).toEqual([...left].sort());
    expect(a.verdict).not.toBe('SAFE');

    const text = renderReview(a);
    const names = runtime.skipped.map((s) => `\`${s.id.split('.').pop()}\``);
    expect(text).toContain(`**Runtime** (\`limits.max_runtime_seconds: 100\`): the analysis ran 3 min 20 s; once past the limit no new warehouse work started`);
    expect(text).toContain(`Not compared with production or tested: ${names.join(', ')}.`);
    expect(text).toContain('`limits.max_runtime_seconds` passed before its diff and tests started');
  });

  it('file size: a 3 MB model file and a 50 MB YAML file are not read, each a problem; the other models are reviewed', async () => {
    const bigSql = `select 1 as id\n${'-- padding padding padding padding padding padding padding padding\n'.repeat(48_000)}`;
    const bigYaml = `version: 2\nmodels:\n${'  - name: padding_model_that_does_not_exist\n    description: "padding padding padding padding padding"\n'.repeat(560_000)}`;
    expect(bigSql.length).toBeGreaterThan(3_000_000);
    expect(bigYaml.length).toBeGreaterThan(50_000_000);
    const a = await review({ 'models/dim_status.sql': CHANGED['models/dim_status.sql'], 'models/huge.sql': bigSql, 'models/huge.yml': bigYaml }, '');

    const problems = [...a.problems, ...a.models.flatMap((m) => m.problems)];
    expect(problems).toContainEqual(expect.objectContaining({ file: 'models/huge.sql', severity: 'warning', oversize: { bytes: bigSql.length, limit: 2 * 1024 * 1024 } }));
    expect(problems).toContainEqual(expect.objectContaining({ file: 'models/huge.yml', severity: 'warning', oversize: { bytes: bigYaml.length, limit: 2 * 1024 * 1024 } }));
    // The unread model is in the review, not built; the rest is reviewed as usual.
    expect(probeOf(a, 'huge')).toMatchObject({ build: { status: 'skipped' }, skipped_by: 'max_file_bytes' });
    expect(probeOf(a, 'dim_status')).toMatchObject({ build: { status: 'built' } });
    expect(probeOf(a, 'dim_status').diff?.rows).toMatchObject({ base: 3, head: 3 });
    expect(limitOf(a, 'max_file_bytes')).toMatchObject({ hit: true, used: bigYaml.length, skipped: [{ id: 'models/huge.sql', value: bigSql.length }, { id: 'models/huge.yml', value: bigYaml.length }] });

    const text = renderReview(a);
    expect(text).toMatch(/`models\/huge\.yml`: not read: the file is 5\d\.\d MiB, over `limits\.max_file_bytes` \(2 MiB\)/);
    expect(text).toMatch(/\*\*File size\*\* \(`limits\.max_file_bytes: 2097152`, 2 MiB\): these files were not read, and what they define is missing from the review: `models\/huge\.sql` \(3\.\d MiB\), `models\/huge\.yml` \(5\d\.\d MiB\)\./);
    expect(text).toContain('its file is larger than `limits.max_file_bytes` and was not read');
  }, 120_000);

  it('models analysed: past limits.max_models, in the same Limits section and JSON', async () => {
    const a = await review(CHANGED, 'limits:\n  max_models: 2\n');
    const models = limitOf(a, 'max_models');
    expect(models).toMatchObject({ limit: 2, used: 3, hit: true });
    expect(models.skipped).toHaveLength(1);
    const skipped = a.models.find((m) => m.unique_id === models.skipped[0].id)!;
    expect(skipped.probe).toMatchObject({ build: { status: 'skipped' }, skipped_by: 'max_models' });
    const text = renderReview(a);
    expect(text).toContain(`**Models** (\`limits.max_models: 2\`): this PR changes 3 models that need a build; the first 2 in DAG order were built and diffed. Not built, only listed with their lineage and a runtime estimated from EXPLAIN: \`${skipped.name}\`.`);
  });
});
