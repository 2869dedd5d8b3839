import { lineOf } from './link.js';
import { templateLineOffset } from './nodes.js';
import type { Problem, Project } from './types.js';

type GraphParts = Pick<Project, 'nodes' | 'sources' | 'exposures' | 'other'> & Partial<Pick<Project, 'packages' | 'problems'>>;

/**
 * parent_map and child_map exactly as manifest.json shapes them: every node, source, exposure
 * (and other resource) has a key; parents come from depends_on.nodes; lists are sorted.
 * When the project carries a `problems` list, every circular ref (which dbt refuses) is reported
 * in it, once per node on the cycle, at the line of the ref that closes it.
 */
export function buildGraphMaps(project: GraphParts): { parent_map: Record<string, string[]>; child_map: Record<string, string[]> } {
  const parent_map: Record<string, string[]> = {};
  const child_map: Record<string, string[]> = {};
  const members = [
    ...Object.values(project.nodes),
    ...Object.values(project.sources).map((s) => ({ unique_id: s.unique_id, depends_on: { nodes: [] as string[] } })),
    ...Object.values(project.exposures),
    ...Object.values(project.other),
  ];
  for (const m of members) {
    parent_map[m.unique_id] = [];
    child_map[m.unique_id] = [];
  }
  for (const m of members) {
    for (const parent of new Set(m.depends_on.nodes)) {
      parent_map[m.unique_id].push(parent);
      (child_map[parent] ??= []).push(m.unique_id);
    }
  }
  for (const map of [parent_map, child_map]) for (const k of Object.keys(map)) map[k].sort();
  project.problems?.push(...cycleProblems(project, parent_map));
  return { parent_map, child_map };
}

/** Ids on a cycle of parent_map (a ref loop), as strongly connected components of two or more nodes, or one node reading itself. */
export function findCycles(parentMap: Record<string, string[]>): string[][] {
  // Tarjan's algorithm, iterative so that a long chain cannot overflow the stack.
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const cycles: string[][] = [];
  let next = 0;
  for (const root of Object.keys(parentMap).sort()) {
    if (index.has(root)) continue;
    const work: { id: string; i: number }[] = [{ id: root, i: 0 }];
    index.set(root, next);
    low.set(root, next++);
    stack.push(root);
    onStack.add(root);
    while (work.length) {
      const frame = work[work.length - 1];
      const parents = parentMap[frame.id] ?? [];
      if (frame.i < parents.length) {
        const p = parents[frame.i++];
        if (!(p in parentMap)) continue;
        if (!index.has(p)) {
          index.set(p, next);
          low.set(p, next++);
          stack.push(p);
          onStack.add(p);
          work.push({ id: p, i: 0 });
        } else if (onStack.has(p)) low.set(frame.id, Math.min(low.get(frame.id) as number, index.get(p) as number));
        continue;
      }
      work.pop();
      if (work.length) {
        const up = work[work.length - 1].id;
        low.set(up, Math.min(low.get(up) as number, low.get(frame.id) as number));
      }
      if (low.get(frame.id) === index.get(frame.id)) {
        const component: string[] = [];
        let id: string;
        do {
          id = stack.pop() as string;
          onStack.delete(id);
          component.push(id);
        } while (id !== frame.id);
        if (component.length > 1 || parents.includes(frame.id)) cycles.push(component.sort());
      }
    }
  }
  return cycles.sort((a, b) => (a[0] < b[0] ? -1 : 1));
}

/** One error per node on a cycle: "circular ref: a → b → a", located at the ref to the next node. */
function cycleProblems(project: GraphParts, parentMap: Record<string, string[]>): Problem[] {
  const problems: Problem[] = [];
  const roots = new Map((project.packages ?? []).map((p) => [p.name, p.root]));
  for (const component of findCycles(parentMap)) {
    const members = new Set(component);
    for (const id of component) {
      const node = project.nodes[id];
      if (!node) continue;
      // Walk parents inside the component back to this node: the shortest loop through it.
      const path = loopThrough(id, parentMap, members);
      const names = path.map((x) => project.nodes[x]?.name ?? x);
      const first = project.nodes[path[1]];
      const root = roots.get(node.package_name) ?? '.';
      problems.push({
        file: root === '.' ? node.original_file_path : `${root}/${node.original_file_path}`,
        line: first ? lineOf(node.raw_code, first.name, templateLineOffset(node)) : undefined,
        message: `circular ref: ${names.map((n) => `\`${n}\``).join(' → ')}; dbt refuses a project whose refs form a cycle, so none of these models can be built`,
        severity: 'error',
        unique_id: id,
      });
    }
  }
  return problems;
}

/** [start, …, start]: a shortest loop from `start` back to itself along parent edges (refs) inside `members`. */
function loopThrough(start: string, parentMap: Record<string, string[]>, members: Set<string>): string[] {
  const previous = new Map<string, string>();
  const queue = [start];
  for (let k = 0; k < queue.length; k++) {
    const id = queue[k];
    for (const p of parentMap[id] ?? []) {
      if (!members.has(p)) continue;
      if (p === start) {
        const path: string[] = [];
        for (let x = id; x !== start; x = previous.get(x) as string) path.unshift(x);
        return [start, ...path, start];
      }
      if (!previous.has(p)) {
        previous.set(p, id);
        queue.push(p);
      }
    }
  }
  return [start, start];
}

/**
 * The given ids in an order where every parent comes before its children (Kahn's algorithm over
 * parent_map, ties broken by id so the order is stable). Ids caught in a cycle are returned in
 * `cycle` instead, so a circular ref is reported, never looped on.
 */
export function topologicalOrder(parentMap: Record<string, string[]>, ids: Iterable<string>): { order: string[]; cycle: string[] } {
  const wanted = new Set(ids);
  const pending = new Map<string, number>();
  const children = new Map<string, string[]>();
  for (const id of wanted) {
    const parents = (parentMap[id] ?? []).filter((p) => wanted.has(p) && p !== id);
    pending.set(id, parents.length);
    for (const p of parents) {
      const list = children.get(p);
      if (list) list.push(id);
      else children.set(p, [id]);
    }
  }
  const ready = [...wanted].filter((id) => pending.get(id) === 0).sort();
  const order: string[] = [];
  while (ready.length) {
    const id = ready.shift() as string;
    order.push(id);
    const next: string[] = [];
    for (const child of children.get(id) ?? []) {
      const left = (pending.get(child) ?? 0) - 1;
      pending.set(child, left);
      if (left === 0) next.push(child);
    }
    if (next.length) {
      ready.push(...next);
      ready.sort();
    }
  }
  const placed = new Set(order);
  return { order, cycle: [...wanted].filter((id) => !placed.has(id)).sort() };
}
