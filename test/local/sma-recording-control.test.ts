/**
 * SMA emulator: PauseCallRecording / ResumeCallRecording / StopCallRecording (pause-call-recording,
 * resume-call-recording, stop-call-recording): the pause windows and controls on the recording record, the
 * redundant pause / resume (assumed: succeeds, changes nothing), stop once, and the WAV silent where the
 * windows are, measured from the delivered object's samples.
 */
import { GetObjectCommand, HeadObjectCommand } from '@aws-sdk/client-s3';
import { silentRanges } from '../../local/sma/wav';
import type { SmaReadings } from '../../local/sma/emulator';
import {
  BUCKET,
  CALLER,
  DIALED,
  acted,
  bridge,
  ev,
  hangupAction,
  legId,
  pause,
  respond,
  startRecording,
  useEmulators,
  type Ev,
} from './helpers';

const fixture = useEmulators();

const control = (type: 'PauseCallRecording' | 'ResumeCallRecording' | 'StopCallRecording', callId: string) => ({
  Type: type,
  Parameters: { CallId: callId },
});

/** Starts recording LEG-A, then runs `after(legA)` as one list once the recording has started. */
function script(after: (legA: string) => unknown[]) {
  return (e: Ev) => {
    if (e.InvocationEventType === 'NEW_INBOUND_CALL') return respond([startRecording(legId(e, 'LEG-A'))]);
    if (e.InvocationEventType === 'ACTION_SUCCESSFUL' && e.ActionData.Type === 'StartCallRecording')
      return respond(after(legId(e, 'LEG-A')));
    return respond();
  };
}

async function wavOf(location: string): Promise<Buffer> {
  const got = await fixture.twin().s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: location.slice(BUCKET.length + 1) }));
  return Buffer.from(await got.Body!.transformToByteArray());
}

describe('pause, resume and stop of a call recording', () => {
  it('records each pause window in virtual ms, and the delivered WAV is silent exactly there', async () => {
    const sma = fixture.emulator(
      script((a) => [
        pause(5000, a),
        control('PauseCallRecording', a),
        pause(3000, a),
        control('ResumeCallRecording', a),
        pause(4000, a),
        control('PauseCallRecording', a),
        pause(1500, a),
        control('ResumeCallRecording', a),
      ]),
    );
    const call = sma.placeCall({ from: CALLER, to: DIALED, legs: 1, durationSeconds: 30 });
    const summary = await call.ended;
    const rec = summary.recordings[0]!;
    const t0 = rec.startedAtMs;
    expect(rec.pauses).toEqual([
      { startMs: t0 + 5000, endMs: t0 + 8000 },
      { startMs: t0 + 12_000, endMs: t0 + 13_500 },
    ]);
    expect(rec.controls.map((c) => [c.type, c.atMs - t0, c.changed])).toEqual([
      ['PauseCallRecording', 5000, true],
      ['ResumeCallRecording', 8000, true],
      ['PauseCallRecording', 12_000, true],
      ['ResumeCallRecording', 13_500, true],
    ]);
    expect(rec.stopCause).toBe('hangup');
    // Paused time counts: the duration is the whole recording, as the metadata says.
    const head = await fixture.twin().s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: rec.key }));
    expect(Number(head.Metadata!['recording-duration'])).toBeCloseTo(rec.durationSeconds!, 1);
    const silence = silentRanges(await wavOf(rec.location));
    expect(silence.map((r) => [r.startSeconds, r.endSeconds])).toEqual([
      [5, 8],
      [12, 13.5],
    ]);
    // The ACTION_SUCCESSFUL comes after the last action of the list, as for any list.
    const last = acted(call).map(ev).at(-2)!;
    expect(last.ActionData).toEqual(expect.objectContaining({ Type: 'ResumeCallRecording', Parameters: { CallId: call.legA } }));
  });

  it('a pause while paused and a resume while not paused succeed and change nothing (assumed); they are recorded', async () => {
    const sma = fixture.emulator(
      script((a) => [
        control('ResumeCallRecording', a),
        pause(1000, a),
        control('PauseCallRecording', a),
        pause(1000, a),
        control('PauseCallRecording', a),
        pause(1000, a),
        control('ResumeCallRecording', a),
      ]),
    );
    const call = sma.placeCall({ from: CALLER, to: DIALED, legs: 1, durationSeconds: 10 });
    const rec = (await call.ended).recordings[0]!;
    const t0 = rec.startedAtMs;
    expect(rec.pauses).toEqual([{ startMs: t0 + 1000, endMs: t0 + 3000 }]);
    expect(rec.controls.map((c) => [c.type, c.atMs - t0, c.changed])).toEqual([
      ['ResumeCallRecording', 0, false],
      ['PauseCallRecording', 1000, true],
      ['PauseCallRecording', 2000, false],
      ['ResumeCallRecording', 3000, true],
    ]);
    expect(
      acted(call)
        .map(ev)
        .filter((e) => e.InvocationEventType === 'ACTION_FAILED'),
    ).toEqual([]);
    expect(silentRanges(await wavOf(rec.location)).map((r) => [r.startSeconds, r.endSeconds])).toEqual([[1, 3]]);
  });

  it('stop while paused: the window ends at the stop, the WAV ends there and is delivered; a second stop or a pause fails', async () => {
    const failures: Ev[] = [];
    const sma = fixture.emulator((e) => {
      if (e.InvocationEventType === 'ACTION_FAILED') failures.push(e);
      if (e.InvocationEventType === 'ACTION_SUCCESSFUL' && e.ActionData.Type === 'StopCallRecording') {
        const a = legId(e, 'LEG-A');
        return respond([control('StopCallRecording', a)]);
      }
      if (e.InvocationEventType === 'ACTION_FAILED' && e.ActionData.Type === 'StopCallRecording')
        return respond([control('PauseCallRecording', legId(e, 'LEG-A'))]);
      return script((a) => [pause(2000, a), control('PauseCallRecording', a), pause(3000, a), control('StopCallRecording', a)])(e);
    });
    const call = sma.placeCall({ from: CALLER, to: DIALED, legs: 1, durationSeconds: 20 });
    const summary = await call.ended;
    const rec = summary.recordings[0]!;
    const t0 = rec.startedAtMs;
    expect(rec).toMatchObject({ status: 'delivered', stopCause: 'StopCallRecording', stoppedAtMs: t0 + 5000, durationSeconds: 5 });
    expect(rec.pauses).toEqual([{ startMs: t0 + 2000, endMs: t0 + 5000 }]);
    expect(rec.controls.map((c) => c.type)).toEqual(['PauseCallRecording', 'StopCallRecording']);
    // Delivered after the stop, long before the call ends.
    expect(rec.deliveredAtMs).toBe(rec.stoppedAtMs);
    expect(summary.endedAtMs - t0).toBeGreaterThan(15_000);
    expect(failures.map((f) => [f.ActionData.Type, f.ActionData.ErrorType])).toEqual([
      ['StopCallRecording', 'InvalidActionParameter'],
      ['PauseCallRecording', 'InvalidActionParameter'],
    ]);
    const wav = await wavOf(rec.location);
    expect(silentRanges(wav).map((r) => [r.startSeconds, r.endSeconds])).toEqual([[2, 5]]);
  });

  it('a caller who hangs up while paused: the window ends at the hangup (the recording stops there)', async () => {
    const sma = fixture.emulator(script((a) => [pause(4000, a), control('PauseCallRecording', a)]));
    const call = sma.placeCall({ from: CALLER, to: DIALED, legs: 1, durationSeconds: 9 });
    const rec = (await call.ended).recordings[0]!;
    expect(rec.stopCause).toBe('hangup');
    expect(rec.pauses).toEqual([{ startMs: rec.startedAtMs + 4000, endMs: rec.stoppedAtMs }]);
    const silence = silentRanges(await wavOf(rec.location));
    expect(silence).toHaveLength(1);
    expect(silence[0]!.startSeconds).toBe(4);
    expect(silence[0]!.endSeconds).toBeCloseTo(rec.durationSeconds!, 3);
  });
});

describe('rule 7: a stop after the stop (stop-call-recording: once per leg; the answer is not documented)', () => {
  /** Records LEG-A, stops it, then sends a second stop, then a pause; collects what each ended in. */
  async function stopTwice(readings?: SmaReadings) {
    const results: string[] = [];
    const sma = fixture.emulator(
      (e) => {
        const a = legId(e, 'LEG-A');
        if (e.InvocationEventType === 'NEW_INBOUND_CALL') return respond([startRecording(a)]);
        if (e.ActionData?.Type === 'StartCallRecording') return respond([pause(1000, a), control('StopCallRecording', a)]);
        if (e.ActionData?.Type === 'StopCallRecording') {
          results.push(e.InvocationEventType);
          return respond(results.length === 1 ? [control('StopCallRecording', a)] : [control('PauseCallRecording', a)]);
        }
        if (e.ActionData?.Type === 'PauseCallRecording') results.push(`pause ${e.InvocationEventType} ${e.ActionData.ErrorType}`);
        return respond();
      },
      { readings },
    );
    const summary = await sma.placeCall({ from: CALLER, to: DIALED, legs: 1, durationSeconds: 10 }).ended;
    return { results, rec: summary.recordings[0]! };
  }

  it('failed (default): ACTION_FAILED InvalidActionParameter; a pause after the stop fails', async () => {
    const { results, rec } = await stopTwice();
    expect(results).toEqual(['ACTION_SUCCESSFUL', 'ACTION_FAILED', 'pause ACTION_FAILED InvalidActionParameter']);
    expect(rec.controls.map((c) => c.type)).toEqual(['StopCallRecording']);
  });

  it('noEffect: ACTION_SUCCESSFUL and nothing changes; a pause after the stop still fails', async () => {
    const { results, rec } = await stopTwice({ repeatedStop: 'noEffect' });
    expect(results).toEqual(['ACTION_SUCCESSFUL', 'ACTION_SUCCESSFUL', 'pause ACTION_FAILED InvalidActionParameter']);
    expect(rec).toMatchObject({ stopCause: 'StopCallRecording', durationSeconds: 1 });
    expect(rec.controls.map((c) => c.type)).toEqual(['StopCallRecording']);
  });

  it.each([
    [undefined, 'ACTION_FAILED'],
    ['noEffect', 'ACTION_SUCCESSFUL'],
  ] as const)('a stop after the leg hung up, repeatedStop %s: %s', async (repeatedStop, expected) => {
    const seen: string[] = [];
    const sma = fixture.emulator(
      (e) => {
        if (e.InvocationEventType === 'NEW_INBOUND_CALL') return respond([bridge()]);
        if (e.ActionData?.Type === 'CallAndBridge')
          return respond([startRecording(legId(e, 'LEG-B')), pause(1000), hangupAction(legId(e, 'LEG-B'))]);
        if (e.InvocationEventType === 'HANGUP' && e.ActionData.Parameters.ParticipantTag === 'LEG-B')
          return respond([control('StopCallRecording', e.ActionData.Parameters.CallId)]);
        if (e.ActionData?.Type === 'StopCallRecording') seen.push(e.InvocationEventType);
        return respond();
      },
      { readings: repeatedStop ? { repeatedStop } : undefined },
    );
    const summary = await sma.placeCall({ from: CALLER, to: DIALED, legs: 2, durationSeconds: 10 }).ended;
    expect(seen).toEqual([expected]);
    expect(summary.recordings[0]!.stopCause).toBe('hangup');
  });
});
