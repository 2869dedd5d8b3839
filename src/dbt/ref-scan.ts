import type { RefCall, SourceCall } from './types.js';

/**
 * Finds literal `ref(...)` and `source(...)` calls in short texts that dbt renders only to collect
 * them (exposure depends_on, test arguments such as relationships' `to`, Python models'
 * `dbt.ref`). Calls with non-literal arguments are not found, which is why SQL goes through the renderer.
 */

const STR = `(?:'([^']*)'|"([^"]*)")`;
const REF = new RegExp(`(?<![\\w])ref\\s*\\(\\s*${STR}(?:\\s*,\\s*${STR})?((?:\\s*,\\s*(?:v|version)\\s*=\\s*(?:'[^']*'|"[^"]*"|[\\w.]+))?)\\s*\\)`, 'g');
const SOURCE = new RegExp(`(?<![\\w])source\\s*\\(\\s*${STR}\\s*,\\s*${STR}\\s*\\)`, 'g');

export interface ScanResult {
  refs: RefCall[];
  sources: SourceCall[];
}

export function scanRefsAndSources(text: string): ScanResult {
  const refs: RefCall[] = [];
  const sources: SourceCall[] = [];
  let m: RegExpExecArray | null;
  REF.lastIndex = 0;
  while ((m = REF.exec(text)) !== null) {
    const first = m[1] ?? m[2];
    const second = m[3] ?? m[4];
    const ref: RefCall = second !== undefined ? { name: second, package: first } : { name: first };
    const v = /=\s*(?:'([^']*)'|"([^"]*)"|([\w.]+))/.exec(m[5] ?? '');
    if (v) {
      const raw = v[1] ?? v[2] ?? v[3];
      ref.version = /^\d+$/.test(raw) && v[3] !== undefined ? Number(raw) : raw;
    }
    refs.push(ref);
  }
  SOURCE.lastIndex = 0;
  while ((m = SOURCE.exec(text)) !== null) sources.push([m[1] ?? m[2], m[3] ?? m[4]]);
  return { refs, sources };
}
