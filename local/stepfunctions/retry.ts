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
import type { CatcherDef, RetrierDef } from './definition';
import { errorMatches } from './errors';

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
