/**
 * s3rver keeps objects as `<key>._S3rver_object` beside its metadata files, which no audio player opens.
 * After a run the twin copies every object out through the real S3 API into a plain folder tree, so a
 * recording is `<folder>/<bucket>/<key>.wav` and its manifest `<...>.manifest.json`.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';

export async function exportBucket(s3: S3Client, bucket: string, folder: string): Promise<number> {
  const root = resolve(folder, bucket);
  let count = 0;
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, ContinuationToken: token }));
    for (const { Key } of page.Contents ?? []) {
      if (!Key) continue;
      const target = resolve(root, Key);
      if (!target.startsWith(root + '/')) continue; // never write outside the folder, whatever the key says
      const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key }));
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, await object.Body!.transformToByteArray());
      count++;
    }
    token = page.NextContinuationToken;
  } while (token);
  return count;
}

export const exportFolder = (dataDir: string) => join(dataDir, 'exported');
