/**
 * Plain-JS values for query results, the same on every engine: callers compare numbers and ISO
 * strings, never driver objects.
 */

/** Integers that fit a double exactly become numbers; the rest stay exact as strings. */
export function bigintToPlain(value: bigint): number | string {
  return value <= BigInt(Number.MAX_SAFE_INTEGER) && value >= BigInt(Number.MIN_SAFE_INTEGER)
    ? Number(value)
    : value.toString();
}

/** `2024-01-02 03:04:05.123` → `2024-01-02T03:04:05.123` (engines print a space; ISO wants a T). */
export function timestampTextToIso(text: string): string {
  return text
    .replace(/^(-?\d{4,}-\d{2}-\d{2}) /, '$1T')
    .replace(/(T\d{2}:\d{2}:\d{2}\.)(\d{1,2})(?!\d)/, (_, head: string, frac: string) => head + frac.padEnd(3, '0'));
}
