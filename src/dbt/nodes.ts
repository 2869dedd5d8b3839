import { createHash } from 'node:crypto';
import type { ProjectFile } from './files.js';
import { folderParts, stem } from './files.js';
import { scanRefsAndSources } from './ref-scan.js';
import { csvHeader } from './seed-csv.js';
import { extractBlocks } from './sql-blocks.js';
import type { DbtNode, NodeResourceType, Problem } from './types.js';

/**
 * Node skeletons from files, before configs, properties and rendering: one per model, seed,
 * analysis and singular test file, one per `{% snapshot %}` block. dbt's unique ids, fqn and paths.
 */

export function skeleton(
  resource_type: NodeResourceType,
  name: string,
  package_name: string,
  file: Pick<ProjectFile, 'path' | 'original_file_path'>,
  raw_code: string,
  fqn: string[],
  language: 'sql' | 'python' = 'sql',
): DbtNode {
  return {
    unique_id: `${resource_type}.${package_name}.${name}`,
    resource_type,
    name,
    package_name,
    path: file.path,
    original_file_path: file.original_file_path,
    patch_path: null,
    fqn,
    database: null,
    schema: '',
    alias: name,
    relation_name: null,
    config: { enabled: true, materialized: '', tags: [], meta: {} },
    tags: [],
    meta: {},
    description: '',
    columns: {},
    language,
    raw_code,
    compiled_code: null,
    render_error: null,
    refs: [],
    sources: [],
    depends_on: { nodes: [], macros: [] },
    version: null,
    latest_version: null,
    group: null,
    access: resource_type === 'model' ? 'protected' : null,
    contract: { enforced: false, alias_types: true },
    constraints: [],
  };
}

/** fqn of a file-backed node: package, the folders under its resource path, then its name. */
export function fileFqn(package_name: string, file: Pick<ProjectFile, 'path'>, name: string): string[] {
  return [package_name, ...folderParts(file.path), name];
}

export function modelNode(file: ProjectFile, package_name: string): DbtNode {
  const name = stem(file.path);
  const python = file.path.toLowerCase().endsWith('.py');
  const node = skeleton('model', name, package_name, file, file.text, fileFqn(package_name, file, name), python ? 'python' : 'sql');
  if (python) applyPythonCalls(node);
  return node;
}

/**
 * A Python model is never executed: its `dbt.ref()`/`dbt.source()` calls are found by pattern,
 * and literal `dbt.config(key=value)` arguments are read as config.
 */
function applyPythonCalls(node: DbtNode): void {
  const text = node.raw_code;
  const calls = scanRefsAndSources(text.replace(/\bdbt\.(ref|source)\s*\(/g, ' $1('));
  node.refs = calls.refs;
  node.sources = calls.sources;
  const configCall = /\bdbt\.config\s*\(([^)]*)\)/g;
  let m: RegExpExecArray | null;
  const config: Record<string, unknown> = {};
  while ((m = configCall.exec(text)) !== null) {
    for (const kv of m[1].matchAll(/(\w+)\s*=\s*("([^"]*)"|'([^']*)'|True|False|\d+(?:\.\d+)?|\[[^\]]*\])/g)) {
      const raw = kv[2];
      let value: unknown;
      if (kv[3] !== undefined || kv[4] !== undefined) value = kv[3] ?? kv[4];
      else if (raw === 'True' || raw === 'False') value = raw === 'True';
      else if (raw.startsWith('[')) value = [...raw.matchAll(/["']([^"']*)["']/g)].map((x) => x[1]);
      else value = Number(raw);
      config[kv[1]] = value;
    }
  }
  pythonConfigs.set(node, config);
}

/** Side data kept off the node objects so that they stay shaped like manifest.json's. */
const pythonConfigs = new WeakMap<DbtNode, Record<string, unknown>>();
const lineOffsets = new WeakMap<DbtNode, number>();

/** Config read from a Python model's `dbt.config(...)`, if any. */
export function pythonConfig(node: DbtNode): Record<string, unknown> {
  return pythonConfigs.get(node) ?? {};
}

export function seedNode(file: ProjectFile, package_name: string): DbtNode {
  const name = stem(file.path);
  const node = skeleton('seed', name, package_name, file, '', fileFqn(package_name, file, name));
  node.seed_columns = csvHeader(file.text);
  node.checksum = { name: 'sha256', checksum: file.sha256 ?? createHash('sha256').update(file.text).digest('hex') };
  return node;
}


export function snapshotNodes(file: ProjectFile, package_name: string, problems: Problem[]): DbtNode[] {
  const { blocks, problems: blockProblems } = extractBlocks(file.text, ['snapshot']);
  for (const p of blockProblems) problems.push({ file: file.original_file_path, line: p.line, message: p.message, severity: 'error' });
  return blocks.map((b) => {
    const node = skeleton('snapshot', b.name, package_name, file, b.body, [package_name, ...folderParts(file.path), b.name]);
    lineOffsets.set(node, b.bodyLine - 1);
    return node;
  });
}

/**
 * A snapshot defined in YAML alone (dbt ≥ 1.9): `relation: ref('orders')` or `source('raw', 'orders')`
 * instead of a `{% snapshot %}` block. Its SQL is what dbt builds: every column of that relation.
 */
export function yamlSnapshotNode(name: string, relation: string, file: ProjectFile, package_name: string): DbtNode {
  return skeleton('snapshot', name, package_name, file, `select * from {{ ${relation.trim()} }}`, [package_name, ...folderParts(file.path), name]);
}

/** Lines between the top of the file and the template that was rendered (snapshot bodies start mid-file). */
export function templateLineOffset(node: DbtNode): number {
  return lineOffsets.get(node) ?? 0;
}

export function singularTestNode(file: ProjectFile, package_name: string): DbtNode {
  const name = stem(file.path);
  return skeleton('test', name, package_name, file, file.text, fileFqn(package_name, file, name));
}

export function analysisNode(file: ProjectFile, package_name: string): DbtNode {
  const name = stem(file.path);
  return skeleton('analysis', name, package_name, file, file.text, fileFqn(package_name, file, name));
}
