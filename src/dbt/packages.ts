import { readdir, readFile } from 'node:fs/promises';
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
export async function discoverPackages(root: string, rootFile: DbtProjectFile, rawInstallPath: unknown, problems: Problem[]): Promise<LoadedPackage[]> {
  const found: LoadedPackage[] = [];
  const names = new Set<string>([rootFile.name]);
  const add = async (dir: string, origin: PackageInfo['origin'], label: string): Promise<void> => {
    try {
      const file = await readProjectFile(dir, `${label}/dbt_project.yml`);
      if (names.has(file.name)) return;
      names.add(file.name);
      found.push({ info: { name: file.name, root: toPosix(path.relative(root, dir)) || '.', origin }, dir, file });
    } catch (err) {
      problems.push({ file: `${label}/dbt_project.yml`, message: err instanceof Error ? err.message : String(err), severity: 'error' });
    }
  };

  for (const specFile of ['packages.yml', 'dependencies.yml']) {
    let text: string;
    try {
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

  const installPath = asString(rawInstallPath) ?? 'dbt_packages';
  const installDir = path.resolve(root, installPath);
  if (isInside(root, installDir)) {
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
