import type { Project } from './types.js';

/**
 * Breadth-first walks over parent_map / child_map. Each reachable id is reported once, with its
 * shortest distance from the start set; cycles (which dbt forbids but broken input may contain)
 * terminate because a visited id is never queued again.
 */

export type Distances = Map<string, number>;

type Maps = Pick<Project, 'parent_map' | 'child_map'>;

/** Ancestors of `ids` within `depth` steps (all when omitted). The start ids themselves are not included. */
export function upstream(project: Maps, ids: Iterable<string>, depth?: number): Distances {
  return bfs(project.parent_map, ids, depth);
}

/** Descendants of `ids` within `depth` steps (all when omitted). The start ids themselves are not included. */
export function downstream(project: Maps, ids: Iterable<string>, depth?: number): Distances {
  return bfs(project.child_map, ids, depth);
}

function bfs(edges: Record<string, string[]>, ids: Iterable<string>, depth = Infinity): Distances {
  const start = new Set(ids);
  const seen: Distances = new Map();
  let frontier = [...start];
  for (let d = 1; d <= depth && frontier.length > 0; d++) {
    const next: string[] = [];
    for (const id of frontier) {
      for (const n of edges[id] ?? []) {
        if (start.has(n) || seen.has(n)) continue;
        seen.set(n, d);
        next.push(n);
      }
    }
    frontier = next;
  }
  return seen;
}
