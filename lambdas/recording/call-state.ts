/**
 * What the recording's event handlers share: their dependencies, the call's TransactionAttributes as they read
 * and write them (the legs this Lambda asked to record, `rw:recordings`), the answer that writes a map only when
 * the SMA would take it, and the answer after a delivered task callback (no map: see afterCallback).
 *
 * Task tokens travel in TransactionAttributes between invocations: the SMA echoes them in every later event
 * of the call (HANGUP included), so a token parked by CALL_UPDATE_REQUESTED is there when ACTION_SUCCESSFUL,
 * ACTION_FAILED or HANGUP arrives, even on another Lambda instance.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import { MetricUnit, type Metrics } from '@aws-lambda-powertools/metrics';
import { RecordingsAttribute, type Leg, type StartRecordingResult } from '../shared/workflow-contract';
import type { RecordingConfig } from './config';
import type { Participant, SmaEvent } from './sma-event';
import { checkAttributes, respond, type SmaAction, type SmaResponse } from './sma-response';
import type { TaskCallbacks } from './task-callbacks';
import type { WorkflowStarter } from './workflow-starter';
import type { Mailbox } from './mailbox';

export interface CallEventDeps {
  config: Pick<RecordingConfig, 'autoRecord' | 'voice'> & Partial<Pick<RecordingConfig, 'dtmfControls'>>;
  callbacks: TaskCallbacks;
  starter?: WorkflowStarter;
  /** the hand-off mailbox (RECORDING_MAILBOX), when set */
  mailbox?: Mailbox;
  log: Logger;
  metrics: Metrics;
}

export type Attributes = Record<string, string>;
export type EventOf<T extends SmaEvent['InvocationEventType']> = Extract<SmaEvent, { InvocationEventType: T }>;

export const attributesOf = (event: SmaEvent): Attributes => ({ ...(event.CallDetails.TransactionAttributes ?? {}) });
export const isConnected = (p: Participant) => p.Status === undefined || p.Status === 'Connected';
export const legsOf = (event: SmaEvent): Leg[] =>
  event.CallDetails.Participants.map((p) => ({
    callId: p.CallId,
    participantTag: p.ParticipantTag,
    direction: p.Direction ?? 'unknown',
    status: p.Status ?? 'Connected',
  }));
/** The caller's leg (an inbound call's first leg) is tagged LEG-A. */
export const CALLER_TAG = 'LEG-A';

/**
 * The order of the consent notice's list over the connected legs: as they come, or, with an opt-out, the caller
 * last (its SpeakAndGetDigits' result is the list's result, which carries the key pressed).
 */
export function noticeOrder(connected: Participant[], callerLast: boolean): { legs: Participant[]; caller?: Participant } {
  const caller = callerLast ? connected.find((p) => p.ParticipantTag === CALLER_TAG) : undefined;
  return { legs: caller ? [...connected.filter((p) => p !== caller), caller] : connected, caller };
}
export const legA = (event: SmaEvent) =>
  event.CallDetails.Participants.find((p) => p.ParticipantTag === CALLER_TAG) ?? event.CallDetails.Participants[0];

export function without(attributes: Attributes, ...keys: string[]): Attributes {
  const copy = { ...attributes };
  for (const k of keys) delete copy[k];
  return copy;
}

/**
 * The response with `next` as the call's TransactionAttributes, if the SMA would take them; otherwise without
 * the field (the SMA keeps what it has) and a warning. Every path that returns attributes goes through here or
 * through park(): an event that arrives with 150 keys or a 100 KB value must not be echoed back.
 */
export function answer(deps: CallEventDeps, actions: SmaAction[], next?: Attributes): SmaResponse {
  if (next === undefined) return respond(actions);
  try {
    checkAttributes(next);
  } catch (e) {
    deps.log.warn('TransactionAttributes left unchanged: the new map would be refused by the SMA', { problem: (e as Error).message });
    deps.metrics.addMetric('TransactionAttributesOverLimit', MetricUnit.Count, 1);
    return respond(actions);
  }
  return respond(actions, next);
}

/** The legs this Lambda asked to record (RecordingsAttribute); a value that is not ours reads as none. */
export function recordingsOf(attributes: Attributes): Record<string, string> {
  const raw = attributes[RecordingsAttribute];
  if (!raw) return {};
  try {
    const parsed: unknown = JSON.parse(raw);
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return {};
    const out: Record<string, string> = Object.create(null);
    for (const [k, v] of Object.entries(parsed)) if (typeof v === 'string') out[k] = v;
    return out;
  } catch {
    return {};
  }
}
export const recordingOf = (attributes: Attributes, callId: string): string | undefined => {
  const recordings = recordingsOf(attributes);
  return Object.hasOwn(recordings, callId) ? recordings[callId] : undefined;
};
export function withRecording(attributes: Attributes, callId: string, location: string): Attributes {
  return { ...attributes, [RecordingsAttribute]: JSON.stringify({ ...recordingsOf(attributes), [callId]: location }) };
}

export function startResult(
  event: SmaEvent,
  callId: string,
  track: string,
  location: string,
  alreadyStarted: boolean,
): StartRecordingResult {
  const leg = event.CallDetails.Participants.find((p) => p.CallId === callId);
  return {
    location,
    callId,
    track,
    legStartMs: leg?.StartTimeInMilliseconds ? Number(leg.StartTimeInMilliseconds) : null,
    legs: legsOf(event),
    ...(alreadyStarted ? { alreadyStarted: true } : {}),
  };
}

/**
 * The response to an action's success once its task token is completed: no TransactionAttributes (the SMA keeps
 * its map). The workflow's next update can reach this Lambda before the SMA has applied this response, and the
 * docs do not say which of the two responses the SMA applies last: a map returned here could replace the one
 * in which that update parked its token. The spent token left in the map is harmless: a later callback with
 * it is refused as stale, and the next command of its kind overwrites it.
 */
export const delivered = new WeakSet<SmaResponse>();
export const afterCallback = (): SmaResponse => {
  const r = respond();
  delivered.add(r);
  return r;
};

/**
 * True for the response to an own action's result whose task callback went through: the token left in the map
 * is spent, and the middleware must not answer with a map either (its own reasons: see afterCallback).
 */
export function callbackDelivered(response: SmaResponse): boolean {
  return delivered.has(response);
}

/**
 * A response to the recording's start whose actions are the consent notice (issue 21: it follows in the Lambda's
 * own answer): the middleware keeps the application's list held until the notice's result too.
 */
const withNotice = new WeakSet<SmaResponse>();
export const continueWithNotice = (r: SmaResponse): SmaResponse => {
  withNotice.add(r);
  return r;
};
export const continuesWithNotice = (r: SmaResponse): boolean => withNotice.has(r);
