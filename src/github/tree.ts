import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, posix, relative, sep } from 'node:path';
import type { GitHubClient, RepoRef } from './client.js';
import { extractTarGz, readArchiveBody, type ExtractResult } from './tar.js';

/** GitHub's PR files API stops at 3,000 files, whatever the page size. */
export const PR_FILES_CAP = 3000;

export interface ChangedFile {
  filename: string;
  status: string;
  previous_filename?: string;
}

/** Every changed file of the PR (all pages), and whether GitHub's cap cut the list short. */
export async function listChangedFiles(octokit: GitHubClient, ref: RepoRef, pullNumber: number, changedFilesCount?: number): Promise<{ files: ChangedFile[]; truncated: boolean }> {
  const raw = await octokit.paginate(octokit.rest.pulls.listFiles, { ...ref, pull_number: pullNumber, per_page: 100 });
  const files = raw.map((f) => (f.previous_filename ? { filename: f.filename, status: f.status, previous_filename: f.previous_filename } : { filename: f.filename, status: f.status }));
  const truncated = files.length >= PR_FILES_CAP || (changedFilesCount !== undefined && changedFilesCount > files.length);
  return { files, truncated };
}

/** Downloads the repository at `sha` as a tarball and extracts it safely into `dest`. */
export async function downloadTree(octokit: GitHubClient, ref: RepoRef, sha: string, dest: string, maxBytes: number): Promise<ExtractResult> {
  // Octokit's fetch follows GitHub's 302 to codeload; the body is streamed and cut off at the cap.
  const response = await octokit.rest.repos.downloadTarballArchive({ ...ref, ref: sha, request: { parseSuccessResponseBody: false } });
  const length = Number(response.headers['content-length'] ?? NaN);
  const buffer = await readArchiveBody(response.data, maxBytes, Number.isFinite(length) ? length : undefined);
  return extractTarGz(buffer, dest, { maxBytes });
}

const SKIP_DIRS = new Set(['.git', 'node_modules', 'dbt_packages', 'target', 'logs', 'dbt_modules']);

/** Folders (relative, posix, '' for the root) holding a dbt_project.yml; installed packages are ignored. */
export async function findDbtProjects(root: string): Promise<string[]> {
  const found: string[] = [];
  async function walk(dir: string, depth: number): Promise<void> {
    if (depth > 12) return;
    const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
    for (const entry of entries) {
      if (entry.isFile() && entry.name === 'dbt_project.yml') found.push(relative(root, dir).split(sep).join('/'));
    }
    for (const entry of entries) {
      if (entry.isDirectory() && !SKIP_DIRS.has(entry.name)) await walk(join(dir, entry.name), depth + 1);
    }
  }
  await walk(root, 0);
  return found.sort();
}

/** Whether a repository path lies inside one of the project folders. */
export function insideProject(path: string, projectDirs: string[]): boolean {
  return projectDirs.some((dir) => dir === '' || path === dir || path.startsWith(`${dir}/`));
}

/** The config file's text in an extracted tree, or null when absent. */
export async function readConfigText(root: string, file = '.github/impact-review.yml'): Promise<string | null> {
  for (const name of [file, file.replace(/\.yml$/, '.yaml')]) {
    try {
      return await readFile(join(root, name), 'utf8');
    } catch {
      // try the next spelling
    }
  }
  return null;
}

/** Normalizes config `projects` entries ("./analytics/", "analytics") to the folder form used here. */
export function normalizeProjectDir(dir: string): string {
  const norm = posix.normalize(dir.replace(/\\/g, '/')).replace(/^\.\/?/, '').replace(/\/+$/, '');
  return norm === '.' ? '' : norm;
}

/** A private temp folder for one run, and its cleanup. */
export async function makeWorkDir(prefix = 'impact-review-'): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}
