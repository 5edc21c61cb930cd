/**
 * Wait: delays by Seconds (non-negative integer) or until Timestamp (RFC 3339), either possibly a
 * JSONata string; then Assign/Output as in Pass. All waiting goes through the injected clock.
 */
import { invalidSeconds, invalidTimestamp } from '../causes';
import { isJsonataString } from '../jsonata-eval';
import { isNonNegativeInt, type ParseContext } from '../parse-context';
import { MAX_SECONDS, type WaitState, parseTimestamp } from '../state-types';
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

export function parseWait({ at, s, common, add, checkJsonata, checkAssign, checkTransition }: ParseContext): WaitState {
  const hasSeconds = s.Seconds !== undefined;
  const hasTimestamp = s.Timestamp !== undefined;
  if (hasSeconds === hasTimestamp) add('SCHEMA_VALIDATION_FAILED', 'A Wait state must contain exactly one of "Seconds" or "Timestamp"', at);
  if (hasSeconds && !isJsonataString(s.Seconds) && !(isNonNegativeInt(s.Seconds) && s.Seconds <= MAX_SECONDS)) {
    add('SCHEMA_VALIDATION_FAILED', 'Seconds must be a non-negative integer or a JSONata string', `${at}/Seconds`);
  }
  if (hasTimestamp && !isJsonataString(s.Timestamp) && parseTimestamp(s.Timestamp) === undefined) {
    add(
      'SCHEMA_VALIDATION_FAILED',
      'Timestamp must be an RFC 3339 timestamp (uppercase T; Z or offset) or a JSONata string',
      `${at}/Timestamp`,
    );
  }
  checkJsonata(s.Seconds, `${at}/Seconds`);
  checkJsonata(s.Timestamp, `${at}/Timestamp`);
  return {
    Type: 'Wait',
    ...common,
    Seconds: s.Seconds,
    Timestamp: s.Timestamp,
    Assign: checkAssign(s.Assign, `${at}/Assign`),
    ...checkTransition(),
  };
}
