/**
 * Pause, resume, stop and the caller's opt-out (issue 11), on the workflow alone: control requests arrive
 * through the WaitForCallEnd token, the workflow applies them with ControlRecording, audits each (controls,
 * pause windows with its own clock) and ends an opted-out call OPTED_OUT, deleting or keeping its recording.
 */
import { INPUT, RECORDING_LOCATION, goodHead, runWorkflow, summaryOf } from './harness';

const MANIFEST = RECORDING_LOCATION.replace(/\.wav$/, '.manifest.json');
const controlRequests = (run: Awaited<ReturnType<typeof runWorkflow>>) =>
  run.requests.filter((r) => (r.args as any).Arguments?.command === 'ControlRecording').map((r) => (r.args as any).Arguments.action);

describe('pause and resume', () => {
  it('pauses at 20 s and resumes at 35 s: RECORDED, one 15 s window in the manifest, both controls applied', async () => {
    const run = await runWorkflow({
      callSeconds: 60,
      controls: [
        { atSeconds: 20, action: 'PAUSE', requestedBy: 'agent-7', requestId: 'r-1' },
        { atSeconds: 35, action: 'RESUME', requestedBy: 'agent-7', requestId: 'r-2' },
      ],
    });
    expect(run.info.status).toBe('SUCCEEDED');
    expect(summaryOf(run.info).outcome).toBe('RECORDED');
    expect(controlRequests(run)).toEqual(['PAUSE', 'RESUME']);
    const m = run.manifests.get(MANIFEST);
    expect(m.controls.map((c: any) => [c.action, c.result, c.requestId, c.via])).toEqual([
      ['PAUSE', 'APPLIED', 'r-1', 'api'],
      ['RESUME', 'APPLIED', 'r-2', 'api'],
    ]);
    expect(m.pauses).toHaveLength(1);
    const w = m.pauses[0];
    expect(w).toMatchObject({ requestedBy: 'agent-7', via: 'api', leg: 'call-a', endedBy: 'RESUME' });
    expect(Math.abs(w.endedAtMs - w.startedAtMs - 15_000)).toBeLessThan(1000);
    expect(m.pausedSeconds).toBeCloseTo((w.endedAtMs - w.startedAtMs) / 1000, 1);
    // The history names each control: operations see it in the console.
    expect(run.statesEntered.filter((s) => s === 'ControlRecording')).toHaveLength(2);
  });

  it('a pause while paused and a resume while recording are audited as not applied, and never sent to the call', async () => {
    const run = await runWorkflow({
      callSeconds: 60,
      controls: [
        { atSeconds: 5, action: 'RESUME' },
        { atSeconds: 10, action: 'PAUSE' },
        { atSeconds: 12, action: 'PAUSE' },
      ],
    });
    expect(summaryOf(run.info).outcome).toBe('RECORDED');
    expect(controlRequests(run)).toEqual(['PAUSE']);
    const m = run.manifests.get(MANIFEST);
    expect(m.controls.map((c: any) => [c.action, c.result, c.reason ?? null])).toEqual([
      ['RESUME', 'NOT_APPLIED', 'NOT_PAUSED'],
      ['PAUSE', 'APPLIED', null],
      ['PAUSE', 'NOT_APPLIED', 'ALREADY_PAUSED'],
    ]);
    // Paused until the call ended: the open window counts to the end.
    expect(m.pauses[0].endedAt).toBeUndefined();
    expect(m.pausedSeconds).toBeGreaterThan(45);
    expect(m.pausedSeconds).toBeLessThan(52);
  });

  it('a request decided once and delivered again (same requestId) is a DUPLICATE, never applied twice', async () => {
    const run = await runWorkflow({
      callSeconds: 60,
      controls: [
        { atSeconds: 10, action: 'PAUSE', requestId: 'r-1' },
        { atSeconds: 20, action: 'RESUME', requestId: 'r-2' },
        { atSeconds: 30, action: 'PAUSE', requestId: 'r-1' },
      ],
    });
    expect(controlRequests(run)).toEqual(['PAUSE', 'RESUME']);
    expect(run.manifests.get(MANIFEST).controls.map((c: any) => [c.requestId, c.result, c.reason ?? null])).toEqual([
      ['r-1', 'APPLIED', null],
      ['r-2', 'APPLIED', null],
      ['r-1', 'NOT_APPLIED', 'DUPLICATE'],
    ]);
  });

  it('a control the SMA refuses is retried on SystemException, then audited FAILED; the call still ends RECORDED', async () => {
    const run = await runWorkflow({
      callSeconds: 60,
      controls: [{ atSeconds: 10, action: 'PAUSE' }],
      control: [{ error: 'SystemException', cause: 'boom' }],
    });
    expect(summaryOf(run.info).outcome).toBe('RECORDED');
    expect(controlRequests(run)).toEqual(['PAUSE', 'PAUSE', 'PAUSE']); // 1 + ControlMaxRetries (2)
    const m = run.manifests.get(MANIFEST);
    expect(m.controls).toEqual([expect.objectContaining({ action: 'PAUSE', result: 'FAILED', error: 'SystemException', attempts: 3 })]);
    expect(m.pauses).toEqual([]);
  });

  it('requests that never reached the workflow before the hangup are audited NOT_APPLIED / CALL_ENDED', async () => {
    const run = await runWorkflow({
      callSeconds: 30,
      hangupExtra: { unappliedControls: [{ action: 'PAUSE', requestedBy: 'agent-7', requestId: 'late', via: 'api' }] },
    });
    expect(summaryOf(run.info).outcome).toBe('RECORDED');
    expect(run.manifests.get(MANIFEST).controls).toEqual([
      expect.objectContaining({ action: 'PAUSE', requestId: 'late', result: 'NOT_APPLIED', reason: 'CALL_ENDED' }),
    ]);
  });
});

describe('stop', () => {
  it('stops at 30 s of a 60 s call: the duration check runs against the stop, not the call end', async () => {
    const run = await runWorkflow(
      {
        callSeconds: 60,
        controls: [
          { atSeconds: 30, action: 'STOP' },
          { atSeconds: 40, action: 'PAUSE' },
        ],
        head: [goodHead(31)],
      },
      INPUT,
      { DurationToleranceSeconds: 5 },
    );
    expect(summaryOf(run.info).outcome).toBe('RECORDED');
    const m = run.manifests.get(MANIFEST);
    expect(m.controls.map((c: any) => [c.action, c.result, c.reason ?? null])).toEqual([
      ['STOP', 'APPLIED', null],
      ['PAUSE', 'NOT_APPLIED', 'ALREADY_STOPPED'],
    ]);
    expect(m.verification.checks.find((c: any) => c.check === 'recording-duration').passed).toBe(true);
  });

  it('without the stop, the same 31 s recording of a 60 s call fails the duration check (the check can fail)', async () => {
    const run = await runWorkflow({ callSeconds: 60, head: [goodHead(31)] }, INPUT, { DurationToleranceSeconds: 5 });
    expect(summaryOf(run.info).outcome).toBe('RECORDING_INVALID');
  });
});

describe("the caller's opt-out", () => {
  const OPT_IN = { ...INPUT, optOutDigit: '9' };

  it('offers the choice: NotifyConsent carries the key and the seconds', async () => {
    const run = await runWorkflow({ callSeconds: 20 }, OPT_IN);
    const notice = run.requests.find((r) => (r.args as any).Arguments?.command === 'NotifyConsent')!;
    expect((notice.args as any).Arguments).toMatchObject({ optOutDigit: '9', optOutSeconds: '5' });
    expect(summaryOf(run.info).outcome).toBe('RECORDED');
  });

  it('a prompt cut by another update (ActionInterrupted) is spoken again', async () => {
    const run = await runWorkflow({ callSeconds: 20, consent: [{ error: 'ActionInterrupted' }, 'ok'] }, OPT_IN);
    expect(summaryOf(run.info).outcome).toBe('RECORDED');
    expect(summaryOf(run.info).consentNotice).toMatchObject({ status: 'DELIVERED', attempts: 2 });
  });

  it('a notice without opt-out sends no opt-out arguments', async () => {
    const run = await runWorkflow({ callSeconds: 20 });
    const notice = run.requests.find((r) => (r.args as any).Arguments?.command === 'NotifyConsent')!;
    expect(Object.keys((notice.args as any).Arguments).sort()).toEqual(['command', 'taskToken', 'text']);
  });

  it('a decline stops the recording at once, deletes what was recorded (default) and ends OPTED_OUT', async () => {
    const run = await runWorkflow({ callSeconds: 40, consent: [{ ok: { receivedDigits: '9' } }] }, OPT_IN);
    expect(run.info.status).toBe('SUCCEEDED');
    const out = summaryOf(run.info);
    expect(out.outcome).toBe('OPTED_OUT');
    expect(controlRequests(run)).toEqual(['STOP']);
    expect(run.requests.filter((r) => r.action === 'deleteObject').map((r) => r.args)).toEqual([
      { Bucket: 'rec-bucket', Key: RECORDING_LOCATION.slice('rec-bucket/'.length) },
    ]);
    expect(run.tagging).toEqual([]);
    const m = run.manifests.get(MANIFEST);
    expect(m.outcome).toBe('OPTED_OUT');
    expect(m.optOut).toMatchObject({ digit: '9', declined: true, policy: 'DELETE', deletion: { status: 'DELETED' } });
    expect(m.controls).toEqual([expect.objectContaining({ action: 'STOP', via: 'opt-out', requestedBy: 'caller', result: 'APPLIED' })]);
    expect(m.consentNotice).toMatchObject({ status: 'DELIVERED', declined: true, receivedDigits: '9' });
    expect(run.statesEntered).toContain('DeleteOptedOutRecording');
  });

  it('with OptedOutRecording = KEEP the recording stays, tagged OPTED_OUT', async () => {
    const run = await runWorkflow({ callSeconds: 40, consent: [{ ok: { receivedDigits: '9' } }] }, OPT_IN, { OptedOutRecording: 'KEEP' });
    expect(summaryOf(run.info).outcome).toBe('OPTED_OUT');
    expect(run.requests.some((r) => r.action === 'deleteObject')).toBe(false);
    expect(run.tagging[0].Tagging.TagSet).toContainEqual({ Key: 'recording-status', Value: 'OPTED_OUT' });
    expect(run.manifests.get(MANIFEST).optOut).toMatchObject({ declined: true, policy: 'KEEP', deletion: null });
  });

  it('a deletion S3 refuses is in the manifest; the outcome stays OPTED_OUT', async () => {
    const run = await runWorkflow(
      { callSeconds: 40, consent: [{ ok: { receivedDigits: '9' } }], deleteObject: { error: 'S3.AccessDeniedException' } },
      OPT_IN,
    );
    expect(summaryOf(run.info).outcome).toBe('OPTED_OUT');
    expect(run.manifests.get(MANIFEST).optOut.deletion).toMatchObject({ status: 'FAILED', error: 'S3.AccessDeniedException' });
    expect(run.statesEntered).toContain('OptedOutRecordingNotDeleted');
  });

  it('a declined recording that lands after the delivery deadline is still deleted: looked for again, found, deleted by its version', async () => {
    const late = goodHead(40, { VersionId: 'v-late' });
    const run = await runWorkflow(
      { callSeconds: 40, consent: [{ ok: { receivedDigits: '9' } }], head: ['missing', 'missing', 'missing', 'missing', late] },
      OPT_IN,
      {
        VerifyMaxRetries: 2,
        LateOptedOutChecks: 4, // a bucket without S3 events: the workflow's own watch
      },
    );
    expect(summaryOf(run.info).outcome).toBe('OPTED_OUT');
    expect(run.statesEntered.filter((s) => s === 'CheckLateOptedOutRecording')).toHaveLength(2);
    expect(run.requests.filter((r) => r.action === 'deleteObject').map((r) => r.args)).toEqual([
      { Bucket: 'rec-bucket', Key: RECORDING_LOCATION.slice('rec-bucket/'.length), VersionId: 'v-late' },
    ]);
    const m = run.manifests.get(MANIFEST);
    expect(m.optOut.deletion).toMatchObject({ status: 'DELETED', versionId: 'v-late' });
    expect(m.verification).toMatchObject({ landed: true, landedLate: true, lateChecks: 2 });
    expect(run.statesEntered).not.toContain('OptedOutRecordingNotDeleted');
  });

  it('one that never lands is looked for LateOptedOutChecks times, LateOptedOutCheckSeconds apart, then reported not deleted', async () => {
    const run = await runWorkflow({ callSeconds: 40, consent: [{ ok: { receivedDigits: '9' } }], head: ['missing'] }, OPT_IN, {
      VerifyMaxRetries: 1,
      LateOptedOutChecks: 3,
      LateOptedOutCheckSeconds: 600,
    });
    expect(summaryOf(run.info).outcome).toBe('OPTED_OUT');
    const heads = run.requests.filter((r) => r.action === 'headObject');
    expect(heads).toHaveLength(2 + 3);
    expect(run.statesEntered.filter((s) => s === 'WaitForLateOptedOutRecording')).toHaveLength(3);
    expect(run.statesEntered).toContain('OptedOutRecordingNotDeleted');
    expect(run.requests.some((r) => r.action === 'deleteObject')).toBe(false);
    expect(run.manifests.get(MANIFEST).optOut.deletion).toMatchObject({ status: 'NOT_FOUND', checks: 3, error: 'S3.NoSuchKeyException' });
    // The whole watch is in the execution: 3 waits of 600 s between the verification's deadline and the manifest.
    const m = run.manifests.get(MANIFEST);
    expect(Date.parse(m.writtenAt) - Date.parse(m.verification.gaveUpAt)).toBeGreaterThanOrEqual(3 * 600_000);
  });

  it('with KEEP, or with LateOptedOutChecks 0 (the default: the Reconcile branch deletes it when it lands), nothing is looked for after the deadline', async () => {
    const keep = await runWorkflow({ callSeconds: 40, consent: [{ ok: { receivedDigits: '9' } }], head: ['missing'] }, OPT_IN, {
      VerifyMaxRetries: 1,
      OptedOutRecording: 'KEEP',
    });
    expect(keep.statesEntered).not.toContain('WaitForLateOptedOutRecording');
    expect(keep.statesEntered).not.toContain('OptedOutRecordingNotDeleted');
    expect(keep.manifests.get(MANIFEST).optOut.deletion).toBeNull();
    const off = await runWorkflow({ callSeconds: 40, consent: [{ ok: { receivedDigits: '9' } }], head: ['missing'] }, OPT_IN, {
      VerifyMaxRetries: 1,
      LateOptedOutChecks: 0,
    });
    expect(off.statesEntered).not.toContain('WaitForLateOptedOutRecording');
    expect(off.statesEntered).not.toContain('OptedOutRecordingNotDeleted');
    expect(off.manifests.get(MANIFEST).optOut.deletion).toMatchObject({ status: 'NOT_LANDED', onLanding: 'DELETE', checks: 0 });
  });

  it('a declined recording S3 will not let the workflow read is reported not deleted (NOT_VERIFIED), not watched', async () => {
    const run = await runWorkflow({ callSeconds: 40, consent: [{ ok: { receivedDigits: '9' } }], head: ['forbidden'] }, OPT_IN);
    expect(summaryOf(run.info).outcome).toBe('OPTED_OUT');
    expect(run.statesEntered).not.toContain('WaitForLateOptedOutRecording');
    expect(run.statesEntered).toContain('OptedOutRecordingNotDeleted');
    expect(run.manifests.get(MANIFEST).optOut.deletion).toMatchObject({ status: 'NOT_VERIFIED' });
  });

  it('another key, or none, is not a decline', async () => {
    for (const receivedDigits of ['1', null]) {
      const run = await runWorkflow({ callSeconds: 20, consent: [{ ok: { receivedDigits } }] }, OPT_IN);
      expect(summaryOf(run.info).outcome).toBe('RECORDED');
      expect(controlRequests(run)).toEqual([]);
    }
  });

  it.each([['#'], ['99'], [9]])('refuses optOutDigit %p as INVALID_INPUT, naming the field', async (digit) => {
    const run = await runWorkflow({}, { ...INPUT, optOutDigit: digit });
    expect(run.info.error).toBe('INVALID_INPUT');
    expect(run.info.cause).toContain('optOutDigit: must be one key, 0-9 or *');
  });
});
