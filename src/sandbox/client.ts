/**
 * Loads a dbt project in the render worker (worker.ts) instead of this process, because PR authors
 * control the Jinja and nunjucks is not a sandbox. The worker gets:
 * - an empty environment (env_var() sees only the DBT_* and allowed names passed explicitly);
 * - Node's permission model: reads limited to the project tree and the app's own code, no writes,
 *   no child processes, no worker threads, no native addons (the network is closed in worker.ts);
 * - a heap limit, and a time limit per render (the renderer's vm watchdog) and per request.
 *
 * A render that exhausts the heap or hangs the worker kills it; the progress pipe names the node
 * that was rendering, and the project is loaded again in a fresh worker with that node reported
 * as a render error. Everything else in the project still loads.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ProjectLoadError, type CompileResult, type NodeCompiler } from '../dbt/project.js';
import { envVarVisible } from '../dbt/render/context.js';
import type { RenderLimits } from '../dbt/render/types.js';
import type { Project } from '../dbt/types.js';
import { PROGRESS_FD, PROGRESS_PREFIX, RENDER_DONE, type HostMessage, type SandboxLoadOptions, type WorkerMessage } from './protocol.js';

export interface SandboxLimits {
  /** Wall time of one render (one model, one YAML value). */
  renderTimeoutMs: number;
  /** The worker's V8 heap, in MiB. */
  memoryMb: number;
  /** Wall time of loading the whole project. */
  loadTimeoutMs: number;
  /** Longest rendered result, in characters. */
  maxOutputChars?: number;
  /** How many times one load may lose its worker (one node each) before giving up. */
  maxRestarts?: number;
}

export const DEFAULT_SANDBOX_LIMITS: SandboxLimits = { renderTimeoutMs: 10_000, memoryMb: 1024, loadTimeoutMs: 300_000, maxRestarts: 20 };

export interface SandboxedProject {
  project: Project;
  /** Renders one node again with some refs pointing at other relations, in the worker. */
  compile: NodeCompiler;
  close(): void;
}

export interface SandboxOptions {
  /** Directories the worker may read besides `dir` (the repository root of a monorepo, for `local:` packages). */
  readRoots?: string[];
  limits?: Partial<SandboxLimits>;
}

/** The worker's compiled entry point: next to this module once built; tests point at theirs. */
export function workerEntry(): string {
  const sibling = path.join(path.dirname(fileURLToPath(import.meta.url)), 'worker.js');
  if (existsSync(sibling)) return sibling;
  const fromEnv = process.env.IMPACT_REVIEW_RENDER_WORKER;
  if (fromEnv && existsSync(fromEnv)) return fromEnv;
  throw new Error(`the render worker is not built (${sibling} is missing): run \`npm run build\``);
}

/** The directory holding package.json and node_modules, above the worker's code. */
function packageRootOf(file: string): string {
  let dir = path.dirname(file);
  while (!existsSync(path.join(dir, 'node_modules'))) {
    const up = path.dirname(dir);
    if (up === dir) return path.dirname(file);
    dir = up;
  }
  return dir;
}

/**
 * The worker's command line: Node's permission model with reads limited to `readRoots`, the
 * worker's own code and node_modules (no writes, no child processes, no addons), and a heap limit.
 */
export function workerArgs(entry: string, readRoots: string[], memoryMb: number): string[] {
  const codeDir = path.dirname(path.dirname(entry));
  const pkgRoot = packageRootOf(entry);
  const reads = [...new Set([...readRoots, codeDir, path.join(pkgRoot, 'node_modules'), path.join(pkgRoot, 'package.json')])];
  return [permissionFlag(), ...reads.map((r) => `--allow-fs-read=${r}`), `--max-old-space-size=${memoryMb}`, '--no-warnings', entry];
}

/** `--permission` from Node 22.13/23.5; `--experimental-permission` before. */
function permissionFlag(): string {
  return process.allowedNodeEnvironmentFlags.has('--permission') ? '--permission' : '--experimental-permission';
}

class WorkerDied extends Error {
  constructor(
    readonly reason: 'memory' | 'render_time' | 'time' | 'exit',
    readonly renderingKey: string | null,
    detail: string,
  ) {
    super(detail);
  }
}

/** One worker process and its pending requests. */
class RenderWorker {
  private readonly child: ChildProcess;
  private lastKey: string | null = null;
  private progressTail = '';
  private stderrTail = '';
  private dead: WorkerDied | null = null;
  private pending: { resolve: (m: WorkerMessage) => void; reject: (e: Error) => void; match: (m: WorkerMessage) => boolean }[] = [];
  private killedFor: 'render_time' | 'time' | null = null;

  private renderTimer: NodeJS.Timeout | null = null;

  /**
   * `renderTimeoutMs`: the worker announces each render on its progress pipe; one that has not
   * finished in time is stopped by killing the worker (a loop in Jinja cannot be interrupted from
   * inside without a cost on every render), and the load starts again without that node.
   */
  constructor(entry: string, readRoots: string[], memoryMb: number, private readonly renderTimeoutMs: number) {
    const args = workerArgs(entry, readRoots, memoryMb);
    this.child = spawn(process.execPath, args, {
      env: {},
      stdio: ['ignore', 'ignore', 'pipe', 'ipc', 'pipe'],
      serialization: 'advanced',
    });
    // The worker never keeps the app alive by itself: a pending request's timer does.
    this.child.unref();
    this.child.channel?.unref();
    for (const stream of [this.child.stdio[PROGRESS_FD], this.child.stderr]) (stream as { unref?: () => void } | null)?.unref?.();
    this.child.stdio[PROGRESS_FD]?.on('data', (chunk: Buffer) => {
      const text = this.progressTail + chunk.toString('utf8');
      const lines = text.split('\n');
      this.progressTail = lines.pop() ?? '';
      for (const line of lines) {
        if (line.startsWith(PROGRESS_PREFIX)) {
          this.lastKey = line.slice(PROGRESS_PREFIX.length);
          this.watch();
        } else if (line === RENDER_DONE) {
          this.lastKey = null;
          this.unwatch();
        }
      }
    });
    this.child.stderr?.on('data', (chunk: Buffer) => {
      this.stderrTail = (this.stderrTail + chunk.toString('utf8')).slice(-4000);
    });
    this.child.on('message', (message: unknown) => {
      if (!isWorkerMessage(message)) return;
      const i = this.pending.findIndex((p) => p.match(message));
      if (i >= 0) this.pending.splice(i, 1)[0].resolve(message);
    });
    // 'close', not 'exit': by then the progress pipe has delivered its last line.
    this.child.on('close', (code, signal) => {
      this.unwatch();
      const memory = /heap out of memory|Allocation failed|invalid array length/i.test(this.stderrTail) || signal === 'SIGABRT' || code === 134;
      const reason = this.killedFor ?? (memory ? 'memory' : 'exit');
      this.dead = new WorkerDied(reason, this.lastKey, `render worker ended (${signal ?? `exit code ${code}`})`);
      for (const p of this.pending.splice(0)) p.reject(this.dead);
    });
    this.child.on('error', (error) => {
      this.dead = new WorkerDied('exit', this.lastKey, error.message);
      for (const p of this.pending.splice(0)) p.reject(this.dead);
    });
  }

  private watch(): void {
    this.unwatch();
    this.renderTimer = setTimeout(() => this.kill('render_time'), this.renderTimeoutMs);
  }

  private unwatch(): void {
    if (this.renderTimer) clearTimeout(this.renderTimer);
    this.renderTimer = null;
  }

  private kill(reason: 'render_time' | 'time'): void {
    this.killedFor = reason;
    this.child.kill('SIGKILL');
  }

  request(message: HostMessage, match: (m: WorkerMessage) => boolean, timeoutMs: number): Promise<WorkerMessage> {
    if (this.dead) return Promise.reject(this.dead);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        // Hung outside any render (e.g. a timer scheduled by escaped code).
        this.kill('time');
      }, timeoutMs);
      const done = <T>(fn: (v: T) => void) => (v: T) => {
        clearTimeout(timer);
        fn(v);
      };
      this.pending.push({ resolve: done(resolve), reject: done(reject), match });
      this.lastKey = null;
      this.child.send(message);
    });
  }

  get alive(): boolean {
    return this.dead === null;
  }

  close(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
  }
}

function isWorkerMessage(m: unknown): m is WorkerMessage {
  if (typeof m !== 'object' || m === null) return false;
  const r = m as Record<string, unknown>;
  switch (r.type) {
    case 'loaded':
      return typeof r.project === 'object' && r.project !== null && typeof (r.project as Record<string, unknown>).nodes === 'object';
    case 'load_failed':
      return typeof r.message === 'string';
    case 'compiled':
      return typeof r.id === 'number' && typeof r.result === 'object' && r.result !== null;
    default:
      return false;
  }
}

/** A render error message for a node that stopped the worker. */
function stoppedBecause(died: WorkerDied, limits: SandboxLimits): string {
  if (died.reason === 'memory') return `rendering used more than ${limits.memoryMb} MiB of memory and was stopped`;
  if (died.reason === 'render_time') return `rendering took longer than ${limits.renderTimeoutMs / 1000} s and was stopped (a loop without end?)`;
  if (died.reason === 'time') return `rendering did not finish within ${limits.loadTimeoutMs / 1000} s and was stopped`;
  return `rendering stopped the render worker (${died.message})`;
}

/**
 * Loads `dir` in a render worker. Throws ProjectLoadError when the project itself is unusable (as
 * loadProject does) or when the worker keeps dying without naming a node.
 */
export async function loadProjectInSandbox(dir: string, loadOptions: SandboxLoadOptions, sandbox: SandboxOptions = {}): Promise<SandboxedProject> {
  const limits: SandboxLimits = { ...DEFAULT_SANDBOX_LIMITS, ...sandbox.limits };
  const entry = workerEntry();
  const root = path.resolve(dir);
  const readRoots = [root, ...(sandbox.readRoots ?? []).map((r) => path.resolve(r))];
  const renderLimits: RenderLimits = limits.maxOutputChars !== undefined ? { maxOutputChars: limits.maxOutputChars } : {};
  // Only what env_var() may read crosses into the worker: escaped code finds nothing else.
  const env = Object.fromEntries(Object.entries(loadOptions.env ?? {}).filter(([name]) => envVarVisible(name, loadOptions.envAllow ?? [])));
  const options: SandboxLoadOptions = { ...loadOptions, env };
  const skip = new Map<string, string>();
  let worker: RenderWorker | null = null;

  const start = async (): Promise<{ worker: RenderWorker; project: Project }> => {
    for (let attempt = 0; ; attempt++) {
      const w = new RenderWorker(entry, readRoots, limits.memoryMb, limits.renderTimeoutMs);
      try {
        const reply = await w.request({ type: 'load', dir: root, options, limits: renderLimits, skip: [...skip] }, (m) => m.type === 'loaded' || m.type === 'load_failed', limits.loadTimeoutMs);
        if (reply.type === 'load_failed') {
          w.close();
          throw new ProjectLoadError(reply.message, reply.type === 'load_failed' && reply.file ? reply.file : 'dbt_project.yml');
        }
        if (reply.type !== 'loaded') throw new Error('unexpected reply from the render worker');
        return { worker: w, project: reply.project };
      } catch (error) {
        w.close();
        if (!(error instanceof WorkerDied)) throw error;
        const key = error.renderingKey;
        if (!key || skip.has(key) || attempt >= (limits.maxRestarts ?? 20)) {
          throw new ProjectLoadError(`the project could not be rendered: ${stoppedBecause(error, limits)}`, 'dbt_project.yml');
        }
        skip.set(key, stoppedBecause(error, limits));
      }
    }
  };

  const first = await start();
  worker = first.worker;
  const project = first.project;
  let nextId = 0;

  const compile: NodeCompiler = async (uniqueId, overrides): Promise<CompileResult> => {
    if (skip.has(uniqueId)) return { error: skip.get(uniqueId) as string };
    if (!worker || !worker.alive) worker = (await start()).worker;
    const id = ++nextId;
    try {
      const reply = await worker.request({ type: 'compile', id, uniqueId, overrides }, (m) => m.type === 'compiled' && m.id === id, limits.renderTimeoutMs * 3);
      return reply.type === 'compiled' ? reply.result : { error: 'unexpected reply from the render worker' };
    } catch (error) {
      if (!(error instanceof WorkerDied)) throw error;
      const message = stoppedBecause(error, limits);
      skip.set(uniqueId, message);
      return { error: message };
    }
  };

  return {
    project,
    compile,
    close: () => worker?.close(),
  };
}
