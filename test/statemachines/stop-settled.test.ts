/**
 * A stop is final (issue 20, item 4): "Once recording for a call leg stops, it can't start again". A stop whose
 * result never came (its callback lost) may have run, so it is settled: ConfirmStop sends one more stop, and
 * whatever that says the recording counts as stopped from the first request, nothing more goes to the leg, and
 * the manifest says the result was UNKNOWN and how it was settled.
 */
import { INPUT, RECORDING_LOCATION, goodHead, runWorkflow, summaryOf, type Script } from './harness';

const MANIFEST = RECORDING_LOCATION.replace(/\.wav$/, '.manifest.json');
// A short bound so the settling ends well within the 60 s call.
const SETTINGS = { DurationToleranceSeconds: 5, ControlTimeoutSeconds: 5 };
const STOP_THEN_PAUSE: Script['controls'] = [
  { atSeconds: 30, action: 'STOP', requestId: 'stop-1' },
  { atSeconds: 45, action: 'PAUSE', requestId: 'pause-1' },
];
const controlRequests = (run: Awaited<ReturnType<typeof runWorkflow>>) =>
  run.requests.filter((r) => (r.args as any).Arguments?.command === 'ControlRecording').map((r) => (r.args as any).Arguments.action);
const durationCheck = (m: any) => m.verification.checks.find((c: any) => c.check === 'recording-duration');

describe('a stop whose result is unknown', () => {
  it('lost stop callback, second stop refused (InvalidActionParameter): RECORDED, measured to the stop, later pause not sent', async () => {
    const run = await runWorkflow(
      { callSeconds: 60, controls: STOP_THEN_PAUSE, control: ['never', { error: 'InvalidActionParameter' }], head: [goodHead(31)] },
      INPUT,
      SETTINGS,
    );
    expect(summaryOf(run.info).outcome).toBe('RECORDED');
    expect(controlRequests(run)).toEqual(['STOP', 'STOP']);
    const m = run.manifests.get(MANIFEST);
    expect(m.controls).toEqual([
      expect.objectContaining({
        action: 'STOP',
        requestId: 'stop-1',
        result: 'UNKNOWN',
        unknownBecause: 'States.Timeout',
        settledAs: 'STOPPED',
        settledBy: 'SECOND_STOP_REFUSED',
        error: 'InvalidActionParameter',
        attempts: 2,
      }),
      expect.objectContaining({ action: 'PAUSE', result: 'NOT_APPLIED', reason: 'ALREADY_STOPPED' }),
    ]);
    // Stopped at the first request, not when the settling ended (ControlTimeoutSeconds later, in call time).
    const stop = m.controls[0];
    expect(Date.parse(stop.at) - Date.parse(stop.stoppedAt)).toBeGreaterThanOrEqual(5_000);
    expect(durationCheck(m).passed).toBe(true);
    expect(run.statesEntered.filter((s) => s === 'ConfirmStop')).toHaveLength(1);
  });

  it('the same 31 s recording fails the duration check when the stop is not settled (the check can fail)', async () => {
    // A stop the SMA refused outright is not a stop: the recording is measured to the call end.
    const run = await runWorkflow(
      { callSeconds: 60, controls: STOP_THEN_PAUSE, control: [{ error: 'InvalidActionParameter' }, 'ok'], head: [goodHead(31)] },
      INPUT,
      SETTINGS,
    );
    expect(summaryOf(run.info).outcome).toBe('RECORDING_INVALID');
    const m = run.manifests.get(MANIFEST);
    expect(m.controls.map((c: any) => [c.action, c.result])).toEqual([
      ['STOP', 'FAILED'],
      ['PAUSE', 'APPLIED'],
    ]);
    expect(run.statesEntered).not.toContain('ConfirmStop');
  });

  it('a second stop that applies (the first never ran) settles as stopped from the first request', async () => {
    const run = await runWorkflow(
      { callSeconds: 60, controls: STOP_THEN_PAUSE, control: ['never', 'ok'], head: [goodHead(31)] },
      INPUT,
      SETTINGS,
    );
    expect(summaryOf(run.info).outcome).toBe('RECORDED');
    const m = run.manifests.get(MANIFEST);
    expect(m.controls[0]).toMatchObject({ result: 'UNKNOWN', settledBy: 'SECOND_STOP_APPLIED', leg: 'call-a' });
    expect(m.controls[0].error).toBeUndefined();
    expect(m.controls[1]).toMatchObject({ action: 'PAUSE', reason: 'ALREADY_STOPPED' });
  });

  it('a second stop with no answer either is settled all the same (SECOND_STOP_FAILED), and never sent a third time', async () => {
    const run = await runWorkflow(
      { callSeconds: 60, controls: STOP_THEN_PAUSE, control: ['never'], head: [goodHead(31)] },
      INPUT,
      SETTINGS,
    );
    expect(summaryOf(run.info).outcome).toBe('RECORDED');
    expect(controlRequests(run)).toEqual(['STOP', 'STOP']);
    expect(run.manifests.get(MANIFEST).controls[0]).toMatchObject({ settledBy: 'SECOND_STOP_FAILED', error: 'States.Timeout' });
  });

  it('the call ending during the second stop settles it too (CALL_ENDED), and verification measures to the first request', async () => {
    const run = await runWorkflow(
      {
        callSeconds: 60,
        controls: [{ atSeconds: 30, action: 'STOP' }],
        control: ['never'],
        updateErrors: { ControlRecording: ['', 'ChimeSdkVoice.NotFoundException'] },
        head: [goodHead(31)],
      },
      INPUT,
      { ...SETTINGS, ControlTimeoutSeconds: 20 },
    );
    expect(summaryOf(run.info).outcome).toBe('RECORDED');
    const m = run.manifests.get(MANIFEST);
    expect(m.controls[0]).toMatchObject({ result: 'UNKNOWN', settledBy: 'CALL_ENDED', error: 'ChimeSdkVoice.NotFoundException' });
    expect(m.callEnd).toMatchObject({ during: 'ConfirmStop' });
    expect(durationCheck(m).passed).toBe(true);
  });

  it('a stop while paused closes the pause window at the first request', async () => {
    const run = await runWorkflow(
      {
        callSeconds: 60,
        controls: [
          { atSeconds: 10, action: 'PAUSE' },
          { atSeconds: 30, action: 'STOP' },
        ],
        control: ['ok', 'never', { error: 'InvalidActionParameter' }],
        head: [goodHead(31)],
      },
      INPUT,
      SETTINGS,
    );
    expect(summaryOf(run.info).outcome).toBe('RECORDED');
    const m = run.manifests.get(MANIFEST);
    expect(m.pauses).toHaveLength(1);
    expect(m.pauses[0]).toMatchObject({ endedBy: 'STOP', endedAt: m.controls[1].stoppedAt });
    expect(m.pausedSeconds).toBeLessThan(22);
  });

  it('costs one transition more than an applied stop (ConfirmStop), with no Retry', async () => {
    const applied = await runWorkflow(
      { callSeconds: 60, controls: [{ atSeconds: 30, action: 'STOP' }], head: [goodHead(31)] },
      INPUT,
      SETTINGS,
    );
    const settled = await runWorkflow(
      {
        callSeconds: 60,
        controls: [{ atSeconds: 30, action: 'STOP' }],
        control: ['never', { error: 'InvalidActionParameter' }],
        head: [goodHead(31)],
      },
      INPUT,
      SETTINGS,
    );
    const none = await runWorkflow({ callSeconds: 60 }, INPUT, SETTINGS);
    const retries = (r: typeof none) => r.info.history.filter((e) => e.type === 'TaskScheduled').length - r.requests.length;
    expect(applied.statesEntered.length - none.statesEntered.length).toBe(3);
    expect(settled.statesEntered.length - none.statesEntered.length).toBe(4);
    expect(retries(settled)).toBe(retries(none));
  });
});

describe('the opt-out stop', () => {
  it('a decline whose stop callback is lost still ends OPTED_OUT, the stop settled', async () => {
    const run = await runWorkflow(
      { callSeconds: 40, consent: [{ ok: { receivedDigits: '9' } }], control: ['never', { error: 'InvalidActionParameter' }] },
      { ...INPUT, optOutDigit: '9' },
      SETTINGS,
    );
    expect(summaryOf(run.info).outcome).toBe('OPTED_OUT');
    expect(run.manifests.get(MANIFEST).controls).toEqual([
      expect.objectContaining({ action: 'STOP', via: 'opt-out', result: 'UNKNOWN', settledBy: 'SECOND_STOP_REFUSED' }),
    ]);
  });
});
