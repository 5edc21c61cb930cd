/**
 * The S3 twin's store read and emptied in-process (S3Direct: the simulation's checks and clean-up), and the
 * per-request shortcuts of the S3 twin (a bucket found once is cached; the request logger is dropped): what the
 * SDK sees through HTTP and what the harness sees directly must agree.
 */
import {
  CreateBucketCommand,
  DeleteBucketCommand,
  GetObjectTaggingCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsCommand,
  PutObjectCommand,
  PutObjectTaggingCommand,
} from '@aws-sdk/client-s3';
import { startTwinS3, type Twin } from './helpers';

describe('S3Direct and the S3 twin shortcuts', () => {
  let twin: Twin;
  beforeAll(async () => {
    twin = await startTwinS3(['direct-bucket']);
  });
  afterAll(() => twin.close());

  const put = (Key: string, Body: string | Buffer) => twin.s3.send(new PutObjectCommand({ Bucket: 'direct-bucket', Key, Body }));
  const tag = (Key: string, tags: Record<string, string>) =>
    twin.s3.send(
      new PutObjectTaggingCommand({
        Bucket: 'direct-bucket',
        Key,
        Tagging: { TagSet: Object.entries(tags).map(([k, v]) => ({ Key: k, Value: v })) },
      }),
    );

  it('reads the body an SDK client wrote, and nothing for a missing key', async () => {
    const body = Buffer.from('{"schemaVersion":"1","outcome":"RECORDED"}');
    await put('calls/manifest.json', body);
    expect(await twin.s3Server.direct.getObject('direct-bucket', 'calls/manifest.json')).toEqual(body);
    expect(await twin.s3Server.direct.getObject('direct-bucket', 'calls/missing.json')).toBeUndefined();
  });

  it('reads tags as a map: one tag, several, none, and undefined for a missing key', async () => {
    await put('t/one.wav', 'a');
    await tag('t/one.wav', { 'recording-status': 'RECORDED' });
    await put('t/two.wav', 'b');
    await tag('t/two.wav', { 'recording-status': 'RECORDING_INVALID', reason: 'too short' });
    await put('t/none.wav', 'c');
    expect(await twin.s3Server.direct.getTags('direct-bucket', 't/one.wav')).toEqual({ 'recording-status': 'RECORDED' });
    expect(await twin.s3Server.direct.getTags('direct-bucket', 't/two.wav')).toEqual({
      'recording-status': 'RECORDING_INVALID',
      reason: 'too short',
    });
    const viaHttp = await twin.s3.send(new GetObjectTaggingCommand({ Bucket: 'direct-bucket', Key: 't/two.wav' }));
    expect(Object.fromEntries((viaHttp.TagSet ?? []).map((t) => [t.Key, t.Value]))).toEqual(
      await twin.s3Server.direct.getTags('direct-bucket', 't/two.wav'),
    );
    expect(await twin.s3Server.direct.getTags('direct-bucket', 't/none.wav')).toEqual({});
    expect(await twin.s3Server.direct.getTags('direct-bucket', 't/missing.wav')).toBeUndefined();
  });

  it('deletes objects with their tags (missing keys skipped): gone for HTTP readers too, and a new object under the key is untagged', async () => {
    await put('d/a.wav', 'a');
    await tag('d/a.wav', { 'recording-status': 'RECORDED' });
    await put('d/b.json', 'b');
    await twin.s3Server.direct.deleteObjects('direct-bucket', ['d/a.wav', 'd/b.json', 'd/never.wav']);
    const listed = await twin.s3.send(new ListObjectsCommand({ Bucket: 'direct-bucket', Prefix: 'd/' }));
    expect(listed.Contents ?? []).toEqual([]);
    await expect(twin.s3.send(new HeadObjectCommand({ Bucket: 'direct-bucket', Key: 'd/a.wav' }))).rejects.toMatchObject({
      name: 'NotFound',
    });
    await put('d/a.wav', 'again');
    expect(await twin.s3Server.direct.getTags('direct-bucket', 'd/a.wav')).toEqual({});
  });

  it('forgets a cached bucket when it is deleted, and finds it again once created', async () => {
    await twin.s3.send(new CreateBucketCommand({ Bucket: 'short-lived' }));
    await twin.s3.send(new HeadBucketCommand({ Bucket: 'short-lived' }));
    await twin.s3.send(new DeleteBucketCommand({ Bucket: 'short-lived' }));
    await expect(twin.s3.send(new HeadBucketCommand({ Bucket: 'short-lived' }))).rejects.toMatchObject({ name: 'NotFound' });
    await expect(twin.s3.send(new PutObjectCommand({ Bucket: 'short-lived', Key: 'k', Body: 'x' }))).rejects.toMatchObject({
      name: 'NoSuchBucket',
    });
    await twin.s3.send(new CreateBucketCommand({ Bucket: 'short-lived' }));
    await expect(twin.s3.send(new PutObjectCommand({ Bucket: 'short-lived', Key: 'k', Body: 'x' }))).resolves.toBeDefined();
  });
});
