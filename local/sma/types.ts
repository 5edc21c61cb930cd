/** Public types of the SMA emulator (local/sma/emulator.ts). */
import type { SmaReadings } from './readings';

/** Faults of one call, exactly the `faults` object of the scenario format (docs/reference/design.md). */
export interface Faults {
  /** ErrorTypes for the first N StartCallRecording actions of the call, e.g. ["SystemException"]. */
  startRecording?: string[];
  /** ErrorTypes for the first N notice actions (Speak or PlayAudio) of the call. */
  consent?: string[];
  /** The caller hangs up this long (virtual seconds) after the call is connected, instead of durationSeconds. */
  hangupAfterSeconds?: number;
  /** The recording object lands this long (virtual seconds) after recording stops. */
  deliveryDelaySeconds?: number;
  /** The recording object never lands. */
  dropRecording?: boolean;
  /** Overrides of the user metadata written on the recording object. */
  metadata?: Record<string, string>;
  /** The recording body is a header-only WAV (zero-length audio). */
  emptyRecording?: boolean;
  /**
   * Errors the Chime API (local/chime/server.ts) answers to the successive UpdateSipMediaApplicationCall
   * requests of one workflow step (told apart by Arguments.command), before it accepts one.
   */
  updateCall?: Partial<Record<UpdateCommand, UpdateCallError[]>>;
  /** Each CALL_UPDATE_REQUESTED reaches the Lambda this long (virtual seconds) after the 202. */
  updateDelaySeconds?: number;
  /** The first StartCallRecording's ACTION_SUCCESSFUL comes this long (virtual seconds) after the action was returned. */
  startRecordingDelaySeconds?: number;
  /** The S3 twin refuses reads (HeadObject, GetObject) of this call's recordings with 403 AccessDenied. */
  verifyAccessDenied?: boolean;
  /**
   * The first N task callbacks (SendTaskSuccess/Failure) to that state of the call's workflow never arrive: the
   * twin's Step Functions drops them (the Lambda's request lost), so the task times out. Keyed by state name.
   */
  loseCallback?: Partial<Record<CallbackState, number>>;
}

/** The workflow's callback tasks whose callbacks faults.loseCallback can lose. */
export const CALLBACK_STATES = [
  'StartRecording',
  'NotifyConsent',
  'WaitForCallEnd',
  'ControlRecording',
  'StopRecording',
  'ConfirmStop',
] as const;
export type CallbackState = (typeof CALLBACK_STATES)[number];

/** The workflow steps that send UpdateSipMediaApplicationCall (Arguments.command). */
/** The workflow steps that spend an UpdateSipMediaApplicationCall (the call's end does not: the hand-off mailbox). */
export const UPDATE_COMMANDS = ['StartRecording', 'NotifyConsent', 'ControlRecording'] as const;
export type UpdateCommand = (typeof UPDATE_COMMANDS)[number];
/** UpdateSipMediaApplicationCall errors a scenario can inject, with their HTTP status (chime-sdk-voice API model). */
export const UPDATE_CALL_ERRORS = {
  ThrottledClientException: 429,
  ServiceUnavailableException: 503,
  ServiceFailureException: 500,
  NotFoundException: 404,
} as const;
export type UpdateCallError = keyof typeof UPDATE_CALL_ERRORS;

/** Faults the scenario format does not have: for tests of the Lambda's and workflow's robustness. */
export interface TestFaults {
  /**
   * Deliver every event twice, as the SMA does when it retries an invocation after its 5 s timeout: the
   * retry starts while the first is still running, carries the same Sequence, and its response is the one
   * executed (unverified: the docs do not say which Sequence a retry carries).
   */
  duplicateEvents?: boolean;
  /**
   * The adversarial order for an update that races an earlier invocation (the docs do not say which response
   * the SMA applies last): each CALL_UPDATE_REQUESTED carries the TransactionAttributes the call's previous
   * invocation was sent with (that invocation's response not applied yet), and after the update's response is
   * applied, the previous response is applied again (its TransactionAttributes, and its action list replacing
   * the queued actions): the earlier response lands last.
   */
  raceUpdates?: boolean;
}

/** What the caller presses, and when (virtual seconds counted from answer): the scenario's `digits`. */
export interface DigitPress {
  atSeconds: number;
  /** DTMF: 0-9, *, # */
  digits: string;
}

/** One action the emulator ran for a call: the `actions` record (which ran, which were interrupted). */
export interface ActionRecord {
  type: string;
  /** Virtual ms the action started and ended. */
  startedAtMs: number;
  endedAtMs?: number;
  /**
   * running, then: ok | failed | interrupted (replaced by an update's list) | aborted (its leg hung up) | hangup;
   * not_run: dropped from its list before it started (a new list replaced it, an earlier action failed, the call ended).
   */
  status: 'running' | 'ok' | 'failed' | 'interrupted' | 'aborted' | 'hangup' | 'not_run';
  /** The leg it ran on (its CallId, or the leg it implies), when there is one. */
  callId?: string;
  /** Its Parameters as the Lambda returned them (the scenario report tells the recording's actions by them). */
  parameters?: Record<string, unknown>;
  errorType?: string;
  /** SpeakAndGetDigits / PlayAudioAndGetDigits: what the caller entered. */
  receivedDigits?: string;
  /** The leg the action ran on (CallAndBridge: LEG-A, the caller's); undefined when its target is not a leg. */
  leg?: ParticipantTag;
  /** It ran on (or went on running) because a response with a NULL action set kept its list. */
  keptByNull?: boolean;
}

export interface CallSpec {
  /** Default: a random UUID. */
  transactionId?: string;
  /** The caller's number (LEG-A From), E.164. */
  from: string;
  /** The dialed number (LEG-A To), E.164. */
  to: string;
  /**
   * 2: the far party answers a CallAndBridge (the SMA Lambda decides to bridge; if it does not, the call stays
   * 1-leg and a note says so). 1: nobody answers a CallAndBridge (ACTION_FAILED CallNotAnswered).
   */
  legs: 1 | 2;
  /** The caller hangs up this long (virtual seconds) after the call is connected. */
  durationSeconds: number;
  /** Keys the caller presses, counted from answer (a digit collection running then receives them). */
  digits?: DigitPress[];
  faults?: Faults & TestFaults;
  /** Readings of what the docs leave open, over the emulator's (readings.ts; the scenario's `smaReadings`). */
  readings?: SmaReadings;
}

/** Minimal structured logger. Messages never carry Arguments / TransactionAttributes values; numbers are masked. */
export interface EmulatorLogger {
  info(message: string, details?: Record<string, unknown>): void;
  warn(message: string, details?: Record<string, unknown>): void;
  error(message: string, details?: Record<string, unknown>): void;
}

export type ParticipantTag = 'LEG-A' | 'LEG-B';

/** One Participants[] entry, as the events carry it. */
export interface Participant {
  CallId: string;
  ParticipantTag: ParticipantTag;
  To: string;
  From: string;
  Direction: 'Inbound' | 'Outbound';
  /** Epoch ms as a STRING (as the service sends it). */
  StartTimeInMilliseconds: string;
  Status: 'Connected' | 'Disconnected';
}

/** One Lambda invocation of a call, kept for tests (in memory only: events may carry task tokens). */
export interface InvocationRecord {
  sequence: number;
  eventType: string;
  event: Record<string, unknown>;
  /** What the handler returned (undefined if it threw or timed out). */
  response?: unknown;
  /** Why the invocation failed (thrown error message, or "timeout"). */
  error?: string;
  /** 1 = first delivery, 2 = the SMA's retry (or the duplicate of duplicateEvents). */
  attempt: number;
  /** The SMA did not act on this response (ignored by protocol, superseded by its retry, or invalid). */
  ignored?: boolean;
  wallMs: number;
  virtualMs: number;
}

export type RecordingStatus = 'recording' | 'stopped' | 'delivered' | 'dropped' | 'failed';

/** One stretch of a recording that was paused (virtual ms): PauseCallRecording to ResumeCallRecording. */
export interface PauseWindow {
  startMs: number;
  /** The ResumeCallRecording; a window still open ends when the recording stops (StopCallRecording or hangup). */
  endMs?: number;
}

/** Each PauseCallRecording / ResumeCallRecording / StopCallRecording that succeeded on a recording, in order. */
export interface RecordingControlRecord {
  type: 'PauseCallRecording' | 'ResumeCallRecording' | 'StopCallRecording';
  atMs: number;
  /**
   * false: a pause while paused or a resume while not paused, which the SMA answers ACTION_SUCCESSFUL and which
   * changes nothing (no window, no tone: assumed, the docs do not say; see REDUNDANT_CONTROL in run-action.ts).
   */
  changed: boolean;
}

export interface RecordingRecord {
  callId: string;
  participantTag: ParticipantTag;
  track: 'BOTH' | 'INCOMING' | 'OUTGOING';
  bucket: string;
  key: string;
  /** "bucket/key", as ActionData.CallRecordingDestination.Location carries it. */
  location: string;
  startedAtMs: number;
  stoppedAtMs?: number;
  /** Recorded virtual seconds (paused time included). */
  durationSeconds?: number;
  /** Every pause that took effect, in order; the WAV is silent over each (local/sma/wav.ts). */
  pauses: PauseWindow[];
  /** Every control action that succeeded on this recording (the changing ones and those that changed nothing). */
  controls: RecordingControlRecord[];
  /** What stopped it: a StopCallRecording action, or its leg hanging up (the call ending). */
  stopCause?: 'StopCallRecording' | 'hangup';
  deliveredAtMs?: number;
  status: RecordingStatus;
  error?: string;
}

export interface CallSummary {
  transactionId: string;
  participants: Participant[];
  recordings: RecordingRecord[];
  invocations: number;
  notes: string[];
  /** Every action run, in order, with how it ended. */
  actions: ActionRecord[];
  endedAtMs: number;
  /** true when the call was cut short by SmaEmulator#close(). */
  aborted: boolean;
}

export interface CallHandle {
  readonly transactionId: string;
  /** CallId of LEG-A. */
  readonly legA: string;
  /**
   * true when the call is connected: 1 leg = once the NEW_INBOUND_CALL response has run; 2 legs = when LEG-B
   * answered. false if the call ended before that.
   */
  readonly connected: Promise<boolean>;
  /** Virtual ms the call was connected (the scenario's `digits` and `controls` count from here); undefined before. */
  readonly connectedAtMs?: number;
  /** Every leg disconnected and every recording delivered or dropped. */
  readonly ended: Promise<CallSummary>;
  /** Every (event, response) pair, in order (live array). */
  readonly log: readonly InvocationRecord[];
  /** Things a test or the runner should know (e.g. "legs=2 but no CallAndBridge"). */
  readonly notes: readonly string[];
  readonly recordings: readonly RecordingRecord[];
  /** Every action run so far, with how it ended (live array). */
  readonly actions: readonly ActionRecord[];
  /** The participants as the next event would carry them. */
  participants(): Participant[];
}

export interface ActiveCallInfo {
  transactionId: string;
  participants: Array<Pick<Participant, 'CallId' | 'ParticipantTag' | 'Status'>>;
  currentAction?: string;
  queuedActions: number;
  invocations: number;
  pendingDeliveries: number;
}
