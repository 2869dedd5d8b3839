import picomatch from 'picomatch';
import type { DbtNode, Exposure, GraphMember, Project, SourceDefinition } from './types.js';
import { downstream, upstream } from './walk.js';

/**
 * dbt's node selection syntax (`--select` / `--exclude`), evaluated on a Project:
 * space-separated criteria are a union, comma-joined ones an intersection; each criterion is
 * `[@][N+][method:]value[+N]`. Selected ids can be nodes, sources and exposures, as in dbt.
 */

export class SelectorError extends Error {
  constructor(
    readonly selector: string,
    detail: string,
  ) {
    super(`invalid selector "${selector}": ${detail}`);
    this.name = 'SelectorError';
  }
}

export interface SelectOptions {
  /**
   * dbt's indirect selection of tests: `eager` (default) adds every test that is a direct child of a
   * selected node; `cautious` only tests whose parents are all selected; `buildable` those whose
   * parents are selected or upstream of the selection; `empty` adds none.
   */
  indirectSelection?: 'eager' | 'cautious' | 'buildable' | 'empty';
}

interface Criterion {
  raw: string;
  childrensParents: boolean;
  parents: boolean;
  parentsDepth?: number;
  children: boolean;
  childrenDepth?: number;
  method: string;
  value: string;
}

const CRITERION = /^(@)?(?:(\d*)\+)?(?:([\w.]+):)?(.*?)(?:\+(\d*))?$/;

export const SELECTOR_METHODS = [
  'fqn', 'tag', 'path', 'file', 'package', 'source', 'exposure', 'resource_type', 'test_type',
  'test_name', 'group', 'access', 'config', 'version',
] as const;

/** Ids matching `selector`. An empty selector selects nothing. */
export function select(project: Project, selector: string, options: SelectOptions = {}): Set<string> {
  const result = new Set<string>();
  for (const group of selector.trim().split(/\s+/).filter(Boolean)) {
    let acc: Set<string> | undefined;
    for (const part of group.split(',').filter(Boolean)) {
      const ids = evalCriterion(project, parseCriterion(part));
      acc = acc ? new Set([...acc].filter((id) => ids.has(id))) : ids;
    }
    for (const id of acc ?? []) result.add(id);
  }
  return expandIndirect(project, result, options.indirectSelection ?? 'eager');
}

/** `selected` minus whatever `selector` selects (with the same indirect test selection as dbt). */
export function exclude(project: Project, selected: Iterable<string>, selector: string, options: SelectOptions = {}): Set<string> {
  const drop = select(project, selector, options);
  return new Set([...selected].filter((id) => !drop.has(id)));
}

export function parseCriterion(raw: string): Criterion {
  const m = CRITERION.exec(raw);
  if (!m || (m[4] === '' && !m[3])) throw new SelectorError(raw, 'expected [@][N+][method:]value[+N]');
  const [, at, parentsDepth, method, value, childrenDepth] = m;
  const parents = raw.slice(at ? 1 : 0).match(/^\d*\+/) !== null;
  const children = /\+\d*$/.test(raw);
  if (at && parents) throw new SelectorError(raw, '"@" cannot be combined with a leading "+"');
  if (!value) throw new SelectorError(raw, 'empty value');
  return {
    raw,
    childrensParents: Boolean(at),
    parents,
    parentsDepth: parentsDepth ? Number(parentsDepth) : undefined,
    children,
    childrenDepth: childrenDepth ? Number(childrenDepth) : undefined,
    method: method ?? 'default',
    value,
  };
}

function evalCriterion(project: Project, c: Criterion): Set<string> {
  const base = new Set<string>();
  const match = matcher(project, c);
  for (const m of members(project)) if (match(m)) base.add(m.unique_id);
  const out = new Set(base);
  if (c.childrensParents) {
    const down = [...base, ...downstream(project, base).keys()];
    for (const id of down) out.add(id);
    for (const id of upstream(project, down).keys()) out.add(id);
    return out;
  }
  if (c.parents) for (const id of upstream(project, base, c.parentsDepth).keys()) out.add(id);
  if (c.children) for (const id of downstream(project, base, c.childrenDepth).keys()) out.add(id);
  return out;
}

function members(project: Project): GraphMember[] {
  return [...Object.values(project.nodes), ...Object.values(project.sources), ...Object.values(project.exposures)];
}

type Match = (m: GraphMember) => boolean;

function glob(pattern: string): (s: string) => boolean {
  if (!/[*?[\]]/.test(pattern)) return (s) => s === pattern;
  return picomatch(pattern, { dot: true, nobrace: true, noextglob: true });
}

function isNode(m: GraphMember): m is DbtNode {
  return m.resource_type !== 'source' && m.resource_type !== 'exposure';
}

function matcher(project: Project, c: Criterion): Match {
  const { method, value } = c;
  if (method === 'default') {
    // dbt reads a value with a path separator or a file extension as a path, anything else as an fqn.
    return /[/\\]/.test(value) || /\.(sql|py|csv|yml|yaml)$/.test(value) ? pathMatcher(value) : fqnMatcher(value);
  }
  if (method === 'fqn') return fqnMatcher(value);
  if (method === 'path') return pathMatcher(value);
  if (method === 'file') {
    const g = glob(value);
    return (m) => {
      const base = m.original_file_path.split('/').pop() ?? '';
      return g(base) || g(base.replace(/\.[^.]+$/, ''));
    };
  }
  if (method === 'tag') {
    const g = glob(value);
    return (m) => m.tags.some(g) || ('config' in m && Array.isArray(m.config.tags) && m.config.tags.some((t) => typeof t === 'string' && g(t)));
  }
  if (method === 'package') {
    const g = glob(value === 'this' ? project.name : value);
    return (m) => g(m.package_name);
  }
  if (method === 'resource_type') {
    return (m) => m.resource_type === value;
  }
  if (method === 'exposure') {
    const g = glob(value);
    return (m) => m.resource_type === 'exposure' && g(m.name);
  }
  if (method === 'source') return sourceMatcher(c);
  if (method === 'test_type') {
    if (!['generic', 'singular', 'unit', 'data', 'schema'].includes(value)) throw new SelectorError(c.raw, `unknown test_type "${value}" (generic, singular)`);
    // `schema` and `data` are dbt's pre-1.5 names for generic and singular tests.
    const generic = value === 'generic' || value === 'schema';
    return (m) => isNode(m) && m.resource_type === 'test' && Boolean(m.test_metadata) === generic && value !== 'unit';
  }
  if (method === 'test_name') {
    const g = glob(value);
    return (m) => isNode(m) && m.resource_type === 'test' && Boolean(m.test_metadata && g(m.test_metadata.name));
  }
  if (method === 'group') {
    const g = glob(value);
    return (m) => isNode(m) && Boolean((m.group ?? m.config.group) && g(String(m.group ?? m.config.group)));
  }
  if (method === 'access') return (m) => isNode(m) && m.resource_type === 'model' && m.access === value;
  if (method === 'version') {
    return (m) => {
      if (!isNode(m) || m.version == null) return false;
      if (value === 'latest') return String(m.version) === String(m.latest_version);
      if (value === 'prerelease') return m.latest_version != null && Number(m.version) > Number(m.latest_version);
      if (value === 'old') return m.latest_version != null && Number(m.version) < Number(m.latest_version);
      if (value === 'none') return false;
      return String(m.version) === value;
    };
  }
  if (method.startsWith('config.')) return configMatcher(method.slice('config.'.length).split('.'), value);
  if (method === 'state' || method === 'result' || method === 'source_status') {
    throw new SelectorError(c.raw, `method "${method}" needs dbt run artifacts and is not supported; impact-review compares the PR's two trees itself`);
  }
  throw new SelectorError(c.raw, `unknown method "${method}" (known: ${SELECTOR_METHODS.join(', ')}, config.<key>)`);
}

/**
 * dbt's fqn rule: the bare model name matches; otherwise selector parts must equal the leading fqn
 * parts (dots in names split too) until the first part with a wildcard, which globs the rest
 * (`*` crosses dots, as Python's fnmatch does).
 */
function fqnMatcher(value: string): Match {
  const parts = value.split('.');
  const wildAt = parts.findIndex((p) => /[*?[\]]/.test(p));
  const rest = wildAt >= 0 ? glob(parts.slice(wildAt).join('.')) : undefined;
  return (m) => {
    // dbt's fqn method searches nodes only: a bare name never selects a source or an exposure.
    if (!isNode(m)) return false;
    const fqn = m.fqn;
    if (fqn[fqn.length - 1] === value) return true;
    // Versioned models: `name` selects every version, `name.v2` one of them.
    if (m.version != null && fqn.length >= 2) {
      if (fqn[fqn.length - 2] === value) return true;
      if (`${fqn[fqn.length - 2]}.${fqn[fqn.length - 1]}` === value) return true;
    }
    // Beyond dbt: a lone glob (`stg_*`) also matches the node name, which is what users expect.
    if (parts.length === 1 && rest && rest(fqn[fqn.length - 1])) return true;
    const flat = fqn.flatMap((s) => s.split('.'));
    if (wildAt < 0) return flat.length >= parts.length && parts.every((p, i) => flat[i] === p);
    if (!parts.slice(0, wildAt).every((p, i) => flat[i] === p)) return false;
    return rest!(flat.slice(wildAt).join('.'));
  };
}

/** A folder or file relative to the project root (or, for package members, the package root). */
function pathMatcher(value: string): Match {
  const wanted = value.replace(/\\/g, '/').replace(/^\.\//, '').replace(/\/+$/, '');
  const g = /[*?[\]]/.test(wanted) ? picomatch(wanted, { dot: true }) : undefined;
  return (m) => {
    const ofp = m.original_file_path;
    if (g) {
      // A glob names files or folders: the file or any of its parent folders may match.
      const segs = ofp.split('/');
      for (let i = segs.length; i > 0; i--) if (g(segs.slice(0, i).join('/'))) return true;
      return false;
    }
    return wanted === '' || wanted === '.' || ofp === wanted || ofp.startsWith(`${wanted}/`);
  };
}

function sourceMatcher(c: Criterion): Match {
  const parts = c.value.split('.');
  if (parts.length > 3) throw new SelectorError(c.raw, 'expected source:<source>, source:<source>.<table> or source:<package>.<source>.<table>');
  const [pkg, src, table] = parts.length === 3 ? parts : [undefined, parts[0], parts[1]];
  const gp = pkg ? glob(pkg) : undefined;
  const gs = glob(src);
  const gt = table ? glob(table) : undefined;
  return (m) => {
    if (m.resource_type !== 'source') return false;
    const s = m as SourceDefinition;
    return (!gp || gp(s.package_name)) && gs(s.source_name) && (!gt || gt(s.name));
  };
}

function configMatcher(keyPath: string[], value: string): Match {
  const g = glob(value);
  return (m) => {
    let v: unknown = (m as DbtNode | SourceDefinition | Exposure).config;
    for (const k of keyPath) v = typeof v === 'object' && v !== null ? (v as Record<string, unknown>)[k] : undefined;
    if (v === undefined || v === null) return false;
    const asText = (x: unknown) => (typeof x === 'boolean' ? String(x) : typeof x === 'object' ? JSON.stringify(x) : String(x));
    // A list config (tags, unique_key) matches when any element does, as in dbt.
    return Array.isArray(v) ? v.some((x) => g(asText(x))) : g(asText(v)) || g(asText(v).toLowerCase());
  };
}

function expandIndirect(project: Project, selected: Set<string>, mode: NonNullable<SelectOptions['indirectSelection']>): Set<string> {
  if (mode === 'empty') return selected;
  const out = new Set(selected);
  const buildable = mode === 'buildable' ? new Set([...selected, ...upstream(project, selected).keys()]) : undefined;
  for (const id of selected) {
    for (const child of project.child_map[id] ?? []) {
      const node = project.nodes[child];
      if (!node || node.resource_type !== 'test' || out.has(child)) continue;
      const parents = project.parent_map[child] ?? node.depends_on.nodes;
      const ok =
        mode === 'eager' ||
        (mode === 'cautious' && parents.every((p) => selected.has(p))) ||
        (mode === 'buildable' && parents.every((p) => buildable!.has(p)));
      if (ok) out.add(child);
    }
  }
  return out;
}
