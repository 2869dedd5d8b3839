import { isMap, isSeq, LineCounter, parseDocument, type Node as YamlNode } from 'yaml';
import { z } from 'zod';

/**
 * `.github/impact-review.yml`: the one source of truth for thresholds and defaults. Every key is
 * optional; with no file at all the defaults below must still give a sensible review.
 */

const teamSlug = z
  .string()
  .trim()
  .regex(/^(@?[\w.-]+\/)?[\w.-]+$/, 'must be a GitHub team slug such as "finance" or "my-org/finance"')
  .transform((s) => s.replace(/^@/, '').replace(/^[\w.-]+\//, ''));

const warehouseSizes = ['XS', 'S', 'M', 'L', 'XL', '2XL', '3XL', '4XL', '5XL', '6XL'] as const;
export type WarehouseSize = (typeof warehouseSizes)[number];

/** Snowflake credits per hour of a standard warehouse of each size. */
export const CREDITS_PER_HOUR: Record<WarehouseSize, number> = {
  XS: 1,
  S: 2,
  M: 4,
  L: 8,
  XL: 16,
  '2XL': 32,
  '3XL': 64,
  '4XL': 128,
  '5XL': 256,
  '6XL': 512,
};

const sizeAliases: Record<string, WarehouseSize> = {
  'X-SMALL': 'XS',
  XSMALL: 'XS',
  SMALL: 'S',
  MEDIUM: 'M',
  LARGE: 'L',
  'X-LARGE': 'XL',
  XLARGE: 'XL',
  '2X-LARGE': '2XL',
  XXLARGE: '2XL',
  '3X-LARGE': '3XL',
  XXXLARGE: '3XL',
  '4X-LARGE': '4XL',
  X4LARGE: '4XL',
  '5X-LARGE': '5XL',
  X5LARGE: '5XL',
  '6X-LARGE': '6XL',
  X6LARGE: '6XL',
};

const warehouseSize = z
  .string()
  .transform((s) => s.trim().toUpperCase())
  .transform((s) => sizeAliases[s] ?? s)
  .pipe(z.enum(warehouseSizes, { error: `must be one of ${warehouseSizes.join(', ')} (or Snowflake's names such as X-SMALL)` }));

const job = z.object({
  name: z.string().min(1),
  cron: z.string().min(1),
  /** A dbt selector: the models this job runs (`tag:nightly`, `+mart_x`, …). */
  select: z.string().min(1),
  exclude: z.string().optional(),
  timezone: z.string().default('UTC'),
  /** The warehouse size this job runs on, when it differs from warehouse.size. */
  warehouse_size: warehouseSize.optional(),
});

const rule = z.object({
  name: z.string().min(1),
  /** All given conditions must hold for the rule to apply. */
  when: z
    .object({
      tag: z.string().optional(),
      path: z.string().optional(),
      select: z.string().optional(),
      materialized: z.string().optional(),
      change: z.enum(['breaking', 'partial', 'additive', 'any']).optional(),
      exposure_type: z.string().optional(),
    })
    .default({}),
  require: z.array(teamSlug).default([]),
  verdict: z.enum(['safe', 'needs_review', 'not_safe']).optional(),
  message: z.string().optional(),
});

export const configSchema = z
  .object({
    /** dbt project folders in the repository; found by searching for dbt_project.yml when empty. */
    projects: z.array(z.string().min(1)).default([]),
    /** The dbt target production is built with: relation names render against it. */
    target: z
      .object({
        name: z.string().default('prod'),
        schema: z.string().default('main'),
        /** Defaults to the warehouse's database (DuckDB: the file's catalog; Snowflake: SNOWFLAKE_DATABASE). */
        database: z.string().nullable().default(null),
      })
      .prefault({}),
    warehouse: z
      .object({
        size: warehouseSize.default('M'),
        credit_price_usd: z.number().positive().default(3),
        /** Snowflake bills at least 60 seconds each time a suspended warehouse resumes. */
        min_billed_seconds: z.number().int().nonnegative().default(60),
        statement_timeout_seconds: z.number().int().positive().default(600),
        /** Scan rate assumed when a runtime is estimated from EXPLAIN bytes (a model not built). */
        scan_bytes_per_second: z.number().positive().default(100_000_000),
      })
      .prefault({}),
    schedule: z
      .object({
        jobs: z.array(job).default([]),
        /** Globs of Airflow DAG files to read schedules and dbt selectors from. */
        airflow_dags: z.array(z.string()).default(['**/dags/**/*.py', '**/airflow/**/*.py']),
        /** Runs per month assumed for a model that no job selects (null: say it is unscheduled). */
        default_runs_per_month: z.number().nonnegative().nullable().default(null),
      })
      .prefault({}),
    thresholds: z
      .object({
        /** Largest change in a value's or bin's share of rows, in percentage points. */
        distribution_shift_pct: z.number().nonnegative().default(10),
        /** Change in a numeric column's total (sum), in percent. */
        total_change_pct: z.number().nonnegative().default(5),
        row_count_change_pct: z.number().nonnegative().default(10),
        /** Share of keyed rows whose values changed, in percent. */
        changed_rows_pct: z.number().nonnegative().default(5),
        cost_increase_usd_month: z.number().nonnegative().default(100),
        cost_increase_pct: z.number().nonnegative().default(50),
        /** Failing (error-severity) tests tolerated before the verdict is NOT SAFE. */
        test_failures: z.number().int().nonnegative().default(0),
      })
      .prefault({}),
    /** Who must approve: names as dbt declares them, mapped to GitHub team slugs. */
    owners: z
      .object({
        exposures: z.record(z.string(), teamSlug).default({}),
        models: z.record(z.string(), teamSlug).default({}),
        groups: z.record(z.string(), teamSlug).default({}),
        tags: z.record(z.string(), teamSlug).default({}),
        /** Use an exposure or group owner's name as a team slug when no mapping matches ("Finance Team" → finance). */
        infer_team_from_owner: z.boolean().default(true),
      })
      .prefault({}),
    rules: z.array(rule).default([]),
    approvals: z
      .object({
        per_team: z.number().int().positive().default(1),
        /** The check's conclusion while required approvals are missing. */
        blocked_conclusion: z.enum(['failure', 'action_required']).default('action_required'),
        request_team_reviews: z.boolean().default(false),
        /** Post a PR review besides the comment: none, or COMMENT / REQUEST_CHANGES when not safe. */
        review: z.enum(['none', 'comment', 'request_changes']).default('none'),
      })
      .prefault({}),
    data: z
      .object({
        /** Show category values and sample rows; aggregates are always shown. */
        show_values: z.boolean().default(true),
        sensitive_columns: z.array(z.string()).default(['*email*', '*phone*', '*ssn*', '*password*', '*secret*', '*token*', '*address*', '*birth*']),
        sensitive_tags: z.array(z.string()).default(['pii', 'sensitive']),
        sample_rows: z.number().int().nonnegative().default(0),
        distribution_max_distinct: z.number().int().positive().default(20),
        histogram_bins: z.number().int().positive().max(100).default(10),
      })
      .prefault({}),
    /** Limits against abuse: each one the review hits is named in it, with what was left out. */
    limits: z
      .preprocess(
        // `analysis_timeout_seconds` was this key's first name; an old config keeps working.
        (v) => {
          if (!v || typeof v !== 'object' || Array.isArray(v) || !('analysis_timeout_seconds' in v)) return v;
          const { analysis_timeout_seconds: old, ...rest } = v as Record<string, unknown>;
          return 'max_runtime_seconds' in rest ? rest : { ...rest, max_runtime_seconds: old };
        },
        z
          .object({
            /** Changed models built and diffed per PR (in DAG order); the rest are listed, with EXPLAIN runtimes. */
            max_models: z.number().int().positive().default(50),
            /** Rows one model's PR build and diff may scan, estimated before anything runs; above it the model is not built. */
            max_rows_scanned: z.number().positive().default(1e9),
            /** Bytes of one tarball fetched from GitHub (base or head), compressed and unpacked. */
            max_fetch_bytes: z.number().int().positive().default(200 * 1024 * 1024),
            /** Bytes of one project file (model, macro, YAML); a larger one is not read. */
            max_file_bytes: z.number().int().positive().default(2 * 1024 * 1024),
            /** Wall-clock seconds of one analysis; past it no new warehouse work starts and the partial review is published. */
            max_runtime_seconds: z.number().positive().default(900),
            /** Wall-clock seconds one model's (or YAML value's) Jinja may render; past it the render stops and the model reports a render error. */
            render_seconds: z.number().positive().max(300).default(10),
            /** MiB of heap for the render worker; a template that needs more stops with a render error on that model. */
            render_memory_mb: z.number().int().min(64).max(16384).default(1024),
          })
          .strict(),
      )
      .prefault({}),
    /** Environment variables env_var() may read besides DBT_*. */
    env_allow: z.array(z.string()).default([]),
    vars: z.record(z.string(), z.unknown()).default({}),
  })
  .strict();

export type ImpactReviewConfig = z.infer<typeof configSchema>;
export type ScheduledJob = z.infer<typeof job>;
export type PolicyRule = z.infer<typeof rule>;

export const defaultConfig: ImpactReviewConfig = configSchema.parse({});

export interface ConfigIssue {
  /** Dotted key path, e.g. `thresholds.cost_increase_pct`. */
  key: string;
  message: string;
  line?: number;
}

export class ConfigError extends Error {
  constructor(
    readonly file: string,
    readonly issues: ConfigIssue[],
  ) {
    super(`${file}: ${issues.map((i) => `${i.line ? `line ${i.line}: ` : ''}${i.key || '(top level)'}: ${i.message}`).join('; ')}`);
    this.name = 'ConfigError';
  }
}

function lineOf(doc: ReturnType<typeof parseDocument>, counter: LineCounter, path: PropertyKey[]): number | undefined {
  // Walk as deep as the path exists, so a bad value points at its key's line.
  let node: unknown = doc.contents;
  let found: YamlNode | undefined;
  for (const key of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => (p.key as { value?: unknown } | null)?.value === key);
      if (!pair) break;
      found = pair.key as YamlNode;
      node = pair.value;
    } else if (isSeq(node) && typeof key === 'number') {
      node = node.items[key];
      found = (node as YamlNode) ?? found;
    } else break;
  }
  const offset = found?.range?.[0];
  return offset === undefined ? undefined : counter.linePos(offset).line;
}

/** Parses and validates the config text; every problem names the key, the line and what is wrong. */
export function parseConfig(text: string | null | undefined, file = '.github/impact-review.yml'): ImpactReviewConfig {
  if (text === null || text === undefined || text.trim() === '') return defaultConfig;
  const counter = new LineCounter();
  const doc = parseDocument(text, { lineCounter: counter, uniqueKeys: false });
  if (doc.errors.length) {
    const e = doc.errors[0];
    throw new ConfigError(file, [{ key: '', message: e.message.split('\n')[0], line: e.linePos?.[0]?.line }]);
  }
  let value: unknown;
  try {
    // A low alias budget stops an anchor bomb ("billion laughs") from expanding.
    value = doc.toJS({ maxAliasCount: 100 }) ?? {};
  } catch (err) {
    throw new ConfigError(file, [{ key: '', message: (err as Error).message.split('\n')[0] }]);
  }
  const parsed = configSchema.safeParse(value);
  if (parsed.success) return parsed.data;
  throw new ConfigError(
    file,
    parsed.error.issues.map((issue) => {
      const keys = issue.code === 'unrecognized_keys' ? issue.keys : [];
      const path = keys.length ? [...issue.path, keys[0]] : issue.path;
      const message = keys.length ? `unknown key${keys.length > 1 ? 's' : ''} ${keys.map((k) => `"${k}"`).join(', ')}` : issue.message;
      return { key: path.map(String).join('.'), message, line: lineOf(doc, counter, path) };
    }),
  );
}
