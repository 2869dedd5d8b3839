/**
 * Finds top-level Jinja blocks in a file (`{% macro %}`, `{% test %}`, `{% materialization %}`,
 * `{% snapshot %}`) without rendering it, the way dbt's block lexer splits macro and snapshot files.
 */

export type BlockKind = 'macro' | 'test' | 'materialization' | 'snapshot';

export interface JinjaBlock {
  kind: BlockKind;
  /** For macros and tests the declared name; materializations become `materialization_<name>_<adapter>`. */
  name: string;
  /** The declared argument names. */
  args: string[];
  /** The whole block, from `{%` of the opening tag to `%}` of the closing tag. */
  text: string;
  /** The text between the opening and closing tags. */
  body: string;
  /** 1-based line of the opening tag; `bodyLine` of the first body character. */
  line: number;
  bodyLine: number;
}

export interface BlockProblem {
  line: number;
  message: string;
}

const OPEN = /\{%-?\s*(macro|test|materialization|snapshot)\s+([A-Za-z_][A-Za-z0-9_]*)\s*([\s\S]*?)-?%\}/g;

/** Replaces `{# … #}` comments by spaces (keeping newlines) so that offsets and lines stay the same. */
export function blankComments(text: string): string {
  return text.replace(/\{#[\s\S]*?#\}/g, (m) => m.replace(/[^\n]/g, ' '));
}

function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

/** Splits `a, b=1, c="x,y"` into argument names, respecting nesting and quotes. */
export function argumentNames(signature: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quote: string | null = null;
  let current = '';
  for (const c of signature) {
    if (quote) {
      if (c === quote) quote = null;
      current += c;
      continue;
    }
    if (c === '"' || c === "'") quote = c;
    else if ('([{'.includes(c)) depth++;
    else if (')]}'.includes(c)) depth--;
    if (c === ',' && depth === 0) {
      parts.push(current);
      current = '';
    } else current += c;
  }
  parts.push(current);
  return parts
    .map((p) => p.split('=')[0].trim().replace(/^\*+/, ''))
    .filter((p) => /^[A-Za-z_][A-Za-z0-9_]*$/.test(p));
}

export function extractBlocks(text: string, kinds: BlockKind[]): { blocks: JinjaBlock[]; problems: BlockProblem[] } {
  const scan = blankComments(text);
  const blocks: JinjaBlock[] = [];
  const problems: BlockProblem[] = [];
  OPEN.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = OPEN.exec(scan)) !== null) {
    const kind = m[1] as BlockKind;
    const start = m.index;
    const openEnd = OPEN.lastIndex;
    const close = new RegExp(`\\{%-?\\s*end${kind}\\s*-?%\\}`, 'g');
    close.lastIndex = openEnd;
    const c = close.exec(scan);
    if (!c) {
      problems.push({ line: lineAt(text, start), message: `{% ${kind} ${m[2]} %} has no matching {% end${kind} %}` });
      break;
    }
    OPEN.lastIndex = close.lastIndex;
    if (!kinds.includes(kind)) continue;
    let name = m[2];
    let args: string[] = [];
    const rest = m[3].trim();
    if (kind === 'materialization') {
      const adapter = /adapter\s*=\s*['"]([^'"]+)['"]/.exec(rest)?.[1] ?? 'default';
      name = `materialization_${name}_${adapter}`;
    } else if (rest.startsWith('(')) {
      args = argumentNames(rest.slice(1, rest.lastIndexOf(')')));
    }
    blocks.push({
      kind,
      name,
      args,
      text: text.slice(start, close.lastIndex),
      body: text.slice(openEnd, c.index),
      line: lineAt(text, start),
      bodyLine: lineAt(text, openEnd),
    });
  }
  return { blocks, problems };
}

/** Macros a macro body calls, as `name` or `package.name` (resolved later against known macros). */
export function calledNames(body: string): string[] {
  const found = new Set<string>();
  const re = /(?<![\w.])([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)?)\s*\(/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(body)) !== null) found.add(m[1]);
  // adapter.dispatch('x', 'pkg') ends in pkg's default__x (adapter-specific versions are resolved when rendering).
  const dispatch = /adapter\.dispatch\s*\(\s*['"]([A-Za-z_][A-Za-z0-9_]*)['"](?:\s*,\s*(?:macro_namespace\s*=\s*)?['"]([A-Za-z_][A-Za-z0-9_]*)['"])?/g;
  while ((m = dispatch.exec(body)) !== null) found.add(m[2] ? `${m[2]}.default__${m[1]}` : `default__${m[1]}`);
  return [...found];
}
