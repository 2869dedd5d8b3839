import type { BuiltinEnv, BuiltinMacro } from '../types.js';
import { bind, isTruthy, sql, stringList, toNumber, type Param } from './args.js';
import { dialectFor, type DataTypes, type Dialect } from './dialect.js';
import { dateSpine, getIntervalsBetween } from './date-spine.js';

/**
 * dbt's cross-database macros (the `dbt` namespace, also callable unqualified). Each binds its
 * arguments by dbt's parameter names and asks the adapter's dialect for the SQL.
 */

type Body = (d: Dialect, a: Record<string, unknown>, env: BuiltinEnv) => unknown;

/** Declares a macro: its dbt parameter list, and the body that renders it. */
export function macro(name: string, params: Param[], body: Body): BuiltinMacro {
  return (env, args, kwargs) => body(dialectFor(env.adapterType), bind(name, params, args, kwargs), env);
}

const typeMacro = (key: keyof DataTypes): BuiltinMacro => macro(`type_${key}`, [], (d) => d.types[key]);

/** The number a Jinja argument holds, if it holds one (split_part treats negatives specially). */
function numberOf(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  const text = sql(value).trim();
  return /^-?\d+$/.test(text) ? Number(text) : undefined;
}

export const crossDbMacros: Record<string, BuiltinMacro> = {
  dateadd: macro('dateadd', ['datepart', 'interval', 'from_date_or_timestamp'], (d, a) =>
    d.dateadd(sql(a.datepart), sql(a.interval), sql(a.from_date_or_timestamp)),
  ),
  datediff: macro('datediff', ['first_date', 'second_date', 'datepart'], (d, a) =>
    d.datediff(sql(a.first_date), sql(a.second_date), sql(a.datepart)),
  ),
  date_trunc: macro('date_trunc', ['datepart', 'date'], (d, a) => d.dateTrunc(sql(a.datepart), sql(a.date))),
  last_day: macro('last_day', ['date', 'datepart'], (d, a) => d.lastDay(sql(a.date), sql(a.datepart))),
  cast: macro('cast', ['field', 'type'], (d, a) => d.cast(sql(a.field), sql(a.type))),
  safe_cast: macro('safe_cast', ['field', 'type'], (d, a) => d.safeCast(sql(a.field), sql(a.type), typeof a.field === 'number')),
  type_string: typeMacro('string'),
  type_timestamp: typeMacro('timestamp'),
  type_float: typeMacro('float'),
  type_numeric: typeMacro('numeric'),
  type_int: typeMacro('int'),
  type_bigint: typeMacro('bigint'),
  type_boolean: typeMacro('boolean'),
  current_timestamp: macro('current_timestamp', [], (d) => d.currentTimestamp()),
  current_timestamp_backcompat: macro('current_timestamp_backcompat', [], (d) => d.currentTimestampBackcompat()),
  current_timestamp_in_utc_backcompat: macro('current_timestamp_in_utc_backcompat', [], (d) => d.currentTimestampInUtcBackcompat()),
  split_part: macro('split_part', ['string_text', 'delimiter_text', 'part_number'], (d, a) =>
    d.splitPart(sql(a.string_text), sql(a.delimiter_text), sql(a.part_number), numberOf(a.part_number)),
  ),
  concat: macro('concat', ['fields'], (_d, a) => stringList(a.fields).join(' || ')),
  hash: macro('hash', ['field'], (d, a) => d.hash(sql(a.field))),
  any_value: macro('any_value', ['expression'], (d, a) => d.anyValue(sql(a.expression))),
  bool_or: macro('bool_or', ['expression'], (d, a) => d.boolOr(sql(a.expression))),
  listagg: macro('listagg', ['measure', ['delimiter_text', "','"], ['order_by_clause', null], ['limit_num', null]], (d, a) =>
    d.listagg(
      sql(a.measure),
      sql(a.delimiter_text),
      isTruthy(a.order_by_clause) ? sql(a.order_by_clause) : undefined,
      isTruthy(a.limit_num) ? sql(a.limit_num) : undefined,
    ),
  ),
  replace: macro('replace', ['field', 'old_chars', 'new_chars'], (_d, a) => `replace(${sql(a.field)}, ${sql(a.old_chars)}, ${sql(a.new_chars)})`),
  right: macro('right', ['string_text', 'length_expression'], (d, a) => d.right(sql(a.string_text), sql(a.length_expression))),
  position: macro('position', ['substring_text', 'string_text'], (d, a) => d.position(sql(a.substring_text), sql(a.string_text))),
  length: macro('length', ['expression'], (_d, a) => `length(${sql(a.expression)})`),
  escape_single_quotes: macro('escape_single_quotes', ['expression'], (d, a) => d.escapeSingleQuotes(sql(a.expression))),
  string_literal: macro('string_literal', ['value'], (d, a) => d.stringLiteral(sql(a.value))),
  except: macro('except', [], (d) => d.except()),
  intersect: macro('intersect', [], (d) => d.intersect()),
  equals: macro('equals', ['expr1', 'expr2'], (_d, a) => `(${sql(a.expr1)} = ${sql(a.expr2)})`),
  cast_bool_to_text: macro('cast_bool_to_text', ['field'], (d, a) => d.castBoolToText(sql(a.field))),
  array_construct: macro('array_construct', [['inputs', []], ['data_type', 'integer']], (d, a) =>
    d.arrayConstruct(stringList(a.inputs), sql(a.data_type)),
  ),
  array_append: macro('array_append', ['array', 'new_element'], (d, a) => d.arrayAppend(sql(a.array), sql(a.new_element))),
  array_concat: macro('array_concat', ['array_1', 'array_2'], (d, a) => d.arrayConcat(sql(a.array_1), sql(a.array_2))),
  date: macro('date', ['year', 'month', 'day'], (d, a) =>
    d.date(toNumber('date', 'year', a.year), toNumber('date', 'month', a.month), toNumber('date', 'day', a.day)),
  ),
  generate_series: macro('generate_series', ['upper_bound'], (d, a) => d.generateSeries(toNumber('generate_series', 'upper_bound', a.upper_bound))),
  get_powers_of_two: macro('get_powers_of_two', ['upper_bound'], (_d, a) => {
    const n = toNumber('get_powers_of_two', 'upper_bound', a.upper_bound);
    if (n <= 0) throw new Error('get_powers_of_two(): upper bound must be positive');
    for (let i = 1; i < 100; i++) if (n <= 2 ** i) return i;
    return undefined;
  }),
  get_intervals_between: macro('get_intervals_between', ['start_date', 'end_date', 'datepart'], (d, a, env) =>
    getIntervalsBetween(env, d, sql(a.start_date), sql(a.end_date), sql(a.datepart)),
  ),
  date_spine: macro('date_spine', ['datepart', 'start_date', 'end_date'], (d, a, env) =>
    dateSpine(env, d, sql(a.datepart), sql(a.start_date), sql(a.end_date), 'dbt'),
  ),
};
