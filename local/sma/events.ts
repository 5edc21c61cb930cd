/**
 * Builders for the events the SMA sends its Lambda. Shapes follow the Amazon Chime SDK developer guide
 * (docs.aws.amazon.com/chime-sdk/latest/dg/<page>.html):
 * - envelope, Participants, event types, HANGUP / ACTION_FAILED / ACTION_INTERRUPTED / INVALID_LAMBDA_RESPONSE
 *   / CALL_UPDATE_REQUESTED ActionData: pstn-invocations ("Understanding telephony events")
 * - NEW_INBOUND_CALL (SipRuleId, LEG-A Inbound, Status Connected): case-1 ("Receiving an inbound call")
 * - HANGUP example (ActionData Type Hangup with Parameters CallId / ParticipantTag; the disconnected leg has
 *   Status Disconnected): case-5 ("Ending a call"); SipResponseCode (a number) from pstn-invocations
 * - ACTION_SUCCESSFUL for CallAndBridge (Parameters gain the LEG-A CallId, LEG-B joins Participants):
 *   call-and-bridge
 * - ACTION_SUCCESSFUL / ACTION_FAILED for Speak (ErrorType + ErrorMessage beside Type/Parameters): speak
 * - ACTION_SUCCESSFUL with CallRecordingDestination, and the ACTION_FAILED example carrying
 *   "Error": "NoAccessToDestination: Error while accessing destination": start-call-recording (and the seed
 *   document StartCallRecording.pt.txt)
 * - TransactionAttributes inside CallDetails: attribute-trans-success; INVALID_LAMBDA_RESPONSE with
 *   ErrorType/ErrorMessage at the top level of the event: attribute-trans-invalid
 * - CALL_UPDATE_REQUESTED ({"Type":"CallUpdateRequest","Parameters":{"Arguments":{...}}}): update-sip-call
 * - DIGITS_RECEIVED (ActionData {ReceivedDigits, Type "ReceiveDigits", Parameters of the armed action}): case-4
 *
 * The docs' own examples disagree on SipMediaApplicationId vs SipApplicationId; the events use
 * SipMediaApplicationId (pstn-invocations, attribute-trans-success).
 */
import type { Participant } from './types';

export const SCHEMA_VERSION = '1.0';

export const EventType = {
  NewInboundCall: 'NEW_INBOUND_CALL',
  ActionSuccessful: 'ACTION_SUCCESSFUL',
  ActionFailed: 'ACTION_FAILED',
  ActionInterrupted: 'ACTION_INTERRUPTED',
  Hangup: 'HANGUP',
  InvalidLambdaResponse: 'INVALID_LAMBDA_RESPONSE',
  CallUpdateRequested: 'CALL_UPDATE_REQUESTED',
  DigitsReceived: 'DIGITS_RECEIVED',
} as const;
export type EventType = (typeof EventType)[keyof typeof EventType];

export interface CallDetailsInput {
  transactionId: string;
  transactionAttributes?: Record<string, string>;
  awsAccountId: string;
  awsRegion: string;
  sipRuleId: string;
  sipMediaApplicationId: string;
  participants: Participant[];
}

/** An action as the Lambda returned it (Type + Parameters). */
export interface ActionShape {
  Type: string;
  Parameters?: Record<string, unknown>;
}

export function callDetails(input: CallDetailsInput): Record<string, unknown> {
  return {
    TransactionId: input.transactionId,
    // Only once the Lambda has set them (attribute-trans-success shows them between TransactionId and AwsAccountId).
    ...(input.transactionAttributes ? { TransactionAttributes: { ...input.transactionAttributes } } : {}),
    AwsAccountId: input.awsAccountId,
    AwsRegion: input.awsRegion,
    SipRuleId: input.sipRuleId,
    SipMediaApplicationId: input.sipMediaApplicationId,
    Participants: input.participants.map((p) => ({ ...p })),
  };
}

function envelope(sequence: number, type: EventType, details: CallDetailsInput, actionData?: Record<string, unknown>) {
  return {
    SchemaVersion: SCHEMA_VERSION,
    Sequence: sequence,
    InvocationEventType: type,
    ...(actionData ? { ActionData: actionData } : {}),
    CallDetails: callDetails(details),
  };
}

/** Type + a copy of the Parameters exactly as the Lambda sent them. */
function echo(action: ActionShape): Record<string, unknown> {
  return { Type: action.Type, Parameters: structuredClone(action.Parameters ?? {}) };
}

export function newInboundCall(sequence: number, details: CallDetailsInput) {
  return envelope(sequence, EventType.NewInboundCall, details);
}

/**
 * `extra` is merged into ActionData (e.g. CallRecordingDestination); `parameterExtras` into
 * ActionData.Parameters (CallAndBridge reports the LEG-A CallId there).
 */
export function actionSuccessful(
  sequence: number,
  details: CallDetailsInput,
  action: ActionShape,
  extra: Record<string, unknown> = {},
  parameterExtras: Record<string, unknown> = {},
) {
  const data = echo(action);
  data.Parameters = { ...(data.Parameters as object), ...parameterExtras };
  return envelope(sequence, EventType.ActionSuccessful, details, { ...data, ...extra });
}

export interface ActionError {
  errorType: string;
  errorMessage: string;
  /** Extra ActionData fields (the seed's `"Error": "NoAccessToDestination: ..."`). */
  extra?: Record<string, unknown>;
}

export function actionFailed(
  sequence: number,
  details: CallDetailsInput,
  action: ActionShape,
  error: ActionError,
  parameterExtras: Record<string, unknown> = {},
) {
  const data = echo(action);
  data.Parameters = { ...(data.Parameters as object), ...parameterExtras };
  return envelope(sequence, EventType.ActionFailed, details, {
    ...data,
    ErrorType: error.errorType,
    ErrorMessage: error.errorMessage,
    ...(error.extra ?? {}),
  });
}

export function actionInterrupted(sequence: number, details: CallDetailsInput, action: ActionShape) {
  return envelope(sequence, EventType.ActionInterrupted, details, echo(action));
}

export function hangup(
  sequence: number,
  details: CallDetailsInput,
  leg: { callId: string; participantTag: string; sipResponseCode: number },
) {
  return envelope(sequence, EventType.Hangup, details, {
    Type: 'Hangup',
    Parameters: { SipResponseCode: leg.sipResponseCode, CallId: leg.callId, ParticipantTag: leg.participantTag },
  });
}

export function invalidLambdaResponse(sequence: number, details: CallDetailsInput, errorType: string, errorMessage: string) {
  return { ...envelope(sequence, EventType.InvalidLambdaResponse, details), ErrorType: errorType, ErrorMessage: errorMessage };
}

export function callUpdateRequested(sequence: number, details: CallDetailsInput, args: Record<string, string>) {
  return envelope(sequence, EventType.CallUpdateRequested, details, {
    Type: 'CallUpdateRequest',
    Parameters: { Arguments: { ...args } },
  });
}

/** The armed ReceiveDigits' Type and Parameters, and what the caller entered (case-4). */
export function digitsReceived(sequence: number, details: CallDetailsInput, action: ActionShape, digits: string) {
  return envelope(sequence, EventType.DigitsReceived, details, { ReceivedDigits: digits, ...echo(action) });
}
