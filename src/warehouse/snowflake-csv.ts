/**
 * Seeds on Snowflake without a stage: the CSV is parsed here, column types are inferred the way
 * dbt's seed loader does (number, boolean, date, timestamp, else text), and rows are inserted in
 * bound batches. Seeds are small reference tables; this is the build path only.
 */
import { readFile } from 'node:fs/promises';
import { dialectFor } from './dialect.js';
import { inferSeedKind, parseCsv } from '../dbt/seed-csv.js';

export interface SqlStatement {
  sql: string;
  params: unknown[];
}


/** The statements that (re)create `relation` from the CSV file. */
export async function loadCsvStatements(relation: string, csvPath: string, batchRows = 500): Promise<SqlStatement[]> {
  const [header, ...rows] = parseCsv(await readFile(csvPath, 'utf8'));
  if (!header) return [];
  const dialect = dialectFor('snowflake');
  const types = header.map((_, i) => dialect.seedType(inferSeedKind(rows.map((r) => r[i] ?? ''))));
  const statements: SqlStatement[] = [
    {
      sql: `CREATE OR REPLACE TABLE ${relation} (${header.map((h, i) => `${dialect.seedColumn(h)} ${types[i]}`).join(', ')})`,
      params: [],
    },
  ];
  const placeholders = `(${header.map((_, i) => `?::${types[i]}`).join(', ')})`;
  for (let start = 0; start < rows.length; start += batchRows) {
    const batch = rows.slice(start, start + batchRows);
    statements.push({
      sql: `INSERT INTO ${relation} VALUES ${batch.map(() => placeholders).join(', ')}`,
      params: batch.flatMap((r) => header.map((_, i) => (r[i] === undefined || r[i] === '' ? null : r[i]))),
    });
  }
  return statements;
}
