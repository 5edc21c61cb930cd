/**
 * An execution's S3 objects, read through the S3 API (GetObject): the audit manifest (JSON) and the
 * recording (WAV). The routes name an execution, never a key: the keys come from the execution's own summary,
 * so the console serves only what the workflow recorded, nothing else in the bucket.
 */
import type { ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import { GetObjectCommand, type GetObjectCommandOutput, HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { ExecutionSummary } from '../../cli/execution-summary';
import { scrub } from '../../cli/format';

/** The bucket of the execution's location ("bucket[/prefix]"): the workflow writes both objects there. */
function bucketOf(summary: ExecutionSummary): string | undefined {
  return summary.location?.split('/')[0] || undefined;
}

export async function readManifest(s3: S3Client, summary: ExecutionSummary): Promise<unknown | undefined> {
  const bucket = bucketOf(summary);
  if (!bucket || !summary.manifestKey) return undefined;
  let got: GetObjectCommandOutput;
  try {
    got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: summary.manifestKey }));
  } catch (e) {
    if (isNotFound(e)) return undefined;
    throw e;
  }
  // The manifest holds the call's details: shown with phone numbers masked, as every other view of a call.
  return scrub(JSON.parse(await got.Body!.transformToString('utf8')));
}

/** Whether the recording landed (RECORDING_MISSING has a key for an object that never arrived). */
export async function recordingExists(s3: S3Client, summary: ExecutionSummary): Promise<boolean> {
  const bucket = bucketOf(summary);
  if (!bucket || !summary.recordingKey) return false;
  try {
    await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: summary.recordingKey }));
    return true;
  } catch (e) {
    if (isNotFound(e)) return false;
    throw e;
  }
}

/**
 * Streams the recording with the HTTP semantics an <audio> element needs to seek: Accept-Ranges, and a
 * Range request answered 206 with Content-Range (S3 takes the same Range header and answers the same way).
 * Returns false when there is no recording to send.
 */
export async function sendRecording(
  s3: S3Client,
  summary: ExecutionSummary,
  range: string | undefined,
  res: ServerResponse,
): Promise<boolean> {
  const bucket = bucketOf(summary);
  if (!bucket || !summary.recordingKey) return false;
  const wanted = range && /^bytes=\d*-\d*$/.test(range) ? range : undefined;
  let got: GetObjectCommandOutput;
  try {
    got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: summary.recordingKey, Range: wanted }));
  } catch (e) {
    if ((e as Error).name === 'InvalidRange') {
      res.writeHead(416, { 'Content-Type': 'text/plain' }).end('requested range not satisfiable');
      return true;
    }
    if (isNotFound(e)) return false;
    throw e;
  }
  const headers: Record<string, string | number> = {
    'Content-Type': 'audio/wav',
    'Accept-Ranges': 'bytes',
    'Cache-Control': 'no-store',
  };
  if (got.ContentLength !== undefined) headers['Content-Length'] = got.ContentLength;
  if (got.ContentRange) headers['Content-Range'] = got.ContentRange;
  res.writeHead(got.ContentRange ? 206 : 200, headers);
  const body = got.Body as Readable;
  body.pipe(res);
  await new Promise<void>((resolve) => {
    res.on('close', resolve);
    body.on('error', () => res.destroy());
  });
  return true;
}

/** A manifest that failed to write, or a recording that never landed (RECORDING_MISSING), is absent, not an error. */
const isNotFound = (e: unknown) => ['NoSuchKey', 'NotFound', 'NoSuchBucket'].includes((e as Error).name);
