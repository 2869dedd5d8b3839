import { describe, expect, it } from '@jest/globals';
import { downstream, upstream } from '../../../src/dbt/walk.js';
import { smallProject } from './small-project.js';

const sorted = (m: Map<string, number>) => Object.fromEntries([...m.entries()].sort(([a], [b]) => a.localeCompare(b)));

describe('upstream / downstream walks', () => {
  const project = smallProject();

  it('reports every ancestor once with its shortest distance', () => {
    expect(sorted(upstream(project, ['model.p.revenue']))).toEqual({
      'model.p.int_joined': 2,
      'model.p.orders': 1,
      'model.p.stg_customers': 3,
      'model.p.stg_orders': 3,
      'model.utils.calendar': 1,
      'source.p.raw.customers': 4,
      'source.p.raw.orders': 4,
    });
  });

  it('stops at the requested depth', () => {
    expect(sorted(downstream(project, ['model.p.int_joined'], 1))).toEqual({ 'model.p.customers': 1, 'model.p.orders': 1 });
  });

  it('walks down to tests and exposures, taking the shorter path when two reach a node', () => {
    expect(sorted(downstream(project, ['model.p.int_joined']))).toEqual({
      'exposure.p.dash': 2,
      'model.p.customers': 1,
      'model.p.orders': 1,
      'model.p.revenue': 2,
      'test.p.assert_revenue': 2,
      'test.p.not_null_orders_order_id': 2,
    });
  });

  it('does not report start ids, even when one start is downstream of another', () => {
    const down = downstream(project, ['model.p.orders', 'model.p.revenue']);
    expect(down.has('model.p.revenue')).toBe(false);
    expect(down.get('exposure.p.dash')).toBe(1);
  });

  it('terminates on a cycle', () => {
    const maps = {
      parent_map: { a: ['c'], b: ['a'], c: ['b'] },
      child_map: { a: ['b'], b: ['c'], c: ['a'] },
    };
    expect(sorted(downstream(maps, ['a']))).toEqual({ b: 1, c: 2 });
    expect(sorted(upstream(maps, ['a']))).toEqual({ b: 2, c: 1 });
  });

  it('ignores ids that are not in the graph', () => {
    expect(downstream(project, ['model.p.nope']).size).toBe(0);
  });
});
