/**
 * The hand-off mailbox's protocol (lambdas/recording/mailbox.ts): whichever side writes a slot first, the other
 * finds it, and nothing is lost when both write at the same moment (conditional writes).
 */
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { SendTaskSuccessCommand } from '@aws-sdk/client-sfn';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { Mailbox } from '../../lambdas/recording/mailbox';
import { TaskCallbacks } from '../../lambdas/recording/task-callbacks';
import { awsError, capturingLogger, mockedMailboxS3, mockedSfn } from './helpers';

const LOCATION = { bucket: 'mb', prefix: 'mailbox' };
const KEY = 'mb/mailbox/tx-1/StartRecording.json';

function setup() {
  const { s3, s3Mock, objects } = mockedMailboxS3();
  const { sfn, sfnMock } = mockedSfn();
  const { logger, lines } = capturingLogger();
  const metrics = new Metrics({ namespace: 'T', serviceName: 't', logger });
  const mailbox = new Mailbox(s3, LOCATION, new TaskCallbacks(sfn, logger, metrics), logger, metrics);
  return { mailbox, s3Mock, objects, sfnMock, lines };
}

describe('Mailbox.deliver', () => {
  it('completes the token the workflow left, and empties the slot', async () => {
    const t = setup();
    t.objects.set(KEY, JSON.stringify({ taskToken: 'tok' }));
    expect(await t.mailbox.deliver('tx-1', 'StartRecording', { ok: { a: 1 } })).toBe('sent');
    expect(t.sfnMock.commandCalls(SendTaskSuccessCommand)[0].args[0].input).toEqual({ taskToken: 'tok', output: '{"a":1}' });
    expect(t.objects.has(KEY)).toBe(false);
  });

  it('leaves the outcome in an empty slot for the workflow (a conditional write)', async () => {
    const t = setup();
    expect(await t.mailbox.deliver('tx-1', 'StartRecording', { error: 'SystemException', cause: 'boom' })).toBe('mailed');
    expect(JSON.parse(t.objects.get(KEY)!)).toEqual({ error: 'SystemException', cause: 'boom' });
  });

  it('the workflow writes its token between the read and the write: the 412 sends the Lambda back for the token', async () => {
    const t = setup();
    let reads = 0;
    t.s3Mock.on(GetObjectCommand).callsFake(() => {
      reads++;
      if (reads === 1) {
        // empty when read, and the workflow's token lands before the Lambda's write
        t.objects.set(KEY, JSON.stringify({ taskToken: 'late-token' }));
        throw Object.assign(new Error('no such key'), { name: 'NoSuchKey', $metadata: { httpStatusCode: 404 } });
      }
      const body = t.objects.get(KEY)!;
      return { Body: { transformToString: async () => body } };
    });
    expect(await t.mailbox.deliver('tx-1', 'StartRecording', { ok: { a: 1 } })).toBe('sent');
    expect(t.sfnMock.commandCalls(SendTaskSuccessCommand)[0].args[0].input.taskToken).toBe('late-token');
  });

  it('an outcome still unread in the slot is not overwritten (occupied)', async () => {
    const t = setup();
    t.objects.set(KEY, JSON.stringify({ outcome: { first: true } }));
    expect(await t.mailbox.deliver('tx-1', 'StartRecording', { ok: { second: true } })).toBe('occupied');
    expect(JSON.parse(t.objects.get(KEY)!)).toEqual({ outcome: { first: true } });
  });

  it('a slot S3 refuses to read is a failure, logged without the token, not taken for an empty slot', async () => {
    const t = setup();
    t.s3Mock.on(GetObjectCommand).rejects(Object.assign(awsError('AccessDenied', 'Access Denied'), { $metadata: { httpStatusCode: 403 } }));
    expect(await t.mailbox.deliver('tx-1', 'StartRecording', { ok: {} })).toBe('failed');
    expect(t.objects.has(KEY)).toBe(false);
    expect(t.lines.join('\n')).toMatch(/the slot could not be read/);
  });

  it('never logs the token it read', async () => {
    const t = setup();
    const token = `secret-${'x'.repeat(200)}`;
    t.objects.set(KEY, JSON.stringify({ taskToken: token }));
    t.sfnMock.on(SendTaskSuccessCommand).rejects(awsError('ServiceUnavailable', `token ${token} refused`));
    await t.mailbox.deliver('tx-1', 'StartRecording', { ok: {} });
    expect(t.lines.join('\n')).not.toContain('secret-');
  });
});
