/**
 * Retrier and Catcher selection, and retry-interval arithmetic (States Language spec,
 * "Retrying after error" and "Fallback states").
 *
 * - The first Retrier whose ErrorEquals matches decides. If it has used up MaxAttempts, retries
 *   cease and normal error handling (Catch) resumes: a later Retrier is not consulted (spec,
 *   "Complex retry scenarios": the fourth error "would match the first retrier but its MaxAttempts
 *   ceiling ... has already been reached, so that Retrier fails").
 * - Attempt counts are per Retrier and live for one visit of the state; they reset when the
 *   interpreter transitions to another state.
 * - interval = IntervalSeconds * BackoffRate^(attempts already made by this Retrier), capped by
 *   MaxDelaySeconds; JitterStrategy FULL picks uniformly in [0, interval] (AWS "full jitter").
 */
import { errorMatches, StatesErrors } from './errors';
import { type Add, isNonNegativeInt, isObject, isPositiveInt, type ParseContext } from './parse-context';
import { type CatcherDef, MAX_SECONDS, type RetrierDef } from './state-types';

export type RetryDecision = { retry: true; retrierIndex: number; delayMs: number } | { retry: false };

export function decideRetry(retriers: readonly RetrierDef[], attempts: number[], errorName: string, random: () => number): RetryDecision {
  const i = retriers.findIndex((r) => errorMatches(r.ErrorEquals, errorName));
  if (i < 0) return { retry: false };
  const r = retriers[i];
  if (attempts[i] >= r.MaxAttempts) return { retry: false };
  const delayMs = retryDelayMs(r, attempts[i], random);
  attempts[i]++;
  return { retry: true, retrierIndex: i, delayMs };
}

/** Delay before retry number `attempt + 1` of this retrier, in milliseconds. */
export function retryDelayMs(r: RetrierDef, attempt: number, random: () => number): number {
  let seconds = r.IntervalSeconds * r.BackoffRate ** attempt;
  if (r.MaxDelaySeconds !== undefined) seconds = Math.min(seconds, r.MaxDelaySeconds);
  if (r.JitterStrategy === 'FULL') seconds = random() * seconds;
  return Math.round(seconds * 1000);
}

export function findCatcher(catchers: readonly CatcherDef[], errorName: string): CatcherDef | undefined {
  return catchers.find((c) => errorMatches(c.ErrorEquals, errorName));
}

// ---- parsing Retry and Catch (a Task state's fields) ----------------------------------------------------

const RETRIER_FIELDS = new Set([
  'ErrorEquals',
  'IntervalSeconds',
  'MaxAttempts',
  'BackoffRate',
  'MaxDelaySeconds',
  'JitterStrategy',
  'Comment',
]);
const CATCHER_FIELDS = new Set(['ErrorEquals', 'Next', 'Output', 'Assign', 'Comment']);

function checkErrorEquals(v: unknown, path: string, isLast: boolean, add: Add): string[] {
  if (!Array.isArray(v) || v.length === 0 || !v.every((e) => typeof e === 'string')) {
    add('SCHEMA_VALIDATION_FAILED', 'ErrorEquals must be a non-empty array of strings', path);
    return [];
  }
  if (v.includes(StatesErrors.ALL)) {
    if (v.length !== 1) add('SCHEMA_VALIDATION_FAILED', 'States.ALL must appear alone in ErrorEquals', path);
    if (!isLast) add('SCHEMA_VALIDATION_FAILED', 'States.ALL must appear in the last element', path);
  }
  return v as string[];
}

export function parseRetry(v: unknown, path: string, add: Add): RetrierDef[] {
  if (v === undefined) return [];
  if (!Array.isArray(v)) {
    add('SCHEMA_VALIDATION_FAILED', 'Retry must be an array', path);
    return [];
  }
  return v.map((r, i) => {
    const rp = `${path}[${i}]`;
    if (!isObject(r)) {
      add('SCHEMA_VALIDATION_FAILED', 'A Retrier must be an object', rp);
      return { ErrorEquals: [], IntervalSeconds: 1, MaxAttempts: 0, BackoffRate: 2, JitterStrategy: 'NONE' };
    }
    for (const k of Object.keys(r))
      if (!RETRIER_FIELDS.has(k)) add('SCHEMA_VALIDATION_FAILED', `Field "${k}" is not supported in a Retrier`, `${rp}/${k}`);
    const out: RetrierDef = {
      ErrorEquals: checkErrorEquals(r.ErrorEquals, `${rp}/ErrorEquals`, i === v.length - 1, add),
      IntervalSeconds: (r.IntervalSeconds as number) ?? 1,
      MaxAttempts: (r.MaxAttempts as number) ?? 3,
      BackoffRate: (r.BackoffRate as number) ?? 2.0,
      MaxDelaySeconds: r.MaxDelaySeconds as number | undefined,
      JitterStrategy: (r.JitterStrategy as 'FULL' | 'NONE') ?? 'NONE',
    };
    if (!(isPositiveInt(out.IntervalSeconds) && out.IntervalSeconds <= MAX_SECONDS))
      add('SCHEMA_VALIDATION_FAILED', 'IntervalSeconds must be a positive integer', `${rp}/IntervalSeconds`);
    if (!(isNonNegativeInt(out.MaxAttempts) && out.MaxAttempts <= MAX_SECONDS))
      add('SCHEMA_VALIDATION_FAILED', 'MaxAttempts must be a non-negative integer', `${rp}/MaxAttempts`);
    if (!(typeof out.BackoffRate === 'number' && out.BackoffRate >= 1.0))
      add('SCHEMA_VALIDATION_FAILED', 'BackoffRate must be a number >= 1.0', `${rp}/BackoffRate`);
    if (out.MaxDelaySeconds !== undefined && !(isPositiveInt(out.MaxDelaySeconds) && out.MaxDelaySeconds <= MAX_SECONDS)) {
      add('SCHEMA_VALIDATION_FAILED', 'MaxDelaySeconds must be a positive integer', `${rp}/MaxDelaySeconds`);
    }
    if (out.JitterStrategy !== 'FULL' && out.JitterStrategy !== 'NONE')
      add('SCHEMA_VALIDATION_FAILED', 'JitterStrategy must be "FULL" or "NONE"', `${rp}/JitterStrategy`);
    return out;
  });
}

export function parseCatch(v: unknown, path: string, { add, checkTarget, checkAssign, checkJsonata }: ParseContext): CatcherDef[] {
  if (v === undefined) return [];
  if (!Array.isArray(v)) {
    add('SCHEMA_VALIDATION_FAILED', 'Catch must be an array', path);
    return [];
  }
  return v.map((c, i) => {
    const cp = `${path}[${i}]`;
    if (!isObject(c)) {
      add('SCHEMA_VALIDATION_FAILED', 'A Catcher must be an object', cp);
      return { ErrorEquals: [], Next: '' };
    }
    for (const k of Object.keys(c))
      if (!CATCHER_FIELDS.has(k)) add('SCHEMA_VALIDATION_FAILED', `Field "${k}" is not supported in a JSONata Catcher`, `${cp}/${k}`);
    if (c.Output !== undefined) checkJsonata(c.Output, `${cp}/Output`);
    return {
      ErrorEquals: checkErrorEquals(c.ErrorEquals, `${cp}/ErrorEquals`, i === v.length - 1, add),
      Next: checkTarget(c.Next, `${cp}/Next`, 'Next') ?? '',
      Output: c.Output,
      Assign: checkAssign(c.Assign, `${cp}/Assign`),
    };
  });
}
