import { describe, expect, it } from '@jest/globals';
import { assertReadOnlySelect, readOnlyCheck } from '../../../src/sql/readonly.js';
import { WarehouseError } from '../../../src/warehouse/warehouse.js';

function reason(sql: string, dialect = 'snowflake'): string {
  const r = readOnlyCheck(sql, dialect);
  return r.ok ? 'OK' : r.reason;
}

describe('readOnlyCheck', () => {
  it.each([
    ['select 1 -- ; drop table x'],
    ["select ';'"],
    ['select 1 /* ; drop table x */'],
    ['select 1;'],
    ['  select 1 ;  \n'],
    ['with a as (select 1 as x) select x from a'],
    ['(select 1) union all (select 2)'],
    ['select "drop", "delete;" from t'],
    ["select $$ ; drop table t $$ as s"],
    ["select 'it''s; fine' as s"],
    ["select * from identifier($tbl)"],
    ["select convert_timezone('UTC', ts) at time zone 'UTC' from t"],
    ['select comment, list, start from t'],
    ["select insert('abc', 1, 1, 'x'), truncate(1.55, 1), get(arr, 0) from t"],
    ['select t.update_at, x.set_id from t'],
  ])('allows %s', (sql) => {
    expect(reason(sql)).toBe('OK');
  });

  it('refuses a second statement after ; naming its line', () => {
    expect(reason('select 1;\n\n\ndrop table x')).toBe("refused: the SQL holds a second statement after ';' at line 4, column 1");
    expect(reason('select 1; select 2')).toMatch(/second statement after ';' at line 1, column 11/);
    expect(reason('select 1;;')).toMatch(/more than one ';'/);
  });

  it('reads strings the way Snowflake does (backslash escapes a quote)', () => {
    // Snowflake: one string `a'; drop table x; --` — one statement.
    expect(reason("select 'a\\'; drop table x; --'", 'snowflake')).toBe('OK');
    // DuckDB: the backslash is literal, so the string ends early and a second statement follows.
    expect(reason("select 'a\\'; drop table x; --'", 'duckdb')).toMatch(/second statement after ';'/);
  });

  it('treats // as a comment on Snowflake only', () => {
    expect(reason('select 1 // ; drop table x', 'snowflake')).toBe('OK');
    expect(reason('select 1 // ; drop table x', 'duckdb')).toMatch(/second statement/);
  });

  it('refuses unterminated strings and comments', () => {
    expect(reason("select 'abc")).toBe('refused: the SQL ends inside a quoted string that starts at line 1, column 8');
    expect(reason('select 1 /* ; ')).toMatch(/ends inside a \/\* comment/);
  });

  it.each([
    ['drop table x', 'DROP'],
    ['create table x as select 1', 'CREATE'],
    ['alter table x add column y int', 'ALTER'],
    ['truncate table x', 'TRUNCATE'],
    ['insert into x select 1', 'INSERT'],
    ['update x set a = 1', 'UPDATE'],
    ['delete from x', 'DELETE'],
    ['merge into x using y on x.id = y.id when matched then delete', 'MERGE'],
    ["grant select on table x to role r", 'GRANT'],
    ["call my_proc(1)", 'CALL'],
    ["execute immediate 'drop table x'", 'EXECUTE'],
    ['use warehouse big', 'USE'],
    ['set x = 1', 'SET'],
    ['begin', 'BEGIN'],
    ['commit', 'COMMIT'],
    ["copy into @stage from t", 'COPY'],
    ["put file:///tmp/x @stage", 'PUT'],
  ])('refuses %s', (sql, word) => {
    expect(reason(sql)).toBe(`refused: only a SELECT or WITH statement may run, but the SQL starts with ${word} at line 1, column 1`);
  });

  it('refuses DML hidden behind WITH or inside a CTE', () => {
    expect(reason('with a as (select 1 as x)\ninsert into t select * from a')).toBe(
      'refused: INSERT at line 2, column 1; only a read-only SELECT may run',
    );
    expect(reason('with a as (delete from t returning *) select * from a', 'duckdb')).toMatch(/^refused: DELETE at line 1, column 12/);
    expect(reason('with a as (select 1) use warehouse w')).toMatch(/^refused: USE/);
  });

  it('refuses SYSTEM$ functions, RESULT_SCAN, time travel and SELECT INTO', () => {
    expect(reason("select system$cancel_all_queries(1)")).toBe('refused: the system function system$cancel_all_queries at line 1, column 8');
    expect(reason('select * from table(result_scan(last_query_id()))')).toMatch(/RESULT_SCAN at line 1, column 21/);
    expect(reason('select * from orders at(offset => -3600)')).toMatch(/time travel \(AT\(…\)\) at line 1, column 22/);
    expect(reason("select * from orders before(statement => '01a')")).toMatch(/time travel \(BEFORE/);
    expect(reason('select * from orders changes(information => default) at(offset => -60)')).toMatch(/time travel \(CHANGES/);
    expect(reason('select * into new_table from t', 'duckdb')).toMatch(/^refused: INTO/);
  });

  it('refuses DuckDB file reads', () => {
    expect(reason("select * from read_csv('/etc/passwd')", 'duckdb')).toMatch(/read_csv\(\) at line 1, column 15 reads files/);
    expect(reason("select * from '/etc/passwd'", 'duckdb')).toMatch(/reading a file/);
    expect(reason("select getenv('HOME')", 'duckdb')).toMatch(/getenv/);
  });

  it('reports whether the parser confirmed the statement', () => {
    expect(readOnlyCheck('select a from t', 'snowflake')).toEqual({ ok: true, parsed: true });
    // node-sql-parser cannot parse `* replace (…)`; the lexer is satisfied, so it is not refused.
    expect(readOnlyCheck('select * replace (a + 1 as a) from t', 'duckdb')).toEqual({ ok: true, parsed: false });
  });
});

describe('assertReadOnlySelect', () => {
  it('throws a refused_statement WarehouseError carrying the SQL', () => {
    let thrown: unknown;
    try {
      assertReadOnlySelect('select 1; drop table x', 'snowflake');
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(WarehouseError);
    const e = thrown as WarehouseError;
    expect(e.code).toBe('refused_statement');
    expect(e.sql).toBe('select 1; drop table x');
    expect(e.message).toBe("refused: the SQL holds a second statement after ';' at line 1, column 11");
  });

  it('passes a plain select', () => {
    expect(() => assertReadOnlySelect('select 1 -- ; drop table x', 'duckdb')).not.toThrow();
  });
});
