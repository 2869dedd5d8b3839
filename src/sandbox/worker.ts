/**
 * The render worker: loads a dbt project (which renders its Jinja) and compiles nodes on request,
 * in a process the host started with an empty environment, Node's permission model (reads only
 * the project tree and this code; no writes, no child processes, no native addons) and a heap
 * limit (client.ts). nunjucks is not a sandbox, so a template that escapes it lands here, where
 * there is nothing of value: no credentials, no files outside the tree, no network.
 */
import { writeSync } from 'node:fs';
import { confineProcess } from './confine.js';
import { loadProjectWithCompiler, ProjectLoadError, type NodeCompiler } from '../dbt/project.js';
import { PROGRESS_FD, PROGRESS_PREFIX, RENDER_DONE, type HostMessage, type WorkerMessage } from './protocol.js';

function send(message: WorkerMessage): void {
  process.send?.(message);
}

function progress(line: string): void {
  try {
    writeSync(PROGRESS_FD, `${line.replace(/\n/g, ' ')}\n`);
  } catch {
    // Without the progress pipe the host cannot name the model that stopped us; rendering still works.
  }
}

let compile: NodeCompiler | null = null;

async function handle(message: HostMessage): Promise<void> {
  if (message.type === 'load') {
    try {
      const loaded = await loadProjectWithCompiler(message.dir, {
        ...message.options,
        render: { limits: message.limits, onRenderStart: (key) => progress(`${PROGRESS_PREFIX}${key}`), onRenderEnd: () => progress(RENDER_DONE), skip: new Map(message.skip) },
      });
      compile = loaded.compile;
      send({ type: 'loaded', project: loaded.project });
    } catch (error) {
      const file = error instanceof ProjectLoadError ? error.file : undefined;
      send({ type: 'load_failed', message: error instanceof Error ? error.message : String(error), file });
    }
    return;
  }
  if (message.type === 'compile') {
    const result = compile ? await compile(message.uniqueId, message.overrides) : { error: 'the project is not loaded' };
    send({ type: 'compiled', id: message.id, result });
  }
}

/** A worker nobody asked anything for this long ends itself (the host starts another if needed). */
const IDLE_EXIT_MS = 10 * 60_000;
let idle = setTimeout(() => process.exit(0), IDLE_EXIT_MS);

confineProcess();
process.on('message', (message: HostMessage) => {
  clearTimeout(idle);
  idle = setTimeout(() => process.exit(0), IDLE_EXIT_MS);
  void handle(message);
});
// The host went away: nothing left to do.
process.on('disconnect', () => process.exit(0));
