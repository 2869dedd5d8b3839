import type { DbtNode, RefCall, SourceDefinition } from './types.js';

/**
 * Ref and source lookup as dbt's resolve_ref/resolve_source: an explicit package is searched
 * alone; otherwise the root project, then the calling node's package, then any package.
 * Indexed by name so that resolving all refs of a large project stays linear.
 */

const REFABLE = new Set(['model', 'seed', 'snapshot']);

type Found<T> = { kind: 'found'; item: T } | { kind: 'disabled'; item: T } | { kind: 'missing' };

function packagesToSearch(root: string, nodePackage: string, target?: string | null): (string | null)[] {
  if (target) return [target];
  return root === nodePackage ? [root, null] : [root, nodePackage, null];
}

class NameIndex<T extends { package_name: string }> {
  private readonly byKey = new Map<string, T[]>();
  add(key: string, item: T): void {
    const list = this.byKey.get(key);
    if (list) list.push(item);
    else this.byKey.set(key, [item]);
  }
  find(key: string, pkg: string | null, accept: (item: T) => boolean = () => true): T | undefined {
    const list = this.byKey.get(key);
    if (!list) return undefined;
    return list.find((i) => (pkg === null || i.package_name === pkg) && accept(i));
  }
}

function versionMatches(node: DbtNode, version: RefCall['version']): boolean {
  if (version === undefined || version === null) {
    // An unpinned ref to a versioned model means its latest version.
    if (node.version === null || node.version === undefined) return true;
    return String(node.version) === String(node.latest_version ?? node.version);
  }
  return node.version !== null && node.version !== undefined && String(node.version) === String(version);
}

export class Resolver {
  private readonly nodes = new NameIndex<DbtNode>();
  private readonly disabledNodes = new NameIndex<DbtNode>();
  private readonly sources = new NameIndex<SourceDefinition>();
  private readonly disabledSources = new NameIndex<SourceDefinition>();

  constructor(private readonly root: string) {}

  addNode(node: DbtNode, enabled: boolean): void {
    if (!REFABLE.has(node.resource_type)) return;
    (enabled ? this.nodes : this.disabledNodes).add(node.name, node);
  }

  addSource(source: SourceDefinition, enabled: boolean): void {
    (enabled ? this.sources : this.disabledSources).add(`${source.source_name}\u0000${source.name}`, source);
  }

  ref(ref: RefCall, fromPackage: string): Found<DbtNode> {
    let disabled: DbtNode | undefined;
    for (const pkg of packagesToSearch(this.root, fromPackage, ref.package)) {
      const hit = this.nodes.find(ref.name, pkg, (n) => versionMatches(n, ref.version));
      if (hit) return { kind: 'found', item: hit };
      disabled ??= this.disabledNodes.find(ref.name, pkg, (n) => versionMatches(n, ref.version));
    }
    return disabled ? { kind: 'disabled', item: disabled } : { kind: 'missing' };
  }

  source(sourceName: string, table: string, fromPackage: string): Found<SourceDefinition> {
    const key = `${sourceName}\u0000${table}`;
    let disabled: SourceDefinition | undefined;
    for (const pkg of packagesToSearch(this.root, fromPackage)) {
      const hit = this.sources.find(key, pkg);
      if (hit) return { kind: 'found', item: hit };
      disabled ??= this.disabledSources.find(key, pkg);
    }
    return disabled ? { kind: 'disabled', item: disabled } : { kind: 'missing' };
  }
}

export function describeRef(ref: RefCall): string {
  const args = [ref.package ? `'${ref.package}'` : null, `'${ref.name}'`].filter(Boolean).join(', ');
  const version = ref.version !== undefined && ref.version !== null ? `, v=${JSON.stringify(ref.version)}` : '';
  return `ref(${args}${version})`;
}
