import { collectFiles, type ProjectFile } from './files.js';
import type { LoadedPackage } from './packages.js';

/** The files of one project or package, sorted by resource. */
export interface PackageFiles {
  pkg: LoadedPackage;
  models: ProjectFile[];
  seeds: ProjectFile[];
  snapshots: ProjectFile[];
  /** .sql files holding macros, generic tests and materializations. */
  macros: ProjectFile[];
  singularTests: ProjectFile[];
  analyses: ProjectFile[];
  /** YAML property files anywhere under the resource paths. */
  properties: ProjectFile[];
}

const isGeneric = (f: ProjectFile): boolean => f.path.split('/')[0] === 'generic';
const isYaml = (f: ProjectFile): boolean => /\.ya?ml$/i.test(f.abs);

export async function readPackageFiles(pkg: LoadedPackage): Promise<PackageFiles> {
  const p = pkg.file;
  const dir = pkg.dir;
  const [models, seeds, snapshots, macros, tests, analyses] = await Promise.all([
    collectFiles(dir, p.model_paths, ['.sql', '.py', '.yml', '.yaml']),
    collectFiles(dir, p.seed_paths, ['.csv', '.yml', '.yaml']),
    collectFiles(dir, p.snapshot_paths, ['.sql', '.yml', '.yaml']),
    collectFiles(dir, p.macro_paths, ['.sql', '.yml', '.yaml']),
    collectFiles(dir, p.test_paths, ['.sql', '.yml', '.yaml']),
    collectFiles(dir, p.analysis_paths, ['.sql', '.yml', '.yaml']),
  ]);
  const properties = new Map<string, ProjectFile>();
  for (const f of [...models, ...seeds, ...snapshots, ...macros, ...tests, ...analyses]) if (isYaml(f)) properties.set(f.abs, f);
  const notYaml = (files: ProjectFile[]): ProjectFile[] => files.filter((f) => !isYaml(f));
  const testSql = notYaml(tests).filter((f) => f.abs.toLowerCase().endsWith('.sql'));
  return {
    pkg,
    models: notYaml(models),
    seeds: notYaml(seeds),
    snapshots: notYaml(snapshots),
    macros: [...notYaml(macros), ...testSql.filter(isGeneric)],
    singularTests: testSql.filter((f) => !isGeneric(f)),
    analyses: notYaml(analyses),
    properties: [...properties.values()].sort((a, b) => (a.abs < b.abs ? -1 : 1)),
  };
}
