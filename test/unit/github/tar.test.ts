import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { extractTarGz, readTar, safeRelativePath, TarError } from '../../../src/github/tar.js';
import { gunzipSync } from 'node:zlib';
import { buildTarGz } from '../../support/fake-github/tar.js';

describe('tarball extraction', () => {
  let root: string;
  let dest: string;
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'tar-test-'));
    dest = join(root, 'out');
  });
  afterEach(() => rm(root, { recursive: true, force: true }));

  it('strips GitHub\'s top folder and keeps long (pax) names', async () => {
    const long = `models/${'deep/'.repeat(30)}model.sql`;
    const archive = buildTarGz('acme-repo-abc1234', { 'dbt_project.yml': 'name: x\n', [long]: 'select 1\n' });
    const result = await extractTarGz(archive, dest, { maxBytes: 1e6 });
    expect(result.files).toBe(2);
    expect(await readFile(join(dest, long), 'utf8')).toBe('select 1\n');
    expect(await readdir(dest)).toEqual(['dbt_project.yml', 'models']);
  });

  it('refuses traversal and absolute names, skips symlinks and binaries, and says why', async () => {
    const archive = buildTarGz('acme-repo-abc1234', {
      'ok.sql': 'select 1\n',
      a: { rawName: 'acme-repo-abc1234/../../evil.sql', content: 'x' },
      b: { rawName: '/etc/evil.sql', content: 'x' },
      'out.sql': { symlink: '../../../etc/passwd' },
      'in.sql': { symlink: 'ok.sql' },
      'bin.dat': Buffer.from([1, 0, 2]),
    });
    const result = await extractTarGz(archive, dest, { maxBytes: 1e6 });
    expect(result.files).toBe(1);
    expect(result.skipped).toEqual([
      { path: 'acme-repo-abc1234/../../evil.sql', reason: 'path escapes the repository' },
      { path: '/etc/evil.sql', reason: 'path escapes the repository' },
      { path: 'bin.dat', reason: 'binary file' },
      { path: 'in.sql', reason: 'symlink' },
      { path: 'out.sql', reason: 'symlink points outside the repository' },
    ]);
    expect(await readdir(root)).toEqual(['out']);
  });

  it('caps the unpacked size', async () => {
    const archive = buildTarGz('p', { 'big.sql': 'x'.repeat(200_000) });
    await expect(extractTarGz(archive, dest, { maxBytes: 50_000 })).rejects.toThrow(new TarError('the unpacked tarball is larger than the 50000 byte limit'));
  });

  it('reads entry types and sizes exactly', () => {
    const entries = readTar(gunzipSync(buildTarGz('p', { 'a.sql': 'abc', 'l.sql': { symlink: 'a.sql' } })));
    expect(entries.map((e) => [e.path, e.type, e.linkTarget, e.data.length])).toEqual([
      ['p/', 'directory', '', 0],
      ['p/a.sql', 'file', '', 3],
      ['p/l.sql', 'symlink', 'a.sql', 0],
    ]);
  });

  it('normalizes safe paths and rejects escaping ones', () => {
    expect(safeRelativePath('top/./a//b.sql', true)).toBe('a/b.sql');
    expect(safeRelativePath('top/a/../b.sql', true)).toBeNull();
    expect(safeRelativePath('C:/x', true)).toBeNull();
    expect(safeRelativePath('top\\..\\x', true)).toBeNull();
  });
});
