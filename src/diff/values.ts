/**
 * The value diff: ONE statement joins both sides on the primary key (full outer join of key and
 * row hash), compares every column null-safely on the rows that differ and aggregates to counts;
 * NULL keys are counted in the same statement, and so are duplicate keys unless the join's own
 * counts show a key shared by both sides that repeats — only then does a second statement count
 * duplicates over whole tables (a key that is not unique is the user's to fix). An optional,
 * bounded sample of differing rows is one more statement.
 */
import type { ColumnPair } from './schema.js';
import { count, pick, toText, type Row, type Runner } from './runner.js';
import { DiffError, type SampleRow } from './types.js';

export const PRIMARY_KEY_HINT =
  'set meta.primary_key on the model, or add unique + not_null tests on a column, or pass --primary-key';

export interface ValuePlan {
  keys: ColumnPair[];
  compared: ColumnPair[];
}

export interface ValueCounts {
  matched: number;
  added: number;
  removed: number;
  changed: number;
  mismatched: Map<string, number>;
  nullKeys: { base: number; head: number };
  duplicateKeys: { base: { keys: number; rows: number }; head: { keys: number; rows: number } };
}

/** Resolves the key columns on both sides; a key missing on either side is an error naming it. */
export function planValues(pairs: ColumnPair[], primaryKey: string[], base: string, head: string): ValuePlan {
  const lower = (s: string) => s.toLowerCase();
  const keys = primaryKey.map((k) => {
    const onBase = pairs.find((p) => p.base && lower(p.base.name) === lower(k));
    const onHead = pairs.find((p) => p.head && lower(p.head.name) === lower(k));
    const pair = onHead ?? onBase;
    if (!pair?.base) throw new DiffError(`primary key column "${k}" does not exist in base relation ${base}`, 'primary_key_missing');
    if (!pair.head) throw new DiffError(`primary key column "${k}" does not exist in head relation ${head}`, 'primary_key_missing');
    return pair;
  });
  const keySet = new Set(keys);
  return { keys, compared: pairs.filter((p) => p.comparable && !keySet.has(p)) };
}

/** Same type, or both numeric, compare as they are; otherwise both sides are compared as text. */
function comparison(r: Runner, p: ColumnPair, b: string, h: string): string {
  const sameType = p.base!.type.toUpperCase() === p.head!.type.toUpperCase();
  const bothNumeric = p.base!.kind === 'number' && p.head!.kind === 'number';
  return sameType || bothNumeric ? r.sql.isDistinctFrom(b, h) : r.sql.isDistinctFrom(r.sql.toText(b), r.sql.toText(h));
}

function sideCte(r: Runner, plan: ValuePlan, relation: string, side: 'base' | 'head'): string {
  const cols = [
    `1 AS ${r.q('p')}`,
    ...plan.keys.map((k, i) => `${r.q(k[side]!.name)} AS ${r.q(`k${i}`)}`),
    ...plan.compared.map((c, i) => `${r.q(c[side]!.name)} AS ${r.q(`c${i}`)}`),
  ];
  return `SELECT ${cols.join(', ')} FROM ${relation}`;
}

function joinCondition(r: Runner, plan: ValuePlan): string {
  return plan.keys.map((_, i) => `ir_b.${r.q(`k${i}`)} = ir_h.${r.q(`k${i}`)}`).join(' AND ');
}

function duplicatesCte(r: Runner, plan: ValuePlan, relation: string, side: 'base' | 'head', prefix: string): string {
  const keys = plan.keys.map((k) => r.q(k[side]!.name));
  return [
    `SELECT count(*) AS ${r.q(`${prefix}_dup_keys`)}, sum(n) AS ${r.q(`${prefix}_dup_rows`)} FROM (`,
    `    SELECT count(*) AS n FROM ${relation} WHERE ${keys.map((k) => `${k} IS NOT NULL`).join(' AND ')}`,
    `    GROUP BY ${keys.join(', ')} HAVING count(*) > 1) AS x`,
  ].join('\n');
}

/** The expression hashed for a column: its value normalised the way `comparison` compares it. */
function hashed(r: Runner, p: ColumnPair, side: 'base' | 'head'): string {
  const c = r.q(p[side]!.name);
  const sameType = p.base!.type.toUpperCase() === p.head!.type.toUpperCase();
  if (sameType) return c;
  if (p.base!.kind === 'number' && p.head!.kind === 'number') return r.sql.toDouble(c);
  return r.sql.toText(c);
}

/**
 * Rows are matched on (key, row hash) only, so the full outer join moves two narrow columns
 * instead of every column; the per-column comparison then runs on the rows whose hashes differ
 * (typically few), fetched by joining the differing keys to each side. A hash collision (2^-64
 * per row) would hide a change.
 *
 * Duplicate keys without a match on the other side are counted from the join's unmatched rows.
 * Duplicates among matched keys show in the counts alone: with `Bn` base rows of non-NULL key,
 * `matched = Bn - removed` exactly when no matched key repeats on the head side (and likewise for
 * the base side), which `valuesBoth` checks before deciding whether the full count is needed.
 */
export function valuesSql(r: Runner, plan: ValuePlan, base: string, head: string): string {
  const p = r.q('p');
  const k = (i: number) => r.q(`k${i}`);
  const bk = (i: number) => r.q(`bk${i}`);
  const hk = (i: number) => r.q(`hk${i}`);
  const narrow = (relation: string, side: 'base' | 'head') =>
    `SELECT 1 AS ${p}, ${plan.keys.map((key, i) => `${r.q(key[side]!.name)} AS ${k(i)}`).join(', ')}, ` +
    `${r.sql.rowHash(plan.compared.map((c) => hashed(r, c, side)))} AS ${r.q('rh')} FROM ${relation}`;
  const matched = `ir_b.${p} = 1 AND ir_h.${p} = 1`;
  const nullKey = (side: 'ir_b' | 'ir_h') => plan.keys.map((_, i) => `${side}.${k(i)} IS NULL`).join(' OR ');
  const j = [
    `ir_b.${p} AS ${r.q('bp')}`,
    `ir_h.${p} AS ${r.q('hp')}`,
    `CASE WHEN ir_b.${p} = 1 AND (${nullKey('ir_b')}) THEN 1 ELSE 0 END AS ${r.q('bnk')}`,
    `CASE WHEN ir_h.${p} = 1 AND (${nullKey('ir_h')}) THEN 1 ELSE 0 END AS ${r.q('hnk')}`,
    `CASE WHEN ${matched} AND ir_b.${r.q('rh')} <> ir_h.${r.q('rh')} THEN 1 ELSE 0 END AS ${r.q('ch')}`,
    ...plan.keys.map((_, i) => `ir_b.${k(i)} AS ${bk(i)}`),
    ...plan.keys.map((_, i) => `ir_h.${k(i)} AS ${hk(i)}`),
  ];
  const bp = r.q('bp');
  const hp = r.q('hp');
  const baseOnly = `${bp} = 1 AND ${hp} IS NULL AND ${r.q('bnk')} = 0`;
  const headOnly = `${hp} = 1 AND ${bp} IS NULL AND ${r.q('hnk')} = 0`;
  const agg = [
    `${r.sql.countIf(`${bp} = 1 AND ${hp} = 1`)} AS ${r.q('matched')}`,
    `${r.sql.countIf(baseOnly)} AS ${r.q('removed')}`,
    `${r.sql.countIf(headOnly)} AS ${r.q('added')}`,
    `sum(${r.q('bnk')}) AS ${r.q('null_keys_base')}`,
    `sum(${r.q('hnk')}) AS ${r.q('null_keys_head')}`,
  ];
  // Exact, null-safe comparison per column for every base×head pair of a key whose hashes differ.
  const flags = plan.compared.map(
    (c, i) =>
      `CASE WHEN ${comparison(r, c, `ir_bb.${r.q(c.base!.name)}`, `ir_hh.${r.q(c.head!.name)}`)} THEN 1 ELSE 0 END AS ${r.q(`m${i}`)}`,
  );
  const anyMismatch = plan.compared.length ? plan.compared.map((_, i) => r.q(`m${i}`)).join(' + ') : '0';
  const det = [
    `${r.sql.countIf(`${anyMismatch} > 0`)} AS ${r.q('changed')}`,
    ...plan.compared.map((_, i) => `sum(${r.q(`m${i}`)}) AS ${r.q(`mm${i}`)}`),
  ];
  // Each side is first cut down to the differing keys by a semi-join (EXISTS): planners then
  // build on the small key set instead of hashing a whole side for the detail join (a plain
  // three-way join let DuckDB join base to head first).
  const keyMatch = (alias: string, side: 'base' | 'head') =>
    plan.keys.map((key, i) => `${alias}.${r.q(key[side]!.name)} = ir_ck.${k(i)}`).join(' AND ');
  // Only the key and compared columns leave the scan (columns on one side only, or of types
  // that are not compared, would be read for nothing).
  const needed = (side: 'base' | 'head') => [...new Set([...plan.keys, ...plan.compared].map((c) => r.q(c[side]!.name)))].join(', ');
  const differing = (relation: string, alias: string, side: 'base' | 'head') =>
    `(SELECT ${needed(side)} FROM ${relation} AS ${alias} WHERE EXISTS (SELECT 1 FROM ir_ck WHERE ${keyMatch(alias, side)})) AS ${alias}`;
  const detailJoin = plan.keys.map((key) => `ir_bb.${r.q(key.base!.name)} = ir_hh.${r.q(key.head!.name)}`).join(' AND ');
  const keyList = (f: (i: number) => string) => plan.keys.map((_, i) => f(i)).join(', ');
  const unmatched = [
    `SELECT 0 AS ${r.q('s')}, ${keyList((i) => `${bk(i)} AS ${k(i)}`)} FROM ir_j WHERE ${baseOnly}`,
    `SELECT 1 AS ${r.q('s')}, ${keyList((i) => `${hk(i)} AS ${k(i)}`)} FROM ir_j WHERE ${headOnly}`,
  ];
  const s = r.q('s');
  const n = r.q('n');
  const dup = [
    `${r.sql.countIf(`${s} = 0`)} AS ${r.q('b_dup_keys')}`,
    `sum(CASE WHEN ${s} = 0 THEN ${n} ELSE 0 END) AS ${r.q('b_dup_rows')}`,
    `${r.sql.countIf(`${s} = 1`)} AS ${r.q('h_dup_keys')}`,
    `sum(CASE WHEN ${s} = 1 THEN ${n} ELSE 0 END) AS ${r.q('h_dup_rows')}`,
  ];
  return [
    'WITH',
    `ir_b AS (${narrow(base, 'base')}),`,
    `ir_h AS (${narrow(head, 'head')}),`,
    `ir_j AS (\n  SELECT\n    ${j.join(',\n    ')}\n  FROM ir_b FULL OUTER JOIN ir_h ON ${joinCondition(r, plan)}\n),`,
    `ir_agg AS (\n  SELECT\n    ${agg.join(',\n    ')}\n  FROM ir_j\n),`,
    `ir_ck AS (SELECT DISTINCT ${keyList((i) => `${bk(i)} AS ${k(i)}`)} FROM ir_j WHERE ${r.q('ch')} = 1),`,
    `ir_det AS (\n  SELECT\n    ${det.join(',\n    ')}\n  FROM (\n    SELECT ${flags.length ? flags.join(',\n      ') : `0 AS ${r.q('m_none')}`}`,
    `    FROM ${differing(base, 'ir_bb', 'base')}\n    JOIN ${differing(head, 'ir_hh', 'head')} ON ${detailJoin}\n  ) AS ir_m\n),`,
    `ir_ud AS (\n  SELECT\n    ${dup.join(',\n    ')}\n  FROM (\n    SELECT ${s}, count(*) AS ${n} FROM (\n      ${unmatched.join('\n      UNION ALL\n      ')}\n    ) AS ir_u`,
    `    GROUP BY ${s}, ${keyList(k)} HAVING count(*) > 1\n  ) AS ir_x\n)`,
    'SELECT * FROM ir_agg CROSS JOIN ir_det CROSS JOIN ir_ud',
  ].join('\n');
}

/** Duplicate keys over whole tables: only run when the value diff's counts show a repeated matched key. */
export function duplicatesSql(r: Runner, plan: ValuePlan, base: string, head: string): string {
  return [
    'SELECT * FROM',
    `  (${duplicatesCte(r, plan, base, 'base', 'b')}) AS ir_bd`,
    'CROSS JOIN',
    `  (${duplicatesCte(r, plan, head, 'head', 'h')}) AS ir_hd`,
  ].join('\n');
}

type DuplicateKeys = ValueCounts['duplicateKeys'];

function readDuplicates(row: Row): DuplicateKeys {
  return {
    base: { keys: count(pick(row, 'b_dup_keys')), rows: count(pick(row, 'b_dup_rows')) },
    head: { keys: count(pick(row, 'h_dup_keys')), rows: count(pick(row, 'h_dup_rows')) },
  };
}

/**
 * Runs the value diff. `rows` are both sides' row counts (from the profile): with the NULL-key
 * counts they give each side's rows of non-NULL key, which the uniqueness check needs.
 */
export async function valuesBoth(
  r: Runner,
  plan: ValuePlan,
  base: string,
  head: string,
  rows: { base: number; head: number },
): Promise<ValueCounts> {
  const [row] = await r.run(valuesSql(r, plan, base, head), 'diff:values');
  const mismatched = new Map<string, number>();
  plan.compared.forEach((c, i) => mismatched.set(c.name, count(pick(row, `mm${i}`))));
  const matched = count(pick(row, 'matched'));
  const added = count(pick(row, 'added'));
  const removed = count(pick(row, 'removed'));
  const nullKeys = { base: count(pick(row, 'null_keys_base')), head: count(pick(row, 'null_keys_head')) };
  const matchedUnique = matched === rows.base - nullKeys.base - removed && matched === rows.head - nullKeys.head - added;
  const duplicateKeys = matchedUnique
    ? readDuplicates(row)
    : readDuplicates((await r.run(duplicatesSql(r, plan, base, head), 'diff:duplicates'))[0]);
  return { matched, added, removed, changed: count(pick(row, 'changed')), mismatched, nullKeys, duplicateKeys };
}

/** Differing rows, key order, at most `limit`; sensitive columns are neither shown nor used to pick rows. */
export function sampleSql(r: Runner, plan: ValuePlan, base: string, head: string, limit: number): string | null {
  if (plan.keys.some((k) => k.sensitive)) return null;
  const visible = plan.compared.map((c, i) => ({ c, i })).filter(({ c }) => !c.sensitive);
  if (!visible.length) return null;
  const cols = [
    ...plan.keys.map((_, i) => `${r.sql.toText(`ir_b.${r.q(`k${i}`)}`)} AS ${r.q(`k${i}`)}`),
    ...visible.flatMap(({ i }) => [
      `${r.sql.toText(`ir_b.${r.q(`c${i}`)}`)} AS ${r.q(`b${i}`)}`,
      `${r.sql.toText(`ir_h.${r.q(`c${i}`)}`)} AS ${r.q(`h${i}`)}`,
      `CASE WHEN ${comparison(r, plan.compared[i], `ir_b.${r.q(`c${i}`)}`, `ir_h.${r.q(`c${i}`)}`)} THEN 1 ELSE 0 END AS ${r.q(`d${i}`)}`,
    ]),
  ];
  const where = visible.map(({ c, i }) => comparison(r, c, `ir_b.${r.q(`c${i}`)}`, `ir_h.${r.q(`c${i}`)}`)).join(' OR ');
  return [
    'WITH',
    `ir_b AS (${sideCte(r, plan, base, 'base')}),`,
    `ir_h AS (${sideCte(r, plan, head, 'head')})`,
    `SELECT ${cols.join(', ')}`,
    `FROM ir_b JOIN ir_h ON ${joinCondition(r, plan)}`,
    `WHERE ${where}`,
    `ORDER BY ${plan.keys.map((_, i) => `ir_b.${r.q(`k${i}`)}`).join(', ')}`,
    `LIMIT ${Math.floor(limit)}`,
  ].join('\n');
}

export async function sampleDiffering(r: Runner, plan: ValuePlan, base: string, head: string, limit: number): Promise<SampleRow[]> {
  const sql = sampleSql(r, plan, base, head, limit);
  if (!sql) return [];
  const rows = await r.run(sql, 'diff:sample');
  return rows.map((row) => {
    const key: Record<string, unknown> = {};
    plan.keys.forEach((k, i) => (key[k.name] = pick(row, `k${i}`)));
    const changes: Record<string, [unknown, unknown]> = {};
    plan.compared.forEach((c, i) => {
      if (c.sensitive || count(pick(row, `d${i}`)) === 0) return;
      changes[c.name] = [toText(pick(row, `b${i}`)), toText(pick(row, `h${i}`))];
    });
    return { key, changes };
  });
}
