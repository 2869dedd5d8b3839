/**
 * The fallback when a template cannot be rendered: find `ref(...)` and `source(...)` calls whose
 * arguments are string literals, as dbt's static parser does, so the node still has parents.
 */
import type { RefCall, SourceCall } from '../types.js';

const STRING = String.raw`(?:'([^'\\]*(?:\\.[^'\\]*)*)'|"([^"\\]*(?:\\.[^"\\]*)*)")`;
const KWARG = String.raw`\s*,\s*(?:version|v)\s*=\s*(?:${STRING}|(\d+(?:\.\d+)?))`;
const REF = new RegExp(String.raw`\bref\s*\(\s*${STRING}(?:\s*,\s*${STRING})?(?:${KWARG})?\s*\)`, 'g');
const SOURCE = new RegExp(String.raw`\bsource\s*\(\s*${STRING}\s*,\s*${STRING}\s*\)`, 'g');

/** Only code inside `{{ }}` / `{% %}` counts; Jinja comments are skipped. */
function jinjaCode(template: string): string {
  const parts: string[] = [];
  const re = /\{\{([\s\S]*?)\}\}|\{%([\s\S]*?)%\}|\{#[\s\S]*?#\}/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(template)) !== null) {
    const code = m[1] ?? m[2];
    if (code !== undefined) parts.push(code);
  }
  return parts.join('\n');
}

export function staticScan(template: string): { refs: RefCall[]; sources: SourceCall[] } {
  const code = jinjaCode(template);
  const refs: RefCall[] = [];
  const sources: SourceCall[] = [];
  const seen = new Set<string>();
  for (const m of code.matchAll(REF)) {
    const first = m[1] ?? m[2];
    const second = m[3] ?? m[4];
    const versionText = m[5] ?? m[6] ?? m[7];
    const name = second ?? first;
    const pkg = second !== undefined ? first : null;
    const version = versionText === undefined ? null : m[7] !== undefined ? Number(versionText) : versionText;
    const key = JSON.stringify([name, pkg, version]);
    if (seen.has(key)) continue;
    seen.add(key);
    refs.push({ name, package: pkg, version });
  }
  for (const m of code.matchAll(SOURCE)) {
    const pair: SourceCall = [m[1] ?? m[2], m[3] ?? m[4]];
    const key = JSON.stringify(pair);
    if (seen.has(key)) continue;
    seen.add(key);
    sources.push(pair);
  }
  return { refs, sources };
}
