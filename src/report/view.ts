/**
 * The assessment reshaped for the templates: ordered, limited, formatted. No wording here; the
 * templates decide every word, and partials keyed by finding kind / assumption key / action kind
 * word each item.
 */
import type { Assessment, DownstreamNode, Finding, FindingSeverity, ModelReport } from '../assess/types.js';
import type { SelectDescription, SemanticChange } from '../sql/semantic-diff.js';
import { teamName } from './format.js';
import { type Limits, FOLD_AT } from './limits.js';
import { limitsView } from './limits-view.js';
import { mermaidGraph } from './mermaid.js';
import { semanticSummary } from './semantic.js';
import { CLASS_ICON, keyedChange, modelView, take } from './model-view.js';

const SEVERITY_ICON: Record<FindingSeverity, string> = { blocker: '🛑', warning: '⚠️', info: 'ℹ️' };

export type Approved = Record<string, string[]>;

function nameOf(assessment: Assessment): (id: string | null | undefined) => string | null {
  const names = new Map<string, string>();
  for (const m of assessment.models) names.set(m.unique_id, m.name);
  for (const d of [...assessment.downstream, ...assessment.exposures]) names.set(d.unique_id, d.exposure?.label ?? d.name);
  return (id) => (id ? (names.get(id) ?? id.slice(id.lastIndexOf('.') + 1)) : null);
}

/** Findings in the verdict's order (its reasons first), then the rest as assessed. */
function orderedFindings(assessment: Assessment): Finding[] {
  const seen = new Set<number>();
  const out: Finding[] = [];
  for (const i of assessment.reasons) {
    if (assessment.findings[i] && !seen.has(i)) {
      seen.add(i);
      out.push(assessment.findings[i]);
    }
  }
  assessment.findings.forEach((f, i) => seen.has(i) || out.push(f));
  return out;
}

/** A total of a column that was renamed reads "net_revenue_90d (was total_revenue)". */
function renamedFrom(assessment: Assessment, modelId: string | null, column: string | null | undefined): string | null {
  if (!modelId || !column) return null;
  const diff = assessment.models.find((m) => m.unique_id === modelId)?.probe?.diff;
  const hit = diff?.schema.renamed.find((r) => r.head.toLowerCase() === column.toLowerCase());
  return hit ? hit.base : null;
}

export function approvalsView(assessment: Assessment, approved: Approved) {
  const name = nameOf(assessment);
  return assessment.required_approvals.map((a) => {
    const logins = approved[a.team] ?? approved[a.team.toLowerCase()] ?? [];
    return {
      team: a.team,
      name: teamName(a.team),
      approved: logins.length > 0,
      logins,
      reasons: a.reasons.map((r) => ({ ...r, name: r.kind === 'exposure' || r.kind === 'model' ? (name(r.name) ?? r.name) : r.name })),
    };
  });
}

interface ActionView {
  kind: string;
  values: Record<string, unknown>;
}

const actionsCache = new WeakMap<Assessment, ActionView[]>();

/** Follow-ups implied by the findings, beyond the approvals (worded by templates/partials/actions/). */
function derivedActions(assessment: Assessment): ActionView[] {
  // Computed once per assessment: each size level re-renders, and this walk is findings × downstream.
  const cached = actionsCache.get(assessment);
  if (cached) return cached;
  const result = computeActions(assessment);
  actionsCache.set(assessment, result);
  return result;
}

function computeActions(assessment: Assessment): ActionView[] {
  const name = nameOf(assessment);
  const actions: ActionView[] = [];
  const readers = (modelId: string | null, column: string | null | undefined): string[] =>
    assessment.downstream
      .filter((d) => d.resource_type !== 'exposure' && (!modelId || d.via.includes(modelId)) && (!column || d.impacted_columns.some((c) => c.toLowerCase() === column.toLowerCase())))
      .filter((d) => d.impact === 'breaking' || d.impact === 'partial')
      .map((d) => d.name);
  for (const f of assessment.findings) {
    const model = name(f.unique_id);
    switch (f.kind) {
      case 'new_values':
      case 'vanished_values': {
        const models = readers(f.unique_id, f.column);
        if (models.length) actions.push({ kind: f.kind === 'new_values' ? 'update_for_new_values' : 'update_for_vanished_values', values: { model, column: f.column, base_distinct: f.figures.base_distinct ?? null, head_distinct: f.figures.head_distinct ?? null, models } });
        break;
      }
      case 'total_changed':
        actions.push({ kind: 'confirm_totals', values: { model, column: f.column, teams: assessment.required_approvals.map((a) => teamName(a.team)) } });
        break;
      case 'schema_column_removed':
        if (f.figures.read_downstream) actions.push({ kind: 'remove_column_references', values: { model, column: f.column, models: readers(f.unique_id, f.column) } });
        break;
      case 'test_failed':
      case 'test_error':
        actions.push({ kind: f.kind === 'test_failed' ? 'fix_test' : 'check_test', values: { model, test: f.figures.test, reason: f.figures.reason ?? null } });
        break;
      case 'schedule_mismatch':
        actions.push({ kind: 'align_schedule', values: { model, ...f.figures } });
        break;
      case 'render_error':
      case 'build_failed':
        actions.push({ kind: f.kind === 'render_error' ? 'fix_render' : 'fix_build', values: { model, ...f.figures } });
        break;
      case 'model_removed_still_referenced':
        actions.push({ kind: 'fix_references', values: { model, referenced_by: (Array.isArray(f.figures.referenced_by) ? f.figures.referenced_by : []).map((id) => name(String(id))) } });
        break;
      default:
        break;
    }
  }
  const dashboards = assessment.exposures.filter((e) => e.impact === 'breaking' || e.impact === 'partial').map((e) => e.exposure?.label ?? e.name);
  if (dashboards.length) actions.push({ kind: 'notify_dashboard_users', values: { dashboards } });
  // One line per distinct action: several findings can imply the same follow-up.
  const seen = new Set<string>();
  return actions.filter((a) => {
    const key = `${a.kind}:${JSON.stringify(a.values)}`;
    return !seen.has(key) && seen.add(key);
  });
}

function downstreamRow(d: DownstreamNode, name: (id: string) => string | null) {
  return {
    name: d.name,
    label: d.exposure?.label ?? d.name,
    resource_type: d.resource_type,
    depth: d.depth,
    impact: d.impact,
    icon: CLASS_ICON[d.impact],
    columns: d.impacted_columns,
    via: d.via.map((v) => name(v) ?? v),
    owner: d.owner,
    tags: d.tags,
    exposure: d.exposure ?? null,
  };
}

export function reviewView(assessment: Assessment, limits: Limits, options: { approved: Approved; marker: string | null; approvalsSection: string; note?: string }) {
  const name = nameOf(assessment);
  const findings = orderedFindings(assessment).map((f) => ({
    kind: f.kind,
    severity: f.severity,
    icon: SEVERITY_ICON[f.severity],
    model: name(f.unique_id),
    column: f.column ?? null,
    renamed_from: renamedFrom(assessment, f.unique_id, f.column),
    figures: f.figures,
    threshold: f.threshold ?? null,
  }));
  // Findings the summary would word alike (two shifted values of one column) are named once.
  const worded = (f: Finding) => [f.kind, f.unique_id, f.column, f.figures.test, f.figures.name, f.figures.limit].map((v) => String(v ?? '')).join('\u0000');
  const reasons = [...new Map(assessment.reasons.map((i) => assessment.findings[i]).filter(Boolean).map((f) => [worded(f), f])).values()];
  const models = assessment.models.map((m) => modelView(m, limits));
  const downstreamModels = [...assessment.downstream].filter((d) => d.resource_type !== 'exposure').sort((a, b) => a.depth - b.depth || a.name.localeCompare(b.name));
  const graph = mermaidGraph(assessment, limits.graphNodes);
  const problems = [
    ...assessment.models.flatMap((m) => m.problems.map((p) => ({ ...p, model: m.name }))),
    ...assessment.problems.map((p) => ({ ...p, model: name(p.unique_id) })),
  ];
  const owners = [...new Set(assessment.models.map((m) => m.owner).filter((o): o is string => Boolean(o)))];
  const tags = [...new Set(assessment.models.flatMap((m) => m.tags))];
  const changedNames = assessment.models.map((m) => m.name);
  const commands = assessment.commands.length
    ? assessment.commands
    : changedNames.length
      ? [
          { purpose: 'run', command: `dbt run --select ${changedNames.join(' ')}` },
          { purpose: 'test', command: `dbt test --select ${changedNames.join(' ')}` },
          { purpose: 'downstream', command: `dbt ls --select ${changedNames.map((n) => `${n}+`).join(' ')}` },
        ]
      : [];
  const noBaseline = models.filter((m) => m.no_baseline && m.status !== 'removed').map((m) => m.name);
  const modelsTaken = take(models, limits.models);
  return {
    marker: options.marker,
    assessment,
    limits,
    shortened: limits.shortened,
    note: options.note ?? null,
    pr: assessment.pull_request,
    verdict: assessment.verdict,
    teams: assessment.required_approvals.map((a) => teamName(a.team)),
    summary: {
      changed: assessment.models.map((m) => ({ name: m.name, status: m.change.status, materialized: m.materialized, class: m.change.class })),
      changed_count: assessment.models.length,
      key_changes: keyChanges(assessment.models, 3),
      downstream_count: downstreamModels.length,
      dashboards: assessment.exposures.map((e) => e.exposure?.label ?? e.name),
      changed_names: assessment.models.map((m) => m.name),
      reasons: reasons.slice(0, 5).map((f) => ({ kind: f.kind, column: f.column ?? null, model: name(f.unique_id), figures: f.figures })),
      reasons_more: Math.max(0, reasons.length - 5),
      macros: assessment.changes.macros.length,
      vars: assessment.changes.vars.map((v) => v.name),
    },
    dashboards: assessment.exposures.map((e) => downstreamRow(e, name)),
    findings: take(findings, limits.findings),
    no_baseline: noBaseline,
    models: modelsTaken,
    fold_models: limits.collapse || models.length > 1,
    cost: {
      ...assessment.cost,
      rows: take(models.filter((m) => m.cost), limits.models),
      monthly_before: assessment.cost.monthly_before_usd,
      monthly_after: assessment.cost.monthly_after_usd,
      monthly_change: assessment.cost.monthly_change_usd,
    },
    assumptions: assessment.assumptions,
    notes: assessment.notes,
    limits_report: limitsView(assessment, name),
    downstream: {
      count: downstreamModels.length,
      rows: take(downstreamModels.map((d) => downstreamRow(d, name)), limits.downstream),
      fold: limits.collapse || downstreamModels.length > FOLD_AT,
      max_depth: downstreamModels.reduce((m, d) => Math.max(m, d.depth), 0),
    },
    mermaid: graph.text,
    mermaid_omitted: graph.omitted,
    show_graph: assessment.models.length > 0 && (downstreamModels.length > 0 || assessment.exposures.length > 0),
    problems: take(problems, limits.problems),
    approvals_section: options.approvalsSection,
    actions: take(derivedActions(assessment), limits.findings),
    commands,
    owners,
    tags,
    changes: assessment.changes,
  };
}

export type ReviewView = ReturnType<typeof reviewView>;

/** What a reader needs first: changes to the rows, then to values, then to the columns. */
const KEY_CHANGE_ORDER: SemanticChange['kind'][] = [
  'filter_added', 'filter_removed', 'filter_changed', 'join_added', 'join_removed', 'join_changed', 'group_by_changed', 'source_added', 'source_removed',
  'case_threshold_changed', 'column_expression_changed', 'column_added', 'column_removed',
];
/** The summary quotes a change at most this long; the model's Key Changes hold the whole of it. */
const KEY_CHANGE_CHARS = 160;

interface KeyChange {
  model: string;
  changes: string[];
  /** A seed's data change, from its keyed diff (seeds have no SQL to describe). */
  rows?: { added: number; removed: number; changed: number; columns: string[] };
  /** A new model's SELECT: what it reads, keeps and groups by. */
  select_summary?: SelectDescription;
}

/** The summary's key changes: the most telling `limit` semantic changes, grouped by model, then changed seeds' rows. */
function keyChanges(models: ModelReport[], limit: number): KeyChange[] {
  const rank = (c: SemanticChange) => KEY_CHANGE_ORDER.indexOf(c.kind);
  const picked = models
    .flatMap((m, order) => m.change.semantic.map((c) => ({ model: m.name, order, c })))
    .sort((a, b) => rank(a.c) - rank(b.c) || a.order - b.order)
    .slice(0, limit);
  const out: KeyChange[] = [];
  for (const { model, c } of picked.sort((a, b) => a.order - b.order || rank(a.c) - rank(b.c))) {
    const text = semanticSummary(c);
    const short = text.length > KEY_CHANGE_CHARS ? `${text.slice(0, KEY_CHANGE_CHARS).replace(/\s+\S*$/, '')} …` : text;
    const group = out.at(-1)?.model === model ? out.at(-1)! : out[out.push({ model, changes: [] }) - 1];
    group.changes.push(short);
  }
  for (const m of models) {
    if (out.length >= limit) break;
    const rows = m.materialized === 'seed' && m.probe?.diff ? keyedChange(m.probe.diff) : null;
    if (rows) out.push({ model: m.name, changes: [], rows });
    else if (m.change.status === 'added' && m.change.select_summary) out.push({ model: m.name, changes: [], select_summary: m.change.select_summary });
  }
  return out;
}
