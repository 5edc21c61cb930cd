/**
 * s3rver keeps objects as `<key>._S3rver_object` beside its metadata files, which no audio player opens.
 * After a run the twin copies every object out through the real S3 API into a plain folder tree, so a
 * recording is `<folder>/<bucket>/<key>.wav` and its manifest `<...>.manifest.json`.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { GetObjectCommand, type GetObjectCommandOutput, ListObjectsCommand, type S3Client } from '@aws-sdk/client-s3';

export async function exportBucket(s3: S3Client, bucket: string, folder: string): Promise<number> {
  const root = resolve(folder, bucket);
  let count = 0;
  // ListObjects (v1) with Marker, not ListObjectsV2: s3rver 3.7.1 makes V2 continuation tokens with DES,
  // which Node 17+ (OpenSSL 3) refuses, so a V2 listing of more than 1,000 keys fails with InternalError.
  let marker: string | undefined;
  for (;;) {
    const page = await s3.send(new ListObjectsCommand({ Bucket: bucket, Marker: marker }));
    const contents = page.Contents ?? [];
    for (const { Key } of contents) {
      if (!Key) continue;
      const target = resolve(root, diskPath(Key));
      if (!target.startsWith(root + '/')) continue; // never write outside the folder, whatever the key says
      let object: GetObjectCommandOutput;
      try {
        object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key }));
      } catch (e) {
        // faults.verifyAccessDenied: the twin refuses every read of that recording, this copy's too.
        if ((e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 403) continue;
        throw e;
      }
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, await object.Body!.transformToByteArray());
      count++;
    }
    if (!page.IsTruncated || contents.length === 0) break;
    marker = page.NextMarker ?? contents[contents.length - 1].Key;
  }
  return count;
}

/**
 * A key segment may be as long as S3's whole 1,024-byte key, a file name only 255 bytes: a longer segment is
 * written as its first 50 characters, "~" and 16 hex digits of its SHA-256 (still readable, still unique).
 */
function diskPath(key: string): string {
  return key
    .split('/')
    .map((s) =>
      Buffer.byteLength(s) <= 200
        ? s
        : `${Array.from(s).slice(0, 50).join('')}~${createHash('sha256').update(s).digest('hex').slice(0, 16)}`,
    )
    .join('/');
}

export const exportFolder = (dataDir: string) => join(dataDir, 'exported');
