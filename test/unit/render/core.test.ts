import { describe, expect, it } from '@jest/globals';
import { createRenderer } from '../../../src/dbt/render/index.js';
import { macro, node, options, render } from './helpers.js';

describe('ref and source', () => {
  it('resolves one-arg, two-arg and versioned refs in compile mode and records them', () => {
    const out = render("select * from {{ ref('orders') }} join {{ ref('finance', 'revenue') }} join {{ ref('dim', version=2) }} join {{ ref('dim', v=3) }}");
    expect(out.error).toBeUndefined();
    expect(out.sql).toBe('select * from analytics.prod.orders join analytics.finance.revenue join analytics.prod.dim_v2 join analytics.prod.dim_v3');
    expect(out.refs).toEqual([
      { name: 'orders', package: null, version: null },
      { name: 'revenue', package: 'finance', version: null },
      { name: 'dim', package: null, version: 2 },
      { name: 'dim', package: null, version: 3 },
    ]);
  });

  it('returns placeholders in parse mode and records sources', () => {
    const out = render("select * from {{ ref('nope') }}, {{ source('raw', 'events') }}", {}, { mode: 'parse' });
    expect(out.sql).toBe('select * from analytics.dev_schema.nope, analytics.raw.events');
    expect(out.refs).toEqual([{ name: 'nope', package: null, version: null }]);
    expect(out.sources).toEqual([['raw', 'events']]);
  });

  it('resolves sources in compile mode', () => {
    expect(render("select * from {{ source('raw', 'events') }}").sql).toBe('select * from raw_db.raw.events');
  });

  it('fails a missing ref in compile mode with its line', () => {
    const out = render("select 1\nfrom x\njoin {{ ref('missing') }}");
    expect(out.sql).toBeNull();
    expect(out.error).toEqual({ message: "ref 'missing' was not found", line: 3 });
    expect(out.refs).toEqual([{ name: 'missing', package: null, version: null }]);
  });

  it('records refs in depends_on comments', () => {
    const out = render("-- depends_on: {{ ref('customers') }}\nselect 1");
    expect(out.sql).toBe('-- depends_on: analytics.prod.customers\nselect 1');
    expect(out.refs.map((r) => r.name)).toEqual(['customers']);
  });

  it('prints this without the database when it is null, and include(database=false)', () => {
    const r = createRenderer(options());
    const out = r.render({ node: node({ database: null }), template: "{{ this }} {{ ref('orders').include(database=false) }} {{ ref('orders').identifier }}", mode: 'compile' });
    expect(out.sql).toBe('dev_schema.my_model prod.orders orders');
  });
});

describe('config', () => {
  it('merges dict and keyword forms and reads them back with config.get', () => {
    const out = render(
      "{{ config({'materialized': 'table', 'tags': ['a']}) }}{{ config(unique_key='id', tags=['b']) }}{{ config.get('materialized') }}|{{ config.get('missing', 'dflt') }}|{{ config.require('unique_key') }}",
    );
    expect(out.error).toBeUndefined();
    expect(out.sql).toBe('table|dflt|id');
    expect(out.config).toEqual({ materialized: 'table', tags: ['b'], unique_key: 'id' });
  });

  it('config.get sees the node config known before rendering', () => {
    expect(render("{{ config.get('materialized') }}").sql).toBe('view');
  });

  it('config.require fails for a missing key', () => {
    expect(render("{{ config.require('partition_by') }}").error?.message).toContain("config 'partition_by' is required");
  });
});

describe('var and env_var', () => {
  const projectVars = { start_date: '2020-01-01', shop: { region: 'eu' }, payments: { region: 'us', fee: 3 } };
  const packages = ['shop', 'payments'];

  it('reads global and package-scoped vars, with CLI vars winning', () => {
    const r = createRenderer(options({ projectVars, packages, cliVars: { fee: 9 } }));
    const tpl = "{{ var('start_date') }} {{ var('region') }} {{ var('fee', 0) }} {{ var('absent', 'd') }}";
    expect(r.render({ node: node(), template: tpl, mode: 'compile' }).sql).toBe('2020-01-01 eu 9 d');
    expect(r.render({ node: node({ package_name: 'payments' }), template: tpl, mode: 'compile' }).sql).toBe('2020-01-01 us 9 d');
    const noCli = createRenderer(options({ projectVars, packages }));
    expect(noCli.render({ node: node({ package_name: 'payments' }), template: "{{ var('fee', 0) }}", mode: 'compile' }).sql).toBe('3');
    expect(noCli.render({ node: node(), template: "{{ var('fee', 0) }}", mode: 'compile' }).sql).toBe('0');
  });

  it('fails a required var that is missing', () => {
    expect(render("select\n{{ var('nope') }}").error).toEqual({ message: "Required var 'nope' not found", line: 2 });
  });

  it('prints booleans and None the Python way', () => {
    expect(render("{{ var('flag') }} {{ var('n', none) }} {{ var('l') }}", { cliVars: { flag: true, l: ['a', 1] } }).sql).toBe("True None ['a', 1]");
  });

  it('allows DBT_ variables and refuses everything else', () => {
    const env = { DBT_X: 'visible', SECRET_TOKEN: 's3cr3t', DBT_ENV_SECRET_KEY: 'k' };
    expect(render("{{ env_var('DBT_X') }}", { env }).sql).toBe('visible');
    expect(render("{{ env_var('SECRET_TOKEN', 'fallback') }}", { env }).sql).toBe('fallback');
    expect(render("{{ env_var('SECRET_TOKEN') }}", { env }).error?.message).toBe("env_var 'SECRET_TOKEN' is not set or not allowed");
    expect(render("{{ env_var('DBT_ENV_SECRET_KEY', 'no') }}", { env }).sql).toBe('no');
    expect(render("{{ env_var('SECRET_TOKEN') }}", { env, envAllow: ['SECRET_TOKEN'] }).sql).toBe('s3cr3t');
  });
});

describe('context values', () => {
  it('exposes target, execute, is_incremental and run_started_at', () => {
    const tpl = "{{ target.name }}/{{ target.schema }}/{{ target.type }}/{{ target.threads }} {{ execute }} {% if is_incremental() %}inc{% else %}full{% endif %} {{ run_started_at.strftime('%Y-%m-%d %H') }} {{ run_started_at.isoformat() }}";
    expect(render(tpl).sql).toBe('dev/dev_schema/duckdb/4 True full 2024-03-05 06 2024-03-05T06:07:08+00:00');
    expect(render(tpl, {}, { mode: 'parse', isIncremental: true }).sql).toBe('dev/dev_schema/duckdb/4 False inc 2024-03-05 06 2024-03-05T06:07:08+00:00');
  });

  it('supports datetime arithmetic and re', () => {
    const tpl =
      "{{ (modules.datetime.datetime.now() - modules.datetime.timedelta(days=1)).strftime('%Y%m%d') }} {{ modules.datetime.date.today() }} {{ modules.re.sub('[0-9]+', 'N', 'a1b22') }} {{ modules.re.match('ab', 'abc') is not none }}";
    expect(render(tpl).sql).toBe('20240304 2024-03-05 aNbN True');
  });

  it('exposes model and this', () => {
    expect(render('{{ model.unique_id }} {{ model.name }} {{ this.schema }}.{{ this.identifier }}').sql).toBe('model.shop.my_model my_model dev_schema.my_model');
  });
});
