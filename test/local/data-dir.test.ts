/**
 * The twin's data folder (local/twin/data-dir.ts): only a folder the twin made is ever emptied, anything
 * else is refused before a file is touched, and a folder in use by another run is refused, never wiped.
 * Every case runs in a fresh temp folder; "someone's files" are files this test made and checks are intact.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataDirError, LOCK_FILE, MARKER_FILE, claimDataDir } from '../../local/twin/data-dir';
import { main as startMain } from '../../local/start';
import { main as simulateMain } from '../../scripts/simulate';
import { startTwin } from '../../local/twin/twin';

let tmp: string;
beforeEach(() => {
  tmp = mkdtempSync(join(tmpdir(), 'data-dir-'));
});
afterEach(() => rmSync(tmp, { recursive: true, force: true }));

/** A folder with someone's files in it. */
function someonesFolder(): string {
  const dir = join(tmp, 'someone');
  mkdirSync(join(dir, 'notes'), { recursive: true });
  writeFileSync(join(dir, 'thesis.txt'), 'years of work');
  writeFileSync(join(dir, 'notes', 'a.md'), 'notes');
  return dir;
}

async function refusal(dir: string): Promise<DataDirError> {
  const e = await claimDataDir(dir).then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(DataDirError);
  return e as DataDirError;
}

function capture() {
  let out = '';
  let err = '';
  return {
    io: { stdout: { write: (s: string) => ((out += s), true) }, stderr: { write: (s: string) => ((err += s), true) } },
    out: () => out,
    err: () => err,
  };
}

describe('claimDataDir', () => {
  it('creates a new folder with the marker and a lock naming this process; release removes the lock only', async () => {
    const dir = join(tmp, 'new', 'twin');
    const claim = await claimDataDir(dir);
    expect(readdirSync(dir).sort()).toEqual([MARKER_FILE, LOCK_FILE].sort());
    expect(JSON.parse(readFileSync(join(dir, LOCK_FILE), 'utf8'))).toMatchObject({ pid: process.pid, startedAt: expect.any(String) });
    await claim.release();
    expect(readdirSync(dir)).toEqual([MARKER_FILE]);
  });

  it('adopts an empty folder (marker written)', async () => {
    const dir = join(tmp, 'empty');
    mkdirSync(dir);
    await (await claimDataDir(dir)).release();
    expect(readdirSync(dir)).toEqual([MARKER_FILE]);
  });

  it('empties a marked folder of everything but its marker; keeps it all with wipe: false', async () => {
    const dir = join(tmp, 'twin');
    await (await claimDataDir(dir)).release();
    mkdirSync(join(dir, 'call-recordings-local', 'a'), { recursive: true });
    writeFileSync(join(dir, 'call-recordings-local', 'a', 'x._S3rver_object'), 'old');
    writeFileSync(join(dir, 'endpoints.json'), '{}');
    await (await claimDataDir(dir, { wipe: false })).release();
    expect(readdirSync(dir).sort()).toEqual([MARKER_FILE, 'call-recordings-local', 'endpoints.json'].sort());
    await (await claimDataDir(dir)).release();
    expect(readdirSync(dir)).toEqual([MARKER_FILE]);
  });

  it('refuses a folder with files and no marker, and deletes nothing in it', async () => {
    const dir = someonesFolder();
    const e = await refusal(dir);
    expect(e.message).toMatch(/is not empty and was not made by the twin \(no \.recording-twin-data file\)/);
    expect(readdirSync(dir).sort()).toEqual(['notes', 'thesis.txt']);
    expect(readFileSync(join(dir, 'thesis.txt'), 'utf8')).toBe('years of work');
  });

  it('refuses a regular file (it is not replaced by a folder)', async () => {
    const file = join(tmp, 'file.txt');
    writeFileSync(file, 'keep me');
    expect((await refusal(file)).reason).toMatch(/^is a file, not a folder/);
    expect(readFileSync(file, 'utf8')).toBe('keep me');
  });

  it('refuses /proc and /sys up front (no probe that could hang), also through a symlink', async () => {
    expect((await refusal('/proc/self/twin')).reason).toBe('is under /proc, a kernel file system, not storage');
    expect((await refusal('/sys/kernel/twin')).reason).toBe('is under /sys, a kernel file system, not storage');
    expect((await refusal('/proc')).reason).toMatch(/under \/proc/);
    symlinkSync('/proc', join(tmp, 'link'));
    expect((await refusal(join(tmp, 'link', 'self', 'twin'))).reason).toMatch(/under \/proc/);
  });

  it('refuses a folder that cannot be made (its parent is a file), naming the error', async () => {
    writeFileSync(join(tmp, 'plain'), 'x');
    expect((await refusal(join(tmp, 'plain', 'twin'))).reason).toMatch(/^cannot be (written|read) \(ENOTDIR\)$/);
    expect(readFileSync(join(tmp, 'plain'), 'utf8')).toBe('x');
  });

  it('refuses a folder another claim holds, naming its pid, and leaves its data alone', async () => {
    const dir = join(tmp, 'twin');
    const first = await claimDataDir(dir);
    writeFileSync(join(dir, 'endpoints.json'), '{"live": true}');
    const e = await refusal(dir);
    expect(e.reason).toMatch(new RegExp(`^is in use by this process \\(pid ${process.pid}, started \\S+\\): stop that run first`));
    expect(readFileSync(join(dir, 'endpoints.json'), 'utf8')).toBe('{"live": true}');
    await first.release();
    await (await claimDataDir(dir)).release();
  });

  it('refuses a folder locked by another live process', async () => {
    const dir = join(tmp, 'twin');
    await (await claimDataDir(dir)).release();
    // The parent of this test: alive for as long as the test runs, and not this process.
    writeFileSync(join(dir, LOCK_FILE), JSON.stringify({ pid: process.ppid, startedAt: '2026-01-01T00:00:00.000Z' }));
    expect((await refusal(dir)).reason).toMatch(
      new RegExp(`^is in use by another run \\(pid ${process.ppid}, started 2026-01-01T00:00:00.000Z\\)`),
    );
    expect(existsSync(join(dir, LOCK_FILE))).toBe(true);
  });

  it('takes over a stale lock (its process is gone)', async () => {
    const dir = join(tmp, 'twin');
    await (await claimDataDir(dir)).release();
    const gone = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout.toString();
    writeFileSync(join(dir, LOCK_FILE), JSON.stringify({ pid: Number(gone), startedAt: '2026-01-01T00:00:00.000Z' }));
    const claim = await claimDataDir(dir);
    expect(JSON.parse(readFileSync(join(dir, LOCK_FILE), 'utf8')).pid).toBe(process.pid);
    await claim.release();
  });
});

describe("npm start and npm run simulate refuse a data dir that is not the twin's: exit 2, one line, nothing deleted", () => {
  const cases: Array<[string, () => string, RegExp]> = [
    ['a folder with files', someonesFolder, /is not empty and was not made by the twin/],
    ['a regular file', () => (writeFileSync(join(tmp, 'f'), 'keep'), join(tmp, 'f')), /is a file, not a folder/],
    ['under /proc', () => '/proc/self/twin-data', /is under \/proc/],
    ['under /sys', () => '/sys/twin-data', /is under \/sys/],
  ];
  it.each(cases)('npm start: %s', async (_name, make, reason) => {
    const dir = make();
    const before = existsSync(dir) && !dir.startsWith('/proc') && !dir.startsWith('/sys') ? snapshot(dir) : undefined;
    const c = capture();
    expect(await startMain(['--calls', '1', '--data-dir', dir, '--no-export'], c.io)).toBe(2);
    expect(c.err().trimEnd().split('\n')).toEqual([expect.stringMatching(new RegExp(`^error: --data-dir ${escapeRegExp(dir)}: `))]);
    expect(c.err()).toMatch(reason);
    expect(c.out()).toBe('');
    if (before) expect(snapshot(dir)).toEqual(before);
  });

  it('npm run simulate: a folder with files', async () => {
    const dir = someonesFolder();
    const before = snapshot(dir);
    const c = capture();
    expect(await simulateMain(['--calls', '1', '--data-dir', dir], c.io)).toBe(2);
    expect(c.err()).toMatch(/^error: --data-dir .*: is not empty and was not made by the twin/);
    expect(snapshot(dir)).toEqual(before);
  });

  it("a second twin on a data dir in use is refused with the first one's pid; the first keeps its data", async () => {
    const dir = join(tmp, 'twin');
    const twin = await startTwin({ dataDir: dir, seed: 1 });
    try {
      writeFileSync(join(dir, 'endpoints.json'), '{"serving": true}');
      const before = snapshot(dir);
      const c = capture();
      expect(await startMain(['--calls', '1', '--data-dir', dir, '--no-export'], c.io)).toBe(2);
      expect(c.err()).toMatch(new RegExp(`^error: --data-dir .*: is in use by this process \\(pid ${process.pid}, `));
      expect(snapshot(dir)).toEqual(before);
    } finally {
      await twin.close();
    }
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
    expect(existsSync(join(dir, MARKER_FILE))).toBe(true);
  }, 60_000);
});

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Every file under dir with its content. */
function snapshot(dir: string): Record<string, string> {
  if (!existsSync(dir)) return {};
  const out: Record<string, string> = {};
  const walk = (d: string, rel: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(d, e.name), `${rel}${e.name}/`);
      else out[`${rel}${e.name}`] = readFileSync(join(d, e.name), 'utf8');
    }
  };
  try {
    walk(dir, '');
  } catch {
    return { '<file>': readFileSync(dir, 'utf8') };
  }
  return out;
}
