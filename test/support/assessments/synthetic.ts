/** Assessments built from the PR 1 fixture: a SAFE one, and a very large PR for size limits. */
import type { Assessment, DownstreamNode, ModelReport } from '../../../src/assess/types.js';
import { pr1Assessment } from './pr1-cltv.js';

/** A comment-only change: SAFE, nothing downstream affected, no approvals. */
export function safeAssessment(): Assessment {
  const a = pr1Assessment();
  const model = a.models[0];
  model.change = { ...model.change, reasons: [{ kind: 'description', detail: {} }], semantic: [], class: 'unchanged', columns: [] };
  model.columns = model.columns.map((c) => ({ ...c, class: 'unchanged' }));
  if (model.probe) model.probe = { ...model.probe, diff: null, tests: model.probe.tests.filter((t) => t.status === 'pass') };
  model.schedule = model.schedule ? { ...model.schedule, requested: null, mismatch: false } : null;
  return { ...a, verdict: 'SAFE', reasons: [], findings: [], required_approvals: [], downstream: [], exposures: [], models: [model] };
}

/** `models` changed models and `downstream` downstream nodes, each a copy of PR 1's shapes. */
export function largeAssessment(models = 300, downstream = 3000): Assessment {
  const a = pr1Assessment();
  const template = a.models[0];
  const changed: ModelReport[] = Array.from({ length: models }, (_, i) => {
    const name = `mart_customer_revenue_${String(i).padStart(3, '0')}`;
    const id = `model.shop.${name}`;
    return { ...structuredClone(template), unique_id: id, name, original_file_path: `models/marts/generated/${name}.sql`, change: { ...structuredClone(template.change), unique_id: id, name } };
  });
  const nodes: DownstreamNode[] = Array.from({ length: downstream }, (_, i) => {
    const via = changed[i % models].unique_id;
    return { unique_id: `model.shop.downstream_${i}`, name: `downstream_${String(i).padStart(4, '0')}`, resource_type: 'model', depth: 1 + (i % 4), via: [via], parents: [via], owner: null, tags: ['nightly'], impact: i % 3 === 0 ? 'breaking' : 'partial', impacted_columns: ['cltv_segment'] };
  });
  const findings = changed.flatMap((m) => a.findings.filter((f) => f.unique_id === template.unique_id).map((f) => ({ ...f, unique_id: m.unique_id })));
  return { ...a, models: changed, downstream: nodes, findings: [...a.findings.filter((f) => f.kind === 'exposure_affected'), ...findings], reasons: [0, 1, 2, 3] };
}
