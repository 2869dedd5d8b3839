import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { cli } from '../support/cli.js';

const SHOP = join(process.cwd(), 'examples', 'shop', 'project');

describe('impact-review CLI', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ir-cli-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('lineage --format json gives manifest-shaped maps with owners, limited to the selection', async () => {
    const { code, stdout } = await cli('lineage', '--project', SHOP, '--select', 'mart_customer_revenue+1,resource_type:model exposure:finance_metrics', '--format', 'json');
    expect(code).toBe(0);
    const out = JSON.parse(stdout);
    expect(Object.keys(out)).toEqual(['nodes', 'parent_map', 'child_map', 'problems']);
    expect(out.nodes['model.shop.mart_customer_revenue']).toMatchObject({
      resource_type: 'model',
      name: 'mart_customer_revenue',
      package_name: 'shop',
      original_file_path: 'models/marts/marketing/mart_customer_revenue.sql',
      owner: 'Jane Smith',
      config: { materialized: 'table', enabled: true },
    });
    expect(out.nodes['exposure.shop.finance_metrics']).toMatchObject({ resource_type: 'exposure', owner: 'Finance Team' });
    expect(out.child_map['model.shop.mart_customer_revenue']).toEqual(expect.arrayContaining(['model.shop.fct_customer_ltv', 'exposure.shop.finance_metrics']));
    expect(out.parent_map['exposure.shop.finance_metrics']).toContain('model.shop.mart_customer_revenue');
    expect(out.problems).toEqual([]);
  });

  it('compile --format json maps unique ids to compiled code or an error with file:line', async () => {
    const project = join(dir, 'broken');
    const { mkdir } = await import('node:fs/promises');
    await mkdir(join(project, 'models'), { recursive: true });
    await writeFile(join(project, 'dbt_project.yml'), 'name: broken\n');
    await writeFile(join(project, 'models', 'a.sql'), 'select 1 as id\n');
    await writeFile(join(project, 'models', 'b.sql'), "select * from {{ ref('a') }}\n{% if true %}\n");
    const { code, stdout } = await cli('compile', '--project', project, '--format', 'json');
    expect(code).toBe(0);
    const out = JSON.parse(stdout);
    expect(out['model.broken.a']).toEqual({ compiled_code: 'select 1 as id\n' });
    expect(out['model.broken.b'].error).toMatch(/^models\/b\.sql:\d+: /);
    const lineage = JSON.parse((await cli('lineage', '--project', project, '--format', 'json')).stdout);
    // The model that cannot render still gets its parent from a static scan of its refs.
    expect(lineage.parent_map['model.broken.b']).toEqual(['model.broken.a']);
    expect(lineage.problems[0]).toMatchObject({ file: 'models/b.sql', severity: 'error' });
  });

  it('exits non-zero with a one-line reason only for unusable input', async () => {
    const missing = await cli('lineage', '--project', join(dir, 'nowhere'));
    expect(missing.code).toBe(2);
    expect(missing.stderr.trim().split('\n')).toHaveLength(1);
    expect(missing.stderr).toContain('does not exist');
    await writeFile(join(dir, 'manifest.json'), '{ not json');
    const manifest = await cli('lineage', '--manifest', join(dir, 'manifest.json'));
    expect(manifest.code).toBe(2);
    expect(manifest.stderr).toContain('manifest.json');
    const noProject = await cli('compile', '--project', dir);
    expect(noProject.code).toBe(2);
    expect(noProject.stderr).toContain('dbt_project.yml');
    expect((await cli('lineage', '--format', 'xml', '--project', SHOP)).code).toBe(2);
  });

  it('diffs two relations, with the JSON the issue names', async () => {
    const db = join(dir, 'prod.duckdb');
    const url = `duckdb:${db}`;
    const { openWarehouse } = await import('../../src/warehouse/connect.js');
    const w = await openWarehouse(url);
    await w.query("create table main.base_t as select i as id, i % 3 as grp, i * 1.5 as amount from range(100) t(i)");
    await w.query("create table main.head_t as select i as id, case when i < 5 then 9 else i % 3 end as grp, i * 1.5 as amount, 1 as extra from range(3, 103) t(i)");
    await w.close();
    const { code, stdout } = await cli('diff', '--warehouse', url, '--base', 'main.base_t', '--head', 'main.head_t', '--primary-key', 'id', '--format', 'json');
    expect(code).toBe(0);
    const diff = JSON.parse(stdout);
    expect(diff.schema).toMatchObject({ added: ['extra'], removed: [], type_changed: [] });
    expect(diff.rows).toMatchObject({ base: 100, head: 100, added: 3, removed: 3, changed: 2, unchanged: 95 });
    expect(diff.columns.grp.mismatched).toBe(2);
    expect(diff.distribution.grp.new_values).toEqual([{ value: '9', count: 2 }]);
    expect(typeof diff.queries).toBe('number');
    const missing = await cli('diff', '--warehouse', url, '--base', 'main.nope', '--head', 'main.head_t');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('nope');
  });
});
