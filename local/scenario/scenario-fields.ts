/**
 * The scenario format's field primitives (scenario-file.ts): the error that names the field, how a bad value is
 * shown, and the checks every field goes through; and the bounds of each field.
 */
import { MAX_CONSENT_TEXT } from '../../lambdas/shared/recording-request';

/** Bounds, each the real service's or what the twin can honour (README, "Scenario format"). */
export const LIMITS = {
  /** Calls in one run (a file's calls, or `npm start -- --calls N`): each holds timers and a WAV in memory. */
  calls: 100_000,
  /** The SMA ends a call after 4 hours at most; a call of the twin is at most that. */
  durationSeconds: 4 * 3600,
  /** A recording that lands an hour late is long past any verification deadline; later only holds memory. */
  deliveryDelaySeconds: 3600,
  /** Speak's Text (and the workflow's own check): longer is refused before anything starts. */
  consentTextCharacters: MAX_CONSENT_TEXT,
  /** S3's key limit: no longer location can name a valid destination (shorter invalid ones drive INVALID_INPUT). */
  locationCharacters: 1024,
  /** S3: user-defined metadata of a PUT is at most 2 KB (names and values, UTF-8). */
  metadataBytes: 2048,
  /** An update held longer than a minute is no longer a race but a lost update; the workflow's callbacks time out at 30 s. */
  updateDelaySeconds: 60,
  /** A recording that starts more than 10 minutes late is not a late start; the call is 4 hours at most. */
  startRecordingDelaySeconds: 600,
  /** Key presses per call, and keys per press (a digit collection takes at most 128: MaxNumberOfDigits). */
  digitPresses: 50,
  digitsPerPress: 128,
  /** Recording controls per call: pause and resume as often as needed, but 50 is far past any real call's. */
  controls: 50,
} as const;
const ELIDE_AT = 60;
export class ScenarioError extends Error {
  constructor(
    readonly field: string,
    /** What is wrong, without the field's name (the message is "field: reason"). */
    readonly reason: string,
    options?: ErrorOptions,
  ) {
    super(`${field}: ${reason}`, options);
    this.name = 'ScenarioError';
  }
}

/**
 * A value as an error message shows it: JSON, long ones elided (a 5,000-character id must not flood the
 * terminal), and numbers JSON cannot carry named for what they are (JSON.parse reads 1e400 as Infinity,
 * which JSON.stringify would show as null).
 */
export function shown(v: unknown): string {
  if (typeof v === 'number' && !Number.isFinite(v)) return 'a number outside the double range';
  const s = JSON.stringify(v) ?? String(v);
  return s.length <= ELIDE_AT ? s : `${s.slice(0, ELIDE_AT)}… (${s.length} characters)`;
}
export const shownName = (k: string) => (k.length <= ELIDE_AT ? k : `${k.slice(0, ELIDE_AT)}… (${k.length} characters)`);

export type Obj = Record<string, unknown>;
export const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

export function onlyKeys(o: Obj, allowed: string[], at: string) {
  for (const k of Object.keys(o))
    if (!allowed.includes(k)) throw new ScenarioError(`${at}.${shownName(k)}`, `unknown field (allowed: ${allowed.join(', ')})`);
}
export function num(v: unknown, field: string, min: number, max: number, what = ''): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max)
    throw new ScenarioError(field, `must be a number in [${min}, ${max}]${what}, got ${shown(v)}`);
  return v;
}
export function int(v: unknown, field: string, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max)
    throw new ScenarioError(field, `must be an integer in [${min}, ${max}], got ${shown(v)}`);
  return v;
}
export function bool(v: unknown, field: string): boolean {
  if (typeof v !== 'boolean') throw new ScenarioError(field, `must be true or false, got ${shown(v)}`);
  return v;
}
export function errorList(v: unknown, field: string, allowed: string[]): string[] {
  if (!Array.isArray(v) || v.length > 20) throw new ScenarioError(field, 'must be an array of at most 20 error names');
  v.forEach((e, i) => {
    if (typeof e !== 'string' || !allowed.includes(e))
      throw new ScenarioError(`${field}[${i}]`, `must be one of ${allowed.join(', ')}, got ${shown(e)}`);
  });
  return v as string[];
}
