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

/**
 * A PauseCallRecording (paused=true) or ResumeCallRecording that succeeded: opens or closes a pause window.
 * A pause while paused or a resume while not paused changes nothing; it is still recorded (changed: false).
 * Paused time still counts in the duration (sip-apps-call-record).
 */
export function pauseRecording(rt: EmulatorRuntime, call: CallState, callId: string, paused: boolean): void {
  const rec = call.recordings.get(callId);
  if (rec?.record.status !== 'recording') return;
  const atMs = rt.clock.nowMs();
  const changed = rec.paused !== paused;
  rec.record.controls.push({ type: paused ? 'PauseCallRecording' : 'ResumeCallRecording', atMs, changed });
  if (!changed) return;
  rec.paused = paused;
  if (paused) rec.record.pauses.push({ startMs: atMs });
  else rec.record.pauses.at(-1)!.endMs = atMs;
}

/**
 * Stops the leg's recording, if one is running (an open pause window ends here), and starts its delivery;
 * `settled` runs when that is over.
 */
export function stopRecording(
  rt: EmulatorRuntime,
  call: CallState,
  callId: string,
  cause: 'StopCallRecording' | 'hangup',
  settled: () => void,
): void {
  const state = call.recordings.get(callId);
  if (state?.record.status !== 'recording') return;
  const rec = state.record;
  rec.stoppedAtMs = rt.clock.nowMs();
  rec.durationSeconds = (rec.stoppedAtMs - rec.startedAtMs) / 1000;
  rec.status = 'stopped';
  rec.stopCause = cause;
  if (cause === 'StopCallRecording') rec.controls.push({ type: 'StopCallRecording', atMs: rec.stoppedAtMs, changed: true });
  const open = rec.pauses.at(-1);
  if (open && open.endMs === undefined) open.endMs = rec.stoppedAtMs;
  state.paused = false;
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
