import type { BuiltinEnv, BuiltinMacro, RelationColumn, RelationRef } from '../types.js';
import { BuiltinArgumentError, isTruthy, list, record, relationName, sql, stringList } from './args.js';
import { macro } from './cross-db.js';
import type { Dialect } from './dialect.js';

/**
 * dbt_utils macros that read the warehouse's metadata. They ask the renderer (env.columns,
 * env.columnValues, env.queryResult); when it does not know, they render a placeholder that
 * still runs where possible, say so in a note, and record what to fetch so the caller can render again.
 */

type RelationArg = RelationRef | string;

function asRelation(macroName: string, value: unknown): RelationArg {
  if (typeof value === 'string' || (typeof value === 'object' && value !== null && 'identifier' in value)) return value as RelationArg;
  throw new BuiltinArgumentError(`${macroName}(): expected a relation (ref() or source()), got ${sql(value)}`);
}

/** Columns of a relation, or undefined after recording the request for them. */
function columnsOf(env: BuiltinEnv, relation: RelationArg): RelationColumn[] | undefined {
  const cols = env.columns(relation);
  if (cols === undefined) env.request({ kind: 'columns', relation: relationName(relation) });
  return cols;
}

const lowerSet = (values: unknown): Set<string> => new Set(stringList(values).map((v) => v.toLowerCase()));

/** dbt's Column.is_string(): only these base types count. */
function isStringType(dataType: string | null | undefined): boolean {
  const base = (dataType ?? '').toLowerCase().replace(/\(.*$/, '').trim();
  return ['text', 'character varying', 'character', 'varchar'].includes(base);
}

function stringSize(dataType: string | null | undefined): number | undefined {
  const m = /\((\d+)\)\s*$/.exec(dataType ?? '');
  return m ? Number(m[1]) : undefined;
}

function star(env: BuiltinEnv, d: Dialect, a: Record<string, unknown>): string {
  const from = asRelation('star', a.from);
  const alias = isTruthy(a.relation_alias) ? `${sql(a.relation_alias)}.` : '';
  const except = lowerSet(a.except);
  const cols = columnsOf(env, from);
  if (cols === undefined) {
    const excluded = stringList(a.except);
    // DuckDB and Snowflake can still honour `except` without knowing the columns.
    const exclude = excluded.length > 0 && (d.name === 'duckdb' || d.name === 'snowflake') ? ` exclude (${excluded.join(', ')})` : '';
    env.note(`dbt_utils.star on ${relationName(from)}: columns unknown without a warehouse; rendered as ${alias}*${exclude}`);
    return `${alias}*${exclude}`;
  }
  const names = cols.map((c) => c.name).filter((n) => !except.has(n.toLowerCase()));
  if (names.length === 0) return '/* no columns returned from star() macro */';
  const rename = new Map(Object.entries(record(a.rename)).map(([k, v]) => [k.toLowerCase(), sql(v)]));
  const [prefix, suffix] = [sql(a.prefix), sql(a.suffix)];
  const affixed = prefix !== '' || suffix !== '';
  const quote = isTruthy(a.quote_identifiers);
  return names
    .map((col) => {
      const renamed = rename.get(col.toLowerCase());
      let as = '';
      if (renamed !== undefined) as = ` as ${renamed}`;
      else if (quote && isTruthy(a.unquote_aliases)) as = ` as ${prefix}${col}${suffix}`;
      else if (affixed) as = ` as ${quote ? d.quote(prefix + col + suffix) : prefix + col + suffix}`;
      return `${alias}${quote ? d.quote(col) : col}${as}`;
    })
    .join(',\n  ');
}

function unionRelations(env: BuiltinEnv, d: Dialect, a: Record<string, unknown>): string {
  const include = lowerSet(a.include);
  const exclude = lowerSet(a.exclude);
  if (include.size > 0 && exclude.size > 0) {
    throw new BuiltinArgumentError('Both an exclude and include list were provided to the `union` macro. Only one is allowed');
  }
  const relations = list(a.relations).map((r) => asRelation('union_relations', r));
  const override = record(a.column_override);
  const sourceColumn = a.source_column_name === null || a.source_column_name === undefined ? undefined : sql(a.source_column_name);
  const where = isTruthy(a.where) ? `\n    where ${sql(a.where)}` : '';
  const sourceCast = (r: RelationArg): string =>
    sourceColumn === undefined ? '' : `cast(${d.stringLiteral(relationName(r))} as ${d.types.string}) as ${sourceColumn}`;

  const perRelation = relations.map((r) => columnsOf(env, r));
  if (perRelation.some((c) => c === undefined)) {
    const unknown = relations.filter((_, i) => perRelation[i] === undefined).map(relationName);
    // DuckDB lines columns up by name and pads the missing ones with nulls, as dbt_utils does.
    const byName = d.name === 'duckdb';
    env.note(
      `dbt_utils.union_relations: columns of ${unknown.join(', ')} unknown without a warehouse; rendered as a ` +
        `union of select *${byName ? ' by name' : ', which needs the relations to have the same columns in the same order'}`,
    );
    return relations
      .map((r) => `(\n    select ${[sourceCast(r), '*'].filter(Boolean).join(', ')}\n    from ${relationName(r)}${where}\n)`)
      .join(byName ? '\nunion all by name\n' : '\nunion all\n');
  }

  // The superset of columns in first-seen order; a string column takes its widest declared size.
  const superset = new Map<string, RelationColumn>();
  const present = perRelation.map((cols) => {
    const names = new Set<string>();
    for (const col of cols ?? []) {
      const lower = col.name.toLowerCase();
      if ((exclude.size > 0 && exclude.has(lower)) || (include.size > 0 && !include.has(lower))) continue;
      names.add(col.name);
      const stored = superset.get(col.name);
      if (!stored) superset.set(col.name, col);
      else if (isStringType(col.data_type) && isStringType(stored.data_type) && (stringSize(col.data_type) ?? 0) > (stringSize(stored.data_type) ?? 0)) {
        superset.set(col.name, col);
      }
    }
    return names;
  });
  return relations
    .map((r, i) => {
      const casts = [...superset.values()].map((col) => {
        const type = override[col.name] !== undefined ? sql(override[col.name]) : (col.data_type ?? d.types.string);
        const value = present[i].has(col.name) ? d.quote(col.name) : 'null';
        return `cast(${value} as ${type}) as ${d.quote(col.name)}`;
      });
      const select = [sourceCast(r), ...(casts.length > 0 ? casts : ['*'])].filter(Boolean).join(',\n        ');
      return `(\n    select\n        ${select}\n    from ${relationName(r)}${where}\n)`;
    })
    .join('\nunion all\n');
}

function unpivot(env: BuiltinEnv, d: Dialect, a: Record<string, unknown>): string {
  if (!isTruthy(a.relation)) throw new BuiltinArgumentError('Error: argument `relation` is required for `unpivot` macro.');
  const relation = asRelation('unpivot', a.relation);
  const cols = columnsOf(env, relation);
  if (cols === undefined) {
    env.note(`dbt_utils.unpivot on ${relationName(relation)}: columns unknown without a warehouse; rendered as select *`);
    return `select * from ${relationName(relation)}`;
  }
  const quote = isTruthy(a.quote_identifiers);
  const q = (name: string): string => (quote ? d.quote(name) : name);
  const excludeNames = stringList(a.exclude);
  const skip = new Set([...excludeNames, ...stringList(a.remove)].map((n) => n.toLowerCase()));
  return cols
    .filter((c) => !skip.has(c.name.toLowerCase()))
    .map((col) => {
      const value = col.data_type === 'boolean' ? d.castBoolToText(q(col.name)) : q(col.name);
      const fields = [
        ...excludeNames.map(q),
        `cast('${col.name}' as ${d.types.string}) as ${q(sql(a.field_name))}`,
        `cast(${value} as ${sql(a.cast_to)}) as ${q(sql(a.value_name))}`,
      ];
      return `select\n  ${fields.join(',\n  ')}\nfrom ${relationName(relation)}`;
    })
    .join('\nunion all\n');
}

function getColumnValues(env: BuiltinEnv, a: Record<string, unknown>): unknown[] {
  const table = asRelation('get_column_values', a.table);
  const column = sql(a.column);
  const options = {
    orderBy: sql(a.order_by),
    ...(isTruthy(a.where) ? { where: sql(a.where) } : {}),
    ...(a.max_records !== null && a.max_records !== undefined ? { maxRecords: Number(sql(a.max_records)) } : {}),
  };
  const fallback = Array.isArray(a.default) ? a.default : [];
  const values = env.columnValues(table, column, options);
  if (values === undefined) {
    env.request({ kind: 'column_values', relation: relationName(table), column, ...options });
    env.note(
      `dbt_utils.get_column_values(${relationName(table)}, ${column}): values unknown without a warehouse; ` +
        `used ${fallback.length > 0 ? `the default ${sql(fallback)}` : 'an empty list'}`,
    );
    return fallback;
  }
  return values.length > 0 ? values : fallback;
}

function nullcheck(cols: unknown[]): string {
  return cols
    .map((c) => {
      const r = record(c);
      const name = typeof c === 'string' ? c : sql(r.name ?? r.column);
      const type = typeof c === 'string' ? undefined : sql(r.data_type ?? r.dtype);
      return isStringType(type) ? `nullif(${name},'') as ${name}` : name;
    })
    .join(',');
}

function queryNeeded(env: BuiltinEnv, macroName: string, query: string): { columns: string[]; rows: unknown[][] } | undefined {
  const result = env.queryResult?.(query);
  if (result === undefined) {
    env.request({ kind: 'query', sql: query });
    env.note(`dbt_utils.${macroName}: the query result is unknown without a warehouse; rendered with the default`);
  }
  return result;
}

const relationsUnknown = (name: string): BuiltinMacro =>
  macro(name, ['schema_pattern', ['table_pattern', '%'], ['exclude', ''], ['database', null]], (_d, a, env) => {
    env.note(`dbt_utils.${name}(${sql(a.schema_pattern)}, ${sql(a.table_pattern)}): listing relations needs the warehouse; rendered as no relations`);
    return [];
  });

export const relationMacros: Record<string, BuiltinMacro> = {
  star: macro(
    'star',
    ['from', ['relation_alias', false], ['except', []], ['prefix', ''], ['suffix', ''], ['quote_identifiers', true], ['unquote_aliases', false], ['rename', {}]],
    (d, a, env) => star(env, d, a),
  ),
  union_relations: macro(
    'union_relations',
    ['relations', ['column_override', null], ['include', []], ['exclude', []], ['source_column_name', '_dbt_source_relation'], ['where', null]],
    (d, a, env) => unionRelations(env, d, a),
  ),
  unpivot: macro(
    'unpivot',
    [['relation', null], ['cast_to', 'varchar'], ['exclude', null], ['remove', null], ['field_name', 'field_name'], ['value_name', 'value'], ['quote_identifiers', false]],
    (d, a, env) => unpivot(env, d, a),
  ),
  get_column_values: macro(
    'get_column_values',
    ['table', 'column', ['order_by', 'count(*) desc'], ['max_records', null], ['default', null], ['where', null]],
    (_d, a, env) => getColumnValues(env, a),
  ),
  get_filtered_columns_in_relation: macro('get_filtered_columns_in_relation', ['from', ['except', []]], (_d, a, env) => {
    const from = asRelation('get_filtered_columns_in_relation', a.from);
    const cols = columnsOf(env, from);
    if (cols === undefined) {
      env.note(`dbt_utils.get_filtered_columns_in_relation on ${relationName(from)}: columns unknown without a warehouse; rendered as an empty list`);
      return [];
    }
    const except = lowerSet(a.except);
    return cols.map((c) => c.name).filter((n) => !except.has(n.toLowerCase()));
  }),
  get_relations_by_pattern: relationsUnknown('get_relations_by_pattern'),
  get_relations_by_prefix: macro('get_relations_by_prefix', ['schema', 'prefix', ['exclude', ''], ['database', null]], (_d, a, env) => {
    env.note(`dbt_utils.get_relations_by_prefix(${sql(a.schema)}, ${sql(a.prefix)}): listing relations needs the warehouse; rendered as no relations`);
    return [];
  }),
  nullcheck: macro('nullcheck', ['cols'], (_d, a) => nullcheck(list(a.cols))),
  nullcheck_table: macro('nullcheck_table', ['relation'], (_d, a, env) => {
    const relation = asRelation('nullcheck_table', a.relation);
    const cols = columnsOf(env, relation);
    if (cols === undefined) {
      env.note(`dbt_utils.nullcheck_table on ${relationName(relation)}: columns unknown without a warehouse; rendered as select *`);
      return `select * from ${relationName(relation)}`;
    }
    return `select ${nullcheck(cols)}\nfrom ${relationName(relation)}`;
  }),
  get_single_value: macro('get_single_value', ['query', ['default', null]], (_d, a, env) => {
    const result = queryNeeded(env, 'get_single_value', sql(a.query));
    const value = result?.rows[0]?.[0];
    return value === undefined ? a.default : value;
  }),
  get_query_results_as_dict: macro('get_query_results_as_dict', ['query'], (_d, a, env) => {
    const result = queryNeeded(env, 'get_query_results_as_dict', sql(a.query));
    const dict: Record<string, unknown[]> = {};
    result?.columns.forEach((c, i) => (dict[c] = result.rows.map((row) => row[i])));
    return dict;
  }),
};
