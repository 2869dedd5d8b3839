import type { Target } from './types.js';

/**
 * Where a node lands in the warehouse, with dbt's default generate_database_name,
 * generate_schema_name and generate_alias_name, and relation names printed as the adapter does.
 */

export interface Quoting {
  database: boolean;
  schema: boolean;
  identifier: boolean;
}

/** dbt's adapter quote policies: Snowflake quotes nothing by default, Postgres-like adapters (DuckDB) quote everything. */
export function defaultQuoting(adapterType: string, overrides?: Record<string, unknown>): Quoting {
  const base = adapterType === 'snowflake' ? false : true;
  const pick = (key: keyof Quoting): boolean => (typeof overrides?.[key] === 'boolean' ? (overrides[key] as boolean) : base);
  return { database: pick('database'), schema: pick('schema'), identifier: pick('identifier') };
}

function quoteChar(adapterType: string): string {
  return adapterType === 'bigquery' || adapterType === 'databricks' || adapterType === 'spark' ? '`' : '"';
}

export function relationName(adapterType: string, quoting: Quoting, database: string | null, schema: string, identifier: string): string {
  const q = quoteChar(adapterType);
  const part = (value: string, quoted: boolean): string => (quoted ? `${q}${value.split(q).join(q + q)}${q}` : value);
  const parts: string[] = [];
  if (database) parts.push(part(database, quoting.database));
  parts.push(part(schema, quoting.schema), part(identifier, quoting.identifier));
  return parts.join('.');
}

const blank = (v: unknown): boolean => v === undefined || v === null || (typeof v === 'string' && v.trim() === '');

/** `{{ target.schema }}` without a custom schema, `<target.schema>_<custom>` with one. */
export function defaultSchemaName(custom: unknown, target: Target): string {
  return blank(custom) ? target.schema : `${target.schema}_${String(custom).trim()}`;
}

export function defaultDatabaseName(custom: unknown, target: Target): string {
  return blank(custom) ? target.database : String(custom).trim();
}

/** The custom alias, else `<name>_v<version>` for versioned models, else the name. */
export function defaultAliasName(custom: unknown, name: string, version?: string | number | null): string {
  if (!blank(custom)) return String(custom).trim();
  if (version !== undefined && version !== null && version !== '') return `${name}_v${version}`;
  return name;
}

/** Relation text as SQL resolves it (and column lineage spells it): quotes dropped, case folded. */
export function relationKey(text: string): string {
  return text.replace(/["`]/g, '').toLowerCase();
}

/** The entry of `index` (keyed by relationKey) a relation names, also when the SQL omits the database or schema. */
export function lookupRelation<T>(index: ReadonlyMap<string, T>, relation: string): T | undefined {
  const r = relationKey(relation);
  const exact = index.get(r);
  if (exact !== undefined) return exact;
  for (const [full, value] of index) if (full.endsWith(`.${r}`)) return value;
  return undefined;
}
