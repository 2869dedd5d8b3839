import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { extractTarGz, readArchiveBody, TarLimitError } from '../../src/github/tar.js';
import { checkSummary } from '../../src/github/texts.js';
import { buildTarGz } from '../support/fake-github/tar.js';

/** limits.max_fetch_bytes: a download stops at the cap, and the error says which size and limit. */
describe('limits: bytes fetched from GitHub', () => {
  /** A body of `chunks` × 1,000 bytes that counts how many chunks were pulled and whether it was cancelled. */
  function body(chunks: number) {
    const seen = { pulled: 0, cancelled: false };
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (seen.pulled === chunks) return controller.close();
        seen.pulled++;
        controller.enqueue(new Uint8Array(1000).fill(seen.pulled));
      },
      cancel() {
        seen.cancelled = true;
      },
    }, { highWaterMark: 0 });
    return { stream, seen };
  }

  it('stops reading a streamed download as soon as it passes the cap, and cancels it', async () => {
    const { stream, seen } = body(100);
    const error = await readArchiveBody(stream, 3500).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TarLimitError);
    expect(error).toMatchObject({ what: 'compressed', bytes: 4000, limit: 3500 });
    expect(seen).toEqual({ pulled: 4, cancelled: true });
  });

  it('stops a Node stream the same way', async () => {
    const { Readable } = await import('node:stream');
    let pulled = 0;
    const stream = new Readable({
      highWaterMark: 0,
      read() {
        pulled++;
        this.push(Buffer.alloc(1000, pulled));
      },
    });
    await expect(readArchiveBody(stream, 3500)).rejects.toMatchObject({ what: 'compressed', bytes: 4000 });
    expect(stream.destroyed).toBe(true);
    expect(pulled).toBeLessThan(10);
  });

  it('refuses a Content-Length over the cap before reading anything', async () => {
    const { stream, seen } = body(100);
    await expect(readArchiveBody(stream, 3500, 100_000)).rejects.toMatchObject({ what: 'compressed', bytes: 100_000, limit: 3500 });
    expect(seen.pulled).toBe(0);
  });

  it('returns a body under the cap whole', async () => {
    const { stream } = body(3);
    const buffer = await readArchiveBody(stream, 3500);
    expect(buffer.length).toBe(3000);
    expect([buffer[0], buffer[1000], buffer[2999]]).toEqual([1, 2, 3]);
  });

  it('names the unpacked size when a small download inflates past the cap, and reports the bytes fetched otherwise', async () => {
    const dest = await mkdtemp(join(tmpdir(), 'ir-limits-fetch-'));
    try {
      const bomb = buildTarGz('p', { 'big.sql': 'x'.repeat(500_000) });
      expect(bomb.length).toBeLessThan(10_000);
      await expect(extractTarGz(bomb, join(dest, 'a'), { maxBytes: 50_000 })).rejects.toMatchObject({ name: 'TarLimitError', what: 'unpacked', limit: 50_000 });
      const ok = buildTarGz('p', { 'm.sql': 'select 1\n' });
      expect(await extractTarGz(ok, join(dest, 'b'), { maxBytes: 50_000 })).toMatchObject({ files: 1, archiveBytes: ok.length });
    } finally {
      await rm(dest, { recursive: true, force: true });
    }
  });

  it('when the app\'s own cap is the one in force, the check says who can raise it and how', () => {
    const summary = checkSummary('too_large', { side: 'head', what: 'unpacked', bytes: 100 * 1024 * 1024, limit: 100 * 1024 * 1024, configLimit: 200 * 1024 * 1024, appLimit: 100 * 1024 * 1024, shortSha: 'abc1234', shortBase: 'def5678', raiseConfig: false, raiseApp: true });
    expect(summary).toContain('The repository at the head commit abc1234 is too large to review: its tarball unpacks to more than 100 MiB, over the limit of **100 MiB**');
    expect(summary).toContain("the app's own cap of 100 MiB is in force (lower than `limits.max_fetch_bytes: 209715200`): whoever runs the app raises it with the `MAX_FETCH_BYTES` environment variable");
    expect(summary).not.toContain('raise `limits.max_fetch_bytes`');
  });
});
