/**
 * Native implementations of the generic tests most projects use: dbt's four built-ins, the
 * dbt_utils tests and a few dbt_expectations tests. Each returns the test's *main query* (the rows
 * that fail), written to select the same rows as the package's macro, so that the failure count
 * matches `dbt test`. The caller wraps it in dbt's get_test_sql aggregate (./test-sql.ts).
 *
 * Written natively rather than rendered from package Jinja so that tests run on projects that
 * never ran `dbt deps`, and because the PR relation must be swapped in for `model`.
 */
import type { Dialect as CrossDbDialect } from '../dbt/render/builtins/dialect.js';

export interface MacroContext {
  /** What `{{ model }}` prints: the relation under test, already filtered by the `where` config. */
  model: string;
  /** The `column_name` argument as SQL text (dbt passes it through verbatim), or null. */
  column: string | null;
  /** The test's keyword arguments other than `model` and `column_name`. */
  args: Record<string, unknown>;
  /** Resolves an argument holding `ref('x')`/`source('s', 't')` to a relation to read. */
  relation(argument: string): { relation: string } | { error: string };
  sql: CrossDbDialect;
}

/** A main query, and the fail_calc the package macro sets with `config()` when it has one. */
export interface MainQuery {
  sql: string;
  failCalc?: string;
}

export type MacroOutcome = MainQuery | { skip: string };

type Macro = (ctx: MacroContext) => MacroOutcome;

function needColumn(ctx: MacroContext, test: string): string | { skip: string } {
  return ctx.column ?? { skip: `${test} needs a column_name` };
}

function arg(ctx: MacroContext, name: string): unknown {
  const v = ctx.args[name];
  return v === null ? undefined : v;
}

/** YAML gives booleans, but `{{ var() }}`-rendered values may arrive as text. */
function bool(value: unknown, fallback: boolean): boolean {
  if (value === undefined || value === null) return fallback;
  if (typeof value === 'string') return !/^(false|no|0)$/i.test(value.trim());
  return Boolean(value);
}

/** A Jinja-printed scalar: numbers and SQL expressions print as themselves. */
function printed(value: unknown): string {
  return typeof value === 'string' ? value : String(value);
}

function stringList(value: unknown): string[] | undefined {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.map(printed);
  return undefined;
}

/** `group_by_columns` as the dbt_utils macros splice them in. */
function groupBy(ctx: MacroContext, key = 'group_by_columns'): { select: string; groupBy: string; cols: string[] } {
  const cols = stringList(arg(ctx, key)) ?? [];
  if (cols.length === 0) return { select: '', groupBy: '', cols };
  return { select: `${cols.join(' ,')}, `, groupBy: `group by ${cols.join(',')}`, cols };
}

function relationArg(ctx: MacroContext, name: string, test: string): string | { skip: string } {
  const value = arg(ctx, name);
  if (typeof value !== 'string' || value.trim() === '') return { skip: `${test} needs \`${name}\` (a ref() or source())` };
  const found = ctx.relation(value);
  return 'error' in found ? { skip: `${test}: ${found.error}` } : found.relation;
}

/** dbt_expectations' expression_is_true: rows where the expression is not true, nulls excluded. */
function expectationsExpression(ctx: MacroContext, expression: string, groupCols: string[] = []): string {
  const rowCondition = arg(ctx, 'row_condition');
  const where = typeof rowCondition === 'string' && rowCondition.trim() ? `\n  where ${rowCondition}` : '';
  const gb = groupCols.length ? `${groupCols.join(', ')}, ` : '';
  const group = groupCols.length ? `\n  group by ${groupCols.join(', ')}` : '';
  return `with grouped_expression as (\n  select ${gb}${expression} as expression\n  from ${ctx.model}${where}${group}\n),\nvalidation_errors as (\n  select * from grouped_expression where not(expression = true)\n)\nselect * from validation_errors`;
}

function betweenExpression(ctx: MacroContext, expression: string): string | { skip: string } {
  const min = arg(ctx, 'min_value');
  const max = arg(ctx, 'max_value');
  if (min === undefined && max === undefined) return { skip: 'needs min_value or max_value' };
  const op = bool(arg(ctx, 'strictly'), false) ? '' : '=';
  let out = '( 1=1';
  if (min !== undefined) out += ` and ${expression} >${op} ${printed(min)}`;
  if (max !== undefined) out += ` and ${expression} <${op} ${printed(max)}`;
  return `${out} )`;
}

/** Equal-rowcount and fewer-rows-than share their grouped count join. */
function countJoin(ctx: MacroContext, test: string, aName: string, bName: string, idName: string): { sql: string; cols: string[] } | { skip: string } {
  const compare = relationArg(ctx, 'compare_model', test);
  if (typeof compare !== 'string') return compare;
  const gb = groupBy(ctx);
  const side = (rel: string, count: string): string => `  select ${gb.select}1 as ${idName}, count(*) as ${count}\n  from ${rel}\n  ${gb.groupBy}`;
  const join = gb.cols.map((c) => ` and a.${c} = b.${c}`).join('');
  const cols = gb.cols.map((c) => `a.${c} as ${c}_a, b.${c} as ${c}_b, `).join('');
  const sql = `with a as (\n${side(ctx.model, aName)}\n),\nb as (\n${side(compare, bName)}\n),\njoined as (\n  select ${cols}${aName}, ${bName}\n  from a full join b on a.${idName} = b.${idName}${join}\n)`;
  return { sql, cols: gb.cols };
}

const macros: Record<string, Macro> = {
  not_null(ctx) {
    const col = needColumn(ctx, 'not_null');
    if (typeof col !== 'string') return col;
    return { sql: `select ${col}\nfrom ${ctx.model}\nwhere ${col} is null` };
  },

  unique(ctx) {
    const col = needColumn(ctx, 'unique');
    if (typeof col !== 'string') return col;
    return {
      sql: `select ${col} as unique_field, count(*) as n_records\nfrom ${ctx.model}\nwhere ${col} is not null\ngroup by ${col}\nhaving count(*) > 1`,
    };
  },

  accepted_values(ctx) {
    const col = needColumn(ctx, 'accepted_values');
    if (typeof col !== 'string') return col;
    const values = arg(ctx, 'values');
    if (!Array.isArray(values) || values.length === 0) return { skip: 'accepted_values needs `values`: a non-empty list' };
    const quote = bool(arg(ctx, 'quote'), true);
    // dbt prints '{{ value }}' unescaped; escaping only differs where dbt would emit broken SQL.
    const list = values.map((v) => (quote ? `'${printed(v).replace(/'/g, "''")}'` : printed(v))).join(', ');
    return {
      sql: `with all_values as (\n  select ${col} as value_field, count(*) as n_records\n  from ${ctx.model}\n  group by ${col}\n)\nselect * from all_values\nwhere value_field not in (${list})`,
    };
  },

  relationships(ctx) {
    const col = needColumn(ctx, 'relationships');
    if (typeof col !== 'string') return col;
    const to = relationArg(ctx, 'to', 'relationships');
    if (typeof to !== 'string') return to;
    const field = arg(ctx, 'field');
    if (typeof field !== 'string' || !field) return { skip: 'relationships needs `field`' };
    return {
      sql: `with child as (\n  select ${col} as from_field\n  from ${ctx.model}\n  where ${col} is not null\n),\nparent as (\n  select ${field} as to_field\n  from ${to}\n)\nselect from_field\nfrom child\nleft join parent on child.from_field = parent.to_field\nwhere parent.to_field is null`,
    };
  },

  'dbt_utils.expression_is_true'(ctx) {
    const expression = arg(ctx, 'expression');
    if (expression === undefined || printed(expression).trim() === '') return { skip: 'expression_is_true needs `expression`' };
    const cond = ctx.column ? `${ctx.column} ${printed(expression)}` : printed(expression);
    return { sql: `select 1\nfrom ${ctx.model}\nwhere not(${cond})` };
  },

  'dbt_utils.accepted_range'(ctx) {
    const col = needColumn(ctx, 'accepted_range');
    if (typeof col !== 'string') return col;
    const min = arg(ctx, 'min_value');
    const max = arg(ctx, 'max_value');
    const eq = bool(arg(ctx, 'inclusive'), true) ? '=' : '';
    let where = '1 = 2';
    if (min !== undefined) where += `\n  or not ${col} >${eq} ${printed(min)}`;
    if (max !== undefined) where += `\n  or not ${col} <${eq} ${printed(max)}`;
    return { sql: `select *\nfrom ${ctx.model}\nwhere ${where}` };
  },

  'dbt_utils.unique_combination_of_columns'(ctx) {
    const cols = stringList(arg(ctx, 'combination_of_columns'));
    if (!cols || cols.length === 0) return { skip: 'unique_combination_of_columns needs `combination_of_columns`' };
    const quoted = bool(arg(ctx, 'quote_columns'), false) ? cols.map((c) => ctx.sql.quote(c)) : cols;
    const csv = quoted.join(', ');
    return { sql: `select ${csv}\nfrom ${ctx.model}\ngroup by ${csv}\nhaving count(*) > 1` };
  },

  'dbt_utils.not_empty_string'(ctx) {
    const col = needColumn(ctx, 'not_empty_string');
    if (typeof col !== 'string') return col;
    const value = bool(arg(ctx, 'trim_whitespace'), true) ? `trim(${col})` : col;
    return { sql: `select ${value} as value_field\nfrom ${ctx.model}\nwhere ${value} = ''` };
  },

  'dbt_utils.not_null_proportion'(ctx) {
    const col = needColumn(ctx, 'not_null_proportion');
    if (typeof col !== 'string') return col;
    const atLeast = arg(ctx, 'at_least');
    if (atLeast === undefined) return { skip: 'not_null_proportion needs `at_least`' };
    const atMost = arg(ctx, 'at_most') ?? 1;
    const gb = groupBy(ctx);
    return {
      sql: `with validation as (\n  select ${gb.select}sum(case when ${col} is null then 0 else 1 end) / cast(count(*) as ${ctx.sql.types.numeric}) as not_null_proportion\n  from ${ctx.model}\n  ${gb.groupBy}\n)\nselect ${gb.select}not_null_proportion\nfrom validation\nwhere not_null_proportion < ${printed(atLeast)} or not_null_proportion > ${printed(atMost)}`,
    };
  },

  'dbt_utils.recency'(ctx) {
    const field = arg(ctx, 'field');
    const datepart = arg(ctx, 'datepart');
    const interval = arg(ctx, 'interval');
    if (typeof field !== 'string' || typeof datepart !== 'string' || interval === undefined) {
      return { skip: 'recency needs `field`, `datepart` and `interval`' };
    }
    const n = Number(interval);
    if (!Number.isFinite(n)) return { skip: `recency: interval must be a number, got ${printed(interval)}` };
    const dateOnly = bool(arg(ctx, 'ignore_time_component'), false);
    const threshold = `cast(${ctx.sql.dateadd(datepart, String(-n), ctx.sql.currentTimestamp())} as ${dateOnly ? 'date' : ctx.sql.types.timestamp})`;
    const gb = groupBy(ctx);
    const most = dateOnly ? `cast(max(${field}) as date)` : `max(${field})`;
    return {
      sql: `with recency as (\n  select ${gb.select}${most} as most_recent\n  from ${ctx.model}\n  ${gb.groupBy}\n)\nselect ${gb.select}most_recent, ${threshold} as threshold\nfrom recency\nwhere most_recent < ${threshold} or most_recent is null`,
    };
  },

  'dbt_utils.at_least_one'(ctx) {
    const col = needColumn(ctx, 'at_least_one');
    if (typeof col !== 'string') return col;
    const gb = groupBy(ctx);
    return { sql: `select ${gb.select}count(${col}) as filler_column\nfrom ${ctx.model}\n${gb.groupBy}\nhaving count(${col}) = 0` };
  },

  'dbt_utils.not_constant'(ctx) {
    const col = needColumn(ctx, 'not_constant');
    if (typeof col !== 'string') return col;
    const gb = groupBy(ctx);
    return { sql: `select ${gb.select}count(distinct ${col}) as filler_column\nfrom ${ctx.model}\n${gb.groupBy}\nhaving count(distinct ${col}) = 1` };
  },

  'dbt_utils.cardinality_equality'(ctx) {
    const col = needColumn(ctx, 'cardinality_equality');
    if (typeof col !== 'string') return col;
    const to = relationArg(ctx, 'to', 'cardinality_equality');
    if (typeof to !== 'string') return to;
    const field = arg(ctx, 'field');
    if (typeof field !== 'string' || !field) return { skip: 'cardinality_equality needs `field`' };
    const ex = ctx.sql.except();
    return {
      sql: `with table_a as (\n  select ${col}, count(*) as num_rows from ${ctx.model} group by ${col}\n),\ntable_b as (\n  select ${field}, count(*) as num_rows from ${to} group by ${field}\n),\nexcept_a as (\n  select * from table_a\n  ${ex}\n  select * from table_b\n),\nexcept_b as (\n  select * from table_b\n  ${ex}\n  select * from table_a\n)\nselect * from except_a\nunion all\nselect * from except_b`,
    };
  },

  'dbt_utils.equal_rowcount'(ctx) {
    const j = countJoin(ctx, 'equal_rowcount', 'count_a', 'count_b', 'id_dbtutils_test_equal_rowcount');
    if ('skip' in j) return j;
    return { sql: `${j.sql}\nselect *, abs(count_a - count_b) as diff_count\nfrom joined`, failCalc: 'sum(coalesce(diff_count, 0))' };
  },

  'dbt_utils.fewer_rows_than'(ctx) {
    const j = countJoin(ctx, 'fewer_rows_than', 'count_our_model', 'count_comparison_model', 'id_dbtutils_test_fewer_rows_than');
    if ('skip' in j) return j;
    return {
      sql: `${j.sql}\nselect *,\n  case\n    when count_our_model > count_comparison_model then (count_our_model - count_comparison_model)\n    when count_our_model = count_comparison_model then 1\n    else 0\n  end as row_count_delta\nfrom joined`,
      failCalc: 'sum(coalesce(row_count_delta, 0))',
    };
  },

  'dbt_utils.sequential_values'(ctx) {
    const col = needColumn(ctx, 'sequential_values');
    if (typeof col !== 'string') return col;
    const interval = arg(ctx, 'interval') ?? 1;
    const datepart = arg(ctx, 'datepart');
    const gb = groupBy(ctx);
    const partition = gb.cols.length ? `partition by ${gb.cols.join(',')} ` : '';
    const prev = 'previous_value_dbt_utils';
    const ts = ctx.sql.types.timestamp;
    const cond =
      typeof datepart === 'string' && datepart
        ? `not(cast(${col} as ${ts}) = cast(${ctx.sql.dateadd(datepart, printed(interval), prev)} as ${ts}))`
        : `not(${col} = ${prev} + ${printed(interval)})`;
    return {
      sql: `with windowed as (\n  select ${gb.select}${col}, lag(${col}) over (${partition}order by ${col}) as ${prev}\n  from ${ctx.model}\n)\nselect * from windowed\nwhere ${cond}`,
    };
  },

  'dbt_expectations.expect_column_values_to_not_be_null'(ctx) {
    const col = needColumn(ctx, 'expect_column_values_to_not_be_null');
    if (typeof col !== 'string') return col;
    return { sql: expectationsExpression(ctx, `${col} is not null`) };
  },

  'dbt_expectations.expect_column_values_to_be_null'(ctx) {
    const col = needColumn(ctx, 'expect_column_values_to_be_null');
    if (typeof col !== 'string') return col;
    return { sql: expectationsExpression(ctx, `${col} is null`) };
  },

  'dbt_expectations.expect_column_values_to_be_between'(ctx) {
    const col = needColumn(ctx, 'expect_column_values_to_be_between');
    if (typeof col !== 'string') return col;
    const expr = betweenExpression(ctx, col);
    if (typeof expr !== 'string') return { skip: `expect_column_values_to_be_between ${expr.skip}` };
    return { sql: expectationsExpression(ctx, expr) };
  },

  'dbt_expectations.expect_table_row_count_to_be_between'(ctx) {
    const expr = betweenExpression(ctx, 'count(*)');
    if (typeof expr !== 'string') return { skip: `expect_table_row_count_to_be_between ${expr.skip}` };
    return { sql: expectationsExpression(ctx, expr, stringList(arg(ctx, 'group_by')) ?? []) };
  },

  'dbt_expectations.expect_column_values_to_be_in_set'(ctx) {
    const col = needColumn(ctx, 'expect_column_values_to_be_in_set');
    if (typeof col !== 'string') return col;
    const values = arg(ctx, 'value_set');
    if (!Array.isArray(values) || values.length === 0) return { skip: 'expect_column_values_to_be_in_set needs `value_set`: a non-empty list' };
    const quote = bool(arg(ctx, 'quote_values'), true);
    const set = values
      .map((v) => `select ${quote ? `cast('${printed(v).replace(/'/g, "''")}' as ${ctx.sql.types.string})` : printed(v)} as value_field`)
      .join('\n  union all\n  ');
    const rowCondition = arg(ctx, 'row_condition');
    const where = typeof rowCondition === 'string' && rowCondition.trim() ? `\n  where ${rowCondition}` : '';
    // Unlike accepted_values, dbt_expectations counts NULLs as outside the set (the left join misses).
    return {
      sql: `with all_values as (\n  select ${col} as value_field\n  from ${ctx.model}${where}\n),\nset_values as (\n  ${set}\n)\nselect v.value_field\nfrom all_values v\nleft join set_values s on v.value_field = s.value_field\nwhere s.value_field is null`,
    };
  },

  'dbt_expectations.expect_column_values_to_be_unique'(ctx) {
    const col = needColumn(ctx, 'expect_column_values_to_be_unique');
    if (typeof col !== 'string') return col;
    const rowCondition = arg(ctx, 'row_condition');
    const extra = typeof rowCondition === 'string' && rowCondition.trim() ? ` and (${rowCondition})` : '';
    // dbt_expectations checks it as a compound key of one column: one failure per duplicated value.
    return {
      sql: `select ${col}, count(*) as n_records\nfrom ${ctx.model}\nwhere ${col} is not null${extra}\ngroup by ${col}\nhaving count(*) > 1`,
    };
  },
};

/** The key a test is implemented under: `name` for dbt's own tests, `namespace.name` for packages. */
export function macroKey(name: string, namespace: string | null | undefined): string {
  return namespace && namespace !== 'dbt' ? `${namespace}.${name}` : name;
}

/** The native implementation of a generic test, or undefined when there is none. */
export function nativeTest(name: string, namespace: string | null | undefined): Macro | undefined {
  const key = macroKey(name, namespace);
  return Object.prototype.hasOwnProperty.call(macros, key) ? macros[key] : undefined;
}

/** Test names implemented natively, for documentation and reports. */
export const NATIVE_TEST_NAMES: readonly string[] = Object.keys(macros).sort();
