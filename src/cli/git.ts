import { execFile } from 'node:child_process';
import { mkdir, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { UsageError } from './args.js';

const run = promisify(execFile);

async function git(cwd: string, args: string[]): Promise<string> {
  try {
    const { stdout } = await run('git', args, { cwd, maxBuffer: 256 * 1024 * 1024 });
    return stdout;
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new UsageError(`git ${args[0]}: ${(e.stderr || e.message).trim().split('\n')[0]}`);
  }
}

/** The repository root and the project's path inside it. */
export async function repositoryOf(dir: string): Promise<{ root: string; prefix: string }> {
  const root = (await git(dir, ['rev-parse', '--show-toplevel'])).trim();
  const prefix = (await git(dir, ['rev-parse', '--show-prefix'])).trim().replace(/\/$/, '');
  return { root, prefix };
}

export async function resolveCommit(root: string, ref: string): Promise<string> {
  return (await git(root, ['rev-parse', '--verify', `${ref}^{commit}`])).trim();
}

/** Extracts the tree at a commit into a new temporary directory (git archive, no checkout). */
export async function extractCommit(root: string, sha: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), `impact-review-${sha.slice(0, 8)}-`));
  await mkdir(dir, { recursive: true });
  await new Promise<void>((resolve, reject) => {
    const archive = execFile('git', ['archive', '--format=tar', sha], { cwd: root, encoding: 'buffer', maxBuffer: 1024 * 1024 * 1024 }, (err) => (err ? reject(err) : undefined));
    const tar = execFile('tar', ['-x', '-C', dir], (err) => (err ? reject(err) : resolve()));
    archive.stdout?.pipe(tar.stdin as NodeJS.WritableStream);
  });
  return dir;
}

/** Files renamed between two commits, relative to the repository root. */
export async function renamedFiles(root: string, base: string, head: string): Promise<{ from: string; to: string }[]> {
  const out = await git(root, ['diff', '--name-status', '-M', base, head]);
  return out
    .split('\n')
    .filter((line) => line.startsWith('R'))
    .map((line) => line.split('\t'))
    .map(([, from, to]) => ({ from, to }));
}
