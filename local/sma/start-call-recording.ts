/** StartCallRecording: validates the action, applies the scenario's faults, and names the recording's object. */
import { HeadBucketCommand } from '@aws-sdk/client-s3';
import { track } from '../clock';
import { isObject, parseLocation } from './actions';
import { connectedLeg, failed, wait } from './action-support';
import type { CallState, Outcome } from './call';
import { actionError, invalidParameter } from './errors';
import { recordingKey } from './recording';
import type { EmulatorRuntime } from './runtime';
import type { RecordingRecord } from './types';

const TRACKS = new Set(['BOTH', 'INCOMING', 'OUTGOING']);

/** start-call-recording: all parameters required; each leg once (sip-apps-call-record). */
export async function startCallRecording(
  rt: EmulatorRuntime,
  call: CallState,
  p: Record<string, unknown>,
  signal: AbortSignal,
): Promise<Outcome> {
  // Faults apply to the first N StartCallRecording actions of the call, whatever their parameters.
  const attempt = call.startRecordingAttempts++;
  const leg = connectedLeg(call, p.CallId);
  if (!leg) return failed(invalidParameter('CallId'));
  if (typeof p.Track !== 'string' || !TRACKS.has(p.Track)) return failed(invalidParameter('Track'));
  const destination = p.Destination;
  if (!isObject(destination) || destination.Type !== 'S3') return failed(invalidParameter('Destination.Type'));
  const location = parseLocation(destination.Location);
  if (!location) return failed(invalidParameter('Destination.Location'));
  if (leg.recordingStarted) return failed(actionError('InvalidActionParameter', 'Call recording was already started on this call leg'));
  const fault = call.faults.startRecording?.[attempt];
  if (fault) return failed(actionError(fault));
  const late = attempt === 0 ? call.faults.startRecordingDelaySeconds : undefined;
  if (late) {
    // The late-start case: the recording starts, and its ACTION_SUCCESSFUL comes, this long after the action.
    const waited = await wait(rt, call, late * 1000, signal, { status: 'ok' });
    if (waited.status !== 'ok') return waited;
  }
  // The service writes as voiceconnector.chime.amazonaws.com; the twin has no bucket policies, so a bucket
  // the twin's S3 does not have stands for one the service may not write to (the seed's NoAccessToDestination).
  const reachable = await track(rt.clock, bucketReachable(rt, location.bucket));
  if (signal.aborted) return { status: 'aborted' };
  if (!reachable) return failed(actionError('NoAccessToDestination'));
  const key = recordingKey({ ...location, legStartMs: leg.startMs, transactionId: call.transactionId, callId: leg.callId });
  const record: RecordingRecord = {
    callId: leg.callId,
    participantTag: leg.tag,
    track: p.Track as RecordingRecord['track'],
    bucket: location.bucket,
    key,
    location: `${location.bucket}/${key}`,
    startedAtMs: rt.clock.nowMs(),
    status: 'recording',
    pauses: [],
    controls: [],
  };
  return {
    status: 'ok',
    effect: { kind: 'startRecording', record },
    extra: { CallRecordingDestination: { Type: 'S3', Location: record.location } },
  };
}

async function bucketReachable(rt: EmulatorRuntime, bucket: string): Promise<boolean> {
  // Buckets do not disappear during a twin run; remembering the ones seen saves a round trip that costs
  // virtual time at high clock speeds.
  if (rt.reachableBuckets.has(bucket)) return true;
  try {
    await rt.s3.send(new HeadBucketCommand({ Bucket: bucket }));
    rt.reachableBuckets.add(bucket);
    return true;
  } catch {
    return false;
  }
}
