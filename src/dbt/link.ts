import { Resolver, describeRef } from './resolve.js';
import type { RefCall, SourceCall } from './types.js';

/** Turning a node's ref()/source() calls into depends_on ids, with located messages for the ones that do not resolve. */

export interface CallMessage {
  message: string;
  severity: 'error' | 'warning';
  needle: string;
}

export function resolveCalls(resolver: Resolver, pkg: string, refs: RefCall[], sources: SourceCall[]): { ids: string[]; missing: CallMessage[]; disabled: CallMessage[] } {
  const ids: string[] = [];
  const missing: CallMessage[] = [];
  const disabled: CallMessage[] = [];
  for (const ref of refs) {
    const hit = resolver.ref(ref, pkg);
    if (hit.kind === 'found') ids.push(hit.item.unique_id);
    else if (hit.kind === 'disabled') disabled.push({ message: `${describeRef(ref)} points to ${hit.item.unique_id}, which is disabled`, severity: 'warning', needle: ref.name });
    else missing.push({ message: `${describeRef(ref)}: no model, seed or snapshot named \`${ref.name}\` was found`, severity: 'error', needle: ref.name });
  }
  for (const [s, t] of sources) {
    const hit = resolver.source(s, t, pkg);
    if (hit.kind === 'found') ids.push(hit.item.unique_id);
    else if (hit.kind === 'disabled') disabled.push({ message: `source('${s}', '${t}') points to ${hit.item.unique_id}, which is disabled`, severity: 'warning', needle: t });
    else missing.push({ message: `source('${s}', '${t}') was not found`, severity: 'error', needle: t });
  }
  return { ids: [...new Set(ids)], missing, disabled };
}

/** The 1-based line of the first ref/source call mentioning `name`, for locating a problem. */
export function lineOf(text: string, name: string, offset: number): number | undefined {
  const re = new RegExp(`(ref|source)\\s*\\([^)]*['"]${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}['"]`);
  const m = re.exec(text);
  if (!m) return undefined;
  let line = 1;
  for (let i = 0; i < m.index; i++) if (text.charCodeAt(i) === 10) line++;
  return line + offset;
}
