/**
 * Background work, off the webhook's request path: one lane per pull request (tasks for a PR run
 * one at a time, in order), a bound on lanes running at once, and coalescing — a newer analysis
 * aborts the one in flight, so only the latest commit publishes.
 */

export type TaskKind = 'analysis' | 'approvals' | 'command';

export interface Task {
  /** The lane, e.g. "owner/repo#12". */
  key: string;
  kind: TaskKind;
  /** Analysis: the commit analysed; a second task for the same commit is dropped unless forced. */
  sha?: string;
  /** Run even if the same commit is queued or running (a `/impact` or re-run request). */
  force?: boolean;
  run(signal: AbortSignal): Promise<void>;
}

interface Entry {
  task: Task;
  controller: AbortController;
}

interface Lane {
  running: Entry | null;
  pending: Entry[];
}

export interface QueueLog {
  error(obj: object, msg: string): void;
}

export class WorkQueue {
  private readonly lanes = new Map<string, Lane>();
  /** Lanes with pending work and nothing running, oldest first. */
  private readonly ready: string[] = [];
  private active = 0;
  private waiters: (() => void)[] = [];

  constructor(
    private readonly maxConcurrency: number,
    private readonly log: QueueLog,
  ) {
    if (!Number.isInteger(maxConcurrency) || maxConcurrency < 1) throw new Error('max concurrency must be a positive integer');
  }

  /** Queues a task; returns false when it was coalesced into work already queued. */
  enqueue(task: Task): boolean {
    const lane = this.lanes.get(task.key) ?? { running: null, pending: [] };
    this.lanes.set(task.key, lane);
    if (task.kind === 'analysis') {
      const sameSha = (e: Entry | null) => e !== null && e.task.kind === 'analysis' && e.task.sha === task.sha && !e.controller.signal.aborted;
      if (!task.force && (sameSha(lane.running) || lane.pending.some(sameSha))) return false;
      // Queued runs for this very commit are replaced; older commits still run, but aborted, so
      // their check completes as superseded instead of hanging.
      lane.pending = lane.pending.filter((e) => !(e.task.kind === 'analysis' && e.task.sha === task.sha));
      for (const e of [lane.running, ...lane.pending]) if (e && e.task.kind === 'analysis') e.controller.abort();
    } else if (task.kind === 'approvals' && lane.pending.some((e) => e.task.kind === 'approvals')) {
      return false; // one pending re-evaluation reads the latest reviews anyway
    }
    lane.pending.push({ task, controller: new AbortController() });
    if (!lane.running && !this.ready.includes(task.key)) this.ready.push(task.key);
    this.pump();
    return true;
  }

  /** Resolves once nothing is running or queued (tests and graceful shutdown). */
  idle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  private isIdle(): boolean {
    return this.active === 0 && this.ready.length === 0;
  }

  private pump(): void {
    while (this.active < this.maxConcurrency && this.ready.length > 0) {
      const key = this.ready.shift() as string;
      const lane = this.lanes.get(key);
      const entry = lane?.pending.shift();
      if (!lane || !entry) continue;
      lane.running = entry;
      this.active += 1;
      void this.execute(key, lane, entry);
    }
    if (this.isIdle()) {
      const waiters = this.waiters;
      this.waiters = [];
      for (const resolve of waiters) resolve();
    }
  }

  private async execute(key: string, lane: Lane, entry: Entry): Promise<void> {
    try {
      await entry.task.run(entry.controller.signal);
    } catch (err) {
      this.log.error({ err, key, kind: entry.task.kind }, 'background task failed');
    } finally {
      lane.running = null;
      this.active -= 1;
      if (lane.pending.length > 0) this.ready.push(key);
      else this.lanes.delete(key);
      this.pump();
    }
  }
}
