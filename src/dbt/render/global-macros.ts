import type { Macro } from '../types.js';

/**
 * Macros of dbt's own global project that projects call from their overrides
 * (`{{ generate_schema_name_for_env(custom_schema_name, node) }}`,
 * `{{ default__generate_schema_name(...) }}`). Written here in Jinja with dbt's documented
 * behaviour; a project or package macro of the same name wins.
 */
const SOURCES: Record<string, string> = {
  default__generate_schema_name: `{% macro default__generate_schema_name(custom_schema_name, node) -%}
{%- set default_schema = target.schema -%}
{%- if custom_schema_name is none -%}{{ default_schema }}{%- else -%}{{ default_schema }}_{{ custom_schema_name | trim }}{%- endif -%}
{%- endmacro %}`,
  generate_schema_name_for_env: `{% macro generate_schema_name_for_env(custom_schema_name, node) -%}
{%- set default_schema = target.schema -%}
{%- if target.name == 'prod' and custom_schema_name is not none -%}{{ custom_schema_name | trim }}{%- else -%}{{ default_schema }}{%- endif -%}
{%- endmacro %}`,
  default__generate_alias_name: `{% macro default__generate_alias_name(custom_alias_name=none, node=none) -%}
{%- if custom_alias_name -%}{{ custom_alias_name | trim }}{%- elif node.version -%}{{ node.name ~ "_v" ~ (node.version | replace(".", "_")) }}{%- else -%}{{ node.name }}{%- endif -%}
{%- endmacro %}`,
  default__generate_database_name: `{% macro default__generate_database_name(custom_database_name=none, node=none) -%}
{%- if custom_database_name is none -%}{{ target.database }}{%- else -%}{{ custom_database_name | trim }}{%- endif -%}
{%- endmacro %}`,
};

export const globalMacros: Macro[] = Object.entries(SOURCES).map(([name, macro_sql]) => ({
  unique_id: `macro.dbt.${name}`,
  resource_type: 'macro',
  name,
  package_name: 'dbt',
  original_file_path: `macros/${name}.sql`,
  path: `macros/${name}.sql`,
  macro_sql,
  description: '',
  arguments: [],
  depends_on: { macros: [] },
}));
