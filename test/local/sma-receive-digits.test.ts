/**
 * SMA emulator: ReceiveDigits (listen-to-digits, case-4): required parameters, ACTION_SUCCESSFUL at once with
 * ReceivedDigits "", armed for the rest of the call, DIGITS_RECEIVED InBetweenDigitsDurationInMilliseconds after
 * a matching press, the flush (assumed: sends what it buffered), replacement by a new ReceiveDigits, and a press
 * during a SpeakAndGetDigits reaching both (assumed).
 */
import { CALLER, DIALED, acted, ev, legId, respond, types, useEmulators, type Ev } from './helpers';

const fixture = useEmulators();

const receive = (params: Record<string, unknown> = {}) => ({
  Type: 'ReceiveDigits',
  Parameters: { InputDigitsRegex: '^9$', InBetweenDigitsDurationInMilliseconds: 1000, FlushDigitsDurationInMilliseconds: 5000, ...params },
});

/** The events the Lambda got, each with the virtual ms since the call started. */
function timeline(call: { log: readonly { virtualMs: number }[] }) {
  const t0 = call.log[0]!.virtualMs;
  return acted(call as never).map((r) => ({ at: r.virtualMs - t0, e: ev(r) }));
}

describe('ReceiveDigits', () => {
  it('succeeds at once with ReceivedDigits "", and a matching press gives DIGITS_RECEIVED after the in-between interval', async () => {
    const sma = fixture.emulator((e) =>
      e.InvocationEventType === 'NEW_INBOUND_CALL' ? respond([receive({ CallId: legId(e, 'LEG-A') })]) : respond(),
    );
    const call = sma.placeCall({ from: CALLER, to: DIALED, legs: 1, durationSeconds: 30, digits: [{ atSeconds: 10, digits: '9' }] });
    await call.ended;
    expect(types(call)).toEqual(['NEW_INBOUND_CALL', 'ACTION_SUCCESSFUL', 'DIGITS_RECEIVED', 'HANGUP']);
    const [, ok, digits] = timeline(call);
    expect(ok!.at).toBe(0);
    expect(ok!.e.ActionData).toEqual({
      Type: 'ReceiveDigits',
      Parameters: expect.objectContaining({ CallId: call.legA }),
      ReceivedDigits: '',
    });
    expect(digits!.at).toBe(11_000);
    expect(digits!.e.ActionData).toEqual({
      Type: 'ReceiveDigits',
      ReceivedDigits: '9',
      Parameters: {
        CallId: call.legA,
        InputDigitsRegex: '^9$',
        InBetweenDigitsDurationInMilliseconds: 1000,
        FlushDigitsDurationInMilliseconds: 5000,
      },
    });
  });

  it('stays armed (receiveDigits: staysArmed): every matching press invokes the Lambda, and the response runs (here a Hangup)', async () => {
    let seen = 0;
    const sma = fixture.emulator(
      (e) => {
        if (e.InvocationEventType === 'NEW_INBOUND_CALL') return respond([receive()]); // ParticipantTag default: LEG-A
        if (e.InvocationEventType === 'DIGITS_RECEIVED' && ++seen === 2)
          return respond([{ Type: 'Hangup', Parameters: { SipResponseCode: '0', ParticipantTag: 'LEG-A' } }]);
        return respond();
      },
      { readings: { receiveDigits: 'staysArmed' } },
    );
    const call = sma.placeCall({
      from: CALLER,
      to: DIALED,
      legs: 1,
      durationSeconds: 60,
      digits: [
        { atSeconds: 5, digits: '9' },
        { atSeconds: 20, digits: '9' },
      ],
    });
    const summary = await call.ended;
    expect(
      timeline(call)
        .filter((x) => x.e.InvocationEventType === 'DIGITS_RECEIVED')
        .map((x) => x.at),
    ).toEqual([6000, 21_000]);
    expect(summary.endedAtMs - call.log[0]!.virtualMs).toBe(21_000);
  });

  it('digits pressed apart within the in-between interval are one entry; the flush sends an entry that never matched (assumed)', async () => {
    const sma = fixture.emulator(
      (e) =>
        e.InvocationEventType === 'NEW_INBOUND_CALL'
          ? respond([receive({ InputDigitsRegex: '^\\d{2}#$', FlushDigitsDurationInMilliseconds: 4000 })])
          : respond(),
      { readings: { receiveDigits: 'staysArmed' } }, // one ReceiveDigits hears both entries
    );
    const call = sma.placeCall({
      from: CALLER,
      to: DIALED,
      legs: 1,
      durationSeconds: 60,
      digits: [
        { atSeconds: 2, digits: '1' },
        { atSeconds: 2.5, digits: '2#' },
        { atSeconds: 10, digits: '7' },
      ],
    });
    await call.ended;
    const got = timeline(call)
      .filter((x) => x.e.InvocationEventType === 'DIGITS_RECEIVED')
      .map((x) => [x.at, x.e.ActionData.ReceivedDigits]);
    // "12#" matches 1 s after its last key; "7" never matches and is flushed 4 s after it was pressed.
    expect(got).toEqual([
      [3500, '12#'],
      [14_000, '7'],
    ]);
  });

  it('a new ReceiveDigits replaces the armed one', async () => {
    const sma = fixture.emulator((e) => {
      if (e.InvocationEventType === 'NEW_INBOUND_CALL') return respond([receive({ InputDigitsRegex: '^1$' })]);
      if (e.InvocationEventType === 'DIGITS_RECEIVED')
        return respond([receive({ InputDigitsRegex: '^2$', FlushDigitsDurationInMilliseconds: 3000 })]);
      return respond();
    });
    const call = sma.placeCall({
      from: CALLER,
      to: DIALED,
      legs: 1,
      durationSeconds: 60,
      digits: [
        { atSeconds: 1, digits: '1' },
        { atSeconds: 5, digits: '1' },
        { atSeconds: 10, digits: '2' },
      ],
    });
    await call.ended;
    const got = timeline(call).filter((x) => x.e.InvocationEventType === 'DIGITS_RECEIVED');
    expect(got.map((x) => [x.at, x.e.ActionData.ReceivedDigits, x.e.ActionData.Parameters.InputDigitsRegex])).toEqual([
      [2000, '1', '^1$'],
      // The second '1' no longer matches (the old action would have sent it at 6 s): flushed 3 s after it.
      [8000, '1', '^2$'],
      [11_000, '2', '^2$'],
    ]);
  });

  it('a press during a SpeakAndGetDigits reaches both the collection and the armed ReceiveDigits (assumed)', async () => {
    const menu = (callId: string) => ({
      Type: 'SpeakAndGetDigits',
      Parameters: {
        CallId: callId,
        SpeechParameters: { Text: 'Press 9 to opt out.' },
        FailureSpeechParameters: { Text: 'Sorry.' },
        MaxNumberOfDigits: 1,
        Repeat: 1,
        RepeatDurationInMilliseconds: 5000,
      },
    });
    const sma = fixture.emulator((e) =>
      e.InvocationEventType === 'NEW_INBOUND_CALL' ? respond([receive({ CallId: legId(e, 'LEG-A') }), menu(legId(e, 'LEG-A'))]) : respond(),
    );
    const call = sma.placeCall({ from: CALLER, to: DIALED, legs: 1, durationSeconds: 30, digits: [{ atSeconds: 2, digits: '9' }] });
    await call.ended;
    const events = timeline(call).map((x) => [x.at, x.e.InvocationEventType, x.e.ActionData?.Type, x.e.ActionData?.ReceivedDigits]);
    expect(events).toEqual([
      [0, 'NEW_INBOUND_CALL', undefined, undefined],
      [2000, 'ACTION_SUCCESSFUL', 'SpeakAndGetDigits', '9'],
      [3000, 'DIGITS_RECEIVED', 'ReceiveDigits', '9'],
      [30_000, 'HANGUP', 'Hangup', undefined],
    ]);
  });

  it('with nothing armed (and no collection) a press is discarded and noted', async () => {
    const sma = fixture.emulator((e) => (e.InvocationEventType === 'NEW_INBOUND_CALL' ? respond([receive()]) : respond()));
    const call = sma.placeCall({ from: CALLER, to: DIALED, legs: 1, durationSeconds: 10, digits: [{ atSeconds: 3, digits: '5' }] });
    await call.ended;
    // '5' does not match '^9$' but the flush sends it; a second call without ReceiveDigits discards it.
    expect(types(call)).toContain('DIGITS_RECEIVED');
    const bare = fixture.emulator(() => respond([{ Type: 'Pause', Parameters: { DurationInMilliseconds: '100' } }]));
    const quiet = bare.placeCall({ from: CALLER, to: DIALED, legs: 1, durationSeconds: 10, digits: [{ atSeconds: 3, digits: '5' }] });
    await quiet.ended;
    expect(types(quiet)).not.toContain('DIGITS_RECEIVED');
    expect(quiet.notes).toContainEqual(
      expect.stringMatching(/digits "5" pressed 3 s after answer .* no ReceiveDigits armed: not received/),
    );
  });

  it.each([
    ['no InputDigitsRegex', { InputDigitsRegex: undefined }, 'MissingRequiredActionParameter'],
    ['a bad InputDigitsRegex', { InputDigitsRegex: '([' }, 'InvalidActionParameter'],
    ['no InBetweenDigitsDurationInMilliseconds', { InBetweenDigitsDurationInMilliseconds: undefined }, 'MissingRequiredActionParameter'],
    ['no FlushDigitsDurationInMilliseconds', { FlushDigitsDurationInMilliseconds: undefined }, 'MissingRequiredActionParameter'],
    ['a negative FlushDigitsDurationInMilliseconds', { FlushDigitsDurationInMilliseconds: -1 }, 'InvalidActionParameter'],
    ['an unknown CallId', { CallId: 'no-such-call' }, 'InvalidActionParameter'],
    ['a leg that is not there', { ParticipantTag: 'LEG-B' }, 'InvalidActionParameter'],
  ])('refuses %s (params %p) with ACTION_FAILED, and then is not armed', async (_name, params, errorType) => {
    const sma = fixture.emulator((e: Ev) => (e.InvocationEventType === 'NEW_INBOUND_CALL' ? respond([receive(params)]) : respond()));
    const call = sma.placeCall({ from: CALLER, to: DIALED, legs: 1, durationSeconds: 10, digits: [{ atSeconds: 3, digits: '9' }] });
    await call.ended;
    const failedEvent = acted(call)
      .map(ev)
      .find((e) => e.InvocationEventType === 'ACTION_FAILED');
    expect(failedEvent?.ActionData).toEqual(expect.objectContaining({ Type: 'ReceiveDigits', ErrorType: errorType }));
    expect(types(call)).not.toContain('DIGITS_RECEIVED');
  });
});
