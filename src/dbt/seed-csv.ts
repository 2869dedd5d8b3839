/**
 * Seed files as dbt reads them: RFC 4180 CSV, and the column types dbt's seed loader infers
 * (integer, float, boolean, date, timestamp, else text) when `column_types` does not say.
 */

/** RFC 4180 CSV: quoted fields, doubled quotes, CRLF or LF line ends; blank lines are skipped. */
export function parseCsv(input: string, maxRecords = Infinity): string[][] {
  // A byte-order mark (Excel's UTF-8 CSVs) is not part of the first header.
  const text = input.charCodeAt(0) === 0xfeff ? input.slice(1) : input;
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
      if (!(row.length === 1 && row[0] === '')) rows.push(row);
      row = [];
      field = '';
      if (rows.length >= maxRecords) return rows;
    } else field += ch;
  }
  if (field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

/** A seed's header: the first record's fields, trimmed. */
export function csvHeader(text: string): string[] {
  return (parseCsv(text, 1)[0] ?? []).map((f) => f.trim());
}

export type SeedValueKind = 'integer' | 'float' | 'boolean' | 'date' | 'timestamp' | 'text';

/** The type dbt infers for a seed column from its values (empty fields are NULL and do not count). */
export function inferSeedKind(values: string[]): SeedValueKind {
  const present = values.filter((v) => v !== '');
  if (present.length === 0) return 'text';
  if (present.every((v) => /^-?\d{1,38}$/.test(v))) return 'integer';
  if (present.every((v) => /^-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(v))) return 'float';
  if (present.every((v) => /^(true|false)$/i.test(v))) return 'boolean';
  if (present.every((v) => /^\d{4}-\d{2}-\d{2}$/.test(v))) return 'date';
  if (present.every((v) => /^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(v))) return 'timestamp';
  return 'text';
}
