/**
 * What the twin's command-line tools (`npm start`, `npm run simulate`) share: numeric option parsers, and
 * commander set up so that usage errors return exit code 2 through the caller's own output streams.
 */
import { type Command, CommanderError, InvalidArgumentError } from 'commander';

export interface Io {
  stdout: { write(s: string): unknown };
  stderr: { write(s: string): unknown; isTTY?: boolean };
}

/** An option parser for a positive number (or integer), naming the option in its error. */
export const positive = (name: string, integer: boolean) => (v: string) => {
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n))) {
    const why = Math.abs(n) === Infinity ? ' (that is outside the double range)' : '';
    throw new InvalidArgumentError(`${name} must be a positive ${integer ? 'integer' : 'number'}${why}`);
  }
  return n;
};

/** An option parser for a seed: an integer in [0, 2^53 - 1]. */
export const seedOption = (name: string) => (v: string) => {
  const n = Number(v);
  if (!/^\d+$/.test(v.trim()) || !Number.isSafeInteger(n))
    throw new InvalidArgumentError(`${name} must be an integer from 0 to ${Number.MAX_SAFE_INTEGER}`);
  return n;
};

/** An option parser for an integer within bounds (what the twin can honour), naming the option in its error. */
export const integerIn = (name: string, min: number, max: number) => (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) {
    const why = Math.abs(n) === Infinity ? ' (that is outside the double range)' : '';
    throw new InvalidArgumentError(`${name} must be an integer from ${min} to ${max}${why}`);
  }
  return n;
};

/** Error text with any run of more than 300 non-blank characters elided (an ARN or a path stays whole): commander echoes a bad value whole. */
export function elideLongRuns(text: string): string {
  return text.replace(/\S{301,}/g, (run) => `${run.slice(0, 100)}… (${run.length} characters)`);
}

/** Parses argv; returns undefined to go on, or the exit code (0 after --help, 2 for a usage error). */
export function parseCommandLine(program: Command, argv: string[], io: Io): number | undefined {
  program.exitOverride().configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(elideLongRuns(s)) });
  try {
    program.parse(argv, { from: 'user' });
    return undefined;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 2;
    throw e;
  }
}
