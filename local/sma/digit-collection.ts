/** SpeakAndGetDigits and PlayAudioAndGetDigits: the prompt, the wait for key presses, the failure prompt. */
import { intParam, isObject } from './actions';
import { connectedLeg, failed, nonEmpty, speakMs, targetLeg, wait } from './action-support';
import type { CallState, Outcome } from './call';
import { actionError, invalidParameter } from './errors';
import { type EmulatorRuntime, INTERRUPT, timerTag } from './runtime';

/** ErrorType of a digit collection that got no valid entry: the pages name none (unverified). */
export const DIGITS_NOT_RECEIVED = 'DigitsNotReceived';

/**
 * speak-and-get-digits / play-audio-and-get-digits: the prompt, then RepeatDurationInMilliseconds for the
 * digits; a wrong entry or none plays the failure prompt and starts again, Repeat times in all; then
 * ACTION_FAILED. Keys pressed during the prompt are taken (barge-in). A press arrives whole (the scenario's
 * `digits` string); trailing TerminatorDigits are removed. Defaults as the pages give them: MinNumberOfDigits
 * 0, MaxNumberOfDigits 128, TerminatorDigits ["#"], Repeat 2 (unverified).
 */
export async function getDigits(
  rt: EmulatorRuntime,
  call: CallState,
  type: string,
  p: Record<string, unknown>,
  signal: AbortSignal,
): Promise<Outcome> {
  let promptMs: number;
  let failureMs: number;
  if (type === 'SpeakAndGetDigits') {
    if (!connectedLeg(call, p.CallId)) return failed(invalidParameter('CallId'));
    const speech = p.SpeechParameters;
    const failure = p.FailureSpeechParameters;
    if (!isObject(speech) || !nonEmpty(speech.Text))
      return failed(actionError('MissingRequiredActionParameter', 'SpeechParameters.Text is a required parameter.'));
    if (!isObject(failure) || !nonEmpty(failure.Text))
      return failed(actionError('MissingRequiredActionParameter', 'FailureSpeechParameters.Text is a required parameter.'));
    promptMs = speakMs(rt, speech.Text);
    failureMs = speakMs(rt, failure.Text);
  } else {
    if (!targetLeg(call, p)) return failed(invalidParameter(p.CallId !== undefined ? 'CallId' : 'ParticipantTag'));
    for (const source of [p.AudioSource, p.FailureAudioSource]) {
      if (!isObject(source) || source.Type !== 'S3' || !nonEmpty(source.BucketName) || !nonEmpty(source.Key))
        return failed(actionError('InvalidAudioSource'));
    }
    promptMs = failureMs = rt.timing.playAudioSeconds * 1000;
  }
  const waitMs = intParam(p.RepeatDurationInMilliseconds);
  if (p.RepeatDurationInMilliseconds === undefined)
    return failed(actionError('MissingRequiredActionParameter', 'RepeatDurationInMilliseconds is a required parameter.'));
  if (waitMs === undefined || waitMs <= 0) return failed(invalidParameter('RepeatDurationInMilliseconds'));
  const min = p.MinNumberOfDigits === undefined ? 0 : intParam(p.MinNumberOfDigits);
  const max = p.MaxNumberOfDigits === undefined ? 128 : intParam(p.MaxNumberOfDigits);
  if (min === undefined || min < 0) return failed(invalidParameter('MinNumberOfDigits'));
  if (max === undefined || max < Math.max(1, min)) return failed(invalidParameter('MaxNumberOfDigits'));
  const repeat = p.Repeat === undefined ? 2 : intParam(p.Repeat);
  if (repeat === undefined || repeat < 1) return failed(invalidParameter('Repeat'));
  const terminators = Array.isArray(p.TerminatorDigits) ? p.TerminatorDigits.map(String) : ['#'];
  let pattern: RegExp | undefined;
  if (p.InputDigitsRegex !== undefined) {
    try {
      pattern = new RegExp(String(p.InputDigitsRegex));
    } catch {
      return failed(invalidParameter('InputDigitsRegex'));
    }
  }
  for (let attempt = 1; attempt <= repeat; attempt++) {
    const got = await collectDigits(rt, call, promptMs + waitMs, signal);
    if (got !== null && typeof got === 'object') return got;
    if (typeof got === 'string') {
      let digits = got;
      while (digits.length > 0 && terminators.includes(digits.at(-1)!)) digits = digits.slice(0, -1);
      if (digits.length >= Math.max(1, min) && digits.length <= max && (!pattern || pattern.test(got)))
        return { status: 'ok', extra: { ReceivedDigits: digits } };
    }
    // The failure prompt (a wrong entry or none), then the prompt again.
    const spoken = await wait(rt, call, failureMs, signal, { status: 'ok' });
    if (spoken.status !== 'ok') return spoken;
  }
  return failed(actionError(DIGITS_NOT_RECEIVED, `No valid digits received after ${repeat} attempt(s)`));
}

/** Waits up to `ms` for a key press: the digits, null on timeout, or the outcome that cut the wait short. */
async function collectDigits(rt: EmulatorRuntime, call: CallState, ms: number, signal: AbortSignal): Promise<string | null | Outcome> {
  const press = new AbortController();
  let pressed: string | undefined;
  call.digitSink = (digits) => {
    pressed = digits;
    press.abort();
  };
  try {
    await rt.clock.sleep(ms, AbortSignal.any([signal, press.signal]), timerTag(call, 'sma:action'));
    return null;
  } catch {
    if (signal.aborted) return signal.reason === INTERRUPT ? { status: 'interrupted' } : { status: 'aborted' };
    return pressed ?? null;
  } finally {
    call.digitSink = undefined;
  }
}
