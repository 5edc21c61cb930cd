/**
 * The twin's data folder is the twin's own: it is wiped at every start, so the twin must never mistake
 * someone else's folder for it. A folder is the twin's when it carries the marker file the twin writes on
 * creating it (or on adopting an empty one); anything else (a folder with files and no marker, a regular
 * file, a kernel file system, somewhere that cannot be written) is refused before anything is touched.
 * A lock file (pid and start time) keeps two runs off one folder: the second refuses and names the first;
 * a lock whose pid is gone is stale and taken over.
 *
 * Hand-written: lock-file packages (proper-lockfile & co.) lock a file beside the target and know nothing
 * of the ownership marker, which is the point here; the lock itself is twenty lines of link(2).
 */
import { constants, unlinkSync } from 'node:fs';
import { link, mkdir, readFile, readdir, realpath, rm, stat, unlink, writeFile } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';

/** Written into every folder the twin makes; only folders carrying it are ever wiped. */
export const MARKER_FILE = '.recording-twin-data';
/** Present while a run uses the folder: {"pid": ..., "startedAt": ...}. */
export const LOCK_FILE = '.recording-twin.lock';
/** Kernel and device file systems: not storage, and walking them can hang (/proc) or fail half-way (/sys). */
const PSEUDO_ROOTS = ['/proc', '/sys', '/dev'];
/** Every probe of the folder is bounded: a stuck mount (or a pseudo file system) must not hang the run. */
export const DEFAULT_PROBE_TIMEOUT_MS = 10_000;

export class DataDirError extends Error {
  constructor(
    readonly dir: string,
    readonly reason: string,
    options?: ErrorOptions,
  ) {
    super(`${dir}: ${reason}`, options);
    this.name = 'DataDirError';
  }
}

export interface DataDirClaim {
  /** Absolute path of the folder. */
  dir: string;
  /** Removes this run's lock (the marker and the data stay). */
  release(): Promise<void>;
}

interface LockContent {
  pid: number;
  startedAt: string;
}

/** Folders this process holds: a second claim from the same process (a second twin) is refused too. */
const heldHere = new Set<string>();

/**
 * A signal that would end the process (Ctrl-C during a run, a supervisor's SIGTERM) would leave the lock behind:
 * while this process holds a folder, such a signal removes its locks first and is then raised again, so the process
 * still ends by it. A program that handles the signal itself (`npm start -- --serve` waiting for Ctrl-C) closes its
 * twin, which releases the lock: the locks are left to it.
 */
const FATAL_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/** One handler per signal (a `process.emit('SIGINT')` passes no name to its listeners). */
const releaseOn = Object.fromEntries(FATAL_SIGNALS.map((signal) => [signal, () => releaseOnSignal(signal)])) as Record<
  (typeof FATAL_SIGNALS)[number],
  () => void
>;

function releaseOnSignal(signal: (typeof FATAL_SIGNALS)[number]): void {
  if (process.listenerCount(signal) > 1) return;
  for (const abs of heldHere) {
    try {
      unlinkSync(join(abs, LOCK_FILE));
    } catch {
      // already gone
    }
  }
  heldHere.clear();
  watchSignals(false);
  process.kill(process.pid, signal);
}

function watchSignals(on: boolean): void {
  for (const signal of FATAL_SIGNALS) {
    process.off(signal, releaseOn[signal]);
    if (on) process.on(signal, releaseOn[signal]);
  }
}

function hold(abs: string): void {
  if (heldHere.size === 0) watchSignals(true);
  heldHere.add(abs);
}

function unhold(abs: string): void {
  heldHere.delete(abs);
  if (heldHere.size === 0) watchSignals(false);
}

const isUnder = (path: string, root: string) => path === root || path.startsWith(root + sep);
const code = (e: unknown) => (e as NodeJS.ErrnoException).code ?? (e as Error).message;

async function bounded<T>(what: Promise<T>, ms: number, dir: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DataDirError(dir, `the file system did not answer within ${ms / 1000} s (a stuck mount?)`)), ms);
    timer.unref();
  });
  try {
    return await Promise.race([what, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** The path with its nearest existing ancestor resolved through symlinks (a link into /proc is /proc). */
async function realTarget(abs: string): Promise<string> {
  let existing = abs;
  const rest: string[] = [];
  for (;;) {
    try {
      return join(await realpath(existing), ...rest);
    } catch {
      const parent = dirname(existing);
      if (parent === existing) return abs;
      rest.unshift(existing.slice(parent.length).replace(/^\/+/, ''));
      existing = parent;
    }
  }
}

function refusePseudo(abs: string, shown: string): void {
  const root = PSEUDO_ROOTS.find((r) => isUnder(abs, r));
  if (root) throw new DataDirError(shown, `is under ${root}, a kernel file system, not storage`);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return code(e) === 'EPERM'; // exists, owned by someone else
  }
}

/**
 * Checks the folder, takes its lock, and (unless `wipe` is false) empties it of everything but the marker
 * and the lock. Throws DataDirError, having deleted nothing, when the folder is not the twin's to use.
 */
export async function claimDataDir(dir: string, options: { wipe?: boolean; probeTimeoutMs?: number } = {}): Promise<DataDirClaim> {
  const ms = options.probeTimeoutMs ?? DEFAULT_PROBE_TIMEOUT_MS;
  const abs = resolve(dir);
  // Up front, before any file-system call: the path as given, then as it resolves through symlinks.
  refusePseudo(abs, dir);
  const run = <T>(p: Promise<T>) => bounded(p, ms, dir);
  refusePseudo(await run(realTarget(abs)), dir);

  let entries: string[] | undefined;
  try {
    const s = await run(stat(abs));
    if (!s.isDirectory()) throw new DataDirError(dir, 'is a file, not a folder (the twin needs a folder of its own)');
    entries = await run(readdir(abs));
  } catch (e) {
    if (e instanceof DataDirError) throw e;
    if (code(e) !== 'ENOENT') throw new DataDirError(dir, `cannot be read (${code(e)})`, { cause: e });
  }
  if (entries && entries.length > 0 && !entries.includes(MARKER_FILE)) {
    throw new DataDirError(
      dir,
      `is not empty and was not made by the twin (no ${MARKER_FILE} file); the twin empties its data folder at start, so it takes only a new or empty folder: choose another, or delete this one yourself`,
    );
  }
  try {
    await run(mkdir(abs, { recursive: true }));
    if (!entries?.includes(MARKER_FILE))
      await run(
        writeFile(
          join(abs, MARKER_FILE),
          'This folder belongs to the local twin (npm start / npm run simulate): its contents are deleted at every start.\n',
        ),
      );
  } catch (e) {
    if (e instanceof DataDirError) throw e;
    throw new DataDirError(dir, `cannot be written (${code(e)})`, { cause: e });
  }

  const lock = await run(takeLock(abs, dir));
  hold(abs);
  try {
    if (options.wipe !== false) {
      for (const name of await run(readdir(abs))) {
        if (name === MARKER_FILE || name === LOCK_FILE) continue;
        await run(rm(join(abs, name), { recursive: true, force: true }));
      }
    }
  } catch (e) {
    unhold(abs);
    await unlink(join(abs, LOCK_FILE)).catch(() => undefined);
    if (e instanceof DataDirError) throw e;
    throw new DataDirError(dir, `cannot be emptied (${code(e)})`, { cause: e });
  }

  let released = false;
  return {
    dir: abs,
    async release() {
      if (released) return;
      released = true;
      unhold(abs);
      // Only our own lock: a run that took over a lock we lost (it cannot, while we live) keeps its own.
      const current = await readLock(join(abs, LOCK_FILE));
      if (current?.pid === lock.pid && current.startedAt === lock.startedAt) await unlink(join(abs, LOCK_FILE)).catch(() => undefined);
    },
  };
}

async function readLock(file: string): Promise<LockContent | undefined> {
  try {
    const parsed = JSON.parse(await readFile(file, 'utf8'));
    return typeof parsed?.pid === 'number' ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The lock is written to a private file first and then link(2)ed into place: link fails if the lock exists,
 * atomically, and a lock that exists is always complete (no half-written file to misread as stale).
 */
async function takeLock(abs: string, shown: string): Promise<LockContent> {
  const file = join(abs, LOCK_FILE);
  const mine: LockContent = { pid: process.pid, startedAt: new Date().toISOString() };
  const temp = `${file}.${process.pid}.${Date.now()}`;
  try {
    await writeFile(temp, JSON.stringify(mine) + '\n', { flag: constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY });
  } catch (e) {
    throw new DataDirError(shown, `cannot be written (${code(e)})`, { cause: e });
  }
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        await link(temp, file);
        return mine;
      } catch (e) {
        if (code(e) !== 'EEXIST') throw new DataDirError(shown, `cannot be written (${code(e)})`, { cause: e });
      }
      const held = await readLock(file);
      // Our own pid in a lock this process does not hold: left by an earlier process that had our pid.
      const stale = held !== undefined && (held.pid === process.pid ? !heldHere.has(abs) : !alive(held.pid));
      if (!stale || attempt > 0) {
        const who = held
          ? `${held.pid === process.pid ? 'this process' : 'another run'} (pid ${held.pid}, started ${held.startedAt})`
          : 'another run';
        throw new DataDirError(
          shown,
          `is in use by ${who}: stop that run first or choose another folder (if that process is gone, delete ${file})`,
        );
      }
      await unlink(file).catch(() => undefined); // stale: the process that wrote it is gone
    }
  } finally {
    await unlink(temp).catch(() => undefined);
  }
}
