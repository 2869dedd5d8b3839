/**
 * Diff engine benchmark: two DuckDB tables (file database in a temp dir), 31 mixed-type columns,
 * ~1.5% of rows differing. Compares the full diff with (a) the floor — one bare scan reading every
 * column of both tables — and (b) the per-column pattern other tools use, on the same tables.
 * Runs at N/10 and N rows. Each size runs in fresh child processes, each of which first warms the
 * buffer pool and measures the floor in the same process:
 *   - the diff alone, with --memory-limit (default 2GB, as the per-column pattern gets);
 *   - the per-column pattern, with the same --memory-limit;
 *   - the diff alone again with --capped-memory-limit (default 256MB): its peak RSS at both sizes
 *     is the memory target's figure. (The speed comparison does not use the cap: spilling slows
 *     the per-column pattern's per-column GROUP BYs and joins far more than the diff, which would
 *     flatter the ratio.)
 *
 *   node --expose-gc dist/bench/diff.js [--rows N] [--memory-limit 2GB] [--capped-memory-limit 256MB]
 *                                       [--latency-ms 100] [--skip-per-column]
 *
 * The database is opened through the product's own URL, `duckdb:<file>?memory_limit=<limit>`: the
 * limit caps DuckDB's buffers, which live in this (Node) process.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openWarehouse } from '../src/warehouse/connect.js';
import type { Warehouse } from '../src/warehouse/warehouse.js';
import { diffRelations } from '../src/diff/diff.js';
import type { QueryLogEntry } from '../src/diff/types.js';

interface Args {
  rows: number;
  memoryLimit: string;
  cappedMemoryLimit: string;
  latencyMs: number;
  skipPerColumn: boolean;
  child?: 'generate' | 'diff' | 'per-column';
  db?: string;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { rows: 10_000_000, memoryLimit: '2GB', cappedMemoryLimit: '256MB', latencyMs: 100, skipPerColumn: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--rows') args.rows = Number(argv[++i]);
    else if (a === '--memory-limit') args.memoryLimit = argv[++i];
    else if (a === '--capped-memory-limit') args.cappedMemoryLimit = argv[++i];
    else if (a === '--latency-ms') args.latencyMs = Number(argv[++i]);
    else if (a === '--skip-per-column') args.skipPerColumn = true;
    else if (a === '--child') args.child = argv[++i] as Args['child'];
    else if (a === '--db') args.db = argv[++i];
    else throw new Error(`unknown argument ${a}`);
  }
  if (!Number.isInteger(args.rows) || args.rows < 1000) throw new Error('--rows must be an integer ≥ 1000');
  if (!Number.isFinite(args.latencyMs) || args.latencyMs < 0) throw new Error('--latency-ms must be ≥ 0');
  return args;
}

const url = (db: string, memoryLimit: string) => `duckdb:${db}?memory_limit=${encodeURIComponent(memoryLimit)}`;

// ── data ────────────────────────────────────────────────────────────────────────────────────────

/** Deterministic pseudo-random columns from hash(id, salt); 30 columns besides the key. */
function columns(): { name: string; expr: string; kind: 'number' | 'string' | 'date' | 'timestamp' | 'boolean' }[] {
  const h = (salt: number) => `hash(id, ${salt})`;
  const out: ReturnType<typeof columns> = [];
  for (let i = 1; i <= 5; i++) {
    const e = `CAST(${h(i)} % 1000000 AS INTEGER)`;
    out.push({ name: `int_${i}`, expr: i === 1 ? `CASE WHEN ${h(100)} % 20 = 0 THEN NULL ELSE ${e} END` : e, kind: 'number' });
  }
  for (let i = 1; i <= 5; i++) out.push({ name: `dec_${i}`, expr: `CAST((${h(10 + i)} % 10000000) / 100.0 AS DECIMAL(18, 2))`, kind: 'number' });
  for (let i = 1; i <= 4; i++) out.push({ name: `dbl_${i}`, expr: `(${h(20 + i)} % 1000000) / 1000.0`, kind: 'number' });
  for (let i = 1; i <= 4; i++) out.push({ name: `cat_${i}`, expr: `'cat_' || CAST(${h(30 + i)} % ${4 + i * 3} AS VARCHAR)`, kind: 'string' });
  for (let i = 1; i <= 4; i++) out.push({ name: `txt_${i}`, expr: `'user_' || CAST(${h(40 + i)} % 50000000 AS VARCHAR)`, kind: 'string' });
  for (let i = 1; i <= 3; i++) out.push({ name: `date_${i}`, expr: `DATE '2020-01-01' + CAST(${h(50 + i)} % 1500 AS INTEGER)`, kind: 'date' });
  for (let i = 1; i <= 3; i++) {
    out.push({ name: `ts_${i}`, expr: `TIMESTAMP '2020-01-01' + to_seconds(CAST(${h(60 + i)} % 100000000 AS BIGINT))`, kind: 'timestamp' });
  }
  for (let i = 1; i <= 2; i++) out.push({ name: `flag_${i}`, expr: `${h(70 + i)} % ${i + 1} = 0`, kind: 'boolean' });
  return out;
}

async function generate(db: string, rows: number): Promise<void> {
  const w = await openWarehouse(`duckdb:${db}`);
  const cols = columns();
  const select = (from: string) => `SELECT id, ${cols.map((c) => `${c.expr} AS ${c.name}`).join(', ')} FROM ${from}`;
  await w.query(`CREATE TABLE base AS ${select(`range(1, ${rows + 1}) AS t(id)`)}`);
  // Head: 0.5% removed (id % 200 = 0), 0.5% changed (id % 200 = 1), 0.5% added (new ids).
  const added = Math.floor(rows / 200);
  await w.query(
    `CREATE TABLE head AS
     SELECT * REPLACE (
       CASE WHEN id % 200 = 1 THEN int_2 + 1 ELSE int_2 END AS int_2,
       CASE WHEN id % 400 = 1 THEN 'cat_new' ELSE cat_1 END AS cat_1,
       CASE WHEN id % 200 = 1 THEN CAST(dec_1 * 1.1 AS DECIMAL(18, 2)) ELSE dec_1 END AS dec_1
     ) FROM base WHERE id % 200 <> 0
     UNION ALL ${select(`range(${rows + 1}, ${rows + 1 + added}) AS t(id)`)}`,
  );
  await w.query('CHECKPOINT');
  await w.close();
}

// ── measurement ─────────────────────────────────────────────────────────────────────────────────

interface Phase {
  ms: number;
  /** CPU time of the whole process (DuckDB's threads included): less sensitive to other load on the machine than wall time. */
  cpuMs: number;
  queries: number;
  /** Largest RSS and JS heap sampled (every 5 ms) while the phase ran. */
  peakRssMb: number;
  peakHeapMb: number;
}

/** Samples RSS and JS heap while `fn` runs (DuckDB works on its own threads, so the loop is free). */
async function measure(fn: () => Promise<number>): Promise<Phase> {
  (globalThis as { gc?: () => void }).gc?.();
  let peakRss = process.memoryUsage().rss;
  let peakHeap = process.memoryUsage().heapUsed;
  const timer = setInterval(() => {
    const m = process.memoryUsage();
    peakRss = Math.max(peakRss, m.rss);
    peakHeap = Math.max(peakHeap, m.heapUsed);
  }, 5);
  const cpu = process.cpuUsage();
  const started = performance.now();
  const queries = await fn();
  const ms = performance.now() - started;
  const used = process.cpuUsage(cpu);
  clearInterval(timer);
  const m = process.memoryUsage();
  return {
    ms,
    cpuMs: (used.user + used.system) / 1000,
    queries,
    peakRssMb: Math.max(peakRss, m.rss) / 2 ** 20,
    peakHeapMb: Math.max(peakHeap, m.heapUsed) / 2 ** 20,
  };
}

/** The floor: one statement per table that must decode every column of every row. */
function floorSql(table: string): string {
  const aggs = columns().map((c) => {
    switch (c.kind) {
      case 'number':
        return `sum(${c.name})`;
      case 'string':
        return `sum(length(${c.name}))`;
      case 'boolean':
        return `count_if(${c.name})`;
      default:
        return `max(${c.name})`;
    }
  });
  return `SELECT count(*), sum(id), ${aggs.join(', ')} FROM ${table}`;
}

/** Warms the buffer pool, then measures the floor in this process. */
async function floor(w: Warehouse): Promise<Phase> {
  const scan = async () => {
    await w.query(floorSql('base'));
    await w.query(floorSql('head'));
    return 2;
  };
  await scan();
  return measure(scan);
}

/** What per-column tools do: per side, a profile and a top-k query per column; then a join per column. */
async function perColumn(w: Warehouse): Promise<number> {
  let n = 0;
  for (const c of columns()) {
    for (const t of ['base', 'head']) {
      const stats =
        c.kind === 'number'
          ? `, min(${c.name}), max(${c.name}), avg(${c.name}), sum(${c.name}), stddev_samp(${c.name}), approx_quantile(CAST(${c.name} AS DOUBLE), 0.5)`
          : c.kind === 'string'
            ? `, min(length(${c.name})), max(length(${c.name}))`
            : `, min(${c.name}), max(${c.name})`;
      await w.query(`SELECT count(*), count(${c.name}), approx_count_distinct(${c.name})${stats} FROM ${t}`);
      await w.query(`SELECT ${c.name}, count(*) AS n FROM ${t} GROUP BY ${c.name} ORDER BY n DESC LIMIT 10`);
      n += 2;
    }
    await w.query(`SELECT count(*) FROM base AS b JOIN head AS h ON b.id = h.id WHERE b.${c.name} IS DISTINCT FROM h.${c.name}`);
    n++;
  }
  return n;
}

interface DiffChild {
  floor: Phase;
  diff: Phase;
  /** A statement computing nothing but the distinct estimates the profile computes (what bounds the ratio to the floor). */
  distinctOnly: Phase;
  maxRssMb: number;
  log: QueryLogEntry[];
  summary: Record<string, unknown>;
}

interface PerColumnChild {
  floor: Phase;
  perColumn: Phase;
}

async function diffChild(db: string, args: Args): Promise<DiffChild> {
  const w = await openWarehouse(url(db, args.memoryLimit));
  const floorPhase = await floor(w);
  let log: QueryLogEntry[] = [];
  let summary: Record<string, unknown> = {};
  const diffPhase = await measure(async () => {
    const d = await diffRelations(w, 'base', 'head', { primaryKey: ['id'] });
    log = d.query_log;
    summary = {
      rows: d.rows,
      mismatched: Object.fromEntries(Object.entries(d.columns).filter(([, c]) => c.mismatched).map(([k, c]) => [k, c.mismatched])),
      new_values: Object.fromEntries(Object.entries(d.distribution).filter(([, x]) => x.new_values.length).map(([k, x]) => [k, x.new_values])),
      distributions: Object.keys(d.distribution).length,
    };
    return d.queries;
  });
  const maxRssMb = process.resourceUsage().maxRSS / 1024;
  // The profile estimates distinct values for every column but the key and the booleans.
  const estimated = columns().filter((c) => c.kind !== 'boolean');
  const hll = (t: string) => `SELECT ${estimated.map((c) => `approx_count_distinct(${c.name})`).join(', ')} FROM ${t}`;
  const distinctOnly = await measure(async () => {
    await w.query(`SELECT * FROM (${hll('base')}) AS b CROSS JOIN (${hll('head')}) AS h`);
    return 1;
  });
  await w.close();
  return { floor: floorPhase, diff: diffPhase, distinctOnly, maxRssMb, log, summary };
}

async function perColumnChild(db: string, args: Args): Promise<PerColumnChild> {
  const w = await openWarehouse(url(db, args.memoryLimit));
  const floorPhase = await floor(w);
  const perColumnPhase = await measure(() => perColumn(w));
  await w.close();
  return { floor: floorPhase, perColumn: perColumnPhase };
}

// ── driver ──────────────────────────────────────────────────────────────────────────────────────

function runChild(mode: NonNullable<Args['child']>, db: string, memoryLimit: string, rows: number): string {
  const script = fileURLToPath(import.meta.url);
  const childArgs = ['--expose-gc', script, '--child', mode, '--db', db, '--rows', String(rows), '--memory-limit', memoryLimit];
  const out = execFileSync(process.execPath, childArgs, { encoding: 'utf8', maxBuffer: 64 * 2 ** 20, stdio: ['ignore', 'pipe', 'inherit'] });
  return out.trim().split('\n').pop()!;
}

const fmtS = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const fmtMb = (mb: number) => `${Math.round(mb)} MB`;
const fmtRows = (n: number) => n.toLocaleString('en-US');
const verdict = (ok: boolean) => (ok ? 'PASS' : 'MISSED');

/** Peak RSS "does not grow with row count": at 10x the rows, at most 25% more. */
const RSS_GROWTH_ALLOWED = 1.25;

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  if (args.child === 'generate') return generate(args.db!, args.rows);
  if (args.child === 'diff') return void process.stdout.write(JSON.stringify(await diffChild(args.db!, args)) + '\n');
  if (args.child === 'per-column') return void process.stdout.write(JSON.stringify(await perColumnChild(args.db!, args)) + '\n');

  const sizes = [Math.floor(args.rows / 10), args.rows];
  const results: { rows: number; d: DiffChild; p: PerColumnChild | null; capped: DiffChild }[] = [];
  for (const rows of sizes) {
    const dir = mkdtempSync(join(tmpdir(), 'impact-review-bench-diff-'));
    const db = join(dir, 'bench.duckdb');
    try {
      const t0 = performance.now();
      runChild('generate', db, args.memoryLimit, rows);
      console.error(`generated 2 × ${fmtRows(rows)} rows × 31 columns in ${fmtS(performance.now() - t0)}`);
      const d = JSON.parse(runChild('diff', db, args.memoryLimit, rows)) as DiffChild;
      console.error(`diff at ${fmtRows(rows)} rows: ${JSON.stringify(d.summary)}`);
      const p = args.skipPerColumn ? null : (JSON.parse(runChild('per-column', db, args.memoryLimit, rows)) as PerColumnChild);
      const capped = JSON.parse(runChild('diff', db, args.cappedMemoryLimit, rows)) as DiffChild;
      results.push({ rows, d, p, capped });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  const header = ['rows', 'phase', 'wall', 'vs floor', 'CPU', 'vs floor', 'queries', 'peak RSS', 'peak JS heap'];
  const lines: string[][] = [];
  for (const { rows, d, p, capped } of results) {
    const phases: [string, Phase, Phase][] = [
      ['floor (1 scan/table)', d.floor, d.floor],
      ['diff (ours)', d.diff, d.floor],
    ];
    if (p) phases.push(['floor, per-column process', p.floor, p.floor], ['per-column pattern', p.perColumn, p.floor]);
    phases.push([`floor, ${args.cappedMemoryLimit} cap`, capped.floor, capped.floor], [`diff, ${args.cappedMemoryLimit} cap`, capped.diff, capped.floor]);
    phases.push(['distinct estimates alone', d.distinctOnly, d.floor]);
    for (const [name, ph, fl] of phases) {
      lines.push([
        fmtRows(rows),
        name,
        fmtS(ph.ms),
        `${(ph.ms / fl.ms).toFixed(2)}x`,
        fmtS(ph.cpuMs),
        `${(ph.cpuMs / fl.cpuMs).toFixed(2)}x`,
        String(ph.queries),
        fmtMb(ph.peakRssMb),
        fmtMb(ph.peakHeapMb),
      ]);
    }
  }
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  const row = (cells: string[]) => cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  console.log(
    `\nDiff benchmark: DuckDB file database (duckdb:<file>?memory_limit=${args.memoryLimit}, and ${args.cappedMemoryLimit} for the capped runs), ` +
      `31 columns, ~1.5% of rows differing, ${cpus().length} cores\n`,
  );
  console.log(row(header));
  console.log(widths.map((w) => '─'.repeat(w)).join('  '));
  for (const l of lines) console.log(row(l));

  const perStatement = (log: QueryLogEntry[]) => log.map((q) => `${q.purpose.replace(/^diff:/, '')} ${q.elapsed_ms}`).join(', ');
  console.log('\nPer statement (ms):');
  for (const { rows, d, capped } of results) {
    console.log(`  ${fmtRows(rows)}: ${perStatement(d.log)}; with the ${args.cappedMemoryLimit} cap: ${perStatement(capped.log)}`);
  }

  console.log('\nTargets (ratios compare phases measured in the same run):');
  for (const { rows, d, p } of results) {
    const ratioFloor = d.diff.ms / d.floor.ms;
    const cpuNote = (x: number) => `(by CPU time: ${x.toFixed(2)}x)`;
    console.log(`  ${fmtRows(rows)} rows: full diff ${fmtS(d.diff.ms)} in ${d.diff.queries} queries`);
    console.log(`    ratio to floor           ${ratioFloor.toFixed(2)}x   (target ≤ 3x)  ${verdict(ratioFloor <= 3)}   ${cpuNote(d.diff.cpuMs / d.floor.cpuMs)}`);
    if (p) {
      const speedup = p.perColumn.ms / d.diff.ms;
      console.log(
        `    faster than per-column   ${speedup.toFixed(2)}x   (target ≥ 5x)  ${verdict(speedup >= 5)}   ${cpuNote(p.perColumn.cpuMs / d.diff.cpuMs)} ` +
          `[${p.perColumn.queries} queries, ${fmtS(p.perColumn.ms)}]`,
      );
    }
  }
  // Why ≤ 3x cannot hold on DuckDB: the issue asks for three passes over both tables (profile,
  // distribution, keyed join), so three floors is the cost with every aggregate free. Each
  // statement's share of the floor shows what the computation adds to its pass.
  for (const { rows, d } of results) {
    const shares = d.log.filter((q) => q.purpose !== 'diff:counts').map((q) => `${q.purpose.replace(/^diff:/, '')} ${(q.elapsed_ms / d.floor.ms).toFixed(2)}x`);
    console.log(`  ${fmtRows(rows)} rows: each statement as a multiple of the floor: ${shares.join(', ')} (each reads both tables, so each is ≥ 1x)`);
  }
  for (const { rows, d } of results) {
    console.log(
      `  ${fmtRows(rows)} rows: the ${columns().filter((c) => c.kind !== 'boolean').length} distinct estimates the profile reports cost ` +
        `${(d.distinctOnly.ms / d.floor.ms).toFixed(2)}x the floor on their own (by CPU time: ${(d.distinctOnly.cpuMs / d.floor.cpuMs).toFixed(2)}x), ` +
        `a statement computing approx_count_distinct and nothing else`,
    );
  }
  if (results.length === 2) {
    const [a, b] = results;
    const growth = b.capped.maxRssMb / a.capped.maxRssMb;
    console.log(
      `  peak RSS of the diff process, memory_limit=${args.cappedMemoryLimit}: ${fmtMb(a.capped.maxRssMb)} at ${fmtRows(a.rows)} rows, ` +
        `${fmtMb(b.capped.maxRssMb)} at ${fmtRows(b.rows)} rows (×${growth.toFixed(2)}; target: does not grow with row count, ` +
        `taken as ≤ ×${RSS_GROWTH_ALLOWED} for 10x the rows)  ${verdict(growth <= RSS_GROWTH_ALLOWED)}`,
    );
    console.log(
      `    the capped diff took ${fmtS(a.capped.diff.ms)} (${(a.capped.diff.ms / a.capped.floor.ms).toFixed(2)}x its floor) at ${fmtRows(a.rows)} rows and ` +
        `${fmtS(b.capped.diff.ms)} (${(b.capped.diff.ms / b.capped.floor.ms).toFixed(2)}x its floor) at ${fmtRows(b.rows)} rows`,
    );
    console.log(
      `    uncapped (memory_limit=${args.memoryLimit}) for comparison: ${fmtMb(a.d.maxRssMb)} at ${fmtRows(a.rows)} rows, ${fmtMb(b.d.maxRssMb)} at ${fmtRows(b.rows)} rows`,
    );
    console.log(
      `  peak JS heap during the diff: ${fmtMb(a.capped.diff.peakHeapMb)} at ${fmtRows(a.rows)} rows, ${fmtMb(b.capped.diff.peakHeapMb)} at ${fmtRows(b.rows)} rows; ` +
        `the rest of the RSS is DuckDB's memory (buffers capped by memory_limit, spilling beyond it, plus working memory DuckDB does not count) and the Node runtime.`,
    );
  }
  if (args.latencyMs > 0) {
    console.log(
      `\nSimulated warehouse round trips (NOT measured: the in-process times above plus ${args.latencyMs} ms per statement, ` +
        `as a remote warehouse such as Snowflake would add for each statement's round trip and compilation):`,
    );
    for (const { rows, d, p } of results) {
      if (!p) continue;
      const ours = d.diff.ms + d.diff.queries * args.latencyMs;
      const theirs = p.perColumn.ms + p.perColumn.queries * args.latencyMs;
      console.log(`  ${fmtRows(rows)} rows: diff ${fmtS(ours)}, per-column ${fmtS(theirs)} → ${(theirs / ours).toFixed(2)}x faster`);
    }
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
