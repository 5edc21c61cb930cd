/** AwsSdkInvoker against a tiny loopback HTTP stub: command mapping, output shaping, error naming. */
import { AwsSdkInvoker } from '../../../local/stepfunctions/aws-sdk-invoker';
import { TaskFailedError } from '../../../local/stepfunctions/errors';
import { makeEngine, jsonata, run } from './helpers';
import { stub } from './http-stub';

const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };
const signal = () => new AbortController().signal;

async function failure(p: Promise<unknown>): Promise<TaskFailedError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(TaskFailedError);
    return e as TaskFailedError;
  }
  throw new Error('expected a TaskFailedError');
}

describe('AwsSdkInvoker', () => {
  it('s3 headObject: 404 -> S3.NoSuchKeyException; 200 -> SDK output without $metadata, Dates as ISO strings', async () => {
    const s3 = await stub((req, res) => {
      if (req.url.includes('missing')) {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, {
        'content-length': '1000',
        'content-type': 'audio/wav',
        etag: '"abc"',
        'last-modified': 'Tue, 25 Nov 2025 10:00:00 GMT',
        'x-amz-meta-transaction-id': 'tx-1',
        'x-amz-meta-recording-duration': '60',
      });
      res.end();
    });
    try {
      const invoker = new AwsSdkInvoker({ endpoints: { s3: s3.endpoint }, region: 'us-east-1', credentials });
      const e = await failure(
        invoker.invoke({ service: 's3', action: 'headObject', args: { Bucket: 'rec', Key: 'missing.wav' }, signal: signal() }),
      );
      expect(e.error).toBe('S3.NoSuchKeyException');
      expect(s3.seen[0]).toMatchObject({ method: 'HEAD', url: '/rec/missing.wav' }); // path-style

      const out = await invoker.invoke({ service: 's3', action: 'headObject', args: { Bucket: 'rec', Key: 'a.wav' }, signal: signal() });
      expect(out).toEqual({
        ContentLength: 1000,
        ContentType: 'audio/wav',
        ETag: '"abc"',
        LastModified: '2025-11-25T10:00:00.000Z',
        Metadata: { 'transaction-id': 'tx-1', 'recording-duration': '60' },
      });
      expect(out).not.toHaveProperty('$metadata');
    } finally {
      await s3.close();
    }
  });

  it('s3 putObject sends a string Body; getObject returns the body as a string; XML errors get an Exception suffix', async () => {
    const s3 = await stub((req, res) => {
      if (req.method === 'PUT') return void res.writeHead(200, { etag: '"put"' }).end();
      if (req.url.includes('secret')) {
        res.writeHead(403, { 'content-type': 'application/xml' });
        return void res.end(
          '<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>',
        );
      }
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '11' }).end('{"a":"bcd"}');
    });
    try {
      const invoker = new AwsSdkInvoker({ endpoints: { s3: s3.endpoint }, credentials });
      const put = await invoker.invoke({
        service: 's3',
        action: 'putObject',
        args: { Bucket: 'rec', Key: 'm.json', Body: '{"manifest":1}', ContentType: 'application/json' },
        signal: signal(),
      });
      expect(put).toMatchObject({ ETag: '"put"' });
      expect(s3.seen[0].method).toBe('PUT');
      expect(s3.seen[0].body).toContain('{"manifest":1}');

      const got = await invoker.invoke({ service: 's3', action: 'getObject', args: { Bucket: 'rec', Key: 'm.json' }, signal: signal() });
      expect(got).toMatchObject({ Body: '{"a":"bcd"}', ContentType: 'application/json' });

      const e = await failure(
        invoker.invoke({ service: 's3', action: 'getObject', args: { Bucket: 'rec', Key: 'secret' }, signal: signal() }),
      );
      expect(e.error).toBe('S3.AccessDeniedException');
      // AWS appends the service's response details to its message (Java SDK format)
      expect(e.cause).toMatch(/^Access Denied \(Service: S3, Status Code: 403, Request ID: [^,)]+(, Extended Request ID: [^)]+)?\)$/);
    } finally {
      await s3.close();
    }
  });

  it('chimesdkvoice updateSipMediaApplicationCall: 202 output, NotFoundException -> ChimeSdkVoice.NotFoundException', async () => {
    const chime = await stub((req, res) => {
      if (req.url.includes('/calls/gone')) {
        res.writeHead(404, { 'content-type': 'application/json', 'x-amzn-errortype': 'NotFoundException' });
        return void res.end('{"Code":"NotFound","Message":"The call is no longer active"}');
      }
      res.writeHead(202, { 'content-type': 'application/json' }).end('{"SipMediaApplicationCall":{"TransactionId":"tx-1"}}');
    });
    try {
      const invoker = new AwsSdkInvoker({ endpoints: { chimesdkvoice: chime.endpoint }, credentials });
      const args = { SipMediaApplicationId: 'sma-1', TransactionId: 'tx-1', Arguments: { command: 'StartRecording' } };
      const out = await invoker.invoke({ service: 'chimesdkvoice', action: 'updateSipMediaApplicationCall', args, signal: signal() });
      expect(out).toEqual({ SipMediaApplicationCall: { TransactionId: 'tx-1' } });
      expect(chime.seen[0]).toMatchObject({ method: 'POST', url: '/sip-media-applications/sma-1/calls/tx-1' });
      expect(JSON.parse(chime.seen[0].body)).toEqual({ Arguments: { command: 'StartRecording' } });

      const e = await failure(
        invoker.invoke({
          service: 'chimesdkvoice',
          action: 'updateSipMediaApplicationCall',
          args: { ...args, TransactionId: 'gone' },
          signal: signal(),
        }),
      );
      expect(e).toMatchObject({ error: 'ChimeSdkVoice.NotFoundException' });
      expect(e.cause).toMatch(/^The call is no longer active \(Service: ChimeSdkVoice, Status Code: 404, Request ID: [^,)]+\)$/);
    } finally {
      await chime.close();
    }
  });

  it('no HTTP response -> <Prefix>.SdkClientException; unknown service or action -> States.Runtime', async () => {
    const closed = await stub(() => undefined);
    await closed.close(); // nothing listens on this port any more
    const invoker = new AwsSdkInvoker({ endpoints: { s3: closed.endpoint }, credentials });
    const e = await failure(invoker.invoke({ service: 's3', action: 'headObject', args: { Bucket: 'b', Key: 'k' }, signal: signal() }));
    expect(e.error).toBe('S3.SdkClientException');
    expect(e.cause).not.toMatch(/\(Service: /); // no service response, so no service details
    expect((await failure(invoker.invoke({ service: 'dynamodb', action: 'getItem', args: {}, signal: signal() }))).error).toBe(
      'States.Runtime',
    );
    const noAction = await failure(invoker.invoke({ service: 's3', action: 'frobnicate', args: {}, signal: signal() }));
    expect(noAction).toMatchObject({ error: 'States.Runtime', cause: expect.stringMatching(/no action "frobnicate"/) });
  });

  it('end to end: a workflow polls HeadObject and catches S3.NoSuchKeyException', async () => {
    let polls = 0;
    const s3 = await stub((_req, res) => {
      polls++;
      if (polls < 3) return void res.writeHead(404).end();
      res.writeHead(200, { 'content-length': '44', 'content-type': 'audio/wav' }).end();
    });
    try {
      const { engine } = makeEngine({ invoker: new AwsSdkInvoker({ endpoints: { s3: s3.endpoint }, credentials }) });
      const info = await run(
        engine,
        jsonata('Head', {
          Head: {
            Type: 'Task',
            Resource: 'arn:aws:states:::aws-sdk:s3:headObject',
            Arguments: { Bucket: 'rec', Key: '{% $states.input.key %}' },
            Retry: [{ ErrorEquals: ['S3.NoSuchKeyException'], IntervalSeconds: 5, MaxAttempts: 5 }],
            Output: { size: '{% $states.result.ContentLength %}' },
            End: true,
          },
        }),
        { key: 'rec.wav' },
      );
      expect(info).toMatchObject({ status: 'SUCCEEDED', output: { size: 44 } });
      expect(info.history.filter((e) => e.type === 'TaskFailed').map((e) => (e.taskFailedEventDetails as { error: string }).error)).toEqual(
        ['S3.NoSuchKeyException', 'S3.NoSuchKeyException'],
      );
    } finally {
      await s3.close();
    }
  });
});
