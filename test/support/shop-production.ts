import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { buildProject } from '../../src/build/production.js';
import { loadProject } from '../../src/dbt/project.js';
import { loadShopData } from '../../src/demo/load.js';
import { generateShopData } from '../../src/demo/shop-data.js';
import { openWarehouse } from '../../src/warehouse/connect.js';

export const EXAMPLE = join(process.cwd(), 'examples', 'shop');

/**
 * "Production" for the shipped example: its data generated from the fixed seed, loaded into a
 * DuckDB file, and the base project built into it. Returns the DuckDB URL.
 */
export async function buildShopProduction(): Promise<{ url: string; dir: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'ir-shop-'));
  const data = await generateShopData(join(dir, 'data'));
  const url = `duckdb:${join(dir, 'production.duckdb')}`;
  const warehouse = await openWarehouse(url);
  try {
    await loadShopData(warehouse, data.files);
    const project = await loadProject(join(EXAMPLE, 'project'), { target: { name: 'prod', type: 'duckdb', database: warehouse.database, schema: 'main' } });
    const result = await buildProject(project, warehouse, Object.keys(project.nodes));
    if (result.failed.length) throw new Error(`the example did not build: ${JSON.stringify(result.failed)}`);
  } finally {
    await warehouse.close();
  }
  return { url, dir };
}

/** Every file under a folder, keyed by its path relative to `base` joined to `prefix`. */
export async function filesUnder(dir: string, prefix: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const full = join(entry.parentPath, entry.name);
    out[join(prefix, relative(dir, full))] = await readFile(full, 'utf8');
  }
  return out;
}

/** The example repository at base, and at the head of one of its PRs (the PR's files laid over the project). */
export async function shopRepository(pr: 'pr1-cltv-90d' | 'pr2-growth-30d'): Promise<{ base: Record<string, string>; head: Record<string, string>; changed: string[] }> {
  const base = {
    ...(await filesUnder(join(EXAMPLE, 'project'), 'project')),
    ...(await filesUnder(join(EXAMPLE, '.github'), '.github')),
    ...(await filesUnder(join(EXAMPLE, 'airflow'), 'airflow')),
  };
  const overlay = await filesUnder(join(EXAMPLE, 'prs', pr), 'project');
  delete overlay['project/PR.md'];
  return { base, head: { ...base, ...overlay }, changed: Object.keys(overlay).filter((f) => base[f] !== overlay[f]) };
}
