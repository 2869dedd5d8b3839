import { describe, expect, it } from '@jest/globals';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadManifest, ManifestLoadError, manifestToProject } from '../../../src/dbt/manifest.js';
import { select } from '../../../src/dbt/selectors.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const fixture = path.resolve(here, '../../fixtures/manifest_project');
const manifestFile = path.join(fixture, 'target/manifest.json');

describe('loadManifest on the fixture (v12)', () => {
  it('reads the root project, target and members', async () => {
    const p = await loadManifest(manifestFile);
    expect(p.name).toBe('shop');
    expect(p.origin).toBe('manifest');
    expect(p.root).toBe(fixture);
    expect(p.target).toEqual({ name: 'manifest', type: 'duckdb', database: 'analytics', schema: 'main' });
    expect(p.packages.map((x) => x.name)).toEqual(['shop', 'dbt_utils']);
    expect(Object.keys(p.nodes).filter((id) => id.startsWith('model.')).sort()).toEqual([
      'model.shop.customers',
      'model.shop.dim_customers.v1',
      'model.shop.dim_customers.v2',
      'model.shop.fct_revenue',
      'model.shop.int_orders_enriched',
      'model.shop.orders',
      'model.shop.stg_countries',
      'model.shop.stg_customers',
      'model.shop.stg_orders',
    ]);
    expect(Object.keys(p.nodes).filter((id) => id.startsWith('test.'))).toHaveLength(11);
    expect(Object.keys(p.sources).sort()).toEqual(['source.shop.raw.customers', 'source.shop.raw.orders']);
    expect(Object.keys(p.disabled)).toEqual(['model.shop.old_orders']);
    expect(p.disabled['model.shop.old_orders'][0].config.enabled).toBe(false);
    expect(p.problems).toEqual([]);
  });

  it('maps a model with group, access, version and macro-made refs', async () => {
    const p = await loadManifest(manifestFile);
    const fct = p.nodes['model.shop.fct_revenue'];
    expect(fct.refs).toEqual([{ name: 'orders', package: null, version: null }]);
    expect(fct.depends_on).toEqual({ nodes: ['model.shop.orders'], macros: ['macro.shop.orders_relation'] });
    expect([fct.group, fct.access, fct.schema, fct.relation_name]).toEqual(['finance', 'public', 'main_finance', '"analytics"."main_finance"."fct_revenue"']);
    expect(fct.config.tags).toEqual(['finance']);
    expect(fct.contract).toEqual({ enforced: false, alias_types: true });
    const v1 = p.nodes['model.shop.dim_customers.v1'];
    expect([v1.name, v1.alias, v1.version, v1.latest_version]).toEqual(['dim_customers', 'dim_customers_v1', 1, 2]);
    expect(p.nodes['model.shop.int_orders_enriched'].relation_name).toBeNull();
    expect(p.nodes['model.shop.stg_orders'].columns.order_id).toEqual({
      name: 'order_id',
      description: '',
      data_type: null,
      meta: {},
      tags: [],
      constraints: [],
      quote: null,
    });
  });

  it('maps tests with their metadata, exposures with owners, and groups', async () => {
    const p = await loadManifest(manifestFile);
    const rel = p.nodes['test.shop.relationships_orders_customer_id__customer_id__ref_customers_.c6ec7f58f2'];
    expect(rel.test_metadata).toEqual({
      name: 'relationships',
      namespace: null,
      kwargs: { to: "ref('customers')", field: 'customer_id', column_name: 'customer_id', model: "{{ get_where_subquery(ref('orders')) }}" },
    });
    expect([rel.column_name, rel.attached_node]).toEqual(['customer_id', 'model.shop.orders']);
    expect(p.nodes['test.shop.dbt_utils_accepted_range_orders_amount__0.5fe099c1e0'].test_metadata?.namespace).toBe('dbt_utils');
    const dash = p.exposures['exposure.shop.revenue_dashboard'];
    expect(dash.owner).toEqual({ name: 'Ana Analyst', email: 'ana@example.com' });
    expect(dash.depends_on.nodes).toEqual(['model.shop.fct_revenue', 'model.shop.dim_customers.v2']);
    expect(p.groups['group.shop.finance'].owner).toEqual({ name: 'Finance Team', email: 'finance@example.com' });
    expect(p.macros['macro.dbt_utils.test_accepted_range'].package_name).toBe('dbt_utils');
  });

  it('recomputes parent_map and child_map', async () => {
    const p = await loadManifest(manifestFile);
    expect(p.parent_map['model.shop.int_orders_enriched']).toEqual(['model.shop.stg_countries', 'model.shop.stg_customers', 'model.shop.stg_orders']);
    expect(p.child_map['source.shop.raw.orders']).toEqual(['model.shop.stg_orders', 'test.shop.source_not_null_raw_orders_id.f232a64478']);
    expect(p.child_map['model.shop.dim_customers.v2']).toEqual(['exposure.shop.revenue_dashboard']);
  });

  it('supports selectors on the loaded project', async () => {
    const p = await loadManifest(manifestFile);
    expect([...select(p, 'dim_customers', { indirectSelection: 'empty' })].sort()).toEqual(['model.shop.dim_customers.v1', 'model.shop.dim_customers.v2']);
    // Eager indirect selection brings the source's test along, as `dbt ls` does.
    expect([...select(p, '+exposure:revenue_dashboard,resource_type:source')].sort()).toEqual([
      'source.shop.raw.customers',
      'source.shop.raw.orders',
      'test.shop.source_not_null_raw_orders_id.f232a64478',
    ]);
    expect([...select(p, 'stg_customers')].sort()).toEqual([
      'model.shop.stg_customers',
      'test.shop.not_null_stg_customers_customer_id.e2cfb1f9aa',
      'test.shop.unique_stg_customers_customer_id.c7614daada',
    ]);
  });
});

/** The same tiny project as an old (v6-ish) and a current (v12) manifest. */
function oldManifest(): Record<string, unknown> {
  return {
    metadata: {
      dbt_schema_version: 'https://schemas.getdbt.com/dbt/manifest/v6.json',
      dbt_version: '1.2.0',
      // Not md5('tiny'): the first test sets the real one, as dbt writes it.
      project_id: '00000000000000000000000000000000',
      adapter_type: 'snowflake',
    },
    nodes: {
      'model.util.dates': { unique_id: 'model.util.dates', resource_type: 'model', name: 'dates', package_name: 'util', path: 'dates.sql', original_file_path: 'models/dates.sql', fqn: ['util', 'dates'], database: 'DB', schema: 'PUBLIC', alias: 'dates', relation_name: 'DB.PUBLIC.dates', config: { enabled: true, materialized: 'table', tags: [], meta: {} }, tags: [], raw_sql: 'select 1 as d', refs: [], sources: [], depends_on: { nodes: [], macros: [] } },
      'model.tiny.a': { unique_id: 'model.tiny.a', resource_type: 'model', name: 'a', package_name: 'tiny', path: 'a.sql', original_file_path: 'models\\a.sql', fqn: ['tiny', 'a'], database: 'DB', schema: 'PUBLIC', alias: 'a', relation_name: 'DB.PUBLIC.a', config: { enabled: true, materialized: 'view', tags: ['x'], meta: {} }, tags: ['x'], raw_sql: "select * from {{ ref('util', 'dates') }}", compiled_sql: 'select * from DB.PUBLIC.dates', refs: [['util', 'dates']], sources: [], depends_on: { nodes: ['model.util.dates'], macros: [] }, columns: { d: { name: 'd', description: 'day' } } },
      'model.tiny.b': { unique_id: 'model.tiny.b', resource_type: 'model', name: 'b', package_name: 'tiny', path: 'b.sql', original_file_path: 'models/b.sql', fqn: ['tiny', 'b'], database: 'DB', schema: 'PUBLIC', alias: 'b', relation_name: 'DB.PUBLIC.b', config: { enabled: true, materialized: 'view', tags: [], meta: {} }, tags: [], raw_sql: "select * from {{ ref('a') }}", refs: [['a']], sources: [], depends_on: { nodes: ['model.tiny.a'], macros: [] } },
      'operation.tiny.tiny-on-run-end-0': { unique_id: 'operation.tiny.tiny-on-run-end-0', resource_type: 'operation', name: 'tiny-on-run-end-0', package_name: 'tiny', path: 'hooks/tiny-on-run-end-0.sql', original_file_path: './dbt_project.yml', raw_sql: 'grant select on all tables to role r' },
    },
    sources: {},
    exposures: {
      'exposure.tiny.dash': { unique_id: 'exposure.tiny.dash', resource_type: 'exposure', name: 'dash', package_name: 'tiny', path: 'e.yml', original_file_path: 'models/e.yml', type: 'dashboard', owner: { email: 'o@example.com' }, refs: [['b']], sources: [], depends_on: { nodes: ['model.tiny.b'], macros: [] } },
    },
    macros: {},
    parent_map: { 'model.tiny.a': ['model.util.dates'], 'model.tiny.b': ['model.tiny.a'], 'model.util.dates': [], 'exposure.tiny.dash': ['model.tiny.b'] },
  };
}

function newManifest(): Record<string, unknown> {
  const m = oldManifest();
  const meta = m.metadata as Record<string, unknown>;
  m.metadata = { ...meta, dbt_schema_version: 'https://schemas.getdbt.com/dbt/manifest/v12.json', dbt_version: '1.10.0', project_name: 'tiny', project_id: 'whatever' };
  const nodes = m.nodes as Record<string, Record<string, unknown>>;
  for (const n of Object.values(nodes)) {
    n.raw_code = n.raw_sql;
    delete n.raw_sql;
    if (n.compiled_sql) {
      n.compiled_code = n.compiled_sql;
      delete n.compiled_sql;
    }
    if (Array.isArray(n.refs)) n.refs = (n.refs as string[][]).map((r) => (r.length === 1 ? { name: r[0] } : { name: r[1], package: r[0], version: null }));
    n.original_file_path = String(n.original_file_path).replace('\\', '/');
    if (n.resource_type === 'model') n.access = 'protected';
  }
  const exp = (m.exposures as Record<string, Record<string, unknown>>)['exposure.tiny.dash'];
  exp.refs = [{ name: 'b', package: null, version: null }];
  return m;
}

describe('manifest versions', () => {
  it('a v6-shaped and a v12-shaped manifest of the same project load to the same Project', () => {
    const md5Tiny = 'd60cadf1a41c651e1f0ade50136bad43';
    const old = oldManifest();
    (old.metadata as Record<string, unknown>).project_id = md5Tiny;
    const a = manifestToProject(old, { root: '/p' });
    const b = manifestToProject(newManifest(), { root: '/p' });
    expect(a).toEqual(b);
    expect(a.name).toBe('tiny');
    expect(a.nodes['model.tiny.a'].refs).toEqual([{ name: 'dates', package: 'util', version: null }]);
    expect(a.nodes['model.tiny.a'].raw_code).toBe("select * from {{ ref('util', 'dates') }}");
    expect(a.nodes['model.tiny.a'].compiled_code).toBe('select * from DB.PUBLIC.dates');
    expect(a.nodes['model.tiny.a'].original_file_path).toBe('models/a.sql');
    expect(a.exposures['exposure.tiny.dash'].owner).toEqual({ name: null, email: 'o@example.com' });
    expect(Object.keys(a.nodes).sort()).toEqual(['model.tiny.a', 'model.tiny.b', 'model.util.dates']);
    expect(a.packages.map((p) => p.name)).toEqual(['tiny', 'util']);
    expect(a.target.type).toBe('snowflake');
  });

  it('without project_name or a matching project_id, the root is the package of the first model', () => {
    expect(manifestToProject(oldManifest(), { root: '/p' }).name).toBe('util');
  });

  it('warns when the manifest own parent_map disagrees with depends_on', () => {
    const m = newManifest();
    (m.parent_map as Record<string, string[]>)['model.tiny.b'] = [];
    const p = manifestToProject(m, { root: '/p', file: 'target/manifest.json' });
    expect(p.problems).toEqual([
      { file: 'target/manifest.json', severity: 'warning', message: 'parent_map in the manifest disagrees with depends_on for 1 node(s): model.tiny.b' },
    ]);
    expect(p.parent_map['model.tiny.b']).toEqual(['model.tiny.a']);
  });
});

describe('manifest load errors', () => {
  async function write(content: string): Promise<string> {
    const dir = await mkdtemp(path.join(tmpdir(), 'manifest-'));
    const file = path.join(dir, 'manifest.json');
    await writeFile(file, content);
    return file;
  }

  it('a missing file', async () => {
    await expect(loadManifest('/nonexistent/manifest.json')).rejects.toThrow('/nonexistent/manifest.json: cannot read manifest (ENOENT)');
  });

  it('not JSON', async () => {
    const file = await write('{"metadata": ');
    await expect(loadManifest(file)).rejects.toBeInstanceOf(ManifestLoadError);
    await expect(loadManifest(file)).rejects.toThrow(`${file}: not valid JSON`);
  });

  it('an unsupported schema version', async () => {
    const file = await write(JSON.stringify({ metadata: { dbt_schema_version: 'https://schemas.getdbt.com/dbt/manifest/v4.json' }, nodes: {} }));
    await expect(loadManifest(file)).rejects.toThrow(`${file}: unsupported manifest schema https://schemas.getdbt.com/dbt/manifest/v4.json (supported: v6 to v12`);
  });

  it('not a manifest at all', async () => {
    const file = await write(JSON.stringify({ results: [] }));
    await expect(loadManifest(file)).rejects.toThrow(`${file}: not a dbt manifest (metadata.dbt_schema_version is missing)`);
  });

  it('a node of the wrong shape names the path inside the file', () => {
    const m = newManifest();
    (m.nodes as Record<string, Record<string, unknown>>)['model.tiny.b'].name = 42;
    expect(() => manifestToProject(m, { root: '/p', file: 'm.json' })).toThrow(
      'm.json: invalid manifest v12 at nodes.model.tiny.b.name: Invalid input: expected string, received number',
    );
  });
});
