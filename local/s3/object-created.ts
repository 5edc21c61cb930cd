/**
 * The S3 twin's "Object Created" notifications (issue 22): after a PutObject, CopyObject or
 * CompleteMultipartUpload has made the object visible, a listener hears of it, with what S3 puts in its
 * EventBridge event (bucket, key, size, ETag, the reason). local/events turns it into the EventBridge event.
 * A hook on s3rver's store, kept apart from server.ts: the store's writes are wrapped there (atomic writes) and
 * here (the notice), outermost last, so the notice comes once the object is readable.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type S3rver from 's3rver';

export interface CreatedObject {
  bucket: string;
  key: string;
  size: number;
  etag: string;
  versionId?: string;
  /** As S3 names it in the event: PutObject | CopyObject | CompleteMultipartUpload */
  reason: 'PutObject' | 'CopyObject' | 'CompleteMultipartUpload';
}

export type ObjectCreatedListener = (object: CreatedObject) => void;

interface Store extends S3rver.S3rverStore {
  copyObject(srcBucket: string, srcKey: string, destBucket: string, destKey: string, metadata?: unknown): Promise<Record<string, string>>;
  putObjectMultipart(bucket: string, uploadId: string, parts: unknown): Promise<{ size: number; md5: string }>;
}

export function notifyObjectCreated(store: S3rver.S3rverStore, listener: ObjectCreatedListener): void {
  const s = store as Store;
  // CompleteMultipartUpload writes through putObject: the reason is carried down to it.
  const multipart = new AsyncLocalStorage<true>();
  const putObject = s.putObject.bind(s);
  s.putObject = async (object) => {
    const written = (await putObject(object)) as { size?: number; md5?: string } | undefined;
    listener({
      bucket: object.bucket,
      key: object.key,
      size: written?.size ?? 0,
      etag: written?.md5 ?? '',
      reason: multipart.getStore() ? 'CompleteMultipartUpload' : 'PutObject',
    });
    return written;
  };
  const putObjectMultipart = s.putObjectMultipart.bind(s);
  s.putObjectMultipart = (bucket, uploadId, parts) => multipart.run(true, () => putObjectMultipart(bucket, uploadId, parts));
  const copyObject = s.copyObject.bind(s);
  s.copyObject = async (srcBucket, srcKey, destBucket, destKey, metadata) => {
    const written = await copyObject(srcBucket, srcKey, destBucket, destKey, metadata);
    listener({
      bucket: destBucket,
      key: destKey,
      size: Number(written?.['content-length'] ?? 0),
      etag: String(written?.etag ?? '').replace(/"/g, ''),
      reason: 'CopyObject',
    });
    return written;
  };
}
