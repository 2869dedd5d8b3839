/**
 * Source rewrites for Jinja syntax nunjucks cannot parse, done on the text so that line numbers
 * stay where the user wrote them (every rewrite keeps the newlines it covers).
 */

/**
 * `{% set ns.attr = value %}` (Jinja namespaces) becomes `{% do __setattr__(ns, "attr", value) %}`:
 * nunjucks' `set` only accepts plain names.
 */
function rewriteAttributeSets(text: string): string {
  const opener = /\{%(-?)(\s*)set\s+([A-Za-z_]\w*)\.([A-Za-z_]\w*)\s*=(?!=)/g;
  if (!opener.test(text)) return text;
  opener.lastIndex = 0;
  let out = '';
  let pos = 0;
  let m: RegExpExecArray | null;
  while ((m = opener.exec(text)) !== null) {
    const close = text.indexOf('%}', opener.lastIndex);
    if (close < 0) break;
    const trimRight = text[close - 1] === '-';
    const exprEnd = trimRight ? close - 1 : close;
    const expr = text.slice(opener.lastIndex, exprEnd);
    out += text.slice(pos, m.index);
    out += `{%${m[1]}${m[2]}do __setattr__(${m[3]}, "${m[4]}", ${expr})${trimRight ? '-' : ''}%}`;
    pos = close + 2;
    opener.lastIndex = pos;
  }
  return out + text.slice(pos);
}

/**
 * nunjucks' lexer ends a tag at the first `}}` even inside `{% %}`, so a nested dict literal
 * (`{% set x = {'a': {'b': 1}} %}`) breaks; a space between the braces means the same in Jinja.
 */
function splitClosingBraces(text: string): string {
  if (!text.includes('}}')) return text;
  return text.replace(/\{%[\s\S]*?%\}/g, (tag) => (tag.includes('}}') ? tag.replace(/\}\}/g, '} }') : tag));
}

/** `f(a, **kwargs)` becomes `f(a, __splat__=kwargs)`; the callee expands it (python.ts expandSplat). */
function rewriteSplats(text: string): string {
  return text.includes('**') ? text.replace(/([,(]\s*)\*\*\s*([A-Za-z_][\w.]*)(\s*\))/g, '$1__splat__=$2$3') : text;
}

/**
 * Jinja accepts a trailing comma in list, dict and call literals (`['a', 'b',]`, `config({...,})`);
 * nunjucks does not. Inside tags only, and outside string literals, such commas become spaces.
 */
export function dropTrailingCommas(text: string): string {
  if (!/,\s*[\])}]/.test(text)) return text;
  const out = text.split('');
  let i = 0;
  while (i < text.length) {
    const open = text.indexOf('{', i);
    if (open < 0) break;
    const kind = text[open + 1];
    if (kind !== '{' && kind !== '%') {
      i = open + 1;
      continue;
    }
    let depth = 0;
    let quote: string | null = null;
    let j = open + 2;
    for (; j < text.length; j++) {
      const c = text[j];
      if (quote) {
        if (c === '\\') j++;
        else if (c === quote) quote = null;
        continue;
      }
      if (c === "'" || c === '"') quote = c;
      else if (c === '{' || c === '[' || c === '(') depth++;
      else if ((c === '}' || c === ']' || c === ')') && depth > 0) depth--;
      else if (depth === 0 && ((kind === '{' && c === '}' && text[j + 1] === '}') || (kind === '%' && c === '%' && text[j + 1] === '}'))) break;
      else if (c === ',') {
        let k = j + 1;
        while (k < text.length && /\s/.test(text[k])) k++;
        if (text[k] === ']' || text[k] === ')' || (text[k] === '}' && depth > 0)) out[j] = ' ';
      }
    }
    i = j + 2;
  }
  return out.join('');
}

export function prepareTemplate(text: string): string {
  const withSets = text.includes('set') ? rewriteAttributeSets(text) : text;
  return splitClosingBraces(rewriteSplats(dropTrailingCommas(withSets)));
}

/** What a macro's source compiles to: the name the compiled template exports it under. */
export interface PreparedMacro {
  text: string;
  exportName: string | null;
}

/**
 * Turns one macro's `macro_sql` into a template that defines it. `{% test x %}` blocks become
 * `test_x` macros; macros whose names start with `_` (which nunjucks would not export) are renamed.
 */
export function prepareMacro(macroSql: string): PreparedMacro {
  let text = macroSql
    .replace(/\{%(-?)(\s*)test\s+([A-Za-z_]\w*)/, '{%$1$2macro test_$3')
    .replace(/\{%(-?)(\s*)endtest(\s*-?)%\}/g, '{%$1$2endmacro$3%}');
  const header = /\{%-?\s*macro\s+([A-Za-z_]\w*)/.exec(text);
  if (!header) return { text: prepareTemplate(text), exportName: null };
  let exportName = header[1];
  if (exportName.startsWith('_')) {
    const renamed = `private${exportName}`;
    text = text.slice(0, header.index) + header[0].replace(exportName, renamed) + text.slice(header.index + header[0].length);
    exportName = renamed;
  }
  return { text: prepareTemplate(text), exportName };
}
