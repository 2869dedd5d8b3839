/**
 * Schema diff: pairs the columns of both relations (case-insensitively, order ignored, renames from
 * column lineage honoured) and decides which pairs can be compared by value.
 */
import { WarehouseError, type ColumnKind, type ColumnType, type Warehouse } from '../warehouse/warehouse.js';
import type { SchemaDiff, SkippedColumn } from './types.js';

/** One column as the diff sees it: its two sides, either of which may be missing. */
export interface ColumnPair {
  /** The name the report uses: the head's spelling, or the base's when the column was removed. */
  name: string;
  base: ColumnType | null;
  head: ColumnType | null;
  sensitive: boolean;
  /** Both sides present and both of a kind whose values can be compared. */
  comparable: boolean;
}

export interface SchemaComparison {
  pairs: ColumnPair[];
  diff: SchemaDiff;
  skipped: SkippedColumn[];
  /** Same names and types on both sides (a prerequisite for the whole-table hash check). */
  same: boolean;
}

const UNCOMPARABLE: Partial<Record<ColumnKind, string>> = {
  binary: 'binary values are not compared',
  json: 'semi-structured or nested values (VARIANT, OBJECT, ARRAY, JSON, STRUCT, LIST, MAP) are not compared',
  other: 'this type is not supported by the diff',
};

export function uncomparableReason(kind: ColumnKind): string | undefined {
  return UNCOMPARABLE[kind];
}

/** Describes a relation, turning "does not exist" into an error that names it and its role. */
export async function describeRelation(warehouse: Warehouse, relation: string, role: 'base' | 'head'): Promise<ColumnType[]> {
  try {
    return await warehouse.describe(relation);
  } catch (err) {
    if (err instanceof WarehouseError && err.code === 'not_found') {
      throw new WarehouseError(`${role} relation ${relation} does not exist`, 'not_found', err.sql);
    }
    throw err;
  }
}

const norm = (name: string): string => name.toLowerCase();
const normType = (type: string): string => type.replace(/\s+/g, ' ').trim().toUpperCase();

export function compareSchemas(
  base: ColumnType[],
  head: ColumnType[],
  renames: Record<string, string> = {},
  sensitiveColumns: string[] = [],
): SchemaComparison {
  const sensitive = new Set(sensitiveColumns.map(norm));
  const baseByName = new Map(base.map((c) => [norm(c.name), c]));
  const renameOf = new Map(Object.entries(renames).map(([h, b]) => [norm(h), norm(b)]));
  const usedBase = new Set<string>();
  const pairs: ColumnPair[] = [];
  const diff: SchemaDiff = { added: [], removed: [], type_changed: [], type_changes: [], renamed: [] };
  const skipped: SkippedColumn[] = [];

  for (const h of head) {
    let b = baseByName.get(norm(h.name)) ?? null;
    const renamedFrom = renameOf.get(norm(h.name));
    // A lineage rename only counts when the old name is gone from head and present in base.
    if (!b && renamedFrom && baseByName.has(renamedFrom) && !head.some((x) => norm(x.name) === renamedFrom)) {
      b = baseByName.get(renamedFrom) ?? null;
      if (b) diff.renamed.push({ base: b.name, head: h.name });
    }
    if (b) usedBase.add(norm(b.name));
    pairs.push({
      name: h.name,
      base: b,
      head: h,
      sensitive: sensitive.has(norm(h.name)) || (b !== null && sensitive.has(norm(b.name))),
      comparable: false,
    });
  }
  for (const b of base) {
    if (usedBase.has(norm(b.name))) continue;
    pairs.push({ name: b.name, base: b, head: null, sensitive: sensitive.has(norm(b.name)), comparable: false });
  }

  for (const p of pairs) {
    if (!p.base && p.head) diff.added.push(p.head.name);
    if (p.base && !p.head) diff.removed.push(p.base.name);
    if (p.base && p.head && normType(p.base.type) !== normType(p.head.type)) {
      diff.type_changed.push(p.name);
      diff.type_changes.push({ column: p.name, base: p.base.type, head: p.head.type });
    }
    const baseReason = p.base ? uncomparableReason(p.base.kind) : undefined;
    const headReason = p.head ? uncomparableReason(p.head.kind) : undefined;
    if (baseReason || headReason) {
      const side = baseReason && headReason ? 'both' : baseReason ? 'base' : 'head';
      const type = side === 'head' ? p.head!.type : p.base!.type;
      skipped.push({ column: p.name, side: p.base && p.head ? side : p.base ? 'base' : 'head', type, reason: (baseReason ?? headReason)! });
    }
    p.comparable = p.base !== null && p.head !== null && !baseReason && !headReason;
  }

  const same =
    diff.added.length === 0 && diff.removed.length === 0 && diff.type_changed.length === 0 && diff.renamed.length === 0;
  return { pairs, diff, skipped, same };
}

/** Finds a key column on one side, case-insensitively. */
export function findColumn(columns: ColumnType[], name: string): ColumnType | undefined {
  return columns.find((c) => norm(c.name) === norm(name));
}
