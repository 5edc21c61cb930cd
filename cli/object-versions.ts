/** Every version of one key (delete markers too), and what locks a version: S3's own answers, read with the SDK. */
import { HeadObjectCommand, type HeadObjectCommandOutput, ListObjectVersionsCommand, type S3Client } from '@aws-sdk/client-s3';

export interface KeyVersion {
  key: string;
  versionId: string;
  deleteMarker: boolean;
}

/** ListObjectVersions with the key as prefix, kept to that exact key, every page. */
export async function versionsOf(s3: S3Client, bucket: string, key: string): Promise<KeyVersion[]> {
  const out: KeyVersion[] = [];
  let keyMarker: string | undefined;
  let versionIdMarker: string | undefined;
  for (;;) {
    const page = await s3.send(
      new ListObjectVersionsCommand({ Bucket: bucket, Prefix: key, KeyMarker: keyMarker, VersionIdMarker: versionIdMarker }),
    );
    for (const v of page.Versions ?? []) if (v.Key === key && v.VersionId) out.push({ key, versionId: v.VersionId, deleteMarker: false });
    for (const m of page.DeleteMarkers ?? [])
      if (m.Key === key && m.VersionId) out.push({ key, versionId: m.VersionId, deleteMarker: true });
    if (!page.IsTruncated) return out;
    keyMarker = page.NextKeyMarker;
    versionIdMarker = page.NextVersionIdMarker;
  }
}

export interface VersionLock {
  legalHold: boolean;
  mode?: string;
  retainUntil?: Date;
}

/** The version's legal hold and retention, as HeadObject reports them (S3 sends them to a caller allowed to read them). */
export async function lockOf(s3: S3Client, bucket: string, v: KeyVersion): Promise<VersionLock> {
  if (v.deleteMarker) return { legalHold: false };
  const head: HeadObjectCommandOutput = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: v.key, VersionId: v.versionId }));
  return {
    legalHold: head.ObjectLockLegalHoldStatus === 'ON',
    ...(head.ObjectLockMode ? { mode: head.ObjectLockMode } : {}),
    ...(head.ObjectLockRetainUntilDate ? { retainUntil: new Date(head.ObjectLockRetainUntilDate) } : {}),
  };
}
