/**
 * Who consumes the changed models, and how the change reaches them: every downstream model and
 * exposure in the head project, with its distance, owner and impact. The impact follows column
 * lineage: a model inherits the class of the changed columns it reads, transitively.
 *
 * Decisions:
 * - Reading a column derives that column's class (worst over its sources); an aggregate of a
 *   partial column is partial.
 * - Filtering, joining or grouping on a breaking or partial column changes which rows the
 *   consumer has, so every one of its columns becomes breaking.
 * - When a parent's rows changed (a filter, join, grain or source change upstream), the consumer's
 *   rows change too, even when it reads only columns whose expressions are the same (a
 *   `count(*)` per customer now counts different orders): every one of its columns is breaking.
 *   Users expect "the data this dashboard shows will differ", and that is what it means.
 * - When lineage cannot be followed (render or parse failure) the impact is unknown, unless the
 *   model reads a breaking model directly, which makes it breaking.
 * - Exposures take the worst impact of the models they depend on.
 */
import { ownerOf } from '../dbt/owners.js';
import { topologicalOrder } from '../dbt/graph.js';
import { lookupRelation, relationKey } from '../dbt/relations.js';
import type { DbtNode, Project } from '../dbt/types.js';
import { columnLineage, type ColumnRef } from '../sql/columns.js';
import { changesRowSet, isWorse, worstClass } from './classify.js';
import type { ChangeSet, ColumnClass, DownstreamNode, ModelChange } from './types.js';

export interface DownstreamOptions {
  /** SQL dialect for column lineage; defaults to the project's adapter type. */
  dialect?: string;
}

const CONSUMERS = new Set(['model', 'seed', 'snapshot']);

interface ColState {
  class: ColumnClass;
}

/** What one model passes on to its consumers. */
interface ModelState {
  name: string;
  cols: Map<string, ColState>;
  /** Class of a column the lineage did not name (unknown lineage, an unexpanded `*`). */
  fallback: ColumnClass;
  /** Whether its rows changed (a filter, join, grain or source change here or upstream). */
  rowsChanged: boolean;
  class: ColumnClass;
  impacted: Set<string>;
}

export function downstreamOf(head: Project, changes: ChangeSet, options: DownstreamOptions = {}): { models: DownstreamNode[]; exposures: DownstreamNode[] } {
  const dialect = options.dialect ?? head.target.type ?? 'snowflake';
  const changed = new Map(changes.models.filter((m) => m.status !== 'removed' && head.nodes[m.unique_id]).map((m) => [m.unique_id, m]));
  const { depth, via } = walk(head, [...changed.keys()]);

  // Consumers still referring to a removed model by name lose their parent: breaking at depth 1.
  const orphans = new Map<string, string[]>();
  for (const removed of changes.models.filter((m) => m.status === 'removed')) {
    if (Object.values(head.nodes).some((n) => n.name === removed.name && CONSUMERS.has(n.resource_type))) continue;
    for (const node of Object.values(head.nodes)) {
      if (!CONSUMERS.has(node.resource_type) || !node.refs.some((r) => r.name === removed.name)) continue;
      const id = removed.base_unique_id ?? removed.unique_id;
      orphans.set(node.unique_id, [...(orphans.get(node.unique_id) ?? []), id]);
      if (!depth.has(node.unique_id) || (depth.get(node.unique_id) ?? 0) > 1) depth.set(node.unique_id, 1);
      via.set(node.unique_id, new Set([...(via.get(node.unique_id) ?? []), id]));
      for (const [childId, d] of walk(head, [node.unique_id]).depth) {
        if (childId === node.unique_id) continue;
        if (!depth.has(childId) || (depth.get(childId) ?? 0) > d + 1) depth.set(childId, d + 1);
        via.set(childId, new Set([...(via.get(childId) ?? []), id]));
      }
    }
  }

  const modelIds = [...new Set([...changed.keys(), ...depth.keys()])].filter((id) => head.nodes[id] && CONSUMERS.has(head.nodes[id].resource_type));
  const relationOwner = relationIndex(head, modelIds);
  const states = new Map<string, ModelState>();
  const sorted = topologicalOrder(head.parent_map, modelIds);
  for (const id of [...sorted.order, ...sorted.cycle]) {
    const node = head.nodes[id];
    const inherited = inherit(node, head, states, relationOwner, dialect, orphans.get(id) ?? []);
    const own = changed.get(id);
    states.set(id, own ? merge(ownState(own), inherited) : inherited);
  }

  const models: DownstreamNode[] = [];
  for (const id of modelIds) {
    if (changed.has(id)) continue;
    const node = head.nodes[id];
    const state = states.get(id);
    models.push({
      unique_id: id,
      name: node.name,
      resource_type: node.resource_type,
      depth: depth.get(id) ?? 1,
      via: [...(via.get(id) ?? [])].sort(),
      owner: ownerOf(head, id),
      tags: [...node.tags],
      impact: state?.class ?? 'unknown',
      impacted_columns: [...(state?.impacted ?? [])].sort(),
    });
  }
  models.sort((a, b) => a.depth - b.depth || a.name.localeCompare(b.name));

  const exposures: DownstreamNode[] = [];
  const removedNames = new Map(changes.models.filter((m) => m.status === 'removed').map((m) => [m.name, m.base_unique_id ?? m.unique_id]));
  for (const exposure of Object.values(head.exposures)) {
    const parents = exposure.depends_on.nodes.filter((p) => states.has(p));
    // An exposure still naming a removed model has lost it.
    const lost = exposure.refs.map((r) => removedNames.get(r.name)).filter((id): id is string => id !== undefined && !head.nodes[id]);
    if (!parents.length && !lost.length) continue;
    const viaSet = new Set<string>();
    const impacted = new Set<string>();
    let d = lost.length ? 1 : Number.POSITIVE_INFINITY;
    for (const id of lost) viaSet.add(id);
    for (const p of parents) {
      const state = states.get(p) as ModelState;
      d = Math.min(d, changed.has(p) ? 1 : (depth.get(p) ?? 0) + 1);
      if (changed.has(p)) viaSet.add(p);
      for (const v of via.get(p) ?? []) viaSet.add(v);
      for (const c of state.impacted) impacted.add(c);
      if (changed.has(p)) for (const [col, s] of state.cols) if (s.class === 'breaking' || s.class === 'partial') impacted.add(`${state.name}.${col}`);
    }
    exposures.push({
      unique_id: exposure.unique_id,
      name: exposure.name,
      resource_type: 'exposure',
      depth: d,
      via: [...viaSet].sort(),
      owner: ownerOf(head, exposure.unique_id),
      tags: [...exposure.tags],
      exposure: { type: exposure.type, url: exposure.url ?? null, maturity: exposure.maturity ?? null, label: exposure.label ?? null },
      // A changed model's own class counts whole here: a dashboard reads its relation by name, so a move breaks it.
      impact: worstClass([...parents.map((p) => worstClass([(states.get(p) as ModelState).class, changed.get(p)?.class ?? 'unchanged'])), ...(lost.length ? ['breaking' as const] : [])]),
      impacted_columns: [...impacted].sort(),
    });
  }
  exposures.sort((a, b) => a.name.localeCompare(b.name));
  return { models, exposures };
}

/** Breadth-first from each start over child_map (consumers only): nearest distance and which starts reach each node. */
function walk(head: Project, starts: string[]): { depth: Map<string, number>; via: Map<string, Set<string>> } {
  const depth = new Map<string, number>();
  const via = new Map<string, Set<string>>();
  for (const start of starts) {
    const seen = new Set([start]);
    let frontier = [start];
    for (let d = 1; frontier.length; d++) {
      const next: string[] = [];
      for (const id of frontier) {
        for (const child of head.child_map[id] ?? []) {
          if (seen.has(child)) continue;
          const node = head.nodes[child];
          if (!node || !CONSUMERS.has(node.resource_type)) continue;
          seen.add(child);
          next.push(child);
          if (child !== start && !starts.includes(child)) {
            depth.set(child, Math.min(depth.get(child) ?? d, d));
            via.set(child, new Set([...(via.get(child) ?? []), start]));
          }
        }
      }
      frontier = next;
    }
  }
  return { depth, via };
}

/** Relation text as column lineage spells it (no quotes, lower case) → model id. */
function relationIndex(head: Project, ids: string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const id of ids) {
    const rel = head.nodes[id]?.relation_name;
    if (rel) out.set(relationKey(rel), id);
  }
  return out;
}

function parentOf(relation: string, index: Map<string, string>): string | undefined {
  return lookupRelation(index, relation);
}

function ownState(change: ModelChange): ModelState {
  const cols = new Map<string, ColState>();
  for (const c of change.columns) cols.set(c.column.toLowerCase(), { class: c.class });
  const rows = change.status === 'removed' || changesRowSet(change.semantic);
  const fallback: ColumnClass = rows ? 'breaking' : change.semantic_status === 'unknown' ? 'unknown' : 'unchanged';
  // The columns' worst is what readers of columns inherit; a relation move does not reach them.
  const colClass = worstClass([...cols.values()].map((c) => c.class), fallback);
  return { name: change.name, cols, fallback, rowsChanged: rows, class: colClass, impacted: new Set() };
}

function merge(own: ModelState, inherited: ModelState): ModelState {
  const cols = new Map(own.cols);
  for (const [k, v] of inherited.cols) {
    const mine = cols.get(k);
    if (!mine) cols.set(k, v);
    else if (isWorse(v.class, mine.class)) cols.set(k, { class: v.class });
  }
  const fallback = worstClass([own.fallback, inherited.fallback]);
  return {
    name: own.name,
    cols,
    fallback,
    rowsChanged: own.rowsChanged || inherited.rowsChanged,
    class: worstClass([own.class, inherited.class]),
    impacted: inherited.impacted,
  };
}

/** The classes a model's columns inherit from its changed (or affected) parents. */
function inherit(node: DbtNode, head: Project, states: Map<string, ModelState>, relations: Map<string, string>, dialect: string, orphanedFrom: string[]): ModelState {
  const state: ModelState = { name: node.name, cols: new Map(), fallback: 'unchanged', rowsChanged: false, class: 'unchanged', impacted: new Set() };
  if (orphanedFrom.length) {
    state.rowsChanged = true;
    state.fallback = 'breaking';
    state.class = 'breaking';
    return state;
  }
  const parents = (head.parent_map[node.unique_id] ?? []).filter((p) => {
    const s = states.get(p);
    return s && (s.class !== 'unchanged' || s.rowsChanged);
  });
  if (!parents.length) return state;

  const lineage = node.compiled_code && node.language === 'sql' ? columnLineage(node.compiled_code, dialect, { schemaOf: schemaFor(states, relations) }) : null;
  if (!lineage || lineage.status !== 'ok') {
    const direct = parents.some((p) => states.get(p)?.class === 'breaking');
    state.fallback = direct ? 'breaking' : 'unknown';
    state.class = state.fallback;
    state.rowsChanged = direct;
    return state;
  }

  const set = (key: string, cls: ColumnClass) => {
    const cur = state.cols.get(key) ?? { class: 'unchanged' as ColumnClass };
    if (isWorse(cls, cur.class)) cur.class = cls;
    state.cols.set(key, cur);
  };
  const read = (ref: ColumnRef): { cls: ColumnClass; parent: string; label: string } | undefined => {
    const parentId = parentOf(ref.relation, relations);
    const parent = parentId ? states.get(parentId) : undefined;
    if (!parentId || !parent) return undefined;
    const col = ref.column.toLowerCase();
    const cls = col === '*' ? parent.class : (parent.cols.get(col)?.class ?? parent.fallback);
    return { cls, parent: parentId, label: `${parent.name}.${col}` };
  };

  const readParents = new Set<string>();
  for (const c of lineage.columns) {
    const key = c.name.toLowerCase();
    set(key, 'unchanged');
    for (const ref of c.sources) {
      const hit = read(ref);
      if (!hit) continue;
      readParents.add(hit.parent);
      if (hit.cls === 'unchanged') continue;
      set(key, hit.cls);
      if (hit.cls === 'breaking' || hit.cls === 'partial') state.impacted.add(hit.label);
    }
  }
  // Filtering, joining or grouping on a changed column changes the consumer's rows.
  let rowsChanged = false;
  for (const refs of [lineage.filters, lineage.joins, lineage.groupBy]) {
    for (const ref of refs) {
      const hit = read(ref);
      if (!hit) continue;
      readParents.add(hit.parent);
      if (hit.cls === 'breaking' || hit.cls === 'partial') {
        rowsChanged = true;
        state.impacted.add(hit.label);
      }
    }
  }
  for (const p of parents) {
    const parent = states.get(p) as ModelState;
    // Whatever the consumer reads of it (even only `count(*)`), it reads different rows.
    if (parent.rowsChanged) rowsChanged = true;
    // A parent the lineage never names (ephemeral CTE, unresolved relation): inherit its class whole.
    else if (!readParents.has(p) && !lineage.relations.some((r) => parentOf(r, relations) === p) && parent.class !== 'additive') {
      state.fallback = worstClass([state.fallback, parent.class]);
    }
  }
  if (rowsChanged) {
    state.rowsChanged = true;
    state.fallback = 'breaking';
    for (const [key] of state.cols) set(key, 'breaking');
  }
  state.class = worstClass([...[...state.cols.values()].map((c) => c.class), state.fallback]);
  // New columns upstream reach nobody until a consumer reads them.
  if (state.class === 'additive') state.class = 'unchanged';
  return state;
}

/** Known output columns of affected parents, so a consumer's `select *` expands to real names. */
function schemaFor(states: Map<string, ModelState>, relations: Map<string, string>): (relation: string) => string[] | undefined {
  return (relation) => {
    const id = parentOf(relation, relations);
    const state = id ? states.get(id) : undefined;
    if (!state || state.cols.size === 0 || state.cols.has('*')) return undefined;
    return [...state.cols.keys()];
  };
}
