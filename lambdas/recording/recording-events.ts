/**
 * The recording's own share of the SMA events: the workflow's commands (CALL_UPDATE_REQUESTED), the results
 * of the actions they returned, and the task tokens still pending at HANGUP or INVALID_LAMBDA_RESPONSE. The
 * middleware (middleware-core.ts) decides which events these are; everything else belongs to the application.
 * (Over 400 lines: one handler per event type; the workflow commands would be the first to move out, issue 10.)
 * Every path returns a valid SMA response; recording problems are reported to the workflow (SendTaskFailure),
 * never to the call. Responses carry the whole TransactionAttributes map when they change it (the middleware
 * keeps only its `rw:*` keys from it and merges them with the application's).
 *
 * Task tokens travel in TransactionAttributes between invocations: the SMA echoes them in every later event
 * of the call (HANGUP included), so a token parked by CALL_UPDATE_REQUESTED is there when ACTION_SUCCESSFUL,
 * ACTION_FAILED or HANGUP arrives, even on another Lambda instance.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import { MetricUnit, type Metrics } from '@aws-lambda-powertools/metrics';
import {
  Arg,
  CONTROL_ACTIONS,
  CONTROL_ID,
  Command,
  type ControlAction,
  MAX_QUEUED_CONTROLS,
  PendingCallIdAttribute,
  QueuedControlsAttribute,
  RecordingsAttribute,
  TaskError,
  TokenAttribute,
  type CallEndResult,
  type ControlRecordingResult,
  type ControlRequest,
  type ControlRequestResult,
  type Leg,
  type NotifyConsentResult,
  type StartRecordingResult,
} from '../shared/workflow-contract';
import { RecordingRequestError, consentTextProblem, parseId, parseLocation, parseTrack } from '../shared/recording-request';
import { logSafe } from '../shared/mask';
import { logSafeMessage } from '../shared/log-safe-error';
import type { RecordingConfig } from './config';
import { actionError, type Participant, type SmaEvent } from './sma-event';
import {
  checkAttributes,
  controlCallRecording,
  respond,
  speak,
  speakAndGetDigit,
  startCallRecording,
  type SmaAction,
  type SmaResponse,
} from './sma-response';
import type { TaskCallbacks } from './task-callbacks';
import type { WorkflowStarter } from './workflow-starter';

export interface CallEventDeps {
  config: Pick<RecordingConfig, 'autoRecord' | 'voice'> & Partial<Pick<RecordingConfig, 'dtmfControls'>>;
  callbacks: TaskCallbacks;
  starter?: WorkflowStarter;
  log: Logger;
  metrics: Metrics;
}

type Attributes = Record<string, string>;
export type EventOf<T extends SmaEvent['InvocationEventType']> = Extract<SmaEvent, { InvocationEventType: T }>;

/** A CALL_UPDATE_REQUESTED from the recording workflow. */
export function isWorkflowCommand(event: SmaEvent): event is EventOf<'CALL_UPDATE_REQUESTED'> {
  if (event.InvocationEventType !== 'CALL_UPDATE_REQUESTED') return false;
  // The workflow's shape: a task token. An unknown or missing command is still the workflow's (its task is
  // failed with InvalidCommand rather than left to time out); an update without a token is the application's.
  return Boolean(event.ActionData.Parameters.Arguments[Arg.taskToken]);
}

/** A CALL_UPDATE_REQUESTED asking to pause, resume or stop the recording (no token: not the workflow's own). */
export function isControlRequest(event: SmaEvent): event is EventOf<'CALL_UPDATE_REQUESTED'> {
  if (event.InvocationEventType !== 'CALL_UPDATE_REQUESTED') return false;
  const args = event.ActionData.Parameters.Arguments;
  return !args[Arg.taskToken] && args[Arg.command] === Command.ControlRecording;
}

/** The SMA actions a ControlRecording runs, and the action each result event names. */
const CONTROL_ACTION_TYPES: Record<ControlAction, string> = {
  PAUSE: 'PauseCallRecording',
  RESUME: 'ResumeCallRecording',
  STOP: 'StopCallRecording',
};
const isControlActionType = (type: string) => Object.values(CONTROL_ACTION_TYPES).includes(type);
const controlActionOf = (type: string): ControlAction | undefined => CONTROL_ACTIONS.find((a) => CONTROL_ACTION_TYPES[a] === type);

/** ReceiveDigits timing for the keypad controls: one key, checked 1 s after it, flushed after 3 s. */
export const DTMF_IN_BETWEEN_MS = 1000;
export const DTMF_FLUSH_MS = 3000;

/**
 * The keypad controls' ReceiveDigits, one per connected leg (RECORDING_DTMF_CONTROLS), armed while the workflow
 * waits for the call end; none when the keypad controls are off. Re-armed at every wait: whether a later action
 * list leaves a ReceiveDigits armed is not documented. An application that arms its own ReceiveDigits must not
 * turn these on (a new ReceiveDigits replaces the one armed on its leg).
 */
export function dtmfArmActions(event: SmaEvent, config: CallEventDeps['config']): SmaAction[] {
  const dtmf = config.dtmfControls;
  if (!dtmf) return [];
  return event.CallDetails.Participants.filter(isConnected).map((p) => ({
    Type: 'ReceiveDigits',
    Parameters: {
      CallId: p.CallId,
      InputDigitsRegex: dtmf.regex,
      InBetweenDigitsDurationInMilliseconds: DTMF_IN_BETWEEN_MS,
      FlushDigitsDurationInMilliseconds: DTMF_FLUSH_MS,
    },
  }));
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
  const leg = event.CallDetails.Participants.find((p) => p.CallId === event.ActionData.Parameters?.CallId);
  // The event's Sequence names the key press: a repeated event is recognised by the workflow as a duplicate.
  const request: ControlRequest = {
    action,
    requestedBy: `keypad:${leg?.ParticipantTag ?? 'unknown'}`,
    requestId: `keypad:${event.Sequence}`,
    via: 'dtmf',
  };
  return handOverControl(event, request, deps);
}

/** The notice's action types: Speak per leg, and SpeakAndGetDigits on the caller's leg when it can be declined. */
export const NOTICE_ACTION_TYPES = ['Speak', 'PlayAudio', 'SpeakAndGetDigits'];
/** The action types whose results belong to each command (what an update of that command can leave running). */
export function ownActionTypesOf(command: Command): string[] {
  switch (command) {
    case Command.StartRecording:
      return ['StartCallRecording'];
    case Command.NotifyConsent:
      return NOTICE_ACTION_TYPES;
    case Command.ControlRecording:
      return Object.values(CONTROL_ACTION_TYPES);
    default:
      return [];
  }
}

/**
 * Which pending command an ACTION_SUCCESSFUL / ACTION_FAILED answers, if any. `ourList` is the command whose
 * action list the middleware returned last (undefined when it does not know: then a pending token decides,
 * unless the application's own list is known to be the one in progress).
 */
export function ownedResult(
  event: EventOf<'ACTION_SUCCESSFUL'> | EventOf<'ACTION_FAILED'>,
  ourList: Command | undefined,
  appListInProgress: boolean,
): Command | undefined {
  const attributes = attributesOf(event);
  const type = event.ActionData.Type;
  if (type === 'StartCallRecording') {
    const callId = String(event.ActionData.Parameters?.CallId ?? '');
    // A leg this middleware asked to record (or is asking to) is its own, even when the result comes late.
    if (
      ourList === Command.StartRecording ||
      attributes[PendingCallIdAttribute] === callId ||
      recordingOf(attributes, callId) !== undefined
    )
      return Command.StartRecording;
    if (ourList === undefined && !appListInProgress && attributes[TokenAttribute.StartRecording]) return Command.StartRecording;
    return undefined;
  }
  if (NOTICE_ACTION_TYPES.includes(type)) {
    if (ourList === Command.NotifyConsent) return Command.NotifyConsent;
    if (ourList === undefined && !appListInProgress && attributes[TokenAttribute.NotifyConsent]) return Command.NotifyConsent;
  }
  if (isControlActionType(type)) {
    if (ourList === Command.ControlRecording) return Command.ControlRecording;
    if (ourList === undefined && !appListInProgress && attributes[TokenAttribute.ControlRecording]) return Command.ControlRecording;
  }
  return undefined;
}

const attributesOf = (event: SmaEvent): Attributes => ({ ...(event.CallDetails.TransactionAttributes ?? {}) });
const isConnected = (p: Participant) => p.Status === undefined || p.Status === 'Connected';
const legsOf = (event: SmaEvent): Leg[] =>
  event.CallDetails.Participants.map((p) => ({
    callId: p.CallId,
    participantTag: p.ParticipantTag,
    direction: p.Direction ?? 'unknown',
    status: p.Status ?? 'Connected',
  }));
const legA = (event: SmaEvent) =>
  event.CallDetails.Participants.find((p) => p.ParticipantTag === 'LEG-A') ?? event.CallDetails.Participants[0];

function without(attributes: Attributes, ...keys: string[]): Attributes {
  const copy = { ...attributes };
  for (const k of keys) delete copy[k];
  return copy;
}

/**
 * The response with `next` as the call's TransactionAttributes, if the SMA would take them; otherwise without
 * the field (the SMA keeps what it has) and a warning. Every path that returns attributes goes through here or
 * through park(): an event that arrives with 150 keys or a 100 KB value must not be echoed back.
 */
function answer(deps: CallEventDeps, actions: SmaAction[], next?: Attributes): SmaResponse {
  if (next === undefined) return respond(actions);
  try {
    checkAttributes(next);
  } catch (e) {
    deps.log.warn('TransactionAttributes left unchanged: the new map would be refused by the SMA', { problem: (e as Error).message });
    deps.metrics.addMetric('TransactionAttributesOverLimit', MetricUnit.Count, 1);
    return respond(actions);
  }
  return respond(actions, next);
}

/** The legs this Lambda asked to record (RecordingsAttribute); a value that is not ours reads as none. */
function recordingsOf(attributes: Attributes): Record<string, string> {
  const raw = attributes[RecordingsAttribute];
  if (!raw) return {};
  try {
    const parsed: unknown = JSON.parse(raw);
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return {};
    const out: Record<string, string> = Object.create(null);
    for (const [k, v] of Object.entries(parsed)) if (typeof v === 'string') out[k] = v;
    return out;
  } catch {
    return {};
  }
}
const recordingOf = (attributes: Attributes, callId: string): string | undefined => {
  const recordings = recordingsOf(attributes);
  return Object.hasOwn(recordings, callId) ? recordings[callId] : undefined;
};
function withRecording(attributes: Attributes, callId: string, location: string): Attributes {
  return { ...attributes, [RecordingsAttribute]: JSON.stringify({ ...recordingsOf(attributes), [callId]: location }) };
}

/** Control requests waiting for the workflow's next WaitForCallEnd (QueuedControlsAttribute); others read as none. */
function queuedControls(attributes: Attributes): ControlRequest[] {
  const raw = attributes[QueuedControlsAttribute];
  if (!raw) return [];
  try {
    const parsed: unknown = JSON.parse(raw);
    return Array.isArray(parsed) ? parsed.filter(isControlRequestShape).slice(0, MAX_QUEUED_CONTROLS) : [];
  } catch {
    return [];
  }
}
function isControlRequestShape(v: unknown): v is ControlRequest {
  const r = v as ControlRequest;
  return (
    typeof v === 'object' &&
    v !== null &&
    CONTROL_ACTIONS.includes(r.action) &&
    typeof r.requestedBy === 'string' &&
    (r.requestId === null || typeof r.requestId === 'string') &&
    ['api', 'dtmf', 'opt-out'].includes(r.via)
  );
}
function withQueuedControls(attributes: Attributes, queue: ControlRequest[]): Attributes {
  if (queue.length === 0) return without(attributes, QueuedControlsAttribute);
  return { ...attributes, [QueuedControlsAttribute]: JSON.stringify(queue) };
}

/** A control request's fields, or the reason it is not one (the requester validated it: this is defence). */
export function parseControlRequest(args: Record<string, string>, via: ControlRequest['via']): ControlRequest | string {
  const action = args[Arg.action] as ControlAction;
  if (!CONTROL_ACTIONS.includes(action)) return `action: must be one of ${CONTROL_ACTIONS.join(', ')}`;
  const requestedBy = args[Arg.requestedBy] ?? 'unknown';
  if (!CONTROL_ID.test(requestedBy)) return 'requestedBy: must be 1-128 letters, digits or . _ : @ + / -';
  const requestId = args[Arg.requestId] ?? null;
  if (requestId !== null && !CONTROL_ID.test(requestId)) return 'requestId: must be 1-128 letters, digits or . _ : @ + / -';
  return { action, requestedBy, requestId, via };
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
  const token = attributes[TokenAttribute.WaitForCallEnd];
  if (token) {
    const result: ControlRequestResult = { control: request };
    const sent = await deps.callbacks.succeed(token, result, Command.WaitForCallEnd);
    if (sent === 'sent') {
      deps.log.info('control request handed to the workflow', fields);
      return afterCallback();
    }
    if (sent === 'stale') {
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

/**
 * What the SMA says to a second StartCallRecording on a leg is not documented (sip-apps-call-record only says
 * "You can only start and stop recording once for an individual call leg"; the issue saw "Call recording was
 * already started on this call leg"). Matched on the words, whatever the ErrorType: change here if AWS differs.
 */
export const ALREADY_STARTED = /already (been )?started|already recording|only start and stop recording once/i;

/** The notice's opt-out (NotifyConsent arguments), undefined without one, or the problem with it. */
function optOutOf(args: Record<string, string>): { digit: string; seconds: number } | undefined | string {
  const digit = args[Arg.optOutDigit];
  if (digit === undefined || digit === '') return undefined;
  if (!/^[0-9*]$/.test(digit)) return 'optOutDigit: must be one key, 0-9 or *';
  const seconds = Number(args[Arg.optOutSeconds] ?? '5');
  if (!Number.isInteger(seconds) || seconds < 1 || seconds > 60) return 'optOutSeconds: must be a whole number of seconds, 1-60';
  return { digit, seconds };
}

/**
 * ACTION_FAILED of the opt-out prompt that only means "no key pressed in time" (the notice was heard and not
 * declined). The docs say a digit timeout gives ACTION_FAILED without naming the ErrorType (unverified): so
 * every error is read that way except those that say the prompt itself did not play.
 */
const PROMPT_FAILURES = new Set([
  'SystemException',
  'ActionExecutionThrottled',
  'AccessDenied',
  'InvalidActionParameter',
  'MissingRequiredActionParameter',
]);

function startResult(event: SmaEvent, callId: string, track: string, location: string, alreadyStarted: boolean): StartRecordingResult {
  const leg = event.CallDetails.Participants.find((p) => p.CallId === callId);
  return {
    location,
    callId,
    track,
    legStartMs: leg?.StartTimeInMilliseconds ? Number(leg.StartTimeInMilliseconds) : null,
    legs: legsOf(event),
    ...(alreadyStarted ? { alreadyStarted: true } : {}),
  };
}

/** Policy-driven recording: starts the workflow for this call (the middleware calls it once the call is answered). */
export async function autoRecord(event: SmaEvent, deps: CallEventDeps): Promise<void> {
  const policy = deps.config.autoRecord;
  const leg = legA(event);
  if (!policy || !deps.starter || !leg) return;
  await deps.starter.start({
    sipMediaApplicationId: event.CallDetails.SipMediaApplicationId,
    transactionId: event.CallDetails.TransactionId,
    callId: leg.CallId,
    track: policy.track,
    location: policy.location,
    ...(policy.consentText ? { consentText: policy.consentText } : {}),
  });
}

export async function onCallUpdateRequested(event: EventOf<'CALL_UPDATE_REQUESTED'>, deps: CallEventDeps): Promise<SmaResponse> {
  const token = event.ActionData.Parameters.Arguments[Arg.taskToken];
  try {
    return await runWorkflowCommand(event, deps);
  } catch (e) {
    // A bug or an unexpected input must not leave the workflow waiting for its timeout: fail its task now.
    if (token)
      await deps.callbacks.fail(
        token,
        'SmaLambdaError',
        `the SMA Lambda could not handle the command: ${logSafeMessage(e, token)}`,
        'CALL_UPDATE_REQUESTED',
      );
    throw e; // the handler's error middleware still answers the SMA with an empty action list
  }
}

async function runWorkflowCommand(event: EventOf<'CALL_UPDATE_REQUESTED'>, deps: CallEventDeps): Promise<SmaResponse> {
  const args = event.ActionData.Parameters.Arguments;
  const token = args[Arg.taskToken];
  const command = args[Arg.command];
  if (!token) {
    // Not from the recording workflow (no token to answer): nothing of ours to do.
    deps.log.warn('CALL_UPDATE_REQUESTED without a task token ignored', { command: logSafe(command) });
    return respond();
  }
  const attributes = attributesOf(event);
  // Names the task in logs; the command is event data (known commands only reach the callbacks as is).
  const what = logSafe(command) ?? '(no command)';
  const park = async (cmd: Command, actions: SmaAction[], base: Attributes = attributes): Promise<SmaResponse> => {
    const next = { ...base, [TokenAttribute[cmd]]: token };
    try {
      checkAttributes(next);
    } catch (e) {
      await deps.callbacks.fail(token, 'TransactionAttributesFull', (e as Error).message, what);
      return respond();
    }
    return respond(actions, next);
  };

  switch (command) {
    case Command.StartRecording: {
      try {
        const callId = parseId(args[Arg.callId], 'callId');
        const track = parseTrack(args[Arg.track]);
        parseLocation(args[Arg.location], 'location');
        const leg = event.CallDetails.Participants.find((p) => p.CallId === callId);
        if (!leg) throw new RecordingRequestError('callId', 'is not a leg of this call');
        if (!isConnected(leg)) throw new RecordingRequestError('callId', `leg ${leg.ParticipantTag} is ${leg.Status}`);
        const started = recordingOf(attributes, callId);
        if (started) {
          // An earlier attempt started this leg's recording (its success came late, or its callback was lost):
          // a second StartCallRecording would fail ("once per leg"). Answer the retry with that recording.
          deps.log.info('recording already started on this leg; the retry is answered with it', {
            leg: logSafe(leg.ParticipantTag),
            attempt: logSafe(args[Arg.attempt]),
          });
          deps.metrics.addMetric('RecordingStartsReused', MetricUnit.Count, 1);
          await deps.callbacks.succeed(token, startResult(event, callId, track, started, true), Command.StartRecording);
          const stale = [TokenAttribute.StartRecording, PendingCallIdAttribute].filter((k) => k in attributes);
          return answer(deps, [], stale.length ? without(attributes, ...stale) : undefined);
        }
        deps.metrics.addMetric('RecordingStartsRequested', MetricUnit.Count, 1);
        deps.log.info('returning StartCallRecording', { leg: logSafe(leg.ParticipantTag), track, attempt: logSafe(args[Arg.attempt]) });
        // StartCallRecording is the only (so the last) action: its ACTION_SUCCESSFUL carries the key.
        const asked = started === undefined ? withRecording(attributes, callId, '') : attributes;
        return await park(Command.StartRecording, [startCallRecording(callId, track, args[Arg.location])], {
          ...asked,
          [PendingCallIdAttribute]: callId,
        });
      } catch (e) {
        if (!(e instanceof RecordingRequestError)) throw e;
        deps.log.warn('StartRecording refused before reaching the SMA', { problem: logSafe(e.message, 256) });
        await deps.callbacks.fail(token, TaskError.InvalidActionParameter, e.message, what);
        return respond();
      }
    }
    case Command.NotifyConsent: {
      const text = args[Arg.text];
      const problem = consentTextProblem(text);
      if (problem) {
        await deps.callbacks.fail(token, TaskError.InvalidActionParameter, `text: ${problem}`, what);
        return respond();
      }
      const legs = event.CallDetails.Participants.filter(isConnected);
      if (legs.length === 0) {
        await deps.callbacks.fail(token, TaskError.CallEnded, 'no connected leg to notify', what);
        return respond();
      }
      const voice = {
        ...deps.config.voice,
        ...(args[Arg.voiceId] ? { voiceId: args[Arg.voiceId] } : {}),
        ...(args[Arg.languageCode] ? { languageCode: args[Arg.languageCode] } : {}),
      };
      const optOut = optOutOf(args);
      if (typeof optOut === 'string') {
        await deps.callbacks.fail(token, TaskError.InvalidActionParameter, optOut, what);
        return respond();
      }
      // With an opt-out, the caller (LEG-A) hears the notice last, as a SpeakAndGetDigits: the list's result
      // (the last action's) then carries the key pressed. The other legs hear it first, as a Speak.
      const caller = optOut ? legs.find((l) => l.ParticipantTag === 'LEG-A') : undefined;
      const ordered = caller ? [...legs.filter((l) => l !== caller), caller] : legs;
      const actions = ordered.map((l) =>
        l === caller && optOut ? speakAndGetDigit(l.CallId, text, voice, optOut.seconds * 1000) : speak(l.CallId, text, voice),
      );
      deps.log.info('returning the consent notice', { legs: ordered.map((l) => logSafe(l.ParticipantTag)), optOut: Boolean(caller) });
      // The workflow notifies only once the start is over: its token, left in the map by afterCallback, is spent.
      return park(Command.NotifyConsent, actions, without(attributes, TokenAttribute.StartRecording, PendingCallIdAttribute));
    }
    case Command.WaitForCallEnd: {
      const settled = without(
        attributes,
        TokenAttribute.StartRecording,
        PendingCallIdAttribute,
        TokenAttribute.NotifyConsent,
        TokenAttribute.ControlRecording,
      );
      const [first, ...rest] = queuedControls(attributes);
      if (first) {
        // A control asked for while the workflow was busy: it gets it now, in place of waiting.
        const sent = await deps.callbacks.succeed(token, { control: first } satisfies ControlRequestResult, Command.WaitForCallEnd);
        if (sent === 'sent') {
          deps.log.info('queued control request handed to the workflow', { action: first.action, via: first.via });
          return answer(deps, [], withQueuedControls(settled, rest));
        }
        // A dead token: this is a repeat of an update already answered (the SMA sent the event twice). No map: one
        // written from its old snapshot would put back the queue the first answer emptied.
        if (sent === 'stale') return afterCallback();
      }
      // No action: the token waits in TransactionAttributes for HANGUP. The start and the notice are over.
      return park(Command.WaitForCallEnd, [], settled);
    }
    case Command.ControlRecording: {
      const action = args[Arg.action] as ControlAction;
      const callId = args[Arg.callId];
      const leg = event.CallDetails.Participants.find((p) => p.CallId === callId);
      const problem = !CONTROL_ACTIONS.includes(action)
        ? `action: must be one of ${CONTROL_ACTIONS.join(', ')}`
        : !leg
          ? 'callId: is not a leg of this call'
          : !isConnected(leg)
            ? `callId: leg ${leg.ParticipantTag} is ${leg.Status}`
            : undefined;
      if (problem || !leg) {
        const ended = leg && !isConnected(leg);
        await deps.callbacks.fail(token, ended ? TaskError.CallEnded : TaskError.InvalidActionParameter, problem ?? 'callId', what);
        return respond();
      }
      deps.log.info('returning a recording control', { action, leg: logSafe(leg.ParticipantTag) });
      // The one action of the list (its result is the task's): the wait's token, spent on the request, goes.
      // Tokens of the tasks before this one (the wait that carried the request, the notice of an opt-out) are spent.
      const spent = without(
        attributes,
        TokenAttribute.WaitForCallEnd,
        TokenAttribute.NotifyConsent,
        TokenAttribute.StartRecording,
        PendingCallIdAttribute,
      );
      return park(Command.ControlRecording, [controlCallRecording(CONTROL_ACTION_TYPES[action], leg.CallId)], spent);
    }
    default:
      deps.log.error('unknown workflow command', { command: logSafe(command) });
      await deps.callbacks.fail(
        token,
        TaskError.InvalidCommand,
        `unknown command ${JSON.stringify(logSafe(command))}; expected one of ${Object.values(Command).join(', ')}`,
        what,
      );
      return respond();
  }
}

/** The result of the middleware's own StartCallRecording or consent notice (see ownedResult). */
export async function onActionSuccessful(event: EventOf<'ACTION_SUCCESSFUL'>, deps: CallEventDeps): Promise<SmaResponse> {
  const data = event.ActionData;
  const attributes = attributesOf(event);
  switch (data.Type) {
    case 'StartCallRecording': {
      const token = attributes[TokenAttribute.StartRecording];
      const callId = String(data.Parameters?.CallId ?? '');
      const location = data.CallRecordingDestination?.Location;
      // Remembered whether or not a workflow waits: a retry of a timed-out attempt is answered from here.
      const remembered = location && callId ? withRecording(attributes, callId, location) : attributes;
      if (!token || (attributes[PendingCallIdAttribute] && attributes[PendingCallIdAttribute] !== callId)) {
        deps.log.info('StartCallRecording succeeded with no workflow waiting for it; remembered for a retry');
        return answer(deps, [], remembered === attributes ? undefined : remembered);
      }
      const next = without(remembered, TokenAttribute.StartRecording, PendingCallIdAttribute);
      if (!location) {
        await deps.callbacks.fail(
          token,
          'MissingCallRecordingDestination',
          'ACTION_SUCCESSFUL for StartCallRecording carried no CallRecordingDestination.Location',
          Command.StartRecording,
        );
        return answer(deps, [], next);
      }
      deps.metrics.addMetric('RecordingsStarted', MetricUnit.Count, 1);
      const sent = await deps.callbacks.succeed(
        token,
        startResult(event, callId, String(data.Parameters?.Track ?? ''), location, false),
        Command.StartRecording,
      );
      // Delivered: the workflow moves on at once (see afterCallback); otherwise its retry needs the recording.
      return sent === 'sent' ? afterCallback() : answer(deps, [], next);
    }
    case 'PauseCallRecording':
    case 'ResumeCallRecording':
    case 'StopCallRecording': {
      const token = attributes[TokenAttribute.ControlRecording];
      if (!token) return respond();
      const result: ControlRecordingResult = {
        action: controlActionOf(data.Type) as ControlAction,
        callId: String(data.Parameters?.CallId ?? ''),
      };
      deps.metrics.addMetric('RecordingControlsApplied', MetricUnit.Count, 1);
      const sent = await deps.callbacks.succeed(token, result, Command.ControlRecording);
      return sent === 'sent' ? afterCallback() : answer(deps, [], without(attributes, TokenAttribute.ControlRecording));
    }
    case 'SpeakAndGetDigits':
      return noticeHeard(event, deps, typeof data.ReceivedDigits === 'string' && data.ReceivedDigits !== '' ? data.ReceivedDigits : null);
    case 'Speak':
    case 'PlayAudio': {
      const token = attributes[TokenAttribute.NotifyConsent];
      if (!token) return respond();
      const unheard = legsNotYetNotified(event);
      if (unheard.length > 0) {
        // The notice is one list (a Speak per leg) and ACTION_SUCCESSFUL comes after its last; a success for an
        // earlier leg means another response replaced the rest of the list. The token stays parked.
        deps.log.warn('the consent notice list was cut short; speaking to the remaining legs', {
          legs: unheard.map((p) => logSafe(p.ParticipantTag)),
        });
        return respond(unheard.map((p) => ({ Type: 'Speak', Parameters: { ...data.Parameters, CallId: p.CallId } })));
      }
      return noticeHeard(event, deps, undefined);
    }
    default:
      return respond();
  }
}

/** The notice has been played to every leg: its task succeeds, with the key pressed when it offered a choice. */
async function noticeHeard(event: SmaEvent, deps: CallEventDeps, receivedDigits: string | null | undefined): Promise<SmaResponse> {
  const attributes = attributesOf(event);
  const token = attributes[TokenAttribute.NotifyConsent];
  if (!token) return respond();
  const result: NotifyConsentResult = {
    legs: event.CallDetails.Participants.filter(isConnected).map((p) => p.ParticipantTag),
    ...(receivedDigits !== undefined ? { receivedDigits } : {}),
  };
  const sent = await deps.callbacks.succeed(token, result, Command.NotifyConsent);
  return sent === 'sent' ? afterCallback() : answer(deps, [], without(attributes, TokenAttribute.NotifyConsent));
}

/**
 * The response to an action's success once its task token is completed: no TransactionAttributes (the SMA keeps
 * its map). The workflow's next update can reach this Lambda before the SMA has applied this response, and the
 * docs do not say which of the two responses the SMA applies last: a map returned here could replace the one
 * in which that update parked its token. The spent token left in the map is harmless: a later callback with
 * it is refused as stale, and the next command of its kind overwrites it.
 */
const delivered = new WeakSet<SmaResponse>();
const afterCallback = (): SmaResponse => {
  const r = respond();
  delivered.add(r);
  return r;
};

/**
 * True for the response to an own action's result whose task callback went through: the token left in the map
 * is spent, and the middleware must not answer with a map either (its own reasons: see afterCallback).
 */
export function callbackDelivered(response: SmaResponse): boolean {
  return delivered.has(response);
}

/** Connected legs after the one the finished Speak addressed: the rest of a notice list that never ran. */
function legsNotYetNotified(event: EventOf<'ACTION_SUCCESSFUL'>): Participant[] {
  const data = event.ActionData;
  if (data.Type !== 'Speak' || typeof data.Parameters?.Text !== 'string') return [];
  const legs = event.CallDetails.Participants.filter(isConnected);
  const spoken = legs.findIndex((p) => p.CallId === data.Parameters?.CallId);
  return spoken < 0 ? [] : legs.slice(spoken + 1);
}

export async function onActionFailed(event: EventOf<'ACTION_FAILED'>, deps: CallEventDeps): Promise<SmaResponse> {
  const data = event.ActionData;
  const attributes = attributesOf(event);
  const { error, cause } = actionError(data);
  if (data.Type === 'StartCallRecording') {
    const handled = await onStartRecordingRefused(event, deps, error, cause);
    if (handled) return handled;
  }
  if (data.Type === 'SpeakAndGetDigits' && !PROMPT_FAILURES.has(error)) {
    // No key in time (or none valid): the notice was heard and not declined.
    return noticeHeard(event, deps, null);
  }
  const pending: Command | undefined =
    data.Type === 'StartCallRecording'
      ? Command.StartRecording
      : NOTICE_ACTION_TYPES.includes(data.Type)
        ? Command.NotifyConsent
        : isControlActionType(data.Type)
          ? Command.ControlRecording
          : undefined;
  const token = pending && attributes[TokenAttribute[pending]];
  if (pending && token) {
    deps.log.warn('recording action failed', { action: logSafe(data.Type), error: logSafe(error) });
    const metric = {
      StartRecording: 'RecordingStartFailures',
      NotifyConsent: 'ConsentNoticeFailures',
      ControlRecording: 'RecordingControlFailures',
    };
    deps.metrics.addMetric(metric[pending as keyof typeof metric] ?? 'RecordingActionFailures', MetricUnit.Count, 1);
    await deps.callbacks.fail(token, error, cause, pending);
    return answer(
      deps,
      [],
      without(attributes, TokenAttribute[pending], ...(pending === Command.StartRecording ? [PendingCallIdAttribute] : [])),
    );
  }
  deps.log.warn('recording action failed with no task waiting for it', { action: logSafe(data.Type), error: logSafe(error) });
  return respond();
}

/**
 * A StartCallRecording refused on a leg this Lambda had already asked to record. The leg records once, so:
 * - its recording is known (an earlier ACTION_SUCCESSFUL): the waiting task succeeds with that recording;
 * - "already started" and only asked so far: the first request started late; its ACTION_SUCCESSFUL, which
 *   carries the key, is still to come, so the token stays parked for it.
 * Returns undefined when the refusal is an ordinary failure.
 */
async function onStartRecordingRefused(
  event: EventOf<'ACTION_FAILED'>,
  deps: CallEventDeps,
  error: string,
  cause: string,
): Promise<SmaResponse | undefined> {
  const attributes = attributesOf(event);
  const callId = String(event.ActionData.Parameters?.CallId ?? '');
  const started = recordingOf(attributes, callId);
  const token = attributes[TokenAttribute.StartRecording];
  const pendingCallId = attributes[PendingCallIdAttribute];
  if (started) {
    deps.log.info('StartCallRecording refused on a leg that already records: the earlier recording stands', { error: logSafe(error) });
    deps.metrics.addMetric('RecordingStartsReused', MetricUnit.Count, 1);
    if (!token || (pendingCallId && pendingCallId !== callId)) return respond();
    await deps.callbacks.succeed(
      token,
      startResult(event, callId, String(event.ActionData.Parameters?.Track ?? ''), started, true),
      Command.StartRecording,
    );
    return answer(deps, [], without(attributes, TokenAttribute.StartRecording, PendingCallIdAttribute));
  }
  if (ALREADY_STARTED.test(`${error} ${cause}`) && (started === '' || pendingCallId === callId)) {
    deps.log.info('StartCallRecording "already started" on a leg we asked to record: waiting for the late start', {
      error: logSafe(error),
    });
    deps.metrics.addMetric('LateRecordingStarts', MetricUnit.Count, 1);
    return respond();
  }
  return undefined;
}

/** HANGUP: the pending tokens are failed (start, notice) or completed (WaitForCallEnd); no action of its own. */
export async function onHangup(event: EventOf<'HANGUP'>, deps: CallEventDeps): Promise<SmaResponse> {
  const params = event.ActionData.Parameters ?? {};
  const participantTag = typeof params.ParticipantTag === 'string' ? params.ParticipantTag : null;
  const sipResponseCode = params.SipResponseCode === undefined ? null : String(params.SipResponseCode);
  const attributes = attributesOf(event);
  const endedCause = `the call ended (${participantTag ?? 'a leg'} hung up, SIP ${sipResponseCode ?? 'unknown'})`;

  for (const command of [Command.StartRecording, Command.NotifyConsent, Command.ControlRecording] as const) {
    const token = attributes[TokenAttribute[command]];
    if (token) await deps.callbacks.fail(token, TaskError.CallEnded, endedCause, command);
  }
  const callEndToken = attributes[TokenAttribute.WaitForCallEnd];
  const unapplied = queuedControls(attributes);
  if (callEndToken) {
    // Requests still queued never reached the workflow: the call ended first. Named so the audit shows them.
    const result: CallEndResult = { sipResponseCode, participantTag, ...(unapplied.length ? { unappliedControls: unapplied } : {}) };
    await deps.callbacks.succeed(callEndToken, result, Command.WaitForCallEnd);
  }
  const hadTokens = [...Object.values(TokenAttribute), QueuedControlsAttribute].some((k) => k in attributes);
  const next = without(attributes, ...Object.values(TokenAttribute), PendingCallIdAttribute, QueuedControlsAttribute);
  return answer(deps, [], hadTokens ? next : undefined);
}

export async function onInvalidLambdaResponse(event: EventOf<'INVALID_LAMBDA_RESPONSE'>, deps: CallEventDeps): Promise<SmaResponse> {
  const attributes = attributesOf(event);
  // One doc page puts ErrorType/ErrorMessage at the top level of the event, another in ActionData.
  const error = event.ErrorType ?? event.ActionData?.ErrorType ?? 'InvalidLambdaResponse';
  const message = event.ErrorMessage ?? event.ActionData?.ErrorMessage;
  deps.log.error('the SMA refused our response', { errorType: logSafe(error), errorMessage: logSafe(message, 512) });
  deps.metrics.addMetric('InvalidLambdaResponses', MetricUnit.Count, 1);
  // A pending start/notice will never get its ACTION_* event now: fail it so the workflow decides.
  const pending = [Command.StartRecording, Command.NotifyConsent, Command.ControlRecording].filter((c) => attributes[TokenAttribute[c]]);
  for (const command of pending)
    await deps.callbacks.fail(attributes[TokenAttribute[command]], 'InvalidLambdaResponse', `${error}: ${message ?? ''}`, command);
  if (pending.length === 0) return respond();
  return answer(deps, [], without(attributes, ...pending.map((c) => TokenAttribute[c]), PendingCallIdAttribute));
}
