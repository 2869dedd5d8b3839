/**
 * Diff engine benchmark: two DuckDB tables (file database in a temp dir), 30 mixed-type columns,
 * ~1% of rows differing. Compares the full diff with (a) the floor — one bare scan reading every
 * column of both tables — and (b) the per-column pattern other tools use, on the same tables in
 * the same process. Runs at N/10 and N rows, each size in fresh child processes so that peak RSS
 * belongs to that size alone.
 *
 *   node --expose-gc dist/bench/diff.js [--rows N] [--memory-limit 2GB] [--skip-per-column]
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DuckDbWarehouse } from '../src/warehouse/duckdb.js';
import { diffRelations } from '../src/diff/diff.js';

interface Args {
  rows: number;
  memoryLimit: string;
  skipPerColumn: boolean;
  child?: 'generate' | 'measure';
  db?: string;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { rows: 10_000_000, memoryLimit: '2GB', skipPerColumn: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--rows') args.rows = Number(argv[++i]);
    else if (a === '--memory-limit') args.memoryLimit = argv[++i];
    else if (a === '--skip-per-column') args.skipPerColumn = true;
    else if (a === '--child') args.child = argv[++i] as Args['child'];
    else if (a === '--db') args.db = argv[++i];
    else throw new Error(`unknown argument ${a}`);
  }
  if (!Number.isInteger(args.rows) || args.rows < 1000) throw new Error('--rows must be an integer ≥ 1000');
  return args;
}

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
  const w = new DuckDbWarehouse({ path: db });
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
  queries: number;
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
  }, 10);
  const started = performance.now();
  const queries = await fn();
  const ms = performance.now() - started;
  clearInterval(timer);
  const m = process.memoryUsage();
  return {
    ms,
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

/** What per-column tools do: per side, a profile and a top-k query per column; then a join per column. */
async function perColumn(w: DuckDbWarehouse): Promise<number> {
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
    await w.query(
      `SELECT count(*) FROM base AS b JOIN head AS h ON b.id = h.id WHERE b.${c.name} IS DISTINCT FROM h.${c.name}`,
    );
    n++;
  }
  return n;
}

async function measureChild(db: string, args: Args): Promise<Record<string, unknown>> {
  const w = new DuckDbWarehouse({ path: db });
  await w.query(`SET memory_limit = '${args.memoryLimit}'`);
  const floor = async () => {
    await w.query(floorSql('base'));
    await w.query(floorSql('head'));
    return 2;
  };
  await floor(); // warm the buffer pool so that no phase pays for first reads alone
  const floorPhase = await measure(floor);
  let summary: Record<string, unknown> = {};
  const diffPhase = await measure(async () => {
    const d = await diffRelations(w, 'base', 'head', { primaryKey: ['id'] });
    summary = {
      rows: d.rows,
      mismatched: Object.fromEntries(Object.entries(d.columns).filter(([, c]) => c.mismatched).map(([k, c]) => [k, c.mismatched])),
      new_values: Object.fromEntries(Object.entries(d.distribution).filter(([, x]) => x.new_values.length).map(([k, x]) => [k, x.new_values])),
      query_log: d.query_log,
    };
    return d.queries;
  });
  const perColumnPhase = args.skipPerColumn ? null : await measure(() => perColumn(w));
  await w.close();
  return { floor: floorPhase, diff: diffPhase, perColumn: perColumnPhase, summary, maxRssMb: process.resourceUsage().maxRSS / 1024 };
}

// ── driver ──────────────────────────────────────────────────────────────────────────────────────

function runChild(mode: 'generate' | 'measure', db: string, args: Args, rows: number): string {
  const script = fileURLToPath(import.meta.url);
  const childArgs = ['--expose-gc', script, '--child', mode, '--db', db, '--rows', String(rows), '--memory-limit', args.memoryLimit];
  if (args.skipPerColumn) childArgs.push('--skip-per-column');
  return execFileSync(process.execPath, childArgs, { encoding: 'utf8', maxBuffer: 64 * 2 ** 20, stdio: ['ignore', 'pipe', 'inherit'] });
}

const fmtS = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const fmtMb = (mb: number) => `${Math.round(mb)} MB`;

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  if (args.child === 'generate') return generate(args.db!, args.rows);
  if (args.child === 'measure') {
    process.stdout.write(JSON.stringify(await measureChild(args.db!, args)) + '\n');
    return;
  }
  const sizes = [Math.floor(args.rows / 10), args.rows];
  const results: { rows: number; r: { floor: Phase; diff: Phase; perColumn: Phase | null; summary: Record<string, unknown>; maxRssMb: number } }[] = [];
  for (const rows of sizes) {
    const dir = mkdtempSync(join(tmpdir(), 'impact-review-bench-diff-'));
    const db = join(dir, 'bench.duckdb');
    try {
      const t0 = performance.now();
      runChild('generate', db, args, rows);
      console.error(`generated 2 × ${rows.toLocaleString('en-US')} rows × 31 columns in ${fmtS(performance.now() - t0)}`);
      const out = runChild('measure', db, args, rows).trim().split('\n').pop()!;
      const r = JSON.parse(out) as (typeof results)[number]['r'];
      results.push({ rows, r });
      console.error(`diff summary at ${rows.toLocaleString('en-US')} rows: ${JSON.stringify(r.summary)}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  const header = ['rows', 'phase', 'wall', 'queries', 'vs floor', 'peak RSS', 'peak JS heap'];
  const lines: string[][] = [];
  for (const { rows, r } of results) {
    const phases: [string, Phase | null][] = [
      ['floor (1 scan/table)', r.floor],
      ['diff (ours)', r.diff],
      ['per-column pattern', r.perColumn],
    ];
    for (const [name, p] of phases) {
      if (!p) continue;
      lines.push([
        rows.toLocaleString('en-US'),
        name,
        fmtS(p.ms),
        String(p.queries),
        `${(p.ms / r.floor.ms).toFixed(2)}x`,
        fmtMb(p.peakRssMb),
        fmtMb(p.peakHeapMb),
      ]);
    }
  }
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  const row = (cells: string[]) => cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  console.log(`\nDiff benchmark (DuckDB file DB, 31 columns, ~1.5% rows differing, memory_limit ${args.memoryLimit})\n`);
  console.log(row(header));
  console.log(widths.map((w) => '─'.repeat(w)).join('  '));
  for (const l of lines) console.log(row(l));
  console.log('');
  for (const { rows, r } of results) {
    const ratioFloor = r.diff.ms / r.floor.ms;
    const speedup = r.perColumn ? r.perColumn.ms / r.diff.ms : null;
    console.log(
      `${rows.toLocaleString('en-US')} rows: diff = ${ratioFloor.toFixed(2)}x floor (target ≤ 3x ${ratioFloor <= 3 ? 'met' : 'MISSED'})` +
        (speedup !== null ? `, ${speedup.toFixed(1)}x faster than per-column (target ≥ 5x ${speedup >= 5 ? 'met' : 'MISSED'})` : '') +
        `, process max RSS ${fmtMb(r.maxRssMb)}; per query: ${(r.summary.query_log as { purpose: string; elapsed_ms: number }[])
          .map((q) => `${q.purpose} ${q.elapsed_ms} ms`)
          .join(', ')}`,
    );
  }
  if (results.length === 2) {
    const [a, b] = results;
    console.log(
      `JS heap peak during diff: ${fmtMb(a.r.diff.peakHeapMb)} at ${a.rows.toLocaleString('en-US')} rows → ${fmtMb(b.r.diff.peakHeapMb)} at ${b.rows.toLocaleString('en-US')} rows; ` +
        `RSS includes DuckDB's in-process buffer pool, capped by memory_limit.`,
    );
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
