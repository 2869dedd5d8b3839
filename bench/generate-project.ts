import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Writes a synthetic dbt project shaped like a large real one: folder configs per domain, YAML with
 * column tests, macros that call ref, vars that disable models, a local package, sources and exposures.
 */
export async function generateProject(dir: string, models: number): Promise<{ models: number; domains: number }> {
  const perDomain = 200;
  const domains = Math.max(1, Math.ceil(models / perDomain));
  const name = (d: number, i: number) => `m_${String(d).padStart(3, '0')}_${String(i).padStart(3, '0')}`;
  const folderConfigs = Array.from({ length: domains }, (_, d) =>
    [
      `    domain_${d}:`,
      `      +schema: d${d}`,
      `      +tags: ['domain_${d}'${d % 2 ? ", 'nightly'" : ''}]`,
      d % 5 === 0 ? `      +materialized: table` : `      materialized: view`,
      d % 7 === 0 ? `      legacy:\n        +enabled: "{{ var('legacy_enabled', false) }}"` : '',
    ]
      .filter(Boolean)
      .join('\n'),
  ).join('\n');
  await mkdir(join(dir, 'macros'), { recursive: true });
  await writeFile(
    join(dir, 'dbt_project.yml'),
    `name: bench\nversion: '1.0'\nprofile: bench\nmodel-paths: ['models']\nvars:\n  lookback_days: 30\n  legacy_enabled: false\nmodels:\n  bench:\n    +materialized: view\n${folderConfigs}\n  bench_utils:\n    +schema: utils\n`,
  );
  await writeFile(join(dir, 'packages.yml'), `packages:\n  - local: packages/bench_utils\n`);
  await writeFile(
    join(dir, 'macros', 'helpers.sql'),
    `{% macro latest_of(model_name) %}(select * from {{ ref(model_name) }} where loaded_at >= {{ dbt.dateadd('day', -var('lookback_days'), 'current_date') }}){% endmacro %}\n` +
      `{% macro cents(column) %}({{ column }} / 100.0){% endmacro %}\n`,
  );
  const pkg = join(dir, 'packages', 'bench_utils');
  await mkdir(join(pkg, 'models'), { recursive: true });
  await mkdir(join(pkg, 'macros'), { recursive: true });
  await writeFile(join(pkg, 'dbt_project.yml'), `name: bench_utils\nversion: '1.0'\nmodels:\n  bench_utils:\n    +materialized: table\n`);
  await writeFile(join(pkg, 'macros', 'util.sql'), `{% macro safe_ratio(a, b) %}case when {{ b }} = 0 then null else {{ a }} / {{ b }} end{% endmacro %}\n`);
  await writeFile(join(pkg, 'models', 'util_calendar.sql'), `select 1 as day_id, current_date as day\n`);
  await writeFile(
    join(pkg, 'models', 'sources.yml'),
    `version: 2\nsources:\n  - name: raw\n    schema: raw\n    tables:\n      - name: events\n      - name: accounts\n`,
  );
  let written = 0;
  for (let d = 0; d < domains; d++) {
    const folder = join(dir, 'models', `domain_${d}`);
    await mkdir(join(folder, 'legacy'), { recursive: true });
    const yamlModels: string[] = [];
    const files: Promise<void>[] = [];
    for (let i = 0; i < perDomain && written < models; i++, written++) {
      const parents: string[] = [];
      if (i > 0) parents.push(name(d, i - 1));
      if (i > 10) parents.push(name(d, (i * 7) % i));
      if (d > 0 && i % 10 === 0) parents.push(name(d - 1, (i * 3) % perDomain));
      const legacy = d % 7 === 0 && i % 50 === 49;
      const from = parents.length
        ? parents.map((p, k) => (k === 0 ? `from {{ ref('${p}') }} as p0` : `left join {{ ref('${p}') }} as p${k} on p0.id = p${k}.id`)).join('\n')
        : `from {{ source('raw', 'events') }} as p0`;
      const sql =
        `{{ config(tags=['generated']${i % 3 === 0 ? ", materialized='table'" : ''}) }}\n` +
        `-- depends_on: {{ ref('util_calendar') }}\n` +
        `select\n  p0.id,\n  {{ cents('p0.amount') }} as amount,\n  {{ bench_utils.safe_ratio('p0.amount', 'p0.id') }} as ratio,\n  p0.loaded_at\n${from}\n` +
        (i % 20 === 5 ? `where p0.id in (select id from {{ latest_of('${name(d, 0)}') }})\n` : '') +
        `{% if var('lookback_days') > 7 %}and p0.loaded_at is not null{% endif %}\n`;
      files.push(writeFile(join(folder, legacy ? 'legacy' : '', `${name(d, i)}.sql`), sql));
      yamlModels.push(
        `  - name: ${name(d, i)}\n    description: Model ${i} of domain ${d}\n    meta:\n      owner: team_${d % 10}\n    columns:\n      - name: id\n        data_tests:\n          - unique\n          - not_null\n      - name: amount\n        tests:\n          - not_null:\n              config:\n                severity: warn\n` +
          (i > 0 && !legacy ? `          - relationships:\n              to: ref('${name(d, i - 1)}')\n              field: id\n` : ''),
      );
    }
    files.push(writeFile(join(folder, `_domain_${d}.yml`), `version: 2\nmodels:\n${yamlModels.join('')}`));
    await Promise.all(files);
  }
  await writeFile(
    join(dir, 'models', 'exposures.yml'),
    `version: 2\nexposures:\n  - name: executive_dashboard\n    type: dashboard\n    owner:\n      name: Finance\n      email: finance@example.com\n    depends_on:\n      - ref('${name(domains - 1, 0)}')\n`,
  );
  return { models: written, domains };
}
