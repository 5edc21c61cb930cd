/**
 * The SIP media application's invocation events, parsed with Powertools parser (zod) into a typed union.
 * Shapes from the Amazon Chime SDK developer guide ("Understanding telephony events for Amazon Chime SDK
 * PSTN audio service", pstn-invocations) as summarised in docs/reference/sma-protocol.md. Unknown extra
 * fields are kept (passthrough) so that a new field from the service never breaks a call.
 */
import { parse } from '@aws-lambda-powertools/parser';
// zod/mini: the same validator with a tree-shakable API; the classic `zod` entry alone was 444 KB of the
// 960 KB bundle, and bundle size is cold-start time inside the SMA's 5 s.
import * as z from 'zod/mini';
// zod/mini ships no messages ("Invalid input"); the English locale alone says what was expected and found.
import { en } from 'zod/locales';
import { logSafe } from '../shared/mask';

z.config(en());

export const EVENT_TYPES = [
  'NEW_INBOUND_CALL',
  'NEW_OUTBOUND_CALL',
  'RINGING',
  'CALL_ANSWERED',
  'ACTION_SUCCESSFUL',
  'ACTION_FAILED',
  'ACTION_INTERRUPTED',
  'HANGUP',
  'INVALID_LAMBDA_RESPONSE',
  'DIGITS_RECEIVED',
  'CALL_UPDATE_REQUESTED',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/** The SMA caps TransactionAttributes at 20 KB; an event far above that is not one the SMA sent. */
export const MAX_EVENT_BYTES = 128 * 1024;

const text = () => z.string().check(z.minLength(1));

const ParticipantSchema = z.looseObject({
  CallId: text(),
  ParticipantTag: text(),
  To: z.optional(z.string()),
  From: z.optional(z.string()),
  Direction: z.optional(z.string()),
  // The service sends epoch milliseconds as a string; a number is taken too rather than refusing the event.
  StartTimeInMilliseconds: z.optional(
    z.pipe(
      z.union([z.string().check(z.regex(/^\d+$/, 'must be epoch milliseconds')), z.number().check(z.int(), z.nonnegative())]),
      z.transform(String),
    ),
  ),
  Status: z.optional(z.string()),
});

const CallDetailsSchema = z.looseObject({
  TransactionId: text(),
  TransactionAttributes: z.optional(z.record(z.string(), z.string())),
  AwsAccountId: z.optional(z.string()),
  AwsRegion: z.optional(z.string()),
  SipMediaApplicationId: text(),
  SipRuleId: z.optional(z.string()),
  Participants: z.array(ParticipantSchema),
});

const ActionDataSchema = z.looseObject({
  Type: text(),
  Parameters: z.optional(z.record(z.string(), z.unknown())),
  ErrorType: z.optional(z.string()),
  ErrorMessage: z.optional(z.string()),
  /** The seed document's failure form: "NoAccessToDestination: Error while accessing destination". */
  Error: z.optional(z.string()),
  CallRecordingDestination: z.optional(z.looseObject({ Type: z.string(), Location: text() })),
  ReceivedDigits: z.optional(z.string()),
});

const Base = {
  SchemaVersion: text(),
  Sequence: z.number().check(z.int(), z.nonnegative()),
  CallDetails: CallDetailsSchema,
};
const WithoutAction = <T extends EventType>(type: T) =>
  z.looseObject({ ...Base, InvocationEventType: z.literal(type), ActionData: z.optional(ActionDataSchema) });
const WithAction = <T extends EventType>(type: T) =>
  z.looseObject({ ...Base, InvocationEventType: z.literal(type), ActionData: ActionDataSchema });

export const SmaEventSchema = z.discriminatedUnion('InvocationEventType', [
  WithoutAction('NEW_INBOUND_CALL'),
  WithoutAction('NEW_OUTBOUND_CALL'),
  WithoutAction('RINGING'),
  WithoutAction('CALL_ANSWERED'),
  WithAction('ACTION_SUCCESSFUL'),
  WithAction('ACTION_FAILED'),
  WithAction('ACTION_INTERRUPTED'),
  WithAction('HANGUP'),
  z.looseObject({
    ...Base,
    InvocationEventType: z.literal('INVALID_LAMBDA_RESPONSE'),
    // One doc page puts ErrorType/ErrorMessage here, another in ActionData (whose Type it may omit): both read.
    ErrorType: z.optional(z.string()),
    ErrorMessage: z.optional(z.string()),
    ActionData: z.optional(
      z.looseObject({ Type: z.optional(z.string()), ErrorType: z.optional(z.string()), ErrorMessage: z.optional(z.string()) }),
    ),
  }),
  WithAction('DIGITS_RECEIVED'),
  z.looseObject({
    ...Base,
    InvocationEventType: z.literal('CALL_UPDATE_REQUESTED'),
    ActionData: z.looseObject({
      Type: z.string(),
      Parameters: z.looseObject({ Arguments: z.record(z.string(), z.string()) }),
    }),
  }),
]);

export type SmaEvent = z.infer<typeof SmaEventSchema>;
export type Participant = z.infer<typeof ParticipantSchema>;
export type ActionData = z.infer<typeof ActionDataSchema>;

export class MalformedEventError extends Error {
  constructor(
    message: string,
    /** Safe to log: paths (masked) and reasons only, never values. */
    readonly problems: string[],
  ) {
    super(message);
    this.name = 'MalformedEventError';
  }
}

/** Parses an invocation event or throws MalformedEventError naming what is wrong (never echoing values). */
export function parseSmaEvent(raw: unknown): SmaEvent {
  const size = safeSize(raw);
  if (!Number.isFinite(size))
    throw new MalformedEventError('event cannot be serialised as JSON (circular or not plain data)', ['<root>: not JSON']);
  if (size > MAX_EVENT_BYTES)
    throw new MalformedEventError(`event is ${size} bytes, over the ${MAX_EVENT_BYTES}-byte limit`, ['<root>: too large']);
  const type = (raw as { InvocationEventType?: unknown } | null)?.InvocationEventType;
  if (typeof type === 'string' && !(EVENT_TYPES as readonly string[]).includes(type))
    throw new MalformedEventError(`unknown InvocationEventType "${logSafe(type)}"`, ['InvocationEventType: unknown']);
  const result = parse(withSmaIdAlias(raw), undefined, SmaEventSchema, true);
  if (result.success) return result.data;
  // Powertools' ParseError carries zod's issues as its cause (an array; older versions: {issues}).
  type Issue = { path: PropertyKey[]; message: string };
  const cause = (result.error as { cause?: Issue[] | { issues?: Issue[] } }).cause;
  const issues: Issue[] = Array.isArray(cause) ? cause : (cause?.issues ?? []);
  // Paths name keys taken from the event (a TransactionAttributes key can be anything): masked like values.
  const problems = issues.map((i) => `${i.path.map((p) => logSafe(String(p))).join('.') || '<root>'}: ${logSafe(i.message, 160)}`);
  throw new MalformedEventError(`malformed SMA event: ${problems.slice(0, 5).join('; ') || 'not an SMA event'}`, problems);
}

/**
 * Most doc pages name the field CallDetails.SipMediaApplicationId (as the captured events do); five print
 * SipApplicationId. Either is accepted, so a naming difference can never make every event "malformed".
 */
function withSmaIdAlias(raw: unknown): unknown {
  const details = (raw as { CallDetails?: Record<string, unknown> } | null)?.CallDetails;
  if (
    !details ||
    typeof details !== 'object' ||
    details.SipMediaApplicationId !== undefined ||
    typeof details.SipApplicationId !== 'string'
  )
    return raw;
  return { ...(raw as object), CallDetails: { ...details, SipMediaApplicationId: details.SipApplicationId } };
}

function safeSize(raw: unknown): number {
  try {
    return Buffer.byteLength(JSON.stringify(raw) ?? '');
  } catch {
    return Number.POSITIVE_INFINITY; // circular or unserialisable: not something the SMA sent
  }
}

/** The ErrorType of an ACTION_FAILED, also understanding the seed's `Error: "Name: message"` form. */
export function actionError(data: ActionData): { error: string; cause: string } {
  if (data.ErrorType) return { error: data.ErrorType, cause: data.ErrorMessage ?? data.Error ?? '' };
  if (data.Error) {
    const m = /^([A-Za-z][A-Za-z0-9]*)\s*:\s*(.*)$/s.exec(data.Error);
    if (m) return { error: m[1], cause: m[2] };
    return { error: 'UnknownActionError', cause: data.Error };
  }
  return { error: 'UnknownActionError', cause: data.ErrorMessage ?? 'ACTION_FAILED without ErrorType' };
}
