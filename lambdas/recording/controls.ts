/**
 * Pause, resume and stop (issue 11) on the Lambda's side: a request (an UpdateSipMediaApplicationCall with no
 * token, or a key on the keypad controls' ReceiveDigits) is handed to the workflow through its parked
 * WaitForCallEnd token, or queued in the call's attributes until it waits; the workflow decides and sends its
 * own ControlRecording back (workflow-commands.ts).
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import {
  Arg,
  CONTROL_ACTIONS,
  Command,
  type ControlAction,
  MAX_QUEUED_CONTROLS,
  QueuedControlsAttribute,
  TokenAttribute,
  type ControlRequest,
  type ControlRequestResult,
  controlRequestProblem,
} from '../shared/workflow-contract';
import { logSafe } from '../shared/mask';
import type { SmaEvent } from './sma-event';
import { respond, type SmaAction, type SmaResponse } from './sma-response';
import { type CallEventDeps, type Attributes, type EventOf, attributesOf, isConnected, without, answer, afterCallback } from './call-state';
import { handOff, hasTask } from './task-handoff';

/** A CALL_UPDATE_REQUESTED asking to pause, resume or stop the recording (no token: not the workflow's own). */
export function isControlRequest(event: SmaEvent): event is EventOf<'CALL_UPDATE_REQUESTED'> {
  if (event.InvocationEventType !== 'CALL_UPDATE_REQUESTED') return false;
  const args = event.ActionData.Parameters.Arguments;
  return !args[Arg.taskToken] && args[Arg.command] === Command.ControlRecording;
}

/** The SMA actions a ControlRecording runs, and the action each result event names. */
export const CONTROL_ACTION_TYPES: Record<ControlAction, string> = {
  PAUSE: 'PauseCallRecording',
  RESUME: 'ResumeCallRecording',
  STOP: 'StopCallRecording',
};
export const isControlActionType = (type: string) => Object.values(CONTROL_ACTION_TYPES).includes(type);
export const controlActionOf = (type: string): ControlAction | undefined => CONTROL_ACTIONS.find((a) => CONTROL_ACTION_TYPES[a] === type);

/** ReceiveDigits timing for the keypad controls: one key, checked 1 s after it, flushed after 3 s. */
export const DTMF_IN_BETWEEN_MS = 1000;
export const DTMF_FLUSH_MS = 3000;

/**
 * The keypad controls' ReceiveDigits (RECORDING_DTMF_CONTROLS), armed while the workflow waits for the call end;
 * none when the keypad controls are off. One, on the caller's leg: digits are per call, not per leg (the twin's
 * reading of speak-and-get-digits and listen-to-digits), so it hears every leg, and a second would replace it.
 * Armed again after every key (listen-to-digits: "The SIP media application discards DTMF digits for the duration
 * of a call until it receives a new ReceiveDigits action"). An application that arms its own ReceiveDigits must
 * not turn these on.
 */
export function dtmfArmActions(event: SmaEvent, config: CallEventDeps['config']): SmaAction[] {
  const dtmf = config.dtmfControls;
  if (!dtmf) return [];
  const caller = event.CallDetails.Participants.filter(isConnected).find((p) => p.ParticipantTag === 'LEG-A');
  if (!caller) return [];
  return [
    {
      Type: 'ReceiveDigits',
      Parameters: {
        CallId: caller.CallId,
        InputDigitsRegex: dtmf.regex,
        InBetweenDigitsDurationInMilliseconds: DTMF_IN_BETWEEN_MS,
        FlushDigitsDurationInMilliseconds: DTMF_FLUSH_MS,
      },
    },
  ];
}

/** An event about the keypad controls' own ReceiveDigits (its result, or the keys it received). */
export function isOwnDigits(event: SmaEvent, config: CallEventDeps['config']): boolean {
  const dtmf = config.dtmfControls;
  if (!dtmf || !('ActionData' in event) || !event.ActionData) return false;
  const data = event.ActionData as { Type?: string; Parameters?: Record<string, unknown> };
  return data.Type === 'ReceiveDigits' && data.Parameters?.InputDigitsRegex === dtmf.regex;
}

/**
 * DIGITS_RECEIVED of the keypad controls: the keys, checked here (a flush can send keys that never matched), then
 * handed to the workflow like any control request. Undefined when the keys are not a control (nothing to do).
 */
export async function onDtmfControl(event: EventOf<'DIGITS_RECEIVED'>, deps: CallEventDeps): Promise<SmaResponse | undefined> {
  const dtmf = deps.config.dtmfControls;
  const keys = event.ActionData.ReceivedDigits ?? '';
  const action = dtmf ? dtmf.keys[keys] : undefined;
  if (!action) {
    deps.log.info('keys on the keypad controls that are not a control: ignored', { keys: keys.length });
    return undefined;
  }
  // The event's Sequence names the key press: a repeated event is recognised by the workflow as a duplicate.
  const request: ControlRequest = {
    action,
    // Digits are per call: which leg pressed is not known.
    requestedBy: 'keypad',
    requestId: `keypad:${event.Sequence}`,
    via: 'dtmf',
  };
  return handOverControl(event, request, deps);
}

/** Control requests waiting for the workflow's next WaitForCallEnd (QueuedControlsAttribute); others read as none. */
export function queuedControls(attributes: Attributes): ControlRequest[] {
  const raw = attributes[QueuedControlsAttribute];
  if (!raw) return [];
  try {
    const parsed: unknown = JSON.parse(raw);
    return Array.isArray(parsed) ? parsed.filter(isControlRequestShape).slice(0, MAX_QUEUED_CONTROLS) : [];
  } catch {
    return [];
  }
}
export function isControlRequestShape(v: unknown): v is ControlRequest {
  const r = v as ControlRequest;
  return (
    typeof v === 'object' &&
    v !== null &&
    ['api', 'dtmf', 'opt-out'].includes(r.via) &&
    !controlRequestProblem(r.action, r.requestedBy, r.requestId)
  );
}
export function withQueuedControls(attributes: Attributes, queue: ControlRequest[]): Attributes {
  if (queue.length === 0) return without(attributes, QueuedControlsAttribute);
  return { ...attributes, [QueuedControlsAttribute]: JSON.stringify(queue) };
}

/** A control request's fields, or the reason it is not one (the requester validated it: this is defence). */
export function parseControlRequest(args: Record<string, string>, via: ControlRequest['via']): ControlRequest | string {
  const action = args[Arg.action] as ControlAction;
  const requestedBy = args[Arg.requestedBy] ?? 'unknown';
  const requestId = args[Arg.requestId] ?? null;
  const bad = controlRequestProblem(action, requestedBy, requestId);
  return bad ? `${bad.field}: ${bad.problem}` : { action, requestedBy, requestId, via };
}

/**
 * A control request reaches the workflow through its parked WaitForCallEnd token; with none parked (the
 * workflow is starting the recording, speaking the notice, or between two waits) it is queued in the call's
 * TransactionAttributes for the next WaitForCallEnd. Answers with no action: the call goes on.
 */
export async function onControlRequest(event: EventOf<'CALL_UPDATE_REQUESTED'>, deps: CallEventDeps): Promise<SmaResponse> {
  const request = parseControlRequest(event.ActionData.Parameters.Arguments, 'api');
  if (typeof request === 'string') {
    deps.log.warn('control request refused', { problem: request });
    deps.metrics.addMetric('ControlRequestsRefused', MetricUnit.Count, 1);
    return respond();
  }
  return handOverControl(event, request, deps);
}

/** Hands `request` to the workflow (see onControlRequest); shared by the API and the caller's keypad. */
export async function handOverControl(event: SmaEvent, request: ControlRequest, deps: CallEventDeps): Promise<SmaResponse> {
  const attributes = attributesOf(event);
  const fields = { action: request.action, via: request.via, requestedBy: logSafe(request.requestedBy) };
  deps.metrics.addMetric('ControlRequests', MetricUnit.Count, 1);
  if (hasTask(event, deps, Command.WaitForCallEnd)) {
    const result: ControlRequestResult = { control: request };
    const sent = await handOff(event, deps, Command.WaitForCallEnd, { ok: result });
    if (sent.result === 'sent' || sent.result === 'mailed') {
      // Mailed: the workflow is busy (starting, notifying, applying a control); it reads the request from its
      // WaitForCallEnd slot when it gets there.
      deps.log.info('control request handed to the workflow', { ...fields, via: sent.via, mailed: sent.result === 'mailed' });
      return sent.via === 'token' ? afterCallback() : respond();
    }
    if (sent.result === 'stale') {
      // The wait this event names is over: the event repeats one already handed over (the SMA sent it twice), or
      // the workflow stopped waiting. Dropped, with no map (an old snapshot's map could undo newer state); a real
      // request the workflow missed this way is answered "no decision" to its sender, who asks again.
      deps.log.warn('control request dropped: the wait it was sent to is over (a repeated event?)', fields);
      deps.metrics.addMetric('ControlRequestsDropped', MetricUnit.Count, 1);
      return afterCallback();
    }
  }
  const queue = queuedControls(attributes);
  if (queue.length >= MAX_QUEUED_CONTROLS) {
    deps.log.warn('control request refused: too many waiting for the workflow', fields);
    deps.metrics.addMetric('ControlRequestsRefused', MetricUnit.Count, 1);
    return respond();
  }
  deps.log.info('control request queued until the workflow waits for the call end', fields);
  return answer(deps, [], withQueuedControls(without(attributes, TokenAttribute.WaitForCallEnd), [...queue, request]));
}
