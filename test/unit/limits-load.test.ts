import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { analyze } from '../../src/analyze.js';
import { parseConfig } from '../../src/assess/config.js';
import { loadProject } from '../../src/dbt/project.js';
import type { Warehouse } from '../../src/warehouse/warehouse.js';

/** limits.max_file_bytes in the loader: an oversize file is a problem naming it, the rest loads. */
describe('limits: file size in the project loader', () => {
  let dir: string;
  const LIMIT = 2000;
  const pad = (n: number) => `\n${'-- padding\n'.repeat(Math.ceil(n / 11))}`;
  const files: Record<string, string> = {
    'dbt_project.yml': 'name: p\n',
    'models/ok.sql': "select id from {{ ref('big') }}\n",
    'models/big.sql': `select 1 as id${pad(3000)}`,
    'models/props.yml': `version: 2\nmodels:\n  - name: ok\n    description: the ok model\n${'    # padding\n'.repeat(500)}`,
    'models/small.yml': 'version: 2\nmodels:\n  - name: ok\n    columns: [{ name: id, data_tests: [not_null] }]\n',
    'macros/huge_macro.sql': `{% macro huge() %}1{% endmacro %}${pad(3000)}`,
    'seeds/countries.csv': `code,name\n${'XX,Somewhere\n'.repeat(1000)}`,
    'dbt_packages/helpers/dbt_project.yml': 'name: helpers\n',
    'dbt_packages/helpers/models/helper_big.sql': `select 2 as id${pad(3000)}`,
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ir-limits-load-'));
    for (const [file, text] of Object.entries(files)) {
      await mkdir(dirname(join(dir, file)), { recursive: true });
      await writeFile(join(dir, file), text);
    }
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('turns each oversize file into a warning naming the file, its size and the limit', async () => {
    const project = await loadProject(dir, { maxFileBytes: LIMIT });
    const oversize = project.problems.filter((p) => p.oversize).map((p) => ({ file: p.file, bytes: p.oversize?.bytes, id: p.unique_id, severity: p.severity }));
    const size = (f: string) => Buffer.byteLength(files[f]);
    expect(oversize.sort((a, b) => a.file.localeCompare(b.file))).toEqual([
      { file: 'dbt_packages/helpers/models/helper_big.sql', bytes: size('dbt_packages/helpers/models/helper_big.sql'), id: 'model.helpers.helper_big', severity: 'warning' },
      { file: 'macros/huge_macro.sql', bytes: size('macros/huge_macro.sql'), id: undefined, severity: 'warning' },
      { file: 'models/big.sql', bytes: size('models/big.sql'), id: 'model.p.big', severity: 'warning' },
      { file: 'models/props.yml', bytes: size('models/props.yml'), id: undefined, severity: 'warning' },
      { file: 'seeds/countries.csv', bytes: size('seeds/countries.csv'), id: 'seed.p.countries', severity: 'warning' },
    ]);
    const message = project.problems.find((p) => p.file === 'models/big.sql')!.message;
    expect(message).toBe(`not read: the file is ${size('models/big.sql')} bytes, over limits.max_file_bytes (${LIMIT})`);
  });

  it('keeps an oversize model in the graph, unread, so it does not look removed; the rest loads as usual', async () => {
    const project = await loadProject(dir, { maxFileBytes: LIMIT });
    expect(project.nodes['model.p.big']).toMatchObject({ raw_code: '', original_file_path: 'models/big.sql' });
    expect(project.nodes['model.p.ok'].depends_on.nodes).toEqual(['model.p.big']);
    // The small property file still applies; the oversize one does not.
    expect(project.nodes['model.p.ok'].description).toBe('');
    expect(Object.keys(project.nodes).some((id) => id.startsWith('test.p.not_null_ok_id'))).toBe(true);
    expect(project.macros['macro.p.huge']).toBeUndefined();
  });

  it('reads only the header of a seed over the limit, and hashes the whole file so an edit still shows', async () => {
    const project = await loadProject(dir, { maxFileBytes: LIMIT });
    const seed = project.nodes['seed.p.countries'];
    expect(seed.seed_columns).toEqual(['code', 'name']);
    expect(seed.checksum).toEqual({ name: 'sha256', checksum: createHash('sha256').update(files['seeds/countries.csv']).digest('hex') });
    expect(project.problems.find((p) => p.file === 'seeds/countries.csv')?.message).toBe(
      `only the header read: the file is ${Buffer.byteLength(files['seeds/countries.csv'])} bytes, over limits.max_file_bytes (${LIMIT}); a change to it is detected but not built`,
    );
    // Read whole, the same file has the same checksum.
    expect((await loadProject(dir)).nodes['seed.p.countries'].checksum).toEqual(seed.checksum);
  });

  it("a package's dbt_project.yml and packages.yml are measured too: an oversize one is a warning, the rest loads", async () => {
    const pkgDir = await mkdtemp(join(tmpdir(), 'ir-limits-pkg-'));
    const big = `name: huge\n${'# padding\n'.repeat(400)}`;
    const tree: Record<string, string> = {
      'dbt_project.yml': 'name: p\n',
      'packages.yml': `packages:\n  - local: vendor/tiny\n${'# padding\n'.repeat(400)}`,
      'models/ok.sql': 'select 1 as id\n',
      'dbt_packages/huge/dbt_project.yml': big,
      'dbt_packages/huge/models/h.sql': 'select 2 as id\n',
      'dbt_packages/small/dbt_project.yml': 'name: small\n',
      'dbt_packages/small/models/s.sql': 'select 3 as id\n',
    };
    try {
      for (const [file, text] of Object.entries(tree)) {
        await mkdir(dirname(join(pkgDir, file)), { recursive: true });
        await writeFile(join(pkgDir, file), text);
      }
      const project = await loadProject(pkgDir, { maxFileBytes: LIMIT });
      expect(project.problems.filter((p) => p.oversize).map((p) => [p.file, p.message]).sort()).toEqual([
        ['dbt_packages/huge/dbt_project.yml', `not read: the file is ${Buffer.byteLength(big)} bytes, over limits.max_file_bytes (${LIMIT})`],
        ['packages.yml', `not read: the file is ${Buffer.byteLength(tree['packages.yml'])} bytes, over limits.max_file_bytes (${LIMIT})`],
      ]);
      expect(Object.keys(project.nodes).sort()).toEqual(['model.p.ok', 'model.small.s']);
    } finally {
      await rm(pkgDir, { recursive: true, force: true });
    }
  });

  it('without the option every file is read', async () => {
    const project = await loadProject(dir);
    expect(project.problems.filter((p) => p.oversize)).toEqual([]);
    expect(project.nodes['model.p.ok'].description).toBe('the ok model');
    expect(project.macros['macro.p.huge']).toBeDefined();
  });

  it('an oversize dbt_project.yml stops the review with a message naming it, before anything reads it', async () => {
    const big = join(dir, 'big-project');
    await mkdir(big, { recursive: true });
    await writeFile(join(big, 'dbt_project.yml'), `name: p\n${'# padding\n'.repeat(300)}`);
    const review = analyze({ baseDir: dir, headDir: big, warehouse: {} as Warehouse, config: parseConfig('limits:\n  max_file_bytes: 2000\n') });
    await expect(review).rejects.toThrow('dbt_project.yml: not read: the file is 3008 bytes, over limits.max_file_bytes (2000)');
  });
});
