/**
 * The pipeline both fronts (CLI and GitHub app) run: two project trees and a warehouse in, one
 * Assessment out. Data flows one way: load → changes → probes (PR builds, diffs, tests) →
 * lineage, cost, schedule → findings → verdict.
 */
import { readFile, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import picomatch from 'picomatch';
import { detectChanges } from './assess/changes.js';
import { CREDITS_PER_HOUR, type ImpactReviewConfig } from './assess/config.js';
import { primaryKeyOf, sensitiveColumnsOf } from './assess/columns-policy.js';
import { pairColumns, type ColumnPairing } from './assess/renames.js';
import { downstreamOf } from './assess/downstream.js';
import { collectFindings } from './assess/findings.js';
import { checkedAfterEachStatement, limitFindings, limitsReport, startDeadline, type Clock } from './assess/limits.js';
import { decide } from './assess/policy.js';
import { runTests, skippedTests, testsForModel, type TestResult } from './assess/tests.js';
import type { Assessment, Assumption, ModelChange, ModelProbe, ModelReport } from './assess/types.js';
import { planBuilds } from './build/limits.js';
import { buildPrVersions, NOT_STARTED, tempName } from './build/pr.js';
import { modelCost, priceRun, runtimeFromExplain, type Runtime } from './cost/cost.js';
import { productionRuntime } from './cost/history.js';
import { jobsFromAirflowDag, jobsFromConfig, runsPerMonth, scheduleOf, type Job } from './cost/schedule.js';
import { withEphemeralCtes } from './dbt/ephemeral.js';
import { topologicalOrder } from './dbt/graph.js';
import { nodeFilePath } from './dbt/files.js';
import { ownerOf } from './dbt/owners.js';
import { assertProjectFileSize } from './dbt/package-files.js';
import { loadProjectInSandbox, type SandboxedProject } from './sandbox/client.js';
import { select } from './dbt/selectors.js';
import type { Project, Target } from './dbt/types.js';
import { diffRelations } from './diff/diff.js';
import { readOnlyCheck } from './sql/readonly.js';
import { countingWarehouse } from './warehouse/counting.js';
import type { Warehouse } from './warehouse/warehouse.js';

export interface AnalyzeInput {
  /** The dbt project directory at the PR's base and head commits. */
  baseDir: string;
  headDir: string;
  /** The repository root at head, for Airflow DAG files (defaults to headDir); the head renderer may read it. */
  headRepoRoot?: string;
  /** The repository root at base: the base renderer may read it (local packages outside the project). */
  baseRepoRoot?: string;
  warehouse: Warehouse;
  config: ImpactReviewConfig;
  /** Git renames inside the project, relative to the project directory. */
  renamedFiles?: { from: string; to: string }[];
  meta?: Partial<Pick<Assessment, 'repository' | 'pull_request'>> & { base?: Assessment['base']; head?: Assessment['head'] };
  /** Also diff every downstream model (`/impact full`). */
  full?: boolean;
  /** Environment env_var() may read; only DBT_* and config env_allow names are visible. */
  env?: Record<string, string | undefined>;
  onProgress?: (message: string) => void;
  signal?: AbortSignal;
  /** Fixed clock for reproducible output. */
  now?: Date;
  /** Bytes fetched from GitHub per tarball and the cap in force (the app); the review states them. */
  fetched?: { base: number; head: number; limit: number };
  /** Milliseconds on a monotonic clock, for limits.max_runtime_seconds (tests pass a fake one). */
  clock?: Clock;
}

const BUILDABLE = new Set(['model', 'snapshot', 'seed']);
/** Change reasons that cannot alter a model's rows. */
const METADATA_ONLY = new Set(['tests', 'description', 'tags', 'meta', 'columns', 'contract']);

export async function analyze(input: AnalyzeInput): Promise<Assessment> {
  const { config } = input;
  // limits.max_file_bytes: without dbt_project.yml there is no project, so an oversize one stops here.
  await Promise.all([assertProjectFileSize(input.baseDir, config.limits.max_file_bytes), assertProjectFileSize(input.headDir, config.limits.max_file_bytes)]);
  // limits.max_runtime_seconds: once it passes no new work starts, and what was done is reviewed.
  const deadline = startDeadline(config.limits.max_runtime_seconds, input.clock ?? (() => performance.now()), input.signal);
  const warehouse = countingWarehouse(checkedAfterEachStatement(input.warehouse, () => deadline.expired()));
  const progress = input.onProgress ?? (() => undefined);
  const target: Partial<Target> = { name: config.target.name, type: warehouse.type, database: config.target.database ?? warehouse.database, schema: config.target.schema };
  const loadOptions = { target, vars: config.vars, env: input.env ?? {}, envAllow: config.env_allow, runStartedAt: input.now, maxFileBytes: config.limits.max_file_bytes };
  progress('loading the base and head projects');
  // PR authors control the Jinja: it renders in worker processes without secrets (src/sandbox/).
  const sandbox = (repoRoot?: string) => ({
    readRoots: repoRoot ? [repoRoot] : [],
    limits: { renderTimeoutMs: config.limits.render_seconds * 1000, memoryMb: config.limits.render_memory_mb },
  });
  const [baseLoaded, headLoaded] = await loadBoth(
    () => loadProjectInSandbox(input.baseDir, loadOptions, sandbox(input.baseRepoRoot)),
    () => loadProjectInSandbox(input.headDir, loadOptions, sandbox(input.headRepoRoot)),
  );
  const closeWorkers = () => {
    baseLoaded.close();
    headLoaded.close();
  };
  const base = baseLoaded.project;
  const head = headLoaded.project;

  progress('finding changed models');
  const changes = detectChanges(base, head, { renamedFiles: input.renamedFiles });
  // Only changes that can alter a model's rows need a PR build and a diff; a changed test,
  // description or tag is checked against production as it stands.
  const changesData = (m: ModelChange) => m.reasons.some((r) => !METADATA_ONLY.has(r.kind));
  const candidates = changes.models.filter((m) => m.status !== 'removed' && changesData(m) && BUILDABLE.has(head.nodes[m.unique_id]?.resource_type ?? ''));
  // In DAG order, so that a limit keeps the upstream models whose PR versions the others read.
  const dagOrder = topologicalOrder(head.parent_map, candidates.map((m) => m.unique_id));
  const byId = new Map(candidates.map((m) => [m.unique_id, m]));
  const changedModels = [...dagOrder.order, ...dagOrder.cycle].map((id) => byId.get(id) as ModelChange);
  const metadataOnly = changes.models.filter((m) => m.status !== 'removed' && !changesData(m) && BUILDABLE.has(head.nodes[m.unique_id]?.resource_type ?? ''));
  const limited = changedModels.slice(0, config.limits.max_models);
  const notes: Assessment['notes'] = [];

  // Limits that keep a model from being built (a file too large to read, too many rows to scan)
  // are decided before any build: the estimate comes first.
  progress('estimating the rows each PR build would scan');
  const { skippedBy, rowsSkipped, estimates } = await planBuilds(warehouse, head, base, limited, { maxRowsScanned: config.limits.max_rows_scanned, stop: () => deadline.expired() });
  const toBuild = limited.filter((m) => !skippedBy.has(m.unique_id));
  /** Models whose analysis (build, diff, tests) had not started when the runtime limit passed. */
  const outOfTime: string[] = [];

  const reviewStarted = performance.now();

  progress(`building ${toBuild.length} PR version(s) in temporary tables`);
  // Building is the last use of the renderers.
  const builds = await buildPrVersions(head, headLoaded.compile, warehouse, toBuild.map((m) => m.unique_id), {
    prefix: 'pr',
    onProgress: progress,
    signal: deadline.signal,
    readSeed: (node) => readSeedFile(nodeFilePath(head, node), config.limits.max_file_bytes),
  }).finally(closeWorkers);

  const dangling: Record<string, string[]> = {};
  for (const m of changes.models.filter((x) => x.status === 'removed')) {
    const name = base.nodes[m.base_unique_id ?? m.unique_id]?.name ?? m.name;
    const users = Object.values(head.nodes).filter((n) => n.refs.some((r) => r.name === name)).map((n) => n.unique_id);
    if (users.length) dangling[m.unique_id] = users;
  }

  const probes = new Map<string, ModelProbe>();
  const replacements: Record<string, ColumnPairing['replacements']> = {};
  const relationOf = (id: string) => builds.get(id)?.relation ?? head.nodes[id]?.relation_name ?? undefined;
  // A test that reads several changed models runs once; each model's section lists it.
  const testRuns = new Map<string, Promise<TestResult[]>>();
  const testsOf = async (modelId: string): Promise<TestResult[]> => {
    const tests = testsForModel(head, modelId);
    const pending = tests.filter((t) => !testRuns.has(t.unique_id));
    if (pending.length) {
      const run = runTests(warehouse, head, pending, relationOf);
      pending.forEach((t, i) => testRuns.set(t.unique_id, run.then((results) => [results[i]])));
    }
    return (await Promise.all(tests.map((t) => testRuns.get(t.unique_id) as Promise<TestResult[]>))).flat();
  };
  for (const change of limited) {
    if (input.signal?.aborted) break;
    const id = change.unique_id;
    const node = head.nodes[id];
    const build = builds.get(id);
    const baseNode = base.nodes[change.base_unique_id ?? id];
    const production = change.status === 'added' || !baseNode?.relation_name ? null : baseNode.relation_name;
    const limit = skippedBy.get(id) ?? (deadline.expired() ? 'max_runtime_seconds' : undefined);
    const probe: ModelProbe = {
      unique_id: id,
      production_relation: production,
      pr_relation: build?.relation ?? null,
      build: { status: build?.status ?? 'skipped', seconds: build?.seconds ?? null, message: build?.message },
      baseline: { seconds: null, source: 'none' },
      diff: null,
      tests: [],
      ...(estimates.has(id) ? { rows_estimate: estimates.get(id) } : {}),
      ...(limit ? { skipped_by: limit } : {}),
    };
    probes.set(id, probe);
    if (limit) {
      // Not built, or built but not diffed and tested: the Limits section says why.
      if (!build || build.message === NOT_STARTED) probe.build = { status: 'skipped', seconds: null, message: `limit:${limit}` };
      if (limit === 'max_runtime_seconds') outOfTime.push(id);
      continue;
    }
    if (build?.status === 'built' && build.relation) {
      probe.pr_columns = (await warehouse.describe(build.relation).catch(() => [])).map((c) => ({ name: c.name, type: c.type }));
    }
    if (production && build?.status === 'built' && build.relation) {
      probe.baseline = await baselineRuntime(warehouse, base, baseNode.unique_id);
      progress(`diffing ${node.name} with production`);
      const key = primaryKeyOf(head, node) ?? primaryKeyOf(base, baseNode);
      const pairing = pairColumns(withEphemeralCtes(base, baseNode.unique_id), build.sql, head.target.type);
      replacements[id] = pairing.replacements;
      try {
        const columns = (probe.pr_columns ?? []).map((c) => c.name);
        probe.diff = await diffRelations(warehouse, production, build.relation, {
          primaryKey: key?.columns,
          sensitiveColumns: config.data.show_values ? sensitiveColumnsOf(node, config, columns) : columns,
          sampleRows: config.data.show_values ? config.data.sample_rows : 0,
          distributionMaxDistinct: config.data.distribution_max_distinct,
          histogramBins: config.data.histogram_bins,
          columnLineageRenames: pairing.renames,
        });
        if (!key) notes.push({ key: 'no_primary_key', values: { model: node.name } });
      } catch (err) {
        probe.diff_error = (err as Error).message.split('\n')[0];
      }
    }
    if (build?.status === 'built') {
      progress(`running the tests of ${node.name}`);
      probe.tests = await testsOf(id);
    } else {
      probe.tests = skippedTests(head, id, 'not run: the PR version of the model was not built');
    }
  }
  // Past the model limit nothing is built: the runtime is estimated from EXPLAIN against production.
  for (const change of changedModels.slice(limited.length)) {
    const id = change.unique_id;
    const sql = withEphemeralCtes(head, id);
    let bytes: number | undefined;
    if (sql && readOnlyCheck(sql, warehouse.type).ok && !deadline.expired()) bytes = (await warehouse.explain(sql, { purpose: 'explain' }).catch(() => null))?.bytes;
    probes.set(id, {
      unique_id: id,
      production_relation: base.nodes[change.base_unique_id ?? id]?.relation_name ?? null,
      pr_relation: null,
      build: { status: 'skipped', seconds: null, message: 'limit:max_models' },
      baseline: { seconds: null, source: 'none' },
      diff: null,
      tests: [],
      explain_bytes: bytes ?? null,
      skipped_by: 'max_models',
    });
  }
  for (const change of metadataOnly) {
    const id = change.unique_id;
    const production = head.nodes[id]?.relation_name ?? null;
    const outOfTimeHere = !input.signal?.aborted && deadline.expired();
    if (outOfTimeHere) outOfTime.push(id);
    else progress(`running the tests of ${change.name} against production`);
    probes.set(id, {
      unique_id: id,
      production_relation: production,
      pr_relation: null,
      build: { status: 'skipped', seconds: null, message: 'metadata_only' },
      baseline: { seconds: null, source: 'none' },
      diff: null,
      tests: outOfTimeHere ? [] : await testsOf(id),
      ...(outOfTimeHere ? { skipped_by: 'max_runtime_seconds' as const } : {}),
    });
  }

  progress('walking the lineage');
  const { models: downstream, exposures } = downstreamOf(head, { ...changes, models: changes.models.filter((m) => m.status === 'removed' || changesData(m)) });

  const jobs = await scheduleJobs(config, input.headRepoRoot ?? input.headDir);
  const selectCache = new Map<string, Set<string>>();
  const selects = (selector: string, id: string) => {
    let set = selectCache.get(selector);
    if (!set) {
      try {
        set = select(head, selector);
      } catch {
        set = new Set();
      }
      selectCache.set(selector, set);
    }
    return set.has(id);
  };
  const jobSelects = (job: Job, id: string) => (job.select === null || selects(job.select, id)) && !(job.exclude && selects(job.exclude, id));
  const pricing = { size: config.warehouse.size, credit_price_usd: config.warehouse.credit_price_usd, min_billed_seconds: config.warehouse.min_billed_seconds };

  const models: ModelReport[] = changes.models
    .filter((m) => BUILDABLE.has((head.nodes[m.unique_id] ?? base.nodes[m.base_unique_id ?? m.unique_id])?.resource_type ?? ''))
    .map((change) => modelReport(change, head, base, probes.get(change.unique_id) ?? null, (node) => {
      const schedule = scheduleOf(node, jobs, (job) => jobSelects(job, node.unique_id), config.schedule.default_runs_per_month);
      const probe = probes.get(node.unique_id);
      const after: Runtime =
        probe?.build.seconds !== null && probe?.build.seconds !== undefined
          ? { seconds: probe.build.seconds, source: 'measured_pr_build' }
          : runtimeFromExplain(probe?.explain_bytes ?? undefined, config.warehouse.scan_bytes_per_second);
      const before: Runtime | null = probe?.baseline.seconds !== null && probe?.baseline.seconds !== undefined ? { seconds: probe.baseline.seconds, source: probe.baseline.source === 'query_history' ? 'query_history' : 'measured_production_build', samples: probe.baseline.samples } : null;
      return { schedule, cost: modelCost(before, after, schedule.runs_per_month, pricing) };
    }));

  // Every limit, hit or not; each one hit is a finding, so a review cut short is never SAFE.
  const oversizeAtBase = new Map(base.problems.filter((p) => p.oversize).map((p) => [p.file, p.oversize?.bytes]));
  const oversize = head.problems.filter((p) => p.oversize);
  const limits = limitsReport({
    config,
    models: { changed: changedModels.length, skipped: changedModels.slice(limited.length).map((m) => m.unique_id) },
    fetched: input.fetched,
    rows: { estimates: [...estimates.values()], skipped: rowsSkipped },
    runtime: { seconds: deadline.elapsed(), hit: deadline.hit(), skipped: outOfTime },
    files: {
      skipped: oversize.map((p) => ({ id: p.file, value: p.oversize?.bytes })),
      // Hit when an oversize file is new or resized in this PR, or a change could not be built for it (a same-size seed edit).
      hit: oversize.some((p) => oversizeAtBase.get(p.file) !== p.oversize?.bytes) || [...skippedBy.values()].includes('max_file_bytes'),
    },
  });
  deadline.dispose();
  const findings = collectFindings({ config, models, downstream, exposures, danglingRefs: dangling, replacements, also: limitFindings(limits) });
  const groupOwners = Object.fromEntries(Object.values(head.groups).map((g) => [g.name, g.owner.name ?? g.owner.email ?? null]));
  const decision = decide({ config, findings, models, exposures, groupOwners, selects });

  const reviewSeconds = (performance.now() - reviewStarted) / 1000;
  const sum = (pick: (m: ModelReport) => number | null | undefined) => {
    const values = models.map(pick).filter((v): v is number => typeof v === 'number');
    return values.length ? Math.round(values.reduce((a, b) => a + b, 0) * 100) / 100 : null;
  };
  const reviewCost = priceRun({ seconds: reviewSeconds, source: 'measured_pr_build' }, pricing);
  const assumptions: Assumption[] = [
    { key: 'warehouse_size', values: { size: config.warehouse.size, credits_per_hour: CREDITS_PER_HOUR[config.warehouse.size] } },
    { key: 'credit_price', values: { usd: config.warehouse.credit_price_usd } },
    { key: 'min_billing', values: { seconds: config.warehouse.min_billed_seconds } },
    ...jobs.map((j) => ({ key: 'runs_per_month', values: { runs: runsPerMonth(j.cron, j.timezone), job: j.name, cron: j.cron } })),
  ];
  if (config.schedule.default_runs_per_month !== null) assumptions.push({ key: 'default_runs_per_month', values: { runs: config.schedule.default_runs_per_month } });
  if (warehouse.type === 'duckdb') assumptions.push({ key: 'duckdb_runtime', values: { size: config.warehouse.size } });
  if ([...probes.values()].some((p) => p.explain_bytes !== undefined)) assumptions.push({ key: 'explain_estimate', values: { bytes_per_second: config.warehouse.scan_bytes_per_second } });

  return {
    version: 1,
    generated_at: (input.now ?? new Date()).toISOString(),
    repository: input.meta?.repository ?? null,
    pull_request: input.meta?.pull_request ?? null,
    base: input.meta?.base ?? { ref: 'base', sha: null },
    head: input.meta?.head ?? { ref: 'head', sha: null },
    project: { name: head.name, path: input.headDir, adapter: head.target.type },
    warehouse: { type: warehouse.type, database: warehouse.database },
    verdict: decision.verdict,
    reasons: decision.reasons,
    findings,
    required_approvals: decision.required_approvals,
    changes,
    models,
    downstream,
    exposures,
    cost: {
      pricing,
      monthly_before_usd: sum((m) => m.cost?.monthly_before_usd),
      monthly_after_usd: sum((m) => m.cost?.monthly_after_usd),
      monthly_change_usd: sum((m) => m.cost?.monthly_change_usd),
      review: {
        seconds: Math.round(reviewSeconds * 100) / 100,
        credits: reviewCost.credits ?? 0,
        usd: reviewCost.usd ?? 0,
        queries: warehouse.statements(),
      },
    },
    assumptions,
    problems: [...head.problems.filter((p) => !models.some((m) => m.unique_id === p.unique_id))],
    notes,
    limits,
    commands: commandsFor(models),
  };
}

/** The production baseline's runtime: query history on Snowflake, a measured rebuild of the base version on DuckDB. */
async function baselineRuntime(warehouse: Warehouse, base: Project, id: string): Promise<ModelProbe['baseline']> {
  if (warehouse.type === 'snowflake') {
    const history = await productionRuntime(warehouse, id);
    return history ? { seconds: history.seconds, source: 'query_history', samples: history.samples } : { seconds: null, source: 'none' };
  }
  const node = base.nodes[id];
  const sql = withEphemeralCtes(base, id);
  if (!node || !sql || !readOnlyCheck(sql, warehouse.type).ok) return { seconds: null, source: 'none' };
  const started = performance.now();
  try {
    await warehouse.createTempTable(tempName('base', node.package_name, node.alias), sql, { purpose: 'baseline' });
    return { seconds: (performance.now() - started) / 1000, source: 'measured', samples: 1 };
  } catch {
    return { seconds: null, source: 'none' };
  }
}

async function scheduleJobs(config: ImpactReviewConfig, repoRoot: string): Promise<Job[]> {
  const jobs = jobsFromConfig(config.schedule.jobs);
  if (!config.schedule.airflow_dags.length) return jobs;
  const { readdir } = await import('node:fs/promises');
  const isDag = picomatch(config.schedule.airflow_dags, { dot: false });
  let files: string[] = [];
  try {
    files = (await readdir(repoRoot, { recursive: true })).map(String).filter((f) => f.endsWith('.py') && !f.includes('node_modules') && isDag(f));
  } catch {
    files = [];
  }
  for (const file of files.slice(0, 200)) {
    const text = await readFile(join(repoRoot, file), 'utf8').catch(() => '');
    for (const job of jobsFromAirflowDag(relative(repoRoot, join(repoRoot, file)), text)) {
      // A config job of the same name wins: config is the explicit statement.
      if (!jobs.some((j) => j.name === job.name && j.origin.kind === 'config')) jobs.push(job);
    }
  }
  return jobs;
}

function modelReport(
  change: ModelChange,
  head: Project,
  base: Project,
  probe: ModelProbe | null,
  costOf: (node: Project['nodes'][string]) => Pick<ModelReport, 'schedule' | 'cost'>,
): ModelReport {
  const node = head.nodes[change.unique_id] ?? base.nodes[change.base_unique_id ?? change.unique_id];
  const project = head.nodes[change.unique_id] ? head : base;
  const classes = new Map(change.columns.map((c) => [c.column.toLowerCase(), c.class]));
  const extra = change.status === 'removed' ? { schedule: null, cost: null } : costOf(node);
  return {
    unique_id: node.unique_id,
    name: node.name,
    package_name: node.package_name,
    original_file_path: node.original_file_path,
    materialized: String(node.config.materialized),
    database: node.database,
    schema: node.schema,
    relation_name: node.relation_name,
    tags: node.tags,
    owner: ownerOf(project, node.unique_id),
    group: node.group ?? null,
    description: node.description,
    columns: Object.values(node.columns).map((c) => ({
      name: c.name,
      description: c.description,
      data_type: c.data_type ?? probe?.pr_columns?.find((p) => p.name.toLowerCase() === c.name.toLowerCase())?.type ?? null,
      class: classes.get(c.name.toLowerCase()) ?? 'unchanged',
    })),
    change,
    probe,
    ...extra,
    problems: project.problems.filter((p) => p.unique_id === node.unique_id),
  };
}

function commandsFor(models: ModelReport[]): Assessment['commands'] {
  if (!models.length) return [];
  const present = models.filter((m) => m.change.status !== 'removed');
  if (!present.length) return [];
  const seeds = present.filter((m) => m.change.resource_type === 'seed').map((m) => m.name);
  const others = present.filter((m) => m.change.resource_type !== 'seed').map((m) => m.name);
  return [
    ...(seeds.length ? [{ purpose: 'seed', command: `dbt seed --select ${seeds.join(' ')}` }] : []),
    ...(others.length ? [{ purpose: 'run', command: `dbt run --select ${others.join(' ')}` }] : []),
    { purpose: 'test', command: `dbt test --select ${present.map((m) => m.name).join(' ')}` },
    { purpose: 'downstream', command: `dbt ls --select ${models.map((m) => `${m.name}+`).join(' ')}` },
  ];
}

/** A changed seed's CSV for its PR build, refused past limits.max_file_bytes before it is read. */
async function readSeedFile(file: string, maxBytes: number): Promise<string> {
  const { size } = await stat(file);
  if (size > maxBytes) throw new Error(`the file is ${size} bytes, over limits.max_file_bytes (${maxBytes})`);
  return readFile(file, 'utf8');
}

/** Both projects or neither: a worker that loaded is closed when the other side fails. */
async function loadBoth(base: () => Promise<SandboxedProject>, head: () => Promise<SandboxedProject>): Promise<[SandboxedProject, SandboxedProject]> {
  const [b, h] = await Promise.allSettled([base(), head()]);
  if (b.status === 'fulfilled' && h.status === 'fulfilled') return [b.value, h.value];
  if (b.status === 'fulfilled') b.value.close();
  if (h.status === 'fulfilled') h.value.close();
  throw b.status === 'rejected' ? b.reason : (h as PromiseRejectedResult).reason;
}
