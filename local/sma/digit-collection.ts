/** SpeakAndGetDigits and PlayAudioAndGetDigits: the prompt, the wait for key presses, the failure prompt. */
import { intParam, isObject } from './actions';
import { connectedLeg, failed, nonEmpty, speakMs, targetLeg, wait } from './action-support';
import type { CallState, Outcome } from './call';
import { actionError, invalidParameter } from './errors';
import { type EmulatorRuntime, INTERRUPT, timerTag } from './runtime';

/** ErrorType of a digit collection that got no valid entry: the pages name none (unverified). */
export const DIGITS_NOT_RECEIVED = 'DigitsNotReceived';

/**
 * InBetweenDigitsDurationInMilliseconds when the action gives none: the pages' figure could not be re-read when
 * this was written (unverified; docs/verify-on-aws.md).
 */
export const DEFAULT_IN_BETWEEN_MS = 3000;

/**
 * speak-and-get-digits / play-audio-get-digits: the prompt, then RepeatDurationInMilliseconds for the first
 * key; a wrong entry or none plays the failure prompt and starts again, Repeat times in all; then
 * ACTION_FAILED. Keys pressed during the prompt are taken (barge-in). An entry ends at a terminator, at
 * MaxNumberOfDigits, or when InBetweenDigitsDurationInMilliseconds pass without a key (docs/reference/
 * sma-protocol.md, read 2026-12: "InBetweenDigitsDurationInMilliseconds applies"). A press arrives whole (the
 * scenario's `digits` string); trailing TerminatorDigits are removed. Bounds and defaults as read in 2026-12:
 * "Repeat defaults to 1; MaxNumberOfDigits must be greater than MinNumberOfDigits" (equal: ACTION_FAILED
 * InvalidActionParameter); MinNumberOfDigits 0, MaxNumberOfDigits 128, TerminatorDigits ["#"] (unverified).
 * Digits are the call's: a key from any leg reaches a collection on any leg.
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
  if (max === undefined || max < 1 || max <= min) return failed(invalidParameter('MaxNumberOfDigits'));
  const repeat = p.Repeat === undefined ? 1 : intParam(p.Repeat);
  if (repeat === undefined || repeat < 1) return failed(invalidParameter('Repeat'));
  const inBetweenMs =
    p.InBetweenDigitsDurationInMilliseconds === undefined ? DEFAULT_IN_BETWEEN_MS : intParam(p.InBetweenDigitsDurationInMilliseconds);
  if (inBetweenMs === undefined || inBetweenMs <= 0) return failed(invalidParameter('InBetweenDigitsDurationInMilliseconds'));
  const terminators = Array.isArray(p.TerminatorDigits) ? p.TerminatorDigits.map(String) : ['#'];
  let pattern: RegExp | undefined;
  if (p.InputDigitsRegex !== undefined) {
    try {
      pattern = new RegExp(String(p.InputDigitsRegex));
    } catch {
      return failed(invalidParameter('InputDigitsRegex'));
    }
  }
  const complete = (entry: string) => terminators.includes(entry.at(-1)!) || entry.length >= max;
  for (let attempt = 1; attempt <= repeat; attempt++) {
    const got = await collectEntry(rt, call, { firstMs: promptMs + waitMs, inBetweenMs, complete }, signal);
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

/**
 * Waits up to `firstMs` for a key, then up to `inBetweenMs` after each key for the next, until the entry is
 * complete: the entry, null if no key came, or the outcome that cut the wait short.
 */
async function collectEntry(
  rt: EmulatorRuntime,
  call: CallState,
  wait: { firstMs: number; inBetweenMs: number; complete: (entry: string) => boolean },
  signal: AbortSignal,
): Promise<string | null | Outcome> {
  let entry = '';
  let press = new AbortController();
  call.digitSink = (digits) => {
    entry += digits;
    press.abort();
  };
  try {
    for (let ms = wait.firstMs; ; ms = wait.inBetweenMs) {
      try {
        await rt.clock.sleep(ms, AbortSignal.any([signal, press.signal]), timerTag(call, 'sma:action'));
        return entry === '' ? null : entry;
      } catch {
        if (signal.aborted) return signal.reason === INTERRUPT ? { status: 'interrupted' } : { status: 'aborted' };
        if (wait.complete(entry)) return entry;
        press = new AbortController();
      }
    }
  } finally {
    call.digitSink = undefined;
  }
}
