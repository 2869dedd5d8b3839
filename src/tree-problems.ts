/**
 * Problems with a pull request's files that the project loader cannot see, found by both fronts
 * on the tree they extracted: entries that were never written (symlinks, paths escaping the
 * repository, binary files) and changed text files that are not UTF-8 (dbt cannot read them; the
 * loader sees them with the bad bytes replaced). Each becomes a Problem naming the file (and line).
 */
import { readFile } from 'node:fs/promises';
import { join, posix } from 'node:path';
import type { Problem } from './dbt/types.js';

/** An entry of the tree that was not written, and why (as src/github/tar.ts reports them). */
export interface SkippedFile {
  /** Path relative to the repository root (or the raw entry name when it escapes the repository). */
  path: string;
  reason: string;
}

/** Files the loader reads as text. */
const TEXT_FILE = /\.(sql|py|ya?ml|csv)$/i;

/** Where `path` (relative to the repository) lies relative to the project folder, or null when outside it. */
function inProject(path: string, projectDir: string): string | null {
  if (projectDir === '') return path;
  return path.startsWith(`${projectDir}/`) ? posix.relative(projectDir, path) : null;
}

/**
 * Skipped entries as problems of the project in `projectDir` (repository-relative, '' for the
 * root): those inside it, and every entry whose path escapes the repository (those belong to no
 * project but must be reported wherever the review is read).
 */
export function skippedFileProblems(skipped: SkippedFile[], projectDir: string): Problem[] {
  const out: Problem[] = [];
  for (const s of skipped) {
    const escapes = /(^|\/)\.\.(\/|$)/.test(s.path) || s.path.startsWith('/');
    const file = escapes ? s.path : inProject(s.path, projectDir);
    if (file === null) continue;
    const hostile = escapes || /outside/.test(s.reason);
    out.push({ file, message: `not read: ${s.reason}`, severity: hostile ? 'error' : 'warning' });
  }
  return out;
}

/** The first byte offset where `data` stops being valid UTF-8, or -1 when all of it is. */
export function firstInvalidUtf8(data: Buffer): number {
  let i = 0;
  while (i < data.length) {
    const b = data[i];
    let need: number;
    let min: number;
    if (b < 0x80) {
      i += 1;
      continue;
    } else if (b >= 0xc2 && b <= 0xdf) [need, min] = [1, 0x80];
    else if (b >= 0xe0 && b <= 0xef) [need, min] = [2, 0x800];
    else if (b >= 0xf0 && b <= 0xf4) [need, min] = [3, 0x10000];
    else return i;
    let cp = b & (0x3f >> need);
    for (let k = 1; k <= need; k++) {
      const c = data[i + k];
      if (c === undefined || (c & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (c & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i;
    i += need + 1;
  }
  return -1;
}

/**
 * Changed text files of the project (repository-relative paths) that are not valid UTF-8, as
 * errors at the line and column of the first bad byte.
 */
export async function notUtf8Problems(repoRoot: string, projectDir: string, changed: string[]): Promise<Problem[]> {
  const out: Problem[] = [];
  for (const path of changed) {
    const file = inProject(path, projectDir);
    if (file === null || !TEXT_FILE.test(file)) continue;
    const data = await readFile(join(repoRoot, path)).catch(() => null);
    if (!data) continue;
    const at = firstInvalidUtf8(data);
    if (at === -1) continue;
    const before = data.subarray(0, at);
    const line = before.filter((b) => b === 0x0a).length + 1;
    const column = at - (before.lastIndexOf(0x0a) + 1) + 1;
    out.push({
      file,
      line,
      message: `not valid UTF-8 (byte 0x${data[at].toString(16).toUpperCase().padStart(2, '0')} at column ${column}): dbt cannot read this file; it was reviewed with the bad bytes replaced`,
      severity: 'error',
    });
  }
  return out;
}
