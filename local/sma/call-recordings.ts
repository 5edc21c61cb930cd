/**
 * A call's recordings once their actions succeeded: started, paused, stopped, and delivered to S3 after they
 * stop. A delivery is pending work of the call: the call ends only when its deliveries have settled.
 */
import { track } from '../clock';
import type { CallState } from './call';
import { redact } from './errors';
import { putRecording } from './recording';
import { type EmulatorRuntime, timerTag } from './runtime';
import type { RecordingRecord } from './types';

export function startRecording(rt: EmulatorRuntime, call: CallState, record: RecordingRecord): void {
  const leg = call.leg(record.callId);
  if (!leg) return;
  leg.recordingStarted = true;
  record.startedAtMs = rt.clock.nowMs();
  call.recordings.set(leg.callId, { record, paused: false });
  call.recordingList.push(record);
  rt.logger?.info('recording started', { transactionId: call.transactionId, participantTag: leg.tag, key: record.key });
}

export function pauseRecording(call: CallState, callId: string, paused: boolean): void {
  const rec = call.recordings.get(callId);
  if (rec) rec.paused = paused; // paused time still counts in the duration (sip-apps-call-record)
}

/** Stops the leg's recording, if one is running, and starts its delivery; `settled` runs when that is over. */
export function stopRecording(rt: EmulatorRuntime, call: CallState, callId: string, settled: () => void): void {
  const rec = call.recordings.get(callId)?.record;
  if (rec?.status !== 'recording') return;
  rec.stoppedAtMs = rt.clock.nowMs();
  rec.durationSeconds = (rec.stoppedAtMs - rec.startedAtMs) / 1000;
  rec.status = 'stopped';
  deliver(rt, call, rec, settled);
}

/** The object lands after recording stops, plus faults.deliveryDelaySeconds (virtual). */
function deliver(rt: EmulatorRuntime, call: CallState, rec: RecordingRecord, settled: () => void): void {
  const { deliveryDelaySeconds = 0, dropRecording, emptyRecording, metadata } = call.faults;
  const delivery = (async () => {
    await rt.clock.sleep(deliveryDelaySeconds * 1000, rt.closing, timerTag(call, 'sma:delivery'));
    if (dropRecording) {
      rec.status = 'dropped';
      rt.logger?.info('recording dropped (fault)', { transactionId: call.transactionId, key: rec.key });
      return;
    }
    await track(rt.clock, putRecording(rt.s3, rec, call.transactionId, { emptyRecording, metadata }));
    rec.status = 'delivered';
    rec.deliveredAtMs = rt.clock.nowMs();
    rt.logger?.info('recording delivered', { transactionId: call.transactionId, key: rec.key, durationSeconds: rec.durationSeconds });
  })().catch((err: unknown) => {
    rec.status = rt.closed ? 'dropped' : 'failed';
    rec.error = redact(err instanceof Error ? `${err.name}: ${err.message}` : String(err));
    if (!rt.closed) rt.logger?.error('recording delivery failed', { transactionId: call.transactionId, key: rec.key, error: rec.error });
  });
  call.deliveries.add(delivery);
  void delivery.finally(() => {
    call.deliveries.delete(delivery);
    settled();
  });
}
