import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadProject } from '../src/dbt/project.js';
import { loadProjectInSandbox } from '../src/sandbox/client.js';
import { generateProject } from './generate-project.js';

/**
 * bench:lineage — load + render + graph of a generated 10,000-model project.
 * Target on a 2-core machine: under 10 s and under 1 GiB peak RSS.
 */
async function main(): Promise<void> {
  const arg = process.argv.indexOf('--models');
  const models = arg > 0 ? Number(process.argv[arg + 1]) : 10_000;
  const dir = await mkdtemp(join(tmpdir(), 'impact-review-bench-'));
  try {
    const generated = await generateProject(dir, models);
    globalThis.gc?.();
    const rssBefore = process.memoryUsage().rss;
    const started = performance.now();
    const project = await loadProject(dir, { vars: {}, env: {} });
    const seconds = (performance.now() - started) / 1000;
    const peakRss = process.resourceUsage().maxRSS * 1024;
    const modelCount = Object.values(project.nodes).filter((n) => n.resource_type === 'model').length;
    const rendered = Object.values(project.nodes).filter((n) => n.resource_type === 'model' && n.compiled_code).length;
    const edges = Object.values(project.parent_map).reduce((sum, parents) => sum + parents.length, 0);
    const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MiB`;
    // The same load as analyze() runs it on PR content: in the render worker (spawn, confinement,
    // progress markers, the project sent back over IPC). Informational; the target is the in-process load.
    const sandboxStarted = performance.now();
    const sandboxed = await loadProjectInSandbox(dir, { vars: {}, env: {} });
    const sandboxSeconds = (performance.now() - sandboxStarted) / 1000;
    sandboxed.close();
    const sandboxModels = Object.values(sandboxed.project.nodes).filter((n) => n.resource_type === 'model').length;
    const rows: [string, string][] = [
      ['models generated', String(generated.models)],
      ['models in graph (enabled)', String(modelCount)],
      ['models rendered (compile)', String(rendered)],
      ['disabled', String(Object.keys(project.disabled).length)],
      ['tests', String(Object.values(project.nodes).filter((n) => n.resource_type === 'test').length)],
      ['graph edges', String(edges)],
      ['problems', String(project.problems.length)],
      ['load + render + graph', `${seconds.toFixed(2)} s`],
      ['models per second', (modelCount / seconds).toFixed(0)],
      ['same load in the render worker', `${sandboxSeconds.toFixed(2)} s (${sandboxModels} models)`],
      ['RSS before load', mib(rssBefore)],
      ['peak RSS (process)', mib(peakRss)],
      ['target', '< 10 s and < 1024 MiB'],
      ['verdict', seconds < 10 && peakRss < 1024 ** 3 ? 'PASS' : 'MISS'],
    ];
    const width = Math.max(...rows.map(([k]) => k.length));
    process.stdout.write(`bench:lineage\n${rows.map(([k, v]) => `  ${k.padEnd(width)}  ${v}`).join('\n')}\n`);
    for (const p of project.problems.slice(0, 5)) process.stdout.write(`  problem: ${p.file}:${p.line ?? ''} ${p.message}\n`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
