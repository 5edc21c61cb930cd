/**
 * The contract between the Step Functions workflow (statemachines/recording-workflow.asl.json) and the SMA
 * Lambda. The workflow calls UpdateSipMediaApplicationCall with `Arguments` (string -> string, at most 20
 * entries); the SMA hands them to the Lambda as a CALL_UPDATE_REQUESTED event. Change a name here and in the
 * ASL together: test/statemachines/definition.test.ts ("sends exactly the commands and argument names of the Lambda
 * contract") checks they agree.
 */
export const Command = {
  /** Return StartCallRecording for `callId` / `track` / `location`; complete the token on its outcome. */
  StartRecording: 'StartRecording',
  /** Speak `text` to every connected leg; complete the token when the notice has been played. */
  NotifyConsent: 'NotifyConsent',
  /**
   * Keep the token until the call ends (HANGUP), then complete it with the call's end details; or, earlier,
   * with a control request (ControlRequestResult) that arrived for the call, so the workflow applies it.
   */
  WaitForCallEnd: 'WaitForCallEnd',
  /**
   * Pause, resume or stop the recording (`action`). Two senders:
   * - with a task token, from the workflow: return Pause/Resume/StopCallRecording for `callId`, complete the
   *   token on its result (ControlRecordingResult, or the SMA's error);
   * - without one, from an operator (`recording-workflow pause|resume|stop`), an application
   *   (requestRecordingControl) or the caller's keypad: a request, handed to the workflow through its
   *   WaitForCallEnd token (or kept until that token is parked), so every control is decided, applied and
   *   audited by the workflow.
   */
  ControlRecording: 'ControlRecording',
} as const;
export type Command = (typeof Command)[keyof typeof Command];

/** Keys of the UpdateSipMediaApplicationCall Arguments map the workflow sends. */
export const Arg = {
  command: 'command',
  taskToken: 'taskToken',
  callId: 'callId',
  track: 'track',
  location: 'location',
  attempt: 'attempt',
  text: 'text',
  voiceId: 'voiceId',
  languageCode: 'languageCode',
  /** ControlRecording: PAUSE | RESUME | STOP */
  action: 'action',
  /** ControlRecording: who asked (an operator, an application, "caller"); shown in the audit. */
  requestedBy: 'requestedBy',
  /** ControlRecording: the request's id, echoed in the workflow's history so the requester finds its answer. */
  requestId: 'requestId',
  /** NotifyConsent: the key that declines recording (opt-out); absent = a notice without a choice. */
  optOutDigit: 'optOutDigit',
  /** NotifyConsent: seconds the caller has to press optOutDigit once the notice has been spoken. */
  optOutSeconds: 'optOutSeconds',
} as const;

/** What a ControlRecording asks for. */
export const ControlAction = { Pause: 'PAUSE', Resume: 'RESUME', Stop: 'STOP' } as const;
export type ControlAction = (typeof ControlAction)[keyof typeof ControlAction];
export const CONTROL_ACTIONS: readonly ControlAction[] = Object.values(ControlAction);
/** How a control reached the call: an UpdateSipMediaApplicationCall (operator or application), a key, the opt-out. */
export type ControlVia = 'api' | 'dtmf' | 'opt-out';
/** requestedBy / requestId: short ids, safe to log and to put in a manifest. */
export const CONTROL_ID = /^[A-Za-z0-9._:@+/-]{1,128}$/;

/**
 * What is wrong with a control request's fields (the first problem, naming the field; never the value, so it is
 * safe to log), or null. The one rule for the requester (requestRecordingControl) and the SMA Lambda.
 */
export function controlRequestProblem(
  action: unknown,
  requestedBy: unknown,
  requestId: unknown,
): { field: 'action' | 'requestedBy' | 'requestId'; problem: string } | null {
  if (!CONTROL_ACTIONS.includes(action as ControlAction))
    return { field: 'action', problem: `must be one of ${CONTROL_ACTIONS.join(', ')}` };
  const id = 'must be 1-128 letters, digits or . _ : @ + / -';
  if (typeof requestedBy !== 'string' || !CONTROL_ID.test(requestedBy)) return { field: 'requestedBy', problem: id };
  if (requestId !== null && (typeof requestId !== 'string' || !CONTROL_ID.test(requestId))) return { field: 'requestId', problem: id };
  return null;
}

/**
 * TransactionAttributes keys where the Lambda keeps pending task tokens between SMA invocations
 * (the SMA echoes TransactionAttributes in every later event of the call, HANGUP included).
 */
export const TokenAttribute: Record<Command, string> = {
  StartRecording: 'rw:startRecordingToken',
  NotifyConsent: 'rw:consentToken',
  WaitForCallEnd: 'rw:callEndToken',
  ControlRecording: 'rw:controlToken',
};
/**
 * Control requests that arrived while no WaitForCallEnd token was parked (the workflow was still starting the
 * recording or speaking the notice, or between two waits), as a JSON list of ControlRequest: handed over with
 * the next WaitForCallEnd. At most MAX_QUEUED_CONTROLS (TransactionAttributes are small); more are refused.
 */
export const QueuedControlsAttribute = 'rw:controls';
export const MAX_QUEUED_CONTROLS = 4;
/**
 * The consent notice to play once the pending StartRecording's recording has started (NoticeParams as JSON), when
 * an update asked for the start: the notice then follows in the Lambda's own answer, with no update of its own.
 */
export const NoticeAttribute = 'rw:notice';
/** The CallId the pending StartRecording is for (so ACTION_* events can be matched to it). */
export const PendingCallIdAttribute = 'rw:startRecordingCallId';
/**
 * Legs this Lambda asked to record, as JSON {callId: location}: "" once StartCallRecording was returned, the
 * CallRecordingDestination.Location once it started. A leg records once ("You can only start and stop
 * recording once for an individual call leg"), so a retried StartRecording is answered from here instead of
 * with a second StartCallRecording, and "already started" on a leg listed here is not a failure.
 */
export const RecordingsAttribute = 'rw:recordings';

/** Error names the Lambda sends with SendTaskFailure (must not start with "States."). */
export const TaskError = {
  /** The call ended before the pending action could complete. */
  CallEnded: 'CallEnded',
  /** Our own validation refused the StartCallRecording parameters (same meaning as the SMA's error). */
  InvalidActionParameter: 'InvalidActionParameter',
  /** The CALL_UPDATE_REQUESTED arguments were not a command this Lambda understands. */
  InvalidCommand: 'InvalidCommand',
  /** The recording's own action (the notice's prompt) was interrupted by another update of the call: retried. */
  ActionInterrupted: 'ActionInterrupted',
} as const;

/**
 * What the Lambda sends with SendTaskSuccess for each command (the workflow reads these fields). No
 * timestamps: the workflow times everything with its own clock ($now()), so one clock judges durations.
 */
export interface Leg {
  callId: string;
  participantTag: string;
  direction: string;
  status: string;
}
export interface StartRecordingResult {
  /** "bucket/full/key.wav" from ActionData.CallRecordingDestination.Location */
  location: string;
  callId: string;
  track: string;
  /** epoch ms the recorded leg started (Participants[].StartTimeInMilliseconds), or null if unknown */
  legStartMs: number | null;
  legs: Leg[];
  /** true when an earlier attempt had started this recording (late start or lost callback): no new action */
  alreadyStarted?: boolean;
  /** the application's action types the start waited for: it ran when their list ended, not interrupting them */
  waitedBehind?: string[];
  /**
   * the Lambda plays the consent notice now, in its own answer: the workflow takes the notice's outcome from the
   * mailbox (AwaitConsentNotice) instead of asking for it with an update (NotifyConsent)
   */
  noticeFollows?: boolean;
}
export interface NotifyConsentResult {
  /** ParticipantTags the notice was played to */
  legs: string[];
  /**
   * With an opt-out choice: the key the caller pressed (one digit), or null when none was pressed in time (the
   * notice was heard and not declined). The workflow compares it with the opt-out digit.
   */
  receivedDigits?: string | null;
}
export interface CallEndResult {
  sipResponseCode: string | null;
  /** the leg whose hangup ended the call */
  participantTag: string | null;
  /** control requests that were still waiting for the workflow when the call ended */
  unappliedControls?: ControlRequest[];
}
/** A control request, as the workflow gets it. */
export interface ControlRequest {
  action: ControlAction;
  requestedBy: string;
  requestId: string | null;
  via: ControlVia;
}
/** WaitForCallEnd's other result: the call goes on, and a control was requested. */
export interface ControlRequestResult {
  control: ControlRequest;
}
/** ControlRecording's result: the action the SMA ran, on which leg. */
export interface ControlRecordingResult {
  action: ControlAction;
  callId: string;
}
