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
  /** Keep the token until the call ends (HANGUP), then complete it with the call's end details. */
  WaitForCallEnd: 'WaitForCallEnd',
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
} as const;

/**
 * TransactionAttributes keys where the Lambda keeps pending task tokens between SMA invocations
 * (the SMA echoes TransactionAttributes in every later event of the call, HANGUP included).
 */
export const TokenAttribute: Record<Command, string> = {
  StartRecording: 'rw:startRecordingToken',
  NotifyConsent: 'rw:consentToken',
  WaitForCallEnd: 'rw:callEndToken',
};
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
}
export interface NotifyConsentResult {
  /** ParticipantTags the notice was played to */
  legs: string[];
}
export interface CallEndResult {
  sipResponseCode: string | null;
  /** the leg whose hangup ended the call */
  participantTag: string | null;
}
