/**
 * The SIP media application's invocation events, parsed with Powertools parser (zod) into a typed union.
 * Shapes from the Amazon Chime SDK developer guide ("Understanding telephony events for Amazon Chime SDK
 * PSTN audio service", pstn-invocations) as summarised in shared/reference/sma-protocol.md. Unknown extra
 * fields are kept (passthrough) so that a new field from the service never breaks a call.
 */
import { parse } from '@aws-lambda-powertools/parser';
import { z } from 'zod';

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

const ParticipantSchema = z.looseObject({
  CallId: z.string().min(1),
  ParticipantTag: z.string().min(1),
  To: z.string().optional(),
  From: z.string().optional(),
  Direction: z.string().optional(),
  // The service sends epoch milliseconds as a string; a number is taken too rather than refusing the event.
  StartTimeInMilliseconds: z
    .union([z.string().regex(/^\d+$/, 'must be epoch milliseconds'), z.number().int().nonnegative()])
    .transform(String)
    .optional(),
  Status: z.string().optional(),
});

const CallDetailsSchema = z.looseObject({
  TransactionId: z.string().min(1),
  TransactionAttributes: z.record(z.string(), z.string()).optional(),
  AwsAccountId: z.string().optional(),
  AwsRegion: z.string().optional(),
  SipMediaApplicationId: z.string().min(1),
  SipRuleId: z.string().optional(),
  Participants: z.array(ParticipantSchema),
});

const ActionDataSchema = z.looseObject({
  Type: z.string().min(1),
  Parameters: z.record(z.string(), z.unknown()).optional(),
  ErrorType: z.string().optional(),
  ErrorMessage: z.string().optional(),
  /** The seed document's failure form: "NoAccessToDestination: Error while accessing destination". */
  Error: z.string().optional(),
  CallRecordingDestination: z.looseObject({ Type: z.string(), Location: z.string().min(1) }).optional(),
  ReceivedDigits: z.string().optional(),
});

const Base = {
  SchemaVersion: z.string().min(1),
  Sequence: z.number().int().nonnegative(),
  CallDetails: CallDetailsSchema,
};
const WithoutAction = <T extends EventType>(type: T) => z.looseObject({ ...Base, InvocationEventType: z.literal(type), ActionData: ActionDataSchema.optional() });
const WithAction = <T extends EventType>(type: T) => z.looseObject({ ...Base, InvocationEventType: z.literal(type), ActionData: ActionDataSchema });

export const SmaEventSchema = z.discriminatedUnion('InvocationEventType', [
  WithoutAction('NEW_INBOUND_CALL'),
  WithoutAction('NEW_OUTBOUND_CALL'),
  WithoutAction('RINGING'),
  WithoutAction('CALL_ANSWERED'),
  WithAction('ACTION_SUCCESSFUL'),
  WithAction('ACTION_FAILED'),
  WithAction('ACTION_INTERRUPTED'),
  WithAction('HANGUP'),
  z.looseObject({ ...Base, InvocationEventType: z.literal('INVALID_LAMBDA_RESPONSE'), ErrorType: z.string().optional(), ErrorMessage: z.string().optional(), ActionData: ActionDataSchema.optional() }),
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
    /** Safe to log: paths and reasons only, never values. */
    readonly problems: string[],
  ) {
    super(message);
    this.name = 'MalformedEventError';
  }
}

/** Parses an invocation event or throws MalformedEventError naming what is wrong (never echoing values). */
export function parseSmaEvent(raw: unknown): SmaEvent {
  const size = safeSize(raw);
  if (!Number.isFinite(size)) throw new MalformedEventError('event cannot be serialised as JSON (circular or not plain data)', ['<root>: not JSON']);
  if (size > MAX_EVENT_BYTES) throw new MalformedEventError(`event is ${size} bytes, over the ${MAX_EVENT_BYTES}-byte limit`, ['<root>: too large']);
  const type = (raw as { InvocationEventType?: unknown } | null)?.InvocationEventType;
  if (typeof type === 'string' && !(EVENT_TYPES as readonly string[]).includes(type))
    throw new MalformedEventError(`unknown InvocationEventType "${type.slice(0, 64)}"`, ['InvocationEventType: unknown']);
  const result = parse(withSmaIdAlias(raw), undefined, SmaEventSchema, true);
  if (result.success) return result.data;
  // Powertools' ParseError carries zod's issues as its cause (an array; older versions: {issues}).
  type Issue = { path: PropertyKey[]; message: string };
  const cause = (result.error as { cause?: Issue[] | { issues?: Issue[] } }).cause;
  const issues: Issue[] = Array.isArray(cause) ? cause : (cause?.issues ?? []);
  const problems = issues.map((i) => `${i.path.map(String).join('.') || '<root>'}: ${i.message}`);
  throw new MalformedEventError(`malformed SMA event: ${problems.slice(0, 5).join('; ') || 'not an SMA event'}`, problems);
}

/**
 * Most doc pages name the field CallDetails.SipMediaApplicationId (as the captured events do); five print
 * SipApplicationId. Either is accepted, so a naming difference can never make every event "malformed".
 */
function withSmaIdAlias(raw: unknown): unknown {
  const details = (raw as { CallDetails?: Record<string, unknown> } | null)?.CallDetails;
  if (!details || typeof details !== 'object' || details.SipMediaApplicationId !== undefined || typeof details.SipApplicationId !== 'string') return raw;
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
