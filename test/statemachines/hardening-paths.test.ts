/**
 * Issue 13, the workflow half, on the real ASL with a scripted SMA/S3 (harness.ts): WaitForCallEnd (over the
 * hand-off mailbox since issue 21) survives transient errors and what the Lambda had first, a late-started recording is RECORDED with every attempt audited, a read S3
 * refuses is RECORDING_UNVERIFIED at once, and metadata of undocumented format is parsed leniently.
 */
import { OUTCOMES } from '../../statemachines/definition';
import { INPUT, RECORDING_LOCATION, goodHead, runWorkflow, summaryOf } from './harness';

const RECORDING_KEY = RECORDING_LOCATION.slice('rec-bucket/'.length);
const MANIFEST_KEY = RECORDING_KEY.replace(/\.wav$/, '.manifest.json');
const waitWrites = (run: Awaited<ReturnType<typeof runWorkflow>>) => run.mailbox.filter((w) => w.slot === 'WaitForCallEnd');

describe('WaitForCallEnd takes the call end through the hand-off mailbox (issue 21)', () => {
  it('spends no update: one token in the slot, completed by the HANGUP however long the call', async () => {
    const run = await runWorkflow({ callSeconds: 5000, head: [goodHead(5000)] }, INPUT, { DurationToleranceSeconds: 3600 });
    expect(summaryOf(run.info).outcome).toBe('RECORDED');
    expect(waitWrites(run)).toHaveLength(1);
    expect(waitWrites(run)[0].body).toEqual({ taskToken: expect.any(String) });
    expect(run.requests.filter((r) => (r.args as any).Arguments?.command === 'WaitForCallEnd')).toHaveLength(0);
    expect(run.manifests.get(`rec-bucket/${MANIFEST_KEY}`).callEnd).toEqual(expect.objectContaining({ sipResponseCode: '0' }));
  });

  it('a call that ended before the workflow waited: the end the Lambda left in the slot is read at once (412), the slot emptied', async () => {
    const run = await runWorkflow({ mailed: { WaitForCallEnd: { outcome: { sipResponseCode: '486', participantTag: 'LEG-B' } } } });
    const out = summaryOf(run.info);
    expect(out.outcome).toBe('RECORDED');
    expect(run.statesEntered).toEqual(
      expect.arrayContaining(['CallEventMailed', 'TakeMailedCallEvent', 'ClearCallEventSlot', 'CallEventBeforeWait']),
    );
    expect(run.manifests.get(`rec-bucket/${MANIFEST_KEY}`).callEnd).toEqual(
      expect.objectContaining({ sipResponseCode: '486', participantTag: 'LEG-B', mailed: true }),
    );
    expect(
      run.requests.filter((r) => r.action === 'deleteObject' && (r.args as any).Key === 'mailbox/tx-1/WaitForCallEnd.json'),
    ).toHaveLength(1);
  });

  it('a control requested while the workflow was busy is applied, then the workflow waits in the same slot again', async () => {
    const run = await runWorkflow({
      mailed: { WaitForCallEnd: { outcome: { control: { action: 'PAUSE', requestedBy: 'agent-7', requestId: 'r-1', via: 'api' } } } },
      callSeconds: 60,
    });
    expect(summaryOf(run.info).outcome).toBe('RECORDED');
    expect(waitWrites(run)).toHaveLength(2);
    expect(run.manifests.get(`rec-bucket/${MANIFEST_KEY}`).controls).toEqual([
      expect.objectContaining({ action: 'PAUSE', result: 'APPLIED', requestId: 'r-1' }),
    ]);
  });

  it('a mailbox write S3 refuses with another error (not 412) goes to verification with the error named, not to a wait', async () => {
    const run = await runWorkflow({}, INPUT, {}, 200, (req) =>
      req.action === 'putObject' && (req.args as any).Key === 'mailbox/tx-1/WaitForCallEnd.json'
        ? { error: 'S3.S3Exception', cause: 'Access Denied (Service: S3, Status Code: 403, Request ID: R)' }
        : undefined,
    );
    expect(run.statesEntered).toEqual(expect.arrayContaining(['CallEventMailed', 'CallEndUnknown']));
    expect(run.manifests.get(`rec-bucket/${MANIFEST_KEY}`).callEnd).toEqual(expect.objectContaining({ error: 'S3.S3Exception' }));
  });
});

describe('WaitForCallEnd retries transient mailbox errors', () => {
  it('two connection failures of the slot write, then it succeeds: RECORDED, verified after the call ends', async () => {
    let failures = 0;
    const run = await runWorkflow({ callSeconds: 900, head: [goodHead(900)] }, INPUT, { DurationToleranceSeconds: 3600 }, 2000, (req) =>
      req.action === 'putObject' && (req.args as any).Key === 'mailbox/tx-1/WaitForCallEnd.json' && failures++ < 2
        ? { error: 'S3.SdkClientException', cause: 'connection reset' }
        : undefined,
    );
    const out = summaryOf(run.info);
    expect(out.outcome).toBe('RECORDED');
    expect(run.requests.filter((r) => r.action === 'putObject' && (r.args as any).Key === 'mailbox/tx-1/WaitForCallEnd.json')).toHaveLength(
      3,
    );
    // the call's end (the HANGUP callback), not the error, led to verification
    expect(run.manifests.get(`rec-bucket/${MANIFEST_KEY}`).callEnd).toEqual(
      expect.objectContaining({ sipResponseCode: '0', participantTag: 'LEG-A' }),
    );
    expect(out.verification.polls).toBe(1);
  });
});

describe('late start / lost success callback', () => {
  it('attempt 1 times out, attempt 2 is answered with the recording attempt 1 started: RECORDED, both attempts audited', async () => {
    // The recording began when attempt 1 was sent, 300 s before attempt 2 confirmed it: its duration is the
    // call plus those 300 s, which must not fail the duration check.
    const run = await runWorkflow({ start: ['never', { ok: { alreadyStarted: true } }], callSeconds: 60, head: [goodHead(360)] }, INPUT, {
      StartAttemptTimeoutSeconds: 300,
      DurationToleranceSeconds: 30,
    });
    const out = summaryOf(run.info);
    expect(out.outcome).toBe('RECORDED');
    expect(out.startAttempts.map((a: any) => [a.attempt, a.result, a.error ?? null, a.alreadyStarted ?? null])).toEqual([
      [1, 'FAILED', 'States.Timeout', null],
      [2, 'STARTED', null, true],
    ]);
    expect(out.verification.checks.find((c: any) => c.check === 'recording-duration')).toEqual(
      expect.objectContaining({ passed: true, seconds: 360 }),
    );
    expect(run.tagging[0].Tagging.TagSet).toContainEqual({ Key: 'start-attempts', Value: '2' });
  });

  it('without a timed-out attempt the window stays tight: a recording 300 s longer than the call is invalid', async () => {
    const run = await runWorkflow({ callSeconds: 60, head: [goodHead(360)] }, INPUT, { DurationToleranceSeconds: 30 });
    expect(run.info.error).toBe('RECORDING_INVALID');
  });
});

describe('a read S3 refuses: RECORDING_UNVERIFIED, promptly', () => {
  it('HeadObject 403 (S3.S3Exception, no body): three reads, not the 10-poll deadline; manifest and cause name the access problem', async () => {
    const run = await runWorkflow({ head: ['forbidden'] });
    expect(run.info.status).toBe('FAILED');
    expect(run.info.error).toBe('RECORDING_UNVERIFIED');
    expect(run.requests.filter((r) => r.action === 'headObject')).toHaveLength(3);
    const out = summaryOf(run.info);
    expect(out.outcome).toBe('RECORDING_UNVERIFIED');
    expect(out.verification).toEqual(
      expect.objectContaining({
        readable: false,
        error: 'S3.S3Exception',
        cause: expect.stringContaining('Status Code: 403'),
        accessProblem: expect.stringMatching(/refused to read.*Object Ownership.*kms:Decrypt/),
      }),
    );
    const manifest = run.manifests.get(`rec-bucket/${MANIFEST_KEY}`);
    expect(manifest.outcome).toBe('RECORDING_UNVERIFIED');
    expect(manifest.verification.accessProblem).toMatch(/S3 refused to read the recording/);
    expect(run.tagging).toHaveLength(0);
    expect(run.statesEntered.slice(-3)).toEqual(['WriteAuditManifest', 'RouteOutcome', 'RECORDING_UNVERIFIED']);
    expect(run.info.stateTransitions).toBe(15); // the README's transition table
  });

  it.each([['S3.AccessDeniedException'], ['S3.ForbiddenException']])('%s: one read, no retry', async (error) => {
    const run = await runWorkflow({ head: [{ error, cause: 'Access Denied' }] });
    expect(run.info.error).toBe('RECORDING_UNVERIFIED');
    expect(run.requests.filter((r) => r.action === 'headObject')).toHaveLength(1);
  });

  it('a bodiless 5xx once (S3.S3Exception) is absorbed: RECORDED', async () => {
    const run = await runWorkflow({ head: [{ error: 'S3.S3Exception', cause: 'Status Code: 503' }, goodHead(60)] });
    expect(summaryOf(run.info).outcome).toBe('RECORDED');
  });

  it('the manifest that cannot be written either is reported in the cause', async () => {
    const run = await runWorkflow({ head: ['forbidden'], manifest: { error: 'S3.AccessDeniedException' } });
    const out = summaryOf(run.info);
    expect(out.outcome).toBe('RECORDING_UNVERIFIED');
    expect(out.manifestError).toEqual(expect.objectContaining({ error: 'S3.AccessDeniedException' }));
  });

  it('is one of the named outcomes', () => {
    expect(OUTCOMES).toContain('RECORDING_UNVERIFIED');
  });
});

describe('metadata of undocumented format: parsed leniently, raw value kept; ids and size strict', () => {
  it.each([['60'], ['60.0'], ['60s'], ['60 seconds'], ['60000ms'], ['60000 ms'], ['00:01:00'], ['1:00'], ['PT1M'], ['PT60S'], [' 60 ']])(
    'recording-duration %j is 60 s',
    async (raw) => {
      const run = await runWorkflow({ head: [goodHead(60, { Metadata: { 'recording-duration': raw } })] });
      const out = summaryOf(run.info);
      expect(out.outcome).toBe('RECORDED');
      expect(out.verification.checks.find((c: any) => c.check === 'recording-duration')).toEqual(
        expect.objectContaining({ actual: raw, seconds: 60, judged: true, passed: true }),
      );
    },
  );

  it('an unrecognised duration is kept and not judged', async () => {
    const run = await runWorkflow({ head: [goodHead(60, { Metadata: { 'recording-duration': 'sixty' } })] });
    const check = summaryOf(run.info).verification.checks.find((c: any) => c.check === 'recording-duration');
    expect(summaryOf(run.info).outcome).toBe('RECORDED');
    expect(check).toEqual(
      expect.objectContaining({ actual: 'sixty', judged: false, passed: true, note: expect.stringMatching(/not recognised/) }),
    );
  });

  it.each([['audio/wav'], ['WAV'], ['audio/x-wav'], ['audio/vnd.wave'], ['audio/wav; codecs=1'], ['wave']])(
    'format %j passes',
    async (format) => {
      const run = await runWorkflow({
        head: [goodHead(60, { ContentType: 'binary/octet-stream', Metadata: { 'recording-audio-file-format': format } })],
      });
      expect(summaryOf(run.info).outcome).toBe('RECORDED');
      expect(summaryOf(run.info).verification.checks.find((c: any) => c.check === 'format').actual).toBe(format);
    },
  );

  it.each([
    ['call-id', { Metadata: { 'call-id': 'CALL-A' } }],
    ['transaction-id', { Metadata: { 'transaction-id': ' tx-1' } }],
    ['has-audio', { ContentLength: 44 }],
    ['format', { ContentType: 'audio/mpeg', Metadata: { 'recording-audio-file-format': 'audio/mpeg' } }],
  ])('%s stays strict', async (check, overrides) => {
    const run = await runWorkflow({ head: [goodHead(60, overrides as any)] });
    expect(run.info.error).toBe('RECORDING_INVALID');
    expect(
      summaryOf(run.info)
        .verification.checks.filter((c: any) => !c.passed)
        .map((c: any) => c.check),
    ).toEqual([check]);
  });
});
