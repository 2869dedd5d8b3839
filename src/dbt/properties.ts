import type { ProjectFile } from './files.js';
import type { ColumnInfo, Constraint, Problem } from './types.js';
import { asRecord, asString, asStringList, isRecord, parseYaml } from './yaml.js';

/**
 * The entries of YAML property files (`models:`, `sources:`, `exposures:`, …), grouped by section
 * and located (file and line) so that later steps can attach them and report problems precisely.
 */

export interface PropertyEntry {
  /** The YAML section it came from (`models`, `seeds`, `sources`, `exposures`, …). */
  section: string;
  name: string;
  entry: Record<string, unknown>;
  file: ProjectFile;
  package_name: string;
  line?: number;
}

export const NODE_SECTIONS = ['models', 'seeds', 'snapshots', 'analyses'] as const;
const OTHER_SECTIONS: Record<string, string> = {
  semantic_models: 'semantic_model',
  metrics: 'metric',
  saved_queries: 'saved_query',
  unit_tests: 'unit_test',
};
const KNOWN_SECTIONS = new Set([...NODE_SECTIONS, 'sources', 'exposures', 'groups', 'macros', 'version', 'data_tests', 'functions', ...Object.keys(OTHER_SECTIONS)]);

export function otherResourceType(section: string): string | undefined {
  return OTHER_SECTIONS[section];
}

export function parsePropertyFile(file: ProjectFile, package_name: string, problems: Problem[]): PropertyEntry[] {
  const parsed = parseYaml(file.text);
  if (parsed.error) {
    problems.push({ file: file.original_file_path, line: parsed.error.line, message: `not valid YAML: ${parsed.error.message}`, severity: 'error' });
    return [];
  }
  if (parsed.value === null) return [];
  if (!isRecord(parsed.value)) {
    problems.push({ file: file.original_file_path, line: 1, message: 'a property file must be a mapping of sections (models:, sources:, …)', severity: 'error' });
    return [];
  }
  const out: PropertyEntry[] = [];
  const lines = nameLines(file.text);
  for (const [section, list] of Object.entries(parsed.value)) {
    if (!KNOWN_SECTIONS.has(section)) {
      problems.push({ file: file.original_file_path, message: `unknown section \`${section}\` ignored`, severity: 'warning' });
      continue;
    }
    if (section === 'version' || list === null || list === undefined) continue;
    if (!Array.isArray(list)) {
      problems.push({ file: file.original_file_path, message: `\`${section}\` must be a list`, severity: 'error' });
      continue;
    }
    const sectionLine = lines.sections.get(section) ?? 0;
    for (const item of list) {
      const entry = asRecord(item);
      const name = asString(entry.name);
      if (!name) {
        problems.push({ file: file.original_file_path, message: `an entry under \`${section}\` has no name`, severity: 'error' });
        continue;
      }
      const line = lines.names.get(name)?.find((l) => l > sectionLine);
      out.push({ section, name, entry, file, package_name, line });
    }
  }
  return out;
}

function constraints(value: unknown): Constraint[] {
  if (!Array.isArray(value)) return [];
  return value.filter(isRecord).map((c) => ({ ...c, type: String(c.type ?? '') }));
}

/** Column configs may sit at the top of a column or under its `config:` (dbt ≥1.10). */
export function columnInfo(raw: Record<string, unknown>): ColumnInfo {
  const config = asRecord(raw.config);
  return {
    name: String(raw.name),
    description: asString(raw.description) ?? '',
    data_type: asString(raw.data_type) ?? null,
    meta: { ...asRecord(raw.meta), ...asRecord(config.meta) },
    tags: [...new Set([...asStringList(raw.tags), ...asStringList(config.tags)])],
    constraints: constraints(raw.constraints),
    quote: typeof raw.quote === 'boolean' ? raw.quote : null,
  };
}

export function columnsOf(list: unknown): Record<string, ColumnInfo> {
  const out: Record<string, ColumnInfo> = {};
  if (!Array.isArray(list)) return out;
  for (const c of list) if (isRecord(c) && c.name !== undefined && c.name !== null) out[String(c.name)] = columnInfo(c);
  return out;
}

/** The column entries that apply to one version of a model: include/exclude of the top-level ones, then its own. */
export function versionColumns(modelColumns: unknown, versionColumnsRaw: unknown): Record<string, unknown>[] {
  const base = Array.isArray(modelColumns) ? modelColumns.filter(isRecord) : [];
  if (!Array.isArray(versionColumnsRaw)) return base;
  let include: 'all' | string[] = 'all';
  let exclude: string[] = [];
  const own: Record<string, unknown>[] = [];
  for (const c of versionColumnsRaw) {
    if (!isRecord(c)) continue;
    if (c.include !== undefined) {
      include = c.include === 'all' || c.include === '*' ? 'all' : asStringList(c.include);
      exclude = asStringList(c.exclude);
    } else if (c.name !== undefined) own.push(c);
  }
  const ownNames = new Set(own.map((c) => String(c.name)));
  const kept = base.filter((c) => {
    const n = String(c.name);
    if (ownNames.has(n) || exclude.includes(n)) return false;
    return include === 'all' || include.includes(n);
  });
  return [...kept, ...own];
}

/** `tests:` and `data_tests:` together (dbt ≥1.8 accepts both spellings). */
export function testEntries(raw: Record<string, unknown>): unknown[] {
  const a = Array.isArray(raw.data_tests) ? raw.data_tests : [];
  const b = Array.isArray(raw.tests) ? raw.tests : [];
  return [...a, ...b];
}

/** Lines of top-level sections and of `name:` entries, found in one pass to locate entries for messages. */
function nameLines(text: string): { sections: Map<string, number>; names: Map<string, number[]> } {
  const sections = new Map<string, number>();
  const names = new Map<string, number[]>();
  const all = text.split('\n');
  for (let i = 0; i < all.length; i++) {
    const line = all[i];
    const section = /^([A-Za-z_]+)\s*:/.exec(line);
    if (section && !sections.has(section[1])) sections.set(section[1], i + 1);
    const name = /^\s*-?\s*name:\s*["']?([^"'#]*?)["']?\s*(?:#.*)?$/.exec(line);
    if (name) {
      const list = names.get(name[1]);
      if (list) list.push(i + 1);
      else names.set(name[1], [i + 1]);
    }
  }
  return { sections, names };
}
