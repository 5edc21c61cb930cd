/**
 * Wait: delays by Seconds (non-negative integer) or until Timestamp (RFC 3339), either possibly a
 * JSONata string; then Assign/Output as in Pass. All waiting goes through the injected clock.
 */
import { invalidSeconds, invalidTimestamp } from '../causes';
import { MAX_SECONDS, type WaitState, parseTimestamp } from '../definition';
import { type StateOutcome, type StateRuntime, transition } from './runtime';

export async function runWait(state: WaitState, input: unknown, rt: StateRuntime): Promise<StateOutcome> {
  if (state.Seconds !== undefined) {
    const seconds = await rt.evaluate(state.Seconds, 'Seconds');
    if (typeof seconds !== 'number' || !Number.isInteger(seconds) || seconds < 0 || seconds > MAX_SECONDS) {
      throw rt.invalidField('Seconds', invalidSeconds('Seconds', 0, MAX_SECONDS, seconds));
    }
    await rt.sleep(seconds * 1000);
  } else {
    const ts = await rt.evaluate(state.Timestamp, 'Timestamp');
    const at = parseTimestamp(ts);
    if (at === undefined) {
      throw rt.invalidField('Timestamp', invalidTimestamp(ts));
    }
    await rt.sleepUntil(at);
  }
  const assign = await rt.evaluateAssign(state.Assign, 'Assign');
  const output = state.Output === undefined ? input : await rt.evaluate(state.Output, 'Output');
  return transition(state, output, assign);
}
