/**
 * What every command-line tool of the project shares (the operations CLI, `npm start`, `npm run simulate`):
 * the output streams, numeric option parsers whose errors name the option, and commander set up so that usage
 * errors return exit code 2 through the caller's own output streams. Here, beside the CLI, because the twin
 * already builds on cli/ (its console reads executions through it) and never the other way round.
 */
import { type Command, CommanderError, InvalidArgumentError } from 'commander';
import { elideLongRuns } from './format';

export { elideLongRuns };

export interface Output {
  write(text: string): unknown;
  /** Progress lines are drawn only on a terminal (a redirected stderr stays clean). */
  isTTY?: boolean;
}

/** Where a tool writes: passed in, so tests run the tools in-process. */
export interface Io {
  stdout: Output;
  stderr: Output;
}

/**
 * An integer option is written in decimal digits, with an optional minus sign, and nothing else: Number() alone
 * also takes "0x10", "1e1", " 3" and "" (0), which a typo should not turn into a run of 16, 10 or 3 calls.
 */
const DECIMAL_INTEGER = /^-?[0-9]+$/;

const notDecimal = (v: string) => (DECIMAL_INTEGER.test(v) ? '' : ` in decimal digits, got ${JSON.stringify(v)}`);

/** Number('1e400') is Infinity: said as such, not as "not a number". */
const outsideDouble = (n: number) => (Math.abs(n) === Infinity ? ' (that is outside the double range)' : '');

/** An option parser for a positive number (or integer), naming the option (and the unit, if given) in its error. */
export const positive =
  (name: string, integer: boolean, unit = '') =>
  (v: string) => {
    const n = integer && !DECIMAL_INTEGER.test(v) ? Number.NaN : Number(v);
    if (!Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n)))
      throw new InvalidArgumentError(
        `${name} must be a positive ${integer ? 'integer' : 'number'}${unit && ` of ${unit}`}${integer ? notDecimal(v) : ''}${outsideDouble(n)}`,
      );
    return n;
  };

/** An option parser for a seed: an integer in [0, 2^53 - 1]. */
export const seedOption = (name: string) => (v: string) => {
  const n = Number(v);
  if (!/^[0-9]+$/.test(v) || !Number.isSafeInteger(n))
    throw new InvalidArgumentError(`${name} must be an integer from 0 to ${Number.MAX_SAFE_INTEGER}`);
  return n;
};

/** An option parser for an integer within bounds (what the twin can honour), naming the option in its error. */
export const integerIn = (name: string, min: number, max: number) => (v: string) => {
  const n = DECIMAL_INTEGER.test(v) ? Number(v) : Number.NaN;
  if (!Number.isInteger(n) || n < min || n > max)
    throw new InvalidArgumentError(`${name} must be an integer from ${min} to ${max}${notDecimal(v)}${outsideDouble(n)}`);
  return n;
};

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
