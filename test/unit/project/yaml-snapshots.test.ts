import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { loadProject } from '../../../src/dbt/project.js';
import type { Project } from '../../../src/dbt/types.js';

/** Snapshots declared in YAML alone (dbt ≥ 1.9), beside classic `{% snapshot %}` blocks. */
const FILES: Record<string, string> = {
  'dbt_project.yml': 'name: p\n',
  'models/stg_orders.sql': 'select 1 as id, current_date as updated_at\n',
  'models/sources.yml': 'version: 2\nsources:\n  - name: raw\n    tables: [{ name: customers }]\n',
  'snapshots/history/orders_snapshot.yml': [
    'snapshots:',
    '  - name: orders_snapshot',
    "    relation: ref('stg_orders')",
    '    description: Order history.',
    '    config:',
    '      schema: snapshots',
    '      unique_key: id',
    '      strategy: timestamp',
    '      updated_at: updated_at',
    '    columns:',
    '      - name: id',
    '        data_tests: [not_null]',
    '  - name: customers_snapshot',
    "    relation: source('raw', 'customers')",
    '    config: { unique_key: id, strategy: check, check_cols: all }',
    '  - name: broken_snapshot',
    '    relation: raw.customers',
    '  - name: classic_snapshot',
    '    description: properties for the SQL snapshot below, not a second snapshot',
    '',
  ].join('\n'),
  'snapshots/classic.sql': "{% snapshot classic_snapshot %}\n{{ config(unique_key='id', strategy='check', check_cols='all') }}\nselect * from {{ ref('stg_orders') }}\n{% endsnapshot %}\n",
};

describe('YAML snapshots', () => {
  let dir: string;
  let project: Project;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ir-yaml-snap-'));
    for (const [file, text] of Object.entries(FILES)) {
      await mkdir(dirname(join(dir, file)), { recursive: true });
      await writeFile(join(dir, file), text);
    }
    project = await loadProject(dir);
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('a snapshot with `relation:` is a node selecting that relation, with its YAML config, columns and tests', () => {
    const s = project.nodes['snapshot.p.orders_snapshot'];
    expect(s).toMatchObject({
      resource_type: 'snapshot',
      original_file_path: 'snapshots/history/orders_snapshot.yml',
      fqn: ['p', 'history', 'orders_snapshot'],
      schema: 'main_snapshots', // dbt's generate_schema_name: target schema + custom schema
      description: 'Order history.',
      depends_on: { nodes: ['model.p.stg_orders'] },
    });
    expect(s.config).toMatchObject({ materialized: 'snapshot', unique_key: 'id', strategy: 'timestamp', updated_at: 'updated_at' });
    expect(s.compiled_code).toBe('select * from "main"."main"."stg_orders"');
    expect(project.child_map['model.p.stg_orders']).toContain('snapshot.p.orders_snapshot');
    expect(Object.values(project.nodes).some((n) => n.resource_type === 'test' && n.attached_node === 'snapshot.p.orders_snapshot')).toBe(true);
    expect(project.nodes['snapshot.p.customers_snapshot'].depends_on.nodes).toEqual(['source.p.raw.customers']);
  });

  it('a relation that is not ref() or source() is an error at its line; a YAML entry for a SQL snapshot stays properties', () => {
    expect(project.nodes['snapshot.p.broken_snapshot']).toBeUndefined();
    expect(project.problems).toContainEqual(
      expect.objectContaining({ file: 'snapshots/history/orders_snapshot.yml', line: 16, message: 'snapshot `broken_snapshot`: relation must be a ref() or source(), got "raw.customers"', severity: 'error' }),
    );
    const classic = Object.values(project.nodes).filter((n) => n.name === 'classic_snapshot');
    expect(classic).toHaveLength(1);
    expect(classic[0]).toMatchObject({ original_file_path: 'snapshots/classic.sql', description: 'properties for the SQL snapshot below, not a second snapshot' });
  });
});
