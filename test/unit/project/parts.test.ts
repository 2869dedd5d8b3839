import { describe, expect, it } from '@jest/globals';
import { folderConfigLevels, mergeConfig, resolveFolderConfig } from '../../../src/dbt/configs.js';
import { argumentNames, extractBlocks } from '../../../src/dbt/sql-blocks.js';
import { parseYaml } from '../../../src/dbt/yaml.js';
import { pyRepr } from '../../../src/dbt/python-repr.js';
import { scanRefsAndSources } from '../../../src/dbt/ref-scan.js';

describe('parseYaml', () => {
  it('lets the last duplicate key win and reads comment-only files as null', () => {
    expect(parseYaml('a: 1\nb: 2\na: 3\n').value).toEqual({ a: 3, b: 2 });
    expect(parseYaml('# nothing\n# here\n')).toEqual({ value: null });
    expect(parseYaml('').value).toBeNull();
  });

  it('accepts flow sequences continued at a lower indentation', () => {
    const text = 'models:\n  - name: a\n    tests:\n      - accepted_values:\n          values: ["x",\n        "y",\n      "z"]\n';
    expect(parseYaml(text).value).toEqual({ models: [{ name: 'a', tests: [{ accepted_values: { values: ['x', 'y', 'z'] } }] }] });
  });

  it('reports the line of a syntax error', () => {
    expect(parseYaml('a: 1\nb: [1, 2\nc: 3\n').error?.line).toBe(3);
  });
});

describe('folder configs', () => {
  const models = {
    '+materialized': 'view',
    shop: {
      staging: { '+tags': ['staging'], schema: 'stg', meta: { owner: 'folder named meta' }, stg_orders: { '+materialized': 'table' } },
      '+meta': { team: 'a' },
    },
  };

  it('walks section, package, folders and the node name, taking + keys and plain scalars', () => {
    expect(folderConfigLevels(models, ['shop', 'staging', 'stg_orders'])).toEqual([
      { materialized: 'view' },
      { meta: { team: 'a' } },
      { tags: ['staging'], schema: 'stg' },
      { materialized: 'table' },
    ]);
  });

  it('appends tags, merges meta and overrides the rest, own package first then the root', () => {
    const own = { pkg: { '+tags': 'own', '+meta': { a: 1, b: 1 }, '+schema': 'own' } };
    const root = { pkg: { '+tags': ['root'], '+meta': { b: 2 }, '+schema': 'root' } };
    expect(resolveFolderConfig([own, root], ['pkg', 'm'])).toEqual({ tags: ['own', 'root'], meta: { a: 1, b: 2 }, schema: 'root' });
    expect(mergeConfig({ tags: ['a'] }, { tags: ['a', 'b'], '+enabled': false })).toEqual({ tags: ['a', 'b'], enabled: false });
  });
});

describe('Jinja blocks', () => {
  it('finds macros, tests and materializations, skipping commented-out ones', () => {
    const text = '{# {% macro hidden() %}{% endmacro %} #}\n{% macro a(x, y=1, *args) %}A{% endmacro %}\n{%- test t(model, column_name) -%}T{%- endtest -%}\n{% materialization m, adapter="snowflake" %}M{% endmaterialization %}';
    const { blocks } = extractBlocks(text, ['macro', 'test', 'materialization']);
    expect(blocks.map((b) => [b.kind, b.name, b.args, b.line])).toEqual([
      ['macro', 'a', ['x', 'y', 'args'], 2],
      ['test', 't', ['model', 'column_name'], 3],
      ['materialization', 'materialization_m_snowflake', [], 4],
    ]);
    expect(argumentNames("a, b='x,y', c=[1, 2]")).toEqual(['a', 'b', 'c']);
  });

  it('reports an unclosed block with its line', () => {
    expect(extractBlocks('\n\n{% macro a() %}select 1', ['macro']).problems).toEqual([{ line: 3, message: '{% macro a %} has no matching {% endmacro %}' }]);
  });
});

describe('helpers', () => {
  it('prints values as Python repr does', () => {
    expect(pyRepr({ a: "it's", b: [1, true, null], c: 'say "hi"', d: "both ' and \"" })).toBe(
      `{'a': "it's", 'b': [1, True, None], 'c': 'say "hi"', 'd': 'both \\' and "'}`,
    );
  });

  it('scans literal ref and source calls', () => {
    expect(scanRefsAndSources("ref('a') ref(\"pkg\", 'b') ref('c', v=2) source('s', 't')")).toEqual({
      refs: [{ name: 'a' }, { name: 'b', package: 'pkg' }, { name: 'c', version: 2 }],
      sources: [['s', 't']],
    });
  });
});
