/**
 * Messages between the app and the render worker (src/sandbox/worker.ts), over the child
 * process's IPC channel with structured-clone serialization. The worker runs PR-controlled Jinja,
 * so the host treats its replies as untrusted input and checks their shape (client.ts).
 */
import type { CompileResult, LoadProjectOptions } from '../dbt/project.js';
import type { RenderLimits } from '../dbt/render/types.js';
import type { Project } from '../dbt/types.js';

/** What crosses into the worker: plain data only (no lookups, no hooks, no secrets). */
export type SandboxLoadOptions = Omit<LoadProjectOptions, 'metadata' | 'render'>;

export type HostMessage =
  | {
      type: 'load';
      dir: string;
      options: SandboxLoadOptions;
      limits: RenderLimits;
      /** Nodes (or `file:<path>` values) that stopped an earlier worker, with the reason. */
      skip: [string, string][];
    }
  | { type: 'compile'; id: number; uniqueId: string; overrides: Record<string, string> };

export type WorkerMessage =
  | { type: 'loaded'; project: Project }
  | { type: 'load_failed'; message: string; file?: string }
  | { type: 'compiled'; id: number; result: CompileResult };

/** The worker writes `render <key>\n` here (synchronously) before each top-level render. */
export const PROGRESS_FD = 4;
export const PROGRESS_PREFIX = 'render ';
/** …and this line after it, so a hang outside any render is not blamed on the last model. */
export const RENDER_DONE = 'done';
