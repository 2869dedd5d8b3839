import { createHash } from 'node:crypto';
import { open, readdir, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import type { DbtNode, Project } from './types.js';

/** A file of a project or package, with paths in both of dbt's senses. */
export interface ProjectFile {
  /** Absolute path. */
  abs: string;
  /** Relative to the project/package root (`models/staging/stg_orders.sql`): dbt's original_file_path. */
  original_file_path: string;
  /** Relative to the resource path it was found under (`staging/stg_orders.sql`): dbt's path. */
  path: string;
  /** The resource path (e.g. `models`). */
  resource_path: string;
  text: string;
  /** The whole file's sha256, when only its head is in `text` (an oversize seed): a data edit still shows. */
  sha256?: string;
}

/** Directories never walked for resources, wherever they appear. */
const SKIPPED_DIRS = new Set(['node_modules', 'dbt_packages', 'dbt_modules', 'target', 'logs', '.git']);

async function walk(dir: string, out: string[], links: Set<string>): Promise<void> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return;
  }
  const subdirs: Promise<void>[] = [];
  for (const e of entries) {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) {
      if (!SKIPPED_DIRS.has(e.name)) subdirs.push(walk(full, out, links));
    } else if (e.isFile()) out.push(full);
    else if (e.isSymbolicLink()) {
      out.push(full);
      links.add(full);
    }
  }
  await Promise.all(subdirs);
}

const BATCH = 128;

/** Reads files in parallel batches: fast on large projects without exhausting file descriptors. */
export async function readAll<T>(items: T[], read: (item: T) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += BATCH) await Promise.all(items.slice(i, i + BATCH).map(read));
}

export interface CollectOptions {
  /** A file larger than this is not read (its size is checked first): `onOversize` is told instead. */
  maxBytes?: number;
  /** Keep an oversize file with only its first line read (a seed's header), instead of leaving it out. */
  headOfOversize?: boolean;
  onOversize?: (file: Omit<ProjectFile, 'text'>, bytes: number) => void;
  /** A symlink that is not read: it leads outside the root (or to a directory, which is not followed). */
  onSymlink?: (file: Omit<ProjectFile, 'text'>, reason: string) => void;
}

/**
 * Why a symlink is not read, or null when it is a file inside the root. A PR can commit a link
 * to any file on the machine (`models/x.sql -> ~/.ssh/id_rsa`), and Node's permission model
 * follows links, so the check is here, where files are read.
 */
async function symlinkRefusal(link: string, root: string): Promise<string | null> {
  try {
    const [target, realRoot] = await Promise.all([realpath(link), realpath(root)]);
    if (!isInside(realRoot, target)) return 'symlink points outside the project';
    return (await stat(target)).isFile() ? null : 'symlink to a directory is not followed';
  } catch (error) {
    // Inside the render worker, the permission model refuses to resolve a link that leaves the tree.
    return (error as { code?: string }).code === 'ERR_ACCESS_DENIED' ? 'symlink points outside the project' : 'symlink points nowhere';
  }
}

/** Enough of a file's start to hold a CSV header line. */
const HEAD_BYTES = 64 * 1024;

/** The file's text, or null when it is larger than `maxBytes` (then only `head` bytes are read, when asked). */
async function readBounded(file: string, maxBytes: number, head: boolean): Promise<{ text: string | null; bytes: number; sha256?: string }> {
  const handle = await open(file, 'r');
  try {
    const { size } = await handle.stat();
    if (size <= maxBytes) return { text: await handle.readFile('utf8'), bytes: size };
    if (!head) return { text: null, bytes: size };
    const buffer = Buffer.alloc(Math.min(HEAD_BYTES, maxBytes));
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    const start = buffer.subarray(0, bytesRead).toString('utf8');
    const newline = start.indexOf('\n');
    // The rest is hashed in chunks, never held whole.
    const hash = createHash('sha256');
    const chunk = Buffer.alloc(1 << 20);
    for (let position = 0; ; ) {
      const { bytesRead: n } = await handle.read(chunk, 0, chunk.length, position);
      if (n === 0) break;
      hash.update(chunk.subarray(0, n));
      position += n;
    }
    return { text: newline === -1 ? '' : start.slice(0, newline + 1), bytes: size, sha256: hash.digest('hex') };
  } finally {
    await handle.close();
  }
}

/**
 * Every file under the given resource paths of a root whose name ends with one of `extensions`
 * (lowercase, with the dot), read as UTF-8 and sorted by path so output is deterministic.
 */
export async function collectFiles(root: string, resourcePaths: string[], extensions: string[], options: CollectOptions = {}): Promise<ProjectFile[]> {
  const found: { abs: string; resource_path: string }[] = [];
  const seen = new Set<string>();
  const links = new Set<string>();
  for (const rp of resourcePaths) {
    const base = path.resolve(root, rp);
    if (!isInside(root, base)) continue;
    const list: string[] = [];
    await walk(base, list, links);
    for (const abs of list) {
      if (seen.has(abs)) continue;
      if (!extensions.some((ext) => abs.toLowerCase().endsWith(ext))) continue;
      seen.add(abs);
      found.push({ abs, resource_path: rp });
    }
  }
  found.sort((a, b) => (a.abs < b.abs ? -1 : a.abs > b.abs ? 1 : 0));
  const files: (ProjectFile | null)[] = new Array(found.length).fill(null);
  // Reads finish in any order; what they report is told in path order, so problems are stable.
  const reports: (() => void)[] = new Array(found.length).fill(() => undefined);
  await readAll(
    found.map((f, i) => ({ ...f, i })),
    async (f) => {
      const file = {
        abs: f.abs,
        original_file_path: toPosix(path.relative(root, f.abs)),
        path: toPosix(path.relative(path.resolve(root, f.resource_path), f.abs)),
        resource_path: f.resource_path,
      };
      if (links.has(f.abs)) {
        const refused = await symlinkRefusal(f.abs, root);
        if (refused) {
          reports[f.i] = () => options.onSymlink?.(file, refused);
          return;
        }
      }
      const { text, bytes, sha256 } = await readBounded(f.abs, options.maxBytes ?? Infinity, options.headOfOversize === true);
      if (bytes > (options.maxBytes ?? Infinity)) reports[f.i] = () => options.onOversize?.(file, bytes);
      if (text === null) return;
      files[f.i] = { ...file, text: text.charCodeAt(0) === 0xfeff ? text.slice(1) : text, ...(sha256 ? { sha256 } : {}) };
    },
  );
  for (const report of reports) report();
  return files.filter((f): f is ProjectFile => f !== null);
}

export function toPosix(p: string): string {
  return p.split(path.sep).join('/');
}

export function isInside(parent: string, child: string): boolean {
  const rel = path.relative(path.resolve(parent), path.resolve(child));
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/** `staging/stg_orders.sql` → `['staging']`: the folder part of a node's fqn. */
export function folderParts(relPath: string): string[] {
  const parts = relPath.split('/');
  parts.pop();
  return parts.filter((p) => p !== '' && p !== '.');
}

export function stem(relPath: string): string {
  const base = relPath.split('/').pop() ?? relPath;
  const dot = base.lastIndexOf('.');
  return dot > 0 ? base.slice(0, dot) : base;
}

/** Absolute path of a node's file: its package's root (the root project's, or a package's) joined with its path. */
export function nodeFilePath(project: Project, node: DbtNode): string {
  const pkg = project.packages.find((p) => p.name === node.package_name);
  return path.join(project.root, pkg?.root ?? '.', node.original_file_path);
}
