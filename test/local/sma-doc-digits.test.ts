/**
 * Issue 20, item 1: digits as the pages have them (README, "SMA rules the emulator enforces").
 * - listen-to-digits: "The SIP media application discards DTMF digits for the duration of a call until it
 *   receives a new ReceiveDigits action": one ReceiveDigits per call, one-shot by default (`receiveDigits`
 *   reading: `staysArmed` is the other); a DIGITS_RECEIVED answer acts like an update's.
 * - speak-and-get-digits / play-audio-get-digits (read 2026-12, docs/reference/sma-protocol.md): Repeat defaults
 *   to 1; MaxNumberOfDigits must be greater than MinNumberOfDigits; InBetweenDigitsDurationInMilliseconds ends
 *   an entry; digits are the call's, not a leg's.
 */
import type { SmaReadings } from '../../local/sma/emulator';
import type { CallHandle } from '../../local/sma/types';
import { CALLER, DIALED, acted, bridge, ev, legId, respond, types, useEmulators, type Ev, type Script } from './helpers';

const fixture = useEmulators();

const receive = (params: Record<string, unknown> = {}) => ({
  Type: 'ReceiveDigits',
  Parameters: {
    InputDigitsRegex: '^\\d$',
    InBetweenDigitsDurationInMilliseconds: 1000,
    FlushDigitsDurationInMilliseconds: 5000,
    ...params,
  },
});
const menu = (callId: string, extra: Record<string, unknown> = {}) => ({
  Type: 'SpeakAndGetDigits',
  // 30 characters: 2 s of speech at the emulator's 15 characters a second
  Parameters: {
    CallId: callId,
    SpeechParameters: { Text: 'For sales, press 1. Thank you.' },
    FailureSpeechParameters: { Text: 'Sorry.' },
    MaxNumberOfDigits: 3,
    RepeatDurationInMilliseconds: 3000,
    ...extra,
  },
});
const playAudio = (repeat: number) => ({
  Type: 'PlayAudio',
  Parameters: { Repeat: repeat, AudioSource: { Type: 'S3', BucketName: 'prompts', Key: 'hold.wav' } },
});

/** DIGITS_RECEIVED as [virtual ms from the call's start, ReceivedDigits, the armed action's regex]. */
function heard(call: CallHandle) {
  const t0 = call.log[0]!.virtualMs;
  return acted(call)
    .filter((r) => r.eventType === 'DIGITS_RECEIVED')
    .map((r) => [r.virtualMs - t0, ev(r).ActionData.ReceivedDigits, ev(r).ActionData.Parameters.InputDigitsRegex]);
}

function place(script: Script, spec: { legs?: 1 | 2; durationSeconds?: number; digits: [number, string][] }, readings?: SmaReadings) {
  return fixture.emulator(script, { readings }).placeCall({
    from: CALLER,
    to: DIALED,
    legs: spec.legs ?? 1,
    durationSeconds: spec.durationSeconds ?? 30,
    digits: spec.digits.map(([atSeconds, digits]) => ({ atSeconds, digits })),
  });
}

describe('rule 5: ReceiveDigits is one-shot, one per call (listen-to-digits)', () => {
  const armOnce: Script = (e) => (e.InvocationEventType === 'NEW_INBOUND_CALL' ? respond([receive()]) : respond());

  it('oneShot (default): after a DIGITS_RECEIVED nothing listens until a new ReceiveDigits', async () => {
    const call = place(armOnce, {
      digits: [
        [5, '4'],
        [20, '5'],
      ],
    });
    await call.ended;
    expect(heard(call)).toEqual([[6000, '4', '^\\d$']]);
    expect(call.notes).toContainEqual(expect.stringMatching(/digits "5" pressed 20 s after answer .* no ReceiveDigits armed/));
  });

  it('staysArmed: it keeps listening', async () => {
    const call = place(
      armOnce,
      {
        digits: [
          [5, '4'],
          [20, '5'],
        ],
      },
      { receiveDigits: 'staysArmed' },
    );
    await call.ended;
    expect(heard(call)).toEqual([
      [6000, '4', '^\\d$'],
      [21_000, '5', '^\\d$'],
    ]);
  });

  it("oneShot: re-armed in the DIGITS_RECEIVED answer (as AWS's on-demand-recording sample does), it hears the next key", async () => {
    const call = place((e) => respond(['NEW_INBOUND_CALL', 'DIGITS_RECEIVED'].includes(e.InvocationEventType) ? [receive()] : []), {
      digits: [
        [5, '4'],
        [20, '5'],
      ],
    });
    await call.ended;
    expect(heard(call).map((h) => h[1])).toEqual(['4', '5']);
  });

  /** Bridges, then arms `onBridged` (LEG-B answers 2 s after the CallAndBridge; digits count from then). */
  const bridged =
    (first: unknown[], onBridged: unknown[]): Script =>
    (e) => {
      if (e.InvocationEventType === 'NEW_INBOUND_CALL') return respond([...first, bridge()]);
      if (e.InvocationEventType === 'ACTION_SUCCESSFUL' && e.ActionData.Type === 'CallAndBridge') return respond(onBridged);
      return respond();
    };

  it("digits are the call's: a ReceiveDigits armed on LEG-B hears the caller's keys", async () => {
    const call = place(bridged([], [receive({ ParticipantTag: 'LEG-B' })]), { legs: 2, digits: [[5, '7']] });
    await call.ended;
    expect(heard(call)).toEqual([[8000, '7', '^\\d$']]);
    expect(ev(acted(call).find((r) => r.eventType === 'DIGITS_RECEIVED')!).ActionData.Parameters.ParticipantTag).toBe('LEG-B');
  });

  it('a ReceiveDigits armed on LEG-B replaces the one armed on LEG-A', async () => {
    const call = place(bridged([receive({ InputDigitsRegex: '^1$' })], [receive({ ParticipantTag: 'LEG-B', InputDigitsRegex: '^2$' })]), {
      legs: 2,
      digits: [[5, '2']],
    });
    await call.ended;
    expect(heard(call)).toEqual([[8000, '2', '^2$']]);
  });

  /** ReceiveDigits, PlayAudio 15 s, Pause 1 s; a key at 3 s; the DIGITS_RECEIVED answer is `answer`. */
  const holding =
    (answer: Record<string, unknown>): Script =>
    (e: Ev) => {
      if (e.InvocationEventType === 'NEW_INBOUND_CALL')
        return respond([receive(), playAudio(5), { Type: 'Pause', Parameters: { DurationInMilliseconds: 1000 } }]);
      if (e.InvocationEventType === 'DIGITS_RECEIVED') return { SchemaVersion: '1.0', ...answer };
      return respond();
    };
  const record = (call: CallHandle) =>
    call.actions.filter((a) => a.status !== 'not_run').map((a) => `${a.type}:${a.status}${a.keptByNull ? ':kept' : ''}`);

  it("its answer acts like an update's: a list interrupts the PlayAudio and replaces the queued Pause", async () => {
    const call = place(holding({ Actions: [receive()] }), { digits: [[3, '4']] });
    await call.ended;
    expect(types(call).slice(0, 4)).toEqual(['NEW_INBOUND_CALL', 'DIGITS_RECEIVED', 'ACTION_INTERRUPTED', 'ACTION_SUCCESSFUL']);
    expect(record(call)).toEqual(['ReceiveDigits:ok', 'PlayAudio:interrupted', 'ReceiveDigits:ok']);
  });

  it('its answer with a NULL action set keeps the PlayAudio and the queued Pause', async () => {
    const call = place(holding({ Actions: null }), { digits: [[3, '4']] });
    await call.ended;
    expect(types(call)).toEqual(['NEW_INBOUND_CALL', 'DIGITS_RECEIVED', 'ACTION_SUCCESSFUL', 'HANGUP']);
    expect(record(call)).toEqual(['ReceiveDigits:ok', 'PlayAudio:ok:kept', 'Pause:ok:kept']);
  });
});

describe('rule 6: digit collections (speak-and-get-digits, play-audio-get-digits)', () => {
  const once =
    (action: (e: Ev) => unknown): Script =>
    (e) =>
      e.InvocationEventType === 'NEW_INBOUND_CALL' ? respond([action(e)]) : respond();

  it('Repeat defaults to 1: nothing pressed, one attempt, then ACTION_FAILED', async () => {
    const call = place(
      once((e) => menu(legId(e, 'LEG-A'))),
      { digits: [] },
    );
    await call.ended;
    expect(types(call)).toContain('ACTION_FAILED');
    // 2 s prompt + 3 s wait + 0.5 s failure prompt
    expect(call.actions[0]!.endedAtMs! - call.actions[0]!.startedAtMs).toBe(5500);
  });

  it.each([
    ['equal to', 1, 1],
    ['below', 2, 1],
  ])('MaxNumberOfDigits %s MinNumberOfDigits: ACTION_FAILED InvalidActionParameter', async (_what, min, max) => {
    const call = place(
      once((e) => menu(legId(e, 'LEG-A'), { MinNumberOfDigits: min, MaxNumberOfDigits: max })),
      { digits: [] },
    );
    await call.ended;
    const failed = acted(call).find((r) => r.eventType === 'ACTION_FAILED')!;
    expect(ev(failed).ActionData).toMatchObject({ ErrorType: 'InvalidActionParameter' });
  });

  it('keys within InBetweenDigitsDurationInMilliseconds (default 3 s) are one entry, judged when it passes', async () => {
    const call = place(
      once((e) => menu(legId(e, 'LEG-A'))),
      {
        digits: [
          [1, '1'],
          [2.5, '2'],
        ],
      },
    );
    await call.ended;
    expect(call.actions[0]).toMatchObject({ status: 'ok', receivedDigits: '12' });
    expect(call.actions[0]!.endedAtMs! - call.actions[0]!.startedAtMs).toBe(5500);
  });

  it('a key after InBetweenDigitsDurationInMilliseconds is not part of the entry', async () => {
    const call = place(
      once((e) => menu(legId(e, 'LEG-A'), { InBetweenDigitsDurationInMilliseconds: 1000 })),
      {
        digits: [
          [1, '1'],
          [2.5, '2'],
        ],
      },
    );
    await call.ended;
    expect(call.actions[0]).toMatchObject({ status: 'ok', receivedDigits: '1' });
    expect(call.actions[0]!.endedAtMs! - call.actions[0]!.startedAtMs).toBe(2000);
  });

  it('an entry ends at once at a terminator or at MaxNumberOfDigits', async () => {
    const call = place(
      once((e) => menu(legId(e, 'LEG-A'))),
      { digits: [[1, '123']] },
    );
    await call.ended;
    expect(call.actions[0]).toMatchObject({ status: 'ok', receivedDigits: '123' });
    expect(call.actions[0]!.endedAtMs! - call.actions[0]!.startedAtMs).toBe(1000);
  });

  it("digits are the call's: the caller's key satisfies a collection on LEG-B", async () => {
    const call = place(
      (e) => {
        if (e.InvocationEventType === 'NEW_INBOUND_CALL') return respond([bridge()]);
        if (e.InvocationEventType === 'ACTION_SUCCESSFUL' && e.ActionData.Type === 'CallAndBridge')
          return respond([menu(legId(e, 'LEG-B'), { MaxNumberOfDigits: 1 })]);
        return respond();
      },
      { legs: 2, digits: [[1, '5']] },
    );
    await call.ended;
    expect(call.actions[1]).toMatchObject({ type: 'SpeakAndGetDigits', leg: 'LEG-B', status: 'ok', receivedDigits: '5' });
  });
});
