import { parseArgs } from 'node:util';

/** A mistake in how the command was called, or input it cannot use: printed as one line, exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

type OptionSpec = Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean; default?: string | boolean }>;

export function parseCommandArgs<T extends OptionSpec>(command: string, argv: string[], options: T) {
  try {
    return parseArgs({ args: argv, options, allowPositionals: false, strict: true }).values;
  } catch (err) {
    throw new UsageError(`${command}: ${(err as Error).message}`);
  }
}

export function requireOption(command: string, values: Record<string, unknown>, name: string): string {
  const value = values[name];
  if (typeof value !== 'string' || value === '') throw new UsageError(`${command}: --${name} is required`);
  return value;
}

export function oneOf<T extends string>(command: string, name: string, value: string | undefined, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new UsageError(`${command}: --${name} must be one of ${allowed.join(', ')} (got "${value}")`);
}

/** `--vars` takes YAML or JSON, as dbt's does: `--vars '{as_of_date: 2026-11-01}'`. */
export async function parseVars(command: string, text: string | undefined): Promise<Record<string, unknown>> {
  if (!text) return {};
  const { parse } = await import('yaml');
  let value: unknown;
  try {
    value = parse(text);
  } catch (err) {
    throw new UsageError(`${command}: --vars is not valid YAML: ${(err as Error).message.split('\n')[0]}`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new UsageError(`${command}: --vars must be a mapping, e.g. '{key: value}'`);
  return value as Record<string, unknown>;
}
