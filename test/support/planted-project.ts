/**
 * A small dbt project built as "production" on an in-memory DuckDB, and PRs planted on top of it:
 * `review(changes)` writes base + changes as the head and runs the whole `analyze()` pipeline.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { analyze } from '../../src/analyze.js';
import { parseConfig } from '../../src/assess/config.js';
import type { Assessment } from '../../src/assess/types.js';
import { buildProject } from '../../src/build/production.js';
import { loadProject } from '../../src/dbt/project.js';
import { openWarehouse } from '../../src/warehouse/connect.js';
import type { Warehouse } from '../../src/warehouse/warehouse.js';

export interface PlantedProject {
  warehouse: Warehouse;
  /** The review of a PR whose head is the base files with `changes` written over them. */
  review(changes: Record<string, string>, configText?: string): Promise<Assessment>;
  close(): Promise<void>;
}

async function write(dir: string, files: Record<string, string>): Promise<void> {
  for (const [file, text] of Object.entries(files)) {
    await mkdir(dirname(join(dir, file)), { recursive: true });
    await writeFile(join(dir, file), text);
  }
}

/** Builds `base` into a fresh warehouse after `seedData` created its sources; throws if any node fails to build. */
export async function plantedProject(base: Record<string, string>, seedData: (w: Warehouse) => Promise<void>): Promise<PlantedProject> {
  const root = await mkdtemp(join(tmpdir(), 'ir-planted-'));
  const baseDir = join(root, 'base');
  await write(baseDir, base);
  const warehouse = await openWarehouse('duckdb::memory:');
  await seedData(warehouse);
  const project = await loadProject(baseDir, { target: { name: 'prod', type: 'duckdb', database: warehouse.database, schema: 'main' } });
  const built = await buildProject(project, warehouse, Object.keys(project.nodes));
  if (built.failed.length) throw new Error(`production did not build: ${JSON.stringify(built.failed)}`);
  let count = 0;
  return {
    warehouse,
    async review(changes, configText = '') {
      const headDir = join(root, `head${count++}`);
      await write(headDir, { ...base, ...changes });
      return analyze({ baseDir, headDir, warehouse, config: parseConfig(configText), now: new Date('2026-11-02T00:00:00Z') });
    },
    async close() {
      await warehouse.close();
      await rm(root, { recursive: true, force: true });
    },
  };
}
