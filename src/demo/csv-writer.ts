import { closeSync, openSync, writeSync } from 'node:fs';

/**
 * Writes CSV rows to a file in chunks, so that generating a large table keeps only one chunk of
 * text in memory.
 */
export class CsvWriter {
  private readonly fd: number;
  private buffer: string[] = [];
  private bufferedChars = 0;
  rows = 0;

  constructor(
    readonly path: string,
    header: readonly string[],
    private readonly chunkChars = 1 << 20,
  ) {
    this.fd = openSync(path, 'w');
    this.buffer.push(header.join(',') + '\n');
  }

  /** Values are written as given; callers quote text that may hold commas or quotes (see csvText). */
  write(values: readonly (string | number | boolean)[]): void {
    const line = values.join(',') + '\n';
    this.buffer.push(line);
    this.bufferedChars += line.length;
    this.rows++;
    if (this.bufferedChars >= this.chunkChars) this.flush();
  }

  close(): void {
    this.flush();
    closeSync(this.fd);
  }

  private flush(): void {
    if (this.buffer.length === 0) return;
    writeSync(this.fd, this.buffer.join(''));
    this.buffer = [];
    this.bufferedChars = 0;
  }
}

/** Quotes a text value when CSV requires it. */
export function csvText(value: string): string {
  return /[",\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}
