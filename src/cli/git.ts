import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readlink, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { isAbsolute, join, posix, relative, resolve, sep } from 'node:path';
import { promisify } from 'node:util';
import type { SkippedFile } from '../tree-problems.js';
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

/**
 * Extracts the tree at a commit into a new temporary directory (git archive, no checkout). As the
 * GitHub app does with tarballs, symlinks are not kept: a PR can commit one pointing anywhere on
 * this machine (`models/x.sql -> /etc/passwd`), and the loader would read through it. They are
 * removed and returned, so the review can name them.
 */
export async function extractCommit(root: string, sha: string): Promise<{ dir: string; skipped: SkippedFile[] }> {
  const dir = await mkdtemp(join(tmpdir(), `impact-review-${sha.slice(0, 8)}-`));
  await mkdir(dir, { recursive: true });
  await new Promise<void>((resolve, reject) => {
    const archive = execFile('git', ['archive', '--format=tar', sha], { cwd: root, encoding: 'buffer', maxBuffer: 1024 * 1024 * 1024 }, (err) => (err ? reject(err) : undefined));
    const tar = execFile('tar', ['-x', '-C', dir], (err) => (err ? reject(err) : resolve()));
    archive.stdout?.pipe(tar.stdin as NodeJS.WritableStream);
  });
  return { dir, skipped: await removeSymlinks(dir) };
}

/** Deletes every symlink under `dir` (never following one), reporting each with where it pointed. */
export async function removeSymlinks(dir: string): Promise<SkippedFile[]> {
  const skipped: SkippedFile[] = [];
  const walk = async (folder: string): Promise<void> => {
    for (const entry of await readdir(folder, { withFileTypes: true })) {
      const full = join(folder, entry.name);
      if (entry.isDirectory()) await walk(full);
      else if (entry.isSymbolicLink()) {
        const target = await readlink(full);
        const landing = resolve(folder, target);
        const rel = relative(dir, landing);
        const outside = isAbsolute(target) || rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel);
        await unlink(full);
        skipped.push({ path: relative(dir, full).split(sep).join(posix.sep), reason: outside ? 'symlink points outside the repository' : 'symlink' });
      }
    }
  };
  await walk(dir);
  return skipped.sort((a, b) => (a.path < b.path ? -1 : 1));
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

/** Files added, modified or renamed between two commits (not deleted), relative to the repository root. */
export async function changedFiles(root: string, base: string, head: string): Promise<string[]> {
  const out = await git(root, ['diff', '--name-only', '-z', '--no-renames', '--diff-filter=d', base, head]);
  return out.split('\0').filter((f) => f !== '');
}
