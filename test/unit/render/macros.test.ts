import { describe, expect, it } from '@jest/globals';
import { createRenderer } from '../../../src/dbt/render/index.js';
import { macro, node, options, render } from './helpers.js';

describe('macros', () => {
  it('calls root macros globally and records them, and a macro calling ref records the ref on the node', () => {
    const macros = [
      macro('shop', "{% macro orders_rel() %}{{ ref('orders') }}{% endmacro %}"),
      macro('shop', '{% macro cents(col, scale=100) %}({{ col }} / {{ scale }}){% endmacro %}'),
    ];
    const out = render('select {{ cents("amount") }}, {{ cents("x", scale=10) }} from {{ orders_rel() }}', { macros });
    expect(out.error).toBeUndefined();
    expect(out.sql).toBe('select (amount / 100), (x / 10) from analytics.prod.orders');
    expect(out.refs).toEqual([{ name: 'orders', package: null, version: null }]);
    expect(out.macros.sort()).toEqual(['macro.shop.cents', 'macro.shop.orders_rel']);
  });

  it('returns lists through return() and builds them with do/append', () => {
    const macros = [
      macro('shop', "{% macro cols() %}{% set out = [] %}{% for c in ['a', 'b'] %}{% do out.append(c | upper) %}{% endfor %}{{ return(out + ['c']) }}{% endmacro %}"),
    ];
    const out = render("{% set cs = cols() %}{{ cs | length }}:{{ cs | join(', ') }}:{{ cs }}{% if [] %}never{% endif %}", { macros });
    expect(out.error).toBeUndefined();
    expect(out.sql).toBe("3:A, B, c:['A', 'B', 'c']");
  });

  it('supports call blocks with caller() and namespaces', () => {
    const macros = [macro('shop', '{% macro wrap(n) %}[{{ n }}:{{ caller() }}]{% endmacro %}')];
    const tpl = "{% call wrap(1) %}inner{% endcall %} {% set ns = namespace(total=0, seen=false) %}{% for i in [1, 2, 3] %}{% set ns.total = ns.total + i %}{%- set ns.seen = true -%}{% endfor %}{{ ns.total }} {{ ns.seen }}";
    expect(render(tpl, { macros }).sql).toBe('[1:inner] 6 True');
  });

  it('exposes package macros under their namespace and unqualified inside the package', () => {
    const macros = [
      macro('utils', '{% macro helper() %}H{% endmacro %}'),
      macro('utils', '{% macro outer() %}<{{ helper() }}>{% endmacro %}'),
    ];
    const r = createRenderer(options({ macros, packages: ['shop', 'utils'] }));
    expect(r.render({ node: node(), template: '{{ utils.outer() }}', mode: 'compile' }).sql).toBe('<H>');
    // Unqualified package macros are not global for the root project…
    expect(r.render({ node: node(), template: '{{ helper() }}', mode: 'compile' }).error?.message).toContain('Unable to call `helper`');
    // …but are inside the package's own nodes.
    expect(r.render({ node: node({ package_name: 'utils' }), template: '{{ helper() }}', mode: 'compile' }).sql).toBe('H');
  });

  it('dispatches to the adapter implementation, then default, following the search order', () => {
    const macros = [
      macro('shop', "{% macro x() %}{{ return(adapter.dispatch('x', 'utils')()) }}{% endmacro %}"),
      macro('utils', '{% macro default__x() %}default{% endmacro %}'),
      macro('utils', '{% macro duckdb__x() %}duck{% endmacro %}'),
      macro('utils', "{% macro y(a) %}{{ return(adapter.dispatch('y', 'utils')(a)) }}{% endmacro %}"),
      macro('utils', '{% macro default__y(a) %}util-y-{{ a }}{% endmacro %}'),
      macro('shop', '{% macro default__y(a) %}shop-y-{{ a }}{% endmacro %}'),
    ];
    const duck = createRenderer(options({ macros, packages: ['shop', 'utils'] }));
    expect(duck.render({ node: node(), template: '{{ x() }} {{ utils.y(1) }}', mode: 'compile' }).sql).toBe('duck shop-y-1');
    const snow = createRenderer(options({ macros, packages: ['shop', 'utils'], target: { name: 'prod', type: 'snowflake', database: 'A', schema: 'B' } }));
    expect(snow.render({ node: node(), template: '{{ x() }}', mode: 'compile' }).sql).toBe('default');
    // A dispatch config that searches only the package skips the root override.
    const configured = createRenderer(options({ macros, packages: ['shop', 'utils'], dispatch: [{ macro_namespace: 'utils', search_order: ['utils'] }] }));
    const out = configured.render({ node: node(), template: '{{ utils.y(2) }}', mode: 'compile' });
    expect(out.sql).toBe('util-y-2');
    expect(out.macros.sort()).toEqual(['macro.utils.default__y', 'macro.utils.y']);
  });

  it('defines test blocks as test_<name> macros', () => {
    const macros = [macro('shop', '{% test positive(model, column_name) %}select * from {{ model }} where {{ column_name }} <= 0{% endtest %}')];
    expect(render("{{ test_positive(ref('orders'), 'amount') }}", { macros }).sql).toBe('select * from analytics.prod.orders where amount <= 0');
  });

  it('lets a root macro override a context function and reach the original through builtins', () => {
    const macros = [macro('shop', '{% macro ref(name) %}{% do return(builtins.ref(name).include(database=false)) %}{% endmacro %}')];
    const out = render("select * from {{ ref('orders') }}", { macros });
    expect(out.sql).toBe('select * from prod.orders');
    expect(out.refs).toEqual([{ name: 'orders', package: null, version: null }]);
  });

  it('raises compiler errors with the line of the call and the macro named', () => {
    const macros = [macro('shop', "{% macro boom() %}\n{{ exceptions.raise_compiler_error('bad input') }}\n{% endmacro %}", 'macros/boom.sql')];
    const out = render('select 1\n\n{{ boom() }}', { macros });
    expect(out.sql).toBeNull();
    expect(out.error?.line).toBe(3);
    expect(out.error?.message).toMatch(/^bad input \(in macro macro\.shop\.boom, macros\/boom\.sql/);
  });
});

describe('errors', () => {
  it('reports a syntax error with its line', () => {
    const out = render('select 1\n{% if x %}\nfrom t\n');
    expect(out.sql).toBeNull();
    expect(out.error).toEqual({ message: 'parseIf: expected elif, else, or endif, got end of file', line: 3 });
    expect(render('select 1\n{{ foo( }}\nfrom t').error).toEqual({ message: 'unexpected token: }}', line: 2 });
  });

  it('treats undefined variables as empty but calling them as an error', () => {
    expect(render('a{{ nothing }}b{{ nothing.attr }}c').sql).toBe('abc');
    const out = render('x\n{{ nothing() }}');
    expect(out.error).toEqual({ message: 'Unable to call `nothing`, which is undefined or falsey', line: 2 });
  });
});

describe('package-style Jinja', () => {
  it('passes **kwargs through dispatch and exposes undeclared keywords as kwargs', () => {
    const macros = [
      macro('utils', "{% macro test_prop(model, group_by=[]) %}{{ return(adapter.dispatch('test_prop', 'utils')(model, group_by, **kwargs)) }}{% endmacro %}"),
      macro('utils', "{% macro default__test_prop(model, group_by) %}{% set col = kwargs.get('column_name', kwargs.get('arg')) %}select {{ col }} from {{ model }} /* {{ group_by | length }} {{ kwargs.at_least }} */{% endmacro %}"),
    ];
    const out = render("{{ utils.test_prop(ref('orders'), column_name='id', at_least=0.9) }}", { macros, packages: ['shop', 'utils'] });
    expect(out.error).toBeUndefined();
    expect(out.sql).toBe('select id from analytics.prod.orders /* 0 0.9 */');
  });

  it('evaluates dict keys, recognises relations as dbt_utils does, and formats multi-line strings', () => {
    const tpl =
      "{% set k = 'Key' %}{% set d = {k.lower(): 1} %}{{ d }} " +
      "{% set r = ref('orders') %}{{ r is mapping and r.get('metadata', {}).get('type', '').endswith('Relation') }} " +
      "{% set msg = 'a {} \\\nb {}'.format(1, 2) %}{{ msg.startswith('a 1') and msg.endswith('b 2') }}";
    const out = render(tpl);
    expect(out.error).toBeUndefined();
    expect(out.sql).toBe("{'key': 1} True True");
  });
});
