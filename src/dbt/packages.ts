import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { readProjectFile } from './project-file.js';
import { isInside, toPosix } from './files.js';
import type { DbtProjectFile, PackageInfo, Problem } from './types.js';
import { asString, isRecord, parseYaml } from './yaml.js';

/** A package (or the root project) whose files join the graph. */
export interface LoadedPackage {
  info: PackageInfo;
  /** Absolute directory. */
  dir: string;
  file: DbtProjectFile;
}

/**
 * The packages a project uses: `local:` entries of packages.yml/dependencies.yml that stay inside
 * the project tree, then every package installed under dbt_packages/ (the install path). Hub and
 * git entries are only usable once installed, which is what dbt_packages/ holds. The first
 * package seen under a name wins.
 */
export async function discoverPackages(
  root: string,
  rootFile: DbtProjectFile,
  rawInstallPath: unknown,
  problems: Problem[],
  maxFileBytes = Infinity,
): Promise<LoadedPackage[]> {
  const found: LoadedPackage[] = [];
  const names = new Set<string>([rootFile.name]);
  // limits.max_file_bytes holds for the package and spec files too: measured before they are read.
  const oversize = async (file: string, label: string): Promise<boolean> => {
    const bytes = await stat(file).then((st) => st.size, () => 0);
    if (bytes <= maxFileBytes) return false;
    problems.push({ file: label, message: `not read: the file is ${bytes} bytes, over limits.max_file_bytes (${maxFileBytes})`, severity: 'warning', oversize: { bytes, limit: maxFileBytes } });
    return true;
  };
  const add = async (dir: string, origin: PackageInfo['origin'], label: string): Promise<void> => {
    try {
      if (await oversize(path.join(dir, 'dbt_project.yml'), `${label}/dbt_project.yml`)) return;
      const file = await readProjectFile(dir, `${label}/dbt_project.yml`);
      if (names.has(file.name)) return;
      names.add(file.name);
      found.push({ info: { name: file.name, root: toPosix(path.relative(root, dir)) || '.', origin }, dir, file });
      await reportPathsOutside(dir, file, `${label}/dbt_project.yml`, problems);
    } catch (err) {
      problems.push({ file: `${label}/dbt_project.yml`, message: err instanceof Error ? err.message : String(err), severity: 'error' });
    }
  };

  for (const specFile of ['packages.yml', 'dependencies.yml']) {
    let text: string;
    try {
      if (await oversize(path.join(root, specFile), specFile)) continue;
      text = await readFile(path.join(root, specFile), 'utf8');
    } catch {
      continue;
    }
    const parsed = parseYaml(text);
    if (parsed.error) {
      problems.push({ file: specFile, line: parsed.error.line, message: `not valid YAML: ${parsed.error.message}`, severity: 'error' });
      continue;
    }
    const entries = isRecord(parsed.value) && Array.isArray(parsed.value.packages) ? parsed.value.packages : [];
    for (const entry of entries) {
      if (!isRecord(entry)) continue;
      const local = asString(entry.local);
      if (local === undefined) continue;
      const dir = path.resolve(root, local);
      if (!isInside(root, dir) || dir === path.resolve(root)) {
        problems.push({
          file: specFile,
          message: `local package \`${local}\` points outside the project tree and was not loaded`,
          severity: 'error',
        });
        continue;
      }
      await add(dir, 'local', toPosix(path.relative(root, dir)));
    }
  }

  await reportPathsOutside(root, rootFile, 'dbt_project.yml', problems);
  const installPath = asString(rawInstallPath) ?? 'dbt_packages';
  const installDir = path.resolve(root, installPath);
  if (!isInside(root, installDir)) {
    problems.push({
      file: 'dbt_project.yml',
      line: await keyLine(path.join(root, 'dbt_project.yml'), 'packages-install-path'),
      message: `\`packages-install-path: ${installPath}\` points outside the project tree: installed packages were not read`,
      severity: 'error',
    });
  } else {
    let entries: string[] = [];
    try {
      entries = (await readdir(installDir, { withFileTypes: true }))
        .filter((e) => e.isDirectory() || e.isSymbolicLink())
        .map((e) => e.name)
        .sort();
    } catch {
      entries = [];
    }
    for (const name of entries) await add(path.join(installDir, name), 'installed', toPosix(path.join(installPath, name)));
  }
  return found;
}

/** dbt_project.yml keys whose folders are read, by the DbtProjectFile field holding them. */
const PATH_KEYS = [
  ['model_paths', 'model-paths'],
  ['seed_paths', 'seed-paths'],
  ['snapshot_paths', 'snapshot-paths'],
  ['macro_paths', 'macro-paths'],
  ['test_paths', 'test-paths'],
  ['analysis_paths', 'analysis-paths'],
] as const;

/**
 * Resource folders that leave the project tree (`model-paths: ["../../etc"]`, `/usr/lib`) are never
 * read (collectFiles skips them); say so, naming the key and its line.
 */
async function reportPathsOutside(dir: string, file: DbtProjectFile, label: string, problems: Problem[]): Promise<void> {
  for (const [field, key] of PATH_KEYS) {
    for (const entry of file[field]) {
      if (isInside(dir, path.resolve(dir, entry))) continue;
      problems.push({
        file: label,
        line: await keyLine(path.join(dir, 'dbt_project.yml'), key),
        message: `\`${key}\` entry \`${entry}\` points outside the project tree and was not read`,
        severity: 'error',
      });
    }
  }
}

/** The 1-based line where a top-level key of a YAML file is set, when it can be found. */
async function keyLine(file: string, key: string): Promise<number | undefined> {
  const text = await readFile(file, 'utf8').catch(() => '');
  const re = new RegExp(`^${key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*:`, 'm');
  const m = re.exec(text);
  return m ? text.slice(0, m.index).split('\n').length : undefined;
}
