import type { BuiltinMacro } from '../types.js';
import { BuiltinArgumentError, isTruthy, list, sql, stringList, toNumber } from './args.js';
import { crossDbMacros, macro } from './cross-db.js';
import { dateSpine, getIntervalsBetween } from './date-spine.js';
import { dialectFor, powersOfTwoSeries } from './dialect.js';
import { relationMacros } from './dbt-utils-relations.js';

/**
 * dbt_utils 1.x macros that need no warehouse (the ones that do are in dbt-utils-relations.ts).
 * Output follows dbt_utils' templates for the target adapter, with layout compacted.
 */

/** dbt_utils.slugify: lower case, spaces and dashes to `_`, other symbols dropped, no leading digit. */
export function slugify(value: string): string {
  if (!value) return '';
  const s = value.toLowerCase().replace(/[ -]+/g, '_').replace(/[^a-z0-9_]+/g, '');
  return /^[0-9]/.test(s) ? `_${s}` : s;
}

/** The coalesced, '-'-separated concatenation dbt_utils hashes into a surrogate key. */
function surrogateKeyFields(fields: string[], typeString: string, nullValue: string): string {
  return fields.map((f) => `coalesce(cast(${f} as ${typeString}), '${nullValue}')`).join(` || '-' || `);
}

/** Python's strftime for the directives pretty_time's callers use. */
function strftime(date: Date, format: string): string {
  const p = (n: number): string => String(n).padStart(2, '0');
  const map: Record<string, string> = {
    H: p(date.getHours()),
    M: p(date.getMinutes()),
    S: p(date.getSeconds()),
    Y: String(date.getFullYear()),
    m: p(date.getMonth() + 1),
    d: p(date.getDate()),
    '%': '%',
  };
  return format.replace(/%(.)/g, (whole, c: string) => map[c] ?? whole);
}

const nativeMacros: Record<string, BuiltinMacro> = {
  generate_surrogate_key: macro('generate_surrogate_key', ['field_list'], (d, a, env) => {
    const emptyNulls = isTruthy(env.var?.('surrogate_key_treat_nulls_as_empty_strings'));
    return d.hash(surrogateKeyFields(stringList(a.field_list), d.types.string, emptyNulls ? '' : '_dbt_utils_surrogate_key_null_'));
  }),
  // dbt_utils 1.x refuses surrogate_key outright, so a project calling it runs dbt_utils 0.x, where
  // nulls became '' and the fields could also be passed as separate arguments. Keys must match what
  // production holds, so this renders the 0.x form.
  surrogate_key: (env, args, kwargs) => {
    const fields = args.length > 1 ? args : list(args.length === 1 ? args[0] : kwargs.field_list);
    if (fields.length === 0) throw new BuiltinArgumentError(`surrogate_key() is missing its argument 'field_list'`);
    const d = dialectFor(env.adapterType);
    return d.hash(surrogateKeyFields(fields.map(sql), d.types.string, ''));
  },
  safe_add: macro('safe_add', ['field_list'], (_d, a) => stringList(a.field_list).map((f) => `coalesce(${f}, 0)`).join(' +\n  ')),
  safe_subtract: macro('safe_subtract', ['field_list'], (_d, a) => stringList(a.field_list).map((f) => `coalesce(${f}, 0)`).join(' -\n  ')),
  safe_divide: macro('safe_divide', ['numerator', 'denominator'], (_d, a) => `( ${sql(a.numerator)} ) / nullif( ( ${sql(a.denominator)} ), 0)`),
  group_by: macro('group_by', ['n'], (_d, a) => {
    const n = toNumber('group_by', 'n', a.n);
    return `group by ${Array.from({ length: n }, (_, i) => i + 1).join(',')}`;
  }),
  pivot: macro(
    'pivot',
    ['column', 'values', ['alias', true], ['agg', 'sum'], ['cmp', '='], ['prefix', ''], ['suffix', ''], ['then_value', 1], ['else_value', 0], ['quote_identifiers', true], ['distinct', false]],
    (d, a) =>
      list(a.values)
        .map((value) => {
          const name = `${sql(a.prefix)}${sql(value)}${sql(a.suffix)}`;
          const distinct = isTruthy(a.distinct) ? 'distinct ' : '';
          const test = `case when ${sql(a.column)} ${sql(a.cmp)} '${d.escapeSingleQuotes(sql(value))}' then ${sql(a.then_value)} else ${sql(a.else_value)} end`;
          const alias = isTruthy(a.alias) ? ` as ${isTruthy(a.quote_identifiers) ? d.quote(name) : slugify(name)}` : '';
          return `${sql(a.agg)}(${distinct}${test})${alias}`;
        })
        .join(',\n  '),
  ),
  deduplicate: macro('deduplicate', ['relation', 'partition_by', 'order_by'], (d, a) => {
    const [rel, by, order] = [sql(a.relation), sql(a.partition_by), sql(a.order_by)];
    // dbt_utils' own per-adapter forms: they differ in results (the default natural join drops
    // rows holding nulls), and the rendering must reproduce what production ran.
    if (d.name === 'snowflake' || d.name === 'redshift' || d.name === 'databricks') {
      return `select *\nfrom ${rel}\nqualify row_number() over (partition by ${by} order by ${order}) = 1`;
    }
    if (d.name === 'postgres') return `select distinct on (${by}) *\nfrom ${rel}\norder by ${by},${order}`;
    if (d.name === 'bigquery') {
      return `select unique.*\nfrom (select array_agg(original order by ${order} limit 1)[offset(0)] unique from ${rel} original group by ${by})`;
    }
    return (
      `with row_numbered as (select _inner.*, row_number() over (partition by ${by} order by ${order}) as rn from ${rel} as _inner)\n` +
      `select distinct data.*\nfrom ${rel} as data\nnatural join row_numbered\nwhere row_numbered.rn = 1`
    );
  }),
  generate_series: macro('generate_series', ['upper_bound'], (_d, a) => powersOfTwoSeries(toNumber('generate_series', 'upper_bound', a.upper_bound))),
  get_intervals_between: macro('get_intervals_between', ['start_date', 'end_date', 'datepart'], (d, a, env) =>
    getIntervalsBetween(env, d, sql(a.start_date), sql(a.end_date), sql(a.datepart)),
  ),
  date_spine: macro('date_spine', ['datepart', 'start_date', 'end_date'], (d, a, env) =>
    dateSpine(env, d, sql(a.datepart), sql(a.start_date), sql(a.end_date), 'dbt_utils'),
  ),
  haversine_distance: macro('haversine_distance', ['lat1', 'lon1', 'lat2', 'lon2', ['unit', 'mi']], (_d, a) => {
    const unit = sql(a.unit);
    if (unit !== 'mi' && unit !== 'km') throw new BuiltinArgumentError(`unit input must be one of 'mi' or 'km'. Got ${unit}`);
    const [lat1, lon1, lat2, lon2] = [a.lat1, a.lon1, a.lat2, a.lon2].map(sql);
    return (
      `2 * 3961 * asin(sqrt(power((sin(radians((${lat2} - ${lat1}) / 2))), 2) + ` +
      `cos(radians(${lat1})) * cos(radians(${lat2})) * power((sin(radians((${lon2} - ${lon1}) / 2))), 2))) * ${unit === 'km' ? '1.60934' : '1'}`
    );
  }),
  width_bucket: macro('width_bucket', ['expr', 'min_value', 'max_value', 'num_buckets'], (d, a) => {
    const [expr, min, max, n] = [a.expr, a.min_value, a.max_value, a.num_buckets].map(sql);
    if (d.name === 'snowflake') return `width_bucket(${expr}, ${min}, ${max}, ${n} )`;
    const bin = `(( ${max} - ${min} ) / ${n} )`;
    const numeric = d.types.numeric;
    return (
      `(case when mod(${d.safeCast(expr, numeric, false)}, ${d.safeCast(bin, numeric, false)}) = 0 then 1 else 0 end) + ` +
      `least(ceil((${expr} - ${min})/${bin}), ${n} + 1)`
    );
  }),
  get_url_parameter: macro('get_url_parameter', ['field', 'url_parameter'], (d, a) => {
    const inner = d.splitPart(sql(a.field), `'${sql(a.url_parameter)}='`, '2', 2);
    return `nullif(${d.splitPart(inner, "'&'", '1', 1)},'')`;
  }),
  get_url_host: macro('get_url_host', ['field'], (d, a) => {
    const replace = (f: string, from: string): string => `replace(${f}, '${from}', '')`;
    const stripped = replace(replace(replace(sql(a.field), 'android-app://'), 'http://'), 'https://');
    return d.safeCast(d.splitPart(d.splitPart(stripped, "'/'", '1', 1), "'?'", '1', 1), d.types.string, false);
  }),
  get_url_path: macro('get_url_path', ['field'], (d, a) => {
    const stripped = `replace(replace(${sql(a.field)}, 'http://', ''), 'https://', '')`;
    const firstSlash = `coalesce(nullif(${d.position("'/'", stripped)}, 0), ${d.position("'?'", stripped)} - 1)`;
    const path = d.splitPart(d.right(stripped, `length(${stripped})-${firstSlash}`), "'?'", '1', 1);
    return d.safeCast(path, d.types.string, false);
  }),
  slugify: macro('slugify', ['string'], (_d, a) => slugify(isTruthy(a.string) ? sql(a.string) : '')),
  // dbt_utils' information_schema table type mapping, used by get_relations_by_pattern callers.
  get_table_types_sql: macro('get_table_types_sql', [], () =>
    "case table_type when 'BASE TABLE' then 'table' when 'EXTERNAL TABLE' then 'external' when 'MATERIALIZED VIEW' then 'materializedview' else lower(table_type) end as table_type",
  ),
  pretty_time: macro('pretty_time', [['format', '%H:%M:%S']], (_d, a) => strftime(new Date(), sql(a.format))),
  pretty_log_format: macro('pretty_log_format', ['message'], (_d, a) => `${strftime(new Date(), '%H:%M:%S')} + ${sql(a.message)}`),
  log_info: macro('log_info', ['message'], () => ''),
};

/**
 * dbt_utils 0.x shipped the cross-database macros itself; projects that still call
 * `dbt_utils.dateadd` get dbt's versions, which is what 0.9's deprecation shims forwarded to.
 */
const legacyCrossDb: Record<string, BuiltinMacro> = {
  ...crossDbMacros,
  current_timestamp: crossDbMacros.current_timestamp_backcompat,
  current_timestamp_in_utc: crossDbMacros.current_timestamp_in_utc_backcompat,
};

export const dbtUtilsMacros: Record<string, BuiltinMacro> = { ...legacyCrossDb, ...nativeMacros, ...relationMacros };
