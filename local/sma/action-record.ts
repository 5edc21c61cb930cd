/** The `actions` record of a call: every action run, on which leg, how it ended (CallSummary.actions). */
import { actionLegs } from './action-support';
import type { CallState, Outcome } from './call';
import type { ActionShape } from './events';
import type { EmulatorRuntime } from './runtime';
import type { ActionRecord } from './types';

/** An action starts on `legs` (actionLegs): recorded with its leg and whether a NULL action set kept its list. */
export function recordStart(rt: EmulatorRuntime, call: CallState, action: ActionShape, legs: string[]): ActionRecord {
  const record: ActionRecord = { type: action.Type, startedAtMs: rt.clock.nowMs(), status: 'running' };
  const leg = call.leg(legs[0]);
  if (leg) record.leg = leg.tag;
  if (call.keptList === call.listId) record.keptByNull = true;
  call.actions.push(record);
  return record;
}

export function recordEnd(rt: EmulatorRuntime, record: ActionRecord, outcome: Outcome): void {
  record.endedAtMs = rt.clock.nowMs();
  record.status = outcome.status;
  if (outcome.status === 'failed') record.errorType = outcome.errorType;
  const digits = outcome.status === 'ok' ? outcome.extra?.ReceivedDigits : undefined;
  if (typeof digits === 'string') record.receivedDigits = digits;
}

/** The queued actions will never run (a new list replaced them, the call ended): recorded as not_run. */
export function dropQueue(call: CallState, nowMs: number): void {
  for (const action of call.queue) {
    const callId = actionLegs(call, action)[0];
    call.actions.push({
      type: action.Type,
      startedAtMs: nowMs,
      endedAtMs: nowMs,
      status: 'not_run',
      callId,
      parameters: action.Parameters,
    });
  }
  call.queue = [];
}
