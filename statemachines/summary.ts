/**
 * The documents the workflow writes (statemachines/recording-workflow.asl.json), typed once for everyone who reads
 * them: the CLI, the twin's runner and simulation, the console and the tests.
 * - The summary: the output of the Succeed states and the Cause of the Fail states (but INVALID_INPUT, whose Cause
 *   is the plain-text list of problems).
 * - The audit manifest: the JSON object WriteAuditManifest puts beside the recording (`schemaVersion` '1').
 * Fields are optional where a path does not set them (a call that never started has no recording).
 */
import type { Outcome } from './outcomes';

export const MANIFEST_SCHEMA_VERSION = '1';

export interface StartAttempt {
  attempt: number;
  startedAt?: string;
  endedAt?: string;
  /** STARTED | FAILED | CALL_ENDED (from the summary); IN_PROGRESS | ABORTED (reconstructed from a history). */
  result: string;
  error?: string;
  cause?: string;
  location?: string;
  /**
   * Requests of this attempt the Chime API throttled (the account's update rate) before it reached the SMA: not failed
   * attempts (StartThrottled retried them). An attempt throttled past ThrottleWindowSeconds is FAILED with error
   * ChimeSdkVoice.ThrottledClientException. Absent in manifests written before issue 21.
   */
  throttled?: number;
}

export interface ConsentNotice {
  /** DELIVERED | FAILED | NOT_DELIVERED | NOT_ATTEMPTED (summary); IN_PROGRESS | RETRYING | ABORTED (history). */
  status: string;
  completedAt?: string;
  at?: string;
  error?: string;
  cause?: string;
  attempts?: number;
  legs?: unknown;
  /** With an opt-out key: whether it was offered, the key pressed (or null), and whether that declined. */
  optOutOffered?: boolean;
  receivedDigits?: string | null;
  declined?: boolean;
}

/** One pause / resume / stop request as the workflow decided it (issue 11). */
export interface ControlRecord {
  action: 'PAUSE' | 'RESUME' | 'STOP';
  requestedBy: string;
  requestId: string | null;
  /** api (an operator or an application), dtmf (a key), opt-out (the caller declined) */
  via: string;
  /** APPLIED | NOT_APPLIED (reason) | FAILED (error, cause) | CALL_ENDED | UNKNOWN (a stop whose result never came: settled) */
  result: string;
  reason?: string;
  /** UNKNOWN: what left the first stop's result unknown (e.g. States.Timeout). */
  unknownBecause?: string;
  /** UNKNOWN: always STOPPED (a leg stops once), from `stoppedAt`, the first request. */
  settledAs?: 'STOPPED';
  /** UNKNOWN: SECOND_STOP_APPLIED | SECOND_STOP_REFUSED | SECOND_STOP_FAILED | CALL_ENDED */
  settledBy?: string;
  stoppedAt?: string;
  error?: string;
  cause?: string;
  at: string;
  leg?: string;
  attempts?: number;
}

/** A pause window, timed by the workflow's clock; no end = paused until the recording stopped (stop or call end). */
export interface PauseWindow {
  startedAt: string;
  startedAtMs: number;
  endedAt?: string;
  endedAtMs?: number;
  endedBy?: string;
  requestedBy: string;
  via: string;
  requestId: string | null;
  leg: string;
}

export interface Verification {
  landed?: boolean;
  passed?: boolean;
  polls?: number;
  size?: number;
  checks?: Array<{ check: string; passed: boolean; actual?: unknown; expected?: unknown }>;
  error?: string;
  cause?: string;
  accessProblem?: unknown;
  [key: string]: unknown;
}

/** The call as the workflow's input named it (ValidateInput's `$call`). */
export interface SummaryCall {
  sipMediaApplicationId?: string;
  transactionId?: string;
  callId?: string;
  track?: string;
  location?: string;
  bucket?: string;
  keyPrefix?: string;
  consentText?: string;
  noRecordingManifestKey?: string;
}

export interface WorkflowSummary {
  outcome: Outcome;
  execution: string;
  call: SummaryCall;
  recordingKey?: string | null;
  manifestKey?: string | null;
  manifestError?: unknown;
  startAttempts: StartAttempt[];
  consentNotice: ConsentNotice;
  verification?: Verification | null;
  controls?: ControlRecord[];
  pauses?: PauseWindow[];
  pausedSeconds?: number;
  optedOut?: boolean;
  deletion?: { status: string; at?: string; key?: string; versionId?: string; error?: string; cause?: string } | null;
}

export interface AuditManifest {
  schemaVersion: typeof MANIFEST_SCHEMA_VERSION;
  outcome: Outcome;
  execution: { name: string; arn: string; startedAt: string };
  call: SummaryCall;
  legs?: unknown;
  track?: string;
  recording: { bucket: string; key: string; startedAt: string } | null;
  startAttempts: StartAttempt[];
  consentNotice: ConsentNotice;
  /** How the workflow learned of the call's end: from HANGUP, or only that it was over by `endedBefore`. */
  callEnd: {
    endedAt?: string;
    endedAtMs?: number;
    endedBefore?: string;
    sipResponseCode?: string | null;
    participantTag?: string | null;
    error?: string;
    cause?: string;
    during?: string;
    /** Retries of the last WaitForCallEnd update (its Retry blocks: throttling, 5xx and connection errors, re-asks). */
    retries?: number;
  } | null;
  verification: Verification | null;
  tagging: { status: string; at?: string; error?: string; cause?: string } | null;
  controls: ControlRecord[];
  pauses: PauseWindow[];
  pausedSeconds: number;
  /** With an opt-out key offered: whether the caller declined, the policy applied, and the deletion. */
  optOut: { digit: string; declined: boolean; policy: 'KEEP' | 'DELETE' | null; deletion: WorkflowSummary['deletion'] } | null;
  writtenAt: string;
}

/** A JSON object, or undefined for anything else (plain text, arrays, invalid JSON). */
export function parseJsonObject(text: string | undefined): Record<string, unknown> | undefined {
  if (!text?.trimStart().startsWith('{')) return undefined;
  try {
    const v: unknown = JSON.parse(text);
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** The summary in an execution's output or Fail cause, or undefined (INVALID_INPUT's cause, a running execution). */
export function parseSummary(text: string | undefined): WorkflowSummary | undefined {
  const v = parseJsonObject(text);
  return v && typeof v.outcome === 'string' && Array.isArray(v.startAttempts) ? (v as unknown as WorkflowSummary) : undefined;
}

/** An audit manifest, or undefined when `text` is not one of this schema version. */
export function parseManifest(text: string | undefined): AuditManifest | undefined {
  const v = parseJsonObject(text);
  return v && v.schemaVersion === MANIFEST_SCHEMA_VERSION ? (v as unknown as AuditManifest) : undefined;
}
