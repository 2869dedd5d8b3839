import { z } from 'zod';

/**
 * The parts of dbt's manifest.json (schema v6–v12) that the loader reads, validated at the edge.
 * Objects are loose: every field we do not read passes through untouched, and fields that changed
 * shape across versions (refs, raw_sql/raw_code, owner.email) accept each shape.
 */
const str = z.string();
const optStr = z.string().nullish();
const strList = z.array(z.string()).nullish();
const record = z.record(z.string(), z.unknown());
const dependsOn = z.looseObject({ nodes: strList, macros: strList }).nullish();
// v6–v8 wrote refs as [name] / [package, name] (v9 may add a version); v10+ as {name, package, version}.
export const refSchema = z.union([
  z.array(z.union([z.string(), z.number()])).min(1),
  z.looseObject({ name: str, package: optStr, version: z.union([z.string(), z.number()]).nullish() }),
]);
export const columnSchema = z.looseObject({
  name: optStr,
  description: optStr,
  data_type: optStr,
  meta: record.nullish(),
  tags: strList,
  constraints: z.array(z.looseObject({ type: str })).nullish(),
  quote: z.boolean().nullish(),
});
export const owner = z.looseObject({ name: optStr, email: z.union([z.string(), z.array(z.string())]).nullish() });

const baseResource = {
  unique_id: str,
  resource_type: str,
  name: str,
  package_name: str,
  path: optStr,
  original_file_path: optStr,
};

export const nodeSchema = z.looseObject({
  ...baseResource,
  patch_path: optStr,
  fqn: strList,
  database: optStr,
  schema: optStr,
  alias: optStr,
  relation_name: optStr,
  config: record.nullish(),
  tags: z.union([z.array(z.string()), z.string()]).nullish(),
  meta: record.nullish(),
  description: optStr,
  columns: z.record(z.string(), columnSchema).nullish(),
  language: optStr,
  raw_code: optStr,
  raw_sql: optStr,
  checksum: z.object({ name: z.string(), checksum: z.string() }).nullish(),
  compiled_code: optStr,
  compiled_sql: optStr,
  refs: z.array(refSchema).nullish(),
  sources: z.array(z.array(z.string())).nullish(),
  depends_on: dependsOn,
  version: z.union([z.string(), z.number()]).nullish(),
  latest_version: z.union([z.string(), z.number()]).nullish(),
  group: optStr,
  access: optStr,
  contract: z.looseObject({ enforced: z.boolean().nullish(), alias_types: z.boolean().nullish() }).nullish(),
  constraints: z.array(z.looseObject({ type: str })).nullish(),
  test_metadata: z.looseObject({ name: str, namespace: optStr, kwargs: record.nullish() }).nullish(),
  column_name: optStr,
  attached_node: optStr,
});

export const sourceSchema = z.looseObject({
  ...baseResource,
  source_name: str,
  fqn: strList,
  database: optStr,
  schema: optStr,
  identifier: optStr,
  relation_name: optStr,
  description: optStr,
  source_description: optStr,
  loader: optStr,
  loaded_at_field: optStr,
  freshness: record.nullish(),
  quoting: record.nullish(),
  meta: record.nullish(),
  source_meta: record.nullish(),
  tags: strList,
  columns: z.record(z.string(), columnSchema).nullish(),
  config: record.nullish(),
});

export const exposureSchema = z.looseObject({
  ...baseResource,
  label: optStr,
  type: optStr,
  owner: owner.nullish(),
  description: optStr,
  url: optStr,
  maturity: optStr,
  fqn: strList,
  tags: strList,
  meta: record.nullish(),
  refs: z.array(refSchema).nullish(),
  sources: z.array(z.array(z.string())).nullish(),
  depends_on: dependsOn,
  config: record.nullish(),
});

export const macroSchema = z.looseObject({
  ...baseResource,
  macro_sql: optStr,
  description: optStr,
  arguments: z.array(z.looseObject({ name: str, type: optStr, description: optStr })).nullish(),
  depends_on: dependsOn,
});

export const groupSchema = z.looseObject({ ...baseResource, owner: owner.nullish() });
export const otherSchema = z.looseObject({ ...baseResource, depends_on: dependsOn });

export const manifestSchema = z.looseObject({
  metadata: z.looseObject({
    dbt_schema_version: str,
    dbt_version: optStr,
    project_name: optStr,
    project_id: optStr,
    adapter_type: optStr,
  }),
  nodes: z.record(z.string(), nodeSchema).nullish(),
  sources: z.record(z.string(), sourceSchema).nullish(),
  exposures: z.record(z.string(), exposureSchema).nullish(),
  macros: z.record(z.string(), macroSchema).nullish(),
  groups: z.record(z.string(), groupSchema).nullish(),
  metrics: z.record(z.string(), otherSchema).nullish(),
  semantic_models: z.record(z.string(), otherSchema).nullish(),
  saved_queries: z.record(z.string(), otherSchema).nullish(),
  unit_tests: z.record(z.string(), otherSchema).nullish(),
  functions: z.record(z.string(), otherSchema).nullish(),
  // Disabled entries can be nodes or sources; only their identity is validated here.
  disabled: z.record(z.string(), z.array(z.looseObject({ resource_type: str }))).nullish(),
  parent_map: z.record(z.string(), z.array(z.string())).nullish(),
  child_map: z.record(z.string(), z.array(z.string())).nullish(),
});

export type RawManifest = z.infer<typeof manifestSchema>;
export type RawNode = z.infer<typeof nodeSchema>;
export type RawColumn = z.infer<typeof columnSchema>;
