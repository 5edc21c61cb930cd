/** SMA emulator: event shapes, Sequence, TransactionAttributes, action-list semantics, retries, duplicates. */
import { DEFAULT_SIM_EPOCH_MS } from '../../local/clock';
import {
  ACCOUNT,
  CALLER,
  DIALED,
  SMA_ID,
  acted,
  ev,
  hangupAction,
  legId,
  useEmulators,
  pause,
  respond,
  speak,
  types,
  type Script,
} from './helpers';

const fixture = useEmulators();
const emulator = fixture.emulator;

describe('event shapes', () => {
  it('sends NEW_INBOUND_CALL as the docs show it, then HANGUP for the caller', async () => {
    const sma = emulator(() => respond());
    const call = sma.placeCall({ transactionId: 'tx-shape', from: CALLER, to: DIALED, legs: 1, durationSeconds: 5 });
    expect(await call.connected).toBe(true);
    const summary = await call.ended;

    expect(types(call)).toEqual(['NEW_INBOUND_CALL', 'HANGUP']);
    const first = ev(call.log[0]!);
    expect(first).toEqual({
      SchemaVersion: '1.0',
      Sequence: 1,
      InvocationEventType: 'NEW_INBOUND_CALL',
      CallDetails: {
        TransactionId: 'tx-shape',
        AwsAccountId: ACCOUNT,
        AwsRegion: 'us-east-1',
        SipRuleId: expect.any(String),
        SipMediaApplicationId: SMA_ID,
        Participants: [
          {
            CallId: call.legA,
            ParticipantTag: 'LEG-A',
            To: DIALED,
            From: CALLER,
            Direction: 'Inbound',
            StartTimeInMilliseconds: expect.stringMatching(/^\d{13}$/),
            Status: 'Connected',
          },
        ],
      },
    });
    // The twin's clock starts at a fixed instant, so a seed gives the same start times every run.
    expect(Number(first.CallDetails.Participants[0].StartTimeInMilliseconds)).toBe(DEFAULT_SIM_EPOCH_MS);

    const hangup = ev(call.log[1]!);
    expect(hangup.Sequence).toBe(2);
    expect(hangup.ActionData).toEqual({ Type: 'Hangup', Parameters: { SipResponseCode: 0, CallId: call.legA, ParticipantTag: 'LEG-A' } });
    expect(hangup.CallDetails.Participants[0].Status).toBe('Disconnected');
    // One-leg call: the response to HANGUP is ignored.
    expect(call.log[1]!.ignored).toBe(true);
    expect(summary).toMatchObject({ transactionId: 'tx-shape', invocations: 2, aborted: false });
  });

  it('counts Sequence up by one per invocation and echoes the last TransactionAttributes map', async () => {
    const script: Script = (e) => {
      switch (e.Sequence) {
        case 1: // set
          return respond([pause(1000)], { step: 'one', keep: 'yes' });
        case 2: // omit: kept
          return respond([pause(1000)]);
        case 3: // replace with another map
          return respond([pause(1000)], { step: 'three' });
        case 4: // {} erases
          return respond([pause(1000)], {});
        default:
          return respond();
      }
    };
    const sma = emulator(script);
    const call = sma.placeCall({ from: CALLER, to: DIALED, legs: 1, durationSeconds: 60 });
    await waitFor(() => call.log.length >= 5);
    const evs = call.log.map(ev);
    expect(evs.slice(0, 5).map((e) => e.Sequence)).toEqual([1, 2, 3, 4, 5]);
    expect('TransactionAttributes' in evs[0]!.CallDetails).toBe(false);
    expect(evs[1]!.CallDetails.TransactionAttributes).toEqual({ step: 'one', keep: 'yes' });
    expect(evs[2]!.CallDetails.TransactionAttributes).toEqual({ step: 'one', keep: 'yes' });
    expect(evs[3]!.CallDetails.TransactionAttributes).toEqual({ step: 'three' });
    expect(evs[4]!.CallDetails.TransactionAttributes).toEqual({});
    expect(evs.slice(1, 5).every((e) => e.InvocationEventType === 'ACTION_SUCCESSFUL')).toBe(true);
  });
});

describe('action lists', () => {
  it('sends one ACTION_SUCCESSFUL after the last action, carrying that action', async () => {
    const sma = emulator((e) =>
      e.InvocationEventType === 'NEW_INBOUND_CALL' ? respond([pause(2000), speak(legId(e, 'LEG-A'), 'Hello there')]) : respond(),
    );
    const call = sma.placeCall({ from: CALLER, to: DIALED, legs: 1, durationSeconds: 30 });
    await call.connected;
    await waitFor(() => types(call).length >= 2);
    expect(types(call).slice(0, 2)).toEqual(['NEW_INBOUND_CALL', 'ACTION_SUCCESSFUL']);
    const success = ev(acted(call)[1]!);
    expect(success.ActionData).toEqual({
      Type: 'Speak',
      Parameters: { CallId: call.legA, Text: 'Hello there', Engine: 'neural', LanguageCode: 'en-US', VoiceId: 'Joanna' },
    });
    // Pause 2 s + Speak (>= 0.5 s) of virtual time passed before the event.
    expect(acted(call)[1]!.virtualMs - acted(call)[0]!.virtualMs).toBeGreaterThanOrEqual(2500);
  });

  it('on a failing action sends ACTION_FAILED and drops the rest of the list', async () => {
    const sma = emulator((e) =>
      e.InvocationEventType === 'NEW_INBOUND_CALL'
        ? respond([pause(500), { Type: 'Speak', Parameters: { CallId: legId(e, 'LEG-A') } }, pause(1000), speak(legId(e, 'LEG-A'))])
        : respond(),
    );
    const call = sma.placeCall({ from: CALLER, to: DIALED, legs: 1, durationSeconds: 20 });
    await call.ended;
    expect(types(call)).toEqual(['NEW_INBOUND_CALL', 'ACTION_FAILED', 'HANGUP']);
    expect(ev(acted(call)[1]!).ActionData).toEqual({
      Type: 'Speak',
      Parameters: { CallId: call.legA },
      ErrorType: 'MissingRequiredActionParameter',
      ErrorMessage: 'Text is a required parameter.',
    });
  });

  it('answers more than 10 actions, or an unknown action type, with INVALID_LAMBDA_RESPONSE', async () => {
    const sma = emulator((e) => {
      if (e.InvocationEventType === 'NEW_INBOUND_CALL')
        return respond(
          Array.from({ length: 11 }, () => pause(100)),
          { a: 'b' },
        );
      if (e.InvocationEventType === 'INVALID_LAMBDA_RESPONSE' && e.Sequence === 2) return respond([{ Type: 'SendDigits', Parameters: {} }]);
      return respond();
    });
    const call = sma.placeCall({ from: CALLER, to: DIALED, legs: 1, durationSeconds: 5 });
    await call.ended;
    expect(types(call)).toEqual(['NEW_INBOUND_CALL', 'INVALID_LAMBDA_RESPONSE', 'INVALID_LAMBDA_RESPONSE', 'HANGUP']);
    const invalid = ev(acted(call)[1]!);
    expect(invalid.ErrorType).toBe('TooManyActions');
    expect(invalid.ErrorMessage).toMatch(/11 actions/);
    expect(invalid.ActionData).toBeUndefined();
    // The refused response's TransactionAttributes were not applied.
    expect(invalid.CallDetails.TransactionAttributes).toBeUndefined();
    expect(ev(acted(call)[2]!).ErrorType).toBe('InvalidActionType');
    expect(call.log[0]!.ignored).toBe(true);
  });

  it('runs a Hangup action: HANGUP event, the rest of the list dropped, the response ignored', async () => {
    const sma = emulator((e) =>
      e.InvocationEventType === 'NEW_INBOUND_CALL' ? respond([hangupAction(legId(e, 'LEG-A'), 486), pause(1000)]) : respond([pause(1000)]),
    );
    const call = sma.placeCall({ from: CALLER, to: DIALED, legs: 1, durationSeconds: 60 });
    const summary = await call.ended;
    expect(types(call)).toEqual(['NEW_INBOUND_CALL', 'HANGUP']);
    expect(ev(acted(call)[1]!).ActionData.Parameters).toEqual({ SipResponseCode: 486, CallId: call.legA, ParticipantTag: 'LEG-A' });
    expect(await call.connected).toBe(false);
    expect(summary.participants[0]!.Status).toBe('Disconnected');
  });
});

describe('Lambda failures', () => {
  it('retries an invocation that throws, once, and goes on', async () => {
    let thrown = 0;
    const sma = emulator((e) => {
      if (e.InvocationEventType === 'NEW_INBOUND_CALL' && thrown++ === 0) throw new Error('cold start failure');
      return respond();
    });
    const call = sma.placeCall({ from: CALLER, to: DIALED, legs: 1, durationSeconds: 3 });
    expect(await call.connected).toBe(true);
    await call.ended;
    expect(call.log.map((r) => [r.sequence, r.eventType, r.attempt, r.error ?? null])).toEqual([
      [1, 'NEW_INBOUND_CALL', 1, 'Error: cold start failure'],
      [1, 'NEW_INBOUND_CALL', 2, null],
      [2, 'HANGUP', 1, null],
    ]);
  });

  it('retries an invocation that misses the (wall) timeout, then hangs up with SIP 480 when the retry fails too', async () => {
    const sma = emulator((e) => (e.InvocationEventType === 'NEW_INBOUND_CALL' ? new Promise(() => undefined) : respond()), {
      invocationTimeoutMs: 50,
    });
    const call = sma.placeCall({ from: CALLER, to: DIALED, legs: 1, durationSeconds: 30 });
    expect(await call.connected).toBe(false);
    const summary = await call.ended;
    expect(call.log.map((r) => [r.eventType, r.attempt, r.error ?? null])).toEqual([
      ['NEW_INBOUND_CALL', 1, 'no response within 50 ms'],
      ['NEW_INBOUND_CALL', 2, 'no response within 50 ms'],
      ['HANGUP', 1, null],
    ]);
    expect(ev(call.log[2]!).ActionData.Parameters.SipResponseCode).toBe(480);
    expect(summary.notes.join('\n')).toMatch(/SIP 480/);
  });

  it('delivers every event twice with duplicateEvents (same Sequence) and runs the retry response', async () => {
    const seen: Array<[number, string]> = [];
    const sma = emulator((e) => {
      seen.push([e.Sequence, e.InvocationEventType]);
      return e.InvocationEventType === 'NEW_INBOUND_CALL' ? respond([pause(500)], { n: String(seen.length) }) : respond();
    });
    const call = sma.placeCall({ from: CALLER, to: DIALED, legs: 1, durationSeconds: 5, faults: { duplicateEvents: true } });
    await call.ended;
    expect(seen).toEqual([
      [1, 'NEW_INBOUND_CALL'],
      [1, 'NEW_INBOUND_CALL'],
      [2, 'ACTION_SUCCESSFUL'],
      [2, 'ACTION_SUCCESSFUL'],
      [3, 'HANGUP'],
      [3, 'HANGUP'],
    ]);
    expect(call.log.map((r) => r.attempt)).toEqual([1, 2, 1, 2, 1, 2]);
    // The retry's response (the second delivery) is the one the SMA used.
    expect(ev(call.log[2]!).CallDetails.TransactionAttributes).toEqual({ n: '2' });
  });
});

describe('close', () => {
  it('cancels timers and ends unfinished calls as aborted; no more calls afterwards', async () => {
    const sma = emulator(() => respond());
    const call = sma.placeCall({ from: CALLER, to: DIALED, legs: 1, durationSeconds: 3600 });
    expect(await call.connected).toBe(true);
    await sma.close();
    const summary = await call.ended;
    expect(summary.aborted).toBe(true);
    expect(types(call)).toEqual(['NEW_INBOUND_CALL']);
    expect(sma.activeCalls()).toEqual([]);
    expect(() => sma.placeCall({ from: CALLER, to: DIALED, legs: 1, durationSeconds: 1 })).toThrow(/closed/);
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > timeoutMs) throw new Error('waitFor: timed out');
    await new Promise((r) => setTimeout(r, 5));
  }
}
