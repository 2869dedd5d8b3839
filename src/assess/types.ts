/**
 * The assessment: everything one pull request review says, as data. The report renders it with
 * templates; the GitHub app publishes it; `--format json` prints it. Every figure carries where it
 * came from (measured, query history, estimate, assumption).
 */
import type { ModelCost, PricingAssumptions } from '../cost/cost.js';
import type { ModelSchedule } from '../cost/schedule.js';
import type { Problem } from '../dbt/types.js';
import type { TableDiff } from '../diff/types.js';
import type { SelectDescription, SemanticChange } from '../sql/semantic-diff.js';
import type { TestResult } from './tests.js';

export type ChangeStatus = 'added' | 'removed' | 'renamed' | 'modified';

/** Why a node counts as changed, in dbt's state:modified terms. */
export type ChangeReasonKind =
  | 'new'
  | 'removed'
  | 'renamed'
  | 'body'
  /** A seed's CSV content changed (its checksum). */
  | 'seed_data'
  | 'materialization'
  | 'relation'
  | 'config'
  | 'columns'
  | 'contract'
  | 'tests'
  | 'description'
  | 'tags'
  | 'meta'
  | 'macro'
  | 'project_vars'
  | 'project_config';

export interface ChangeReason {
  kind: ChangeReasonKind;
  /** Structured detail for the template: e.g. { from: 'view', to: 'table' } or { macro: 'macro.shop.cents' }. */
  detail: Record<string, unknown>;
}

/** How a change reaches consumers of a column (dbt's breaking-change vocabulary). */
export type ColumnClass = 'breaking' | 'partial' | 'additive' | 'unknown' | 'unchanged';

/**
 * Why a column has its class. Structured so the core stays free of wording:
 * templates/partials/because.hbs words it, and the JSON carries those words.
 */
export type ColumnReason =
  | { kind: 'new_model' | 'model_removed' | 'column_added' | 'column_removed' | 'expression_changed' | 'case_thresholds_changed' | 'seed_data_changed' }
  /** A CAST to another type, or a declared data_type change under an enforced contract. */
  | { kind: 'type_changed' | 'declared_type_changed'; before: string; after: string }
  | { kind: 'not_analysed'; reason: string }
  /** A change to the rows themselves (filter, join, grain, sources): every column is affected. */
  | { kind: 'rows_changed'; change: SemanticChange };

export interface ColumnChangeClass {
  column: string;
  class: ColumnClass;
  because: ColumnReason[];
}

export interface ModelChange {
  unique_id: string;
  /** For renamed and removed models: the base unique id. */
  base_unique_id: string | null;
  name: string;
  resource_type: string;
  status: ChangeStatus;
  reasons: ChangeReason[];
  /** What changed in the SQL, from the two ASTs; `semantic_status` says whether it could be computed. */
  semantic: SemanticChange[];
  semantic_status: 'ok' | 'unknown' | 'not_applicable';
  semantic_reason?: string;
  /** A new SQL model: what its SELECT reads, which rows it keeps and its grain. */
  select_summary?: SelectDescription;
  /** Per output column, for this model. */
  columns: ColumnChangeClass[];
  /** The model's overall class: the worst of its columns', or breaking when sources or grain changed. */
  class: ColumnClass;
}

export interface ChangeSet {
  models: ModelChange[];
  /** Macros whose definition changed, and the models they reach. */
  macros: { unique_id: string; status: ChangeStatus; models: string[] }[];
  /** dbt_project.yml vars whose value changed. */
  vars: { name: string; before: unknown; after: unknown }[];
  /** Files changed in the PR that are not part of any dbt project's graph. */
  other_files: string[];
}

/** One downstream node (model or exposure) of the changed models, and how it is reached. */
export interface DownstreamNode {
  unique_id: string;
  name: string;
  resource_type: string;
  /** Distance from the nearest changed model. */
  depth: number;
  /** The changed models it depends on. */
  via: string[];
  /** Its direct parents among the changed and downstream nodes (edges of the review's lineage graph); absent → drawn from `via`. */
  parents?: string[];
  owner: string | null;
  tags: string[];
  /** Exposures: type (dashboard, notebook, …), url, maturity. */
  exposure?: { type: string; url: string | null; maturity: string | null; label: string | null };
  /** The worst class of the changed columns it reads (through column lineage), or 'unknown'. */
  impact: ColumnClass;
  /** Columns of the changed models it reads whose class is breaking or partial. */
  impacted_columns: string[];
}

/** The PR version of a model, built against production, and its diff with production. */
export interface ModelProbe {
  unique_id: string;
  /** The production relation (null for new models, which have no baseline). */
  production_relation: string | null;
  /** The session-scoped temporary table holding the PR's version (null when not built). */
  pr_relation: string | null;
  /** Bytes EXPLAIN says the PR version would scan, when it was not built (e.g. past the model limit). */
  explain_bytes?: number | null;
  /** Rows its PR build and diff were estimated to scan before anything ran (null: the warehouse could not say). */
  rows_estimate?: number | null;
  /** The limit that cut its analysis short (not built, not diffed or not tested), when one did. */
  skipped_by?: LimitKey;
  /** Columns and types of the PR version, as the warehouse describes them. */
  pr_columns?: { name: string; type: string }[];
  build: { status: 'built' | 'failed' | 'skipped'; seconds: number | null; message?: string };
  /** The production baseline's build time, measured the same way (DuckDB) or from query history. */
  baseline: { seconds: number | null; source: 'measured' | 'query_history' | 'none'; samples?: number };
  diff: TableDiff | null;
  diff_error?: string;
  tests: TestResult[];
}

export type FindingSeverity = 'info' | 'warning' | 'blocker';

export type FindingKind =
  | 'distribution_shift'
  | 'new_values'
  | 'vanished_values'
  | 'total_changed'
  | 'row_count_changed'
  | 'rows_changed'
  | 'schema_column_removed'
  | 'schema_column_added'
  | 'schema_type_changed'
  | 'contract_changed'
  | 'test_failed'
  | 'test_warned'
  | 'test_error'
  | 'cost_increase'
  | 'schedule_mismatch'
  | 'downstream_breaking'
  | 'exposure_affected'
  | 'render_error'
  | 'build_failed'
  | 'diff_failed'
  | 'model_removed_still_referenced'
  | 'rule'
  | 'limit_reached';

/** One observed issue, with the measured figure behind it. */
export interface Finding {
  kind: FindingKind;
  severity: FindingSeverity;
  /** The model (or exposure) it is about. */
  unique_id: string | null;
  column?: string | null;
  /** The figures, named: e.g. { value: 'High', base_share: 0.108, head_share: 0.038, shift_pct_points: -7 }. */
  figures: Record<string, unknown>;
  /** The threshold from config that made it a finding, when one did. */
  threshold?: { key: string; value: number };
}

export type Verdict = 'SAFE' | 'NEEDS_REVIEW' | 'NOT_SAFE';

export interface RequiredApproval {
  /** GitHub team slug. */
  team: string;
  /** Why: e.g. { kind: 'exposure', name: 'Finance Metrics' } or { kind: 'rule', name: '…' }. */
  reasons: { kind: 'exposure' | 'model' | 'group' | 'tag' | 'rule'; name: string; owner?: string | null }[];
}

export interface Assumption {
  /** A stable key the template words: 'warehouse_size', 'credit_price', 'min_billing', 'runs_per_month', 'duckdb_runtime', … */
  key: string;
  values: Record<string, unknown>;
}

/** The keys under `limits:` in config, each a limit against abuse. */
export type LimitKey = 'max_models' | 'max_fetch_bytes' | 'max_rows_scanned' | 'max_runtime_seconds' | 'max_file_bytes';

/** Something a limit left out of the review. */
export interface LimitSkip {
  /** A model's unique id, or a file's path (max_file_bytes). */
  id: string;
  /** Its figure in the limit's unit, when it has one: estimated rows, file bytes. */
  value?: number;
  /** A changed parent that was left out, when that is why this model was (its PR version reads the parent's). */
  parent?: string;
}

/** One limit: its configured value, what this review used of it, and what it left out. */
export interface LimitUse {
  key: LimitKey;
  /** The value in force (`limits.<key>`, or the app's own lower cap for max_fetch_bytes). */
  limit: number;
  /**
   * What this review used, in the limit's unit: changed models needing a build; bytes fetched
   * from GitHub (base + head tarballs); the largest row estimate; seconds the analysis ran; the
   * largest file over the limit. Null when not measured (the CLI fetches nothing).
   */
  used: number | null;
  /** The review stopped short of something because of it. */
  hit: boolean;
  skipped: LimitSkip[];
  /** Bytes fetched per tarball (max_fetch_bytes only). */
  parts?: { base: number; head: number };
}

export interface ModelReport {
  unique_id: string;
  name: string;
  package_name: string;
  original_file_path: string;
  materialized: string;
  database: string | null;
  schema: string;
  relation_name: string | null;
  tags: string[];
  owner: string | null;
  group: string | null;
  description: string;
  columns: { name: string; description: string; data_type: string | null; class: ColumnClass }[];
  change: ModelChange;
  probe: ModelProbe | null;
  cost: ModelCost | null;
  schedule: ModelSchedule | null;
  /** Render/parse errors of this model (it still appears, with the lineage that is known). */
  problems: Problem[];
}

export interface Assessment {
  version: 1;
  generated_at: string;
  repository: { owner: string; name: string } | null;
  pull_request: { number: number; title: string | null; url: string | null } | null;
  base: { ref: string; sha: string | null };
  head: { ref: string; sha: string | null };
  project: { name: string; path: string; adapter: string };
  warehouse: { type: string; database: string };
  verdict: Verdict;
  /** The verdict's reasons, most serious first (indexes into findings). */
  reasons: number[];
  findings: Finding[];
  required_approvals: RequiredApproval[];
  changes: ChangeSet;
  models: ModelReport[];
  downstream: DownstreamNode[];
  exposures: DownstreamNode[];
  cost: {
    pricing: PricingAssumptions;
    monthly_before_usd: number | null;
    monthly_after_usd: number | null;
    monthly_change_usd: number | null;
    /** What this review itself cost in warehouse time. */
    review: { seconds: number; credits: number; usd: number; queries: number };
  };
  assumptions: Assumption[];
  /** Problems in either project that are not tied to a changed model. */
  problems: Problem[];
  notes: { key: string; values: Record<string, unknown> }[];
  /** Every limit against abuse, in a fixed order, hit or not (always set by analyze()). */
  limits?: LimitUse[];
  /** Suggested commands, e.g. `dbt run --select mart_customer_revenue`. */
  commands: { purpose: string; command: string }[];
}
