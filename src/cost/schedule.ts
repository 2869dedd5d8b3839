import { CronExpressionParser } from 'cron-parser';
import type { ScheduledJob } from '../assess/config.js';

/** A job that runs dbt on a schedule: from config, or read out of an Airflow DAG file. */
export interface Job {
  name: string;
  cron: string;
  timezone: string;
  /** The dbt selector the job runs; null when the DAG runs dbt without one (everything). */
  select: string | null;
  exclude?: string | null;
  /** Where it was declared: `config` or the DAG file's path and line. */
  origin: { kind: 'config' } | { kind: 'airflow'; file: string; line: number };
  warehouse_size?: string;
}

/** Airflow's and cron's presets, as cron expressions. */
const PRESETS: Record<string, string> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};

export function normaliseCron(expression: string): string {
  const trimmed = expression.trim();
  return PRESETS[trimmed.toLowerCase()] ?? trimmed;
}

/** Throws with the parser's reason when a cron expression is not valid. */
export function validateCron(expression: string, timezone = 'UTC'): void {
  CronExpressionParser.parse(normaliseCron(expression), { tz: timezone });
}

/**
 * Runs per month of a cron schedule: its runs over one whole year from `from`, divided by 12,
 * so months of different lengths and weekday patterns average out.
 */
export function runsPerMonth(expression: string, timezone = 'UTC', from = new Date('2026-01-01T00:00:00Z')): number {
  const end = new Date(from.getTime());
  end.setUTCFullYear(end.getUTCFullYear() + 1);
  const it = CronExpressionParser.parse(normaliseCron(expression), { currentDate: from, endDate: end, tz: timezone });
  let runs = 0;
  // A minutely schedule runs ~525,600 times a year: bound the loop and extrapolate past it.
  const cap = 100_000;
  let last = from.getTime();
  while (it.hasNext() && runs < cap) {
    last = it.next().getTime();
    runs++;
  }
  if (runs === cap) runs = (runs * (end.getTime() - from.getTime())) / (last - from.getTime());
  return Math.round((runs / 12) * 100) / 100;
}

/** The local times of day (HH:MM) a cron expression fires at, for comparing a requested schedule with a job's. */
export function timesOfDay(expression: string): string[] | null {
  const fields = normaliseCron(expression).split(/\s+/);
  if (fields.length < 5) return null;
  const [minute, hour] = fields.length === 6 ? fields.slice(1, 3) : fields.slice(0, 2);
  if (!/^\d+(,\d+)*$/.test(minute) || !/^\d+(,\d+)*$/.test(hour)) return null;
  const out: string[] = [];
  for (const h of hour.split(',')) for (const m of minute.split(',')) out.push(`${h.padStart(2, '0')}:${m.padStart(2, '0')}`);
  return out.sort();
}

export function jobsFromConfig(jobs: ScheduledJob[]): Job[] {
  return jobs.map((j) => ({
    name: j.name,
    cron: normaliseCron(j.cron),
    timezone: j.timezone,
    select: j.select,
    exclude: j.exclude ?? null,
    origin: { kind: 'config' },
    warehouse_size: j.warehouse_size,
  }));
}

function lineAt(text: string, index: number): number {
  let line = 1;
  for (let i = 0; i < index && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

const DAG_ID = /\bDAG\s*\(\s*(?:dag_id\s*=\s*)?["']([^"']+)["']|\bdag_id\s*=\s*["']([^"']+)["']|@dag\s*\(\s*(?:dag_id\s*=\s*)?["']([^"']+)["']/;
const SCHEDULE = /\bschedule(?:_interval)?\s*=\s*(?:["']([^"']+)["']|None)/;
// Only commands that materialise models count: `dbt test` re-reads them but builds nothing.
const DBT_COMMAND = /\bdbt\s+(?:run|build)\b([^"'\n]*)/g;
const SELECT_FLAG = /(?:--select|--models|-s|-m)\s+((?:[^\s-][^\s]*\s*)+)/;
const EXCLUDE_FLAG = /--exclude\s+((?:[^\s-][^\s]*\s*)+)/;

/**
 * Reads the schedule and the dbt selectors out of an Airflow DAG file, statically (it is never
 * executed): `DAG('dbt_nightly', schedule_interval='0 7 * * *')` and `dbt run --select tag:nightly`.
 * Each dbt command becomes one job; a DAG without a string schedule yields none.
 */
export function jobsFromAirflowDag(file: string, text: string): Job[] {
  const dag = DAG_ID.exec(text);
  const schedule = SCHEDULE.exec(text);
  if (!schedule || !schedule[1]) return [];
  const name = dag ? (dag[1] ?? dag[2] ?? dag[3]) : file.replace(/^.*\//, '').replace(/\.py$/, '');
  const jobs: Job[] = [];
  for (const match of text.matchAll(DBT_COMMAND)) {
    const args = match[1];
    const select = SELECT_FLAG.exec(args)?.[1]?.replace(/--\w.*$/, '').trim() || null;
    const exclude = EXCLUDE_FLAG.exec(args)?.[1]?.trim() || null;
    if (jobs.some((j) => j.select === select && j.exclude === exclude)) continue;
    jobs.push({
      name,
      cron: normaliseCron(schedule[1]),
      timezone: 'UTC',
      select,
      exclude,
      origin: { kind: 'airflow', file, line: lineAt(text, match.index ?? 0) },
    });
  }
  return jobs;
}

export interface ModelSchedule {
  /** The jobs whose selectors pick this model. */
  jobs: { name: string; cron: string; timezone: string; origin: Job['origin']; runs_per_month: number }[];
  runs_per_month: number;
  /** A schedule the model asks for in config or meta (`meta.schedule: '0 6 * * *'`), if any. */
  requested: { cron: string; source: string } | null;
  /** True when a requested schedule fires at other times of day than the jobs that run it. */
  mismatch: boolean;
}

const REQUEST_KEYS = ['schedule', 'cron', 'requested_schedule', 'refresh_schedule'];

function requestedSchedule(meta: Record<string, unknown>, where: string): { cron: string; source: string } | null {
  for (const key of REQUEST_KEYS) {
    const value = meta[key];
    const cron = typeof value === 'string' ? value : value && typeof value === 'object' ? (value as { cron?: unknown }).cron : undefined;
    if (typeof cron === 'string' && cron.trim()) {
      try {
        validateCron(cron);
        return { cron: normaliseCron(cron), source: `${where}.${key}` };
      } catch {
        // Not a cron expression (e.g. "nightly"): not something we can compare.
      }
    }
  }
  return null;
}

/**
 * Which jobs run a model and how often. `selects` answers whether a job's selector picks the
 * model (the dbt selector engine), so this stays free of graph code.
 */
export function scheduleOf(
  node: { meta: Record<string, unknown>; config: { meta: Record<string, unknown> } },
  jobs: Job[],
  selects: (job: Job) => boolean,
  defaultRunsPerMonth: number | null,
): ModelSchedule {
  const running = jobs.filter(selects).map((job) => ({
    name: job.name,
    cron: job.cron,
    timezone: job.timezone,
    origin: job.origin,
    runs_per_month: runsPerMonth(job.cron, job.timezone),
  }));
  const requested = requestedSchedule(node.config.meta ?? {}, 'config.meta') ?? requestedSchedule(node.meta ?? {}, 'meta');
  const runs = running.length ? running.reduce((sum, j) => sum + j.runs_per_month, 0) : (defaultRunsPerMonth ?? 0);
  let mismatch = false;
  if (requested && running.length) {
    const wanted = timesOfDay(requested.cron)?.join(',');
    mismatch = !running.some((j) => (timesOfDay(j.cron)?.join(',') ?? j.cron) === (wanted ?? requested.cron));
  }
  return { jobs: running, runs_per_month: Math.round(runs * 100) / 100, requested, mismatch };
}
