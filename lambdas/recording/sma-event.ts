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

/*
 * The schemas are built on first use, one event type at a time (issue 9's cold start): a cold start builds the
 * shared parts and its first event's variant only, not all eleven (zod builds each schema's internals eagerly:
 * about 2-3 ms of CPU at cold start for the whole union, which a cold start whose first event sends a callback
 * could not spare). parseSmaEvent parses with the event's own variant, which is what the discriminated union does
 * with it (same result, same issues); the union itself is built only for an event without a string type.
 */
const participantSchema = () =>
  z.looseObject({
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

const actionDataSchema = () =>
  z.looseObject({
    Type: text(),
    Parameters: z.optional(z.record(z.string(), z.unknown())),
    ErrorType: z.optional(z.string()),
    ErrorMessage: z.optional(z.string()),
    /** The seed document's failure form: "NoAccessToDestination: Error while accessing destination". */
    Error: z.optional(z.string()),
    CallRecordingDestination: z.optional(z.looseObject({ Type: z.string(), Location: text() })),
    ReceivedDigits: z.optional(z.string()),
  });

function buildParts() {
  const CallDetailsSchema = z.looseObject({
    TransactionId: text(),
    TransactionAttributes: z.optional(z.record(z.string(), z.string())),
    AwsAccountId: z.optional(z.string()),
    AwsRegion: z.optional(z.string()),
    SipMediaApplicationId: text(),
    SipRuleId: z.optional(z.string()),
    Participants: z.array(participantSchema()),
  });
  const Base = {
    SchemaVersion: text(),
    Sequence: z.number().check(z.int(), z.nonnegative()),
    CallDetails: CallDetailsSchema,
  };
  return { Base, ActionData: actionDataSchema() };
}
let parts: ReturnType<typeof buildParts> | undefined;
const sharedParts = () => {
  parts ??= buildParts();
  return parts;
};

const WithoutAction = <T extends EventType>(type: T) => {
  const { Base, ActionData } = sharedParts();
  return z.looseObject({ ...Base, InvocationEventType: z.literal(type), ActionData: z.optional(ActionData) });
};
const WithAction = <T extends EventType>(type: T) => {
  const { Base, ActionData } = sharedParts();
  return z.looseObject({ ...Base, InvocationEventType: z.literal(type), ActionData });
};

/** Each event type's schema, as a function that builds it: the options of the discriminated union, in its order. */
const VARIANTS = {
  NEW_INBOUND_CALL: () => WithoutAction('NEW_INBOUND_CALL'),
  NEW_OUTBOUND_CALL: () => WithoutAction('NEW_OUTBOUND_CALL'),
  RINGING: () => WithoutAction('RINGING'),
  CALL_ANSWERED: () => WithoutAction('CALL_ANSWERED'),
  ACTION_SUCCESSFUL: () => WithAction('ACTION_SUCCESSFUL'),
  ACTION_FAILED: () => WithAction('ACTION_FAILED'),
  ACTION_INTERRUPTED: () => WithAction('ACTION_INTERRUPTED'),
  HANGUP: () => WithAction('HANGUP'),
  INVALID_LAMBDA_RESPONSE: () =>
    z.looseObject({
      ...sharedParts().Base,
      InvocationEventType: z.literal('INVALID_LAMBDA_RESPONSE'),
      // One doc page puts ErrorType/ErrorMessage here, another in ActionData (whose Type it may omit): both read.
      ErrorType: z.optional(z.string()),
      ErrorMessage: z.optional(z.string()),
      ActionData: z.optional(
        z.looseObject({ Type: z.optional(z.string()), ErrorType: z.optional(z.string()), ErrorMessage: z.optional(z.string()) }),
      ),
    }),
  DIGITS_RECEIVED: () => WithAction('DIGITS_RECEIVED'),
  CALL_UPDATE_REQUESTED: () =>
    z.looseObject({
      ...sharedParts().Base,
      InvocationEventType: z.literal('CALL_UPDATE_REQUESTED'),
      ActionData: z.looseObject({
        Type: z.string(),
        Parameters: z.looseObject({ Arguments: z.record(z.string(), z.string()) }),
      }),
    }),
} satisfies { [T in EventType]: () => z.ZodMiniType };

type Variant = { [T in EventType]: ReturnType<(typeof VARIANTS)[T]> }[EventType];
const built = new Map<EventType, Variant>();
function variantOf(type: EventType): Variant {
  let schema = built.get(type);
  if (schema === undefined) {
    schema = VARIANTS[type]() as Variant;
    built.set(type, schema);
  }
  return schema;
}

const buildUnion = () =>
  z.discriminatedUnion('InvocationEventType', [
    variantOf('NEW_INBOUND_CALL') as ReturnType<typeof VARIANTS.NEW_INBOUND_CALL>,
    variantOf('NEW_OUTBOUND_CALL') as ReturnType<typeof VARIANTS.NEW_OUTBOUND_CALL>,
    variantOf('RINGING') as ReturnType<typeof VARIANTS.RINGING>,
    variantOf('CALL_ANSWERED') as ReturnType<typeof VARIANTS.CALL_ANSWERED>,
    variantOf('ACTION_SUCCESSFUL') as ReturnType<typeof VARIANTS.ACTION_SUCCESSFUL>,
    variantOf('ACTION_FAILED') as ReturnType<typeof VARIANTS.ACTION_FAILED>,
    variantOf('ACTION_INTERRUPTED') as ReturnType<typeof VARIANTS.ACTION_INTERRUPTED>,
    variantOf('HANGUP') as ReturnType<typeof VARIANTS.HANGUP>,
    variantOf('INVALID_LAMBDA_RESPONSE') as ReturnType<typeof VARIANTS.INVALID_LAMBDA_RESPONSE>,
    variantOf('DIGITS_RECEIVED') as ReturnType<typeof VARIANTS.DIGITS_RECEIVED>,
    variantOf('CALL_UPDATE_REQUESTED') as ReturnType<typeof VARIANTS.CALL_UPDATE_REQUESTED>,
  ]);
let union: ReturnType<typeof buildUnion> | undefined;
/** The whole discriminated union (built on first use). */
export function smaEventSchema(): ReturnType<typeof buildUnion> {
  union ??= buildUnion();
  return union;
}

export type SmaEvent = z.infer<ReturnType<typeof buildUnion>>;
export type Participant = z.infer<ReturnType<typeof participantSchema>>;
export type ActionData = z.infer<ReturnType<typeof actionDataSchema>>;

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
  // A known type: its own variant, which is what the union would run (built on first use); else the union, for
  // its error.
  const schema = typeof type === 'string' ? variantOf(type as EventType) : smaEventSchema();
  const result = parse(withSmaIdAlias(raw), undefined, schema, true);
  if (result.success) return result.data as SmaEvent;
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
