/** The relation object `ref()`, `source()`, `this` and `api.Relation.create()` return in Jinja. */
import type { RelationRef } from './types.js';
import { splitKeywords } from './python.js';

/** Splits `db.schema.table` (parts may be double-quoted and contain dots) into its parts. */
export function splitRelationName(name: string): string[] {
  const parts: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < name.length; i++) {
    const ch = name[i];
    if (ch === '"') {
      if (quoted && name[i + 1] === '"') {
        cur += '""';
        i++;
        continue;
      }
      quoted = !quoted;
      cur += ch;
    } else if (ch === '.' && !quoted) {
      parts.push(cur);
      cur = '';
    } else {
      cur += ch;
    }
  }
  parts.push(cur);
  return parts;
}

const unquote = (part: string): string => (part.startsWith('"') && part.endsWith('"') && part.length >= 2 ? part.slice(1, -1).replace(/""/g, '"') : part);

export class Relation implements RelationRef {
  readonly database: string | null;
  readonly schema: string;
  readonly identifier: string;
  readonly unique_id?: string;
  readonly type: string | null;
  /** The exact text the resolver gave, printed as-is so quoting chosen by the loader survives. */
  private readonly rendered: string | null;

  constructor(parts: { database: string | null; schema: string; identifier: string; unique_id?: string; type?: string | null; rendered?: string | null }) {
    this.database = parts.database;
    this.schema = parts.schema;
    this.identifier = parts.identifier;
    this.unique_id = parts.unique_id;
    this.type = parts.type ?? null;
    this.rendered = parts.rendered ?? null;
  }

  /** Builds a relation from a resolver's `database.schema.identifier` text. */
  static fromName(name: string, unique_id?: string): Relation {
    const parts = splitRelationName(name);
    const identifier = unquote(parts[parts.length - 1] ?? '');
    const schema = parts.length >= 2 ? unquote(parts[parts.length - 2]) : '';
    const database = parts.length >= 3 ? unquote(parts.slice(0, parts.length - 2).join('.')) : null;
    return new Relation({ database, schema, identifier, unique_id, rendered: name });
  }

  get name(): string {
    return this.identifier;
  }
  get table(): string {
    return this.identifier;
  }
  get is_table(): boolean {
    return this.type === 'table';
  }
  get is_view(): boolean {
    return this.type === 'view';
  }
  get path(): Record<string, string | null> {
    return { database: this.database, schema: this.schema, identifier: this.identifier };
  }

  /** dbt relations answer dict-style lookups; dbt_utils' _is_relation checks `metadata.type`. */
  get metadata(): Record<string, string> {
    return { type: 'BaseRelation' };
  }

  get(key: unknown, def: unknown = null): unknown {
    const value = (this as unknown as Record<string, unknown>)[String(key)];
    return value === undefined || typeof value === 'function' ? def : value;
  }

  render(): string {
    return this.toString();
  }

  toString(): string {
    if (this.rendered !== null) return this.rendered;
    return [this.database, this.schema, this.identifier].filter((p) => p !== null && p !== '').join('.');
  }

  /** `relation.include(database=false)`: a copy printed without the omitted parts. */
  include(...raw: unknown[]): Relation {
    const { args, kwargs } = splitKeywords(raw);
    const keep = (key: string, index: number): boolean => {
      const v = kwargs[key] ?? args[index];
      return v === undefined || v === null ? true : Boolean(v);
    };
    const parts = [keep('database', 0) ? this.database : null, keep('schema', 1) ? this.schema : null, keep('identifier', 2) ? this.identifier : null];
    const rendered = parts.filter((p) => p !== null && p !== '').join('.');
    return new Relation({ ...this.parts(), rendered });
  }

  incorporate(...raw: unknown[]): Relation {
    const { kwargs } = splitKeywords(raw);
    const path = (kwargs.path ?? {}) as Record<string, string | null | undefined>;
    return new Relation({
      database: path.database !== undefined ? path.database : this.database,
      schema: path.schema ?? this.schema,
      identifier: path.identifier ?? this.identifier,
      unique_id: this.unique_id,
      type: typeof kwargs.type === 'string' ? kwargs.type : this.type,
    });
  }

  quote(): Relation {
    return this;
  }

  private parts(): { database: string | null; schema: string; identifier: string; unique_id?: string; type: string | null } {
    return { database: this.database, schema: this.schema, identifier: this.identifier, unique_id: this.unique_id, type: this.type };
  }
}
