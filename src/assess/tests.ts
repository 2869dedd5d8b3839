/**
 * Runs a model's dbt data tests against the PR version of the model: each test becomes one
 * aggregate query (./test-sql.ts) and a status decided exactly as `dbt test` decides it.
 */
import type { DbtNode, Project } from '../dbt/types.js';
import { readOnlyCheck } from '../sql/readonly.js';
import type { Warehouse } from '../warehouse/warehouse.js';
import { severityOf, testNameOf, testSql } from './test-sql.js';

export { testSql, wrapTestSql, rewriteRelations, relationPattern, type TestSqlOptions, type TestSqlOutcome } from './test-sql.js';
export { NATIVE_TEST_NAMES } from './test-macros.js';

/** A model whose tests should read another relation than production (the PR's temporary table). */
export interface TestRunTarget {
  /** Unique id of the model under test. */
  model: string;
  /** Relation to test instead of the model's production relation. */
  relation: string;
}

export type TestStatus = 'pass' | 'warn' | 'fail' | 'error' | 'skipped';

export interface TestResult {
  unique_id: string;
  name: string;
  test_type: 'generic' | 'singular';
  /** `not_null`, `dbt_utils.expression_is_true`, or `singular`. */
  test_name: string;
  column_name: string | null;
  /** The node the test is attached to, when dbt records one. */
  attached_node: string | null;
  severity: 'warn' | 'error';
  status: TestStatus;
  /** The fail_calc result (rows failing, by default); null when the test did not run. */
  failures: number | null;
  /** The SQL sent (or that would have been sent); null when none could be produced. */
  sql: string | null;
  /** Why the test was skipped or errored (the warehouse's first line). */
  reason?: string;
  description?: string;
  elapsed_ms?: number;
}

export interface RunTestsOptions {
  /** Tests in flight at once (default 4). */
  concurrency?: number;
  /** Statement timeout per test. */
  timeoutSeconds?: number;
}

/**
 * Every enabled test of a model: generic tests attached to it or depending on it (a
 * relationships test pointing at it counts), and singular tests that select from it.
 */
export function testsForModel(project: Project, modelId: string): DbtNode[] {
  return Object.values(project.nodes)
    .filter((n) => n.resource_type === 'test' && n.config.enabled !== false)
    .filter((n) => n.attached_node === modelId || n.depends_on.nodes.includes(modelId))
    .sort((a, b) => (a.unique_id < b.unique_id ? -1 : a.unique_id > b.unique_id ? 1 : 0));
}

/** `relationOf` for a run: the targets' relations for the models they name, production for the rest. */
export function relationsFor(project: Project, targets: TestRunTarget[]): (uniqueId: string) => string | undefined {
  const chosen = new Map(targets.map((t) => [t.model, t.relation]));
  return (id) => chosen.get(id) ?? project.nodes[id]?.relation_name ?? project.sources[id]?.relation_name ?? undefined;
}

/**
 * dbt's decision (TestRunner.execute_data_test): error_if on an error-severity test fails it; else
 * warn_if warns; else it passes. A warn-severity test therefore never fails, and passes when only
 * error_if (not warn_if) is met.
 */
export function testStatus(severity: 'warn' | 'error', shouldWarn: boolean, shouldError: boolean): 'pass' | 'warn' | 'fail' {
  if (severity === 'error' && shouldError) return 'fail';
  if (shouldWarn) return 'warn';
  return 'pass';
}

/** Snowflake returns upper-case column names, DuckDB what the SQL said. */
function field(row: Record<string, unknown>, name: string): unknown {
  if (name in row) return row[name];
  const key = Object.keys(row).find((k) => k.toLowerCase() === name);
  return key === undefined ? undefined : row[key];
}

function truthy(value: unknown): boolean {
  if (typeof value === 'string') return /^(true|t|1)$/i.test(value.trim());
  if (typeof value === 'bigint') return value !== 0n;
  return value === true || (typeof value === 'number' && value !== 0);
}

function numberOrNull(value: unknown): number | null {
  if (value === null || value === undefined) return null;
  const n = Number(value);
  return Number.isFinite(n) ? n : null;
}

function firstLine(text: string): string {
  return text.split('\n').find((l) => l.trim() !== '')?.trim() ?? text.trim();
}

function baseResult(test: DbtNode): Omit<TestResult, 'status' | 'failures' | 'sql'> {
  const generic = Boolean(test.test_metadata);
  const kwCol = test.test_metadata?.kwargs.column_name;
  return {
    unique_id: test.unique_id,
    name: test.name,
    test_type: generic ? 'generic' : 'singular',
    test_name: testNameOf(test),
    column_name: test.column_name ?? (typeof kwCol === 'string' ? kwCol : null),
    attached_node: test.attached_node ?? null,
    severity: severityOf(test),
    ...(test.description ? { description: test.description } : {}),
  };
}

/** The model's tests as skipped, with why: a model whose PR version was not built still shows what it has. */
export function skippedTests(project: Project, modelId: string, reason: string): TestResult[] {
  return testsForModel(project, modelId).map((t) => ({ ...baseResult(t), status: 'skipped', failures: null, sql: null, reason }));
}

async function runOne(warehouse: Warehouse, project: Project, test: DbtNode, relationOf: (id: string) => string | undefined, options: RunTestsOptions): Promise<TestResult> {
  const base = baseResult(test);
  const produced = testSql(test, { relationOf, dialect: warehouse.type, project });
  // A test that does not render (and has no native implementation) is broken, as dbt test would fail it.
  if ('skip' in produced && test.render_error) {
    return { ...base, status: 'error', failures: null, sql: null, reason: `${test.render_error.file}: did not render: ${test.render_error.message}` };
  }
  if ('skip' in produced) return { ...base, status: 'skipped', failures: null, sql: null, reason: produced.skip };
  const sql = produced.sql;
  // Test SQL carries PR-authored text (expressions, where, singular SQL): the read-only guard applies.
  const check = readOnlyCheck(sql, warehouse.type);
  if (!check.ok) return { ...base, status: 'error', failures: null, sql, reason: check.reason };
  try {
    const result = await warehouse.query(sql, { purpose: 'test', ...(options.timeoutSeconds ? { timeoutSeconds: options.timeoutSeconds } : {}) });
    const row = result.rows[0];
    if (!row) return { ...base, status: 'error', failures: null, sql, reason: 'the test query returned no row', elapsed_ms: result.stats.elapsedMs };
    const status = testStatus(base.severity, truthy(field(row, 'should_warn')), truthy(field(row, 'should_error')));
    return { ...base, status, failures: numberOrNull(field(row, 'failures')), sql, elapsed_ms: result.stats.elapsedMs };
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    return { ...base, status: 'error', failures: null, sql, reason: firstLine(message) };
  }
}

/**
 * Runs the tests, `concurrency` at a time, and returns one result per test in input order.
 * Never throws for a test's own problem: those become `skipped` or `error` results.
 */
export async function runTests(
  warehouse: Warehouse,
  project: Project,
  tests: DbtNode[],
  relationOf: (uniqueId: string) => string | undefined,
  options: RunTestsOptions = {},
): Promise<TestResult[]> {
  const results: TestResult[] = new Array<TestResult>(tests.length);
  const width = Math.max(1, Math.min(options.concurrency ?? 4, tests.length));
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < tests.length) {
      const i = next++;
      results[i] = await runOne(warehouse, project, tests[i], relationOf, options);
    }
  };
  await Promise.all(Array.from({ length: width }, worker));
  return results;
}

/** Counts per status, for summaries. */
export function summarizeTests(results: TestResult[]): Record<TestStatus, number> {
  const out: Record<TestStatus, number> = { pass: 0, warn: 0, fail: 0, error: 0, skipped: 0 };
  for (const r of results) out[r.status]++;
  return out;
}
