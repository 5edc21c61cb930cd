/**
 * The SMA's documented rules the emulator enforces (README, "SMA rules the emulator enforces"), and the faults
 * of issue 13 that bend them: the per-call update delay, a late StartCallRecording success, the adversarial
 * order of racing responses, Chime API errors per workflow step, and S3 reads refused with 403.
 * Times are virtual (the discrete-event clock): exact and the same on any machine.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ChimeSDKVoiceClient,
  ServiceUnavailableException,
  ThrottledClientException,
  UpdateSipMediaApplicationCallCommand,
} from '@aws-sdk/client-chime-sdk-voice';
import { HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { SimClock } from '../../local/clock';
import { startChimeVoiceServer } from '../../local/chime/server';
import { makeS3Client, startS3Server } from '../../local/s3/server';
import type { SmaEmulator } from '../../local/sma/emulator';
import type { CallHandle } from '../../local/sma/types';
import {
  BUCKET,
  CALLER,
  DIALED,
  SMA_ID,
  acted,
  ev,
  legId,
  makeEmulator,
  pause,
  respond,
  speak,
  startRecording,
  types,
  useEmulators,
  type Script,
} from './helpers';

const fixture = useEmulators();
const TEN_SECONDS_OF_SPEAK = 'x'.repeat(150); // 15 characters a second

/** Virtual ms of the first acted-on invocation of this type (and ActionData.Type), from the call's first event. */
function at(call: CallHandle, eventType: string, actionType?: string): number {
  const first = call.log[0]!.virtualMs;
  const record = acted(call).find((r) => r.eventType === eventType && (actionType === undefined || ev(r).ActionData?.Type === actionType));
  if (!record) throw new Error(`no ${eventType} ${actionType ?? ''} in ${types(call).join(', ')}`);
  return record.virtualMs - first;
}

describe('an update replaces the action set', () => {
  // The `reported` reading (the other, `silent`, is the default: test/local/sma-doc-rules.test.ts).
  it('lets an action that cannot be interrupted finish, reports it, and that response replaces the update list (replacedAction: reported)', async () => {
    const clock = new SimClock();
    const sma = fixture.emulator(
      (e) => {
        if (e.InvocationEventType === 'NEW_INBOUND_CALL') return respond([speak(legId(e, 'LEG-A'), TEN_SECONDS_OF_SPEAK), pause(1000)]);
        if (e.InvocationEventType === 'CALL_UPDATE_REQUESTED') return respond([pause(500), pause(700)]);
        return respond();
      },
      { clock, readings: { replacedAction: 'reported' } },
    );
    const call = sma.placeCall({ from: CALLER, to: DIALED, legs: 1, durationSeconds: 60 });
    const release = await clock.pauseWhen(() => sma.activeCalls()[0]?.currentAction === 'Speak');
    sma.updateCall(call.transactionId, { command: 'Test' });
    release();
    await call.ended;
    // Before: the update's Pauses ran after the Speak and ACTION_SUCCESSFUL reported the last Pause.
    expect(types(call)).toEqual(['NEW_INBOUND_CALL', 'CALL_UPDATE_REQUESTED', 'ACTION_SUCCESSFUL', 'HANGUP']);
    expect(ev(acted(call)[2]!).ActionData.Type).toBe('Speak');
    expect(at(call, 'ACTION_SUCCESSFUL')).toBe(10_000);
  });
});

describe('an inbound call that no action answers (case-1)', () => {
  it('ends 30 s after it arrived, as a HANGUP of LEG-A with SIP 480', async () => {
    const call = fixture.emulator(() => respond()).placeCall({ from: CALLER, to: DIALED, legs: 1, durationSeconds: 120 });
    const summary = await call.ended;
    // Before: an empty first list counted as answered and the call lasted its 120 s.
    expect(types(call)).toEqual(['NEW_INBOUND_CALL', 'HANGUP']);
    expect(at(call, 'HANGUP')).toBe(30_000);
    expect(ev(acted(call)[1]!).ActionData.Parameters.SipResponseCode).toBe(480);
    expect(summary.notes).toContain('no action answered the call within 30 s: the call attempt timed out');
  });

  it("is answered by the first action that runs, an update's included, and lasts its duration", async () => {
    const clock = new SimClock();
    const sma = fixture.emulator((e) => (e.InvocationEventType === 'CALL_UPDATE_REQUESTED' ? respond([pause(1000)]) : respond()), {
      clock,
    });
    const call = sma.placeCall({ from: CALLER, to: DIALED, legs: 1, durationSeconds: 120 });
    const release = await clock.pauseWhen(() => call.log.length >= 1);
    sma.updateCall(call.transactionId, { command: 'Test' });
    release();
    await call.ended;
    expect(at(call, 'HANGUP')).toBe(120_000);
    expect(ev(acted(call).at(-1)!).ActionData.Parameters.SipResponseCode).toBe(0);
  });
});

describe('TransactionAttributes within the strictest documented limit', () => {
  const attrs = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, 'v']));

  it('takes 10 mappings and answers 11 with INVALID_LAMBDA_RESPONSE (TransactionAttributesInvalidMapSize)', async () => {
    const script: Script = (e) => {
      if (e.InvocationEventType === 'NEW_INBOUND_CALL') return respond([pause(500)], attrs(10));
      if (e.InvocationEventType === 'ACTION_SUCCESSFUL') return respond([], attrs(11));
      return respond();
    };
    const call = fixture.emulator(script).placeCall({ from: CALLER, to: DIALED, legs: 1, durationSeconds: 5 });
    await call.ended;
    // Before: the limit was 100, and 11 mappings were taken.
    expect(types(call)).toEqual(['NEW_INBOUND_CALL', 'ACTION_SUCCESSFUL', 'INVALID_LAMBDA_RESPONSE', 'HANGUP']);
    const invalid = ev(acted(call)[2]!);
    expect(invalid.ErrorType).toBe('TransactionAttributesInvalidMapSize');
    expect(invalid.ErrorMessage).toContain('Maximum number of mappings is 10');
    expect(Object.keys(invalid.CallDetails.TransactionAttributes)).toHaveLength(10);
  });
});

describe('faults.updateDelaySeconds', () => {
  it('delivers CALL_UPDATE_REQUESTED that long after the 202 (default 0.2 s)', async () => {
    const clock = new SimClock();
    const sma = fixture.emulator((e) => (e.InvocationEventType === 'NEW_INBOUND_CALL' ? respond([pause(600_000)]) : respond()), { clock });
    const delayed = sma.placeCall({ from: CALLER, to: DIALED, legs: 1, durationSeconds: 30, faults: { updateDelaySeconds: 2 } });
    const normal = sma.placeCall({ from: CALLER, to: DIALED, legs: 1, durationSeconds: 30 });
    const release = await clock.pauseWhen(() => delayed.log.length >= 1 && normal.log.length >= 1);
    sma.updateCall(delayed.transactionId, { command: 'Test' });
    sma.updateCall(normal.transactionId, { command: 'Test' });
    release();
    await Promise.all([delayed.ended, normal.ended]);
    expect(at(delayed, 'CALL_UPDATE_REQUESTED')).toBe(2000);
    expect(at(normal, 'CALL_UPDATE_REQUESTED')).toBe(200);
  });
});

describe('faults.startRecordingDelaySeconds', () => {
  it("sends the first StartCallRecording's ACTION_SUCCESSFUL that long after the action; the leg records once", async () => {
    const script: Script = (e) => {
      if (e.InvocationEventType === 'NEW_INBOUND_CALL') return respond([startRecording(legId(e, 'LEG-A'))]);
      if (e.InvocationEventType === 'ACTION_SUCCESSFUL' && e.ActionData.Type === 'StartCallRecording')
        return respond([startRecording(legId(e, 'LEG-A'))]);
      return respond();
    };
    const call = fixture
      .emulator(script)
      .placeCall({ from: CALLER, to: DIALED, legs: 1, durationSeconds: 120, faults: { startRecordingDelaySeconds: 40 } });
    const summary = await call.ended;
    expect(types(call)).toEqual(['NEW_INBOUND_CALL', 'ACTION_SUCCESSFUL', 'ACTION_FAILED', 'HANGUP']);
    expect(at(call, 'ACTION_SUCCESSFUL', 'StartCallRecording')).toBe(40_000);
    // "You can only start and stop recording once for an individual call leg" (sip-apps-call-record).
    expect(ev(acted(call)[2]!).ActionData).toMatchObject({
      ErrorType: 'InvalidActionParameter',
      ErrorMessage: 'Call recording was already started on this call leg',
    });
    expect(summary.recordings).toHaveLength(1);
    expect(summary.recordings[0]!.startedAtMs - call.log[0]!.virtualMs).toBe(40_000);
  });
});

describe('faults.raceUpdates (the adversarial order of racing responses)', () => {
  // The realistic trigger: the Lambda completes a task token inside an invocation, and the workflow asks for the
  // next update at once, while that invocation's response is still on its way to the SMA.
  let sma: SmaEmulator;
  const script: Script = (e) => {
    switch (e.InvocationEventType) {
      case 'NEW_INBOUND_CALL':
        return respond([pause(1000)], { step: 'new' });
      case 'ACTION_SUCCESSFUL':
        if (e.ActionData.Type !== 'Pause') return respond();
        sma.noteTaskCallback(e.CallDetails.TransactionId); // the Lambda completes a task token...
        sma.updateCall(e.CallDetails.TransactionId, { command: 'Test' }); // ...and the workflow asks at once
        return respond([], { step: 'paused' });
      case 'CALL_UPDATE_REQUESTED':
        return respond([speak(legId(e, 'LEG-A')), speak(legId(e, 'LEG-A'), 'Second notice.')], {
          ...e.CallDetails.TransactionAttributes,
          token: 'parked',
        });
      default:
        return respond();
    }
  };
  async function run(raceUpdates: boolean) {
    // `reported`: the first Speak, whose list the late response replaces, is reported (under the default it is not).
    sma = fixture.emulator(script, { clock: new SimClock(), readings: { replacedAction: 'reported' } });
    const call = sma.placeCall({ from: CALLER, to: DIALED, legs: 1, durationSeconds: 30, faults: { raceUpdates } });
    await call.ended;
    const update = ev(acted(call).find((r) => r.eventType === 'CALL_UPDATE_REQUESTED')!);
    const spoken = acted(call).find((r) => r.eventType === 'ACTION_SUCCESSFUL' && ev(r).ActionData.Type === 'Speak');
    return { call, update, spoken: spoken && ev(spoken) };
  }

  it('an update that follows no callback does not race, even with the fault', async () => {
    sma = fixture.emulator(
      (e) =>
        e.InvocationEventType === 'NEW_INBOUND_CALL'
          ? respond([pause(1000)], { step: 'new' })
          : e.InvocationEventType === 'CALL_UPDATE_REQUESTED'
            ? respond([speak(legId(e, 'LEG-A'))], { ...e.CallDetails.TransactionAttributes, token: 'parked' })
            : respond(),
      { clock: new SimClock() },
    );
    const call = sma.placeCall({ from: CALLER, to: DIALED, legs: 1, durationSeconds: 30, faults: { raceUpdates: true } });
    await call.connected;
    sma.updateCall(call.transactionId, { command: 'Test' });
    await call.ended;
    expect(call.notes.some((n) => n.startsWith('race:'))).toBe(false);
  });

  it('in order: the update sees the latest attributes and its whole list runs', async () => {
    const { update, spoken } = await run(false);
    expect(update.CallDetails.TransactionAttributes).toEqual({ step: 'paused' });
    expect(spoken!.ActionData.Parameters.Text).toBe('Second notice.');
    expect(spoken!.CallDetails.TransactionAttributes).toEqual({ step: 'paused', token: 'parked' });
  });

  it("raced: the update sees the earlier invocation's attributes, and the earlier response, applied last, drops the parked token and the queued action", async () => {
    const { call, update, spoken } = await run(true);
    expect(update.CallDetails.TransactionAttributes).toEqual({ step: 'new' });
    expect(spoken!.ActionData.Parameters.Text).toBe('This call is recorded.');
    expect(spoken!.CallDetails.TransactionAttributes).toEqual({ step: 'paused' });
    expect(call.notes.some((n) => /^race: the response to invocation 2 was applied after the update's/.test(n))).toBe(true);
  });
});

describe('faults.updateCall through the Chime API', () => {
  it('answers the requests of that workflow step with the errors in order, then accepts; other steps are untouched', async () => {
    const clock = new SimClock();
    const sma = fixture.emulator((e) => (e.InvocationEventType === 'NEW_INBOUND_CALL' ? respond([pause(600_000)]) : respond()), { clock });
    const server = await startChimeVoiceServer({ emulator: sma, clock });
    const client = new ChimeSDKVoiceClient({
      endpoint: server.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'x', secretAccessKey: 'y' },
      maxAttempts: 1,
    });
    try {
      const call = sma.placeCall({
        from: CALLER,
        to: DIALED,
        legs: 1,
        durationSeconds: 60,
        faults: { updateCall: { ControlRecording: ['ThrottledClientException', 'ServiceUnavailableException'] } },
      });
      const release = await clock.pauseWhen(() => call.log.length >= 1);
      const send = (command: string) =>
        client.send(
          new UpdateSipMediaApplicationCallCommand({
            SipMediaApplicationId: SMA_ID,
            TransactionId: call.transactionId,
            Arguments: { command, taskToken: 't' },
          }),
        );
      try {
        expect((await send('NotifyConsent')).$metadata.httpStatusCode).toBe(202);
        const first = await send('ControlRecording').catch((e: unknown) => e);
        expect(first).toBeInstanceOf(ThrottledClientException);
        expect(first).toMatchObject({ $metadata: { httpStatusCode: 429 } });
        const second = await send('ControlRecording').catch((e: unknown) => e);
        expect(second).toBeInstanceOf(ServiceUnavailableException);
        expect(second).toMatchObject({ $metadata: { httpStatusCode: 503 } });
        expect((await send('ControlRecording')).$metadata.httpStatusCode).toBe(202);
      } finally {
        release();
      }
      await call.ended;
      expect(types(call).filter((t) => t === 'CALL_UPDATE_REQUESTED')).toHaveLength(2);
    } finally {
      client.destroy();
      await server.close();
    }
  });
});

describe('faults.verifyAccessDenied through the S3 twin', () => {
  it("refuses HeadObject of that call's recording with 403 while the emulator's write lands; other objects read as usual", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'twin-s3-deny-'));
    let sma: SmaEmulator | undefined;
    const server = await startS3Server({ dataDir, buckets: [BUCKET], denyRead: (b, k) => sma?.readDenied(b, k) ?? false });
    const s3 = makeS3Client(server.endpoint);
    try {
      sma = makeEmulator(s3, (e) =>
        e.InvocationEventType === 'NEW_INBOUND_CALL' ? respond([startRecording(legId(e, 'LEG-A'))]) : respond(),
      );
      const denied = sma.placeCall({ from: CALLER, to: DIALED, legs: 1, durationSeconds: 5, faults: { verifyAccessDenied: true } });
      const allowed = sma.placeCall({ from: CALLER, to: DIALED, legs: 1, durationSeconds: 5 });
      const [d, a] = await Promise.all([denied.ended, allowed.ended]);
      expect(d.recordings[0]!.status).toBe('delivered');
      const head = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: d.recordings[0]!.key })).catch((e: unknown) => e);
      expect(head).toMatchObject({ $metadata: { httpStatusCode: 403 } });
      expect((await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: a.recordings[0]!.key }))).ContentType).toBe('audio/wav');
      // A key that merely looks like a recording of that call is not refused.
      const lookalike = d.recordings[0]!.key.replace(/\.wav$/, '.manifest.json');
      await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: lookalike, Body: '{}' }));
      expect((await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: lookalike }))).$metadata.httpStatusCode).toBe(200);
    } finally {
      await sma?.close();
      s3.destroy();
      await server.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
