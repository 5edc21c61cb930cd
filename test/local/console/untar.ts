/**
 * A POSIX tar (ustar) reader for the browser package's archives: regular files and folders only (anything else,
 * links included, is refused), names kept inside the target folder.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, normalize, sep } from 'node:path';

function field(block: Buffer, start: number, length: number): string {
  const raw = block.subarray(start, start + length);
  const end = raw.indexOf(0);
  return raw.subarray(0, end === -1 ? length : end).toString('utf8');
}

/** Writes the archive's files under `into`; returns the paths written, relative to it. */
export function untar(archive: Buffer, into: string): string[] {
  const written: string[] = [];
  for (let at = 0; at + 512 <= archive.length; ) {
    const header = archive.subarray(at, at + 512);
    if (header.every((b) => b === 0)) break; // end of archive
    const prefix = field(header, 345, 155);
    const name = normalize(prefix ? `${prefix}/${field(header, 0, 100)}` : field(header, 0, 100));
    const size = Number.parseInt(field(header, 124, 12).trim() || '0', 8);
    const type = String.fromCharCode(header[156] || 0x30);
    if (!Number.isSafeInteger(size) || size < 0 || at + 512 + size > archive.length) throw new Error(`tar: bad size for ${name}`);
    if (name.startsWith('..') || name.startsWith(sep)) throw new Error(`tar: ${name} leaves the target folder`);
    const target = join(into, name);
    if (type === '5') mkdirSync(target, { recursive: true });
    else if (type === '0') {
      mkdirSync(dirname(target), { recursive: true });
      const mode = Number.parseInt(field(header, 100, 8).trim() || '644', 8) & 0o755;
      writeFileSync(target, archive.subarray(at + 512, at + 512 + size), { mode });
      written.push(name);
    } else throw new Error(`tar: ${name} is of type ${type}, not a file or folder`);
    at += 512 + Math.ceil(size / 512) * 512;
  }
  return written;
}
