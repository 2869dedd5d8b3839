/**
 * Seeds on Snowflake without a stage: the CSV is parsed here, column types are inferred the way
 * dbt's seed loader does (number, boolean, date, timestamp, else text), and rows are inserted in
 * bound batches. Seeds are small reference tables; this is the build path only.
 */
import { readFile } from 'node:fs/promises';
import { dialectFor } from './dialect.js';

export interface SqlStatement {
  sql: string;
  params: unknown[];
}

/** RFC 4180 CSV: quoted fields, doubled quotes, CRLF or LF line ends. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(field);
      field = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += ch;
  }
  if (field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows.filter((r) => !(r.length === 1 && r[0] === ''));
}

type Inferred = 'NUMBER' | 'FLOAT' | 'BOOLEAN' | 'DATE' | 'TIMESTAMP_NTZ' | 'VARCHAR';

function inferType(values: string[]): Inferred {
  const present = values.filter((v) => v !== '');
  if (present.length === 0) return 'VARCHAR';
  if (present.every((v) => /^-?\d{1,38}$/.test(v))) return 'NUMBER';
  if (present.every((v) => /^-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(v))) return 'FLOAT';
  if (present.every((v) => /^(true|false)$/i.test(v))) return 'BOOLEAN';
  if (present.every((v) => /^\d{4}-\d{2}-\d{2}$/.test(v))) return 'DATE';
  if (present.every((v) => /^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(v))) return 'TIMESTAMP_NTZ';
  return 'VARCHAR';
}

/**
 * A header as a column name the way dbt-snowflake seeds it (quote_columns defaults to false):
 * unquoted, so Snowflake stores it upper-case and model SQL can write `id` or `ID`. A header that
 * is no plain identifier (spaces, a reserved word) is quoted and kept as written.
 */
const columnName = (name: string) => {
  const dialect = dialectFor('snowflake');
  return /^[A-Za-z_][A-Za-z0-9_$]*$/.test(name) && dialect.quoteIdentIfNeeded(name.toLowerCase()) === name.toLowerCase()
    ? name
    : dialect.quoteIdent(name);
};

/** The statements that (re)create `relation` from the CSV file. */
export async function loadCsvStatements(relation: string, csvPath: string, batchRows = 500): Promise<SqlStatement[]> {
  const [header, ...rows] = parseCsv(await readFile(csvPath, 'utf8'));
  if (!header) return [];
  const types = header.map((_, i) => inferType(rows.map((r) => r[i] ?? '')));
  const statements: SqlStatement[] = [
    {
      sql: `CREATE OR REPLACE TABLE ${relation} (${header.map((h, i) => `${columnName(h)} ${types[i]}`).join(', ')})`,
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
