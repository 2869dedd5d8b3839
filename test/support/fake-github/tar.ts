import { gzipSync } from 'node:zlib';

/** Builds the .tar.gz GitHub serves for a commit, in memory, including hostile entries on request. */

export type FakeFile = string | Buffer | { symlink: string } | { rawName: string; content: string };

function header(name: string, size: number, type: string, linkname = ''): Buffer {
  const block = Buffer.alloc(512, 0);
  block.write(name.slice(0, 100), 0, 'utf8');
  block.write('0000644\0', 100, 'ascii');
  block.write('0000000\0', 108, 'ascii');
  block.write('0000000\0', 116, 'ascii');
  block.write(`${size.toString(8).padStart(11, '0')}\0`, 124, 'ascii');
  block.write(`${Math.floor(Date.UTC(2026, 0, 1) / 1000).toString(8).padStart(11, '0')}\0`, 136, 'ascii');
  block.write('        ', 148, 'ascii'); // checksum placeholder
  block.write(type, 156, 'ascii');
  block.write(linkname.slice(0, 100), 157, 'utf8');
  block.write('ustar\0', 257, 'ascii');
  block.write('00', 263, 'ascii');
  let sum = 0;
  for (const b of block) sum += b;
  block.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'ascii');
  return block;
}

function pad(data: Buffer): Buffer {
  const rest = data.length % 512;
  return rest === 0 ? data : Buffer.concat([data, Buffer.alloc(512 - rest, 0)]);
}

function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`;
  let len = body.length + 1;
  while (String(len).length + body.length !== len) len = String(len).length + body.length;
  return `${len}${body}`;
}

function entry(name: string, data: Buffer, type: string, linkname = ''): Buffer[] {
  const out: Buffer[] = [];
  if (Buffer.byteLength(name) > 100 || Buffer.byteLength(linkname) > 100) {
    const pax = Buffer.from(paxRecord('path', name) + (linkname ? paxRecord('linkpath', linkname) : ''), 'utf8');
    out.push(header('PaxHeader', pax.length, 'x'), pad(pax));
  }
  out.push(header(name, data.length, type, linkname), pad(data));
  return out;
}

/** A tarball like GitHub's: a pax global header, then everything under `<prefix>/`. */
export function buildTarGz(prefix: string, files: Record<string, FakeFile>): Buffer {
  const parts: Buffer[] = [];
  const global = Buffer.from(paxRecord('comment', 'fake-github'), 'utf8');
  parts.push(header('pax_global_header', global.length, 'g'), pad(global));
  parts.push(...entry(`${prefix}/`, Buffer.alloc(0), '5'));
  const dirs = new Set<string>();
  for (const path of Object.keys(files).sort()) {
    const value = files[path];
    if (typeof value === 'object' && !Buffer.isBuffer(value) && 'rawName' in value) {
      parts.push(...entry(value.rawName, Buffer.from(value.content), '0'));
      continue;
    }
    const segments = path.split('/');
    for (let i = 1; i < segments.length; i++) {
      const dir = segments.slice(0, i).join('/');
      if (!dirs.has(dir)) {
        dirs.add(dir);
        parts.push(...entry(`${prefix}/${dir}/`, Buffer.alloc(0), '5'));
      }
    }
    if (typeof value === 'object' && !Buffer.isBuffer(value)) parts.push(...entry(`${prefix}/${path}`, Buffer.alloc(0), '2', value.symlink));
    else parts.push(...entry(`${prefix}/${path}`, Buffer.isBuffer(value) ? value : Buffer.from(value, 'utf8'), '0'));
  }
  parts.push(Buffer.alloc(1024, 0));
  return gzipSync(Buffer.concat(parts));
}
