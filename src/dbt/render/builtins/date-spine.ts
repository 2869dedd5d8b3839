import type { BuiltinEnv } from '../types.js';
import type { Dialect } from './dialect.js';

/**
 * date_spine and get_intervals_between. dbt asks the warehouse for the number of periods
 * (`select datediff(start, end, datepart)`); rendering here has no warehouse, so the count is
 * worked out from literal dates when it can be, and otherwise the spine over-generates up to a
 * cap and lets the same datediff, evaluated in SQL, cut it to the exact length.
 */

interface Instant {
  y: number;
  m: number; // 1-12
  d: number;
  hh: number;
  mi: number;
  ss: number;
}

const ISO = /^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?$/;
const US = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/;

function instant(text: string, format: string | undefined): Instant | undefined {
  const iso = ISO.exec(text.trim());
  if (iso) {
    const [, y, m, d, hh, mi, ss] = iso;
    return { y: +y, m: +m, d: +d, hh: +(hh ?? 0), mi: +(mi ?? 0), ss: +(ss ?? 0) };
  }
  const us = US.exec(text.trim());
  if (us && format) {
    const f = format.toLowerCase();
    if (f === 'mm/dd/yyyy') return { y: +us[3], m: +us[1], d: +us[2], hh: 0, mi: 0, ss: 0 };
    if (f === 'dd/mm/yyyy') return { y: +us[3], m: +us[2], d: +us[1], hh: 0, mi: 0, ss: 0 };
  }
  return undefined;
}

/**
 * A date the SQL text spells as a constant: `'2020-01-01'`, `cast('2020-01-01' as date)`,
 * `'2020-01-01'::date`, `date '2020-01-01'`, `to_date('01/01/2016', 'mm/dd/yyyy')`, `make_date(2020, 1, 1)`.
 */
export function literalDate(expression: string): Instant | undefined {
  const e = expression.trim().replace(/\s+/g, ' ');
  const quoted = /^(?:cast\( ?)?(?:date |timestamp )?'([^']+)'(?: as [a-z_]+(?:\(\d+\))? ?\)|::[a-z_]+)?$/i.exec(e);
  if (quoted) return instant(quoted[1], undefined);
  const fn = /^(?:to_date|to_timestamp|to_timestamp_ntz|date|timestamp)\( ?'([^']+)' ?(?:, ?'([^']+)' ?)?\)$/i.exec(e);
  if (fn) return instant(fn[1], fn[2] ?? 'yyyy-mm-dd');
  const parts = /^(?:make_date|date|date_from_parts)\( ?(\d{4}) ?, ?(\d{1,2}) ?, ?(\d{1,2}) ?\)$/i.exec(e);
  if (parts) return { y: +parts[1], m: +parts[2], d: +parts[3], hh: 0, mi: 0, ss: 0 };
  return undefined;
}

const epochDays = (t: Instant): number => Math.floor(Date.UTC(t.y, t.m - 1, t.d) / 86_400_000);
const epochSeconds = (t: Instant): number => epochDays(t) * 86_400 + t.hh * 3600 + t.mi * 60 + t.ss;
/** 0 = Sunday, as date_part('dow') counts. 1970-01-01 was a Thursday. */
const dow = (t: Instant): number => (((epochDays(t) + 4) % 7) + 7) % 7;

/**
 * What the dialect's datediff returns for two constants: the number of datepart boundaries crossed.
 * Undefined where the adapters disagree and this code does not model the difference.
 */
export function intervalsBetween(a: Instant, b: Instant, datepart: string, dialect: Dialect): number | undefined {
  const days = epochDays(b) - epochDays(a);
  const months = (b.y - a.y) * 12 + (b.m - a.m);
  const seconds = (t: Instant, unit: number): number => Math.floor(epochSeconds(t) / unit);
  switch (datepart.toLowerCase()) {
    case 'year':
      return b.y - a.y;
    case 'quarter':
      return (b.y - a.y) * 4 + (Math.ceil(b.m / 3) - Math.ceil(a.m / 3));
    case 'month':
      return months;
    case 'day':
      return days;
    case 'hour':
      return seconds(b, 3600) - seconds(a, 3600);
    case 'minute':
      return seconds(b, 60) - seconds(a, 60);
    case 'second':
      return epochSeconds(b) - epochSeconds(a);
    case 'week':
      if (dialect.name === 'snowflake') {
        // Weeks start on Monday (WEEK_START = 0); epoch day -3 was a Monday.
        const week = (t: Instant): number => Math.floor((epochDays(t) + 3) / 7);
        return week(b) - week(a);
      }
      if ((dialect.name === 'duckdb' || dialect.name === 'postgres') && days >= 0) {
        const before = epochSeconds(a) <= epochSeconds(b);
        const correction = dow(a) <= dow(b) ? (before ? 0 : -1) : before ? 1 : 0;
        return Math.floor(days / 7) + correction;
      }
      return undefined;
    default:
      return undefined;
  }
}

/** Spine length when the bounds are not constants: generous, yet cheap to generate. */
const CAP_BITS: Record<string, number> = { day: 16, week: 14, month: 12, quarter: 10, year: 10, hour: 18, minute: 20, second: 20 };

export function getIntervalsBetween(env: BuiltinEnv, d: Dialect, start: string, end: string, datepart: string): number {
  const a = literalDate(start);
  const b = literalDate(end);
  const n = a && b ? intervalsBetween(a, b, datepart, d) : undefined;
  if (n !== undefined) return n;
  const query = `select ${d.datediff(start, end, datepart)}`;
  const known = env.queryResult?.(query)?.rows[0]?.[0];
  if (typeof known === 'number' || typeof known === 'bigint') return Number(known);
  env.request({ kind: 'query', sql: query });
  env.note(`get_intervals_between(${start}, ${end}, '${datepart}') needs the warehouse; rendered as 1, as dbt does without a result`);
  return 1;
}

export function dateSpine(env: BuiltinEnv, d: Dialect, datepart: string, start: string, end: string, namespace: 'dbt' | 'dbt_utils'): string {
  const a = literalDate(start);
  const b = literalDate(end);
  const exact = a && b ? intervalsBetween(a, b, datepart, d) : undefined;
  const column = `date_${datepart}`;
  let bound: number;
  let cut = '';
  if (exact !== undefined) {
    bound = exact;
  } else {
    bound = 2 ** (CAP_BITS[datepart.toLowerCase()] ?? 16);
    // Parenthesised: dialects append casts (`x::timestamp`) that would bind to the last operand.
    cut = ` where generated_number <= ${d.datediff(`(${start})`, `(${end})`, datepart)}`;
    env.note(
      `${namespace}.date_spine: ${start} .. ${end} are not constant dates, so the spine is generated up to ` +
        `${bound} ${datepart}s and cut to length in SQL`,
    );
  }
  // dbt-duckdb's generate_series returns no rows for a bound below 1; dbt's default refuses it.
  const series = d.generateSeries(bound);
  const offset = 'row_number() over (order by generated_number) - 1';
  return [
    `with rawdata as (${series}),`,
    `all_periods as (select (${d.dateadd(datepart, offset, start)}) as ${column} from rawdata${cut}),`,
    `filtered as (select * from all_periods where ${column} <= ${end})`,
    `select * from filtered`,
  ].join('\n');
}
