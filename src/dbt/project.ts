import path from 'node:path';
import { mergeConfig, resolveFolderConfig, toNodeConfig } from './configs.js';
import { buildGenericTest } from './generic-tests.js';
import { buildGraphMaps } from './graph.js';
import { macrosFromFile, resolveMacroDependencies } from './macro-files.js';
import { Naming } from './naming.js';
import { analysisNode, modelNode, pythonConfig, seedNode, singularTestNode, snapshotNodes, templateLineOffset, yamlSnapshotNode } from './nodes.js';
import { readPackageFiles } from './package-files.js';
import { discoverPackages, type LoadedPackage } from './packages.js';
import { applyProperties, applyVersions, indexPatches, patchKey, sectionOf, testsFor, yamlConfig, type VersionInfo } from './patches.js';
import { readProjectFile, renderFolderConfigs } from './project-file.js';
import { parsePropertyFile, type PropertyEntry } from './properties.js';
import { defaultQuoting } from './relations.js';
import { globalMacros } from './render/global-macros.js';
import { createRenderer, staticScan } from './render/index.js';
import type { MetadataLookup, Renderer, RendererOptions, RenderTarget } from './render/types.js';
import { Resolver } from './resolve.js';
import { lineOf, resolveCalls } from './link.js';
import { finishNode, renderDeep, renderTargetFor, safeRenderValue } from './render-values.js';
import { buildExposure, buildGroup, buildOther, buildSources, type BuiltSource } from './sources.js';
import { columnArg, columnTags, genericTestNode, genericTestTemplate, hasProjectTestMacro, TEST_CONFIG_DEFAULTS, testMacroResolver } from './test-nodes.js';
import type { DbtNode, DbtProjectFile, Macro, PackageInfo, Problem, Project, RefCall, SourceCall, Target } from './types.js';
import { asString, isRecord } from './yaml.js';

export { ProjectLoadError } from './project-file.js';

export interface LoadProjectOptions {
  /** The target rendered against; defaults to DuckDB `main.main` as `dev`. */
  target?: Partial<Target>;
  /** `--vars`: win over the project's vars, and are the only vars dbt_project.yml itself sees. */
  vars?: Record<string, unknown>;
  /** What env_var() may read (names starting DBT_, plus envAllow). Defaults to none: rendering runs without secrets. */
  env?: Record<string, string | undefined>;
  envAllow?: string[];
  metadata?: MetadataLookup;
  runStartedAt?: Date;
  /** Render every node a second time with real relation names to fill compiled_code (default true). */
  compile?: boolean;
  /** limits.max_file_bytes: a larger project file is not read and becomes a problem naming it. */
  maxFileBytes?: number;
  /** Bounds on each render, and the hooks a supervising process uses (see src/sandbox/). */
  render?: Pick<RendererOptions, 'limits' | 'onRenderStart' | 'onRenderEnd' | 'skip'>;
}

const DEFAULT_TARGET: Target = { name: 'dev', type: 'duckdb', database: 'main', schema: 'main' };

/** Which dbt_project.yml section configures each resource type (analyses use `models:`, as in dbt). */
const CONFIG_SECTION = { model: 'models', analysis: 'models', seed: 'seeds', snapshot: 'snapshots', test: 'tests', operation: 'models' } as const;
const DEFAULT_MATERIALIZED = { model: 'view', analysis: 'view', seed: 'seed', snapshot: 'snapshot', test: 'test', operation: 'view' } as const;

/**
 * Loads a dbt project directory (and its packages) into a Project: nodes with dbt's unique ids,
 * configs merged as dbt merges them, rendered SQL, tests from YAML, sources, exposures and the
 * lineage maps. Only an unusable root dbt_project.yml throws (ProjectLoadError); every other
 * defect becomes a Problem and loading goes on.
 */
export async function loadProject(dir: string, options: LoadProjectOptions = {}): Promise<Project> {
  return (await loadProjectWithCompiler(dir, options)).project;
}

/** Renders one node again with some refs pointing at other relations (the PR versions of changed parents). */
export type NodeCompiler = (uniqueId: string, relationOverrides: Record<string, string>) => Promise<CompileResult>;
export type CompileResult = { sql: string } | { error: string; line?: number };

/** loadProject, plus a compiler that re-renders nodes with the same macros, vars and target. */
export async function loadProjectWithCompiler(dir: string, options: LoadProjectOptions = {}): Promise<{ project: Project; compile: NodeCompiler }> {
  const root = path.resolve(dir);
  const problems: Problem[] = [];
  const rawRootFile = await readProjectFile(root, 'dbt_project.yml');
  const target: Target = { ...DEFAULT_TARGET, ...options.target } as Target;
  const cliVars = options.vars ?? {};
  const env = options.env ?? {};
  const envAllow = options.envAllow ?? [];
  const rawInstallPath = await installPathOf(root);

  const discovered = await discoverPackages(root, rawRootFile, rawInstallPath, problems, options.maxFileBytes);
  const rootPkg: LoadedPackage = { info: { name: rawRootFile.name, root: '.', origin: 'root' }, dir: root, file: rawRootFile };
  const packages = [rootPkg, ...discovered];
  const packageNames = packages.map((p) => p.info.name);

  // dbt_project.yml is rendered before anything else, seeing only CLI vars (dbt's rule).
  const projectRenderer = createRenderer({
    rootProject: rawRootFile.name,
    target,
    projectVars: {},
    cliVars,
    macros: [],
    dispatch: [],
    packages: packageNames,
    env,
    envAllow,
    resolveRef: () => undefined,
    resolveSource: () => undefined,
    ...options.render,
  });
  for (const pkg of packages) {
    const label = pkg.info.root === '.' ? 'dbt_project.yml' : `${pkg.info.root}/dbt_project.yml`;
    pkg.file = renderFolderConfigs(pkg.file, (v) => safeRenderValue(projectRenderer, v, undefined, label, problems));
  }
  const rootFile = packages[0].file;
  const projectFiles = new Map<string, DbtProjectFile>(packages.map((p) => [p.info.name, p.file]));
  const sectionsFor = (section: keyof typeof CONFIG_SECTION_KEYS, pkg: string): Record<string, unknown>[] => {
    const own = projectFiles.get(pkg)?.[section] ?? {};
    return pkg === rootFile.name ? [own] : [own, rootFile[section]];
  };

  // Packages are read in parallel; their problems are appended in package order, so they are stable.
  const perPackage = packages.map(() => [] as Problem[]);
  const files = await Promise.all(packages.map((pkg, i) => readPackageFiles(pkg, { maxFileBytes: options.maxFileBytes, problems: perPackage[i] })));
  for (const list of perPackage) problems.push(...list);
  const located = (pkg: LoadedPackage, file: string): string => (pkg.info.root === '.' ? file : `${pkg.info.root}/${file}`);
  // Problems name files relative to the root project; nodes keep dbt's package-relative paths.
  const pkgByName = new Map(packages.map((p) => [p.info.name, p]));
  const fileIn = (pkgName: string, file: string): string => located(pkgByName.get(pkgName) ?? rootPkg, file);

  // Macros first: the renderer needs all of them.
  const macros: Macro[] = [];
  for (const pf of files) {
    for (const f of pf.macros) {
      const local: Problem[] = [];
      macros.push(...macrosFromFile(f, pf.pkg.info.name, local));
      for (const p of local) problems.push({ ...p, file: located(pf.pkg, p.file) });
    }
  }
  resolveMacroDependencies(macros, rootFile.name);

  // YAML properties.
  const entries: PropertyEntry[] = [];
  for (const pf of files) {
    for (const f of pf.properties) {
      const local: Problem[] = [];
      entries.push(...parsePropertyFile(f, pf.pkg.info.name, local));
      for (const p of local) problems.push({ ...p, file: located(pf.pkg, p.file) });
    }
  }
  applyMacroProperties(macros, entries);
  const patches = indexPatches(entries, problems);

  const resolver = new Resolver(rootFile.name);
  // Set only while `compile` re-renders a node for a PR build.
  let refOverrides: Record<string, string> = {};
  // Ephemeral models compile to a CTE named as dbt names it.
  const relationOf = (relation: string | null, alias: string): string => relation ?? `__dbt__cte__${alias}`;
  const quoting = defaultQuoting(target.type, rootFile.quoting);
  const renderer = createRenderer({
    rootProject: rootFile.name,
    target,
    projectVars: rootFile.vars,
    cliVars,
    macros: [...globalMacros.filter((g) => !macros.some((m) => m.name === g.name)), ...macros],
    dispatch: rootFile.dispatch,
    packages: packageNames,
    env,
    envAllow,
    metadata: options.metadata,
    runStartedAt: options.runStartedAt,
    resolveRef: (ref, fromPackage) => {
      const hit = resolver.ref(ref, fromPackage);
      if (hit.kind !== 'found') return undefined;
      return refOverrides[hit.item.unique_id] ?? relationOf(hit.item.relation_name, hit.item.alias);
    },
    resolveSource: (source, table, fromPackage) => {
      const hit = resolver.source(source, table, fromPackage);
      return hit.kind === 'found' ? hit.item.relation_name : undefined;
    },
    declaredColumns: (relation) => declared.get(relation),
    ...options.render,
  });
  const declared = new Map<string, { name: string; data_type?: string | null }[]>();
  const naming = new Naming(target, quoting, rootFile.name, macros, () => renderer, problems);

  // Nodes from files.
  const all: DbtNode[] = [];
  const versionOf = new Map<DbtNode, VersionInfo>();
  for (const pf of files) {
    const pkg = pf.pkg.info.name;
    const models = pf.models.map((f) => modelNode(f, pkg));
    for (const [node, v] of applyVersions(models, patches, pkg, problems)) versionOf.set(node, v);
    const fromFiles = [
      ...models,
      ...pf.seeds.map((f) => seedNode(f, pkg)),
      ...pf.snapshots.flatMap((f) => snapshotNodes(f, pkg, problems)),
      ...pf.singularTests.map((f) => singularTestNode(f, pkg)),
      ...pf.analyses.map((f) => analysisNode(f, pkg)),
    ];
    all.push(...fromFiles);
  }
  // dbt ≥ 1.9: snapshots declared in YAML with `relation:` and no SQL block of their own.
  const sqlSnapshots = new Set(all.filter((n) => n.resource_type === 'snapshot').map((n) => `${n.package_name}.${n.name}`));
  for (const e of entries) {
    if (e.section !== 'snapshots' || sqlSnapshots.has(`${e.package_name}.${e.name}`)) continue;
    const relation = e.entry.relation;
    if (typeof relation !== 'string') continue;
    if (!/^\s*(ref|source)\s*\(/.test(relation)) {
      problems.push({ file: fileIn(e.package_name, e.file.original_file_path), line: e.line, message: `snapshot \`${e.name}\`: relation must be a ref() or source(), got ${JSON.stringify(relation)}`, severity: 'error' });
      continue;
    }
    all.push(yamlSnapshotNode(e.name, relation, e.file, e.package_name));
  }

  // Configs (folder < YAML < config()), parse-mode render, naming.
  const usedPatches = new Set<PropertyEntry>();
  const renderTargetOf = new Map<DbtNode, RenderTarget>();
  for (const node of all) {
    const pkg = node.package_name;
    const section = sectionOf(node);
    const patch = section ? patches.get(patchKey(section, pkg, node.name)) : undefined;
    const version = versionOf.get(node);
    let raw: Record<string, unknown> = node.resource_type === 'test' ? { ...TEST_CONFIG_DEFAULTS } : {};
    raw = mergeConfig(raw, resolveFolderConfig(sectionsFor(CONFIG_SECTION[node.resource_type], pkg), node.fqn));
    if (patch) {
      usedPatches.add(patch);
      applyProperties(node, patch, version);
      raw = mergeConfig(raw, renderDeep(renderer, yamlConfig(patch, version), pkg, fileIn(pkg, patch.file.original_file_path), problems));
    }
    node.config = toNodeConfig(raw, DEFAULT_MATERIALIZED[node.resource_type]);
    const rt = renderTargetFor(node, target);
    if (node.language === 'python') {
      raw = mergeConfig(raw, pythonConfig(node));
    } else {
      const outcome = renderer.render({ node: rt, template: node.raw_code, mode: 'parse' });
      node.depends_on.macros = [...new Set(outcome.macros)].sort();
      if (outcome.error) {
        const line = outcome.error.line !== undefined ? outcome.error.line + templateLineOffset(node) : undefined;
        node.render_error = { file: fileIn(pkg, node.original_file_path), line, message: outcome.error.message, severity: 'error', unique_id: node.unique_id };
        problems.push(node.render_error);
        const scanned = staticScan(node.raw_code);
        node.refs = scanned.refs;
        node.sources = scanned.sources;
      } else {
        node.refs = outcome.refs;
        node.sources = outcome.sources;
      }
      raw = mergeConfig(raw, outcome.config);
    }
    node.config = toNodeConfig(raw, DEFAULT_MATERIALIZED[node.resource_type]);
    finishNode(node);
    naming.apply(node, rt);
    renderTargetOf.set(node, rt);
  }

  // Properties that name nothing.
  for (const patch of patches.values()) {
    if (usedPatches.has(patch)) continue;
    problems.push({
      file: fileIn(patch.package_name, patch.file.original_file_path),
      line: patch.line,
      message: `properties for ${patch.section.replace(/s$/, '').replace(/analyse$/, 'analysis')} \`${patch.name}\` but no such file exists`,
      severity: 'warning',
    });
  }

  // Sources, exposures, groups, other resources.
  const srcCtx = {
    target,
    quoting,
    folderSections: (pkg: string) => sectionsFor('sources', pkg),
    render: (v: unknown, pkg: string, e: PropertyEntry) => renderDeep(renderer, v, pkg, fileIn(pkg, e.file.original_file_path), problems),
  };
  const sources: Project['sources'] = {};
  const builtSources: BuiltSource[] = [];
  const project: Project = {
    name: rootFile.name,
    root,
    origin: 'files',
    target,
    vars: { ...rootFile.vars, ...cliVars },
    packages: packages.map((p): PackageInfo => p.info),
    nodes: {},
    sources,
    exposures: {},
    macros: Object.fromEntries(macros.map((m) => [m.unique_id, m])),
    groups: {},
    other: {},
    disabled: {},
    parent_map: {},
    child_map: {},
    problems,
  };
  const graphRefs: { id: string; file: string; pkg: string; refs: RefCall[]; sources: SourceCall[]; set: (ids: string[]) => void }[] = [];
  for (const e of entries) {
    if (e.section === 'sources') {
      for (const b of buildSources(e, srcCtx)) {
        builtSources.push(b);
        resolver.addSource(b.source, b.source.config.enabled);
        if (b.source.config.enabled) sources[b.source.unique_id] = b.source;
        declared.set(b.source.relation_name, Object.values(b.source.columns).map((c) => ({ name: c.name, data_type: c.data_type })));
      }
    } else if (e.section === 'exposures') {
      const x = buildExposure(e, srcCtx);
      if (!x.config.enabled) continue;
      project.exposures[x.unique_id] = x;
      graphRefs.push({ id: x.unique_id, file: fileIn(x.package_name, x.original_file_path), pkg: x.package_name, refs: x.refs, sources: x.sources, set: (ids) => (x.depends_on.nodes = ids) });
    } else if (e.section === 'groups') {
      const g = buildGroup(e);
      project.groups[g.unique_id] = g;
    } else if (!['models', 'seeds', 'snapshots', 'analyses', 'macros'].includes(e.section)) {
      const o = buildOther(e);
      project.other[o.resource.unique_id] = o.resource;
      graphRefs.push({ id: o.resource.unique_id, file: fileIn(e.package_name, e.file.original_file_path), pkg: e.package_name, refs: o.refs, sources: o.sources, set: (ids) => (o.resource.depends_on.nodes = ids) });
    }
  }

  // Generic tests from YAML, on nodes and on sources.
  const nodeByPatchKey = new Map<string, DbtNode[]>();
  for (const n of all) {
    const s = sectionOf(n);
    if (!s) continue;
    const k = patchKey(s, n.package_name, n.name);
    const list = nodeByPatchKey.get(k);
    if (list) list.push(n);
    else nodeByPatchKey.set(k, [n]);
  }
  const tests: DbtNode[] = [];
  const testMacro = testMacroResolver(macros, rootFile.name);
  const renderYaml = (pkg: string, file: string) => (v: unknown) => safeRenderValue(renderer, v, pkg, file, problems);
  const addTests = (e: PropertyEntry, targetNode: DbtNode | null, build: (entry: unknown, column: Record<string, unknown> | null) => ReturnType<typeof buildGenericTest>, groups: { column: Record<string, unknown> | null; tests: unknown[] }[]) => {
    for (const g of groups) {
      for (const t of g.tests) {
        const spec = build(t, g.column);
        if ('error' in spec) {
          problems.push({ file: fileIn(e.package_name, e.file.original_file_path), line: e.line, message: `invalid test on \`${e.name}\`: ${spec.error}`, severity: 'error' });
          continue;
        }
        const node = genericTestNode(spec, e.file, e.package_name);
        let raw = mergeConfig({ ...TEST_CONFIG_DEFAULTS }, resolveFolderConfig(sectionsFor('tests', e.package_name), node.fqn));
        raw = mergeConfig(raw, spec.config);
        node.config = toNodeConfig(raw, 'test');
        node.tags = [...new Set([...node.tags, ...node.config.tags])].sort();
        node.depends_on.macros = [testMacro(spec.macro_name, e.package_name), 'macro.dbt.get_where_subquery'];
        finishNode(node);
        if (targetNode) {
          // As dbt: a generic test inherits the group of the node it is attached to.
          node.attached_node = targetNode.unique_id;
          node.group = targetNode.config.group ?? null;
        }
        naming.apply(node, renderTargetFor(node, target));
        tests.push(node);
      }
    }
  };
  for (const patch of patches.values()) {
    for (const targetNode of nodeByPatchKey.get(patchKey(patch.section, patch.package_name, patch.name)) ?? []) {
      const version = versionOf.get(targetNode);
      const ttarget = { kind: 'node' as const, name: patch.name, version: version?.v ?? null };
      addTests(patch, targetNode, (t, c) => buildGenericTest(t, ttarget, columnArg(c), columnTags(c), patch.package_name, renderYaml(patch.package_name, fileIn(patch.package_name, patch.file.original_file_path))), testsFor(patch, version));
    }
  }
  for (const b of builtSources) {
    const ttarget = { kind: 'source' as const, source: b.source.source_name, table: b.source.name };
    const groups = testsFor({ ...b.entry, entry: b.table });
    addTests(b.entry, null, (t, c) => buildGenericTest(t, ttarget, columnArg(c), columnTags(c), b.entry.package_name, renderYaml(b.entry.package_name, fileIn(b.entry.package_name, b.entry.file.original_file_path))), groups);
  }
  all.push(...tests);

  // Enabled nodes join the graph; the rest go to `disabled`.
  for (const n of all) resolver.addNode(n, n.config.enabled);
  for (const n of all) {
    if (n.config.enabled) project.nodes[n.unique_id] = n;
    else (project.disabled[n.unique_id] ??= []).push(n);
  }

  // Resolve refs and sources into depends_on; tests on disabled nodes are disabled, as in dbt.
  const unresolved = new Set<DbtNode>();
  for (const n of Object.values(project.nodes)) {
    const result = resolveCalls(resolver, n.package_name, n.refs, n.sources);
    n.depends_on.nodes = result.ids;
    if (result.disabled.length > 0 && n.resource_type === 'test') {
      n.config.enabled = false;
      delete project.nodes[n.unique_id];
      (project.disabled[n.unique_id] ??= []).push(n);
      continue;
    }
    for (const msg of [...result.missing, ...result.disabled]) {
      unresolved.add(n);
      problems.push({ file: fileIn(n.package_name, n.original_file_path), line: lineOf(n.raw_code, msg.needle, templateLineOffset(n)), message: msg.message, severity: msg.severity, unique_id: n.unique_id });
    }
  }
  for (const g of graphRefs) {
    const result = resolveCalls(resolver, g.pkg, g.refs, g.sources);
    g.set(result.ids);
    for (const msg of [...result.missing, ...result.disabled]) problems.push({ file: g.file, message: `${g.id}: ${msg.message}`, severity: 'warning', unique_id: g.id });
  }

  // Declared columns let star() work without a warehouse.
  for (const n of Object.values(project.nodes)) {
    if (n.relation_name && Object.keys(n.columns).length > 0) declared.set(n.relation_name, Object.values(n.columns).map((c) => ({ name: c.name, data_type: c.data_type })));
  }

  if (options.compile !== false) {
    const macroIds = new Set(macros.map((m) => m.unique_id));
    for (const n of Object.values(project.nodes)) {
      if (n.language === 'python' || n.render_error || unresolved.has(n)) continue;
      // A generic test runs dbt's own macro natively (src/assess); one defined in the project or a
      // package is rendered here with its arguments, as dbt compiles it.
      const generic = n.resource_type === 'test' && n.test_metadata ? (hasProjectTestMacro(n, macroIds) ? genericTestTemplate(n) : null) : undefined;
      if (generic === null) continue;
      if (generic && 'error' in generic) {
        n.render_error = { file: fileIn(n.package_name, n.original_file_path), message: generic.error, severity: 'error', unique_id: n.unique_id };
        continue;
      }
      const rt = renderTargetOf.get(n) ?? renderTargetFor(n, target);
      const template = generic ? generic.template : n.raw_code;
      const outcome = renderer.render({ node: { ...rt, database: n.database, schema: n.schema, alias: n.alias, config: n.config }, template, mode: 'compile' });
      if (outcome.error) {
        const line = outcome.error.line !== undefined && !generic ? outcome.error.line + templateLineOffset(n) : undefined;
        n.render_error = { file: fileIn(n.package_name, n.original_file_path), line, message: outcome.error.message, severity: 'error', unique_id: n.unique_id };
        // A generic test's failure shows where the test runs (a package test may still run natively).
        if (!generic) problems.push(n.render_error);
      } else {
        n.compiled_code = outcome.sql;
        const macros = [...new Set([...n.depends_on.macros, ...outcome.macros])];
        // A generic test keeps dbt's order (its test macro, then get_where_subquery) ahead of the rest.
        n.depends_on.macros = generic ? macros : macros.sort();
      }
    }
  }

  Object.assign(project, buildGraphMaps(project));
  const compile: NodeCompiler = async (uniqueId, relationOverrides) => {
    const n = project.nodes[uniqueId];
    if (!n) return { error: `${uniqueId} is not in the project` };
    if (n.render_error) return { error: n.render_error.message, line: n.render_error.line };
    const rt = renderTargetOf.get(n) ?? renderTargetFor(n, target);
    refOverrides = relationOverrides;
    try {
      const outcome = renderer.render({ node: { ...rt, database: n.database, schema: n.schema, alias: n.alias, config: n.config }, template: n.raw_code, mode: 'compile' });
      if (outcome.error || outcome.sql === null) {
        return { error: outcome.error?.message ?? 'did not render', line: outcome.error?.line !== undefined ? outcome.error.line + templateLineOffset(n) : undefined };
      }
      return { sql: outcome.sql };
    } finally {
      refOverrides = {};
    }
  };
  return { project, compile };
}

/** Keys of DbtProjectFile that hold folder configs. */
const CONFIG_SECTION_KEYS = { models: 1, seeds: 1, snapshots: 1, tests: 1, sources: 1 } as const;

async function installPathOf(root: string): Promise<unknown> {
  try {
    const { readFile } = await import('node:fs/promises');
    const { parseYaml } = await import('./yaml.js');
    const parsed = parseYaml(await readFile(path.join(root, 'dbt_project.yml'), 'utf8'));
    return isRecord(parsed.value) ? (parsed.value['packages-install-path'] ?? parsed.value['modules-path']) : undefined;
  } catch {
    return undefined;
  }
}

function applyMacroProperties(macros: Macro[], entries: PropertyEntry[]): void {
  const byKey = new Map(macros.map((m) => [`${m.package_name}\u0000${m.name}`, m]));
  for (const e of entries) {
    if (e.section !== 'macros') continue;
    const m = byKey.get(`${e.package_name}\u0000${e.name}`);
    if (!m) continue;
    m.description = asString(e.entry.description) ?? '';
    if (Array.isArray(e.entry.arguments)) {
      m.arguments = e.entry.arguments.filter(isRecord).map((a) => ({ name: String(a.name), type: asString(a.type) ?? null, description: asString(a.description) ?? '' }));
    }
  }
}
