/**
 * What the emulated SMA accepts from its Lambda: the response envelope (checked before any action runs, a
 * bad one gets INVALID_LAMBDA_RESPONSE) and each action's parameters (checked when the action runs, a bad one
 * gets ACTION_FAILED). Parameter rules come from the developer guide's action pages (call-and-bridge,
 * hangup, pause, play-audio, speak, start-call-recording, listen-to-digits) and unexpected-action-fail.
 */
import type { ActionShape } from './events';

/** At most 10 actions per response (docs/reference/sma-protocol.md). */
export const MAX_ACTIONS = 10;
/**
 * TransactionAttributes: transaction-attributes says 100 pairs and 20 KB; the service error example on
 * attribute-trans-invalid says "Maximum number of mappings is 10". The emulator enforces the stricter 10.
 */
export const MAX_ATTRIBUTES = 10;
export const MAX_ATTRIBUTES_BYTES = 20 * 1024;

export const SUPPORTED_ACTIONS = new Set([
  'CallAndBridge',
  'Hangup',
  'Pause',
  'PlayAudio',
  'PlayAudioAndGetDigits',
  'Speak',
  'SpeakAndGetDigits',
  'StartCallRecording',
  'StopCallRecording',
  'PauseCallRecording',
  'ResumeCallRecording',
  'ReceiveDigits',
]);

/**
 * update-sip-call: "Types of interruptible actions: PlayAudio, RecordAudio, Pause" (RecordAudio is not emulated).
 * Every other action (Speak, the digit collections, CallAndBridge, the recording actions) runs to its end.
 */
export const INTERRUPTIBLE_ACTIONS: ReadonlySet<string> = new Set(['Pause', 'PlayAudio']);

/**
 * case-1: "Do nothing, the call attempt times out after 30 seconds"; PlayAudio and RecordAudio answer the call,
 * a Hangup leaves it unanswered. Which other actions answer is not said: the emulator counts any action that
 * runs, except Hangup (assumed), and ends a call that none answered after this long.
 */
export const UNANSWERED_TIMEOUT_SECONDS = 30;

/** `actions: null` is the NULL action set: the list in progress is kept (invoke-on-call-leg). */
export type ResponseCheck =
  | { ok: true; actions: ActionShape[] | null; attributes?: Record<string, string> }
  | { ok: false; errorType: string; errorMessage: string };

/**
 * The ErrorType names here are the emulator's own except TransactionAttributesInvalidMapSize
 * (attribute-trans-invalid); the docs list no others (unverified).
 * invoke-on-call-leg: "If the SIP media application receives a NULL action set, it keeps the existing
 * actions." `"Actions": null` is that set; an omitted `Actions` is one only under the `keep` reading.
 */
export function checkResponse(response: unknown, omittedActions: 'empty' | 'keep' = 'empty'): ResponseCheck {
  if (!isObject(response)) return bad('InvalidResponse', 'The Lambda response is not a JSON object');
  if (response.SchemaVersion !== undefined && response.SchemaVersion !== '1.0') {
    return bad('InvalidSchemaVersion', `SchemaVersion ${JSON.stringify(response.SchemaVersion)} is not supported`);
  }
  const nullSet = response.Actions === null || (response.Actions === undefined && omittedActions === 'keep');
  const rawActions = response.Actions ?? [];
  if (!Array.isArray(rawActions)) return bad('InvalidResponse', 'Actions is not a list');
  if (rawActions.length > MAX_ACTIONS) {
    return bad('TooManyActions', `The response has ${rawActions.length} actions. Maximum number of actions is ${MAX_ACTIONS}`);
  }
  const actions: ActionShape[] = [];
  for (const [i, raw] of rawActions.entries()) {
    if (!isObject(raw) || typeof raw.Type !== 'string') return bad('InvalidActionType', `Action ${i} has no Type`);
    if (!SUPPORTED_ACTIONS.has(raw.Type)) {
      return bad('InvalidActionType', `Action type ${raw.Type} is not supported (emulator supports ${[...SUPPORTED_ACTIONS].join(', ')})`);
    }
    if (raw.Parameters !== undefined && !isObject(raw.Parameters))
      return bad('InvalidActionParameter', `Parameters of action ${i} is not an object`);
    actions.push({ Type: raw.Type, Parameters: raw.Parameters === undefined ? undefined : structuredClone(raw.Parameters) });
  }
  const listed = nullSet ? null : actions;
  if (!('TransactionAttributes' in response) || response.TransactionAttributes === undefined) return { ok: true, actions: listed };
  const attrs = response.TransactionAttributes;
  // null does not erase (clear-trans-attributes: only {} does); the emulator treats it as a bad response.
  if (!isObject(attrs)) return bad('TransactionAttributesInvalidValue', 'TransactionAttributes is not a JSON object');
  const entries = Object.entries(attrs);
  if (entries.length > MAX_ATTRIBUTES) {
    return bad(
      'TransactionAttributesInvalidMapSize',
      `Transaction Attributes has too many mappings. Maximum number of mappings is ${MAX_ATTRIBUTES}`,
    );
  }
  if (entries.some(([, v]) => typeof v !== 'string'))
    return bad('TransactionAttributesInvalidValue', 'Transaction Attributes values must be strings');
  if (Buffer.byteLength(JSON.stringify(attrs)) > MAX_ATTRIBUTES_BYTES) {
    return bad('TransactionAttributesInvalidMapSize', `Transaction Attributes exceed ${MAX_ATTRIBUTES_BYTES} bytes`);
  }
  return { ok: true, actions: listed, attributes: { ...(attrs as Record<string, string>) } };
}

function bad(errorType: string, errorMessage: string): ResponseCheck {
  return { ok: false, errorType, errorMessage };
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export const E164 = /^\+[1-9]\d{1,14}$/;

/** S3 bucket naming rules (3-63 chars, lower case, digits, dots, hyphens; no "..", not an IP address). */
export function isValidBucketName(name: string): boolean {
  return /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(name) && !name.includes('..') && !/^\d+\.\d+\.\d+\.\d+$/.test(name);
}

/** Destination.Location = "bucket[/optional/key/prefix]"; undefined if it is not one. */
export function parseLocation(location: unknown): { bucket: string; prefix?: string } | undefined {
  if (typeof location !== 'string') return undefined;
  const trimmed = location.replace(/\/+$/, '');
  const [bucket, ...rest] = trimmed.split('/');
  if (!bucket || !isValidBucketName(bucket)) return undefined;
  if (rest.some((segment) => segment.length === 0)) return undefined;
  return rest.length ? { bucket, prefix: rest.join('/') } : { bucket };
}

/** A string or number parameter as an integer, or undefined. */
export function intParam(value: unknown): number | undefined {
  const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
  return Number.isInteger(n) ? n : undefined;
}
