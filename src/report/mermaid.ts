/**
 * The review's lineage graph as a Mermaid flowchart: changed models on the left (double-edged boxes), downstream
 * models by depth, dashboards (exposures, as hexagons) on the right; classes by impact. Node ids
 * are generated (n0, n1, …) so user-controlled names never reach Mermaid syntax except inside
 * quoted labels, where quotes and markup are entity-encoded.
 */
import type { Assessment, ColumnClass, DownstreamNode } from '../assess/types.js';

const CLASS_DEFS: Record<string, string> = {
  breaking: 'fill:#f8d7da,stroke:#c0392b,color:#000',
  partial: 'fill:#ffe5cc,stroke:#e67e22,color:#000',
  additive: 'fill:#d4edda,stroke:#27ae60,color:#000',
  unknown: 'fill:#e2e3e5,stroke:#6c757d,color:#000',
  unchanged: 'fill:#ffffff,stroke:#adb5bd,color:#000',
};

function label(text: string): string {
  return text.replace(/&/g, '#amp;').replace(/"/g, '#quot;').replace(/</g, '#lt;').replace(/>/g, '#gt;').replace(/[\r\n]+/g, ' ');
}

function impactClass(impact: ColumnClass): string {
  return impact in CLASS_DEFS ? impact : 'unknown';
}

export interface MermaidGraph {
  text: string;
  /** Downstream nodes left out to keep the graph readable. */
  omitted: number;
}

/**
 * Keeps every changed model and exposure (the review's subject and its audience), then the
 * shallowest downstream models up to `maxNodes`.
 */
export function mermaidGraph(assessment: Assessment, maxNodes = 80): MermaidGraph {
  const ids = new Map<string, string>();
  const id = (uniqueId: string) => {
    let v = ids.get(uniqueId);
    if (!v) ids.set(uniqueId, (v = `n${ids.size}`));
    return v;
  };
  const lines: string[] = ['flowchart LR'];
  const classes = new Map<string, string[]>();
  const mark = (cls: string, node: string) => classes.set(cls, [...(classes.get(cls) ?? []), node]);

  const changed = assessment.models.filter((m) => m.change.status !== 'removed');
  const exposures = assessment.exposures;
  const budget = Math.max(0, maxNodes - changed.length - exposures.length);
  const models = [...assessment.downstream]
    .filter((d) => d.resource_type !== 'exposure')
    .sort((a, b) => a.depth - b.depth || a.name.localeCompare(b.name));
  const shown = models.slice(0, budget);
  const present = new Set<string>([...changed.map((m) => m.unique_id), ...shown.map((d) => d.unique_id), ...exposures.map((e) => e.unique_id)]);

  for (const m of changed) {
    const n = id(m.unique_id);
    // Changed models: the subroutine shape (double-edged box), coloured by their own class.
    lines.push(`  ${n}[["${label(m.name)}"]]`);
    mark(impactClass(m.change.class), n);
  }
  for (const d of shown) {
    const n = id(d.unique_id);
    lines.push(`  ${n}["${label(d.name)}"]`);
    mark(impactClass(d.impact), n);
  }
  for (const e of exposures) {
    const n = id(e.unique_id);
    lines.push(`  ${n}{{"${label(e.exposure?.label ?? e.name)}"}}`);
    mark(impactClass(e.impact), n);
  }

  const edges = new Set<string>();
  const connect = (node: DownstreamNode) => {
    const parents = (node.parents?.length ? node.parents : node.via).filter((p) => present.has(p));
    // A parent that was left out: draw from the changed models it came through instead.
    const drawn = parents.length ? parents : node.via.filter((p) => present.has(p));
    for (const p of drawn) edges.add(`  ${id(p)} --> ${id(node.unique_id)}`);
  };
  shown.forEach(connect);
  exposures.forEach(connect);
  lines.push(...edges);

  for (const [cls, style] of Object.entries(CLASS_DEFS)) if (classes.has(cls)) lines.push(`  classDef ${cls} ${style}`);
  for (const [cls, nodes] of classes) lines.push(`  class ${nodes.join(',')} ${cls}`);
  return { text: lines.join('\n'), omitted: models.length - shown.length };
}

export function renderMermaidText(assessment: Assessment, maxNodes?: number): string {
  return mermaidGraph(assessment, maxNodes).text;
}
