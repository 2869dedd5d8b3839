import type { NodeConfig } from './types.js';
import { isRecord } from './yaml.js';

/** Config keys whose values merge instead of replacing (dbt's MergeBehavior.Update). */
const DICT_MERGED = new Set(['meta', 'docs', 'contract', 'persist_docs', 'grants', 'column_types']);
/** Config keys whose values accumulate (dbt's MergeBehavior.Append). */
const LIST_APPENDED = new Set(['tags', 'pre-hook', 'post-hook', 'pre_hook', 'post_hook']);

function listify(value: unknown): unknown[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}

function normalizeKey(key: string): string {
  return key.startsWith('+') ? key.slice(1).trim() : key;
}

/** Merges `patch` over `base` in place of dbt's config update: tags append, meta merges, the rest overrides. */
export function mergeConfig(base: Record<string, unknown>, patch: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [rawKey, value] of Object.entries(patch)) {
    const key = normalizeKey(rawKey);
    if (value === undefined) continue;
    if (LIST_APPENDED.has(key)) {
      const merged: unknown[] = [];
      for (const v of [...listify(out[key]), ...listify(value)]) if (!merged.includes(v)) merged.push(v);
      out[key] = merged;
    } else if (DICT_MERGED.has(key) && isRecord(value) && isRecord(out[key])) {
      out[key] = { ...(out[key] as Record<string, unknown>), ...value };
    } else {
      out[key] = value;
    }
  }
  return out;
}

/**
 * The configs that apply to `fqn` from one dbt_project.yml section (e.g. its `models:`), outermost
 * first, as dbt's fqn_search: the section itself, then the package name, then each folder and
 * finally the node's own name. At each level a `+key` is always config; a plain key is config
 * when its value is not a mapping, and a subfolder otherwise.
 */
export function folderConfigLevels(section: Record<string, unknown>, fqn: string[]): Record<string, unknown>[] {
  const levels: Record<string, unknown>[] = [];
  let level: Record<string, unknown> = section;
  const pick = (dict: Record<string, unknown>): void => {
    const result: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(dict)) {
      if (key.startsWith('+')) result[key.slice(1).trim()] = value;
      else if (!isRecord(value)) result[key] = value;
    }
    levels.push(result);
  };
  pick(level);
  for (const part of fqn) {
    const next = level[part];
    if (!isRecord(next)) break;
    pick(next);
    level = next;
  }
  return levels;
}

/** Folder config for a node: its own package's dbt_project.yml first, then the root project's, which wins. */
export function resolveFolderConfig(
  sections: Record<string, unknown>[],
  fqn: string[],
): Record<string, unknown> {
  let config: Record<string, unknown> = {};
  for (const section of sections) for (const level of folderConfigLevels(section, fqn)) config = mergeConfig(config, level);
  return config;
}

/** dbt's coercion of a rendered config value: `"false"` from a var is the boolean false. */
export function coerceBool(value: unknown, fallback: boolean): boolean {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string') {
    const v = value.trim().toLowerCase();
    if (v === 'true') return true;
    if (v === 'false') return false;
  }
  if (typeof value === 'number') return value !== 0;
  return fallback;
}

/** Turns a merged raw config into a NodeConfig with dbt's defaults for the resource type. */
export function toNodeConfig(raw: Record<string, unknown>, defaultMaterialized: string): NodeConfig {
  const out: NodeConfig = {
    ...raw,
    enabled: coerceBool(raw.enabled, true),
    materialized: typeof raw.materialized === 'string' && raw.materialized ? raw.materialized : defaultMaterialized,
    tags: listify(raw.tags).map(String),
    meta: isRecord(raw.meta) ? raw.meta : {},
  };
  if (isRecord(raw.contract)) out.contract = { ...raw.contract, enforced: coerceBool(raw.contract.enforced, false) };
  if (isRecord(raw.docs)) out.docs = raw.docs as NodeConfig['docs'];
  for (const key of ['schema', 'database', 'alias', 'group'] as const) {
    const v = raw[key];
    if (v !== undefined) out[key] = v === null ? null : String(v);
  }
  return out;
}
