import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { untar } from './untar';

/** One ustar member: a 512-byte header (checksum unchecked by untar) and the content padded to 512. */
function member(name: string, content: string, type = '0', mode = '0000755'): Buffer {
  const header = Buffer.alloc(512);
  header.write(name, 0);
  header.write(mode, 100);
  header.write(Buffer.byteLength(content).toString(8).padStart(11, '0'), 124);
  header.write(type, 156);
  header.write('ustar', 257);
  const body = Buffer.alloc(Math.ceil(Buffer.byteLength(content) / 512) * 512);
  body.write(content);
  return Buffer.concat([header, body]);
}
const archive = (...members: Buffer[]) => Buffer.concat([...members, Buffer.alloc(1024)]);

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'untar-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

test('writes folders and files with their content and executable bit', () => {
  const big = 'x'.repeat(700);
  const written = untar(
    archive(member('lib/', '', '5'), member('lib/libnss3.so', big), member('fonts.conf', '<fc/>', '0', '0000644')),
    dir,
  );
  expect(written).toEqual(['lib/libnss3.so', 'fonts.conf']);
  expect(readFileSync(join(dir, 'lib/libnss3.so'), 'utf8')).toBe(big);
  expect(readFileSync(join(dir, 'fonts.conf'), 'utf8')).toBe('<fc/>');
  expect(statSync(join(dir, 'lib/libnss3.so')).mode & 0o111).not.toBe(0);
  expect(statSync(join(dir, 'fonts.conf')).mode & 0o111).toBe(0);
});

test('refuses names outside the folder, links and truncated archives', () => {
  expect(() => untar(archive(member('../evil', 'x')), dir)).toThrow(/leaves the target folder/);
  expect(() => untar(archive(member('/etc/evil', 'x')), dir)).toThrow(/leaves the target folder/);
  expect(() => untar(archive(member('link', '', '2')), dir)).toThrow(/not a file or folder/);
  expect(() => untar(member('cut', 'y'.repeat(600)).subarray(0, 700), dir)).toThrow(/bad size/);
});
