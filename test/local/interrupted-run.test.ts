/**
 * Ctrl-C during a run (SIGINT, and SIGTERM from a supervisor) ends `npm start` as the signal would, and leaves no
 * lock file in the data folder (local/twin/data-dir.ts): the next run finds the folder free without having to
 * judge a stale lock, and nothing says a dead run still holds it.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LOCK_FILE } from '../../local/twin/data-dir';

const ROOT = join(__dirname, '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'interrupted-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** `npm start -- --calls 5000` in a node process of its own, resolved once the twin says it is up. */
function startRun(dataDir: string): Promise<{ child: ChildProcess; exited: Promise<{ code: number | null; signal: string | null }> }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(ROOT, 'local', 'start.ts'), '--calls', '5000', '--no-export', '--data-dir', dataDir],
    {
      cwd: ROOT,
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  return new Promise((resolve, reject) => {
    let err = '';
    child.stderr!.on('data', (c: Buffer) => {
      err += c.toString();
      if (err.includes('local twin up')) resolve({ child, exited });
    });
    exited.then(() => reject(new Error(`the run ended before the twin was up: ${err}`)));
  });
}

it.each(['SIGINT', 'SIGTERM'] as const)(
  '%s during the run: the process ends by that signal, the lock file is gone',
  async (signal) => {
    const dataDir = join(dir, signal);
    const { child, exited } = await startRun(dataDir);
    expect(existsSync(join(dataDir, LOCK_FILE))).toBe(true); // the premise: the run holds the folder
    child.kill(signal);
    expect(await exited).toEqual({ code: null, signal });
    expect(existsSync(join(dataDir, LOCK_FILE))).toBe(false);
    expect(existsSync(join(dataDir, '.recording-twin-data'))).toBe(true); // the folder stays the twin's
  },
  60_000,
);
