import { stat } from 'node:fs/promises';
import path from 'node:path';
import { collectFiles, stem, type CollectOptions, type ProjectFile } from './files.js';
import { ProjectLoadError } from './project-file.js';
import type { LoadedPackage } from './packages.js';
import type { Problem } from './types.js';

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

export interface ReadPackageOptions {
  /** `limits.max_file_bytes`: a larger file is not read (its size is checked first) and becomes a problem. */
  maxFileBytes?: number;
  /** Where the oversize files are reported. */
  problems?: Problem[];
}

const isGeneric = (f: ProjectFile): boolean => f.path.split('/')[0] === 'generic';
const isYaml = (f: { abs: string }): boolean => /\.ya?ml$/i.test(f.abs);
const isModelCode = (f: { abs: string }): boolean => /\.(sql|py)$/i.test(f.abs);

export async function readPackageFiles(pkg: LoadedPackage, options: ReadPackageOptions = {}): Promise<PackageFiles> {
  const p = pkg.file;
  const dir = pkg.dir;
  const located = (file: string): string => (pkg.info.root === '.' ? file : `${pkg.info.root}/${file}`);
  // Oversize model files stay in the graph with no code, so they do not look removed.
  const stubs: ProjectFile[] = [];
  // Each kind's problems are kept apart and appended in a fixed order: reads finish in any order.
  const reported: Problem[][] = [];
  const bounded = (kind: 'model' | 'seed' | 'other'): CollectOptions => {
    const problems: Problem[] = [];
    reported.push(problems);
    return {
      maxBytes: options.maxFileBytes,
      // Seeds are not rendered: their header is all that is read, whatever their size.
      headOfOversize: kind === 'seed',
      onOversize: (file, bytes) => {
        const seedCsv = kind === 'seed' && !isYaml(file);
        const keep = kind === 'model' && isModelCode(file);
        if (keep) stubs.push({ ...file, text: '' });
        problems.push({
          file: located(file.original_file_path),
          // A seed keeps its header (its columns) and its hash (an edit still shows); its rows are not read.
          message: seedCsv
            ? `only the header read: the file is ${bytes} bytes, over limits.max_file_bytes (${options.maxFileBytes}); a change to it is detected but not built`
            : `not read: the file is ${bytes} bytes, over limits.max_file_bytes (${options.maxFileBytes})`,
          severity: 'warning',
          ...(keep ? { unique_id: `model.${pkg.info.name}.${stem(file.path)}` } : seedCsv ? { unique_id: `seed.${pkg.info.name}.${stem(file.path)}` } : {}),
          oversize: { bytes, limit: options.maxFileBytes ?? bytes },
        });
      },
      onSymlink: (file, reason) => {
        problems.push({ file: located(file.original_file_path), message: `not read: ${reason}`, severity: 'warning' });
      },
    };
  };
  const [models, seeds, snapshots, macros, tests, analyses] = await Promise.all([
    collectFiles(dir, p.model_paths, ['.sql', '.py', '.yml', '.yaml'], bounded('model')),
    collectFiles(dir, p.seed_paths, ['.csv', '.yml', '.yaml'], bounded('seed')),
    collectFiles(dir, p.snapshot_paths, ['.sql', '.yml', '.yaml'], bounded('other')),
    collectFiles(dir, p.macro_paths, ['.sql', '.yml', '.yaml'], bounded('other')),
    collectFiles(dir, p.test_paths, ['.sql', '.yml', '.yaml'], bounded('other')),
    collectFiles(dir, p.analysis_paths, ['.sql', '.yml', '.yaml'], bounded('other')),
  ]);
  for (const list of reported) options.problems?.push(...list);
  const properties = new Map<string, ProjectFile>();
  for (const f of [...models, ...seeds, ...snapshots, ...macros, ...tests, ...analyses]) if (isYaml(f)) properties.set(f.abs, f);
  const notYaml = (files: ProjectFile[]): ProjectFile[] => files.filter((f) => !isYaml(f));
  const testSql = notYaml(tests).filter((f) => f.abs.toLowerCase().endsWith('.sql'));
  return {
    pkg,
    models: [...notYaml(models), ...stubs].sort((a, b) => (a.abs < b.abs ? -1 : a.abs > b.abs ? 1 : 0)),
    seeds: notYaml(seeds),
    snapshots: notYaml(snapshots),
    macros: [...notYaml(macros), ...testSql.filter(isGeneric)],
    singularTests: testSql.filter((f) => !isGeneric(f)),
    analyses: notYaml(analyses),
    properties: [...properties.values()].sort((a, b) => (a.abs < b.abs ? -1 : 1)),
  };
}

/**
 * limits.max_file_bytes for the root dbt_project.yml, checked before anything reads it: without it
 * there is no project, so a file over the limit stops the load with a message naming it.
 */
export async function assertProjectFileSize(dir: string, maxBytes: number): Promise<void> {
  const size = await stat(path.join(dir, 'dbt_project.yml')).then((s) => s.size, () => 0);
  if (size > maxBytes) throw new ProjectLoadError(`dbt_project.yml: not read: the file is ${size} bytes, over limits.max_file_bytes (${maxBytes})`, 'dbt_project.yml');
}
