import type { Renderer, RenderTarget } from './render/types.js';
import { defaultAliasName, defaultDatabaseName, defaultSchemaName, type Quoting, relationName } from './relations.js';
import type { DbtNode, Macro, Problem, Target } from './types.js';

/**
 * database/schema/alias/relation_name of a node: dbt's default generate_*_name, or the root
 * project's own macros of those names rendered through the renderer, as dbt calls them.
 */
export class Naming {
  private readonly overrides: Set<string>;

  constructor(
    private readonly target: Target,
    private readonly quoting: Quoting,
    rootProject: string,
    macros: Macro[],
    private readonly renderer: () => Renderer,
    private readonly problems: Problem[],
  ) {
    this.overrides = new Set(
      macros.filter((m) => m.package_name === rootProject && /^generate_(schema|alias|database)_name$/.test(m.name)).map((m) => m.name),
    );
  }

  apply(node: DbtNode, renderTarget: RenderTarget): void {
    const c = node.config;
    // Legacy snapshot configs name the final schema/database directly, bypassing the macros.
    const legacySchema = node.resource_type === 'snapshot' && typeof c.target_schema === 'string' ? c.target_schema : undefined;
    const legacyDb = node.resource_type === 'snapshot' && typeof c.target_database === 'string' ? c.target_database : undefined;
    node.database = legacyDb ?? this.call('generate_database_name', c.database, node, renderTarget, () => defaultDatabaseName(c.database, this.target));
    node.schema = legacySchema ?? this.call('generate_schema_name', c.schema, node, renderTarget, () => defaultSchemaName(c.schema, this.target));
    node.alias = this.call('generate_alias_name', c.alias, node, renderTarget, () => defaultAliasName(c.alias, node.name, node.version));
    const relational = node.resource_type === 'model' || node.resource_type === 'seed' || node.resource_type === 'snapshot';
    node.relation_name = relational && c.materialized !== 'ephemeral' ? relationName(this.target.type, this.quoting, node.database, node.schema, node.alias) : null;
  }

  private call(macro: string, custom: unknown, node: DbtNode, renderTarget: RenderTarget, fallback: () => string): string {
    if (!this.overrides.has(macro)) return fallback();
    const arg = custom === undefined || custom === null ? 'none' : `'${String(custom).replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
    const outcome = this.renderer().render({ node: { ...renderTarget, config: node.config }, template: `{{ ${macro}(${arg}, model) }}`, mode: 'parse' });
    if (outcome.sql === null || outcome.error) {
      this.problems.push({
        file: node.original_file_path,
        message: `${macro} failed for ${node.unique_id}: ${outcome.error?.message ?? 'no output'}; dbt's default naming used`,
        severity: 'warning',
        unique_id: node.unique_id,
      });
      return fallback();
    }
    const value = outcome.sql.trim();
    return value === '' || value === 'None' ? fallback() : value;
  }
}
