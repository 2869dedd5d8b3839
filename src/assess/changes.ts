/**
 * What the pull request changed: the base and head projects compared node by node, in dbt's
 * state:modified terms (body, configs, relation, properties, macros, vars), plus what changed in
 * the SQL and how each output column's consumers are affected. Only the PR's own change counts:
 * both sides are loaded from the PR's base and head trees, never from a production artifact.
 */
import { lookupRelation, relationKey } from '../dbt/relations.js';
import type { DbtNode, Project } from '../dbt/types.js';
import { columnLineage } from '../sql/columns.js';
import { describeSelect, semanticDiffResult, type SemanticDiffResult } from '../sql/semantic-diff.js';
import { classifyModel } from './classify.js';
import { normalizeMacro, normalizeSql, rewriteRelations, sameValue } from './normalize.js';
import { configReasons, propertyReasons, testReason, testsByModel } from './property-changes.js';
import type { ChangeReason, ChangeSet, ChangeStatus, ModelChange } from './types.js';

export interface DetectChangesOptions {
  /** Renames git detected, as paths relative to the repository (or project) root. */
  renamedFiles?: { from: string; to: string }[];
  /** Files changed in the PR that belong to no dbt project; passed through to the ChangeSet. */
  otherFiles?: string[];
  /** Every file the PR changed (relative paths); makes the 'project_config' reason exact. */
  changedFiles?: string[];
  /** SQL dialect for parsing; defaults to the head project's adapter type. */
  dialect?: string;
}

const CHANGEABLE = new Set(['model', 'seed', 'snapshot']);

export function detectChanges(base: Project, head: Project, options: DetectChangesOptions = {}): ChangeSet {
  const dialect = options.dialect ?? head.target.type ?? 'snowflake';
  const baseNodes = changeable(base);
  const headNodes = changeable(head);
  const removedIds = [...baseNodes.keys()].filter((id) => !headNodes.has(id));
  const addedIds = [...headNodes.keys()].filter((id) => !baseNodes.has(id));
  const renames = findRenames(removedIds.map((id) => baseNodes.get(id) as DbtNode), addedIds.map((id) => headNodes.get(id) as DbtNode), options.renamedFiles ?? [], dialect);
  const renamedFrom = new Map(renames.map((r) => [r.head.unique_id, r]));
  const renamedBase = new Set(renames.map((r) => r.base.unique_id));

  const relationMap = relationMapping(base, head, renames);
  const macros = macroChanges(base, head);
  const changedMacroIds = new Set(macros.map((m) => m.unique_id));
  const vars = varChanges(base.vars, head.vars);
  const baseTests = testsByModel(base, dialect);
  const headTests = testsByModel(head, dialect);
  const changedFiles = options.changedFiles ? new Set(options.changedFiles) : undefined;

  const models: ModelChange[] = [];
  for (const id of addedIds) {
    const rename = renamedFrom.get(id);
    const node = headNodes.get(id) as DbtNode;
    if (!rename) {
      models.push(finish(added(node, base, head, dialect), null, node, dialect));
      continue;
    }
    const reasons: ChangeReason[] = [
      { kind: 'renamed', detail: { from: rename.base.name, to: node.name, from_file: rename.base.original_file_path, to_file: node.original_file_path, detected_by: rename.by } },
    ];
    models.push(modified(rename.base, node, 'renamed', reasons));
  }
  for (const id of removedIds) {
    if (renamedBase.has(id)) continue;
    const node = baseNodes.get(id) as DbtNode;
    const disabled = (head.disabled[id] ?? []).length > 0;
    const change: ModelChange = {
      ...emptyChange(node, 'removed'),
      base_unique_id: id,
      reasons: [{ kind: 'removed', detail: { file: node.original_file_path, ...(disabled ? { disabled: true } : {}) } }],
    };
    models.push(finish(change, node, null, dialect));
  }
  for (const [id, node] of headNodes) {
    const before = baseNodes.get(id);
    if (!before) continue;
    const change = modified(before, node, 'modified', []);
    if (change.reasons.length) models.push(change);
  }
  models.sort((a, b) => a.unique_id.localeCompare(b.unique_id));

  const changedIds = new Set(models.map((m) => m.unique_id));
  return {
    models,
    macros: macros.map((m) => ({ ...m, models: m.models.filter((id) => changedIds.has(id)).sort() })),
    vars,
    other_files: [...(options.otherFiles ?? [])],
  };

  function modified(b: DbtNode, h: DbtNode, status: ChangeStatus, reasons: ChangeReason[]): ModelChange {
    const body = bodyChanged(b, h, relationMap, dialect);
    if (body) reasons.push({ kind: 'body', detail: { compared: body } });
    const seedData = seedDataChanged(b, h);
    if (seedData) reasons.push({ kind: 'seed_data', detail: { file: h.original_file_path } });
    const config = configReasons(b, h);
    const properties = propertyReasons(b, h);
    reasons.push(...config, ...properties);
    const tests = testReason(baseTests.get(b.unique_id), headTests.get(h.unique_id));
    if (tests) reasons.push(tests);
    const viaMacros = [...macrosReached(head, h)].filter((m) => changedMacroIds.has(m)).sort();
    if (viaMacros.length) reasons.push({ kind: 'macro', detail: { macros: viaMacros } });
    const usedVars = vars.map((v) => v.name).filter((name) => referencesVar(head, h, name) || referencesVar(base, b, name));
    if (usedVars.length) reasons.push({ kind: 'project_vars', detail: { vars: usedVars } });
    if (status === 'modified' && config.length && !body && fromProjectConfig(b, h, properties.length + (tests ? 1 : 0), changedFiles, dialect)) {
      const keys = config.flatMap((r) => (r.kind === 'materialization' ? ['materialized'] : r.kind === 'relation' ? (r.detail.keys as string[]) : (r.detail.keys as string[])));
      reasons.push({ kind: 'project_config', detail: { keys: [...new Set(keys)].sort() } });
    }
    const change: ModelChange = { ...emptyChange(h, status), base_unique_id: status === 'renamed' ? b.unique_id : b.unique_id === h.unique_id ? null : b.unique_id, reasons };
    return finish(change, b, h, dialect, body !== null, relationMap);
  }
}

/** Whether a seed's CSV content differs (dbt's checksum; the header when a side has none). */
function seedDataChanged(b: DbtNode, h: DbtNode): boolean {
  if (b.resource_type !== 'seed' || h.resource_type !== 'seed') return false;
  if (b.checksum && h.checksum && b.checksum.name === h.checksum.name) return b.checksum.checksum !== h.checksum.checksum;
  return (b.seed_columns ?? []).join(',') !== (h.seed_columns ?? []).join(',');
}

function changeable(project: Project): Map<string, DbtNode> {
  return new Map(Object.entries(project.nodes).filter(([, n]) => CHANGEABLE.has(n.resource_type)));
}

function emptyChange(node: DbtNode, status: ChangeStatus): ModelChange {
  return {
    unique_id: node.unique_id,
    base_unique_id: null,
    name: node.name,
    resource_type: node.resource_type,
    status,
    reasons: [],
    semantic: [],
    semantic_status: 'not_applicable',
    columns: [],
    class: 'unchanged',
  };
}

function added(node: DbtNode, base: Project, head: Project, dialect: string): ModelChange {
  const wasDisabled = (base.disabled[node.unique_id] ?? []).length > 0;
  const change: ModelChange = { ...emptyChange(node, 'added'), reasons: [{ kind: 'new', detail: { file: node.original_file_path, ...(wasDisabled ? { enabled: true } : {}) } }] };
  const described = node.language === 'sql' && node.resource_type !== 'seed' && node.compiled_code ? describeSelect(node.compiled_code, dialect) : null;
  if (described) change.select_summary = { ...described, reads: described.reads.map((r) => nameOfRelation(head, r)) };
  return change;
}

/** A relation as the project names it: the model's or seed's name, `source.table`, else the relation itself. */
function nameOfRelation(project: Project, relation: string): string {
  // Nodes first: they win over a source of the same name, exact or by trailing parts.
  const names = new Map<string, string>();
  for (const n of Object.values(project.nodes)) if (n.relation_name && !names.has(relationKey(n.relation_name))) names.set(relationKey(n.relation_name), n.name);
  for (const x of Object.values(project.sources)) if (!names.has(relationKey(x.relation_name))) names.set(relationKey(x.relation_name), `${x.source_name}.${x.name}`);
  return lookupRelation(names, relation) ?? relation;
}

/** Fills semantic and column classes for a change, from the SQL of both sides. */
function finish(change: ModelChange, b: DbtNode | null, h: DbtNode | null, dialect: string, bodyChanged = false, relationMap = new Map<string, string>()): ModelChange {
  let semantic: SemanticDiffResult | null = null;
  const hasSql = (n: DbtNode | null): boolean => !!n && n.language === 'sql' && n.resource_type !== 'seed';
  if (change.status === 'modified' || change.status === 'renamed') {
    if (!hasSql(b) || !hasSql(h)) change.semantic_status = 'not_applicable';
    else if (!bodyChanged) change.semantic_status = 'ok';
    else if (!b?.compiled_code || !h?.compiled_code) {
      const failed = !h?.compiled_code ? h : b;
      const side = failed === h ? 'head' : 'base';
      semantic = { status: 'unknown', reason: `${side} version did not render: ${failed?.render_error?.message ?? 'no compiled SQL'}` };
    } else {
      semantic = semanticDiffResult(rewriteRelations(b.compiled_code, relationMap), h.compiled_code, dialect);
    }
    if (semantic?.status === 'ok') {
      change.semantic = semantic.changes;
      change.semantic_status = 'ok';
    } else if (semantic) {
      change.semantic_status = 'unknown';
      change.semantic_reason = semantic.reason;
    }
  }
  const headNode = h ?? undefined;
  const classification = classifyModel({
    status: change.status,
    semantic,
    baseColumns: b ? outputColumns(b, dialect) : [],
    headColumns: h ? outputColumns(h, dialect) : [],
    reasons: change.reasons,
    seedDataChanged: change.reasons.some((r) => r.kind === 'seed_data'),
    contractEnforced: !!headNode?.contract.enforced || !!b?.contract.enforced,
  });
  change.columns = classification.columns;
  change.class = classification.class;
  return change;
}

/** Output columns from the rendered SQL; the YAML columns (or CSV header) when it cannot be analysed. */
export function outputColumns(node: DbtNode, dialect: string): string[] {
  if (node.compiled_code && node.language === 'sql' && node.resource_type !== 'seed') {
    const lineage = columnLineage(node.compiled_code, dialect);
    if (lineage.status === 'ok') {
      const names = lineage.columns.map((c) => c.name).filter((n) => n !== '*');
      if (names.length) return names;
    }
  }
  if (node.seed_columns?.length) return [...node.seed_columns];
  return Object.values(node.columns).map((c) => c.name);
}

// ---- body ----

/** 'compiled_code' or 'raw_code' when the body differs after normalisation, else null. */
function bodyChanged(b: DbtNode, h: DbtNode, relationMap: Map<string, string>, dialect: string): 'compiled_code' | 'raw_code' | null {
  if (b.resource_type === 'seed') return null;
  if (b.compiled_code && h.compiled_code) {
    // Parents' relation names are mapped to the head's first, so a parent that moved schema does not
    // make every child look edited (the parent carries the 'relation' reason).
    const before = normalizeSql(rewriteRelations(b.compiled_code, relationMap), dialect);
    return before === normalizeSql(h.compiled_code, dialect) ? null : 'compiled_code';
  }
  return normalizeSql(b.raw_code, dialect) === normalizeSql(h.raw_code, dialect) ? null : 'raw_code';
}

/** Base relation name → head relation name for every node and source present on both sides. */
function relationMapping(base: Project, head: Project, renames: Rename[]): Map<string, string> {
  const out = new Map<string, string>();
  const headIdOf = new Map(renames.map((r) => [r.base.unique_id, r.head.unique_id]));
  for (const [id, node] of Object.entries(base.nodes)) {
    const other = head.nodes[headIdOf.get(id) ?? id];
    if (node.relation_name && other?.relation_name) out.set(node.relation_name, other.relation_name);
  }
  for (const [id, source] of Object.entries(base.sources)) {
    const other = head.sources[id];
    if (other) out.set(source.relation_name, other.relation_name);
  }
  return out;
}

// ---- renames ----

interface Rename {
  base: DbtNode;
  head: DbtNode;
  by: 'git' | 'same_sql';
}

function findRenames(removed: DbtNode[], added: DbtNode[], gitRenames: { from: string; to: string }[], dialect: string): Rename[] {
  const out: Rename[] = [];
  const usedBase = new Set<string>();
  const usedHead = new Set<string>();
  const take = (b: DbtNode, h: DbtNode, by: Rename['by']) => {
    out.push({ base: b, head: h, by });
    usedBase.add(b.unique_id);
    usedHead.add(h.unique_id);
  };
  for (const r of gitRenames) {
    const b = removed.find((n) => !usedBase.has(n.unique_id) && samePath(n.original_file_path, r.from));
    const h = added.find((n) => !usedHead.has(n.unique_id) && n.resource_type === b?.resource_type && samePath(n.original_file_path, r.to));
    if (b && h) take(b, h, 'git');
  }
  // The same body under a new name is a rename even when git saw a delete and an add.
  for (const b of removed) {
    if (usedBase.has(b.unique_id) || !b.raw_code.trim()) continue;
    const body = normalizeSql(b.raw_code, dialect);
    const h = added.find((n) => !usedHead.has(n.unique_id) && n.resource_type === b.resource_type && n.raw_code.trim() && normalizeSql(n.raw_code, dialect) === body);
    if (h) take(b, h, 'same_sql');
  }
  return out;
}

/** A project-relative path against a repository-relative one (the project may sit in a sub-folder). */
function samePath(projectPath: string, repoPath: string): boolean {
  const p = projectPath.replace(/\\/g, '/').replace(/^\.\//, '');
  const r = repoPath.replace(/\\/g, '/').replace(/^\.\//, '');
  return p === r || r.endsWith(`/${p}`);
}

// ---- macros and vars ----

function macroChanges(base: Project, head: Project): { unique_id: string; status: ChangeStatus; models: string[] }[] {
  const out: { unique_id: string; status: ChangeStatus; models: string[] }[] = [];
  const ids = [...new Set([...Object.keys(base.macros), ...Object.keys(head.macros)])].sort();
  for (const id of ids) {
    const b = base.macros[id];
    const h = head.macros[id];
    let status: ChangeStatus | null = null;
    if (!b) status = 'added';
    else if (!h) status = 'removed';
    else if (normalizeMacro(b.macro_sql) !== normalizeMacro(h.macro_sql)) status = 'modified';
    if (!status) continue;
    const project = h ? head : base;
    const models = [...changeable(project).values()].filter((n) => macrosReached(project, n).has(id)).map((n) => n.unique_id);
    out.push({ unique_id: id, status, models });
  }
  return out;
}

/** Every macro a node calls, directly or through other macros. */
function macrosReached(project: Project, node: DbtNode): Set<string> {
  const seen = new Set<string>();
  const stack = [...node.depends_on.macros];
  while (stack.length) {
    const id = stack.pop() as string;
    if (seen.has(id)) continue;
    seen.add(id);
    stack.push(...(project.macros[id]?.depends_on.macros ?? []));
  }
  return seen;
}

function varChanges(before: Record<string, unknown>, after: Record<string, unknown>): { name: string; before: unknown; after: unknown }[] {
  const names = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  return names.filter((n) => !sameValue(before[n] ?? null, after[n] ?? null)).map((name) => ({ name, before: before[name] ?? null, after: after[name] ?? null }));
}

/** A plain text scan for `var('name'`, in the node's own code and every macro it reaches. */
function referencesVar(project: Project, node: DbtNode, name: string): boolean {
  const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const pattern = new RegExp(`\\bvar\\(\\s*["']${escaped}["']`);
  if (pattern.test(node.raw_code)) return true;
  for (const id of macrosReached(project, node)) if (pattern.test(project.macros[id]?.macro_sql ?? '')) return true;
  return false;
}

/**
 * Whether a config change came from dbt_project.yml (folder configs) rather than the node's own
 * file or YAML. Exact when the caller passes the PR's changed files; otherwise inferred: the SQL
 * file is unchanged and no YAML property of the node changed (a YAML `config:` edit with nothing
 * else is then indistinguishable, and reported as project config).
 */
function fromProjectConfig(b: DbtNode, h: DbtNode, propertyChanges: number, changedFiles: Set<string> | undefined, dialect: string): boolean {
  if (changedFiles) {
    const own = [h.original_file_path, patchFile(h.patch_path), patchFile(b.patch_path)].filter((f): f is string => !!f);
    return !own.some((f) => [...changedFiles].some((c) => samePath(f, c)));
  }
  return normalizeSql(b.raw_code, dialect) === normalizeSql(h.raw_code, dialect) && propertyChanges === 0;
}

function patchFile(patchPath: string | null | undefined): string | null {
  if (!patchPath) return null;
  const i = patchPath.indexOf('://');
  return i >= 0 ? patchPath.slice(i + 3) : patchPath;
}
