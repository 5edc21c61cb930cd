import { existsSync, readdirSync, rmSync } from 'node:fs';
import { Readable } from 'node:stream';
import {
  DeleteBucketCorsCommand,
  GetBucketCorsCommand,
  PutBucketCorsCommand,
  GetObjectCommand,
  GetObjectTaggingCommand,
  HeadObjectCommand,
  ListObjectsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  PutObjectTaggingCommand,
} from '@aws-sdk/client-s3';
import { makeS3Client, startS3Server } from '../../local/s3/server';
import { startTwinS3, type Twin } from './helpers';

describe('startS3Server (s3rver) through @aws-sdk/client-s3', () => {
  let twin: Twin;
  beforeAll(async () => {
    twin = await startTwinS3(['rec-bucket', 'other-bucket']);
  });
  afterAll(() => twin.close());

  it('listens on loopback and keeps the configured buckets on disk', () => {
    expect(twin.s3Server.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(readdirSync(twin.dataDir).sort()).toEqual(['other-bucket', 'rec-bucket']);
  });

  it('round-trips an object with user metadata, content type and tags', async () => {
    const body = Buffer.from('RIFF....WAVE fake');
    const put = await twin.s3.send(
      new PutObjectCommand({
        Bucket: 'rec-bucket',
        Key: 'a/b/c.wav',
        Body: body,
        ContentType: 'audio/wav',
        Metadata: { 'transaction-id': 'tx-1', 'recording-duration': '62.4' },
      }),
    );
    expect(put.ETag).toMatch(/^"[0-9a-f]{32}"$/);

    const head = await twin.s3.send(new HeadObjectCommand({ Bucket: 'rec-bucket', Key: 'a/b/c.wav' }));
    expect(head.Metadata).toEqual({ 'transaction-id': 'tx-1', 'recording-duration': '62.4' });
    expect(head.ContentType).toBe('audio/wav');
    expect(head.ContentLength).toBe(body.length);
    expect(head.ETag).toBe(put.ETag);

    await twin.s3.send(
      new PutObjectTaggingCommand({
        Bucket: 'rec-bucket',
        Key: 'a/b/c.wav',
        Tagging: { TagSet: [{ Key: 'recording-status', Value: 'RECORDED' }] },
      }),
    );
    const tags = await twin.s3.send(new GetObjectTaggingCommand({ Bucket: 'rec-bucket', Key: 'a/b/c.wav' }));
    expect(tags.TagSet).toEqual([{ Key: 'recording-status', Value: 'RECORDED' }]);

    const get = await twin.s3.send(new GetObjectCommand({ Bucket: 'rec-bucket', Key: 'a/b/c.wav' }));
    expect(Buffer.from(await get.Body!.transformToByteArray())).toEqual(body);

    const list = await twin.s3.send(new ListObjectsV2Command({ Bucket: 'rec-bucket', Prefix: 'a/' }));
    expect(list.Contents?.map((o) => [o.Key, o.Size])).toEqual([['a/b/c.wav', body.length]]);
  });

  it('stores a stream body as sent (the client does not switch to aws-chunked)', async () => {
    const body = Buffer.from('streamed body');
    await twin.s3.send(
      new PutObjectCommand({ Bucket: 'rec-bucket', Key: 'stream.bin', Body: Readable.from([body]), ContentLength: body.length }),
    );
    const get = await twin.s3.send(new GetObjectCommand({ Bucket: 'rec-bucket', Key: 'stream.bin' }));
    expect(get.ContentEncoding).toBeUndefined();
    expect(Buffer.from(await get.Body!.transformToByteArray())).toEqual(body);
  });

  it('bucket configuration (read on every request, so cached) is seen as soon as it is set, and gone once deleted', async () => {
    await expect(twin.s3.send(new GetBucketCorsCommand({ Bucket: 'rec-bucket' }))).rejects.toMatchObject({
      name: 'NoSuchCORSConfiguration',
    });
    const rule = { AllowedMethods: ['GET'], AllowedOrigins: ['http://127.0.0.1'] };
    await twin.s3.send(new PutBucketCorsCommand({ Bucket: 'rec-bucket', CORSConfiguration: { CORSRules: [rule] } }));
    expect((await twin.s3.send(new GetBucketCorsCommand({ Bucket: 'rec-bucket' }))).CORSRules).toEqual([expect.objectContaining(rule)]);
    await twin.s3.send(new DeleteBucketCorsCommand({ Bucket: 'rec-bucket' }));
    await expect(twin.s3.send(new GetBucketCorsCommand({ Bucket: 'rec-bucket' }))).rejects.toMatchObject({
      name: 'NoSuchCORSConfiguration',
    });
  });

  it('fails HeadObject on a missing key with NotFound (404)', async () => {
    const err = await twin.s3.send(new HeadObjectCommand({ Bucket: 'rec-bucket', Key: 'missing.wav' })).catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'NotFound', $metadata: { httpStatusCode: 404 } });
  });

  describe("keys S3 accepts, whatever the disk's file-name limit", () => {
    // 300 and 1,000 bytes: over ext4's 255-byte file name, within S3's 1,024-byte key.
    const long = 'p'.repeat(300);
    const keys = [
      `calls/${long}/rec.wav`,
      `calls/${long}/rec.manifest.json`,
      `calls/${'é'.repeat(150)}.wav`,
      `calls/${'q'.repeat(1000)}`,
      'calls/short.wav',
    ];

    beforeAll(async () => {
      for (const Key of keys)
        await twin.s3.send(new PutObjectCommand({ Bucket: 'other-bucket', Key, Body: Key.slice(-20), Metadata: { 'call-id': 'c-1' } }));
    });

    it('stores and returns an object under a key segment of 300 (and 1,000) bytes', async () => {
      for (const Key of keys) {
        const get = await twin.s3.send(new GetObjectCommand({ Bucket: 'other-bucket', Key }));
        expect(await get.Body!.transformToString()).toBe(Key.slice(-20));
        expect(get.Metadata).toEqual({ 'call-id': 'c-1' });
      }
      await twin.s3.send(
        new PutObjectTaggingCommand({
          Bucket: 'other-bucket',
          Key: keys[0],
          Tagging: { TagSet: [{ Key: 'recording-status', Value: 'RECORDED' }] },
        }),
      );
      expect((await twin.s3.send(new GetObjectTaggingCommand({ Bucket: 'other-bucket', Key: keys[0] }))).TagSet).toEqual([
        { Key: 'recording-status', Value: 'RECORDED' },
      ]);
    });

    it('lists them under their own keys: whole, by prefix, with a delimiter, and page by page (Marker)', async () => {
      const all = await twin.s3.send(new ListObjectsCommand({ Bucket: 'other-bucket', Prefix: 'calls/' }));
      expect(all.Contents?.map((o) => o.Key).sort()).toEqual([...keys].sort());
      const under = await twin.s3.send(new ListObjectsCommand({ Bucket: 'other-bucket', Prefix: `calls/${long}/` }));
      expect(under.Contents?.map((o) => o.Key).sort()).toEqual(keys.slice(0, 2).sort());
      const folders = await twin.s3.send(new ListObjectsCommand({ Bucket: 'other-bucket', Prefix: 'calls/', Delimiter: '/' }));
      expect(folders.CommonPrefixes?.map((p) => p.Prefix)).toEqual([`calls/${long}/`]);
      const paged: string[] = [];
      let Marker: string | undefined;
      for (let page = 0; page < 10; page++) {
        const r = await twin.s3.send(new ListObjectsCommand({ Bucket: 'other-bucket', Prefix: 'calls/', MaxKeys: 2, Marker }));
        paged.push(...(r.Contents ?? []).map((o) => o.Key!));
        if (!r.IsTruncated) break;
        Marker = r.NextMarker ?? r.Contents![r.Contents!.length - 1].Key;
      }
      expect(paged.sort()).toEqual([...keys].sort());
    });

    it('refuses a key over 1,024 bytes as S3 does: KeyTooLongError (400)', async () => {
      const err = await twin.s3
        .send(new PutObjectCommand({ Bucket: 'other-bucket', Key: `calls/${'k'.repeat(1019)}`, Body: 'x' }))
        .catch((e: unknown) => e);
      expect(err).toMatchObject({ name: 'KeyTooLongError', $metadata: { httpStatusCode: 400 } });
      // 1,024 bytes of two-byte characters is 512 characters: the limit is on bytes.
      const utf8 = await twin.s3
        .send(new PutObjectCommand({ Bucket: 'other-bucket', Key: `c/${'é'.repeat(512)}`, Body: 'x' }))
        .catch((e: unknown) => e);
      expect(utf8).toMatchObject({ name: 'KeyTooLongError' });
      await twin.s3.send(new PutObjectCommand({ Bucket: 'other-bucket', Key: `c/${'é'.repeat(511)}`, Body: 'x' }));
    });
  });

  it('keeps objects across a restart on the same data folder', async () => {
    const dataDir = `${twin.dataDir}-restart`;
    const first = await startS3Server({ dataDir, buckets: ['keep'] });
    const c1 = makeS3Client(first.endpoint);
    await c1.send(new PutObjectCommand({ Bucket: 'keep', Key: 'k', Body: 'v' }));
    c1.destroy();
    await first.close();
    const second = await startS3Server({ dataDir, buckets: ['keep'] });
    const c2 = makeS3Client(second.endpoint);
    const head = await c2.send(new HeadObjectCommand({ Bucket: 'keep', Key: 'k' }));
    expect(head.ContentLength).toBe(1);
    c2.destroy();
    await second.close();
    expect(existsSync(dataDir)).toBe(true);
    rmSync(dataDir, { recursive: true, force: true });
  });
});
