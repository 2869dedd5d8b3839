import type { Renderer, RenderTarget } from './render/types.js';
import type { DbtNode, Problem, Target } from './types.js';
import { isRecord } from './yaml.js';

/** Rendering of YAML and config values, turning failures into Problems instead of throwing. */

export function safeRenderValue(renderer: Renderer, value: unknown, pkg: string | undefined, file: string, problems: Problem[]): unknown {
  try {
    return renderer.renderValue(value, pkg ? { package_name: pkg } : undefined);
  } catch (err) {
    problems.push({ file, message: `could not render \`${String(value)}\`: ${err instanceof Error ? err.message : String(err)}`, severity: 'error' });
    return value;
  }
}

/** Renders Jinja inside a YAML value, leaf by leaf, so one bad leaf does not lose the rest. */
export function renderDeep(renderer: Renderer, value: unknown, pkg: string, file: string, problems: Problem[]): Record<string, unknown> {
  const walk = (v: unknown, key: string): unknown => {
    if (/^(pre|post)[-_]hook$/.test(key)) return v;
    if (Array.isArray(v)) return v.map((x) => walk(x, ''));
    if (isRecord(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x, k)]));
    return typeof v === 'string' && v.includes('{') ? safeRenderValue(renderer, v, pkg, file, problems) : v;
  };
  const out = walk(value, '');
  return isRecord(out) ? out : {};
}

export function renderTargetFor(node: DbtNode, target: Target): RenderTarget {
  return {
    unique_id: node.unique_id,
    name: node.name,
    package_name: node.package_name,
    resource_type: node.resource_type,
    original_file_path: node.original_file_path,
    database: node.database ?? target.database,
    schema: node.schema || target.schema,
    alias: node.alias,
    config: node.config,
  };
}

/** Copies what dbt mirrors from config onto the node itself. */
export function finishNode(node: DbtNode): void {
  const c = node.config;
  node.tags = [...new Set([...node.tags, ...c.tags])];
  if (node.resource_type === 'test') node.tags.sort();
  node.meta = c.meta;
  node.group = c.group ?? null;
  if (node.resource_type === 'model') {
    const access = c.access;
    node.access = access === 'private' || access === 'public' || access === 'protected' ? access : 'protected';
  }
  node.contract = c.contract ? { enforced: c.contract.enforced, alias_types: c.contract.alias_types ?? true } : { enforced: false, alias_types: true };
}
