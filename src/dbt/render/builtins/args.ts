import type { RelationRef } from '../types.js';

/**
 * Binding Jinja call arguments to a macro's parameters, the way a Jinja macro does: positional
 * arguments fill parameters in order, keyword arguments by name, the rest take their defaults.
 */

/** A parameter: its name, and its default when it may be omitted. */
export type Param = string | [name: string, fallback: unknown];

export class BuiltinArgumentError extends Error {}

export function bind(macro: string, params: Param[], args: unknown[], kwargs: Record<string, unknown>): Record<string, unknown> {
  const names = params.map((p) => (typeof p === 'string' ? p : p[0]));
  if (args.length > names.length) {
    throw new BuiltinArgumentError(`${macro}() takes at most ${names.length} arguments (${args.length} given)`);
  }
  const bound: Record<string, unknown> = {};
  params.forEach((p, i) => {
    const name = names[i];
    if (i < args.length) bound[name] = args[i];
    else if (Object.prototype.hasOwnProperty.call(kwargs, name)) bound[name] = kwargs[name];
    else if (typeof p !== 'string') bound[name] = p[1];
    else throw new BuiltinArgumentError(`${macro}() is missing its argument '${name}'`);
  });
  return bound;
}

/**
 * How Jinja prints a value inside SQL. Values returned by other macros arrive as SafeString-like
 * objects, relations as RelationRef: both print through toString().
 */
export function sql(value: unknown): string {
  if (value === undefined) return '';
  if (value === null) return 'None';
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (Array.isArray(value)) return `[${value.map(pyRepr).join(', ')}]`;
  return String(value);
}

/** Python's repr of a list element, as `{{ ['a', 1] }}` prints it. */
function pyRepr(value: unknown): string {
  if (typeof value === 'string') return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  return sql(value);
}

/** A list argument; a single string stands for a one-element list (as dbt_utils tolerates). */
export function list(value: unknown): unknown[] {
  if (value === undefined || value === null || value === '') return [];
  if (Array.isArray(value)) return value;
  return [value];
}

export function stringList(value: unknown): string[] {
  return list(value).map(sql);
}

export function isTruthy(value: unknown): boolean {
  if (Array.isArray(value)) return value.length > 0;
  if (value && typeof value === 'object' && !isRelation(value)) {
    const s = String(value);
    // A SafeString prints its content; an empty one is falsy in Jinja.
    if (s !== '[object Object]') return s.length > 0;
    return Object.keys(value).length > 0;
  }
  return Boolean(value);
}

/** A number argument, which templates may pass as a string ('3'). */
export function toNumber(macro: string, name: string, value: unknown): number {
  const n = typeof value === 'number' ? value : Number(sql(value).trim());
  if (!Number.isFinite(n)) throw new BuiltinArgumentError(`${macro}(): '${name}' must be a number, got ${sql(value)}`);
  return n;
}

export function isRelation(value: unknown): value is RelationRef {
  return typeof value === 'object' && value !== null && 'identifier' in value && 'schema' in value;
}

/** How dbt messages name a relation. */
export function relationName(value: unknown): string {
  return sql(value);
}

export function record(value: unknown): Record<string, unknown> {
  if (value && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  return {};
}
