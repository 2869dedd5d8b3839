import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Assessment } from '../../src/assess/types.js';
import { renderJson, renderReview } from '../../src/report/render.js';
import { plantedProject, type PlantedProject } from '../support/planted-project.js';

/**
 * A PR that edits a seed's CSV: the seed counts as changed, its PR version is built from the head
 * CSV in a temporary table, diffed with the production seed row by row, and its tests run on it.
 */
const REGIONS = ['code,name,region', 'US,United States,North America', 'CA,Canada,North America', 'DE,Germany,EMEA', 'FR,France,EMEA', 'JP,Japan,APAC', 'BR,Brazil,LATAM', ''].join('\n');

const BASE: Record<string, string> = {
  'dbt_project.yml': "name: kit\nmodels:\n  kit:\n    +materialized: table\n",
  'seeds/regions.csv': REGIONS,
  'seeds/_seeds.yml': [
    'version: 2',
    'seeds:',
    '  - name: regions',
    '    columns:',
    '      - name: code',
    '        data_tests: [unique, not_null]',
    '      - name: region',
    '        data_tests:',
    "          - accepted_values: { values: ['North America', 'EMEA', 'APAC', 'LATAM'] }",
    '',
  ].join('\n'),
  'models/fct_sales.sql': "select r.region, sum(o.amount) as sales\nfrom {{ source('raw', 'orders') }} as o\njoin {{ ref('regions') }} as r on r.code = o.country\ngroup by 1\n",
  'models/schema.yml': [
    'version: 2',
    'sources:',
    '  - name: raw',
    '    schema: raw',
    '    tables: [{ name: orders }]',
    'exposures:',
    '  - name: sales_dashboard',
    '    label: Sales Dashboard',
    '    type: dashboard',
    '    owner: { name: Sales Ops }',
    "    depends_on: [ref('fct_sales')]",
    '',
  ].join('\n'),
};

describe('analyze(): a PR that edits a seed', () => {
  let kit: PlantedProject;
  const review = (changes: Record<string, string>, configText = ''): Promise<Assessment> => kit.review(changes, configText);
  const seedOf = (a: Assessment) => a.models.find((m) => m.name === 'regions');

  beforeAll(async () => {
    kit = await plantedProject(BASE, async (w) => {
      await w.ensureSchema(null, 'raw');
      await w.query("create table raw.orders as select i as id, ['US', 'CA', 'DE', 'FR', 'JP', 'BR'][i % 6 + 1] as country, 10 as amount from range(600) t(i)");
    });
  });
  afterAll(() => kit?.close());

  it('an unchanged seed is not a change', async () => {
    const a = await review({});
    expect(a.changes.models).toEqual([]);
  });

  it('a region moved, a country dropped and one added: diffed by key, the new value fails accepted_values, downstream listed', async () => {
    const head = REGIONS.replace('CA,Canada,North America', 'CA,Canada,EMEA').replace('FR,France,EMEA\n', '') + 'AE,United Arab Emirates,MEA\n';
    const a = await review({ 'seeds/regions.csv': head });
    const seed = seedOf(a)!;
    expect(seed.change).toMatchObject({ resource_type: 'seed', status: 'modified', class: 'partial' });
    expect(seed.change.reasons.map((r) => r.kind)).toEqual(['seed_data']);
    expect(seed.probe?.build.status).toBe('built');
    // Keyed by code (unique + not_null): one added, one removed, one changed, four untouched.
    expect(seed.probe?.diff?.rows).toMatchObject({ base: 6, head: 6, added: 1, removed: 1, changed: 1, unchanged: 4 });
    expect(seed.probe?.diff?.columns.region.mismatched).toBe(1);
    expect(seed.probe?.diff?.columns.name.mismatched).toBe(0);
    expect(seed.probe?.diff?.distribution.region.new_values).toEqual([{ value: 'MEA', count: 1 }]);
    const accepted = seed.probe!.tests.find((t) => t.test_name === 'accepted_values')!;
    expect(accepted).toMatchObject({ status: 'fail', failures: 1 });
    expect(seed.probe!.tests.filter((t) => t.status === 'pass').map((t) => t.test_name).sort()).toEqual(['not_null', 'unique']);
    expect(a.downstream.map((d) => d.name)).toContain('fct_sales');
    expect(a.exposures.map((d) => d.name)).toContain('sales_dashboard');
    expect(a.verdict).toBe('NOT_SAFE');
    const text = renderReview(a);
    expect(text).toContain('This PR modifies the seed `regions`. Key changes: 1 row added, 1 removed, 1 changed (in `region`).');
    expect(text).toContain('seed data');
    expect(text).toContain('MEA');
    expect(text).toContain("The seed's CSV changed: 1 row added, 1 removed, 1 changed (in `region`).");
    expect(text).toContain('dbt seed --select regions');
    // Shares of a column of unique values (the key, the names) move with every row added or
    // removed: those are reported as rows, not as distribution shifts.
    expect(a.findings.filter((f) => f.kind === 'distribution_shift').map((f) => f.column)).toEqual(['region', 'region']);
    const json = JSON.parse(renderJson(a)) as { models: { name: string; change: { columns: { column: string; because: string[] }[] } }[] };
    expect(json.models.find((m) => m.name === 'regions')!.change.columns.find((c) => c.column === 'region')!.because).toEqual(['seed data changed']);
    // Production's seed is untouched: the PR version lived in a temporary table.
    expect((await kit.warehouse.query("select count(*) as n from main.regions where code = 'FR'")).rows[0].n).toBe(1);
  });

  it('a renamed header is a removed column (breaking) and a new one (additive)', async () => {
    const a = await review({ 'seeds/regions.csv': REGIONS.replace('code,name,region', 'code,country_name,region') });
    const seed = seedOf(a)!;
    const classes = Object.fromEntries(seed.change.columns.map((c) => [c.column, c.class]));
    expect(classes).toEqual({ code: 'partial', country_name: 'additive', region: 'partial', name: 'breaking' });
    expect(seed.change.class).toBe('breaking');
    expect(seed.probe?.diff?.schema).toMatchObject({ added: ['country_name'], removed: ['name'] });
  });

  it('a ragged row: the seed is not built, the reason names the file and record, and the review still arrives', async () => {
    const a = await review({ 'seeds/regions.csv': REGIONS + 'MX,Mexico\n' });
    const seed = seedOf(a)!;
    expect(seed.probe?.build).toMatchObject({ status: 'failed', message: 'seeds/regions.csv: record 8 has 2 field(s) but the header has 3' });
    expect(seed.probe!.tests.every((t) => t.status === 'skipped')).toBe(true);
    expect(renderReview(a)).toContain('record 8 has 2 field(s)');
  });

  it('a seed over limits.max_file_bytes: its edit is still detected (hashed, not read), and the review says why it was not built', async () => {
    const a = await review({ 'seeds/regions.csv': REGIONS.replace('JP,Japan,APAC', 'JP,Japan,EMEA') }, 'limits:\n  max_file_bytes: 120\n');
    const seed = seedOf(a)!;
    expect(seed.change.reasons.map((r) => r.kind)).toEqual(['seed_data']);
    expect(seed.probe?.build).toMatchObject({ status: 'skipped', message: 'limit:max_file_bytes' });
    expect(a.limits?.find((l) => l.key === 'max_file_bytes')).toMatchObject({ hit: true, skipped: expect.arrayContaining([{ id: 'seeds/regions.csv', value: 133 }]) });
    expect(a.findings.some((f) => f.kind === 'limit_reached')).toBe(true);
    expect(a.verdict).not.toBe('SAFE');
  });
});
