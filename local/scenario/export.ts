/**
 * s3rver keeps objects as `<key>._S3rver_object` beside its metadata files, which no audio player opens.
 * After a run the twin copies every object out into a plain folder tree, so a recording is
 * `<folder>/<bucket>/<key>.wav` and its manifest `<...>.manifest.json`.
 *
 * The keys come from the S3 API (ListObjects). Each object is read the way a GetObject reads it: through the
 * S3 twin's store when it is given (`direct`: the same checks a GetObject passes, an object refused to readers or
 * still being written is skipped, then the file is copied by the kernel), else through GetObject, streamed to
 * disk. A few objects at a time (EXPORT_CONCURRENCY). After a 2,000-call run (4,000 objects, 11 GB of WAV), one
 * at a time through GetObject, buffered whole, took 53-356 s here depending on load, from the store 17-26 s
 * (docs/benchmarks.md, "Findings").
 */
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { GetObjectCommand, type GetObjectCommandOutput, ListObjectsCommand, type S3Client } from '@aws-sdk/client-s3';
import { mapPool } from '../../cli/pool';
import type { S3Direct } from '../s3/server';

/** Objects copied at once: enough to overlap one object's wait with another's copy on two cores, not more. */
export const EXPORT_CONCURRENCY = 4;

export interface ExportOptions {
  /** The S3 twin's store (twin.s3Direct): objects are copied from it instead of streamed through GetObject. */
  direct?: S3Direct;
  concurrency?: number;
}

export async function exportBucket(s3: S3Client, bucket: string, folder: string, options: ExportOptions = {}): Promise<number> {
  const root = resolve(folder, bucket);
  let count = 0;
  const made = new Set<string>();
  const copy = async (key: string): Promise<void> => {
    const target = resolve(root, diskPath(key));
    if (!target.startsWith(root + '/')) return; // never write outside the folder, whatever the key says
    const parent = dirname(target);
    if (!made.has(parent)) {
      await mkdir(parent, { recursive: true });
      made.add(parent);
    }
    if (await (options.direct ? options.direct.copyObjectTo(bucket, key, target) : viaGetObject(s3, bucket, key, target))) count++;
  };
  // ListObjects (v1) with Marker, not ListObjectsV2: s3rver 3.7.1 makes V2 continuation tokens with DES,
  // which Node 17+ (OpenSSL 3) refuses, so a V2 listing of more than 1,000 keys fails with InternalError.
  let marker: string | undefined;
  for (;;) {
    const page = await s3.send(new ListObjectsCommand({ Bucket: bucket, Marker: marker }));
    const contents = page.Contents ?? [];
    const keys = contents.flatMap((c) => (c.Key ? [c.Key] : []));
    await mapPool(keys, options.concurrency ?? EXPORT_CONCURRENCY, copy);
    if (!page.IsTruncated || contents.length === 0) break;
    marker = page.NextMarker ?? contents[contents.length - 1].Key;
  }
  return count;
}

/** GetObject, its body streamed to the file; false when the twin refuses the read (faults.verifyAccessDenied). */
async function viaGetObject(s3: S3Client, bucket: string, key: string, target: string): Promise<boolean> {
  let object: GetObjectCommandOutput;
  try {
    object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  } catch (e) {
    // faults.verifyAccessDenied: the twin refuses every read of that recording, this copy's too.
    if ((e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 403) return false;
    throw e;
  }
  await pipeline(object.Body as Readable, createWriteStream(target));
  return true;
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
