/** State of one emulated call (one SMA transaction): legs, attributes, action queue, recordings. */
import type { SeededRandom } from '../random';
import type { ActionShape } from './events';
import { type ResolvedReadings, resolveReadings } from './readings';
import type { ActionRecord, CallSpec, CallSummary, InvocationRecord, Participant, ParticipantTag, RecordingRecord } from './types';

export interface LegState {
  callId: string;
  tag: ParticipantTag;
  from: string;
  to: string;
  direction: 'Inbound' | 'Outbound';
  startMs: number;
  status: 'Connected' | 'Disconnected';
  /** Recording can be started once per leg (sip-apps-call-record). */
  recordingStarted: boolean;
}

/** A ReceiveDigits armed on a leg (receive-digits.ts): what it listens for, what it has buffered. */
export interface ArmedReceiveDigits {
  callId: string;
  /** The action as the Lambda sent it: DIGITS_RECEIVED echoes its Parameters. */
  action: ActionShape;
  regex: RegExp;
  inBetweenMs: number;
  flushMs: number;
  buffer: string;
  inBetween?: AbortController;
  flush?: AbortController;
}

export interface RecordingState {
  record: RecordingRecord;
  paused: boolean;
}

/** What running an action came to; effects are applied when the call's mailbox takes the result. */
export type Outcome =
  | { status: 'ok'; effect?: Effect; extra?: Record<string, unknown>; parameterExtras?: Record<string, unknown> }
  | {
      status: 'failed';
      errorType: string;
      errorMessage: string;
      extra?: Record<string, unknown>;
      parameterExtras?: Record<string, unknown>;
    }
  | { status: 'interrupted' }
  | { status: 'aborted' }
  | { status: 'hangup'; callId: string; sipResponseCode: number };

export type Effect =
  | { kind: 'bridge'; callId: string; from: string; to: string }
  | { kind: 'startRecording'; record: RecordingRecord }
  | { kind: 'stopRecording'; callId: string }
  | { kind: 'pauseRecording'; callId: string; paused: boolean }
  | { kind: 'armDigits'; armed: ArmedReceiveDigits };

export type Message =
  | { kind: 'start' }
  | { kind: 'actionDone'; token: number; outcome: Outcome }
  | { kind: 'legDisconnect'; callId: string; sipResponseCode: number; cause: string }
  | { kind: 'update'; args: Record<string, string> }
  | { kind: 'digitsReceived'; action: ActionShape; digits: string };

export interface CurrentAction {
  action: ActionShape;
  token: number;
  controller: AbortController;
  interruptible: boolean;
  /** The action list it came from (CallState.listId when that list was applied). */
  list: number;
  /** Legs whose hangup cancels the action. */
  legs: string[];
  /** Its entry in the `actions` record. */
  record: ActionRecord;
}

interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
  settled: boolean;
}

export function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  const d: Deferred<T> = {
    promise,
    settled: false,
    resolve(value: T) {
      if (d.settled) return;
      d.settled = true;
      resolve(value);
    },
  };
  return d;
}

export class CallState {
  readonly legs: LegState[] = [];
  /** Last Sequence sent. */
  sequence = 0;
  /** undefined until the Lambda first returns TransactionAttributes. */
  attributes?: Record<string, string>;
  readonly mailbox: Message[] = [];
  processing = false;
  queue: ActionShape[] = [];
  /** Counts applied action lists; `queue` holds the rest of list number `listId`. */
  listId = 0;
  /** A NULL action set kept list number `keptList` (its actions are marked in the `actions` record). */
  keptList?: number;
  current?: CurrentAction;
  /** An action has run on the call: it is answered (case-1: an inbound call nothing answers ends after 30 s). */
  answered = false;
  /** The last invocation whose response the SMA acted on: what it was sent and what it answered (faults.raceUpdates). */
  lastApplied?: {
    sequence: number;
    sentAttributes?: Record<string, string>;
    actions: ActionShape[] | null;
    attributes?: Record<string, string>;
    hadCallback: boolean;
  };
  /** A task callback was made from inside the invocation in flight (see SmaEmulator.noteTaskCallback). */
  callbackInInvocation = false;
  /** faults.updateCall: requests refused so far, per workflow step. */
  readonly updateFaultsUsed = new Map<string, number>();
  actionToken = 0;
  /** The NEW_INBOUND_CALL list has not run out yet. */
  firstListPending = true;
  bridgeRequested = false;
  startRecordingAttempts = 0;
  noticeAttempts = 0;
  /** By CallId. */
  readonly recordings = new Map<string, RecordingState>();
  /** The same records in start order (the CallHandle's live view). */
  readonly recordingList: RecordingRecord[] = [];
  readonly deliveries = new Set<Promise<void>>();
  readonly log: InvocationRecord[] = [];
  readonly notes: string[] = [];
  /** Every action run (the `actions` record). */
  readonly actions: ActionRecord[] = [];
  /** The ReceiveDigits armed on the call, whatever its leg (receive-digits.ts: digits are the call's). */
  armedDigits?: ArmedReceiveDigits;
  /** Set while a SpeakAndGetDigits / PlayAudioAndGetDigits waits: a key press goes here. */
  digitSink?: (digits: string) => void;
  /** The call was answered by a media action (not only by a bridge). */
  answeredByMedia = false;
  /** Caller / far-party hangup timers; aborted when the call is over. */
  readonly timers = new AbortController();
  readonly connected = deferred<boolean>();
  readonly ended = deferred<CallSummary>();
  connectedAtMs?: number;
  aborted = false;

  /** Where the docs are silent, which reading this call gets (readings.ts). */
  readonly readings: ResolvedReadings;

  constructor(
    readonly transactionId: string,
    readonly spec: CallSpec,
    /** The call's own stream of ids (CallIds). */
    readonly random: SeededRandom,
    /** The emulator's readings; the spec's own override them. */
    emulatorReadings?: ResolvedReadings,
  ) {
    this.readings = resolveReadings(emulatorReadings, spec.readings);
  }

  get faults() {
    return this.spec.faults ?? {};
  }

  leg(callIdOrTag: string | undefined): LegState | undefined {
    if (!callIdOrTag) return undefined;
    return this.legs.find((l) => l.callId === callIdOrTag || l.tag === callIdOrTag);
  }

  connectedLegs(): LegState[] {
    return this.legs.filter((l) => l.status === 'Connected');
  }

  /** Every leg disconnected: the call is over (no update, no new actions). */
  get over(): boolean {
    return this.legs.length > 0 && this.connectedLegs().length === 0;
  }

  participants(): Participant[] {
    return this.legs.map((l) => ({
      CallId: l.callId,
      ParticipantTag: l.tag,
      To: l.to,
      From: l.from,
      Direction: l.direction,
      StartTimeInMilliseconds: String(l.startMs),
      Status: l.status,
    }));
  }

  summary(endedAtMs: number): CallSummary {
    return {
      transactionId: this.transactionId,
      participants: this.participants(),
      recordings: this.recordingList.map((r) => ({
        ...r,
        pauses: r.pauses.map((w) => ({ ...w })),
        controls: r.controls.map((c) => ({ ...c })),
      })),
      invocations: this.sequence,
      notes: [...this.notes],
      actions: this.actions.map((a) => ({ ...a })),
      endedAtMs,
      aborted: this.aborted,
    };
  }
}
