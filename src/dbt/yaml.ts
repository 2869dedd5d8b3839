import { parse, YAMLError } from 'yaml';

/** The outcome of reading one YAML file: its value (null for empty or comment-only files) or why not. */
export interface YamlResult {
  value: unknown;
  error?: { message: string; line?: number };
}

/**
 * Parses YAML the way dbt's PyYAML does in practice: duplicate keys are allowed (the last wins)
 * and flow sequences whose continuation lines are indented less than the yaml package wants
 * (PyYAML accepts them) are re-indented before a second attempt. Only leading whitespace is changed,
 * so line numbers in messages stay true.
 */
export function parseYaml(text: string): YamlResult {
  const first = tryParse(text);
  if (!first.error) return first;
  const relaxed = reindentFlowContinuations(text);
  if (relaxed !== text) {
    const second = tryParse(relaxed);
    if (!second.error) return second;
  }
  return first;
}

/**
 * How much aliasing one file may do: the yaml package weighs each alias by the aliases inside what
 * it points at, so `<<: *defaults` used thousands of times passes while an anchor bomb (aliases of
 * aliases, a "billion laughs") is refused before it is expanded.
 */
export const MAX_ALIAS_COUNT = 10_000;

function tryParse(text: string): YamlResult {
  try {
    // `parse` skips building a Document's node tree twice; it throws the first error.
    return { value: parse(text, { uniqueKeys: false, prettyErrors: false, merge: true, logLevel: 'error', maxAliasCount: MAX_ALIAS_COUNT }) ?? null };
  } catch (err) {
    if (err instanceof ReferenceError && /alias/i.test(err.message)) {
      return { value: null, error: { message: `too many aliases (${err.message.replace(/\.$/, '')}): anchors that expand to more than ${MAX_ALIAS_COUNT} nodes are refused`, line: firstAliasLine(text) } };
    }
    if (!(err instanceof YAMLError)) throw err;
    const line = err.linePos?.[0]?.line ?? lineOfOffset(text, err.pos?.[0]);
    const message = err.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
    return { value: null, error: { message, line } };
  }
}

/** The line of the first alias (`*name`) outside quotes and comments, where an anchor bomb starts expanding. */
function firstAliasLine(text: string): number | undefined {
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const code = lines[i].replace(/(["'])(?:(?!\1).)*\1/g, '').replace(/(^|\s)#.*$/, '');
    if (/(^|[\s[{,:-])\*[^\s,\]}]+/.test(code)) return i + 1;
  }
  return undefined;
}

function lineOfOffset(text: string, offset: number | undefined): number | undefined {
  if (offset === undefined) return undefined;
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

/** Indents lines that continue an open `[`/`{` past the indentation of the line that opened it. */
export function reindentFlowContinuations(text: string): string {
  const lines = text.split('\n');
  let depth = 0;
  let openerIndent = 0;
  let changed = false;
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i];
    const indent = line.length - line.trimStart().length;
    if (depth > 0 && line.trim() !== '') {
      const wanted = openerIndent + 2;
      if (indent < wanted) {
        line = ' '.repeat(wanted) + line.trimStart();
        lines[i] = line;
        changed = true;
      }
    } else if (depth === 0) {
      openerIndent = indent;
    }
    depth = Math.max(0, depth + flowDelta(line));
  }
  return changed ? lines.join('\n') : text;
}

/** Net change of flow-collection depth on one line, ignoring quoted text and comments. */
function flowDelta(line: string): number {
  let delta = 0;
  let quote: string | null = null;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quote) {
      if (c === quote) quote = null;
      continue;
    }
    if (c === '"' || c === "'") {
      // A quote only opens a scalar at a token start; `it's` inside plain text is not one.
      const prev = i === 0 ? ' ' : line[i - 1];
      if (/[\s[{,:]/.test(prev)) quote = c;
    } else if (c === '#' && (i === 0 || /\s/.test(line[i - 1]))) break;
    else if (c === '[' || c === '{') delta++;
    else if (c === ']' || c === '}') delta--;
  }
  return delta;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function asRecord(value: unknown): Record<string, unknown> {
  return isRecord(value) ? value : {};
}

export function asString(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

export function asStringList(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.filter((v) => v !== null && v !== undefined).map((v) => String(v));
  return [];
}
