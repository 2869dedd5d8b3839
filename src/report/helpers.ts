/**
 * Handlebars helpers and partials for the review templates, registered once on the shared
 * instance from templates.ts. Templates compile with noEscape (markdown is not HTML), so every
 * user-controlled string goes through `text`, `cell` or `code`.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { timesOfDay } from '../cost/schedule.js';
import { handlebars, templatesDir } from './templates.js';
import {
  cellCode,
  countWord,
  escapeCell,
  escapeText,
  formatInteger,
  formatNumber,
  formatPercent,
  formatPoints,
  formatSeconds,
  formatShare,
  formatSignedPercent,
  formatSignedUsd,
  formatUsd,
  humanList,
  inlineCode,
  quoteValue,
  teamName,
  toNumber,
} from './format.js';

let registered = false;

function partialFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) out.push(...partialFiles(path));
    else if (entry.endsWith('.hbs')) out.push(path);
  }
  return out;
}

/** Handlebars passes an options object last; helpers with optional arguments must drop it. */
function args(list: unknown[]): unknown[] {
  return list.slice(0, -1);
}

const isMoney = (column: unknown) => typeof column === 'string' && /(revenue|amount|price|cost|usd|dollar|sales|spend|gmv|mrr|arr)/i.test(column);

export function registerReportHelpers(): typeof handlebars {
  if (registered) return handlebars;
  const h = handlebars;
  h.registerHelper('num', (...a: unknown[]) => {
    const [v, digits] = args(a);
    return formatNumber(v, toNumber(digits) ?? 2);
  });
  h.registerHelper('inc', (v: unknown) => (toNumber(v) ?? 0) + 1);
  h.registerHelper('add', (a: unknown, b: unknown) => (toNumber(a) ?? 0) + (toNumber(b) ?? 0));
  h.registerHelper('short', (v: unknown) => String(v ?? '').slice(0, 7));
  h.registerHelper('int', (v: unknown) => formatInteger(v));
  h.registerHelper('usd', (v: unknown) => formatUsd(v));
  h.registerHelper('signedUsd', (v: unknown) => formatSignedUsd(v));
  h.registerHelper('share', (v: unknown) => formatShare(v));
  h.registerHelper('pct', (v: unknown) => formatPercent(v));
  h.registerHelper('signedPct', (v: unknown) => formatSignedPercent(v));
  h.registerHelper('pts', (v: unknown) => formatPoints(v));
  h.registerHelper('ptsAbs', (v: unknown) => formatPoints(v, false));
  h.registerHelper('secs', (v: unknown) => formatSeconds(v));
  /** A column's total: as money when its name says it is money (revenue, amount, …). */
  h.registerHelper('amount', (v: unknown, column: unknown) => (isMoney(column) ? formatUsd(v) : formatNumber(v)));
  h.registerHelper('text', (v: unknown) => escapeText(v));
  h.registerHelper('cell', (v: unknown) => escapeCell(v));
  h.registerHelper('code', (v: unknown) => inlineCode(v));
  h.registerHelper('cellCode', (v: unknown) => cellCode(v));
  h.registerHelper('quote', (v: unknown) => quoteValue(v));
  h.registerHelper('team', (v: unknown) => teamName(String(v ?? '')));
  h.registerHelper('words', (v: unknown) => countWord(v));
  h.registerHelper('list', (v: unknown) => (Array.isArray(v) ? humanList(v.map(escapeText)) : ''));
  /** `a`, `b` and `c`; past `max` items (default 10) "… and N more". */
  h.registerHelper('codeList', (...a: unknown[]) => {
    const [v, max] = args(a);
    if (!Array.isArray(v)) return '';
    const limit = toNumber(max) ?? 10;
    const shown = v.slice(0, limit).map(inlineCode);
    return v.length > limit ? `${shown.join(', ')} … and ${formatInteger(v.length - limit)} more` : humanList(shown);
  });
  /** Only http(s) links, with characters that would end a markdown link encoded. */
  h.registerHelper('url', (v: unknown) => {
    const s = typeof v === 'string' ? v.trim() : '';
    return /^https?:\/\//i.test(s) ? s.replace(/[\s()<>\[\]"']/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`) : '';
  });
  h.registerHelper('cronTimes', (v: unknown) => (typeof v === 'string' ? (timesOfDay(v)?.join(', ') ?? null) : null));
  h.registerHelper('isDaily', (v: unknown) => {
    const f = typeof v === 'string' ? v.trim().split(/\s+/) : [];
    return f.length === 5 && f[2] === '*' && f[3] === '*' && f[4] === '*';
  });
  h.registerHelper('plural', (n: unknown, one: unknown, many: unknown) => (toNumber(n) === 1 ? String(one) : String(many)));
  h.registerHelper('gt', (a: unknown, b: unknown) => (toNumber(a) ?? 0) > (toNumber(b) ?? 0));
  h.registerHelper('lt', (a: unknown, b: unknown) => (toNumber(a) ?? 0) < (toNumber(b) ?? 0));
  h.registerHelper('neg', (a: unknown) => (toNumber(a) ?? 0) < 0);
  h.registerHelper('abs', (a: unknown) => Math.abs(toNumber(a) ?? 0));
  h.registerHelper('len', (a: unknown) => (Array.isArray(a) ? a.length : 0));
  h.registerHelper('or', (...a: unknown[]) => args(a).some(Boolean));
  h.registerHelper('and', (...a: unknown[]) => args(a).every(Boolean));
  h.registerHelper('not', (a: unknown) => !a);
  h.registerHelper('ne', (a: unknown, b: unknown) => a !== b);
  h.registerHelper('isArray', (a: unknown) => Array.isArray(a));
  h.registerHelper('first', (a: unknown) => (Array.isArray(a) ? a[0] : undefined));
  /** The partial `<folder>/<key>` when the templates have one, else `<folder>/_default`. */
  h.registerHelper('partialFor', (folder: unknown, key: unknown) => {
    const name = `${String(folder)}/${String(key)}`;
    return h.partials[name] ? name : `${String(folder)}/_default`;
  });
  h.registerHelper('json', (v: unknown) => JSON.stringify(v));
  /** A semantic SQL change's phrase in words (plain text: wrap it in `text` for markdown). */
  const plainPartial = (name: string) => (context: unknown) => {
    const partial = h.partials[name];
    return typeof partial === 'function' ? String((partial as (context: unknown) => unknown)(context)) : '';
  };
  h.registerHelper('semanticSummary', plainPartial('semantic/change'));
  /** A new model's SELECT described (plain text: wrap it in `text` for markdown). */
  h.registerHelper('selectDescription', plainPartial('semantic/description'));

  const root = join(templatesDir, 'partials');
  for (const file of partialFiles(root)) {
    const name = relative(root, file).replace(/\\/g, '/').replace(/\.hbs$/, '');
    // One-line partials (findings, labels) compose inline, so their file's final newline is not
    // part of them; section partials are blocks and keep it.
    const text = readFileSync(file, 'utf8');
    h.registerPartial(name, h.compile(name.startsWith('sections/') ? text : text.replace(/\r?\n$/, ''), { noEscape: true }));
  }
  registered = true;
  return h;
}
