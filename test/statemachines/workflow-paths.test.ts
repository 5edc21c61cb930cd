/**
 * Every path of the recording workflow, executed on the twin's interpreter with a scripted SMA/S3
 * (harness.ts). These pin the outcomes, the audit trail and the billed state transitions the README quotes.
 */
import { DEFAULT_SIM_EPOCH_MS } from '../../local/clock';
import { INPUT, RECORDING_LOCATION, goodHead, runWorkflow, summaryOf } from './harness';

const RECORDING_KEY = RECORDING_LOCATION.slice('rec-bucket/'.length);
const MANIFEST_KEY = RECORDING_KEY.replace(/\.wav$/, '.manifest.json');

describe('happy path', () => {
  it('records, notifies, verifies, tags and writes the manifest beside the recording in 14 transitions', async () => {
    const run = await runWorkflow({});
    expect(run.info.status).toBe('SUCCEEDED');
    const out = summaryOf(run.info);
    expect(out.outcome).toBe('RECORDED');
    expect(out.recordingKey).toBe(RECORDING_KEY);
    expect(out.manifestKey).toBe(MANIFEST_KEY);
    expect(out.startAttempts).toEqual([expect.objectContaining({ attempt: 1, result: 'STARTED' })]);
    expect(out.consentNotice).toEqual(expect.objectContaining({ status: 'DELIVERED', legs: ['LEG-A', 'LEG-B'], attempts: 1 }));
    expect(out.verification.passed).toBe(true);
    expect(out.verification.checks.map((c: any) => c.check)).toEqual([
      'has-audio',
      'format',
      'transaction-id',
      'call-id',
      'recording-duration',
    ]);
    expect(run.statesEntered).toEqual([
      'ValidateInput',
      'CheckInput',
      'StartRecording',
      'NoticeFollows',
      'NotifyConsent',
      'CallerDeclined',
      'WaitForCallEnd',
      'ControlRequested',
      'VerifyRecording',
      'OptedOutRecording',
      'MarkComplete',
      'WriteAuditManifest',
      'RouteOutcome',
      'RECORDED',
    ]);
    expect(run.info.stateTransitions).toBe(14);

    const manifest = run.manifests.get(`rec-bucket/${MANIFEST_KEY}`);
    expect(manifest).toEqual(
      expect.objectContaining({
        outcome: 'RECORDED',
        track: 'BOTH',
        recording: expect.objectContaining({ bucket: 'rec-bucket', key: RECORDING_KEY }),
      }),
    );
    expect(manifest.consentNotice.completedAt).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(manifest.legs).toHaveLength(1);
    // Object Lock buckets refuse a PutObject without an integrity checksum.
    expect(run.requests.find((r) => r.action === 'putObject' && (r.args as any).Bucket === 'rec-bucket')!.args).toEqual(
      expect.objectContaining({ ContentType: 'application/json', ChecksumAlgorithm: 'SHA256' }),
    );
    expect(run.tagging[0]).toEqual({
      Bucket: 'rec-bucket',
      Key: RECORDING_KEY,
      Tagging: {
        TagSet: [
          { Key: 'recording-status', Value: 'RECORDED' },
          { Key: 'consent-notice', Value: 'DELIVERED' },
          { Key: 'start-attempts', Value: '1' },
        ],
      },
    });
  });

  it('sends the SMA the commands of the contract, with the token and the attempt number', async () => {
    const run = await runWorkflow({});
    const updates = run.requests.filter((r) => r.service === 'chimesdkvoice').map((r) => r.args as any);
    // The call end comes through the mailbox (issue 21); a Lambda that did not play the notice gets asked by update.
    expect(updates.map((u) => u.Arguments.command)).toEqual(['StartRecording', 'NotifyConsent']);
    expect(updates[0]).toEqual({
      SipMediaApplicationId: 'sma-1',
      TransactionId: 'tx-1',
      Arguments: {
        command: 'StartRecording',
        taskToken: expect.any(String),
        callId: 'call-a',
        track: 'BOTH',
        location: 'rec-bucket/support',
        attempt: '1',
        // the notice, for the Lambda to play right after the start (noticeFollows)
        text: expect.stringMatching(/recorded/),
      },
    });
    expect(new Set(updates.map((u) => u.Arguments.taskToken)).size).toBe(2);
    expect(updates[1].Arguments.text).toMatch(/recorded/);
  });

  it('uses the consent text of the input when given', async () => {
    const run = await runWorkflow({}, { ...INPUT, consentText: 'Esta llamada se graba.' });
    const notice = run.requests.find((r) => (r.args as any).Arguments?.command === 'NotifyConsent');
    expect((notice!.args as any).Arguments.text).toBe('Esta llamada se graba.');
  });
});

describe('StartRecording retries (audited explicit loop)', () => {
  it('retries SystemException and records every attempt with its error: 20 transitions with two retries', async () => {
    const run = await runWorkflow({
      start: [{ error: 'SystemException', cause: 'boom 1' }, { error: 'SystemException', cause: 'boom 2' }, 'ok'],
    });
    const out = summaryOf(run.info);
    expect(out.outcome).toBe('RECORDED');
    expect(out.startAttempts.map((a: any) => [a.attempt, a.result, a.error ?? null, a.cause ?? null])).toEqual([
      [1, 'FAILED', 'SystemException', 'boom 1'],
      [2, 'FAILED', 'SystemException', 'boom 2'],
      [3, 'STARTED', null, null],
    ]);
    for (const a of out.startAttempts) expect(Date.parse(a.endedAt)).toBeGreaterThanOrEqual(Date.parse(a.startedAt));
    expect(run.info.stateTransitions).toBe(20);
    const attemptsSent = run.requests
      .filter((r) => (r.args as any).Arguments?.command === 'StartRecording')
      .map((r) => (r.args as any).Arguments.attempt);
    expect(attemptsSent).toEqual(['1', '2', '3']);
    expect(run.tagging[0].Tagging.TagSet).toContainEqual({ Key: 'start-attempts', Value: '3' });
  });

  it('waits a jittered backoff no longer than the cap before each retry', async () => {
    // A slow clock (x20) so that timer lateness on a busy machine stays well under the 3 s slack allowed.
    const run = await runWorkflow(
      { start: [{ error: 'SystemException' }, { error: 'SystemException' }, { error: 'SystemException' }, 'ok'] },
      INPUT,
      { StartIntervalSeconds: 4, StartBackoffRate: 2, StartMaxDelaySeconds: 10 },
      20,
    );
    const entered = run.info.history.filter((e) => e.type === 'WaitStateEntered').map((e) => e.timestamp);
    const exited = run.info.history.filter((e) => e.type === 'WaitStateExited').map((e) => e.timestamp);
    expect(entered).toHaveLength(3);
    // caps: min(10, 4*2^0)=4, min(10, 4*2^1)=8, min(10, 4*2^2)=10 virtual seconds; full jitter waits at least 1 s
    [4, 8, 10].forEach((cap, i) => {
      const waited = (exited[i] - entered[i]) / 1000;
      expect(waited).toBeGreaterThanOrEqual(1);
      expect(waited).toBeLessThanOrEqual(cap + 3);
    });
  });

  it('gives up after StartMaxAttempts with START_FAILED and all attempts audited', async () => {
    const run = await runWorkflow({ start: [{ error: 'SystemException' }] });
    expect(run.info.status).toBe('FAILED');
    expect(run.info.error).toBe('START_FAILED');
    const out = summaryOf(run.info);
    expect(out.startAttempts).toHaveLength(4);
    expect(out.startAttempts.every((a: any) => a.error === 'SystemException')).toBe(true);
    expect(run.info.stateTransitions).toBe(16);
    expect(
      run.manifests.get(
        'rec-bucket/support/manifests/' +
          new Date(DEFAULT_SIM_EPOCH_MS).toISOString().slice(0, 10).replace(/-/g, '/') +
          '/tx-1_call-a.manifest.json',
      )?.outcome,
    ).toBe('START_FAILED');
  });

  it.each([['InvalidActionParameter'], ['NoAccessToDestination'], ['InvalidLambdaResponse']])('does not retry %s', async (error) => {
    const run = await runWorkflow({ start: [{ error, cause: 'refused' }] });
    expect(run.info.error).toBe('START_FAILED');
    expect(summaryOf(run.info).startAttempts).toEqual([expect.objectContaining({ attempt: 1, error, cause: 'refused' })]);
    expect(run.statesEntered).not.toContain('WaitBeforeStartRetry');
    expect(run.info.stateTransitions).toBe(6);
  });

  it('retries an attempt that got no callback (States.Timeout), then gives up', async () => {
    const run = await runWorkflow({ start: ['never'] }, INPUT, { StartAttemptTimeoutSeconds: 5, StartMaxAttempts: 2 });
    expect(run.info.error).toBe('START_FAILED');
    expect(summaryOf(run.info).startAttempts.map((a: any) => a.error)).toEqual(['States.Timeout', 'States.Timeout']);
  });

  it.each([
    ['ChimeSdkVoice.ThrottledClientException'],
    ['ChimeSdkVoice.ServiceUnavailableException'],
    ['ChimeSdkVoice.SdkClientException'],
  ])('retries the update API failing with %s', async (error) => {
    const run = await runWorkflow({ start: [{ error }, 'ok'] });
    expect(summaryOf(run.info).outcome).toBe('RECORDED');
  });
});

describe('calls that end early', () => {
  it('NOT_RECORDED when the call is already over (NotFoundException from the update API)', async () => {
    const run = await runWorkflow({ updateError: { StartRecording: 'ChimeSdkVoice.NotFoundException' } });
    expect(run.info.status).toBe('SUCCEEDED');
    const out = summaryOf(run.info);
    expect(out.outcome).toBe('NOT_RECORDED');
    expect(out.startAttempts).toEqual([expect.objectContaining({ result: 'CALL_ENDED', error: 'ChimeSdkVoice.NotFoundException' })]);
    expect(out.manifestKey).toMatch(/^support\/manifests\/\d{4}\/\d\d\/\d\d\/tx-1_call-a\.manifest\.json$/);
    expect(run.info.stateTransitions).toBe(6);
  });

  it('NOT_RECORDED when the caller hangs up while the start is pending (CallEnded)', async () => {
    const run = await runWorkflow({ start: [{ error: 'CallEnded', cause: 'LEG-A hung up' }] });
    expect(summaryOf(run.info).outcome).toBe('NOT_RECORDED');
  });

  it('a hangup during the notice goes straight to verification, notice NOT_DELIVERED', async () => {
    const run = await runWorkflow({ consent: [{ error: 'CallEnded' }], head: [goodHead(3)] });
    const out = summaryOf(run.info);
    expect(out.outcome).toBe('RECORDED');
    expect(out.consentNotice).toEqual(expect.objectContaining({ status: 'NOT_DELIVERED', error: 'CallEnded' }));
    expect(run.statesEntered).not.toContain('WaitForCallEnd');
  });

  it('a call over before WaitForCallEnd registers goes to verification', async () => {
    const run = await runWorkflow({ updateError: { WaitForCallEnd: 'ChimeSdkVoice.NotFoundException' }, head: [goodHead(3)] });
    expect(summaryOf(run.info).outcome).toBe('RECORDED');
    expect(run.statesEntered).toContain('VerifyRecording');
  });

  it('a lost HANGUP callback times out into verification, not a hung execution', async () => {
    const run = await runWorkflow({ callEnd: 'never', callSeconds: 10 }, INPUT, { CallEndTimeoutSeconds: 20 });
    const out = summaryOf(run.info);
    expect(out.outcome).toBe('RECORDED');
  });
});

describe('consent notice', () => {
  it('retries a transient failure of the notice', async () => {
    const run = await runWorkflow({ consent: [{ error: 'SystemException' }, 'ok'] });
    expect(summaryOf(run.info).consentNotice).toEqual(expect.objectContaining({ status: 'DELIVERED', attempts: 2 }));
  });

  it('a notice that cannot be delivered is recorded as FAILED, counted by ConsentNotDelivered, and recording goes on', async () => {
    const run = await runWorkflow({ consent: [{ error: 'AccessDenied', cause: 'polly' }] });
    const out = summaryOf(run.info);
    expect(out.outcome).toBe('RECORDED');
    expect(out.consentNotice).toEqual(expect.objectContaining({ status: 'FAILED', error: 'AccessDenied', cause: 'polly' }));
    expect(run.statesEntered).toContain('ConsentNotDelivered');
    expect(run.tagging[0].Tagging.TagSet).toContainEqual({ Key: 'consent-notice', Value: 'FAILED' });
  });
});

describe('verification', () => {
  it('polls until the object lands', async () => {
    const run = await runWorkflow({ head: ['missing', 'missing', 'missing', goodHead(60)] });
    const out = summaryOf(run.info);
    expect(out.outcome).toBe('RECORDED');
    expect(out.verification.polls).toBe(4);
    expect(run.info.stateTransitions).toBe(17);
  });

  it('retries a connection failure to S3 (S3.SdkClientException) on its own budget', async () => {
    let calls = 0;
    const run = await runWorkflow({ head: [] }, INPUT, {}, 200, (req) =>
      req.action === 'headObject' && ++calls <= 2 ? { error: 'S3.SdkClientException', cause: 'read ECONNRESET' } : undefined,
    );
    expect(summaryOf(run.info).outcome).toBe('RECORDED');
    expect(calls).toBe(3);
  });

  it('RECORDING_MISSING when the object never lands before the retries run out', async () => {
    const run = await runWorkflow({ head: ['missing'] }, INPUT, { VerifyMaxRetries: 3 });
    expect(run.info.error).toBe('RECORDING_MISSING');
    expect(run.info.stateTransitions).toBe(13 + 3); // 23 with the default 10 polls
    const out = summaryOf(run.info);
    expect(out.verification).toEqual(expect.objectContaining({ landed: false, error: 'S3.NoSuchKeyException', polls: 4 }));
    expect(run.manifests.get(`rec-bucket/${MANIFEST_KEY}`)?.outcome).toBe('RECORDING_MISSING');
    expect(run.tagging).toHaveLength(0);
  });

  it.each([
    ['call-id', { Metadata: { 'call-id': 'other' } }],
    ['transaction-id', { Metadata: { 'transaction-id': 'other' } }],
    ['has-audio', { ContentLength: 44 }],
    ['format', { ContentType: 'audio/mpeg', Metadata: { 'recording-audio-file-format': 'audio/mpeg' } }],
    ['recording-duration', { Metadata: { 'recording-duration': '5000' } }],
    ['recording-duration', { Metadata: { 'recording-duration': '0' } }],
  ])('RECORDING_INVALID when the %s check fails', async (check, overrides) => {
    const run = await runWorkflow({ head: [goodHead(60, overrides as any)] });
    expect(run.info.error).toBe('RECORDING_INVALID');
    const out = summaryOf(run.info);
    expect(out.verification.checks.filter((c: any) => !c.passed).map((c: any) => c.check)).toEqual([check]);
    expect(run.tagging[0].Tagging.TagSet[0]).toEqual({ Key: 'recording-status', Value: 'RECORDING_INVALID' });
  });

  it('a recording much shorter than the call is invalid (lower bound from the measured call end)', async () => {
    const run = await runWorkflow({ callSeconds: 300, head: [goodHead(100)] });
    expect(run.info.error).toBe('RECORDING_INVALID');
  });

  it('keeps the checksum S3 reports', async () => {
    const run = await runWorkflow({ head: [goodHead(60, { ChecksumCRC64NVME: 'abc=' })] });
    expect(summaryOf(run.info).verification.checksum).toEqual({ algorithm: 'CRC64NVME', value: 'abc=' });
  });
});

describe('marking', () => {
  it('a tagging failure does not change the outcome; the manifest says so', async () => {
    const run = await runWorkflow({ tagging: { error: 'S3.AccessDeniedException' } });
    expect(summaryOf(run.info).outcome).toBe('RECORDED');
    expect(run.manifests.get(`rec-bucket/${MANIFEST_KEY}`)?.tagging).toEqual(
      expect.objectContaining({ status: 'FAILED', error: 'S3.AccessDeniedException' }),
    );
  });

  it('a manifest that cannot be written is reported in the outcome summary', async () => {
    const run = await runWorkflow({ manifest: { error: 'S3.AccessDeniedException' } });
    const out = summaryOf(run.info);
    expect(out.outcome).toBe('RECORDED');
    expect(out.manifestKey).toBeNull();
    expect(out.manifestError).toEqual(expect.objectContaining({ error: 'S3.AccessDeniedException' }));
  });
});
