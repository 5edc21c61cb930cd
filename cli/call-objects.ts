/**
 * A call's objects in S3 as its workflow left them: the recording and the manifest (from the execution's summary),
 * and the legal-hold records kept beside the manifest (`<manifest key>.legal-holds/<n>-HOLD|RELEASE.json`).
 */
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { Connection } from './clients';
import { CliError } from './errors';
import { resolveExecutionArn } from './execution-ref';
import { describeCall } from './execution-summary';

export interface CallObjects {
  transactionId: string;
  bucket: string;
  recordingKey: string | null;
  manifestKey: string | null;
}

export async function callObjectsOf(conn: Connection, ref: string): Promise<CallObjects> {
  const summary = await describeCall(conn.sfn, resolveExecutionArn(ref, conn), { history: false });
  const bucket = summary.location?.split('/')[0];
  if (!bucket || (!summary.recordingKey && !summary.manifestKey))
    throw new CliError(
      `call ${summary.name} has no recording or manifest in S3 (status ${summary.status}, outcome ${summary.outcome ?? 'none'})`,
    );
  return {
    transactionId: summary.transactionId ?? summary.name,
    bucket,
    recordingKey: summary.recordingKey,
    manifestKey: summary.manifestKey,
  };
}

export const holdRecordsPrefix = (manifestKey: string) => `${manifestKey}.legal-holds/`;

export interface HoldRecord {
  key: string;
  action: 'HOLD' | 'RELEASE';
  at: string;
  by: string;
  reason: string;
  versions: number;
}

/** The call's hold and release records, oldest first. */
export async function holdRecordsOf(s3: S3Client, bucket: string, manifestKey: string): Promise<HoldRecord[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await s3.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: holdRecordsPrefix(manifestKey), ContinuationToken: token }),
    );
    for (const o of page.Contents ?? []) if (o.Key) keys.push(o.Key);
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  const records: HoldRecord[] = [];
  for (const key of keys.sort()) {
    const body = await (await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }))).Body?.transformToString();
    const r = JSON.parse(body ?? '{}') as Partial<HoldRecord> & { versions?: unknown[] };
    records.push({
      key,
      action: r.action === 'RELEASE' ? 'RELEASE' : 'HOLD',
      at: String(r.at ?? ''),
      by: String(r.by ?? ''),
      reason: String(r.reason ?? ''),
      versions: Array.isArray(r.versions) ? r.versions.length : 0,
    });
  }
  return records;
}

async function keysUnder(s3: S3Client, bucket: string, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
    for (const o of page.Contents ?? []) if (o.Key) keys.push(o.Key);
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return keys;
}

/**
 * Writes `body` once, as the next record under `prefix` (`<prefix><n, 6 digits><suffix>`, n counting the records
 * there): If-None-Match: * makes S3 refuse a key that exists, so two writers at once never replace each other's
 * record (the loser takes the next number). Numbered rather than timed, so the keys follow from the records alone.
 */
export async function writeOnce(s3: S3Client, bucket: string, prefix: string, suffix: string, body: string): Promise<string> {
  let n = (await keysUnder(s3, bucket, prefix)).length + 1;
  for (let tries = 0; ; tries++) {
    const key = `${prefix}${String(n).padStart(6, '0')}${suffix}`;
    try {
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: 'application/json', IfNoneMatch: '*' }));
      return key;
    } catch (e) {
      if ((e as Error).name !== 'PreconditionFailed' || tries >= 20) throw e;
      n++;
    }
  }
}
