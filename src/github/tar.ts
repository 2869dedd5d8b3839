import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, posix } from 'node:path';
import { gunzipSync } from 'node:zlib';

/**
 * A small reader for the gzip'd ustar/pax archives GitHub serves as tarballs, and a safe
 * extractor: PR authors control every entry name, so nothing may land outside the target folder.
 */

export interface TarEntry {
  path: string;
  type: 'file' | 'directory' | 'symlink' | 'hardlink' | 'other';
  linkTarget: string;
  data: Buffer;
}

export class TarError extends Error {
  override name = 'TarError';
}

/** A tarball larger than the byte cap (compressed as downloaded, or unpacked): the review says which limit. */
export class TarLimitError extends TarError {
  override name = 'TarLimitError';
  constructor(
    /** Which size went over: the download, or the archive once unpacked. */
    readonly what: 'compressed' | 'unpacked',
    /** The size, or (unpacked, and a download cut short) how far it got before the cap: at least this. */
    readonly bytes: number,
    readonly limit: number,
  ) {
    super(what === 'compressed' ? `the tarball is larger than the ${limit} byte limit` : `the unpacked tarball is larger than the ${limit} byte limit`);
  }
}

/**
 * The body of a tarball download, read no further than `maxBytes`: a stream is cancelled as soon
 * as it passes the cap (and a Content-Length over it is refused before reading), so a huge
 * repository costs no more than the cap in memory or bandwidth.
 */
export async function readArchiveBody(data: unknown, maxBytes: number, contentLength?: number): Promise<Buffer> {
  if (contentLength !== undefined && Number.isFinite(contentLength) && contentLength > maxBytes) throw new TarLimitError('compressed', contentLength, maxBytes);
  if (data instanceof ArrayBuffer || Buffer.isBuffer(data)) {
    const buffer = Buffer.isBuffer(data) ? data : Buffer.from(data);
    if (buffer.length > maxBytes) throw new TarLimitError('compressed', buffer.length, maxBytes);
    return buffer;
  }
  const chunks: Buffer[] = [];
  let total = 0;
  const add = (value: Uint8Array): boolean => {
    total += value.byteLength;
    if (total > maxBytes) return false;
    chunks.push(Buffer.from(value.buffer, value.byteOffset, value.byteLength));
    return true;
  };
  if (data instanceof ReadableStream) {
    // A web stream (fetch's body).
    const reader = (data as ReadableStream<Uint8Array>).getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return Buffer.concat(chunks, total);
      if (!add(value)) {
        await reader.cancel().catch(() => undefined);
        throw new TarLimitError('compressed', total, maxBytes);
      }
    }
  }
  if (data && typeof data === 'object' && Symbol.asyncIterator in data) {
    // A Node stream: leaving the loop destroys it.
    for await (const value of data as AsyncIterable<Uint8Array>) {
      if (!add(value)) throw new TarLimitError('compressed', total, maxBytes);
    }
    return Buffer.concat(chunks, total);
  }
  throw new TarError('GitHub did not return a tarball');
}

function field(block: Buffer, offset: number, length: number): string {
  const raw = block.subarray(offset, offset + length);
  const end = raw.indexOf(0);
  return raw.subarray(0, end === -1 ? raw.length : end).toString('utf8');
}

function octal(block: Buffer, offset: number, length: number): number {
  const text = field(block, offset, length).trim();
  if (text === '') return 0;
  const value = Number.parseInt(text, 8);
  if (!Number.isFinite(value) || value < 0) throw new TarError(`bad number "${text}" in a tar header`);
  return value;
}

/** pax records: "<len> key=value\n" repeated. */
function paxRecords(data: Buffer): Record<string, string> {
  const out: Record<string, string> = {};
  let pos = 0;
  while (pos < data.length) {
    const space = data.indexOf(0x20, pos);
    if (space === -1) break;
    const len = Number.parseInt(data.subarray(pos, space).toString('ascii'), 10);
    if (!Number.isFinite(len) || len <= 0) break;
    const record = data.subarray(space + 1, pos + len - 1).toString('utf8');
    const eq = record.indexOf('=');
    if (eq > 0) out[record.slice(0, eq)] = record.slice(eq + 1);
    pos += len;
  }
  return out;
}

/** Parses an uncompressed tar archive into entries (pax and GNU long names applied). */
export function readTar(tar: Buffer): TarEntry[] {
  const entries: TarEntry[] = [];
  let pos = 0;
  let pending: { path?: string; linkpath?: string } = {};
  while (pos + 512 <= tar.length) {
    const header = tar.subarray(pos, pos + 512);
    if (header.every((b) => b === 0)) break;
    const size = octal(header, 124, 12);
    const typeflag = String.fromCharCode(header[156] || 0x30);
    const dataStart = pos + 512;
    if (dataStart + size > tar.length) throw new TarError('truncated tar archive');
    const data = tar.subarray(dataStart, dataStart + size);
    pos = dataStart + Math.ceil(size / 512) * 512;
    if (typeflag === 'x') {
      const rec = paxRecords(data);
      pending = { path: rec.path ?? pending.path, linkpath: rec.linkpath ?? pending.linkpath };
      continue;
    }
    if (typeflag === 'L' || typeflag === 'K') {
      const name = data.toString('utf8').replace(/\0+$/, '');
      pending = typeflag === 'L' ? { ...pending, path: name } : { ...pending, linkpath: name };
      continue;
    }
    if (typeflag === 'g') continue; // GitHub's pax_global_header holds the commit id only
    const prefix = field(header, 345, 155);
    const name = field(header, 0, 100);
    const path = pending.path ?? (prefix ? `${prefix}/${name}` : name);
    const linkTarget = pending.linkpath ?? field(header, 157, 100);
    pending = {};
    const type =
      typeflag === '0' || typeflag === '\0' || typeflag === '7'
        ? 'file'
        : typeflag === '5'
          ? 'directory'
          : typeflag === '2'
            ? 'symlink'
            : typeflag === '1'
              ? 'hardlink'
              : 'other';
    entries.push({ path, type, linkTarget, data: Buffer.from(data) });
  }
  return entries;
}

export interface ExtractLimits {
  /** Largest compressed download and largest uncompressed archive, in bytes. */
  maxBytes: number;
}

export interface SkippedEntry {
  path: string;
  reason: string;
}

export interface ExtractResult {
  files: number;
  /** Bytes written (the files kept, unpacked). */
  bytes: number;
  /** Bytes of the archive as fetched (compressed). */
  archiveBytes: number;
  /** Entries not written, with why (symlinks, traversal, binary files). */
  skipped: SkippedEntry[];
}

/** A relative, normalized path inside the archive's top folder, or null when the name escapes. */
export function safeRelativePath(entryPath: string, stripTopFolder: boolean): string | null {
  if (entryPath.includes('\0') || entryPath.includes('\\')) return null;
  if (entryPath.startsWith('/') || /^[A-Za-z]:/.test(entryPath)) return null;
  const parts = entryPath.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.some((p) => p === '..')) return null;
  const rel = stripTopFolder ? parts.slice(1) : parts;
  return rel.length ? posix.join(...rel) : '';
}

function looksBinary(data: Buffer): boolean {
  return data.subarray(0, 8000).includes(0);
}

/**
 * Extracts a .tar.gz into `dest`. GitHub wraps the tree in one `<owner>-<repo>-<sha>/` folder,
 * which is stripped. Symlinks are never created: one pointing inside the tree could still be
 * chained to escape it, and dbt projects do not need them; they are listed as skipped.
 */
export async function extractTarGz(archive: Buffer, dest: string, limits: ExtractLimits): Promise<ExtractResult> {
  if (archive.length > limits.maxBytes) throw new TarLimitError('compressed', archive.length, limits.maxBytes);
  let tar: Buffer;
  try {
    tar = gunzipSync(archive, { maxOutputLength: limits.maxBytes });
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'ERR_BUFFER_TOO_LARGE') throw new TarLimitError('unpacked', limits.maxBytes, limits.maxBytes);
    throw new TarError('the tarball is not valid gzip');
  }
  const entries = readTar(tar);
  const result: ExtractResult = { files: 0, bytes: 0, archiveBytes: archive.length, skipped: [] };
  for (const entry of entries) {
    const rel = safeRelativePath(entry.path, true);
    if (rel === null) {
      result.skipped.push({ path: entry.path, reason: 'path escapes the repository' });
      continue;
    }
    if (rel === '') continue;
    if (entry.type === 'directory') {
      await mkdir(join(dest, rel), { recursive: true });
      continue;
    }
    if (entry.type === 'symlink') {
      const target = posix.normalize(posix.join(posix.dirname(rel), entry.linkTarget));
      const outside = entry.linkTarget.startsWith('/') || target === '..' || target.startsWith('../');
      result.skipped.push({ path: rel, reason: outside ? 'symlink points outside the repository' : 'symlink' });
      continue;
    }
    if (entry.type !== 'file') {
      result.skipped.push({ path: rel, reason: `${entry.type} entry` });
      continue;
    }
    if (looksBinary(entry.data)) {
      result.skipped.push({ path: rel, reason: 'binary file' });
      continue;
    }
    const target = join(dest, rel);
    await mkdir(dirname(target), { recursive: true });
    // 'wx': never write through something already there (a second entry with the same name).
    try {
      await writeFile(target, entry.data, { flag: 'wx' });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      result.skipped.push({ path: rel, reason: 'duplicate entry' });
      continue;
    }
    result.files += 1;
    result.bytes += entry.data.length;
  }
  return result;
}
