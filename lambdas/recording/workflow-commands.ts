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
  NoticeAttribute,
  PendingCallIdAttribute,
  TaskError,
  TokenAttribute,
  type ControlRequestResult,
} from '../shared/workflow-contract';
import {
  DEFAULT_CONSENT_TEXT,
  OPT_OUT_DIGIT,
  RecordingRequestError,
  consentTextProblem,
  parseId,
  parseLocation,
  parseTrack,
} from '../shared/recording-request';
import { logSafe } from '../shared/mask';
import { type NoticeParams, noticeParamsOf } from '../shared/mailbox-contract';
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
import { handOff, usesMailbox } from './task-handoff';

/** A CALL_UPDATE_REQUESTED from the recording workflow. */
export function isWorkflowCommand(event: SmaEvent): event is EventOf<'CALL_UPDATE_REQUESTED'> {
  if (event.InvocationEventType !== 'CALL_UPDATE_REQUESTED') return false;
  // The workflow's shape: a task token. An unknown or missing command is still the workflow's (its task is
  // failed with InvalidCommand rather than left to time out); an update without a token is the application's.
  return Boolean(event.ActionData.Parameters.Arguments[Arg.taskToken]);
}

/** The notice's opt-out (NotifyConsent arguments), undefined without one, or the problem with it. */
export function optOutOf(args: Record<string, string | undefined>): { digit: string; seconds: number } | undefined | string {
  const digit = args[Arg.optOutDigit];
  if (digit === undefined || digit === '') return undefined;
  if (!OPT_OUT_DIGIT.test(digit)) return 'optOutDigit: must be one key, 0-9 or *';
  const seconds = Number(args[Arg.optOutSeconds] ?? '5');
  if (!Number.isInteger(seconds) || seconds < 1 || seconds > 60) return 'optOutSeconds: must be a whole number of seconds, 1-60';
  return { digit, seconds };
}

/**
 * Policy-driven recording: starts the workflow for this call (the middleware calls it once the call is answered),
 * telling it that the first StartCallRecording goes out in the Lambda's own answer (policyStart), not by an update.
 */
export async function autoRecord(event: SmaEvent, deps: CallEventDeps): Promise<'started' | 'already-started' | 'failed' | 'none'> {
  const policy = deps.config.autoRecord;
  const leg = legA(event);
  if (!policy || !deps.starter || !leg) return 'none';
  return deps.starter.start({
    sipMediaApplicationId: event.CallDetails.SipMediaApplicationId,
    transactionId: event.CallDetails.TransactionId,
    callId: leg.CallId,
    track: policy.track,
    location: policy.location,
    ...(deps.mailbox ? { consentText: policy.consentText ?? DEFAULT_CONSENT_TEXT, startedBy: 'call-flow' as const } : {}),
    // An inbound call's LEG-A is the caller: its number lets an erasure request find this recording (issue 24).
    ...(leg.Direction !== 'Outbound' && E164.test(leg.From ?? '') ? { caller: leg.From } : {}),
    ...(!deps.mailbox && policy.consentText ? { consentText: policy.consentText } : {}),
  });
}

const E164 = /^\+[1-9]\d{1,14}$/;

/**
 * The policy's StartCallRecording, returned by the Lambda itself (issue 21: no update spent): the action and the
 * call's map as a StartRecording command would leave them, without a token (the workflow's is in the mailbox). The
 * policy's consent text, when set, is kept to be played right after the start, even if the workflow is late.
 */
export function policyStart(event: SmaEvent, deps: CallEventDeps): { actions: SmaAction[]; attributes: Attributes } | undefined {
  const policy = deps.config.autoRecord;
  const leg = legA(event);
  if (!policy || !deps.mailbox || !leg || !isConnected(leg)) return undefined;
  const attributes = attributesOf(event);
  if (recordingOf(attributes, leg.CallId) !== undefined) return undefined;
  deps.metrics.addMetric('RecordingStartsRequested', MetricUnit.Count, 1);
  deps.log.info('returning StartCallRecording (recording policy)', { leg: logSafe(leg.ParticipantTag), track: policy.track });
  const next: Attributes = { ...withRecording(attributes, leg.CallId, ''), [PendingCallIdAttribute]: leg.CallId };
  // The notice follows the start in the Lambda's own answer: its text is known here, whether or not the workflow
  // has left its token yet (the start's outcome can reach the Lambda before the workflow's first task runs).
  next[NoticeAttribute] = JSON.stringify({ text: policy.consentText ?? DEFAULT_CONSENT_TEXT } satisfies NoticeParams);
  return { actions: [startCallRecording(leg.CallId, policy.track, policy.location)], attributes: next };
}

/**
 * The consent notice's actions for `params` (NotifyConsent's Arguments, or the NoticeParams sent with a start): a
 * Speak per connected leg, the caller last as a SpeakAndGetDigits when it may decline. A problem is the task's error.
 */
export function noticeActions(
  event: SmaEvent,
  deps: CallEventDeps,
  params: Record<string, string | undefined>,
): { actions: SmaAction[] } | { error: string; cause: string } {
  const text = params[Arg.text];
  const problem = consentTextProblem(text);
  if (problem || text === undefined) return { error: TaskError.InvalidActionParameter, cause: `text: ${problem}` };
  const legs = event.CallDetails.Participants.filter(isConnected);
  if (legs.length === 0) return { error: TaskError.CallEnded, cause: 'no connected leg to notify' };
  const voice = {
    ...deps.config.voice,
    ...(params[Arg.voiceId] ? { voiceId: params[Arg.voiceId] } : {}),
    ...(params[Arg.languageCode] ? { languageCode: params[Arg.languageCode] } : {}),
  };
  const optOut = optOutOf(params);
  if (typeof optOut === 'string') return { error: TaskError.InvalidActionParameter, cause: optOut };
  // With an opt-out, the caller (LEG-A) hears the notice last, as a SpeakAndGetDigits: the list's result
  // (the last action's) then carries the key pressed. The other legs hear it first, as a Speak.
  const { legs: ordered, caller } = noticeOrder(legs, optOut !== undefined);
  const actions = ordered.map((l) =>
    l === caller && optOut ? speakAndGetDigit(l.CallId, text, voice, optOut.seconds * 1000) : speak(l.CallId, text, voice),
  );
  deps.log.info('returning the consent notice', { legs: ordered.map((l) => logSafe(l.ParticipantTag)), optOut: Boolean(caller) });
  return { actions };
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
        // The notice sent along (issue 21): played right after the start, in the Lambda's own answer.
        const notice = noticeParamsOf(args);
        return await park(Command.StartRecording, [startCallRecording(callId, track, args[Arg.location])], {
          ...without(asked, NoticeAttribute),
          [PendingCallIdAttribute]: callId,
          ...(notice ? { [NoticeAttribute]: JSON.stringify(notice) } : {}),
        });
      } catch (e) {
        if (!(e instanceof RecordingRequestError)) throw e;
        deps.log.warn('StartRecording refused before reaching the SMA', { problem: logSafe(e.message, 256) });
        await deps.callbacks.fail(token, TaskError.InvalidActionParameter, e.message, what);
        return respond();
      }
    }
    case Command.NotifyConsent: {
      const notice = noticeActions(event, deps, args);
      if ('error' in notice) {
        await deps.callbacks.fail(token, notice.error, notice.cause, what);
        return respond();
      }
      // The workflow notifies only once the start is over: its token, left in the map by afterCallback, is spent.
      return park(
        Command.NotifyConsent,
        notice.actions,
        without(attributes, TokenAttribute.StartRecording, PendingCallIdAttribute, NoticeAttribute),
      );
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
      // A request queued while the workflow was busy goes to its next WaitForCallEnd now (the slot is free: the
      // workflow emptied it when it took the request this control applies), so it is not left until a later event.
      const [queued, ...others] = queuedControls(attributes);
      let rest = spent;
      if (queued && usesMailbox(event, deps, Command.WaitForCallEnd)) {
        const sent = await handOff(event, deps, Command.WaitForCallEnd, { ok: { control: queued } satisfies ControlRequestResult });
        if (sent.result === 'mailed' || sent.result === 'sent') rest = withQueuedControls(spent, others);
      }
      return park(Command.ControlRecording, [controlCallRecording(CONTROL_ACTION_TYPES[action], leg.CallId)], rest);
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
