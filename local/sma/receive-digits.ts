/**
 * ReceiveDigits (listen-to-digits, case-4): the action succeeds at once (ACTION_SUCCESSFUL, ReceivedDigits "")
 * and arms the call. Key presses are buffered; InBetweenDigitsDurationInMilliseconds after the last one the
 * buffer is checked against InputDigitsRegex, and a match invokes the Lambda with DIGITS_RECEIVED.
 * FlushDigitsDurationInMilliseconds after the first digit the buffer is flushed ("flushed and sent to the AWS
 * Lambda function").
 *
 * listen-to-digits: "The SIP media application discards DTMF digits for the duration of a call until it
 * receives a new ReceiveDigits action." Read as: one ReceiveDigits listens per call (a new one replaces it,
 * whatever its leg, and it hears keys from any leg), and under the `oneShot` reading (default) it stops
 * listening once it has sent a DIGITS_RECEIVED; `staysArmed` keeps it listening.
 *
 * Assumed where the pages are silent (README, "What is unverified"): the regex is tested the way JavaScript's
 * RegExp does; a flush SENDS what is buffered even when it never matched (FLUSH_SENDS_UNMATCHED: the page says
 * "sent", the overview says only matches invoke the Lambda; sending is the harder case for a Lambda); a
 * replaced ReceiveDigits drops what it had buffered.
 */
import { intParam } from './actions';
import { failed, targetLeg } from './action-support';
import type { ArmedReceiveDigits, CallState, Outcome } from './call';
import { actionError, invalidParameter } from './errors';
import type { ActionShape } from './events';
import { type EmulatorRuntime, timerTag } from './runtime';
import type { DigitPress } from './types';

export const FLUSH_SENDS_UNMATCHED = true;

/** Checks the parameters; on success the effect arms the leg once the mailbox takes the outcome. */
export function receiveDigits(call: CallState, action: ActionShape): Outcome {
  const p = action.Parameters ?? {};
  const leg = targetLeg(call, p);
  if (!leg) return failed(invalidParameter(p.CallId !== undefined ? 'CallId' : 'ParticipantTag'));
  if (p.InputDigitsRegex === undefined)
    return failed(actionError('MissingRequiredActionParameter', 'InputDigitsRegex is a required parameter.'));
  let regex: RegExp;
  try {
    if (typeof p.InputDigitsRegex !== 'string' || p.InputDigitsRegex === '') throw new Error('not a pattern');
    regex = new RegExp(p.InputDigitsRegex);
  } catch {
    return failed(invalidParameter('InputDigitsRegex'));
  }
  const durations: Record<string, number> = {};
  for (const name of ['InBetweenDigitsDurationInMilliseconds', 'FlushDigitsDurationInMilliseconds']) {
    if (p[name] === undefined) return failed(actionError('MissingRequiredActionParameter', `${name} is a required parameter.`));
    const ms = intParam(p[name]);
    if (ms === undefined || ms <= 0) return failed(invalidParameter(name));
    durations[name] = ms;
  }
  return {
    status: 'ok',
    extra: { ReceivedDigits: '' },
    effect: {
      kind: 'armDigits',
      armed: {
        callId: leg.callId,
        action: { Type: action.Type, Parameters: structuredClone(p) },
        regex,
        inBetweenMs: durations.InBetweenDigitsDurationInMilliseconds!,
        flushMs: durations.FlushDigitsDurationInMilliseconds!,
        buffer: '',
      },
    },
  };
}

/** Arms `armed` on the call, replacing (and silencing) the one armed before, whatever its leg. */
export function arm(call: CallState, armed: ArmedReceiveDigits): void {
  disarm(call);
  call.armedDigits = armed;
}

/** Nothing listens any more (`callId`: only if what listens was armed on that leg, which hung up). */
export function disarm(call: CallState, callId?: string): void {
  const old = call.armedDigits;
  if (!old || (callId !== undefined && old.callId !== callId)) return;
  old.inBetween?.abort();
  old.flush?.abort();
  call.armedDigits = undefined;
}

/**
 * Keys pressed on the call while `armed` listens; `send` is called (from a timer of the call) with what to
 * report in a DIGITS_RECEIVED.
 */
export function press(
  rt: EmulatorRuntime,
  call: CallState,
  armed: ArmedReceiveDigits,
  digits: string,
  send: (armed: ArmedReceiveDigits, digits: string) => void,
): void {
  armed.buffer += digits;
  const emit = () => {
    const got = armed.buffer;
    armed.buffer = '';
    armed.inBetween?.abort();
    armed.flush?.abort();
    armed.inBetween = armed.flush = undefined;
    if (call.readings.receiveDigits === 'oneShot' && call.armedDigits === armed) disarm(call);
    send(armed, got);
  };
  armed.inBetween?.abort();
  armed.inBetween = timer(rt, call, armed.inBetweenMs, () => {
    armed.inBetween = undefined;
    if (armed.regex.test(armed.buffer)) emit();
  });
  // The flush interval runs from the first digit of the buffer (listen-to-digits).
  armed.flush ??= timer(rt, call, armed.flushMs, () => {
    armed.flush = undefined;
    if (armed.buffer === '') return;
    if (FLUSH_SENDS_UNMATCHED) emit();
    else armed.buffer = '';
  });
}

/**
 * A scenario's press on the call. Digits are the call's, not a leg's (listen-to-digits: "for the duration of a
 * call"): a digit collection running on any leg takes them, and so does the armed ReceiveDigits, whatever its
 * leg; both, when both listen (assumed, the pages do not say; the harder case for a Lambda). With neither, the
 * SMA discards them (noted).
 */
export function keysPressed(
  rt: EmulatorRuntime,
  call: CallState,
  keys: DigitPress,
  send: (armed: ArmedReceiveDigits, digits: string) => void,
): void {
  const armed = call.armedDigits;
  const sink = call.digitSink;
  if (armed) press(rt, call, armed, keys.digits, send);
  if (sink) sink(keys.digits);
  if (armed || sink) return;
  call.notes.push(
    `digits "${keys.digits}" pressed ${keys.atSeconds} s after answer with no digit collection running and no ReceiveDigits armed: not received`,
  );
}

function timer(rt: EmulatorRuntime, call: CallState, ms: number, fn: () => void): AbortController {
  const own = new AbortController();
  rt.clock
    .sleep(ms, AbortSignal.any([own.signal, call.timers.signal, rt.closing]), timerTag(call, 'sma:receive-digits'))
    .then(fn, () => undefined);
  return own;
}
