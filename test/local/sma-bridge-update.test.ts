/** SMA emulator: two-leg bridge and hangup propagation; UpdateSipMediaApplicationCall through the real ChimeSDKVoiceClient. */
import { SimClock } from '../../local/clock';
import {
  BadRequestException,
  ChimeSDKVoiceClient,
  NotFoundException,
  UpdateSipMediaApplicationCallCommand,
} from '@aws-sdk/client-chime-sdk-voice';
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { startChimeVoiceServer, type ChimeVoiceServer } from '../../local/chime/server';
import type { SmaEmulator } from '../../local/sma/emulator';
import type { EmulatorLogger } from '../../local/sma/types';
import {
  AGENT,
  BUCKET,
  CALLER,
  DIALED,
  SMA_ID,
  acted,
  bridge,
  ev,
  hangupAction,
  legId,
  useEmulators,
  pause,
  respond,
  startRecording,
  types,
  type Script,
} from './helpers';

const fixture = useEmulators();
const emulator = (script: Script, clock?: SimClock) => fixture.emulator(script, { clock });

/** Bridges to the agent, records both legs once LEG-B answers, hangs up the other leg on the first HANGUP. */
const bridgingScript: Script = (e) => {
  switch (e.InvocationEventType) {
    case 'NEW_INBOUND_CALL':
      return respond([bridge()]);
    case 'ACTION_SUCCESSFUL':
      if (e.ActionData.Type === 'CallAndBridge')
        return respond([startRecording(legId(e, 'LEG-A')), startRecording(legId(e, 'LEG-B'), `${BUCKET}/agents`, 'OUTGOING')]);
      return respond();
    case 'HANGUP': {
      const other = e.CallDetails.Participants.find((p: { Status: string }) => p.Status === 'Connected');
      return respond(other ? [hangupAction(other.CallId)] : []);
    }
    default:
      return respond();
  }
};

describe('two-leg calls', () => {
  it('bridges LEG-B on CallAndBridge, connects when it answers, and propagates the hangup', async () => {
    // Slower clock: recording starts after LEG-B answers, which must beat the caller's hangup under load.
    const sma = emulator(bridgingScript);
    const call = sma.placeCall({ from: CALLER, to: DIALED, legs: 2, durationSeconds: 10 });
    expect(await call.connected).toBe(true);
    expect(call.participants().map((p) => [p.ParticipantTag, p.Direction, p.Status])).toEqual([
      ['LEG-A', 'Inbound', 'Connected'],
      ['LEG-B', 'Outbound', 'Connected'],
    ]);
    const summary = await call.ended;

    expect(types(call)).toEqual(['NEW_INBOUND_CALL', 'ACTION_SUCCESSFUL', 'ACTION_SUCCESSFUL', 'HANGUP', 'HANGUP']);
    const bridged = ev(acted(call)[1]!);
    // call-and-bridge: the success carries the LEG-A CallId in Parameters and LEG-B in Participants.
    expect(bridged.ActionData).toEqual({
      Type: 'CallAndBridge',
      Parameters: {
        CallTimeoutSeconds: 30,
        CallerIdNumber: CALLER,
        Endpoints: [{ BridgeEndpointType: 'PSTN', Uri: AGENT }],
        CallId: call.legA,
      },
    });
    const legB = bridged.CallDetails.Participants[1];
    expect(legB).toEqual({
      CallId: expect.any(String),
      ParticipantTag: 'LEG-B',
      To: AGENT,
      From: CALLER,
      Direction: 'Outbound',
      StartTimeInMilliseconds: expect.stringMatching(/^\d{13}$/),
      Status: 'Connected',
    });
    expect(Number(legB.StartTimeInMilliseconds)).toBeGreaterThanOrEqual(
      Number(bridged.CallDetails.Participants[0].StartTimeInMilliseconds),
    );

    // The caller hangs up first: HANGUP for LEG-A with LEG-B still connected; its response (Hangup LEG-B) is run.
    const [first, second] = acted(call).slice(3).map(ev);
    expect(first!.ActionData.Parameters).toEqual({ SipResponseCode: 0, CallId: call.legA, ParticipantTag: 'LEG-A' });
    expect(first!.CallDetails.Participants.map((p: { Status: string }) => p.Status)).toEqual(['Disconnected', 'Connected']);
    expect(second!.ActionData.Parameters).toEqual({ SipResponseCode: 0, CallId: legB.CallId, ParticipantTag: 'LEG-B' });
    expect(second!.CallDetails.Participants.map((p: { Status: string }) => p.Status)).toEqual(['Disconnected', 'Disconnected']);
    expect(call.log.at(-1)!.ignored).toBe(true);

    // Both legs recorded and delivered, each with its own key and call-id.
    expect(summary.recordings.map((r) => [r.participantTag, r.track, r.status])).toEqual([
      ['LEG-A', 'BOTH', 'delivered'],
      ['LEG-B', 'OUTGOING', 'delivered'],
    ]);
    expect(summary.recordings[1]!.key).toMatch(new RegExp(`^agents/.*_${call.transactionId}_${legB.CallId}\\.wav$`));
    const headB = await fixture.twin().s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: summary.recordings[1]!.key }));
    expect(headB.Metadata!['call-id']).toBe(legB.CallId);
    // The caller hangs up 10 s (virtual) after LEG-B answered; LEG-A's recording stops right then and its
    // duration is its own start-to-stop span (when it started depends on wall latency, scaled by the clock).
    const recA = summary.recordings[0]!;
    const answeredAt = Number(legB.StartTimeInMilliseconds);
    expect(recA.startedAtMs).toBeGreaterThanOrEqual(answeredAt);
    expect(recA.stoppedAtMs! - answeredAt).toBeGreaterThanOrEqual(10_000);
    expect(recA.stoppedAtMs! - answeredAt).toBeLessThan(11_500);
    expect(recA.durationSeconds).toBeCloseTo((recA.stoppedAtMs! - recA.startedAtMs) / 1000, 6);
  });

  it('has the far party hang up when the Lambda leaves LEG-B connected', async () => {
    const sma = emulator((e) => (e.InvocationEventType === 'NEW_INBOUND_CALL' ? respond([bridge()]) : respond()));
    const call = sma.placeCall({ from: CALLER, to: DIALED, legs: 2, durationSeconds: 3 });
    const summary = await call.ended;
    expect(types(call)).toEqual(['NEW_INBOUND_CALL', 'ACTION_SUCCESSFUL', 'HANGUP', 'HANGUP']);
    expect(call.log[2]!.ignored).toBeFalsy();
    expect(call.log[3]!.ignored).toBe(true);
    expect(summary.notes.join('\n')).toMatch(/LEG-B was left connected/);
  });

  it('stays 1-leg, with a note, when legs=2 but the Lambda returns no CallAndBridge', async () => {
    const sma = emulator(() => respond());
    const call = sma.placeCall({ from: CALLER, to: DIALED, legs: 2, durationSeconds: 2 });
    expect(await call.connected).toBe(true);
    const summary = await call.ended;
    expect(summary.participants).toHaveLength(1);
    expect(summary.notes.join('\n')).toMatch(/no CallAndBridge/);
  });

  it('fails CallAndBridge with CallNotAnswered on a 1-leg scenario', async () => {
    const sma = emulator((e) => (e.InvocationEventType === 'NEW_INBOUND_CALL' ? respond([bridge()]) : respond()));
    const call = sma.placeCall({ from: CALLER, to: DIALED, legs: 1, durationSeconds: 2 });
    await call.ended;
    expect(types(call)).toEqual(['NEW_INBOUND_CALL', 'ACTION_FAILED', 'HANGUP']);
    expect(ev(acted(call)[1]!).ActionData).toMatchObject({
      Type: 'CallAndBridge',
      ErrorType: 'CallNotAnswered',
      ErrorMessage: 'Call not answered',
    });
  });
});

describe('UpdateSipMediaApplicationCall', () => {
  let server: ChimeVoiceServer;
  let sma: SmaEmulator;
  let clock: SimClock;
  let client: ChimeSDKVoiceClient;
  const logged: string[] = [];
  const logger: EmulatorLogger = {
    info: (m, d) => logged.push(`${m} ${JSON.stringify(d)}`),
    warn: (m, d) => logged.push(`${m} ${JSON.stringify(d)}`),
    error: (m, d) => logged.push(`${m} ${JSON.stringify(d)}`),
  };
  const updates: Array<Record<string, string>> = [];

  beforeEach(async () => {
    updates.length = 0;
    clock = new SimClock();
    sma = emulator((e) => {
      switch (e.InvocationEventType) {
        case 'NEW_INBOUND_CALL':
          return respond([pause(600_000)]); // on hold until the update comes
        case 'CALL_UPDATE_REQUESTED':
          updates.push(e.ActionData.Parameters.Arguments);
          return respond([startRecording(legId(e, 'LEG-A'))], { pending: e.ActionData.Parameters.Arguments.taskToken });
        default:
          return respond();
      }
    }, clock);
    server = await startChimeVoiceServer({ emulator: sma, logger, clock });
    client = new ChimeSDKVoiceClient({
      endpoint: server.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'x', secretAccessKey: 'y' },
      maxAttempts: 1,
    });
  });
  afterEach(async () => {
    client.destroy();
    await server.close();
  });

  const send = (transactionId: string, args: Record<string, string>, smaId = SMA_ID) =>
    client.send(new UpdateSipMediaApplicationCallCommand({ SipMediaApplicationId: smaId, TransactionId: transactionId, Arguments: args }));

  it('answers 202 with the TransactionId, interrupts the Pause, and runs the returned actions', async () => {
    const call = sma.placeCall({ from: CALLER, to: DIALED, legs: 1, durationSeconds: 3600 });
    // Time stands still while the call is on hold, until the update has been accepted.
    const release = await clock.pauseWhen(() => call.log.length >= 1 && sma.activeCalls()[0]?.currentAction === 'Pause');
    expect(sma.activeCalls()).toEqual([
      {
        transactionId: call.transactionId,
        participants: [{ CallId: call.legA, ParticipantTag: 'LEG-A', Status: 'Connected' }],
        currentAction: 'Pause',
        queuedActions: 0,
        invocations: 1,
        pendingDeliveries: 0,
      },
    ]);
    const token = 'AQCEAAAAKgAAAAMAAAAAAAAAA'.repeat(8);
    const out = await send(call.transactionId, { command: 'StartRecording', taskToken: token }).finally(release);
    expect(out.$metadata.httpStatusCode).toBe(202);
    expect(out.SipMediaApplicationCall).toEqual({ TransactionId: call.transactionId });

    const released = await clock.pauseWhen(() => call.recordings.length === 1);
    expect(updates).toEqual([{ command: 'StartRecording', taskToken: token }]);
    expect(types(call)).toEqual(['NEW_INBOUND_CALL', 'CALL_UPDATE_REQUESTED', 'ACTION_INTERRUPTED', 'ACTION_SUCCESSFUL']);
    const update = ev(acted(call)[1]!);
    expect(update.ActionData).toEqual({
      Type: 'CallUpdateRequest',
      Parameters: { Arguments: { command: 'StartRecording', taskToken: token } },
    });
    expect(ev(acted(call)[2]!).ActionData).toEqual({ Type: 'Pause', Parameters: { DurationInMilliseconds: '600000' } });
    expect(acted(call)[2]!.ignored).toBe(true);
    expect(ev(acted(call)[3]!).CallDetails.TransactionAttributes).toEqual({ pending: token });
    // Task tokens never reach the logs.
    expect(logged.join('\n')).not.toContain(token);
    expect(logged.join('\n')).not.toContain(CALLER);
    released();
  });

  it('throws NotFoundException for a call that is over, an unknown transaction, or another SMA', async () => {
    const call = sma.placeCall({ from: CALLER, to: DIALED, legs: 1, durationSeconds: 1 });
    await waitFor(() => call.log.length >= 1);
    await expect(send(call.transactionId, {}, 'other-sma')).rejects.toBeInstanceOf(NotFoundException);
    await send(call.transactionId, { command: 'WaitForCallEnd', taskToken: 't1' });

    await call.ended;
    const err = await send(call.transactionId, { command: 'WaitForCallEnd' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NotFoundException);
    expect(err).toMatchObject({ name: 'NotFoundException', $metadata: { httpStatusCode: 404 } });
    await expect(send('no-such-transaction', {})).rejects.toBeInstanceOf(NotFoundException);
    expect(() => sma.updateCall(call.transactionId, {})).toThrow(/No active call/);
  });

  it('refuses more than 20 arguments and non-string values with BadRequestException; unknown routes get 404', async () => {
    const call = sma.placeCall({ from: CALLER, to: DIALED, legs: 1, durationSeconds: 3600 });
    await waitFor(() => call.log.length >= 1);
    const many = Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`k${i}`, 'v']));
    await expect(send(call.transactionId, many)).rejects.toBeInstanceOf(BadRequestException);

    const raw = await fetch(`${server.endpoint}/sip-media-applications/${SMA_ID}/calls/${call.transactionId}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ Arguments: { n: 1 } }),
    });
    expect(raw.status).toBe(400);
    expect(raw.headers.get('x-amzn-errortype')).toBe('BadRequestException');
    expect(await raw.json()).toEqual({ Message: expect.stringContaining('"n"') });

    const unknown = await fetch(`${server.endpoint}/nothing-here`);
    expect(unknown.status).toBe(404);
    expect(updates).toEqual([]);
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > timeoutMs) throw new Error('waitFor: timed out');
    await new Promise((r) => setTimeout(r, 5));
  }
}
