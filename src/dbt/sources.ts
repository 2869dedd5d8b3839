import { coerceBool, mergeConfig, resolveFolderConfig } from './configs.js';
import { folderParts } from './files.js';
import type { PropertyEntry } from './properties.js';
import { columnsOf, otherResourceType } from './properties.js';
import { scanRefsAndSources } from './ref-scan.js';
import { type Quoting, relationName } from './relations.js';
import type { Exposure, FreshnessRule, Group, OtherResource, Owner, RefCall, SourceCall, SourceDefinition, Target } from './types.js';
import { asRecord, asString, asStringList, isRecord } from './yaml.js';

/** Sources, exposures, groups and the resources we keep but do not analyse, from property entries. */

export interface SourceContext {
  target: Target;
  quoting: Quoting;
  /** `sources:` folder-config sections: the package's own, then the root project's. */
  folderSections(package_name: string): Record<string, unknown>[];
  render(value: unknown, package_name: string, entry: PropertyEntry): unknown;
}

/** One table of a source with the raw YAML kept for its tests. */
export interface BuiltSource {
  source: SourceDefinition;
  table: Record<string, unknown>;
  entry: PropertyEntry;
}

function freshnessRule(value: unknown): FreshnessRule | null {
  if (!isRecord(value)) return null;
  const count = typeof value.count === 'number' ? value.count : null;
  const period = value.period === 'minute' || value.period === 'hour' || value.period === 'day' ? value.period : null;
  return { count, period };
}

function freshness(value: unknown): SourceDefinition['freshness'] {
  if (!isRecord(value)) return null;
  return { warn_after: freshnessRule(value.warn_after), error_after: freshnessRule(value.error_after), filter: asString(value.filter) ?? null };
}

export function buildSources(entry: PropertyEntry, ctx: SourceContext): BuiltSource[] {
  const pkg = entry.package_name;
  const raw = ctx.render(entry.entry, pkg, entry) as Record<string, unknown>;
  const sourceName = entry.name;
  const sourceConfig = asRecord(raw.config);
  const sourceMeta = { ...asRecord(raw.meta), ...asRecord(sourceConfig.meta) };
  const sourceTags = [...asStringList(raw.tags), ...asStringList(sourceConfig.tags)];
  const database = asString(raw.database) ?? asString(raw.catalog) ?? ctx.target.database;
  const schema = asString(raw.schema) ?? sourceName;
  const tables = Array.isArray(raw.tables) ? raw.tables.filter(isRecord) : [];
  const out: BuiltSource[] = [];
  for (const table of tables) {
    const name = asString(table.name);
    if (!name) continue;
    const tableConfig = asRecord(table.config);
    const identifier = asString(table.identifier) ?? name;
    const fqn = [pkg, ...folderParts(entry.file.path), sourceName, name];
    let config: Record<string, unknown> = resolveFolderConfig(ctx.folderSections(pkg), fqn);
    config = mergeConfig(config, sourceConfig);
    config = mergeConfig(config, tableConfig);
    const quotingRaw = { ...asRecord(raw.quoting), ...asRecord(table.quoting) };
    const quoting: Quoting = {
      database: typeof quotingRaw.database === 'boolean' ? quotingRaw.database : ctx.quoting.database,
      schema: typeof quotingRaw.schema === 'boolean' ? quotingRaw.schema : ctx.quoting.schema,
      identifier: typeof quotingRaw.identifier === 'boolean' ? quotingRaw.identifier : ctx.quoting.identifier,
    };
    const meta = { ...sourceMeta, ...asRecord(config.meta), ...asRecord(table.meta) };
    const tags = [...new Set([...sourceTags, ...asStringList(config.tags), ...asStringList(table.tags)])];
    const fresh = 'freshness' in table ? table.freshness : (config.freshness ?? raw.freshness);
    const source: SourceDefinition = {
      unique_id: `source.${pkg}.${sourceName}.${name}`,
      resource_type: 'source',
      name,
      source_name: sourceName,
      package_name: pkg,
      original_file_path: entry.file.original_file_path,
      path: entry.file.original_file_path,
      fqn,
      database,
      schema,
      identifier,
      relation_name: relationName(ctx.target.type, quoting, database, schema, identifier),
      description: asString(table.description) ?? '',
      source_description: asString(raw.description) ?? '',
      loader: asString(raw.loader) ?? '',
      loaded_at_field: asString(table.loaded_at_field) ?? asString(raw.loaded_at_field) ?? null,
      freshness: freshness(fresh),
      quoting: {
        database: typeof quotingRaw.database === 'boolean' ? quotingRaw.database : null,
        schema: typeof quotingRaw.schema === 'boolean' ? quotingRaw.schema : null,
        identifier: typeof quotingRaw.identifier === 'boolean' ? quotingRaw.identifier : null,
        column: typeof quotingRaw.column === 'boolean' ? quotingRaw.column : null,
      },
      meta,
      source_meta: sourceMeta,
      tags,
      columns: columnsOf(table.columns),
      config: { ...config, enabled: coerceBool(config.enabled, true) && coerceBool(sourceConfig.enabled, true), meta, tags },
    };
    out.push({ source, table, entry });
  }
  return out;
}

/** Parses a list of `ref('x')`/`source('a','b')` strings (or Jinja that calls them). */
function dependsOnCalls(list: unknown): { refs: RefCall[]; sources: SourceCall[] } {
  const refs: RefCall[] = [];
  const sources: SourceCall[] = [];
  for (const item of asStringList(list)) {
    const found = scanRefsAndSources(item);
    refs.push(...found.refs);
    sources.push(...found.sources);
  }
  return { refs, sources };
}

function owner(value: unknown): Owner {
  if (typeof value === 'string') return { name: value, email: null };
  const o = asRecord(value);
  return { ...o, name: asString(o.name) ?? null, email: asString(o.email) ?? null };
}

export function buildExposure(entry: PropertyEntry, ctx: SourceContext): Exposure {
  const pkg = entry.package_name;
  const raw = entry.entry;
  const config = asRecord(raw.config);
  const { refs, sources } = dependsOnCalls(raw.depends_on);
  const meta = { ...asRecord(raw.meta), ...asRecord(config.meta) };
  const tags = [...new Set([...asStringList(raw.tags), ...asStringList(config.tags)])];
  const maturity = raw.maturity === 'low' || raw.maturity === 'medium' || raw.maturity === 'high' ? raw.maturity : null;
  return {
    unique_id: `exposure.${pkg}.${entry.name}`,
    resource_type: 'exposure',
    name: entry.name,
    label: asString(raw.label) ?? null,
    type: asString(raw.type) ?? 'dashboard',
    owner: owner(raw.owner),
    description: asString(raw.description) ?? '',
    url: asString(raw.url) ?? null,
    maturity,
    package_name: pkg,
    original_file_path: entry.file.original_file_path,
    path: entry.file.path,
    fqn: [pkg, ...folderParts(entry.file.path), entry.name],
    tags,
    meta,
    refs,
    sources,
    depends_on: { nodes: [], macros: [] },
    config: { ...config, enabled: coerceBool(ctx.render(config.enabled, pkg, entry), true) },
  };
}

export function buildGroup(entry: PropertyEntry): Group {
  return {
    unique_id: `group.${entry.package_name}.${entry.name}`,
    resource_type: 'group',
    name: entry.name,
    package_name: entry.package_name,
    original_file_path: entry.file.original_file_path,
    path: entry.file.path,
    owner: owner(entry.entry.owner),
  };
}

/** Semantic models, metrics, saved queries and unit tests, with the refs we can see. */
export function buildOther(entry: PropertyEntry): { resource: OtherResource; refs: RefCall[]; sources: SourceCall[] } {
  const type = otherResourceType(entry.section) ?? entry.section;
  const raw = entry.entry;
  let refs: RefCall[] = [];
  let sources: SourceCall[] = [];
  let unique_id = `${type}.${entry.package_name}.${entry.name}`;
  if (type === 'semantic_model') ({ refs, sources } = dependsOnCalls(raw.model));
  else if (type === 'unit_test') {
    const model = asString(raw.model);
    if (model) {
      refs = [{ name: model }];
      unique_id = `unit_test.${entry.package_name}.${model}.${entry.name}`;
    }
  }
  return {
    resource: { unique_id, resource_type: type, name: entry.name, package_name: entry.package_name, original_file_path: entry.file.original_file_path, depends_on: { nodes: [], macros: [] }, raw },
    refs,
    sources,
  };
}
