import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Assessment } from '../../src/assess/types.js';
import { renderReview } from '../../src/report/render.js';
import { plantedProject, type PlantedProject } from '../support/planted-project.js';

/**
 * Generic tests defined in the project (`{% test %}` blocks): rendered with their arguments as
 * dbt compiles them, and run against the PR version of the changed model.
 */
const BASE: Record<string, string> = {
  'dbt_project.yml': "name: kit\nmodels:\n  kit:\n    +materialized: table\n",
  'macros/test_positive.sql': '{% test positive(model, column_name, floor=0) %}\nselect * from {{ model }} where {{ column_name }} <= {{ floor }}\n{% endtest %}\n',
  'macros/test_all_in.sql': '{% test all_in(model, column_name, to, field) %}\nselect * from {{ model }} where {{ column_name }} not in (select {{ field }} from {{ to }})\n{% endtest %}\n',
  'macros/test_at_least_rows.sql': '{% test at_least_rows(model, n) %}\nselect c from (select count(*) as c from {{ model }}) as t where c < {{ n }}\n{% endtest %}\n',
  'macros/test_broken.sql': '{% test broken(model) %}\nselect * from {{ model }} where {{ no_such_macro() }}\n{% endtest %}\n',
  'models/customers.sql': 'select id from range(1, 11) as t(id)\n',
  'models/orders.sql': 'select id, id % 10 + 1 as customer_id, id * 10 as amount, id % 4 = 0 as refunded from range(1, 41) as t(id)\n',
  'models/schema.yml': [
    'version: 2',
    'models:',
    '  - name: orders',
    '    data_tests:',
    '      - at_least_rows: { n: 30 }',
    '    columns:',
    '      - name: amount',
    '        data_tests:',
    '          - positive',
    '          - positive:',
    '              name: positive_unless_refunded',
    '              config: { where: "not refunded" }',
    '      - name: customer_id',
    '        data_tests:',
    "          - all_in: { to: ref('customers'), field: id }",
    '',
  ].join('\n'),
};

describe('analyze(): generic tests defined in the project', () => {
  let kit: PlantedProject;
  const review = (changes: Record<string, string>): Promise<Assessment> => kit.review(changes);
  const testsOf = (a: Assessment) => Object.fromEntries(a.models.find((m) => m.name === 'orders')!.probe!.tests.map((t) => [t.test_name === 'positive' && t.name.includes('unless') ? 'positive_unless_refunded' : t.test_name, [t.status, t.failures]]));

  beforeAll(async () => {
    kit = await plantedProject(BASE, async () => undefined);
  });
  afterAll(() => kit?.close());

  it('run on the PR version: a planted failure is counted, a where config filters, a ref argument resolves', async () => {
    // Two refunded orders get a negative amount, one non-refunded order a zero; one customer id is unknown.
    const a = await review({
      'models/orders.sql':
        'select id, case when id = 41 then 99 else id % 10 + 1 end as customer_id, case when id in (4, 8) then -5 when id = 3 then 0 else id * 10 end as amount, id % 4 = 0 as refunded from range(1, 42) as t(id)\n',
    });
    expect(testsOf(a)).toEqual({
      at_least_rows: ['pass', 0],
      positive: ['fail', 3],
      positive_unless_refunded: ['fail', 1],
      all_in: ['fail', 1],
    });
    expect(a.verdict).toBe('NOT_SAFE');
    expect(renderReview(a)).toMatch(/❌ fail \| `positive_orders_amount` \(positive\) \| `amount` \| 3 \|/);
  });

  it('passes when the PR keeps the data valid', async () => {
    const a = await review({ 'models/orders.sql': BASE['models/orders.sql'].replace('id * 10 as amount', 'id * 20 as amount') });
    expect(testsOf(a)).toEqual({ at_least_rows: ['pass', 0], positive: ['pass', 0], positive_unless_refunded: ['pass', 0], all_in: ['pass', 0] });
  });

  it('a test macro that does not render is an error naming the YAML file in the tests table; the other tests still run', async () => {
    const schema = BASE['models/schema.yml'].replace('      - at_least_rows: { n: 30 }', '      - at_least_rows: { n: 30 }\n      - broken');
    const a = await review({ 'models/schema.yml': schema, 'models/orders.sql': BASE['models/orders.sql'].replace('id * 10 as amount', 'id * 20 as amount') });
    const broken = a.models.find((m) => m.name === 'orders')!.probe!.tests.find((t) => t.test_name === 'broken')!;
    expect(broken.status).toBe('error');
    expect(broken.reason).toMatch(/^models\/schema\.yml: did not render: .*no_such_macro/);
    expect(renderReview(a)).toContain('| ❌ error | `broken_orders_` (broken) |');
    expect(testsOf(a).positive).toEqual(['pass', 0]);
  });

  it("a package's test whose package is not installed (dbt_packages/ not committed) is skipped with why, not an error", async () => {
    const schema = BASE['models/schema.yml'].replace('          - positive\n', '          - positive\n          - acme_tests.is_even\n');
    const a = await review({ 'models/schema.yml': schema, 'models/orders.sql': BASE['models/orders.sql'].replace('id * 10 as amount', 'id * 20 as amount') });
    const even = a.models.find((m) => m.name === 'orders')!.probe!.tests.find((t) => t.test_name === 'acme_tests.is_even')!;
    expect([even.status, even.reason]).toEqual(['skipped', 'generic test `acme_tests.is_even` has no built-in implementation in impact-review, and no `test_is_even` macro in the project or its packages']);
    expect(testsOf(a).positive).toEqual(['pass', 0]);
  });
});
