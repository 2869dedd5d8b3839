import type { Owner, Project } from './types.js';

function ownerLabel(owner: Owner | undefined | null): string | null {
  if (!owner) return null;
  return (owner.name ?? owner.email ?? null) || null;
}

function metaOwner(meta: Record<string, unknown> | undefined): string | null {
  const value = meta?.owner;
  if (typeof value === 'string' && value) return value;
  if (value && typeof value === 'object') return ownerLabel(value as Owner);
  return null;
}

/**
 * Who owns a graph member, in the order dbt users declare it: an exposure's `owner`, a node's
 * `meta.owner` (properties or config), then its group's owner.
 */
export function ownerOf(project: Project, uniqueId: string): string | null {
  const exposure = project.exposures[uniqueId];
  if (exposure) return ownerLabel(exposure.owner) ?? metaOwner(exposure.meta);
  const source = project.sources[uniqueId];
  if (source) return metaOwner(source.meta) ?? metaOwner(source.source_meta);
  const node = project.nodes[uniqueId];
  if (!node) return null;
  const fromMeta = metaOwner(node.meta) ?? metaOwner(node.config.meta);
  if (fromMeta) return fromMeta;
  const groupName = node.group ?? node.config.group;
  if (!groupName) return null;
  const group = Object.values(project.groups).find((g) => g.name === groupName);
  return ownerLabel(group?.owner);
}
