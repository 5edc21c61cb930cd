/**
 * What the caller lived through (issue 20, item 5): the emulator's record of every action of a call, as the
 * scenario report and the console show it. Times are seconds from the call's start (the inbound call's arrival,
 * LEG-A's StartTimeInMilliseconds). `by` says whose code returned the action, told by the action alone: the
 * recording's own types, the consent notice by its text, the keypad controls' ReceiveDigits by its pattern.
 */
import type { ActionRecord, Participant, RecordingRecord } from '../sma/types';

export type ActionResult = 'SUCCEEDED' | 'FAILED' | 'INTERRUPTED' | 'NOT_RUN' | 'HUNG_UP';

export interface CallFlowAction {
  type: string;
  /** LEG-A, LEG-B, or null when the action names no leg that was ever on the call. */
  leg: string | null;
  by: 'app' | 'recording';
  atSeconds: number;
  /** null while it runs. */
  endSeconds: number | null;
  result: ActionResult;
  /** FAILED: the SMA's ErrorType. */
  errorType?: string;
}

export interface CallFlow {
  actions: CallFlowAction[];
  /** A CallAndBridge succeeded: the caller reached the far party. */
  bridged: boolean;
  /** When the first recording started, in the same seconds; null when none did. */
  recordingStartedAtSeconds: number | null;
}

/** What tells the recording's actions apart from the application's. */
export interface RecordingSignature {
  /** The consent notice's text for this call (the workflow input's consentText, or the workflow's default). */
  consentText: string;
  /** The keypad controls' ReceiveDigits pattern (RECORDING_DTMF_CONTROLS), when they are on. */
  keypadRegex?: string;
}

export interface CallRecordView {
  participants: readonly Pick<Participant, 'CallId' | 'ParticipantTag' | 'StartTimeInMilliseconds'>[];
  actions: readonly ActionRecord[];
  recordings: readonly Pick<RecordingRecord, 'startedAtMs'>[];
}

const RECORDING_TYPES = new Set(['StartCallRecording', 'StopCallRecording', 'PauseCallRecording', 'ResumeCallRecording']);
const SPOKEN_TYPES = new Set(['Speak', 'SpeakAndGetDigits']);

const RESULTS: Record<ActionRecord['status'], ActionResult> = {
  ok: 'SUCCEEDED',
  hangup: 'SUCCEEDED', // a Hangup action that ran
  failed: 'FAILED',
  interrupted: 'INTERRUPTED',
  not_run: 'NOT_RUN',
  aborted: 'HUNG_UP',
  running: 'HUNG_UP', // still running when the record was read: only a call cut short by the twin's close
};

function spokenText(p: Record<string, unknown> | undefined): unknown {
  const speech = p?.SpeechParameters as { Text?: unknown } | undefined;
  return p?.Text ?? speech?.Text;
}

export function byOf(a: Pick<ActionRecord, 'type' | 'parameters'>, sig: RecordingSignature): 'app' | 'recording' {
  if (RECORDING_TYPES.has(a.type)) return 'recording';
  if (SPOKEN_TYPES.has(a.type) && spokenText(a.parameters) === sig.consentText) return 'recording';
  if (a.type === 'ReceiveDigits' && sig.keypadRegex !== undefined && a.parameters?.InputDigitsRegex === sig.keypadRegex) return 'recording';
  return 'app';
}

const seconds = (ms: number, startMs: number) => Math.round(ms - startMs) / 1000;

export function callFlowOf(call: CallRecordView, sig: RecordingSignature): CallFlow {
  const legA = call.participants.find((p) => p.ParticipantTag === 'LEG-A');
  const startMs = Number(legA?.StartTimeInMilliseconds ?? 0);
  const tagOf = new Map(call.participants.map((p) => [p.CallId, p.ParticipantTag]));
  const legOf = (a: ActionRecord): string | null => {
    const named = a.parameters?.CallId;
    const byId = tagOf.get(typeof named === 'string' ? named : (a.callId ?? ''));
    if (byId) return byId;
    const tag = a.parameters?.ParticipantTag;
    return typeof tag === 'string' ? tag : a.type === 'CallAndBridge' ? 'LEG-A' : null;
  };
  const actions = call.actions.map(
    (a): CallFlowAction => ({
      type: a.type,
      leg: legOf(a),
      by: byOf(a, sig),
      atSeconds: seconds(a.startedAtMs, startMs),
      endSeconds: a.endedAtMs === undefined ? null : seconds(a.endedAtMs, startMs),
      result: RESULTS[a.status],
      ...(a.errorType ? { errorType: a.errorType } : {}),
    }),
  );
  const started = call.recordings.map((r) => r.startedAtMs).sort((x, y) => x - y)[0];
  return {
    actions,
    bridged: actions.some((a) => a.type === 'CallAndBridge' && a.result === 'SUCCEEDED'),
    recordingStartedAtSeconds: started === undefined ? null : seconds(started, startMs),
  };
}
