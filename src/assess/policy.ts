import picomatch from 'picomatch';
import type { ImpactReviewConfig, PolicyRule } from './config.js';
import type { DownstreamNode, Finding, ModelReport, RequiredApproval, Verdict } from './types.js';

/**
 * The verdict and the teams whose approval is required.
 * - NOT_SAFE: any blocker finding, or a config rule that says so.
 * - NEEDS_REVIEW: any warning, any required approval, or a rule.
 * - SAFE: nothing of the above (e.g. a comment-only change).
 * Approvals come from the owners of the affected dashboards (exposures whose impact is not
 * `unchanged`), of the changed models (meta.owner, group, tags), and from config rules; names are
 * mapped to GitHub team slugs by `owners:` in config.
 */
export interface PolicyInput {
  config: ImpactReviewConfig;
  findings: Finding[];
  models: ModelReport[];
  exposures: DownstreamNode[];
  /** Group name → owner name, from the head project. */
  groupOwners: Record<string, string | null>;
  /** Does a dbt selector pick this model? Used by rules' `when.select`. */
  selects(selector: string, uniqueId: string): boolean;
}

export interface Decision {
  verdict: Verdict;
  /** Indexes into findings, most serious first. */
  reasons: number[];
  required_approvals: RequiredApproval[];
  /** Rules that applied, by name. */
  rules_applied: string[];
}

/** A GitHub team slug from an owner's name: "Finance Team" → "finance". */
export function slugFromOwner(name: string): string {
  return name
    .toLowerCase()
    .replace(/@.*$/, '')
    .replace(/\bteam\b/g, '')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

function lookup(map: Record<string, string>, ...keys: (string | null | undefined)[]): string | undefined {
  const lowered = new Map(Object.entries(map).map(([k, v]) => [k.toLowerCase(), v]));
  for (const key of keys) {
    if (!key) continue;
    const hit = map[key] ?? lowered.get(key.toLowerCase());
    if (hit) return hit;
  }
  return undefined;
}

function ruleApplies(rule: PolicyRule, model: ModelReport, input: PolicyInput): boolean {
  const w = rule.when;
  if (w.tag && !model.tags.includes(w.tag)) return false;
  if (w.path && !picomatch.isMatch(model.original_file_path, w.path) && !model.original_file_path.startsWith(w.path)) return false;
  if (w.materialized && model.materialized !== w.materialized) return false;
  if (w.change && w.change !== 'any' && model.change.class !== w.change) return false;
  if (w.select && !input.selects(w.select, model.unique_id)) return false;
  if (w.exposure_type && !input.exposures.some((e) => e.exposure?.type === w.exposure_type && e.via.includes(model.unique_id) && e.impact !== 'unchanged')) return false;
  return true;
}

export function decide(input: PolicyInput): Decision {
  const { config, findings } = input;
  const owners = config.owners;
  const teams = new Map<string, RequiredApproval>();
  const require = (team: string | undefined, reason: RequiredApproval['reasons'][number]) => {
    if (!team) return;
    const entry = teams.get(team) ?? { team, reasons: [] };
    if (!entry.reasons.some((r) => r.kind === reason.kind && r.name === reason.name)) entry.reasons.push(reason);
    teams.set(team, entry);
  };
  const teamForOwner = (map: Record<string, string>, ...names: (string | null | undefined)[]) =>
    lookup(map, ...names) ?? (owners.infer_team_from_owner && names[0] ? slugFromOwner(names[0]) || undefined : undefined);

  for (const exposure of input.exposures) {
    // Added columns change nothing a dashboard already shows; its owners are asked when it might.
    if (exposure.impact === 'unchanged' || exposure.impact === 'additive') continue;
    const name = exposure.exposure?.label ?? exposure.name;
    require(teamForOwner(owners.exposures, exposure.owner, name, exposure.name), { kind: 'exposure', name, owner: exposure.owner });
  }
  // Every model in the assessment changed in some way (each carries at least one reason).
  const changedModels = input.models;
  for (const model of changedModels) {
    if (model.owner) {
      const team = lookup(owners.models, model.owner) ?? lookup(owners.exposures, model.owner);
      require(team, { kind: 'model', name: model.name, owner: model.owner });
    }
    const group = model.group;
    if (group) require(lookup(owners.groups, group) ?? teamForOwner(owners.exposures, input.groupOwners[group] ?? null), { kind: 'group', name: group, owner: input.groupOwners[group] ?? null });
    for (const tag of model.tags) require(lookup(owners.tags, tag), { kind: 'tag', name: tag });
  }

  let ruleVerdict: Verdict | null = null;
  const rulesApplied: string[] = [];
  for (const rule of config.rules) {
    const hits = changedModels.filter((m) => ruleApplies(rule, m, input));
    if (!hits.length) continue;
    rulesApplied.push(rule.name);
    for (const team of rule.require) require(team, { kind: 'rule', name: rule.name });
    const v: Verdict | null = rule.verdict === 'not_safe' ? 'NOT_SAFE' : rule.verdict === 'needs_review' ? 'NEEDS_REVIEW' : rule.verdict === 'safe' ? 'SAFE' : null;
    if (v === 'NOT_SAFE' || (v === 'NEEDS_REVIEW' && ruleVerdict !== 'NOT_SAFE')) ruleVerdict = v;
  }

  const blockers = findings.flatMap((f, i) => (f.severity === 'blocker' ? [i] : []));
  const warnings = findings.flatMap((f, i) => (f.severity === 'warning' ? [i] : []));
  let verdict: Verdict = blockers.length ? 'NOT_SAFE' : warnings.length || teams.size ? 'NEEDS_REVIEW' : 'SAFE';
  if (ruleVerdict === 'NOT_SAFE' || (ruleVerdict === 'NEEDS_REVIEW' && verdict === 'SAFE')) verdict = ruleVerdict;
  // A SAFE change needs nobody's approval; owners are asked only when something reaches them.
  const required = verdict === 'SAFE' ? [] : [...teams.values()].sort((a, b) => a.team.localeCompare(b.team));
  return { verdict, reasons: [...blockers, ...warnings], required_approvals: required, rules_applied: rulesApplied };
}
