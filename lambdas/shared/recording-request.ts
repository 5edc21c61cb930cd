/**
 * Validation of a StartCallRecording request (track, destination location, call id). The same rules are
 * applied by the SMA Lambda before it returns the action, by the CLI before it starts a workflow, and (in
 * JSONata) by the workflow's ValidateInput state; test/lambdas/recording-request.test.ts runs one table of
 * cases through both implementations so they cannot drift.
 *
 * Bucket rules: https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html (general
 * purpose buckets). Prefix rules are ours: S3's "safe characters" only, no leading "/", no empty, "." or
 * ".." segments, at most 512 characters, so the final key (prefix + date folders + ids) stays well under
 * S3's 1,024-byte limit.
 */
export const TRACKS = ['BOTH', 'INCOMING', 'OUTGOING'] as const;
export type Track = (typeof TRACKS)[number];

export const MAX_PREFIX_LENGTH = 512;
export const MAX_ID_LENGTH = 128;

export interface LocationParts {
  bucket: string;
  /** key prefix without leading/trailing "/", or "" when the location is a bare bucket */
  prefix: string;
}

export class RecordingRequestError extends Error {
  constructor(
    readonly field: string,
    /** What is wrong, without the field's name (the message is "field: reason"). */
    readonly reason: string,
  ) {
    super(`${field}: ${reason}`);
    this.name = 'RecordingRequestError';
  }
}

/** Returns a description of what is wrong with a bucket name, or null when it is valid. */
export function bucketProblem(bucket: string): string | null {
  if (bucket.length < 3 || bucket.length > 63) return `bucket name must be 3-63 characters, got ${bucket.length}`;
  if (!/^[a-z0-9][a-z0-9.-]*[a-z0-9]$/.test(bucket))
    return 'bucket name may contain only lowercase letters, digits, "." and "-", and must begin and end with a letter or digit';
  if (bucket.includes('..')) return 'bucket name must not contain two adjacent periods';
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(bucket)) return 'bucket name must not be formatted as an IP address';
  if (/^(xn--|sthree-|amzn-s3-demo-)/.test(bucket)) return 'bucket name must not start with xn--, sthree- or amzn-s3-demo-';
  if (/(-s3alias|--ol-s3|\.mrap|--x-s3|--table-s3)$/.test(bucket))
    return 'bucket name must not end with a reserved suffix (-s3alias, --ol-s3, .mrap, --x-s3, --table-s3)';
  return null;
}

/** Returns a description of what is wrong with a key prefix ("" is valid), or null. */
export function prefixProblem(prefix: string): string | null {
  if (prefix === '') return null;
  if (prefix.length > MAX_PREFIX_LENGTH) return `key prefix must be at most ${MAX_PREFIX_LENGTH} characters, got ${prefix.length}`;
  if (prefix.startsWith('/')) return 'key prefix must not start with "/"';
  if (!/^[A-Za-z0-9!_.*'()/-]+$/.test(prefix))
    return "key prefix may contain only S3 safe characters: letters, digits and / ! - _ . * ' ( )";
  const segments = prefix.replace(/\/$/, '').split('/');
  if (segments.some((s) => s === '' || s === '.' || s === '..')) return 'key prefix must not contain empty, "." or ".." path segments';
  return null;
}

/** Splits and validates "bucket[/prefix]". Throws RecordingRequestError naming the field. */
export function parseLocation(location: unknown, field = 'location'): LocationParts {
  if (typeof location !== 'string' || location.length === 0)
    throw new RecordingRequestError(field, 'must be a non-empty string "bucket[/key/prefix]"');
  const slash = location.indexOf('/');
  const bucket = slash < 0 ? location : location.slice(0, slash);
  const prefix = slash < 0 ? '' : location.slice(slash + 1);
  const b = bucketProblem(bucket);
  if (b) throw new RecordingRequestError(field, `${b} ("${bucket}")`);
  const p = prefixProblem(prefix);
  if (p) throw new RecordingRequestError(field, p);
  return { bucket, prefix: prefix.replace(/\/$/, '') };
}

export function parseTrack(track: unknown, field = 'track'): Track {
  if (typeof track !== 'string' || !(TRACKS as readonly string[]).includes(track))
    throw new RecordingRequestError(field, `must be one of ${TRACKS.join(', ')}, got ${JSON.stringify(track)}`);
  return track as Track;
}

/** Ids (transaction id, call id, SMA id) are opaque to us but must be sane: 1-128 printable, no "/". */
export function parseId(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.length === 0) throw new RecordingRequestError(field, 'must be a non-empty string');
  if (value.length > MAX_ID_LENGTH)
    throw new RecordingRequestError(field, `must be at most ${MAX_ID_LENGTH} characters, got ${value.length}`);
  if (!/^[A-Za-z0-9._:-]+$/.test(value)) throw new RecordingRequestError(field, 'may contain only letters, digits, ".", "_", ":" and "-"');
  return value;
}

export interface RecordingRequest {
  sipMediaApplicationId: string;
  transactionId: string;
  callId: string;
  track: Track;
  location: string;
  consentText?: string;
  /** The key that lets the caller decline at the consent notice (one of 0-9 or *); absent = no choice offered. */
  optOutDigit?: string;
  /**
   * "call-flow": the SMA Lambda has returned the first StartCallRecording in its own answer (policy recording), so
   * the workflow takes that attempt's outcome from the hand-off mailbox instead of asking with an update.
   */
  startedBy?: StartedBy;
  /**
   * The caller's E.164 number (LEG-A's From): the workflow indexes the call under its keyed hash for erasure requests
   * (issue 24). Never logged.
   */
  caller?: string;
}
export const STARTED_BY = ['call-flow'] as const;
export type StartedBy = (typeof STARTED_BY)[number];

/** One DTMF key, not "#" (SpeakAndGetDigits' default terminator). */
export const OPT_OUT_DIGIT = /^[0-9*]$/;

export const MAX_CONSENT_TEXT = 1000; // Speak's Text limit
/**
 * The consent notice when none is configured: the workflow's DefaultConsentText, and the text the SMA Lambda speaks
 * for policy recording without CONSENT_TEXT (it plays the notice itself, right after the start, and sends the text
 * it spoke in the workflow's input, so the audit names it).
 */
export const DEFAULT_CONSENT_TEXT = 'This call is being recorded for quality and compliance purposes.';

/**
 * Length in characters as the workflow's JSONata $length counts them: Unicode code points (an emoji is one,
 * not two UTF-16 units). Every check of the consent text uses this, so the workflow, the Lambda, the CLI and
 * infra accept and refuse the same texts.
 */
export const characterCount = (text: string): number => {
  let n = 0;
  for (const _ of text) n++;
  return n;
};

/** Blank as JSONata's $trim sees it (it strips only space, tab, CR and LF). */
const isBlank = (text: string): boolean => /^[ \t\n\r]*$/.test(text);

/** What is wrong with a consent notice text, or null. The one rule for the ASL, the Lambda, the CLI and infra. */
export function consentTextProblem(text: unknown): string | null {
  if (typeof text !== 'string' || isBlank(text) || characterCount(text) > MAX_CONSENT_TEXT)
    return `must be a non-blank string of at most ${MAX_CONSENT_TEXT} characters`;
  return null;
}

/** Validates a workflow input (what the CLI and the Lambda's auto-start send to StartExecution). */
export function parseRecordingRequest(input: unknown): RecordingRequest {
  if (typeof input !== 'object' || input === null || Array.isArray(input))
    throw new RecordingRequestError('input', 'must be a JSON object');
  const o = input as Record<string, unknown>;
  const req: RecordingRequest = {
    sipMediaApplicationId: parseId(o.sipMediaApplicationId, 'sipMediaApplicationId'),
    transactionId: parseId(o.transactionId, 'transactionId'),
    callId: parseId(o.callId, 'callId'),
    track: parseTrack(o.track),
    location: o.location as string,
  };
  parseLocation(o.location);
  if (o.consentText !== undefined) {
    const problem = consentTextProblem(o.consentText);
    if (problem) throw new RecordingRequestError('consentText', problem);
    req.consentText = o.consentText as string;
  }
  if (o.optOutDigit !== undefined) {
    if (typeof o.optOutDigit !== 'string' || !OPT_OUT_DIGIT.test(o.optOutDigit))
      throw new RecordingRequestError('optOutDigit', 'must be one key, 0-9 or *');
    req.optOutDigit = o.optOutDigit;
  }
  if (o.startedBy !== undefined) {
    if (!STARTED_BY.includes(o.startedBy as StartedBy))
      throw new RecordingRequestError('startedBy', `must be one of ${STARTED_BY.join(', ')} (or absent)`);
    req.startedBy = o.startedBy as StartedBy;
  }
  return req;
}
