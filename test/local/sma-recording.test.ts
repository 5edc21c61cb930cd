/** SMA emulator: StartCallRecording validation, faults, the recording object (key, metadata, body, timing). */
import { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import type { SmaEmulator } from '../../local/sma/emulator';
import { parseWavHeader } from '../../local/sma/wav';
import type { Faults } from '../../local/sma/types';
import { BUCKET, CALLER, DIALED, acted, ev, legId, useEmulators, respond, startRecording, types, type Ev, type Script } from './helpers';

const fixture = useEmulators([BUCKET, 'second-bucket']);
const emulator = (script: Script) => fixture.emulator(script);

/** Records LEG-A from NEW_INBOUND_CALL; retries StartCallRecording after each ACTION_FAILED (like a workflow would). */
function recordingScript(location = BUCKET, track = 'BOTH', maxAttempts = 5): Script {
  let attempts = 0;
  return (e) => {
    const again = () => (++attempts <= maxAttempts ? respond([startRecording(legId(e, 'LEG-A'), location, track)]) : respond());
    if (e.InvocationEventType === 'NEW_INBOUND_CALL') return again();
    if (e.InvocationEventType === 'ACTION_FAILED' && e.ActionData.Type === 'StartCallRecording') return again();
    return respond();
  };
}

async function head(key: string, bucket = BUCKET) {
  return fixture.twin().s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
}

async function body(key: string, bucket = BUCKET): Promise<Buffer> {
  const got = await fixture.twin().s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return Buffer.from(await got.Body!.transformToByteArray());
}

function place(sma: SmaEmulator, faults?: Faults, durationSeconds = 20) {
  return sma.placeCall({ from: CALLER, to: DIALED, legs: 1, durationSeconds, faults });
}

function successOf(call: ReturnType<typeof place>): Ev {
  const record = acted(call).find((r) => r.eventType === 'ACTION_SUCCESSFUL' && ev(r).ActionData.Type === 'StartCallRecording');
  if (!record) throw new Error(`no StartCallRecording success in ${types(call).join(',')}`);
  return ev(record);
}

describe('StartCallRecording', () => {
  it('succeeds with CallRecordingDestination and delivers a stereo WAV with the documented key and metadata after hangup', async () => {
    const sma = emulator(recordingScript());
    const call = place(sma, undefined, 20);
    const summary = await call.ended;
    const success = successOf(call);
    expect(success.ActionData.Parameters).toEqual({ CallId: call.legA, Track: 'BOTH', Destination: { Type: 'S3', Location: BUCKET } });

    const location: string = success.ActionData.CallRecordingDestination.Location;
    expect(success.ActionData.CallRecordingDestination.Type).toBe('S3');
    const legStart = new Date(Number(ev(call.log[0]!).CallDetails.Participants[0].StartTimeInMilliseconds));
    const iso = legStart.toISOString(); // YYYY-MM-DDThh:mm:ss.SSSZ
    const [date, time] = [iso.slice(0, 10), iso.slice(11, 23)];
    const stamp = `${date}-${time.replace(/[:.]/g, '-')}`;
    expect(location).toBe(
      `${BUCKET}/Amazon-Chime-SMA-Call-Recordings/${date.replace(/-/g, '/')}/${stamp}_${call.transactionId}_${call.legA}.wav`,
    );

    const key = location.slice(BUCKET.length + 1);
    const h = await head(key);
    expect(h.ContentType).toBe('audio/wav');
    expect(h.Metadata).toEqual({
      'transaction-id': call.transactionId,
      'call-id': call.legA,
      'recording-duration': expect.stringMatching(/^\d+\.\d$/),
      'recording-audio-file-format': 'audio/wav',
    });
    const seconds = Number(h.Metadata!['recording-duration']);
    expect(seconds).toBeGreaterThan(17);
    expect(seconds).toBeLessThan(25);

    const wav = parseWavHeader(await body(key));
    expect(wav.channels).toBe(2);
    expect(wav.sampleRate).toBe(8000);
    expect(wav.durationSeconds).toBeCloseTo(summary.recordings[0]!.durationSeconds!, 3);
    expect(h.ContentLength).toBe(44 + wav.dataSize);
    expect(summary.recordings[0]).toMatchObject({ status: 'delivered', track: 'BOTH', location });
  });

  it('uses a given key prefix instead of the default one, and mono for a single track', async () => {
    const sma = emulator(recordingScript(`${BUCKET}/support/en/`, 'INCOMING'));
    const call = place(sma, undefined, 5);
    await call.ended;
    const location: string = successOf(call).ActionData.CallRecordingDestination.Location;
    expect(location).toMatch(
      new RegExp(
        `^${BUCKET}/support/en/\\d{4}/\\d{2}/\\d{2}/\\d{4}-\\d{2}-\\d{2}-\\d{2}-\\d{2}-\\d{2}-\\d{3}_${call.transactionId}_${call.legA}\\.wav$`,
      ),
    );
    expect(parseWavHeader(await body(location.slice(BUCKET.length + 1))).channels).toBe(1);
  });

  it('writes the object only after the call ends, plus deliveryDelaySeconds', async () => {
    let headAtHangup: unknown = 'not called';
    let location = '';
    const sma = emulator(async (e) => {
      if (e.InvocationEventType === 'ACTION_SUCCESSFUL') location = e.ActionData.CallRecordingDestination.Location;
      if (e.InvocationEventType === 'HANGUP') headAtHangup = await head(location.slice(BUCKET.length + 1)).catch((err: Error) => err.name);
      return recordingScript()(e);
    });
    const call = place(sma, { deliveryDelaySeconds: 300 }, 10);
    await waitFor(() => call.log.some((r) => r.eventType === 'HANGUP' && r.response !== undefined));
    expect(headAtHangup).toBe('NotFound');
    expect(call.recordings[0]!.status).toBe('stopped');
    const summary = await call.ended;
    const rec = summary.recordings[0]!;
    expect(rec.status).toBe('delivered');
    expect(rec.deliveredAtMs! - rec.stoppedAtMs!).toBeGreaterThanOrEqual(300_000);
    await expect(head(rec.key)).resolves.toMatchObject({ ContentType: 'audio/wav' });
  });

  it('writes nothing with dropRecording, a header-only WAV with emptyRecording, and overridden metadata', async () => {
    const dropped = place(emulator(recordingScript()), { dropRecording: true }, 5);
    const empty = place(emulator(recordingScript()), { emptyRecording: true, metadata: { 'call-id': 'other', extra: 'x' } }, 5);
    const [d, e] = await Promise.all([dropped.ended, empty.ended]);

    expect(d.recordings[0]!.status).toBe('dropped');
    await expect(head(d.recordings[0]!.key)).rejects.toMatchObject({ name: 'NotFound' });

    const h = await head(e.recordings[0]!.key);
    expect(h.ContentLength).toBe(44);
    expect(h.Metadata).toMatchObject({ 'call-id': 'other', extra: 'x', 'transaction-id': empty.transactionId });
    expect(parseWavHeader(await body(e.recordings[0]!.key)).dataSize).toBe(0);
  });

  it('fails the first attempts with faults.startRecording, in order, then succeeds', async () => {
    const sma = emulator(recordingScript());
    const call = place(sma, { startRecording: ['SystemException', 'SystemException', 'InvalidActionParameter'] }, 10);
    await call.ended;
    const outcomes = acted(call)
      .filter((r) => ev(r).ActionData?.Type === 'StartCallRecording')
      .map((r) => [r.eventType, ev(r).ActionData.ErrorType ?? null]);
    expect(outcomes).toEqual([
      ['ACTION_FAILED', 'SystemException'],
      ['ACTION_FAILED', 'SystemException'],
      ['ACTION_FAILED', 'InvalidActionParameter'],
      ['ACTION_SUCCESSFUL', null],
    ]);
    expect(call.recordings).toHaveLength(1);
  });

  it('reports NoAccessToDestination in the seed form (Error) and with ErrorType/ErrorMessage', async () => {
    const viaFault = place(emulator(recordingScript(BUCKET, 'BOTH', 1)), { startRecording: ['NoAccessToDestination'] }, 3);
    const viaMissingBucket = place(emulator(recordingScript('no-such-bucket/x', 'BOTH', 1)), undefined, 3);
    await Promise.all([viaFault.ended, viaMissingBucket.ended]);
    for (const call of [viaFault, viaMissingBucket]) {
      const failed = ev(acted(call).find((r) => r.eventType === 'ACTION_FAILED')!);
      expect(failed.ActionData).toMatchObject({
        Type: 'StartCallRecording',
        ErrorType: 'NoAccessToDestination',
        ErrorMessage: 'Error while accessing destination',
        Error: 'NoAccessToDestination: Error while accessing destination',
      });
      expect(call.recordings).toHaveLength(0);
    }
  });

  it.each([
    ['Track', { Track: 'LEFT' }, 'Track parameter for action is invalid'],
    ['Destination.Type', { Destination: { Type: 'EFS', Location: BUCKET } }, 'Destination.Type parameter for action is invalid'],
    [
      'Destination.Location',
      { Destination: { Type: 'S3', Location: 'Bad_Bucket' } },
      'Destination.Location parameter for action is invalid',
    ],
    ['CallId', { CallId: 'not-a-leg' }, 'CallId parameter for action is invalid'],
  ])('refuses an invalid %s with InvalidActionParameter', async (_name, override, message) => {
    const sma = emulator((e) =>
      e.InvocationEventType === 'NEW_INBOUND_CALL'
        ? respond([{ Type: 'StartCallRecording', Parameters: { ...startRecording(legId(e, 'LEG-A')).Parameters, ...override } }])
        : respond(),
    );
    const call = place(sma, undefined, 3);
    await call.ended;
    expect(types(call)).toEqual(['NEW_INBOUND_CALL', 'ACTION_FAILED', 'HANGUP']);
    expect(ev(acted(call)[1]!).ActionData).toMatchObject({ ErrorType: 'InvalidActionParameter', ErrorMessage: message });
  });

  it('starts recording once per leg: a second StartCallRecording on the same leg fails', async () => {
    const sma = emulator((e) => {
      if (e.InvocationEventType === 'NEW_INBOUND_CALL') return respond([startRecording(legId(e, 'LEG-A'))]);
      if (e.InvocationEventType === 'ACTION_SUCCESSFUL' && e.Sequence === 2)
        return respond([startRecording(legId(e, 'LEG-A'), 'second-bucket')]);
      return respond();
    });
    const call = place(sma, undefined, 5);
    const summary = await call.ended;
    expect(types(call)).toEqual(['NEW_INBOUND_CALL', 'ACTION_SUCCESSFUL', 'ACTION_FAILED', 'HANGUP']);
    expect(ev(acted(call)[2]!).ActionData.ErrorType).toBe('InvalidActionParameter');
    expect(summary.recordings.map((r) => r.bucket)).toEqual([BUCKET]);
    const inSecond = await fixture.twin().s3.send(new ListObjectsV2Command({ Bucket: 'second-bucket' }));
    expect(inSecond.KeyCount ?? 0).toBe(0);
  });

  it('stops at StopCallRecording (not at hangup), keeps paused time in the duration, and refuses a second start', async () => {
    const sma = emulator((e) => {
      const a = legId(e, 'LEG-A');
      if (e.InvocationEventType === 'NEW_INBOUND_CALL') {
        return respond([
          startRecording(a),
          { Type: 'Pause', Parameters: { CallId: a, DurationInMilliseconds: '2000' } },
          { Type: 'PauseCallRecording', Parameters: { CallId: a } },
          { Type: 'Pause', Parameters: { CallId: a, DurationInMilliseconds: '3000' } },
          { Type: 'ResumeCallRecording', Parameters: { CallId: a } },
          { Type: 'Pause', Parameters: { CallId: a, DurationInMilliseconds: '1000' } },
          { Type: 'StopCallRecording', Parameters: { CallId: a } },
        ]);
      }
      if (e.InvocationEventType === 'ACTION_SUCCESSFUL') return respond([startRecording(a)]);
      return respond();
    });
    const call = place(sma, undefined, 30);
    const summary = await call.ended;
    expect(types(call)).toEqual(['NEW_INBOUND_CALL', 'ACTION_SUCCESSFUL', 'ACTION_FAILED', 'HANGUP']);
    const rec = summary.recordings[0]!;
    expect(rec.durationSeconds).toBeGreaterThanOrEqual(6);
    expect(rec.durationSeconds).toBeLessThan(9); // stopped well before the 30 s hangup
    expect(Number((await head(rec.key)).Metadata!['recording-duration'])).toBeCloseTo(rec.durationSeconds!, 0);
  });
});

describe('consent notice faults', () => {
  it('fails the first N Speak actions with faults.consent, then speaks', async () => {
    const sma = emulator((e) => {
      const speakNow = () => respond([{ Type: 'Speak', Parameters: { CallId: legId(e, 'LEG-A'), Text: 'This call is recorded' } }]);
      if (e.InvocationEventType === 'NEW_INBOUND_CALL') return speakNow();
      if (e.InvocationEventType === 'ACTION_FAILED') return speakNow();
      return respond();
    });
    const call = place(sma, { consent: ['ActionExecutionThrottled', 'SystemException'] }, 10);
    await call.ended;
    expect(types(call)).toEqual(['NEW_INBOUND_CALL', 'ACTION_FAILED', 'ACTION_FAILED', 'ACTION_SUCCESSFUL', 'HANGUP']);
    expect(ev(acted(call)[1]!).ActionData).toMatchObject({
      Type: 'Speak',
      ErrorType: 'ActionExecutionThrottled',
      ErrorMessage: 'Amazon Polly is throttling the request to synthesize speech.',
    });
    expect(ev(acted(call)[2]!).ActionData.ErrorType).toBe('SystemException');
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > timeoutMs) throw new Error('waitFor: timed out');
    await new Promise((r) => setTimeout(r, 5));
  }
}
