/**
 * Number and text formatting for every report: one place decides how a figure looks, so the same
 * value reads the same in the comment, the check run and the CLI. Signed deltas use the real minus
 * sign (U+2212) because a hyphen next to a number is easy to misread in a PR comment.
 */

const MINUS = '\u2212';

function isNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

/** Accepts numbers and numeric strings (DECIMAL values can arrive as text from a warehouse). */
export function toNumber(value: unknown): number | null {
  if (isNumber(value)) return value;
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return Number(value);
  return null;
}

const UNKNOWN = 'n/a';

function grouped(value: number, minDigits: number, maxDigits: number): string {
  return Math.abs(value).toLocaleString('en-US', { minimumFractionDigits: minDigits, maximumFractionDigits: maxDigits });
}

/** The sign as displayed: a value that rounds to zero ("0.0") gets none, so no "−0.0". */
function signed(value: number, minDigits: number, maxDigits: number, always: boolean): string {
  const text = grouped(value, minDigits, maxDigits);
  if (!/[1-9]/.test(text)) return text;
  return (value < 0 ? MINUS : always ? '+' : '') + text;
}

/** 1234567.891 → "1,234,567.89"; integers print without decimals. */
export function formatNumber(value: unknown, maxDigits = 2): string {
  const n = toNumber(value);
  if (n === null) return value === null || value === undefined ? UNKNOWN : String(value);
  return signed(n, 0, maxDigits, false);
}

export function formatInteger(value: unknown): string {
  const n = toNumber(value);
  return n === null ? UNKNOWN : signed(Math.round(n), 0, 0, false);
}

/**
 * "$1,234.56"; amounts under a cent keep 4 decimals so a per-run price of $0.0021 is not "$0.00".
 * `precise`: 4 decimals under a dollar, for per-run prices whose change would round away.
 */
export function formatUsd(value: unknown, precise = false): string {
  const n = toNumber(value);
  if (n === null) return UNKNOWN;
  const digits = n !== 0 && Math.abs(n) < (precise ? 1 : 0.01) ? 4 : 2;
  const text = signed(n, digits, digits, false);
  return text.startsWith(MINUS) ? `${MINUS}$${text.slice(1)}` : `$${text}`;
}

export function formatSignedUsd(value: unknown): string {
  const n = toNumber(value);
  if (n === null) return UNKNOWN;
  const text = formatUsd(Math.abs(n));
  if (!/[1-9]/.test(text)) return text;
  return (n < 0 ? MINUS : '+') + text;
}

/** A ratio (0.108) as a percentage: "10.8%". */
export function formatShare(value: unknown): string {
  const n = toNumber(value);
  return n === null ? UNKNOWN : `${signed(n * 100, 1, 1, false)}%`;
}

/** A value already in percent (−78.8) with its sign: "−78.8%". */
export function formatSignedPercent(value: unknown): string {
  const n = toNumber(value);
  return n === null ? UNKNOWN : `${signed(n, 1, 1, true)}%`;
}

/** A value already in percent, unsigned: "10.0%". */
export function formatPercent(value: unknown): string {
  const n = toNumber(value);
  return n === null ? UNKNOWN : `${signed(n, 1, 1, false)}%`;
}

/** Percentage points with their sign: "−7.0 pts". */
export function formatPoints(value: unknown, withSign = true): string {
  const n = toNumber(value);
  return n === null ? UNKNOWN : `${signed(n, 1, 1, withSign)} pts`;
}

export function formatSignedNumber(value: unknown, maxDigits = 2): string {
  const n = toNumber(value);
  return n === null ? UNKNOWN : signed(n, 0, maxDigits, true);
}

/** Seconds: "9.4 s", "2 min 5 s" past two minutes. */
export function formatSeconds(value: unknown): string {
  const n = toNumber(value);
  if (n === null) return UNKNOWN;
  if (n < 120) return `${grouped(n, 1, 1)} s`;
  const minutes = Math.floor(n / 60);
  return `${minutes} min ${Math.round(n - minutes * 60)} s`;
}

/** Bytes in binary units, as config limits are set: "512 B", "3.0 MiB", "200 MiB", "1.5 GiB". */
export function formatBytes(value: unknown): string {
  const n = toNumber(value);
  if (n === null) return UNKNOWN;
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = Math.abs(n);
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  const digits = i === 0 || Number.isInteger(v) || v >= 100 ? 0 : 1;
  return `${grouped(v, digits, digits)} ${units[i]}`;
}

/** Large counts in words: 2,100,000,000 → "2.1 billion"; under a million as digits. */
export function formatCount(value: unknown): string {
  const n = toNumber(value);
  if (n === null) return UNKNOWN;
  const scales: [number, string][] = [[1e12, 'trillion'], [1e9, 'billion'], [1e6, 'million']];
  for (const [scale, word] of scales) if (Math.abs(n) >= scale) return `${grouped(n / scale, 0, 1)} ${word}`;
  return formatInteger(n);
}

/** Relative change in percent between two values; null when it cannot be computed. */
export function percentChange(before: unknown, after: unknown): number | null {
  const b = toNumber(before);
  const a = toNumber(after);
  if (b === null || a === null || b === 0) return null;
  return ((a - b) / Math.abs(b)) * 100;
}

const WORDS = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten'];

/** Small counts in words ("two values"), larger ones in digits. */
export function countWord(value: unknown): string {
  const n = toNumber(value);
  if (n === null) return UNKNOWN;
  return Number.isInteger(n) && n >= 0 && n < WORDS.length ? WORDS[n] : formatInteger(n);
}

/** "a", "a and b", "a, b and c". */
export function humanList(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

/** Team slug → a name for prose: "finance" → "Finance", "data-platform" → "Data Platform". */
export function teamName(slug: string): string {
  const bare = slug.includes('/') ? slug.slice(slug.lastIndexOf('/') + 1) : slug;
  return bare
    .split(/[-_\s]+/)
    .filter(Boolean)
    .map((w) => w[0].toUpperCase() + w.slice(1))
    .join(' ');
}

/**
 * User-controlled text in markdown prose: neutralise HTML (a description could close our
 * `<details>` or inject an image) and mentions that would ping people.
 */
export function escapeText(value: unknown): string {
  return String(value ?? '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/(^|[^A-Za-z0-9._-])@(?=[A-Za-z0-9])/g, '$1@\u200b');
}

/** Text inside a table cell: also `|` and line breaks, which would end the cell or the row. */
export function escapeCell(value: unknown): string {
  return escapeText(value).replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

/** Inline code that survives backticks in the value (CommonMark: a longer fence). */
export function inlineCode(value: unknown): string {
  const text = String(value ?? '').replace(/\r?\n/g, ' ');
  const longest = Math.max(0, ...Array.from(text.matchAll(/`+/g), (m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  const pad = text.startsWith('`') || text.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${text}${pad}${fence}`;
}

/** Inline code inside a table cell: pipes must be escaped even within code spans on GitHub. */
export function cellCode(value: unknown): string {
  return inlineCode(String(value ?? '').replace(/\|/g, '\\|'));
}

/** A quoted value as it appears in prose: 'High'; NULL for null. */
export function quoteValue(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  return `'${escapeText(value)}'`;
}
