import { describe, expect, it } from '@jest/globals';
import { exclude, select, SelectorError } from '../../../src/dbt/selectors.js';
import { smallProject } from './small-project.js';

const project = smallProject();
/** Without dbt's indirect test selection, so graph operators are seen on their own. */
const sel = (s: string) => [...select(project, s, { indirectSelection: 'empty' })].sort();

describe('select: methods', () => {
  it('bare names match the node name', () => {
    expect(sel('orders')).toEqual(['model.p.orders']);
  });

  it('bare names with wildcards glob the name', () => {
    expect(sel('stg_*')).toEqual(['model.p.stg_customers', 'model.p.stg_orders']);
    // dbt's own rule: the glob runs over the rest of the fqn, and `*` crosses dots.
    expect(sel('p.*orders')).toEqual(['model.p.orders', 'model.p.stg_orders']);
  });

  it('dotted bare names match fqn prefixes, and never sources or exposures', () => {
    expect(sel('p.marts')).toEqual(['model.p.customers', 'model.p.orders', 'model.p.revenue', 'test.p.not_null_orders_order_id']);
    expect(sel('p.staging.*')).toEqual(['model.p.stg_customers', 'model.p.stg_orders']);
    expect(sel('fqn:utils.*')).toEqual(['model.utils.calendar']);
    expect(sel('dash')).toEqual([]);
  });

  it('tag: matches tags', () => {
    expect(sel('tag:staging')).toEqual(['model.p.stg_customers', 'model.p.stg_orders']);
    expect(sel('tag:nightly')).toEqual(['model.p.orders']);
  });

  it('path: matches folders and files, including package files at the same relative path', () => {
    expect(sel('path:models/marts/finance/revenue.sql')).toEqual(['model.p.revenue']);
    expect(sel('path:models/marts')).toEqual([
      'exposure.p.dash',
      'model.p.customers',
      'model.p.orders',
      'model.p.revenue',
      'test.p.not_null_orders_order_id',
    ]);
    expect(sel('path:models/staging/')).toEqual([
      'model.p.stg_customers',
      'model.p.stg_orders',
      'model.utils.calendar',
      'source.p.raw.customers',
      'source.p.raw.orders',
    ]);
    expect(sel('models/marts/finance')).toEqual(['model.p.revenue']);
    expect(sel('path:models/*/orders.sql')).toEqual(['model.p.orders']);
  });

  it('source: selects by source name or source.table', () => {
    expect(sel('source:raw')).toEqual(['source.p.raw.customers', 'source.p.raw.orders']);
    expect(sel('source:raw.orders')).toEqual(['source.p.raw.orders']);
    expect(sel('source:p.raw.cust*')).toEqual(['source.p.raw.customers']);
  });

  it('exposure: selects the exposure, +exposure: its parents too', () => {
    expect(sel('exposure:dash')).toEqual(['exposure.p.dash']);
    expect(sel('+exposure:dash')).toEqual([
      'exposure.p.dash',
      'model.p.customers',
      'model.p.int_joined',
      'model.p.orders',
      'model.p.revenue',
      'model.p.stg_customers',
      'model.p.stg_orders',
      'model.utils.calendar',
      'seed.p.countries',
      'source.p.raw.customers',
      'source.p.raw.orders',
    ]);
  });

  it('package:, config.materialized:, resource_type:, group:, test_type:', () => {
    expect(sel('package:utils')).toEqual(['model.utils.calendar']);
    expect(sel('package:this,resource_type:seed')).toEqual(['seed.p.countries']);
    expect(sel('config.materialized:ephemeral')).toEqual(['model.p.int_joined']);
    expect(sel('config.materialized:table,package:p')).toEqual(['model.p.customers', 'model.p.orders', 'model.p.revenue']);
    expect(sel('config.tags:pii')).toEqual(['model.p.stg_customers']);
    expect(sel('resource_type:test')).toEqual(['test.p.assert_revenue', 'test.p.not_null_orders_order_id']);
    expect(sel('group:finance')).toEqual(['model.p.revenue']);
    expect(sel('test_type:singular')).toEqual(['test.p.assert_revenue']);
    expect(sel('test_type:generic')).toEqual(['test.p.not_null_orders_order_id']);
  });
});

describe('select: graph operators and set operations', () => {
  it('+name adds all ancestors', () => {
    expect(sel('+orders')).toEqual([
      'model.p.int_joined',
      'model.p.orders',
      'model.p.stg_customers',
      'model.p.stg_orders',
      'source.p.raw.customers',
      'source.p.raw.orders',
    ]);
  });

  it('name+1 adds direct children only (tests included)', () => {
    expect(sel('orders+1')).toEqual(['model.p.orders', 'model.p.revenue', 'test.p.not_null_orders_order_id']);
  });

  it('2+name adds ancestors up to two steps', () => {
    expect(sel('2+revenue')).toEqual(['model.p.int_joined', 'model.p.orders', 'model.p.revenue', 'model.utils.calendar']);
  });

  it('+name+ adds both directions', () => {
    expect(sel('+stg_customers+')).toEqual([
      'exposure.p.dash',
      'model.p.customers',
      'model.p.int_joined',
      'model.p.orders',
      'model.p.revenue',
      'model.p.stg_customers',
      'source.p.raw.customers',
      'test.p.assert_revenue',
      'test.p.not_null_orders_order_id',
    ]);
  });

  it('@name adds descendants and the ancestors of those descendants', () => {
    expect(sel('@customers')).toEqual([
      'exposure.p.dash',
      'model.p.customers',
      'model.p.int_joined',
      'model.p.orders',
      'model.p.revenue',
      'model.p.stg_customers',
      'model.p.stg_orders',
      'model.utils.calendar',
      'seed.p.countries',
      'source.p.raw.customers',
      'source.p.raw.orders',
      'test.p.assert_revenue',
    ]);
  });

  it('spaces are a union, commas an intersection', () => {
    expect(sel('tag:pii orders')).toEqual(['model.p.orders', 'model.p.stg_customers']);
    expect(sel('tag:staging,tag:pii')).toEqual(['model.p.stg_customers']);
    expect(sel('+revenue,path:models/staging')).toEqual([
      'model.p.stg_customers',
      'model.p.stg_orders',
      'model.utils.calendar',
      'source.p.raw.customers',
      'source.p.raw.orders',
    ]);
  });

  it('exclude removes what the second selector selects', () => {
    const chosen = select(project, '+orders', { indirectSelection: 'empty' });
    expect([...exclude(project, chosen, 'source:* tag:pii')].sort()).toEqual(['model.p.int_joined', 'model.p.orders', 'model.p.stg_orders']);
  });
});

describe('select: indirect test selection', () => {
  it('eager (the default) adds tests on any selected parent', () => {
    expect([...select(project, 'revenue')].sort()).toEqual(['model.p.revenue', 'test.p.assert_revenue']);
  });

  it('cautious adds only tests whose parents are all selected', () => {
    expect([...select(project, 'revenue', { indirectSelection: 'cautious' })]).toEqual(['model.p.revenue']);
    expect([...select(project, 'revenue customers', { indirectSelection: 'cautious' })].sort()).toEqual([
      'model.p.customers',
      'model.p.revenue',
      'test.p.assert_revenue',
    ]);
  });

  it('buildable also accepts parents upstream of the selection', () => {
    expect([...select(project, 'revenue', { indirectSelection: 'buildable' })]).toEqual(['model.p.revenue']);
    expect([...select(project, 'orders', { indirectSelection: 'buildable' })].sort()).toEqual(['model.p.orders', 'test.p.not_null_orders_order_id']);
  });
});

describe('select: errors', () => {
  it('names an unknown method', () => {
    expect(() => select(project, 'colour:red')).toThrow(SelectorError);
    expect(() => select(project, 'orders colour:red')).toThrow('invalid selector "colour:red": unknown method "colour"');
  });

  it('rejects an empty value and state: (needs run artifacts)', () => {
    expect(() => select(project, 'tag:')).toThrow('invalid selector "tag:": empty value');
    expect(() => select(project, 'state:modified')).toThrow(/needs dbt run artifacts/);
  });

  it('an empty selector selects nothing', () => {
    expect(select(project, '  ').size).toBe(0);
  });
});
