/**
 * The recording's own share of the SMA's events besides the workflow's commands (workflow-commands.ts) and the
 * control requests (controls.ts): the results of the actions the commands returned, and the task tokens still
 * pending at HANGUP or INVALID_LAMBDA_RESPONSE. The middleware (middleware-core.ts) decides which events these
 * are; everything else belongs to the application. Every path returns a valid SMA response; recording problems
 * are reported to the workflow (SendTaskFailure), never to the call. Responses carry the whole
 * TransactionAttributes map when they change it (the middleware keeps only its `rw:*` keys from it).
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import {
  Command,
  type ControlAction,
  NoticeAttribute,
  PendingCallIdAttribute,
  QueuedControlsAttribute,
  TaskError,
  TokenAttribute,
  type CallEndResult,
  type ControlRecordingResult,
  type NotifyConsentResult,
} from '../shared/workflow-contract';
import { logSafe } from '../shared/mask';
import { actionError, type Participant, type SmaEvent } from './sma-event';
import { respond, speakAndGetDigit, type SmaResponse, type SpeakVoice } from './sma-response';
import { readOwn } from './own-state';
import { noticeParamsOf } from '../shared/mailbox-contract';
import { handOff, hasTask, usesMailbox } from './task-handoff';
import { noticeActions } from './workflow-commands';

import {
  type CallEventDeps,
  type EventOf,
  attributesOf,
  CALLER_TAG,
  isConnected,
  noticeOrder,
  without,
  answer,
  recordingOf,
  withRecording,
  startResult,
  afterCallback,
  continueWithNotice,
} from './call-state';
import { CONTROL_ACTION_TYPES, isControlActionType, controlActionOf, queuedControls } from './controls';

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

/**
 * What the SMA says to a second StartCallRecording on a leg is not documented (sip-apps-call-record only says
 * "You can only start and stop recording once for an individual call leg"; the issue saw "Call recording was
 * already started on this call leg"). Matched on the words, whatever the ErrorType: change here if AWS differs.
 */
export const ALREADY_STARTED = /already (been )?started|already recording|only start and stop recording once/i;

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

/**
 * The result of the middleware's own StartCallRecording or consent notice (see ownedResult). `waitedBehind`: the
 * application's action types the start waited for (it was parked until their list ended), for the audit.
 */
export async function onActionSuccessful(
  event: EventOf<'ACTION_SUCCESSFUL'>,
  deps: CallEventDeps,
  waitedBehind?: string[],
): Promise<SmaResponse> {
  const data = event.ActionData;
  const attributes = attributesOf(event);
  switch (data.Type) {
    case 'StartCallRecording': {
      const callId = String(data.Parameters?.CallId ?? '');
      const location = data.CallRecordingDestination?.Location;
      // Remembered whether or not a workflow waits: a retry of a timed-out attempt is answered from here.
      const remembered = location && callId ? withRecording(attributes, callId, location) : attributes;
      const pending = attributes[PendingCallIdAttribute];
      if (!hasTask(event, deps, Command.StartRecording) || (pending && pending !== callId)) {
        deps.log.info('StartCallRecording succeeded with no workflow waiting for it; remembered for a retry');
        return answer(deps, [], remembered === attributes ? undefined : remembered);
      }
      const next = without(remembered, TokenAttribute.StartRecording, PendingCallIdAttribute, NoticeAttribute);
      if (!location) {
        await handOff(event, deps, Command.StartRecording, {
          error: 'MissingCallRecordingDestination',
          cause: 'ACTION_SUCCESSFUL for StartCallRecording carried no CallRecordingDestination.Location',
        });
        return answer(deps, [], next);
      }
      deps.metrics.addMetric('RecordingsStarted', MetricUnit.Count, 1);
      // The notice follows in this answer (issue 21): its text came with the update (NoticeAttribute) or with the
      // workflow's token in the mailbox. Played whether or not the workflow hears of the start: it has started.
      const taken = usesMailbox(event, deps, Command.StartRecording)
        ? await deps.mailbox?.take(event.CallDetails.TransactionId, Command.StartRecording)
        : undefined;
      const notice = noticeParamsOf(parseJson(attributes[NoticeAttribute])) ?? (taken?.kind === 'token' ? taken.notice : undefined);
      const built = notice ? noticeActions(event, deps, { ...notice }) : undefined;
      const noticeFollows = built !== undefined && 'actions' in built;
      const { result, via } = await handOff(
        event,
        deps,
        Command.StartRecording,
        {
          ok: {
            ...startResult(event, callId, String(data.Parameters?.Track ?? ''), location, false),
            ...(waitedBehind ? { waitedBehind } : {}),
            ...(noticeFollows ? { noticeFollows: true } : {}),
          },
        },
        taken,
      );
      if (built && 'actions' in built) return continueWithNotice(answer(deps, built.actions, next));
      // Delivered by token: the workflow moves on at once (see afterCallback); otherwise its retry needs the recording.
      return result === 'sent' && via === 'token' ? afterCallback() : answer(deps, [], next);
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
      if (!hasTask(event, deps, Command.NotifyConsent)) return respond();
      const optOutSeconds = readOwn(attributes).o;
      const unheard = legsNotYetNotified(event, optOutSeconds !== undefined);
      if (unheard.length > 0) {
        // The notice is one list (a Speak per leg) and ACTION_SUCCESSFUL comes after its last; a success for an
        // earlier leg means another response replaced the rest of the list. The token stays parked. The caller of
        // an opt-out notice is asked again as the notice asked (SpeakAndGetDigits, last), so the choice survives.
        deps.log.warn('the consent notice list was cut short; speaking to the remaining legs', {
          legs: unheard.map((p) => logSafe(p.ParticipantTag)),
        });
        const text = String(data.Parameters?.Text ?? '');
        return respond(
          unheard.map((p) =>
            optOutSeconds !== undefined && p.ParticipantTag === CALLER_TAG
              ? speakAndGetDigit(p.CallId, text, voiceOf(data.Parameters), optOutSeconds * 1000)
              : { Type: 'Speak', Parameters: { ...data.Parameters, CallId: p.CallId } },
          ),
        );
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
  if (!hasTask(event, deps, Command.NotifyConsent)) return respond();
  const result: NotifyConsentResult = {
    legs: event.CallDetails.Participants.filter(isConnected).map((p) => p.ParticipantTag),
    ...(receivedDigits !== undefined ? { receivedDigits } : {}),
  };
  const sent = await handOff(event, deps, Command.NotifyConsent, { ok: result });
  return sent.result === 'sent' && sent.via === 'token'
    ? afterCallback()
    : answer(deps, [], without(attributes, TokenAttribute.NotifyConsent));
}

/**
 * Connected legs after the one the finished Speak addressed, in the notice list's order: the rest of a list that
 * never ran. An opt-out notice asks the caller (LEG-A) last (workflow-commands.ts, NotifyConsent).
 */
function legsNotYetNotified(event: EventOf<'ACTION_SUCCESSFUL'>, callerLast: boolean): Participant[] {
  const data = event.ActionData;
  if (data.Type !== 'Speak' || typeof data.Parameters?.Text !== 'string') return [];
  const { legs } = noticeOrder(event.CallDetails.Participants.filter(isConnected), callerLast);
  const spoken = legs.findIndex((p) => p.CallId === data.Parameters?.CallId);
  return spoken < 0 ? [] : legs.slice(spoken + 1);
}

/** The voice of the notice's own Speak (built by `speak`, so every field is there), to ask the caller in it. */
function voiceOf(parameters: Record<string, unknown> | undefined): SpeakVoice {
  return {
    engine: parameters?.Engine as string,
    languageCode: parameters?.LanguageCode as string,
    voiceId: parameters?.VoiceId as string,
  };
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
  if (pending && hasTask(event, deps, pending)) {
    deps.log.warn('recording action failed', { action: logSafe(data.Type), error: logSafe(error) });
    const metric = {
      StartRecording: 'RecordingStartFailures',
      NotifyConsent: 'ConsentNoticeFailures',
      ControlRecording: 'RecordingControlFailures',
    };
    deps.metrics.addMetric(metric[pending as keyof typeof metric] ?? 'RecordingActionFailures', MetricUnit.Count, 1);
    await handOff(event, deps, pending, { error, cause });
    return answer(
      deps,
      [],
      without(
        attributes,
        TokenAttribute[pending],
        ...(pending === Command.StartRecording ? [PendingCallIdAttribute, NoticeAttribute] : []),
      ),
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
  const pendingCallId = attributes[PendingCallIdAttribute];
  if (started) {
    deps.log.info('StartCallRecording refused on a leg that already records: the earlier recording stands', { error: logSafe(error) });
    deps.metrics.addMetric('RecordingStartsReused', MetricUnit.Count, 1);
    if (!hasTask(event, deps, Command.StartRecording) || (pendingCallId && pendingCallId !== callId)) return respond();
    await handOff(event, deps, Command.StartRecording, {
      ok: startResult(event, callId, String(event.ActionData.Parameters?.Track ?? ''), started, true),
    });
    return answer(deps, [], without(attributes, TokenAttribute.StartRecording, PendingCallIdAttribute, NoticeAttribute));
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
  // The recording's own action the Lambda returned by itself (no token in the map): its task learns of the end
  // through the mailbox (issue 21).
  const own = readOwn(attributes).c;
  if ((own === Command.StartRecording || own === Command.NotifyConsent) && usesMailbox(event, deps, own))
    await handOff(event, deps, own, { error: TaskError.CallEnded, cause: endedCause });
  const unapplied = queuedControls(attributes);
  if (hasTask(event, deps, Command.WaitForCallEnd)) {
    // Requests still queued never reached the workflow: the call ended first. Named so the audit shows them.
    const result: CallEndResult = { sipResponseCode, participantTag, ...(unapplied.length ? { unappliedControls: unapplied } : {}) };
    await handOff(event, deps, Command.WaitForCallEnd, { ok: result });
  }
  const hadTokens = [...Object.values(TokenAttribute), QueuedControlsAttribute, NoticeAttribute].some((k) => k in attributes);
  const next = without(attributes, ...Object.values(TokenAttribute), PendingCallIdAttribute, QueuedControlsAttribute, NoticeAttribute);
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
  const own = readOwn(attributes).c;
  if ((own === Command.StartRecording || own === Command.NotifyConsent) && usesMailbox(event, deps, own))
    await handOff(event, deps, own, { error: 'InvalidLambdaResponse', cause: `${error}: ${message ?? ''}` });
  if (pending.length === 0) return respond();
  return answer(deps, [], without(attributes, ...pending.map((c) => TokenAttribute[c]), PendingCallIdAttribute));
}

function parseJson(raw: string | undefined): unknown {
  if (!raw) return undefined;
  try {
    return JSON.parse(raw);
  } catch {
    return undefined;
  }
}
