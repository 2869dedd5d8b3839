/** Tiny dbt projects written to a temp dir: one base, and heads that differ by the files given. */
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadProject } from '../../../src/dbt/project.js';
import type { Project } from '../../../src/dbt/types.js';

export const BASE_FILES: Record<string, string> = {
  'dbt_project.yml': `name: shop
version: '1.0'
profile: shop
vars:
  window_days: 90
  currency: usd
models:
  shop:
    +materialized: view
    marts:
      +materialized: table
`,
  'macros/cents.sql': `{% macro cents(col) %}({{ col }} / 100.0){% endmacro %}\n`,
  'macros/window.sql': `{% macro window_start() %}current_date - interval '{{ var("window_days") }} days'{% endmacro %}\n`,
  'models/sources.yml': `version: 2
sources:
  - name: raw
    tables:
      - name: orders
      - name: customers
`,
  'models/staging/stg_orders.sql': `-- one row per order
select
    id as order_id,
    customer_id,
    {{ cents('amount_cents') }} as amount,
    {{ cents('refund_cents') }} as refund,
    order_date,
    status
from {{ source('raw', 'orders') }}
`,
  'models/staging/stg_customers.sql': `select id as customer_id, name, {{ cents('credit_cents') }} as credit
from {{ source('raw', 'customers') }}
`,
  'models/marts/customer_revenue.sql': `select
    customer_id,
    sum(amount) as revenue,
    count(*) as order_count
from {{ ref('stg_orders') }}
group by customer_id
`,
  'models/marts/customer_tiers.sql': `select customer_id, case when order_count >= 10 then 'loyal' else 'casual' end as tier
from {{ ref('customer_revenue') }}
`,
  'models/order_dates.sql': `select order_id, order_date from {{ ref('stg_orders') }}
`,
  'models/schema.yml': `version: 2
models:
  - name: customer_revenue
    description: Revenue per customer.
    meta:
      owner: finance-analytics
    columns:
      - name: customer_id
        description: The customer.
        data_type: integer
        tests: [unique, not_null]
      - name: revenue
        description: All-time revenue.
        data_type: double
  - name: order_dates
    config:
      tags: [nightly]
exposures:
  - name: revenue_dashboard
    label: Revenue Dashboard
    type: dashboard
    url: https://bi.example.com/revenue
    maturity: high
    owner:
      name: Finance
      email: finance@example.com
    depends_on:
      - ref('customer_revenue')
  - name: dates_report
    type: analysis
    owner:
      name: Ops
    depends_on:
      - ref('order_dates')
`,
};

const dirs: string[] = [];

/** Loads the base files with `changes` applied (a null value deletes the file). */
export async function project(changes: Record<string, string | null> = {}): Promise<Project> {
  const dir = await mkdtemp(path.join(tmpdir(), 'changes-'));
  dirs.push(dir);
  const files = { ...BASE_FILES, ...changes };
  for (const [file, text] of Object.entries(files)) {
    if (text === null) continue;
    await mkdir(path.dirname(path.join(dir, file)), { recursive: true });
    await writeFile(path.join(dir, file), text);
  }
  return loadProject(dir);
}

export async function cleanup(): Promise<void> {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
}

/** The base file with one substring replaced (fails loudly when the substring is missing). */
export function edit(file: string, from: string, to: string): Record<string, string> {
  const text = BASE_FILES[file];
  if (!text || !text.includes(from)) throw new Error(`${file} has no ${JSON.stringify(from)}`);
  return { [file]: text.replace(from, to) };
}
