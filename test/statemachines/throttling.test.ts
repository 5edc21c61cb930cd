/**
 * Issue 21 item 4, "throttling is not failure", on the workflow alone (harness.ts plays the SMA and S3): a
 * StartRecording request the Chime API throttles (ChimeSdkVoice.ThrottledClientException, the account's
 * UpdateSipMediaApplicationCall rate) is not a failed attempt. StartThrottled retries it on its own jittered
 * schedule for ThrottleWindowSeconds; every audited attempt says how many of its requests were throttled.
 * The notice, the call-end wait and the controls retry throttling in Retry blocks on the same schedule.
 */
import { DEFAULT_SETTINGS, renderDefinition, settingsProblems, throttleMaxRetries } from '../../statemachines/definition';
import { INPUT, RECORDING_LOCATION, goodHead, runWorkflow, summaryOf } from './harness';

const T = 'ChimeSdkVoice.ThrottledClientException';
const MANIFEST = RECORDING_LOCATION.replace(/\.wav$/, '.manifest.json');
const times = (n: number, e: string) => Array.from({ length: n }, () => e);
const count = (list: string[], name: string) => list.filter((s) => s === name).length;
const startRequests = (run: Awaited<ReturnType<typeof runWorkflow>>) =>
  run.requests.filter((r) => (r.args as any).Arguments?.command === 'StartRecording').map((r) => (r.args as any).Arguments);

describe('a throttled StartRecording', () => {
  it.each([1, 3, 7])('throttled %i times, then started: one attempt, throttled N, no failed attempt', async (n) => {
    const run = await runWorkflow({ updateErrors: { StartRecording: times(n, T) } });
    const out = summaryOf(run.info);
    expect(out.outcome).toBe('RECORDED');
    expect(out.startAttempts).toEqual([expect.objectContaining({ attempt: 1, result: 'STARTED', throttled: n })]);
    expect(out.startAttempts[0].error).toBeUndefined();
    // The attempt began with its first (throttled) request.
    expect(Date.parse(out.startAttempts[0].endedAt)).toBeGreaterThan(Date.parse(out.startAttempts[0].startedAt));
    expect(count(run.statesEntered, 'StartThrottled')).toBe(n);
    expect(count(run.statesEntered, 'WaitBeforeThrottledStart')).toBe(n);
    expect(run.statesEntered).not.toContain('ShouldRetryStart');
    expect(run.statesEntered).not.toContain('StartThrottledTooLong');
    // Every request of the attempt is attempt 1 to the SMA: the throttled ones never reached it.
    expect(startRequests(run).map((a) => a.attempt)).toEqual(times(n + 1, '1'));
    // 3 transitions per throttled request (StartRecording again, StartThrottled, WaitBeforeThrottledStart).
    expect(run.info.stateTransitions).toBe(14 + 3 * n);
    expect(run.manifests.get(MANIFEST).startAttempts[0].throttled).toBe(n);
    expect(run.tagging[0].Tagging.TagSet).toContainEqual({ Key: 'start-attempts', Value: '1' });
  });

  it('keeps throttling apart from real failures: a SystemException attempt, then a throttled one', async () => {
    const run = await runWorkflow({
      start: [{ error: 'SystemException', cause: 'boom' }, 'ok'],
      updateErrors: { StartRecording: ['', T, T] },
    });
    const out = summaryOf(run.info);
    expect(out.outcome).toBe('RECORDED');
    expect(out.startAttempts.map((a: any) => [a.attempt, a.result, a.error ?? null, a.throttled])).toEqual([
      [1, 'FAILED', 'SystemException', 0],
      [2, 'STARTED', null, 2],
    ]);
  });

  it('a call that ends while its start is throttled is NOT_RECORDED, its throttles audited', async () => {
    let starts = 0;
    const run = await runWorkflow({}, INPUT, {}, 200, (req) => {
      if ((req.args as any).Arguments?.command !== 'StartRecording') return undefined;
      starts++;
      return starts <= 2
        ? { error: T, cause: 'Rate exceeded' }
        : { error: 'ChimeSdkVoice.NotFoundException', cause: 'The call is no longer active' };
    });
    const out = summaryOf(run.info);
    expect(out.outcome).toBe('NOT_RECORDED');
    expect(out.startAttempts).toEqual([
      expect.objectContaining({ attempt: 1, result: 'CALL_ENDED', error: 'ChimeSdkVoice.NotFoundException', throttled: 2 }),
    ]);
  });

  it('throttled past ThrottleWindowSeconds: the attempt fails (throttled N), StartThrottledTooLong entered, START_FAILED', async () => {
    const run = await runWorkflow({ updateErrors: { StartRecording: times(500, T) } }, INPUT, {
      ThrottleWindowSeconds: 60,
      ThrottleMaxDelaySeconds: 8,
      StartMaxAttempts: 2,
    });
    expect(run.info.status).toBe('FAILED');
    expect(run.info.error).toBe('START_FAILED');
    const out = summaryOf(run.info);
    const [first, second] = out.startAttempts;
    expect(out.startAttempts).toHaveLength(2);
    // Waits of at most 8 s fill a 60 s window: at least 8 throttled requests, each one StartThrottled entry.
    expect(first).toEqual(expect.objectContaining({ attempt: 1, result: 'FAILED', error: T }));
    expect(first.throttled).toBeGreaterThanOrEqual(8);
    expect(first.cause).toMatch(/^throttled \d+ times in \d+ s, past ThrottleWindowSeconds \(60 s/);
    expect(Date.parse(first.endedAt) - Date.parse(first.startedAt)).toBeGreaterThanOrEqual(60_000);
    // The window is the call's: the second attempt fails at its first throttle.
    expect(second).toEqual(expect.objectContaining({ attempt: 2, result: 'FAILED', error: T, throttled: 1 }));
    expect(count(run.statesEntered, 'StartThrottled')).toBe(first.throttled + 1);
    expect(count(run.statesEntered, 'StartThrottledTooLong')).toBe(2);
    expect(startRequests(run)).toHaveLength(first.throttled + 1);
    expect(run.statesEntered.slice(-3)).toEqual(['WriteAuditManifest', 'RouteOutcome', 'START_FAILED']);
  });
});

describe('throttling in the Retry blocks: its own budget, counted', () => {
  it('a notice throttled more often than ConsentMaxRetries is still delivered', async () => {
    const run = await runWorkflow({ updateErrors: { NotifyConsent: times(DEFAULT_SETTINGS.ConsentMaxRetries + 3, T) } });
    const out = summaryOf(run.info);
    expect(out.consentNotice).toEqual(expect.objectContaining({ status: 'DELIVERED', attempts: DEFAULT_SETTINGS.ConsentMaxRetries + 4 }));
    expect(run.statesEntered).not.toContain('ConsentNotDelivered');
  });

  it('a pause throttled more often than ControlMaxRetries is applied', async () => {
    const n = DEFAULT_SETTINGS.ControlMaxRetries + 2;
    const run = await runWorkflow({ updateErrors: { ControlRecording: times(n, T) }, controls: [{ atSeconds: 10, action: 'PAUSE' }] });
    expect(run.manifests.get(MANIFEST).controls).toEqual([
      expect.objectContaining({ action: 'PAUSE', result: 'APPLIED', attempts: n + 1 }),
    ]);
  });

  it('a notice throttled past its budget (ThrottleMaxRetries) is FAILED, not retried forever', async () => {
    const settings = { ThrottleWindowSeconds: 20, ThrottleMaxDelaySeconds: 4 };
    const budget = throttleMaxRetries({ ...DEFAULT_SETTINGS, ...settings });
    const run = await runWorkflow({ updateErrors: { NotifyConsent: times(budget + 5, T) } }, INPUT, settings);
    expect(summaryOf(run.info).consentNotice).toEqual(expect.objectContaining({ status: 'FAILED', error: T, attempts: budget + 1 }));
  });
});

describe('a call that ends while an update is throttled', () => {
  it('the notice learns it from NotFoundException: the end is only bounded (endedBefore), the recording still RECORDED', async () => {
    let notices = 0;
    const run = await runWorkflow({ head: [goodHead(1)] }, INPUT, { DurationToleranceSeconds: 1 }, 200, (req) => {
      if ((req.args as any).Arguments?.command !== 'NotifyConsent') return undefined;
      notices++;
      return notices <= 20 ? { error: T, cause: 'Rate exceeded' } : { error: 'ChimeSdkVoice.NotFoundException', cause: 'gone' };
    });
    const out = summaryOf(run.info);
    // 20 jittered waits later the answer is late: taking it for the end would judge a 1 s recording too short.
    expect(out.outcome).toBe('RECORDED');
    const m = run.manifests.get(MANIFEST);
    expect(m.callEnd).toEqual(expect.objectContaining({ during: 'NotifyConsent', error: 'ChimeSdkVoice.NotFoundException' }));
    expect(m.callEnd.endedBefore).toMatch(/^\d{4}-/);
    expect(m.callEnd.endedAtMs).toBeUndefined();
    expect(out.consentNotice).toEqual(expect.objectContaining({ status: 'NOT_DELIVERED', attempts: 21 }));
  });
});

describe('throttling settings', () => {
  it('derives the Retry blocks budget from the window: expected full-jitter waits fill it', () => {
    // Defaults 1 / 20 / 900: expected waits 0.5, 1, 2, 4, 8, then 10 s each.
    expect(throttleMaxRetries(DEFAULT_SETTINGS)).toBe(94);
    expect(throttleMaxRetries({ ThrottleIntervalSeconds: 1, ThrottleMaxDelaySeconds: 4, ThrottleWindowSeconds: 20 })).toBe(12); // 0.5 + 1 + 2, then 2 s each
    const def = renderDefinition() as any;
    // (WaitForCallEnd spends no update since issue 21: the hand-off mailbox.)
    for (const name of ['NotifyConsent', 'ControlRecording', 'StopRecording']) {
      const retrier = def.States[name].Retry[0];
      expect([name, retrier.ErrorEquals, retrier.MaxAttempts, retrier.MaxDelaySeconds, retrier.JitterStrategy]).toEqual([
        name,
        [T],
        94,
        20,
        'FULL',
      ]);
      for (const r of def.States[name].Retry.slice(1)) expect(r.ErrorEquals).not.toContain(T);
    }
    // StartRecording catches throttling before the transient errors, and only there.
    const catches = def.States.StartRecording.Catch.map((c: any) => [c.ErrorEquals.includes(T), c.Next]);
    expect(catches.filter(([t]: [boolean]) => t)).toEqual([[true, 'StartThrottled']]);
  });

  it('validates the window against the cap', () => {
    expect(settingsProblems({ ThrottleWindowSeconds: 10, ThrottleMaxDelaySeconds: 20 })).toEqual([
      'ThrottleWindowSeconds: must be at least ThrottleMaxDelaySeconds (20), got 10',
    ]);
    expect(settingsProblems({ ThrottleIntervalSeconds: 0.5 })).toEqual([
      expect.stringMatching(/^ThrottleIntervalSeconds: must be an integer >= 1/),
    ]);
    expect(() => renderDefinition({ ThrottleWindowSeconds: 0 })).toThrow(/ThrottleWindowSeconds/);
  });
});
