/**
 * Renderer micro-benchmark: 10,000 models, each rendered in parse then compile mode, each calling
 * ref three times, a project macro and config(). Run after a build that includes bench/
 * (e.g. `npx tsc --outDir /tmp/b --module NodeNext --moduleResolution NodeNext --target ES2022
 * --esModuleInterop --skipLibCheck bench/render.ts`, symlink node_modules, `node /tmp/b/bench/render.js`).
 */
import { createRenderer } from '../src/dbt/render/index.js';
import type { Macro } from '../src/dbt/types.js';

const N = 10_000;
const macros: Macro[] = [
  {
    unique_id: 'macro.bench.cents_to_dollars',
    resource_type: 'macro',
    name: 'cents_to_dollars',
    package_name: 'bench',
    original_file_path: 'macros/cents.sql',
    path: 'macros/cents.sql',
    macro_sql: '{% macro cents_to_dollars(col, scale=2) %}round({{ col }} / 100.0, {{ scale }}){% endmacro %}',
    description: '',
    arguments: [],
    depends_on: { macros: [] },
  },
];
const renderer = createRenderer({
  rootProject: 'bench',
  target: { name: 'dev', type: 'duckdb', database: 'db', schema: 'main' },
  projectVars: {},
  cliVars: {},
  macros,
  dispatch: [],
  packages: ['bench'],
  env: {},
  envAllow: [],
  resolveRef: (ref) => `db.main.${ref.name}`,
  resolveSource: (s, t) => `db.${s}.${t}`,
});

const started = process.hrtime.bigint();
let bytes = 0;
for (let i = 0; i < N; i++) {
  const template = `{{ config(materialized='table', tags=['t${i % 7}']) }}
select a.id, {{ cents_to_dollars('a.amount') }} as amount
from {{ ref('m${i + 1}') }} a
join {{ ref('m${i + 2}') }} b on a.id = b.id
join {{ ref('m${i + 3}') }} c on a.id = c.id
`;
  const n = { unique_id: `model.bench.m${i}`, name: `m${i}`, package_name: 'bench', resource_type: 'model', original_file_path: `models/m${i}.sql`, database: 'db', schema: 'main', alias: `m${i}`, config: {} };
  const parsed = renderer.render({ node: n, template, mode: 'parse' });
  const compiled = renderer.render({ node: n, template, mode: 'compile' });
  if (parsed.refs.length !== 3 || compiled.sql === null) throw new Error(`render failed: ${compiled.error?.message}`);
  bytes += compiled.sql.length;
}
const ms = Number(process.hrtime.bigint() - started) / 1e6;
console.log(`${N} models × 2 renders: ${ms.toFixed(0)} ms (${((ms * 1000) / (2 * N)).toFixed(0)} µs/render, ${bytes} bytes of SQL)`);
