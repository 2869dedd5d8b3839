/**
 * Every adapter difference of dbt's cross-database macros, in one table. `base` is dbt-adapters'
 * default__ implementation (which Snowflake mostly uses too); each adapter overrides only what
 * its dbt adapter package overrides, so the SQL matches what `dbt compile` prints for that target.
 * Layout (line breaks, indentation) is compacted; tokens and their order are dbt's.
 */

export type DialectName = 'duckdb' | 'snowflake' | 'postgres' | 'redshift' | 'bigquery' | 'databricks' | 'default';

export interface DataTypes {
  string: string;
  timestamp: string;
  float: string;
  numeric: string;
  bigint: string;
  int: string;
  boolean: string;
}

export interface Dialect {
  name: DialectName;
  types: DataTypes;
  quote(identifier: string): string;
  dateadd(datepart: string, interval: string, from: string): string;
  datediff(first: string, second: string, datepart: string): string;
  dateTrunc(datepart: string, date: string): string;
  lastDay(date: string, datepart: string): string;
  /** `part` is the printed argument; `partNumber` its value when it is a number. */
  splitPart(text: string, delimiter: string, part: string, partNumber: number | undefined): string;
  hash(field: string): string;
  anyValue(expression: string): string;
  boolOr(expression: string): string;
  listagg(measure: string, delimiter: string, orderBy: string | undefined, limit: string | undefined): string;
  right(text: string, length: string): string;
  position(substring: string, text: string): string;
  escapeSingleQuotes(expression: string): string;
  stringLiteral(value: string): string;
  except(): string;
  intersect(): string;
  cast(field: string, type: string): string;
  /** `fieldIsNumber`: the Jinja argument was a number, not SQL text (Snowflake quotes it). */
  safeCast(field: string, type: string, fieldIsNumber: boolean): string;
  castBoolToText(field: string): string;
  arrayConstruct(inputs: string[], dataType: string): string;
  arrayAppend(array: string, element: string): string;
  arrayConcat(array1: string, array2: string): string;
  date(year: number, month: number, day: number): string;
  currentTimestamp(): string;
  currentTimestampBackcompat(): string;
  currentTimestampInUtcBackcompat(): string;
  /** A query returning `generated_number` 1..upperBound. */
  generateSeries(upperBound: number): string;
}

const pad2 = (n: number): string => String(n).padStart(2, '0');

/** dbt's default generate_series: a cross join of 0/1 rows, one per bit of the upper bound. */
export function powersOfTwoSeries(upperBound: number): string {
  if (!(upperBound > 0)) throw new Error(`generate_series(): upper bound must be positive, got ${upperBound}`);
  const bits = bitsFor(upperBound);
  const terms = Array.from({ length: bits }, (_, i) => `p${i}.generated_number * power(2, ${i})`).join(' + ');
  const froms = Array.from({ length: bits }, (_, i) => `p as p${i}`).join(' cross join ');
  return (
    `with p as (select 0 as generated_number union all select 1), ` +
    `unioned as (select ${terms} + 1 as generated_number from ${froms}) ` +
    `select * from unioned where generated_number <= ${upperBound} order by generated_number`
  );
}

/** dbt's get_powers_of_two: the least n (1..99) with upperBound <= 2**n. */
export function bitsFor(upperBound: number): number {
  for (let n = 1; n < 100; n++) if (upperBound <= 2 ** n) return n;
  return 99;
}

const base: Dialect = {
  name: 'default',
  // Column.translate_type: 'string' becomes TEXT; the rest print as dbt names them.
  types: { string: 'TEXT', timestamp: 'timestamp', float: 'float', numeric: 'numeric(28,6)', bigint: 'bigint', int: 'integer', boolean: 'boolean' },
  quote: (id) => `"${id.replace(/"/g, '""')}"`,
  dateadd: (datepart, interval, from) => `dateadd(${datepart}, ${interval}, ${from})`,
  datediff: (first, second, datepart) => `datediff(${datepart}, ${first}, ${second})`,
  dateTrunc: (datepart, date) => `date_trunc('${datepart}', ${date})`,
  lastDay(date, datepart) {
    return `cast(${this.dateadd('day', '-1', this.dateadd(datepart, '1', this.dateTrunc(datepart, date)))} as date)`;
  },
  splitPart: (text, delimiter, part) => `split_part(${text}, ${delimiter}, ${part})`,
  hash(field) {
    return `md5(cast(${field} as ${this.types.string}))`;
  },
  anyValue: (e) => `any_value(${e})`,
  boolOr: (e) => `bool_or(${e})`,
  listagg(measure, delimiter, orderBy, limit) {
    const within = orderBy ? ` within group (${orderBy})` : '';
    if (limit) return `array_to_string(array_slice(array_agg(${measure})${within}, 0, ${limit}), ${delimiter})`;
    return `listagg(${measure}, ${delimiter})${within}`;
  },
  right: (text, length) => `right(${text}, ${length})`,
  position: (substring, text) => `position(${substring} in ${text})`,
  escapeSingleQuotes: (e) => e.replace(/'/g, "''"),
  stringLiteral: (v) => `'${v}'`,
  except: () => 'except',
  intersect: () => 'intersect',
  cast: (field, type) => `cast(${field} as ${type})`,
  safeCast(field, type) {
    return this.cast(field, type);
  },
  castBoolToText(field) {
    return `cast(${field} as ${this.types.string})`;
  },
  arrayConstruct: (inputs, dataType) => (inputs.length > 0 ? `array[ ${inputs.join(' , ')} ]` : `array[]::${dataType}[]`),
  arrayAppend: (array, element) => `array_append(${array}, ${element})`,
  arrayConcat: (a, b) => `array_cat(${a}, ${b})`,
  date: (y, m, d) => `to_date('${String(y).padStart(4, '0')}-${pad2(m)}-${pad2(d)}', 'YYYY-MM-DD')`,
  currentTimestamp: () => 'current_timestamp',
  currentTimestampBackcompat: () => 'current_timestamp::timestamp',
  currentTimestampInUtcBackcompat() {
    return this.currentTimestampBackcompat();
  },
  generateSeries: powersOfTwoSeries,
};

/** dbt-postgres's datediff builds coarse units from finer ones, recursively. */
function postgresDatediff(a: string, b: string, datepart: string): string {
  const dp = (part: string, x: string, cast: string): string => `date_part('${part}', (${x})::${cast})`;
  const diff = (part: string, x: string, cast = 'date'): string => `${dp(part, b, cast)} - ${dp(part, a, cast)}`;
  const floorDiff = (part: string): string => `floor(${dp(part, b, 'timestamp')}) - floor(${dp(part, a, 'timestamp')})`;
  switch (datepart) {
    case 'year':
      return `(${diff('year', a)})`;
    case 'quarter':
      return `(${postgresDatediff(a, b, 'year')} * 4 + ${diff('quarter', a)})`;
    case 'month':
      return `(${postgresDatediff(a, b, 'year')} * 12 + ${diff('month', a)})`;
    case 'day':
      return `((${b})::date - (${a})::date)`;
    case 'week':
      return `(${postgresDatediff(a, b, 'day')} / 7 + ${weekCorrection(a, b)})`;
    case 'hour':
      return `(${postgresDatediff(a, b, 'day')} * 24 + ${diff('hour', a, 'timestamp')})`;
    case 'minute':
      return `(${postgresDatediff(a, b, 'hour')} * 60 + ${diff('minute', a, 'timestamp')})`;
    case 'second':
      return `(${postgresDatediff(a, b, 'minute')} * 60 + ${floorDiff('second')})`;
    case 'millisecond':
      return `(${postgresDatediff(a, b, 'minute')} * 60000 + ${floorDiff('millisecond')})`;
    case 'microsecond':
      return `(${postgresDatediff(a, b, 'minute')} * 60000000 + ${floorDiff('microsecond')})`;
    default:
      throw new Error(`Unsupported datepart for macro datediff in postgres: '${datepart}'`);
  }
}

/** Whole weeks between two dates, counted across week boundaries (dbt-postgres and dbt-duckdb). */
function weekCorrection(a: string, b: string): string {
  return (
    `case when date_part('dow', (${a})::timestamp) <= date_part('dow', (${b})::timestamp) ` +
    `then case when ${a} <= ${b} then 0 else -1 end ` +
    `else case when ${a} <= ${b} then 1 else 0 end end`
  );
}

const snowflake: Dialect = {
  ...base,
  name: 'snowflake',
  boolOr: (e) => `boolor_agg(${e})`,
  right: (text, length) => `case when ${length} = 0 then '' else right(${text}, ${length}) end`,
  escapeSingleQuotes: (e) => e.replace(/'/g, "\\'"),
  cast(field, type) {
    const t = type.toUpperCase();
    if (t === 'GEOGRAPHY') return `to_geography(${field})`;
    if (t === 'GEOMETRY') return `to_geometry(${field})`;
    return `cast(${field} as ${type})`;
  },
  safeCast(field, type, fieldIsNumber) {
    const t = type.toUpperCase();
    if (t === 'GEOMETRY') return `try_to_geometry(${field})`;
    if (t === 'GEOGRAPHY') return `try_to_geography(${field})`;
    // try_cast only accepts text, and cannot target VARIANT.
    if (t !== 'VARIANT') return `try_cast(${fieldIsNumber ? this.stringLiteral(field) : field} as ${type})`;
    return this.cast(field, type);
  },
  arrayConstruct: (inputs) => `array_construct( ${inputs.join(' , ')} )`,
  currentTimestamp: () => `convert_timezone('UTC', current_timestamp())`,
  currentTimestampInUtcBackcompat() {
    return `convert_timezone('UTC', ${this.currentTimestampBackcompat()})::${this.types.timestamp}`;
  },
};

const duckdb: Dialect = {
  ...base,
  name: 'duckdb',
  // dbt-duckdb multiplies an interval so that `interval` may be any expression, and spells out
  // the units DuckDB's interval literal lacks.
  dateadd(datepart, interval, from) {
    const unit = datepart.toLowerCase();
    if (unit === 'quarter') return `(${from} + (cast(${interval} as bigint) * 3) * interval 1 month)`;
    if (unit === 'week') return `(${from} + (cast(${interval} as bigint) * 7) * interval 1 day)`;
    return `(${from} + cast(${interval} as bigint) * interval 1 ${unit})`;
  },
  datediff(first, second, datepart) {
    if (datepart === 'week') return `(${this.datediff(first, second, 'day')} // 7 + ${weekCorrection(first, second)})`;
    return `(date_diff('${datepart}', ${first}::timestamp, ${second}::timestamp))`;
  },
  lastDay(date, datepart) {
    if (datepart !== 'quarter') return base.lastDay.call(this, date, datepart);
    return `cast(${this.dateadd('day', '-1', this.dateadd('month', '3', this.dateTrunc(datepart, date)))} as date)`;
  },
  splitPart: (text, delimiter, part) => `string_split(${text}, ${delimiter})[ ${part} ]`,
  anyValue: (e) => `arbitrary(${e})`,
  listagg(measure, delimiter, orderBy, limit) {
    const order = orderBy ? ` ${orderBy}` : '';
    if (limit) return `list_aggr((array_agg(${measure}${order}))[1:${limit}], 'string_agg', ${delimiter})`;
    return `string_agg(${measure}, ${delimiter}${order})`;
  },
  date: (y, m, d) => `make_date(${y}, ${m}, ${d})`,
  currentTimestamp: () => 'now()',
  generateSeries: (upperBound) => `select generate_series as generated_number from generate_series(1, ${upperBound})`,
};

/** Negative part numbers count from the end; plain split_part cannot, so dbt rewrites them. */
function splitPartNegative(text: string, delimiter: string, part: string): string {
  return `split_part(${text}, ${delimiter}, length(${text}) - length(replace(${text}, ${delimiter}, '')) + 2 + ${part})`;
}

const postgres: Dialect = {
  ...base,
  name: 'postgres',
  dateadd: (datepart, interval, from) => `${from} + ((interval '1 ${datepart}') * (${interval}))`,
  datediff: postgresDatediff,
  lastDay: duckdb.lastDay,
  splitPart: (text, delimiter, part, n) => (n !== undefined && n < 0 ? splitPartNegative(text, delimiter, part) : base.splitPart(text, delimiter, part, n)),
  anyValue: (e) => `min(${e})`,
  listagg(measure, delimiter, orderBy, limit) {
    const order = orderBy ? ` ${orderBy}` : '';
    if (limit) return `array_to_string((array_agg(${measure}${order}))[1:${limit}], ${delimiter})`;
    return `string_agg(${measure}, ${delimiter}${order})`;
  },
  currentTimestamp: () => 'now()',
  currentTimestampInUtcBackcompat() {
    return `(current_timestamp at time zone 'utc')::${this.types.timestamp}`;
  },
};

const redshift: Dialect = {
  ...base,
  name: 'redshift',
  splitPart: postgres.splitPart,
  currentTimestamp: () => 'getdate()',
};

const bigquery: Dialect = {
  ...base,
  name: 'bigquery',
  types: { string: 'string', timestamp: 'timestamp', float: 'FLOAT64', numeric: 'numeric', bigint: 'bigint', int: 'INT64', boolean: 'boolean' },
  quote: (id) => `\`${id}\``,
  dateadd: (datepart, interval, from) => `datetime_add(cast(${from} as datetime), interval ${interval} ${datepart})`,
  datediff: (first, second, datepart) => `datetime_diff(cast(${second} as datetime), cast(${first} as datetime), ${datepart})`,
  dateTrunc: (datepart, date) => `timestamp_trunc(cast(${date} as timestamp), ${datepart})`,
  splitPart(text, delimiter, part, n) {
    if (n !== undefined && n < 0) {
      return `split(${text}, ${delimiter})[safe_offset(length(${text}) - length(replace(${text}, ${delimiter}, '')) + 1 + ${part})]`;
    }
    return `split(${text}, ${delimiter})[safe_offset(${n !== undefined ? n - 1 : `${part} - 1`})]`;
  },
  hash(field) {
    return `to_hex(${base.hash.call(this, field)})`;
  },
  boolOr: (e) => `logical_or(${e})`,
  listagg(measure, delimiter, orderBy, limit) {
    return `string_agg(${measure}, ${delimiter}${orderBy ? ` ${orderBy}` : ''}${limit ? ` limit ${limit}` : ''})`;
  },
  right: (text, length) => `case when ${length} = 0 then '' else substr(${text}, -1 * (${length})) end`,
  position: (substring, text) => `strpos(${text}, ${substring})`,
  escapeSingleQuotes: snowflake.escapeSingleQuotes,
  stringLiteral: (v) => `'''${v}'''`,
  except: () => 'except distinct',
  intersect: () => 'intersect distinct',
  safeCast: (field, type) => `safe_cast(${field} as ${type})`,
  arrayConstruct: (inputs, dataType) => (inputs.length > 0 ? `[ ${inputs.join(' , ')} ]` : `ARRAY<${dataType}>[]`),
  arrayAppend(array, element) {
    return this.arrayConcat(array, this.arrayConstruct([element], 'INT64'));
  },
  arrayConcat: (a, b) => `array_concat(${a}, ${b})`,
  date: (y, m, d) => `date(${y}, ${m}, ${d})`,
  currentTimestamp: () => 'current_timestamp()',
  currentTimestampBackcompat: () => 'current_timestamp',
};

const databricks: Dialect = { ...base, name: 'databricks', quote: bigquery.quote };

const dialects: Record<DialectName, Dialect> = { default: base, snowflake, duckdb, postgres, redshift, bigquery, databricks };

/** The dialect for a target type; adapters without overrides here get dbt's defaults. */
export function dialectFor(adapterType: string): Dialect {
  const name = adapterType.toLowerCase() as DialectName;
  return dialects[name] ?? base;
}
