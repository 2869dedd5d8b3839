import { describe, expect, it } from '@jest/globals';
import { WorkQueue } from '../../../src/github/queue.js';

const silent = { error: () => undefined };
const tick = (ms = 5) => new Promise((r) => setTimeout(r, ms));

describe('WorkQueue', () => {
  it('runs one task per PR at a time and at most N PRs at once', async () => {
    const q = new WorkQueue(2, silent);
    let running = 0;
    let peak = 0;
    const order: string[] = [];
    const task = (key: string, name: string) => ({
      key,
      kind: 'command' as const,
      run: async () => {
        running += 1;
        peak = Math.max(peak, running);
        order.push(`start ${name}`);
        await tick(10);
        order.push(`end ${name}`);
        running -= 1;
      },
    });
    q.enqueue(task('a', 'a1'));
    q.enqueue(task('a', 'a2'));
    q.enqueue(task('b', 'b1'));
    q.enqueue(task('c', 'c1'));
    await q.idle();
    expect(peak).toBe(2);
    expect(order.indexOf('start a2')).toBeGreaterThan(order.indexOf('end a1'));
    expect(order.filter((o) => o.startsWith('start'))).toHaveLength(4);
  });

  it('a newer commit aborts the analysis in flight; the same commit again is dropped unless forced', async () => {
    const q = new WorkQueue(1, silent);
    const aborted: string[] = [];
    const ran: string[] = [];
    const analysis = (sha: string, force = false) => ({
      key: 'pr',
      kind: 'analysis' as const,
      sha,
      force,
      run: async (signal: AbortSignal) => {
        ran.push(sha);
        await tick(20);
        if (signal.aborted) aborted.push(sha);
      },
    });
    expect(q.enqueue(analysis('s1'))).toBe(true);
    await tick(1);
    expect(q.enqueue(analysis('s1'))).toBe(false);
    expect(q.enqueue(analysis('s2'))).toBe(true);
    expect(q.enqueue(analysis('s2'))).toBe(false);
    expect(q.enqueue(analysis('s2', true))).toBe(true);
    await q.idle();
    expect(ran).toEqual(['s1', 's2']);
    expect(aborted).toEqual(['s1']);
  });

  it('approvals re-evaluations coalesce and never abort an analysis', async () => {
    const q = new WorkQueue(1, silent);
    let analysisAborted = false;
    let approvals = 0;
    q.enqueue({ key: 'pr', kind: 'analysis', sha: 's', run: async (signal) => { await tick(15); analysisAborted = signal.aborted; } });
    q.enqueue({ key: 'pr', kind: 'approvals', run: async () => { approvals += 1; } });
    q.enqueue({ key: 'pr', kind: 'approvals', run: async () => { approvals += 1; } });
    await q.idle();
    expect(analysisAborted).toBe(false);
    expect(approvals).toBe(1);
  });

  it('a failing task is logged and the lane keeps going', async () => {
    const errors: string[] = [];
    const q = new WorkQueue(1, { error: (_o, msg) => errors.push(msg) });
    let after = false;
    q.enqueue({ key: 'pr', kind: 'command', run: async () => { throw new Error('boom'); } });
    q.enqueue({ key: 'pr', kind: 'command', run: async () => { after = true; } });
    await q.idle();
    expect(errors).toEqual(['background task failed']);
    expect(after).toBe(true);
  });
});
