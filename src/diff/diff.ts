/**
 * The diff orchestrator: two relations in, one `TableDiff` out. Statements, in order, each at
 * most once:
 *   counts        only where the dialect samples percentiles by size (DuckDB, where the counts
 *                 come from table metadata);
 *   profile       one scan per side, carrying the identical check's whole-table hash when the
 *                 schemas match and the counts do not already differ; identical → stop here;
 *   distribution  only when some column needs grouping (booleans are counted by the profile);
 *   values        only with a primary key (plus `duplicates`, only when a matched key repeats);
 *   sample        only when asked and rows differ.
 */
import { compareSchemas, describeRelation, type ColumnPair } from './schema.js';
import { countRows, isIdentical } from './identical.js';
import { profileBoth, type RowCounts } from './profile.js';
import { distributionBoth, planDistribution } from './distribution.js';
import { PRIMARY_KEY_HINT, planValues, sampleDiffering, valuesBoth, type ValuePlan } from './values.js';
import { Runner } from './runner.js';
import { DiffError, type ColumnDiff, type DiffOptions, type TableDiff } from './types.js';
import type { Warehouse } from '../warehouse/warehouse.js';

export const DEFAULT_DISTRIBUTION_MAX_DISTINCT = 20;
export const DEFAULT_HISTOGRAM_BINS = 10;

function validate(options: DiffOptions): void {
  const positiveInt = (v: number | undefined, name: string, min: number) => {
    if (v !== undefined && (!Number.isInteger(v) || v < min)) {
      throw new DiffError(`${name} must be an integer ≥ ${min}, got ${v}`, 'invalid_option');
    }
  };
  positiveInt(options.sampleRows, 'sampleRows', 0);
  positiveInt(options.distributionMaxDistinct, 'distributionMaxDistinct', 0);
  positiveInt(options.histogramBins, 'histogramBins', 1);
}

function emptyColumns(pairs: ColumnPair[], keyed: boolean): Record<string, ColumnDiff> {
  const out: Record<string, ColumnDiff> = {};
  for (const p of pairs) {
    out[p.name] = {
      base_name: p.base?.name ?? null,
      head_name: p.head?.name ?? null,
      sensitive: p.sensitive,
      base: null,
      head: null,
      mismatched: keyed && p.comparable ? 0 : null,
    };
  }
  return out;
}

/**
 * A single-column key's exact distinct count: its non-NULL rows less the surplus rows of
 * duplicated keys. (The value diff counts both; the profile skipped the estimate.)
 */
function fillKeyDistinct(
  diff: TableDiff,
  plan: ValuePlan | null,
  pending: ReadonlySet<string>,
  dup: { base: { keys: number; rows: number }; head: { keys: number; rows: number } },
  nullKeys: { base: number; head: number },
): void {
  if (!plan || plan.keys.length !== 1 || !pending.has(plan.keys[0].name)) return;
  const col = diff.columns[plan.keys[0].name];
  for (const side of ['base', 'head'] as const) {
    const profile = col[side];
    if (!profile) continue;
    profile.distinct = diff.rows[side] - nullKeys[side] - (dup[side].rows - dup[side].keys);
    profile.distinct_exact = true;
  }
}

export async function diffRelations(
  warehouse: Warehouse,
  base: string,
  head: string,
  options: DiffOptions = {},
): Promise<TableDiff> {
  validate(options);
  const r = new Runner(warehouse);
  const baseCols = await describeRelation(warehouse, base, 'base');
  const headCols = await describeRelation(warehouse, head, 'head');
  const schema = compareSchemas(baseCols, headCols, options.columnLineageRenames, options.sensitiveColumns);
  const primaryKey = (options.primaryKey ?? []).map((k) => k.trim()).filter((k) => k.length > 0);
  // Resolve the key before any statement runs: a missing key column is the user's to fix.
  const valuePlan: ValuePlan | null = primaryKey.length ? planValues(schema.pairs, primaryKey, base, head) : null;

  const diff: TableDiff = {
    base,
    head,
    warehouse: warehouse.type,
    identical: false,
    primary_key: primaryKey.length ? primaryKey : null,
    schema: schema.diff,
    rows: { base: 0, head: 0, added: null, removed: null, changed: null, unchanged: null, duplicate_keys: null, null_keys: null },
    columns: emptyColumns(schema.pairs, valuePlan !== null),
    distribution: {},
    distinct_method: r.sql.distinctMethod,
    percentile_method: r.sql.percentileMethod,
    samples: [],
    notes: [],
    warnings: [],
    skipped: schema.skipped,
    queries: 0,
    describes: 2,
    query_log: r.log,
  };
  const sensitive = schema.pairs.filter((p) => p.sensitive).map((p) => p.name);
  if (sensitive.length) {
    diff.notes.push(`Sensitive columns (${sensitive.join(', ')}): only counts are reported; values are never shown or sampled.`);
  }
  if (!valuePlan) diff.notes.push(`No primary key, so the value diff was skipped. To compare values row by row, ${PRIMARY_KEY_HINT}.`);

  // Counts are worth a statement only where the profile samples by size (DuckDB).
  const rowCounts: RowCounts | undefined = r.sql.percentileSampleRows !== null ? await countRows(r, base, head) : undefined;
  const withHash = !options.skipIdenticalCheck && schema.same && (!rowCounts || rowCounts.base === rowCounts.head);
  // A single-column key's distinct count comes exact from the value diff's key counts.
  const distinctLater = new Set<string>(valuePlan?.keys.length === 1 ? [valuePlan.keys[0].name] : []);
  const profiles = await profileBoth(r, base, head, schema.pairs, { rows: rowCounts, withHash, distinctLater });
  diff.rows.base = profiles.baseRows;
  diff.rows.head = profiles.headRows;
  for (const p of schema.pairs) {
    diff.columns[p.name].base = profiles.base.get(p.name) ?? null;
    diff.columns[p.name].head = profiles.head.get(p.name) ?? null;
  }
  if (profiles.percentilesSampled) {
    diff.percentile_method = 'approx';
    diff.notes.push(`Percentiles of large tables come from a random sample of about ${r.sql.percentileSampleRows!.toLocaleString('en-US')} rows.`);
  }
  if (isIdentical(profiles)) {
    diff.identical = true;
    if (valuePlan) Object.assign(diff.rows, { added: 0, removed: 0, changed: 0, unchanged: profiles.baseRows });
    diff.notes.push('Identical: same schema, row count and whole-table hash; no further queries ran.');
    diff.queries = r.queries;
    return diff;
  }

  const distPlan = planDistribution(
    r,
    schema.pairs,
    profiles,
    options.distributionMaxDistinct ?? DEFAULT_DISTRIBUTION_MAX_DISTINCT,
    options.histogramBins ?? DEFAULT_HISTOGRAM_BINS,
  );
  for (const [name, d] of await distributionBoth(r, distPlan, base, head, profiles)) {
    diff.distribution[name] = d;
    if (d.kind !== 'values') continue;
    // Per-value counts make the distinct count exact for free.
    const col = diff.columns[name];
    for (const side of ['base', 'head'] as const) {
      const profile = col[side];
      if (!profile) continue;
      profile.distinct = d.buckets.filter((b) => b.value !== null && b[side] > 0).length;
      profile.distinct_exact = true;
    }
  }
  if ([...distPlan.columns, ...distPlan.counted].some((c) => c.pair.sensitive)) {
    diff.notes.push('Distributions of sensitive columns show counts under ordinal labels (#1, #2, …), not values.');
  }

  if (valuePlan) {
    const v = await valuesBoth(r, valuePlan, base, head, { base: diff.rows.base, head: diff.rows.head });
    Object.assign(diff.rows, {
      added: v.added,
      removed: v.removed,
      changed: v.changed,
      unchanged: v.matched - v.changed,
      duplicate_keys: v.duplicateKeys,
      null_keys: v.nullKeys,
    });
    for (const [name, n] of v.mismatched) diff.columns[name].mismatched = n;
    fillKeyDistinct(diff, valuePlan, profiles.distinctPending, v.duplicateKeys, v.nullKeys);
    const key = primaryKey.join(', ');
    const dup = v.duplicateKeys;
    if (dup.base.keys || dup.head.keys) {
      diff.warnings.push(
        `Primary key (${key}) is not unique: base has ${dup.base.keys} duplicated key value(s) over ${dup.base.rows} rows, ` +
          `head has ${dup.head.keys} over ${dup.head.rows} rows. Rows sharing a key are joined pairwise, so added/removed/changed/unchanged count join pairs for those keys.`,
      );
    }
    if (v.nullKeys.base || v.nullKeys.head) {
      diff.warnings.push(
        `Primary key (${key}) has NULLs: ${v.nullKeys.base} base row(s) and ${v.nullKeys.head} head row(s) cannot be matched and are not counted as added or removed.`,
      );
    }
    if ((options.sampleRows ?? 0) > 0 && v.changed > 0) {
      diff.samples = await sampleDiffering(r, valuePlan, base, head, options.sampleRows!);
    }
  }
  diff.queries = r.queries;
  return diff;
}
