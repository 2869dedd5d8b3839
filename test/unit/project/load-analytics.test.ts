import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { loadProject, ProjectLoadError } from '../../../src/dbt/project.js';
import type { Project } from '../../../src/dbt/types.js';

const FIXTURE = 'test/fixtures/projects/analytics';
const target = { name: 'prod', type: 'snowflake', database: 'ANALYTICS', schema: 'dbt_dev' };

let project: Project;
beforeAll(async () => {
  project = await loadProject(FIXTURE, { target, env: { DBT_FINANCE_SCHEMA: 'fin', SECRET_TOKEN: 'x' }, runStartedAt: new Date('2024-01-01T00:00:00Z') });
});

describe('loadProject on a Snowflake project with its own generate_schema_name', () => {
  it('reads models from the old source-paths and seeds from data-paths', () => {
    expect(Object.keys(project.nodes).filter((id) => !id.startsWith('test.')).sort()).toEqual([
      'model.analytics.arr',
      'model.analytics.stripe_charges',
      'seed.analytics.country_codes',
    ]);
    expect(project.nodes['model.analytics.arr'].original_file_path).toBe('transform/finance/arr.sql');
  });

  it('names schemas with the project macro and prints Snowflake relations unquoted', () => {
    const arr = project.nodes['model.analytics.arr'];
    // +schema renders env_var (DBT_ names are visible); the macro upper-cases custom schemas.
    expect([arr.schema, arr.alias, arr.relation_name]).toEqual(['FIN', 'annual_recurring_revenue', 'ANALYTICS.FIN.annual_recurring_revenue']);
    const stg = project.nodes['model.analytics.stripe_charges'];
    expect([stg.config.materialized, stg.schema]).toEqual(['view', 'STAGING']);
    expect(project.nodes['seed.analytics.country_codes'].relation_name).toBe('ANALYTICS.dbt_dev.country_codes');
    expect(project.nodes['model.analytics.arr'].compiled_code).toContain('from ANALYTICS.STAGING.stripe_charges');
  });

  it('treats a plain key with a mapping value as a folder, and +meta as config', () => {
    const stg = project.nodes['model.analytics.stripe_charges'];
    expect(stg.config.meta).toEqual({});
    expect(stg.tags).toEqual(['stripe', 'pii']);
    // YAML meta (owner @revops) merges over the folder +meta (owner @finance).
    expect(project.nodes['model.analytics.arr'].config.meta).toEqual({ owner: '@revops' });
    expect(project.nodes['model.analytics.arr'].config.persist_docs).toEqual({ relation: true });
  });

  it('renders source schemas and leaves disabled source tables out', () => {
    expect(Object.keys(project.sources)).toEqual(['source.analytics.stripe.charges']);
    expect(project.sources['source.analytics.stripe.charges'].relation_name).toBe('RAW.stripe_prod.charges');
  });

  it('builds tests with custom names, quoted columns, arguments: and source relationships', () => {
    const tests = Object.values(project.nodes).filter((n) => n.resource_type === 'test');
    expect(tests.map((t) => t.unique_id).sort()).toEqual([
      'test.analytics.arr_customer_present.98028c8ad0',
      'test.analytics.arr_not_negative',
      'test.analytics.dbt_utils_expression_is_true_arr_arr_0.a0ce7671d3',
      'test.analytics.relationships_arr__customer___customer__source_stripe_charges_.488048014d',
      'test.analytics.source_unique_stripe_charges_id.fd59875cc4',
    ]);
    const rel = project.nodes['test.analytics.relationships_arr__customer___customer__source_stripe_charges_.488048014d'];
    expect(rel.config.severity).toBe('warn');
    expect(rel.column_name).toBe('"customer"');
    expect(rel.depends_on.nodes).toEqual(['model.analytics.arr', 'source.analytics.stripe.charges']);
    const expr = project.nodes['test.analytics.dbt_utils_expression_is_true_arr_arr_0.a0ce7671d3'];
    expect(expr.test_metadata?.kwargs).toEqual({ expression: 'arr >= 0', model: "{{ get_where_subquery(ref('arr')) }}" });
    expect(expr.config.where).toBe('customer is not null');
    expect(expr.schema).toBe('DBT_TEST__AUDIT');
    expect(project.problems).toEqual([]);
  });
});

describe('unusable input', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'impact-review-project-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('throws ProjectLoadError without dbt_project.yml, with bad YAML, or without a name', async () => {
    await expect(loadProject(path.join(dir, 'nothing'))).rejects.toThrow(ProjectLoadError);
    await mkdir(path.join(dir, 'bad'));
    await writeFile(path.join(dir, 'bad', 'dbt_project.yml'), 'name: [unclosed\n');
    await expect(loadProject(path.join(dir, 'bad'))).rejects.toThrow(/^dbt_project\.yml:\d+: dbt_project\.yml is not valid YAML/);
    await mkdir(path.join(dir, 'noname'));
    await writeFile(path.join(dir, 'noname', 'dbt_project.yml'), 'version: 2\n');
    await expect(loadProject(path.join(dir, 'noname'))).rejects.toThrow('dbt_project.yml: dbt_project.yml has no `name`');
  });

  it('loads an empty project with the default DuckDB target', async () => {
    await mkdir(path.join(dir, 'empty'));
    await writeFile(path.join(dir, 'empty', 'dbt_project.yml'), 'name: empty\n');
    const p = await loadProject(path.join(dir, 'empty'));
    expect(p.target).toEqual({ name: 'dev', type: 'duckdb', database: 'main', schema: 'main' });
    expect([Object.keys(p.nodes), p.problems, p.origin, p.name]).toEqual([[], [], 'files', 'empty']);
  });
});
