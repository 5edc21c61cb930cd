/** faults.loseCallback of the scenario format: which workflow task's callbacks are lost, and how many. */
import { CALLBACK_STATES, type CallbackState } from '../sma/types';

export const MAX_LOST_CALLBACKS = 20;

/** Validates `v` (an object keyed by callback state, each a count); `problem(field, text)` makes the error to throw. */
export function parseLoseCallback(
  v: unknown,
  at: string,
  problem: (field: string, text: string) => Error,
): Partial<Record<CallbackState, number>> {
  const states = CALLBACK_STATES.join(', ');
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw problem(at, `must be an object keyed by workflow state (${states})`);
  const out: Partial<Record<CallbackState, number>> = {};
  for (const [state, n] of Object.entries(v)) {
    if (!(CALLBACK_STATES as readonly string[]).includes(state))
      throw problem(`${at}.${state}`, `is not a callback state; expected one of ${states}`);
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > MAX_LOST_CALLBACKS)
      throw problem(`${at}.${state}`, `must be an integer in [1, ${MAX_LOST_CALLBACKS}]`);
    out[state as CallbackState] = n;
  }
  return out;
}
