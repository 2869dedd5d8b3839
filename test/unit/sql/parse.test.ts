import { describe, expect, it } from '@jest/globals';
import { normalizeForParser, parseSelect } from '../../../src/sql/parse.js';

describe('parseSelect', () => {
  it.each([
    ['double-colon casts', 'select a::int as x, b::varchar(10), round(c, 2)::number(18,2) from t'],
    ['QUALIFY', 'select a from t qualify row_number() over (partition by b order by c) = 1'],
    ['ILIKE', "select a from t where b ilike '%x%' and c not ilike 'y'"],
    ['double-quoted identifiers', 'select "Order Id", "AMOUNT" as amt from "DB"."SCH"."T"'],
    ['* EXCLUDE', 'select * exclude (a, b) from t'],
    ['LATERAL FLATTEN', 'select f.value from t, lateral flatten(input => t.arr) f'],
    ['$1 and $$strings$$', 'select $1, $$text$$ from t'],
    ['comments', 'select a -- note ; x\n, b /* c */ from t'],
    ['GROUP BY ALL', 'select a, count(*) from t group by all'],
    ['variant paths', 'select v:a.b::string from t'],
    ['trailing comma before FROM', 'select a, b, from t'],
    ['WITHIN GROUP', "select listagg(a, ',') within group (order by a) from t"],
    ['EXCEPT (via the postgresql grammar)', 'select a from t except select a from u'],
    ['a trailing ;', 'select 1;'],
  ])('parses %s', (_what, sql) => {
    const r = parseSelect(sql, 'snowflake');
    expect(r.ok).toBe(true);
  });

  it('says which grammar accepted the SQL', () => {
    const a = parseSelect('select a from t qualify a = 1', 'duckdb');
    const b = parseSelect('select a from t intersect select a from u', 'duckdb');
    expect(a.ok && a.dialect).toBe('snowflake');
    expect(b.ok && b.dialect).toBe('postgresql');
  });

  it('reports the line and column where the parser stopped, and never throws', () => {
    const r = parseSelect('select a,\n  b\nfrom t\nwhere )', 'snowflake');
    expect(r).toEqual({ ok: false, error: { message: 'SQL parser stopped at ")" (line 4, column 7)', line: 4, column: 7 } });
    expect(parseSelect('select * replace (a + 1 as a) from t', 'duckdb').ok).toBe(false);
    expect(parseSelect("select 'unterminated", 'snowflake').ok).toBe(false);
  });

  it('refuses more than one statement', () => {
    expect(parseSelect('select 1; select 2', 'snowflake')).toEqual({ ok: false, error: { message: 'expected one statement, found 2' } });
  });
});

describe('normalizeForParser', () => {
  it('blanks comments and the rewritten parts but keeps every line where it was', () => {
    const sql = "select a, -- x\n  b, /* y */\nfrom t;";
    const out = normalizeForParser(sql, 'snowflake');
    expect(out).toBe(`select a,${' '.repeat(5)}\n  b${' '.repeat(9)}\nfrom t `);
    expect(out.split('\n').length).toBe(sql.split('\n').length);
  });

  it('leaves commas and comment markers inside strings alone', () => {
    expect(normalizeForParser("select '--, from', a from t", 'snowflake')).toBe("select '--, from', a from t");
  });
});
