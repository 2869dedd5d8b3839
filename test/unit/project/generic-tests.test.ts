import { describe, expect, it } from '@jest/globals';
import { buildGenericTest, synthesizeTestNames } from '../../../src/dbt/generic-tests.js';

const id = (v: unknown) => v;
function ok(entry: unknown, model: string, column: string | null) {
  const r = buildGenericTest(entry, { kind: 'node', name: model }, column ? { name: column } : null, [], 'jaffle_shop', id);
  if ('error' in r) throw new Error(r.error);
  return r;
}

describe('generic test names and ids', () => {
  it('matches jaffle_shop manifest ids', () => {
    expect(ok('unique', 'customers', 'customer_id').unique_id).toBe('test.jaffle_shop.unique_customers_customer_id.c5af1ff4b1');
    expect(ok('not_null', 'customers', 'customer_id').unique_id).toBe('test.jaffle_shop.not_null_customers_customer_id.5c9bf9911d');
    expect(ok({ relationships: { to: "ref('customers')", field: 'customer_id' } }, 'orders', 'customer_id').unique_id).toBe(
      'test.jaffle_shop.relationships_orders_customer_id__customer_id__ref_customers_.c6ec7f58f2',
    );
    expect(ok({ accepted_values: { values: ['placed', 'shipped', 'completed', 'return_pending', 'returned'] } }, 'orders', 'status').unique_id).toBe(
      'test.jaffle_shop.accepted_values_orders_status__placed__shipped__completed__return_pending__returned.be6b5b5ec3',
    );
  });
  it('truncates long names', () => {
    const [short, full] = synthesizeTestNames('accepted_values', 'orders', { column_name: 'status', values: ['placed', 'shipped', 'completed', 'return_pending', 'returned'] });
    expect(full).toBe('accepted_values_orders_status__placed__shipped__completed__return_pending__returned');
    expect(short).toBe('accepted_values_orders_1ce6ab157c285f7cd2ac656013faf758');
  });
});
