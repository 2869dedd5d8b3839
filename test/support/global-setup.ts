/**
 * Jest runs the TypeScript sources in-process, but the render worker (src/sandbox/worker.ts) is a
 * separate Node process that needs JavaScript: compile src/ once per test run with SWC (what jest
 * itself uses) into .cache/render-worker and point the sandbox client at it.
 */
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { transformFile } from '@swc/core';

async function tsFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await tsFiles(full)));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) out.push(full);
  }
  return out;
}

export default async function globalSetup(): Promise<void> {
  const root = process.cwd();
  const outRoot = join(root, '.cache', 'render-worker');
  await mkdir(outRoot, { recursive: true });
  // The output's own package scope: ESM, whatever lies above.
  await writeFile(join(outRoot, 'package.json'), '{ "type": "module" }\n');
  const files = await tsFiles(join(root, 'src'));
  await Promise.all(
    files.map(async (file) => {
      const { code } = await transformFile(file, {
        jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
        module: { type: 'es6' },
        sourceMaps: false,
      });
      const target = join(outRoot, relative(root, file)).replace(/\.ts$/, '.js');
      await mkdir(dirname(target), { recursive: true });
      await writeFile(target, code);
    }),
  );
  process.env.IMPACT_REVIEW_RENDER_WORKER = join(outRoot, 'src', 'sandbox', 'worker.js');
}
