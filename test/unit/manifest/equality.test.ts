import { beforeAll, describe, expect, it } from '@jest/globals';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadManifest } from '../../../src/dbt/manifest.js';
import { loadProject } from '../../../src/dbt/project.js';
import type { Project, Target } from '../../../src/dbt/types.js';

/**
 * The fixture project loaded from its files must equal the manifest.json dbt would write for it
 * (hand-built in dbt 1.10's v12 shape, generic test ids hashed as dbt hashes them). Any
 * difference here is a bug in one of the two loaders.
 */

const here = path.dirname(fileURLToPath(import.meta.url));
const fixture = path.resolve(here, '../../fixtures/manifest_project');
const target: Target = { name: 'dev', type: 'duckdb', database: 'analytics', schema: 'main' };

const sortedList = (xs: readonly string[]) => [...xs].sort();

function nodeSummary(p: Project) {
  return Object.fromEntries(
    Object.values(p.nodes).map((n) => [
      n.unique_id,
      {
        resource_type: n.resource_type,
        name: n.name,
        package_name: n.package_name,
        path: n.path,
        original_file_path: n.original_file_path,
        fqn: n.fqn,
        database: n.database,
        schema: n.schema,
        alias: n.alias,
        relation_name: n.relation_name,
        // dbt's order of merged tags is not something users rely on; the set is.
        tags: sortedList(n.tags),
        config_tags: sortedList(n.config.tags),
        materialized: n.config.materialized,
        enabled: n.config.enabled,
        depends_on: sortedList(n.depends_on.nodes),
        refs: n.refs.map((r) => ({ name: r.name, package: r.package ?? null, version: r.version ?? null })),
        sources: n.sources,
        version: n.version ?? null,
        latest_version: n.latest_version ?? null,
        group: n.group ?? null,
        access: n.access ?? null,
        test: n.resource_type === 'test' ? { metadata: n.test_metadata ?? null, column_name: n.column_name ?? null, attached_node: n.attached_node ?? null } : null,
      },
    ]),
  );
}

function sourceSummary(p: Project) {
  return Object.fromEntries(
    Object.values(p.sources).map((s) => [
      s.unique_id,
      {
        name: s.name,
        source_name: s.source_name,
        package_name: s.package_name,
        original_file_path: s.original_file_path,
        fqn: s.fqn,
        database: s.database,
        schema: s.schema,
        identifier: s.identifier,
        relation_name: s.relation_name,
        tags: sortedList(s.tags),
        enabled: s.config.enabled,
      },
    ]),
  );
}

function exposureSummary(p: Project) {
  return Object.fromEntries(
    Object.values(p.exposures).map((e) => [
      e.unique_id,
      {
        name: e.name,
        type: e.type,
        package_name: e.package_name,
        original_file_path: e.original_file_path,
        fqn: e.fqn,
        owner: { name: e.owner.name ?? null, email: e.owner.email ?? null },
        maturity: e.maturity ?? null,
        depends_on: sortedList(e.depends_on.nodes),
        tags: sortedList(e.tags),
      },
    ]),
  );
}

describe('files vs manifest: test/fixtures/manifest_project', () => {
  let fromFiles: Project;
  let fromManifest: Project;

  beforeAll(async () => {
    fromFiles = await loadProject(fixture, { target });
    fromManifest = await loadManifest(path.join(fixture, 'target/manifest.json'), { target });
  });

  it('the file loader reports no errors', () => {
    expect(fromFiles.problems.filter((p) => p.severity === 'error')).toEqual([]);
  });

  it('the same root project', () => {
    expect(fromFiles.name).toBe(fromManifest.name);
  });

  it('the same unique ids', () => {
    expect(sortedList(Object.keys(fromFiles.nodes))).toEqual(sortedList(Object.keys(fromManifest.nodes)));
    expect(sortedList(Object.keys(fromFiles.sources))).toEqual(sortedList(Object.keys(fromManifest.sources)));
    expect(sortedList(Object.keys(fromFiles.exposures))).toEqual(sortedList(Object.keys(fromManifest.exposures)));
    expect(sortedList(Object.keys(fromFiles.groups))).toEqual(sortedList(Object.keys(fromManifest.groups)));
    expect(sortedList(Object.keys(fromFiles.disabled))).toEqual(sortedList(Object.keys(fromManifest.disabled)));
  });

  it('node for node', () => {
    expect(nodeSummary(fromFiles)).toEqual(nodeSummary(fromManifest));
  });

  it('source for source and exposure for exposure', () => {
    expect(sourceSummary(fromFiles)).toEqual(sourceSummary(fromManifest));
    expect(exposureSummary(fromFiles)).toEqual(exposureSummary(fromManifest));
  });

  it('group owners', () => {
    const owners = (p: Project) => Object.fromEntries(Object.values(p.groups).map((g) => [g.unique_id, { name: g.owner.name ?? null, email: g.owner.email ?? null }]));
    expect(owners(fromFiles)).toEqual(owners(fromManifest));
  });

  it('edge for edge', () => {
    expect(fromFiles.parent_map).toEqual(fromManifest.parent_map);
    expect(fromFiles.child_map).toEqual(fromManifest.child_map);
  });
});
