/**
 * The non-SQL half of "modified": config, YAML properties (columns, contract, description, tags,
 * meta) and the tests attached to a node, each compared field by field into a reason with
 * structured detail the review can word.
 */
import type { ColumnInfo, DbtNode, Project } from '../dbt/types.js';
import { normalizeSql, sameValue, stableJson } from './normalize.js';
import type { ChangeReason } from './types.js';

/** Config keys with their own reason (or compared elsewhere), so `config` lists only the rest. */
const OWN_REASON_KEYS = new Set(['materialized', 'schema', 'database', 'alias', 'tags', 'meta', 'contract', 'enabled']);

export function configReasons(base: DbtNode, head: DbtNode): ChangeReason[] {
  const out: ChangeReason[] = [];
  if (base.config.materialized !== head.config.materialized) {
    out.push({ kind: 'materialization', detail: { from: base.config.materialized, to: head.config.materialized } });
  }
  if (base.relation_name !== head.relation_name) {
    const keys = (['database', 'schema', 'alias'] as const).filter((k) => base[k] !== head[k]);
    out.push({ kind: 'relation', detail: { before: base.relation_name, after: head.relation_name, keys } });
  }
  const keys = [...new Set([...Object.keys(base.config), ...Object.keys(head.config)])]
    .filter((k) => !OWN_REASON_KEYS.has(k) && !sameValue(base.config[k] ?? null, head.config[k] ?? null))
    .sort();
  const extra = (['access', 'group', 'version'] as const).filter((k) => !sameValue(base[k] ?? null, head[k] ?? null));
  const all = [...new Set([...keys, ...extra])].sort();
  if (all.length) {
    const before: Record<string, unknown> = {};
    const after: Record<string, unknown> = {};
    for (const k of all) {
      before[k] = base.config[k] ?? (base as unknown as Record<string, unknown>)[k] ?? null;
      after[k] = head.config[k] ?? (head as unknown as Record<string, unknown>)[k] ?? null;
    }
    out.push({ kind: 'config', detail: { keys: all, before, after } });
  }
  return out;
}

interface ColumnFieldChange {
  field: 'description' | 'data_type' | 'meta' | 'tags' | 'constraints';
  before: unknown;
  after: unknown;
}

export function propertyReasons(base: DbtNode, head: DbtNode): ChangeReason[] {
  const out: ChangeReason[] = [];
  const columns = columnChanges(base.columns, head.columns, base.seed_columns, head.seed_columns);
  if (columns) out.push({ kind: 'columns', detail: columns });
  if (base.contract.enforced !== head.contract.enforced || !sameValue(base.constraints, head.constraints)) {
    out.push({
      kind: 'contract',
      detail: { from: base.contract.enforced, to: head.contract.enforced, constraints_changed: !sameValue(base.constraints, head.constraints) },
    });
  }
  if (base.description !== head.description) out.push({ kind: 'description', detail: { before: base.description, after: head.description } });
  const bt = new Set(base.tags);
  const ht = new Set(head.tags);
  const addedTags = [...ht].filter((t) => !bt.has(t)).sort();
  const removedTags = [...bt].filter((t) => !ht.has(t)).sort();
  if (addedTags.length || removedTags.length) out.push({ kind: 'tags', detail: { added: addedTags, removed: removedTags } });
  const meta = recordChanges({ ...base.config.meta, ...base.meta }, { ...head.config.meta, ...head.meta });
  if (meta) out.push({ kind: 'meta', detail: meta });
  return out;
}

function recordChanges(before: Record<string, unknown>, after: Record<string, unknown>): Record<string, unknown> | null {
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].filter((k) => !sameValue(before[k] ?? null, after[k] ?? null)).sort();
  if (!keys.length) return null;
  return { keys, before: Object.fromEntries(keys.map((k) => [k, before[k] ?? null])), after: Object.fromEntries(keys.map((k) => [k, after[k] ?? null])) };
}

/** Columns as YAML declares them (and, for seeds, the CSV header). */
function columnChanges(
  base: Record<string, ColumnInfo>,
  head: Record<string, ColumnInfo>,
  baseSeed: string[] | undefined,
  headSeed: string[] | undefined,
): Record<string, unknown> | null {
  const b = new Map(Object.values(base).map((c) => [c.name.toLowerCase(), c]));
  const h = new Map(Object.values(head).map((c) => [c.name.toLowerCase(), c]));
  const added = [...h.keys()].filter((k) => !b.has(k)).map((k) => h.get(k)?.name ?? k);
  const removed = [...b.keys()].filter((k) => !h.has(k)).map((k) => b.get(k)?.name ?? k);
  const changed: { column: string; changes: ColumnFieldChange[] }[] = [];
  for (const [key, hc] of h) {
    const bc = b.get(key);
    if (!bc) continue;
    const changes: ColumnFieldChange[] = [];
    if (bc.description !== hc.description) changes.push({ field: 'description', before: bc.description, after: hc.description });
    if ((bc.data_type ?? null) !== (hc.data_type ?? null)) changes.push({ field: 'data_type', before: bc.data_type ?? null, after: hc.data_type ?? null });
    if (!sameValue(bc.meta, hc.meta)) changes.push({ field: 'meta', before: bc.meta, after: hc.meta });
    if (!sameValue([...bc.tags].sort(), [...hc.tags].sort())) changes.push({ field: 'tags', before: bc.tags, after: hc.tags });
    if (!sameValue(bc.constraints, hc.constraints)) changes.push({ field: 'constraints', before: bc.constraints, after: hc.constraints });
    if (changes.length) changed.push({ column: hc.name, changes });
  }
  const seed = seedHeaderChanges(baseSeed, headSeed);
  if (!added.length && !removed.length && !changed.length && !seed) return null;
  return { added: added.sort(), removed: removed.sort(), changed, ...(seed ? { seed_header: seed } : {}) };
}

function seedHeaderChanges(base: string[] | undefined, head: string[] | undefined): { added: string[]; removed: string[] } | null {
  if (!base || !head || sameValue(base, head)) return null;
  const b = new Set(base.map((c) => c.toLowerCase()));
  const h = new Set(head.map((c) => c.toLowerCase()));
  return { added: head.filter((c) => !b.has(c.toLowerCase())), removed: base.filter((c) => !h.has(c.toLowerCase())) };
}

// ---- tests ----

interface TestSig {
  name: string;
  unique_id: string;
  /** What the test checks and how it is configured; a change here is a changed test. */
  signature: string;
  column: string | null;
}

/** Test nodes attached to (or, for singular tests, reading) each model, by the model's unique id. */
export function testsByModel(project: Project, dialect: string): Map<string, TestSig[]> {
  const out = new Map<string, TestSig[]>();
  for (const node of Object.values(project.nodes)) {
    if (node.resource_type !== 'test') continue;
    const models = node.attached_node ? [node.attached_node] : node.depends_on.nodes.filter((id) => project.nodes[id] && project.nodes[id].resource_type !== 'test');
    const { meta: _meta, tags: _tags, ...config } = node.config;
    const signature = stableJson({
      test: node.test_metadata ? { name: node.test_metadata.name, namespace: node.test_metadata.namespace ?? null, kwargs: node.test_metadata.kwargs } : normalizeSql(node.raw_code, dialect),
      column: node.column_name ?? null,
      config,
    });
    for (const m of models) {
      const list = out.get(m) ?? [];
      list.push({ name: node.name, unique_id: node.unique_id, signature, column: node.column_name ?? null });
      out.set(m, list);
    }
  }
  return out;
}

export function testReason(base: TestSig[] | undefined, head: TestSig[] | undefined): ChangeReason | null {
  const b = new Map((base ?? []).map((t) => [t.name, t]));
  const h = new Map((head ?? []).map((t) => [t.name, t]));
  const added = [...h.values()].filter((t) => !b.has(t.name)).map(describeTest);
  const removed = [...b.values()].filter((t) => !h.has(t.name)).map(describeTest);
  const changed = [...h.values()].filter((t) => b.has(t.name) && b.get(t.name)?.signature !== t.signature).map(describeTest);
  if (!added.length && !removed.length && !changed.length) return null;
  return { kind: 'tests', detail: { added, removed, changed } };
}

function describeTest(t: TestSig): { name: string; unique_id: string; column: string | null } {
  return { name: t.name, unique_id: t.unique_id, column: t.column };
}
