/**
 * Call recording objects as the PSTN audio service writes them (developer guide, start-call-recording):
 * key, user metadata, WAV body, written only after recording stops.
 */
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { encodeWav } from './wav';
import type { RecordingRecord } from './types';

/** Added when Location is a bare bucket. */
export const DEFAULT_PREFIX = 'Amazon-Chime-SMA-Call-Recordings';

/**
 * `<Location>/` + (`Amazon-Chime-SMA-Call-Recordings/` only for a bare bucket) +
 * `YYYY/MM/DD/YYYY-MM-DD-hh-mm-ss-SSS_<transactionId>_<callId>.wav`, the date from the leg's start time.
 * UTC and a 24-hour hh are assumptions (unverified: the docs' example, 17-10-00-010, does not settle either).
 */
export function recordingKey(args: { bucket: string; prefix?: string; legStartMs: number; transactionId: string; callId: string }): string {
  const d = new Date(args.legStartMs);
  const p2 = (n: number) => String(n).padStart(2, '0');
  const [y, mo, day] = [String(d.getUTCFullYear()), p2(d.getUTCMonth() + 1), p2(d.getUTCDate())];
  const stamp = `${y}-${mo}-${day}-${p2(d.getUTCHours())}-${p2(d.getUTCMinutes())}-${p2(d.getUTCSeconds())}-${String(d.getUTCMilliseconds()).padStart(3, '0')}`;
  return `${args.prefix ?? DEFAULT_PREFIX}/${y}/${mo}/${day}/${stamp}_${args.transactionId}_${args.callId}.wav`;
}

/**
 * `recording-duration` is seconds; the docs do not show the format (unverified). The emulator writes one
 * decimal ("62.4", "0.0"), the precision a plausibility check against the call length needs.
 */
export function formatDurationSeconds(ms: number): string {
  return (Math.max(0, ms) / 1000).toFixed(1);
}

export interface DeliveryOptions {
  emptyRecording?: boolean;
  metadata?: Record<string, string>;
}

/** Writes the object for a stopped recording with the real S3 client. */
export async function putRecording(
  s3: S3Client,
  recording: RecordingRecord,
  transactionId: string,
  options: DeliveryOptions = {},
): Promise<void> {
  const durationMs = (recording.stoppedAtMs ?? recording.startedAtMs) - recording.startedAtMs;
  const stoppedAtMs = recording.stoppedAtMs ?? recording.startedAtMs;
  const body = encodeWav({
    channels: recording.track === 'BOTH' ? 2 : 1,
    durationSeconds: options.emptyRecording ? 0 : durationMs / 1000,
    // An open window (stopped while paused) runs to the end of the file.
    pauses: (recording.pauses ?? []).map((w) => ({
      startSeconds: (w.startMs - recording.startedAtMs) / 1000,
      endSeconds: ((w.endMs ?? stoppedAtMs) - recording.startedAtMs) / 1000,
    })),
  });
  await s3.send(
    new PutObjectCommand({
      Bucket: recording.bucket,
      Key: recording.key,
      Body: body,
      ContentType: 'audio/wav',
      Metadata: {
        'transaction-id': transactionId,
        'call-id': recording.callId,
        'recording-duration': formatDurationSeconds(durationMs),
        // An internet media type per the docs; "audio/wav" itself is unverified.
        'recording-audio-file-format': 'audio/wav',
        ...options.metadata,
      },
    }),
  );
}
