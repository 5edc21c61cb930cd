/**
 * The twin's S3 does what S3 documents for versioning, Object Lock and legal hold, as the SDK sees it
 * (local/s3/object-lock-front.ts): every PUT a version, a simple DELETE a delete marker, a locked version's
 * DeleteObject refused with AccessDenied, retention extended but never shortened, GOVERNANCE only with the bypass.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  GetObjectLegalHoldCommand,
  GetObjectRetentionCommand,
  HeadObjectCommand,
  ListObjectVersionsCommand,
  PutObjectCommand,
  PutObjectLegalHoldCommand,
  PutObjectRetentionCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { makeS3Client, startS3Server, type S3Server } from '../../local/s3/server';

const BUCKET = 'lock-tests';
const DAY = 86_400_000;
let dir: string;
let server: S3Server;
let s3: S3Client;
let nowMs = Date.parse('2026-01-01T09:00:00Z');

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 's3-lock-'));
  server = await startS3Server({ dataDir: dir, buckets: [BUCKET], clock: { nowMs: () => nowMs, busy: () => () => undefined } as never });
  s3 = makeS3Client(server.endpoint);
});
afterAll(async () => {
  s3?.destroy();
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

const put = (Key: string, Body: string, lock: { mode?: 'GOVERNANCE' | 'COMPLIANCE'; days?: number; hold?: boolean } = {}) =>
  s3.send(
    new PutObjectCommand({
      Bucket: BUCKET,
      Key,
      Body,
      ...(lock.mode ? { ObjectLockMode: lock.mode, ObjectLockRetainUntilDate: new Date(nowMs + (lock.days ?? 1) * DAY) } : {}),
      ...(lock.hold ? { ObjectLockLegalHoldStatus: 'ON' as const } : {}),
      ...(lock.mode || lock.hold ? { ChecksumAlgorithm: 'SHA256' as const } : {}),
    }),
  );
const del = (Key: string, VersionId?: string, bypass = false) =>
  s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key, VersionId, ...(bypass ? { BypassGovernanceRetention: true } : {}) }));
const refusal = (p: Promise<unknown>) =>
  p.then(
    () => 'allowed',
    (e: { name: string; $metadata?: { httpStatusCode?: number } }) => `${e.name} ${e.$metadata?.httpStatusCode}`,
  );
const versions = async (Prefix: string) => {
  const page = await s3.send(new ListObjectVersionsCommand({ Bucket: BUCKET, Prefix }));
  return {
    versions: (page.Versions ?? []).map((v) => [v.Key, v.VersionId, v.IsLatest]),
    markers: (page.DeleteMarkers ?? []).map((m) => [m.Key, m.VersionId, m.IsLatest]),
  };
};

describe('versioning', () => {
  it('keeps every PUT as a version, reads an older one by its id, and a simple DELETE only adds a marker', async () => {
    const one = await put('v/a', 'one');
    const two = await put('v/a', 'second');
    expect(one.VersionId).toBeDefined();
    expect(two.VersionId).not.toBe(one.VersionId);
    const old = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'v/a', VersionId: one.VersionId }));
    expect(await old.Body?.transformToString()).toBe('one');
    expect((await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'v/a' }))).VersionId).toBe(two.VersionId);
    const marker = await del('v/a');
    expect(marker.DeleteMarker).toBe(true);
    expect(await refusal(s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'v/a' })))).toBe('NotFound 404');
    expect(await versions('v/a')).toEqual({
      versions: [
        ['v/a', two.VersionId, false],
        ['v/a', one.VersionId, false],
      ],
      markers: [['v/a', marker.VersionId, true]],
    });
    // Deleting the marker makes the newest version current again.
    await del('v/a', marker.VersionId);
    const back = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'v/a' }));
    expect(await back.Body?.transformToString()).toBe('second');
    await del('v/a', two.VersionId);
    await del('v/a', one.VersionId);
    expect(await versions('v/a')).toEqual({ versions: [], markers: [] });
  });

  it('refuses a PUT with If-None-Match: * over an existing object (412)', async () => {
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'v/once', Body: 'x', IfNoneMatch: '*' }));
    expect(await refusal(s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'v/once', Body: 'y', IfNoneMatch: '*' })))).toBe(
      'PreconditionFailed 412',
    );
  });
});

describe('Object Lock', () => {
  it('COMPLIANCE: the version cannot be deleted, even with the bypass; its retention extends but never shortens', async () => {
    const v = await put('l/compliance', 'c', { mode: 'COMPLIANCE', days: 10 });
    const head = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'l/compliance' }));
    expect(head).toMatchObject({ ObjectLockMode: 'COMPLIANCE', ObjectLockLegalHoldStatus: 'OFF' });
    expect(await refusal(del('l/compliance', v.VersionId, true))).toBe('AccessDenied 403');
    const retain = (days: number, Mode: 'GOVERNANCE' | 'COMPLIANCE' = 'COMPLIANCE', bypass = false) =>
      refusal(
        s3.send(
          new PutObjectRetentionCommand({
            Bucket: BUCKET,
            Key: 'l/compliance',
            VersionId: v.VersionId,
            Retention: { Mode, RetainUntilDate: new Date(nowMs + days * DAY) },
            ...(bypass ? { BypassGovernanceRetention: true } : {}),
          }),
        ),
      );
    expect(await retain(5)).toBe('AccessDenied 403');
    expect(await retain(5, 'COMPLIANCE', true)).toBe('AccessDenied 403');
    expect(await retain(20, 'GOVERNANCE')).toBe('AccessDenied 403');
    expect(await retain(20)).toBe('allowed');
    const r = await s3.send(new GetObjectRetentionCommand({ Bucket: BUCKET, Key: 'l/compliance', VersionId: v.VersionId }));
    expect(r.Retention).toEqual({ Mode: 'COMPLIANCE', RetainUntilDate: new Date(nowMs + 20 * DAY) });
    // A simple DELETE is allowed (a marker); the locked version stays.
    expect((await del('l/compliance')).DeleteMarker).toBe(true);
    expect((await versions('l/compliance')).versions).toEqual([['l/compliance', v.VersionId, false]]);
  });

  it('GOVERNANCE: deleted or shortened only with x-amz-bypass-governance-retention', async () => {
    const v = await put('l/governance', 'g', { mode: 'GOVERNANCE', days: 10 });
    expect(await refusal(del('l/governance', v.VersionId))).toBe('AccessDenied 403');
    const shorten = (bypass: boolean) =>
      refusal(
        s3.send(
          new PutObjectRetentionCommand({
            Bucket: BUCKET,
            Key: 'l/governance',
            VersionId: v.VersionId,
            Retention: { Mode: 'GOVERNANCE', RetainUntilDate: new Date(nowMs + DAY) },
            ...(bypass ? { BypassGovernanceRetention: true } : {}),
          }),
        ),
      );
    expect(await shorten(false)).toBe('AccessDenied 403');
    expect(await shorten(true)).toBe('allowed');
    expect(await refusal(del('l/governance', v.VersionId, true))).toBe('allowed');
    expect(await versions('l/governance')).toEqual({ versions: [], markers: [] });
  });

  it('an expired retention no longer protects the version (the clock is the twin S3 clock)', async () => {
    const v = await put('l/expiring', 'e', { mode: 'COMPLIANCE', days: 1 });
    expect(await refusal(del('l/expiring', v.VersionId))).toBe('AccessDenied 403');
    nowMs += 2 * DAY;
    expect(await refusal(del('l/expiring', v.VersionId))).toBe('allowed');
  });

  it('legal hold: refuses deletion whatever the retention or the bypass, until it is removed', async () => {
    const v = await put('l/held', 'h');
    const hold = (Status: 'ON' | 'OFF') =>
      s3.send(new PutObjectLegalHoldCommand({ Bucket: BUCKET, Key: 'l/held', VersionId: v.VersionId, LegalHold: { Status } }));
    await hold('ON');
    expect((await s3.send(new GetObjectLegalHoldCommand({ Bucket: BUCKET, Key: 'l/held', VersionId: v.VersionId }))).LegalHold).toEqual({
      Status: 'ON',
    });
    expect(
      (await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'l/held', VersionId: v.VersionId }))).ObjectLockLegalHoldStatus,
    ).toBe('ON');
    expect(await refusal(del('l/held', v.VersionId, true))).toBe('AccessDenied 403');
    await hold('OFF');
    expect(await refusal(del('l/held', v.VersionId))).toBe('allowed');
  });

  it('refuses a lock on a PUT without a checksum, and a mode without a date', async () => {
    expect(
      await refusal(
        s3.send(
          new PutObjectCommand({
            Bucket: BUCKET,
            Key: 'l/bad',
            Body: 'b',
            ObjectLockMode: 'GOVERNANCE',
            ObjectLockRetainUntilDate: new Date(nowMs + DAY),
          }),
        ),
      ),
    ).toBe('InvalidRequest 400');
    expect(
      await refusal(
        s3.send(
          new PutObjectCommand({ Bucket: BUCKET, Key: 'l/bad', Body: 'b', ObjectLockMode: 'GOVERNANCE', ChecksumAlgorithm: 'SHA256' }),
        ),
      ),
    ).toBe('InvalidRequest 400');
  });
});
