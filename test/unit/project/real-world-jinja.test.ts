import { mkdtemp, mkdir, writeFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { loadProject } from '../../../src/dbt/project.js';
import type { Project } from '../../../src/dbt/types.js';

/** Patterns seen in public projects (e.g. mattermost-data-warehouse) that dbt accepts. */
describe('real-world Jinja', () => {
  let dir: string;
  const load = (name: string): Promise<Project> => loadProject(dir, { target: { name, type: 'snowflake', database: 'ANALYTICS', schema: 'DEV' } });

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ir-jinja-'));
    await mkdir(join(dir, 'models', 'marts'), { recursive: true });
    await mkdir(join(dir, 'macros'), { recursive: true });
    await writeFile(join(dir, 'dbt_project.yml'), "name: acme\nmodels:\n  acme:\n    marts:\n      +schema: mart_sales\n");
    await writeFile(
      join(dir, 'macros', 'generate_schema_name.sql'),
      '{% macro generate_schema_name(custom_schema_name, node) -%}\n    {{ generate_schema_name_for_env(custom_schema_name, node) }}\n{%- endmacro %}\n',
    );
    await writeFile(join(dir, 'models', 'marts', 'base.sql'), 'select 1 as id\n');
    await writeFile(
      join(dir, 'models', 'marts', 'trailing.sql'),
      [
        '{{',
        '    config({',
        '        "materialized": "incremental",',
        "        \"unique_key\": ['id'],",
        "        \"cluster_by\": ['id', ],",
        '    })',
        '}}',
        "{%- set cols = [\n  'id', 'name',\n] -%}",
        "select {{ cols | join(', ') }} from {{ ref('base', ) }}",
      ].join('\n'),
    );
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('accepts trailing commas in dict, list and call literals, as Jinja does', async () => {
    const project = await load('dev');
    const node = project.nodes['model.acme.trailing'];
    expect(node.render_error ?? null).toBeNull();
    expect(node.config.materialized).toBe('incremental');
    expect(node.config.cluster_by).toEqual(['id']);
    expect(node.compiled_code?.trim()).toBe('select id, name from ANALYTICS.DEV.base');
    expect(project.parent_map['model.acme.trailing']).toEqual(['model.acme.base']);
  });

  it("resolves dbt's generate_schema_name_for_env from a project override: custom schema only in prod", async () => {
    expect((await load('prod')).nodes['model.acme.base'].relation_name).toBe('ANALYTICS.mart_sales.base');
    const dev = await load('dev');
    expect(dev.nodes['model.acme.base'].relation_name).toBe('ANALYTICS.DEV.base');
    expect(dev.problems).toEqual([]);
  });
});
