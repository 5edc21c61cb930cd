/**
 * The workflow's commands (CALL_UPDATE_REQUESTED with a task token): StartRecording, NotifyConsent,
 * WaitForCallEnd and ControlRecording, each answered with the recording's actions (the one whose result the
 * task needs last) and its token parked in TransactionAttributes; and auto-record's start of the workflow.
 * Every path returns a valid SMA response; recording problems are reported to the workflow (SendTaskFailure),
 * never to the call.
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import {
  Arg,
  CONTROL_ACTIONS,
  Command,
  type ControlAction,
  PendingCallIdAttribute,
  TaskError,
  TokenAttribute,
  type ControlRequestResult,
} from '../shared/workflow-contract';
import { OPT_OUT_DIGIT, RecordingRequestError, consentTextProblem, parseId, parseLocation, parseTrack } from '../shared/recording-request';
import { logSafe } from '../shared/mask';
import { logSafeMessage } from '../shared/log-safe-error';
import type { SmaEvent } from './sma-event';
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

import {
  type CallEventDeps,
  type Attributes,
  type EventOf,
  attributesOf,
  isConnected,
  noticeOrder,
  legA,
  without,
  answer,
  recordingOf,
  withRecording,
  startResult,
  afterCallback,
} from './call-state';
import { CONTROL_ACTION_TYPES, queuedControls, withQueuedControls } from './controls';

/** A CALL_UPDATE_REQUESTED from the recording workflow. */
export function isWorkflowCommand(event: SmaEvent): event is EventOf<'CALL_UPDATE_REQUESTED'> {
  if (event.InvocationEventType !== 'CALL_UPDATE_REQUESTED') return false;
  // The workflow's shape: a task token. An unknown or missing command is still the workflow's (its task is
  // failed with InvalidCommand rather than left to time out); an update without a token is the application's.
  return Boolean(event.ActionData.Parameters.Arguments[Arg.taskToken]);
}

/** The notice's opt-out (NotifyConsent arguments), undefined without one, or the problem with it. */
export function optOutOf(args: Record<string, string>): { digit: string; seconds: number } | undefined | string {
  const digit = args[Arg.optOutDigit];
  if (digit === undefined || digit === '') return undefined;
  if (!OPT_OUT_DIGIT.test(digit)) return 'optOutDigit: must be one key, 0-9 or *';
  const seconds = Number(args[Arg.optOutSeconds] ?? '5');
  if (!Number.isInteger(seconds) || seconds < 1 || seconds > 60) return 'optOutSeconds: must be a whole number of seconds, 1-60';
  return { digit, seconds };
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

export async function runWorkflowCommand(event: EventOf<'CALL_UPDATE_REQUESTED'>, deps: CallEventDeps): Promise<SmaResponse> {
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
      const { legs: ordered, caller } = noticeOrder(legs, optOut !== undefined);
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
