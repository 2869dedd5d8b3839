import { describe, expect, it } from '@jest/globals';
import { createRenderer, staticScan } from '../../../src/dbt/render/index.js';
import type { MetadataLookup } from '../../../src/dbt/render/types.js';
import { macro, node, options, render } from './helpers.js';

const metadata: MetadataLookup = {
  columns: (rel) => (rel === 'analytics.prod.orders' ? [{ name: 'id', data_type: 'INTEGER' }, { name: 'amount', data_type: 'DOUBLE' }] : undefined),
  columnValues: () => undefined,
  queryResult: (sql) => (sql === 'select distinct status from t' ? { columns: ['status'], rows: [['open'], ['closed']] } : undefined),
};

describe('builtin macros', () => {
  it('are callable globally and under dbt/dbt_utils, and recorded', () => {
    const out = render("{{ dbt_utils.star(ref('orders')) }} | {{ type_string() }}", { metadata });
    expect(out.sql).toBe('"id",\n  "amount" | TEXT');
    expect(out.macros).toEqual(['macro.dbt_utils.star', 'macro.dbt.type_string']);
  });

  it('lose to a parsed macro of the same name in the root project or an installed package', () => {
    const macros = [macro('shop', '{% macro type_string() %}VARCHAR_MINE{% endmacro %}'), macro('dbt_utils', '{% macro star(from) %}STAR_FROM_PACKAGE{% endmacro %}')];
    const out = render("{{ type_string() }} {{ dbt_utils.star(ref('orders')) }} {{ dbt.type_string() }}", { macros, packages: ['shop', 'dbt_utils'], metadata });
    expect(out.sql).toBe('VARCHAR_MINE STAR_FROM_PACKAGE TEXT');
  });

  it('are reached by dispatch when no package defines the macro', () => {
    const macros = [macro('shop', "{% macro ts() %}{{ return(adapter.dispatch('type_string', 'dbt')()) }}{% endmacro %}")];
    expect(render('{{ ts() }}', { macros }).sql).toBe('TEXT');
  });
});

describe('warehouse metadata', () => {
  it('returns known columns and requests unknown ones with a note', () => {
    const tpl = "{% for c in adapter.get_columns_in_relation(ref('orders')) %}{{ c.name }}:{{ c.data_type }} {% endfor %}|{{ adapter.get_columns_in_relation(ref('customers')) | length }}";
    const out = render(tpl, { metadata });
    expect(out.sql).toBe('id:INTEGER amount:DOUBLE |0');
    expect(out.metadata_requests).toEqual([{ kind: 'columns', relation: 'analytics.prod.customers' }]);
    expect(out.notes).toHaveLength(1);
  });

  it('answers run_query and statement blocks from the lookup, else requests the query', () => {
    const tpl =
      "{% set r = run_query('select distinct status from t') %}{% if execute %}{{ r.columns[0].values() | join(',') }}{% endif %}" +
      "{% call statement('s', fetch_result=True) %}select distinct status from t{% endcall %}|{{ load_result('s')['data'][1][0] }}|{{ run_query('select 2').rows | length }}";
    const out = render(tpl, { metadata });
    expect(out.sql).toBe('open,closed|closed|0');
    expect(out.metadata_requests).toEqual([{ kind: 'query', sql: 'select 2' }]);
    expect(render(tpl, { metadata }, { mode: 'parse' }).metadata_requests).toEqual([]);
  });
});

describe('Python-style methods and filters', () => {
  it('handles str, list and dict methods as Python does', () => {
    const tpl =
      "{{ 'a_b_c'.split('_') }} {{ '  x '.strip() }} {{ 'ab'.upper() }} {{ 'aaa'.replace('a', 'b') }} {{ '{}-{x}'.format(1, x=2) }} {{ ', '.join(['p', 'q']) }} {{ 'abc'.startswith('a') }} " +
      "{% set d = {'k': 1} %}{% do d.update({'j': 2}) %}{{ d.get('k') }}{{ d.get('z', 0) }} {% for k, v in d.items() %}{{ k }}={{ v }};{% endfor %} {{ d.keys() | list }}";
    expect(render(tpl).sql).toBe("['a', 'b', 'c'] x AB bbb 1-2 p, q True 10 k=1;j=2; ['k', 'j']");
  });

  it('supports map, selectattr, unique, is none, slices and list arithmetic', () => {
    const tpl =
      "{% set cs = [{'name': 'a', 'pk': true}, {'name': 'b', 'pk': false}] %}{{ cs | map(attribute='name') | join(',') }} {{ cs | selectattr('pk') | map(attribute='name') | list }} " +
      "{{ [1, 1, 2] | unique | list }} {{ none is none }} {{ 'abcdef'[1:3] }} {{ [1] + [2] }} {{ '-' * 3 }} {{ 1 ~ none }}";
    expect(render(tpl).sql).toBe("a,b ['a'] [1, 2] True bc [1, 2] --- 1None");
  });
});

describe('Jinja syntax nunjucks lacks', () => {
  it('supports nested dict literals in tags, loop filters and % formatting', () => {
    const tpl = "{% set x = {'a': {'b': 1}} %}{{ x.a.b }} {% for i in [1, 0, 2] if i %}{{ i }}{% endfor %} {{ '%s-%05.1f' % ('a', 2.26) }} {{ '%d%%' | format(7) }} {{ -7 % 3 }}";
    expect(render(tpl).sql).toBe('1 12 a-002.3 7% 2');
  });
});

describe('block tags', () => {
  it('renders the SELECT inside a snapshot block and ignores docs and materialization blocks', () => {
    const tpl = "{% snapshot orders_snapshot %}\n{{ config(unique_key='id', strategy='check') }}\nselect * from {{ ref('orders') }}\n{% endsnapshot %}{% docs d %}# Doc {{ x }}{% enddocs %}{% materialization table, adapter='duckdb' %}{{ run_query('x') }}{% endmaterialization %}";
    const out = render(tpl);
    expect(out.sql).toBe('\n\nselect * from analytics.prod.orders\n');
    expect(out.config).toEqual({ unique_key: 'id', strategy: 'check' });
  });
});

describe('renderValue', () => {
  it('renders Jinja in config values and converts booleans and numbers', () => {
    const r = createRenderer(options({ projectVars: { enabled_x: false, shop: { n: 5 } }, cliVars: {}, env: { DBT_SCHEMA: 'custom' } }));
    expect(r.renderValue({ enabled: "{{ var('enabled_x') }}", n: "{{ var('n') }}", schema: "{{ env_var('DBT_SCHEMA') }}_{{ target.name }}", tags: ['{{ 1 + 1 }}', 'plain'], flag: 'True', keep: 3 })).toEqual({
      enabled: false,
      n: 5,
      schema: 'custom_dev',
      tags: [2, 'plain'],
      flag: 'True',
      keep: 3,
    });
  });

  it('reads package-scoped vars and reports failures', () => {
    const r = createRenderer(options({ projectVars: { pkg: { x: 'in-pkg' } }, packages: ['shop', 'pkg'] }));
    expect(r.renderValue("{{ var('x', 'none') }}", { package_name: 'pkg' })).toBe('in-pkg');
    expect(r.renderValue("{{ var('x', 'none') }}")).toBe('none');
    expect(() => r.renderValue("{{ var('missing') }}")).toThrow("Required var 'missing' not found");
  });
});

describe('staticScan', () => {
  it('finds literal ref and source calls inside Jinja, ignoring comments and SQL text', () => {
    const tpl = `{# {{ ref('commented') }} #}
-- depends_on: {{ ref('dep') }}
select * from {{ ref("orders") }} join {{ ref('finance', 'revenue') }} join {{ ref('dim', v=2) }}
join {{ source('raw', 'events') }} join {{ ref(var('dynamic')) }}
where x = 'ref(not_jinja)'
{{ ref('orders') }}`;
    expect(staticScan(tpl)).toEqual({
      refs: [
        { name: 'dep', package: null, version: null },
        { name: 'orders', package: null, version: null },
        { name: 'revenue', package: 'finance', version: null },
        { name: 'dim', package: null, version: 2 },
      ],
      sources: [['raw', 'events']],
    });
  });
});

describe('renderer reuse', () => {
  it('keeps renders independent while caching templates', () => {
    const r = createRenderer(options());
    const tpl = "{{ config(materialized='table') }}{{ ref('orders') }}";
    const a = r.render({ node: node(), template: tpl, mode: 'parse' });
    const b = r.render({ node: node({ unique_id: 'model.shop.other', name: 'other' }), template: "{{ config.get('materialized') }}", mode: 'compile' });
    expect(a.config).toEqual({ materialized: 'table' });
    expect(b.sql).toBe('view');
    expect(b.refs).toEqual([]);
  });
});
