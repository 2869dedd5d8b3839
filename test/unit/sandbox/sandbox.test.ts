import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { mkdtemp, mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { loadProject } from '../../../src/dbt/project.js';
import { loadProjectInSandbox, workerArgs, workerEntry, type SandboxedProject } from '../../../src/sandbox/client.js';

const SECRET = 'ghp_sandboxSecretValue123';

/** PR-controlled Jinja in the render worker: escapes reach nothing, runaways stop, the rest loads. */
describe('render sandbox: hostile templates', () => {
  let dir: string;
  let loaded: SandboxedProject;
  // Each tries to leave Jinja for JavaScript; if one got through, its output would say ESCAPED.
  const escapes: Record<string, string> = {
    string_constructor: `{{ ''.constructor.constructor("return 'ESCAPED'")() }}`,
    global_function: `{{ range.constructor("return 'ESCAPED'")() }}`,
    ref_function: `{{ ref.constructor("return 'ESCAPED'")() }}`,
    relation_instance: `{{ this.constructor.constructor("return 'ESCAPED'")() }}`,
    list_constructor: `{{ [].constructor.constructor("return 'ESCAPED'")() }}`,
    inherited_name: `{{ constructor.getOwnPropertyDescriptor(constructor.getPrototypeOf(range), 'constructor').value("return 'ESCAPED'")() }}`,
    proto_walk: `{{ cycler.__proto__.constructor("return 'ESCAPED'")() }}`,
    call_apply: `{{ range.call.call(range.constructor, null, "return 'ESCAPED'")() }}`,
  };
  const models: Record<string, string> = {
    good: `select 1 as id, '{{ env_var("DBT_SCHEMA_SUFFIX", "none") }}' as suffix`,
    child_of_good: "select * from {{ ref('good') }}",
    secret_env_var: `select '{{ env_var("GITHUB_TOKEN", "unset") }}' as t`,
    loop_forever: 'select 1 {% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}',
    recursion: '{% macro again(n) %}{{ again(n + 1) }}{% endmacro %}select {{ again(1) }}',
    giant_range: 'select {{ range(1000000000000) | length }}',
    string_bomb: "{% set s = namespace(v='xxxxxxxx') %}{% for i in range(26) %}{% set s.v = s.v ~ s.v %}{% endfor %}select '{{ s.v }}'",
    big_output: "{% set s = namespace(v='xxxxxxxx') %}{% for i in range(22) %}{% set s.v = s.v ~ s.v %}{% endfor %}select '{{ s.v }}'",
    ...Object.fromEntries(Object.entries(escapes).map(([k, v]) => [`escape_${k}`, `select '${v}' as x`])),
  };

  beforeAll(async () => {
    process.env.GITHUB_TOKEN = SECRET;
    dir = await mkdtemp(join(tmpdir(), 'ir-sandbox-'));
    await writeFile(join(dir, 'dbt_project.yml'), 'name: hostile\nversion: "1.0"\nprofile: x\n');
    await mkdir(join(dir, 'models'));
    for (const [name, sql] of Object.entries(models)) await writeFile(join(dir, 'models', `${name}.sql`), sql);
    loaded = await loadProjectInSandbox(dir, { env: { DBT_SCHEMA_SUFFIX: "pr42", GITHUB_TOKEN: SECRET } }, { limits: { renderTimeoutMs: 1000, memoryMb: 128 } });
  }, 60_000);
  afterAll(async () => {
    delete process.env.GITHUB_TOKEN;
    loaded?.close();
    await rm(dir, { recursive: true, force: true });
  });

  const node = (name: string) => loaded.project.nodes[`model.hostile.${name}`];
  const renderError = (name: string) => node(name).render_error?.message ?? '';

  it('well-behaved models render, with the DBT_ variables they were given', () => {
    expect(node('good').compiled_code).toBe("select 1 as id, 'pr42' as suffix");
    expect(node('child_of_good').compiled_code).toMatch(/^select \* from .*"good"$/);
    expect(node('good').render_error).toBeFalsy();
  });

  it('env_var cannot read a secret the app holds', () => {
    expect(node('secret_env_var').compiled_code).toBe("select 'unset' as t");
    expect(JSON.stringify(loaded.project)).not.toContain(SECRET);
  });

  it.each(Object.keys(escapes))('the escape attempt %s is a render error on that model, and nothing ran', (name) => {
    expect(renderError(`escape_${name}`)).toMatch(/undefined or falsey|not a function/);
    expect(node(`escape_${name}`).render_error?.file).toBe(`models/escape_${name}.sql`);
    expect(Object.values(loaded.project.nodes).map((n) => n.compiled_code ?? '').join('\n')).not.toContain('ESCAPED');
  });

  it('a loop without end is stopped by the time limit', () => {
    expect(renderError('loop_forever')).toBe('rendering took longer than 1 s and was stopped (a loop without end?)');
  });

  it('endless recursion and a giant range are render errors that say what happened', () => {
    expect(renderError('recursion')).toMatch(/recursion too deep/);
    expect(renderError('giant_range')).toMatch(/range\(\) of 1,000,000,000,000 items is more than the renderer allows/);
  });

  it('a string past what JavaScript allows, or past the output limit, is a render error', () => {
    expect(renderError('string_bomb')).toBe('built a string or list larger than the renderer allows');
    expect(renderError('big_output')).toBe('rendered to 33,554,441 characters, more than the limit of 20,000,000');
  });

  it('compiles again in the worker with refs pointing at PR relations', async () => {
    expect(await loaded.compile('model.hostile.child_of_good', { 'model.hostile.good': 'pr__hostile__good' })).toEqual({ sql: 'select * from pr__hostile__good' });
    expect(await loaded.compile('model.hostile.recursion', {})).toEqual({ error: 'recursion too deep (a macro that calls itself without end?)', line: 1 });
  });
});

describe('render sandbox: memory', () => {
  let dir: string;
  let loaded: SandboxedProject;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ir-sandbox-mem-'));
    await writeFile(join(dir, 'dbt_project.yml'), 'name: hostile\nversion: "1.0"\nprofile: x\n');
    await mkdir(join(dir, 'models'));
    await writeFile(join(dir, 'models', 'before.sql'), 'select 1 as id');
    await writeFile(join(dir, 'models', 'memory_bomb.sql'), "{% set l = [] %}{% for i in range(9000000) %}{% do l.append(i ~ 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx') %}{% endfor %}select {{ l | length }}");
    await writeFile(join(dir, 'models', 'after.sql'), "select * from {{ ref('before') }}");
    loaded = await loadProjectInSandbox(dir, {}, { limits: { renderTimeoutMs: 60_000, memoryMb: 64 } });
  }, 120_000);
  afterAll(async () => {
    loaded?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('a template that exhausts the heap is reported on that model; the worker is replaced and the rest loads', async () => {
    const nodes = loaded.project.nodes;
    expect(nodes['model.hostile.memory_bomb'].render_error?.message).toBe('rendering used more than 64 MiB of memory and was stopped');
    expect(nodes['model.hostile.before'].compiled_code).toBe('select 1 as id');
    expect(nodes['model.hostile.after'].compiled_code).toMatch(/"before"$/);
    expect(await loaded.compile('model.hostile.memory_bomb', {})).toEqual({ error: 'rendering used more than 64 MiB of memory and was stopped' });
  });
});

/**
 * If a template did escape nunjucks, it would run as this probe does: in a process started with
 * the worker's command line, after confineProcess(). Every door is checked from the inside.
 */
describe('render sandbox: the worker process is confined', () => {
  let tree: string;
  let outside: string;
  beforeAll(async () => {
    tree = await mkdtemp(join(tmpdir(), 'ir-tree-'));
    outside = await mkdtemp(join(tmpdir(), 'ir-outside-'));
    await writeFile(join(tree, 'model.sql'), 'select 1');
    await writeFile(join(outside, 'secret.txt'), SECRET);
  });
  afterAll(async () => {
    await rm(tree, { recursive: true, force: true });
    await rm(outside, { recursive: true, force: true });
  });

  it('reads only the tree; no env, writes, child processes, threads or network', () => {
    const entry = workerEntry();
    const confine = pathToFileURL(join(dirname(entry), 'confine.js')).href;
    const probe = join(dirname(entry), 'probe.test-only.mjs');
    const script = `
      import { confineProcess } from ${JSON.stringify(confine)};
      import fs from 'node:fs';
      confineProcess();
      const out = {};
      const attempt = async (name, fn) => { try { out[name] = 'ALLOWED: ' + String(await fn()).slice(0, 40); } catch (e) { out[name] = e.code ?? e.message; } };
      await attempt('read tree', () => fs.readFileSync(${JSON.stringify(join(tree, 'model.sql'))}, 'utf8'));
      await attempt('read outside', () => fs.readFileSync(${JSON.stringify(join(outside, 'secret.txt'))}, 'utf8'));
      await attempt('write tree', () => fs.writeFileSync(${JSON.stringify(join(tree, 'x'))}, 'x'));
      await attempt('child process', () => process.getBuiltinModule('child_process').execSync('id'));
      await attempt('worker thread', () => new (process.getBuiltinModule('worker_threads').Worker)('1', { eval: true }));
      await attempt('socket', () => process.getBuiltinModule('net').connect(80, '127.0.0.1'));
      await attempt('fetch', () => fetch('http://127.0.0.1/'));
      await attempt('env', () => JSON.stringify(process.env));
      process.stdout.write(JSON.stringify(out));
    `;
    require_write(probe, script);
    try {
      const run = spawnSync(process.execPath, workerArgs(probe, [tree], 64), { env: {}, encoding: 'utf8' });
      const out = JSON.parse(run.stdout) as Record<string, string>;
      expect(out).toEqual({
        'read tree': 'ALLOWED: select 1',
        'read outside': 'ERR_ACCESS_DENIED',
        'write tree': 'ERR_ACCESS_DENIED',
        'child process': 'ERR_ACCESS_DENIED',
        'worker thread': 'ERR_ACCESS_DENIED',
        socket: 'network access is not available while rendering',
        fetch: 'network access is not available while rendering',
        env: 'ALLOWED: {}',
      });
    } finally {
      require_unlink(probe);
    }
  });
});

import { unlinkSync, writeFileSync } from 'node:fs';
function require_write(file: string, text: string): void {
  writeFileSync(file, text);
}
function require_unlink(file: string): void {
  unlinkSync(file);
}

describe('symlinks in a project tree', () => {
  let root: string;
  let outside: string;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'ir-links-'));
    outside = await mkdtemp(join(tmpdir(), 'ir-links-outside-'));
    await writeFile(join(outside, 'secret.sql'), `select '${SECRET}' as leaked`);
    await writeFile(join(root, 'dbt_project.yml'), 'name: links\nversion: "1.0"\nprofile: x\n');
    await mkdir(join(root, 'models', 'shared'), { recursive: true });
    await writeFile(join(root, 'models', 'shared', 'real.sql'), 'select 1 as id');
    await symlink(join(root, 'models', 'shared', 'real.sql'), join(root, 'models', 'alias_inside.sql'));
    await symlink(join(outside, 'secret.sql'), join(root, 'models', 'leak.sql'));
    await symlink(join(root, 'models', 'shared'), join(root, 'models', 'linked_dir'));
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
    await rm(outside, { recursive: true, force: true });
  });

  it.each([
    ['in this process', (dir: string) => loadProject(dir)],
    ['in the render worker', async (dir: string) => {
      const s = await loadProjectInSandbox(dir, {});
      s.close();
      return s.project;
    }],
  ])('a link out of the tree is not read and is named as a problem; a link to a file inside is read (%s)', async (_where, load) => {
    const project = await load(root);
    expect(Object.keys(project.nodes).sort()).toEqual(['model.links.alias_inside', 'model.links.real']);
    expect(project.nodes['model.links.alias_inside'].compiled_code).toBe('select 1 as id');
    expect(project.problems).toEqual(expect.arrayContaining([
      { file: 'models/leak.sql', message: 'not read: symlink points outside the project', severity: 'warning' },
    ]));
    expect(JSON.stringify(project)).not.toContain(SECRET);
  });
});
