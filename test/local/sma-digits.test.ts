/**
 * SMA emulator: SpeakAndGetDigits / PlayAudioAndGetDigits (speak-and-get-digits, play-audio-and-get-digits):
 * required parameters, ReceivedDigits on success, ACTION_FAILED when no valid entry comes, the caller's key
 * presses (CallSpec.digits, counted from answer), an update interrupting the collection, the actions record.
 */
import { CALLER, DIALED, ev, legId, respond, startRecording, types, useEmulators, type Ev } from './helpers';
import { DIGITS_NOT_RECEIVED } from '../../local/sma/emulator';

const fixture = useEmulators();
const emulator = fixture.emulator;

const menu = (callId: string, extra: Record<string, unknown> = {}) => ({
  Type: 'SpeakAndGetDigits',
  // 30 characters: 2 s of speech at the emulator's 15 characters a second
  Parameters: {
    CallId: callId,
    SpeechParameters: { Text: 'For sales, press 1. Thank you.' },
    FailureSpeechParameters: { Text: 'Sorry.' },
    MaxNumberOfDigits: 1, // MinNumberOfDigits 0: Max must be greater than Min
    Repeat: 1,
    RepeatDurationInMilliseconds: 3000,
    ...extra,
  },
});
const playMenu = (callId: string) => ({
  Type: 'PlayAudioAndGetDigits',
  Parameters: {
    CallId: callId,
    AudioSource: { Type: 'S3', BucketName: 'prompts', Key: 'menu.wav' },
    FailureAudioSource: { Type: 'S3', BucketName: 'prompts', Key: 'sorry.wav' },
    RepeatDurationInMilliseconds: 3000,
    Repeat: 1,
  },
});
/** The handler: the menu on NEW_INBOUND_CALL, nothing afterwards. */
const once = (action: (callId: string) => unknown) => (e: Ev) =>
  e.InvocationEventType === 'NEW_INBOUND_CALL' ? respond([action(legId(e, 'LEG-A'))]) : respond();

describe('SpeakAndGetDigits / PlayAudioAndGetDigits', () => {
  it('a key pressed during the prompt (barge-in): ACTION_SUCCESSFUL with ReceivedDigits, terminator removed', async () => {
    const sma = emulator(once((id) => menu(id, { MaxNumberOfDigits: 3 })));
    const call = sma.placeCall({ from: CALLER, to: DIALED, legs: 1, durationSeconds: 20, digits: [{ atSeconds: 1, digits: '12#' }] });
    await call.ended;
    const success = call.log.map(ev).find((e) => e.InvocationEventType === 'ACTION_SUCCESSFUL')!;
    expect(success.ActionData).toEqual(expect.objectContaining({ Type: 'SpeakAndGetDigits', ReceivedDigits: '12' }));
    expect(call.actions[0]).toEqual(expect.objectContaining({ type: 'SpeakAndGetDigits', status: 'ok', receivedDigits: '12' }));
    expect(call.actions[0]!.endedAtMs! - call.actions[0]!.startedAtMs).toBe(1000);
  });

  it('nothing pressed: prompt, wait, failure prompt, then ACTION_FAILED after Repeat attempts', async () => {
    const sma = emulator(once((id) => menu(id, { Repeat: 2 })));
    const call = sma.placeCall({ from: CALLER, to: DIALED, legs: 1, durationSeconds: 60 });
    await call.ended;
    const failed = call.log.map(ev).find((e) => e.InvocationEventType === 'ACTION_FAILED')!;
    expect(failed.ActionData).toEqual(expect.objectContaining({ Type: 'SpeakAndGetDigits', ErrorType: DIGITS_NOT_RECEIVED }));
    // two attempts of (2 s prompt + 3 s wait + 0.5 s failure prompt)
    expect(call.actions[0]!.endedAtMs! - call.actions[0]!.startedAtMs).toBe(11_000);
  });

  it('a wrong entry (InputDigitsRegex) is not received; the right one on the next attempt is', async () => {
    const sma = emulator(once((id) => menu(id, { Repeat: 2, InputDigitsRegex: '^[12]$' })));
    const call = sma.placeCall({
      from: CALLER,
      to: DIALED,
      legs: 1,
      durationSeconds: 60,
      digits: [
        { atSeconds: 1, digits: '7' },
        { atSeconds: 4, digits: '2' },
      ],
    });
    await call.ended;
    expect(call.actions[0]).toEqual(expect.objectContaining({ status: 'ok', receivedDigits: '2' }));
  });

  it('a key pressed when no collection runs is lost, and a note says so', async () => {
    const sma = emulator(once((id) => menu(id)));
    const call = sma.placeCall({ from: CALLER, to: DIALED, legs: 1, durationSeconds: 30, digits: [{ atSeconds: 20, digits: '1' }] });
    await call.ended;
    expect(call.notes).toContainEqual(expect.stringMatching(/digits "1" pressed 20 s after answer with no digit collection running/));
  });

  it.each([
    ['RepeatDurationInMilliseconds', { RepeatDurationInMilliseconds: undefined }, 'MissingRequiredActionParameter'],
    ['SpeechParameters.Text', { SpeechParameters: {} }, 'MissingRequiredActionParameter'],
    ['FailureSpeechParameters.Text', { FailureSpeechParameters: undefined }, 'MissingRequiredActionParameter'],
    ['InputDigitsRegex', { InputDigitsRegex: '([' }, 'InvalidActionParameter'],
    ['MaxNumberOfDigits below MinNumberOfDigits', { MinNumberOfDigits: 3, MaxNumberOfDigits: 2 }, 'InvalidActionParameter'],
    ['MaxNumberOfDigits equal to MinNumberOfDigits', { MinNumberOfDigits: 1, MaxNumberOfDigits: 1 }, 'InvalidActionParameter'],
    ['InBetweenDigitsDurationInMilliseconds', { InBetweenDigitsDurationInMilliseconds: 0 }, 'InvalidActionParameter'],
  ])('missing or bad %s: ACTION_FAILED at once', async (_name, change, errorType) => {
    const sma = emulator(once((id) => menu(id, change)));
    const call = sma.placeCall({ from: CALLER, to: DIALED, legs: 1, durationSeconds: 10 });
    await call.ended;
    const failed = call.log.map(ev).find((e) => e.InvocationEventType === 'ACTION_FAILED')!;
    expect(failed.ActionData.ErrorType).toBe(errorType);
  });

  it('PlayAudioAndGetDigits: AudioSource and FailureAudioSource required; digits received like SpeakAndGetDigits', async () => {
    const ok = emulator(once(playMenu));
    const good = ok.placeCall({ from: CALLER, to: DIALED, legs: 1, durationSeconds: 10, digits: [{ atSeconds: 2, digits: '2' }] });
    await good.ended;
    expect(good.actions[0]).toEqual(expect.objectContaining({ type: 'PlayAudioAndGetDigits', status: 'ok', receivedDigits: '2' }));
    const bad = emulator(once((id) => ({ ...playMenu(id), Parameters: { ...playMenu(id).Parameters, FailureAudioSource: undefined } })));
    const refused = bad.placeCall({ from: CALLER, to: DIALED, legs: 1, durationSeconds: 10 });
    await refused.ended;
    expect(refused.log.map(ev).find((e) => e.InvocationEventType === 'ACTION_FAILED')!.ActionData.ErrorType).toBe('InvalidAudioSource');
  });

  it('an update does not interrupt the collection: it runs to its end (not reported), then the update list runs', async () => {
    const sma = emulator((e) => {
      if (e.InvocationEventType === 'NEW_INBOUND_CALL') return respond([menu(legId(e, 'LEG-A'))]);
      if (e.InvocationEventType === 'CALL_UPDATE_REQUESTED') return respond([startRecording(legId(e, 'LEG-A'))]);
      return respond();
    });
    const call = sma.placeCall({ from: CALLER, to: DIALED, legs: 1, durationSeconds: 10 });
    expect(await call.connected).toBe(true);
    sma.updateCall(call.transactionId, { go: '1' });
    await call.ended;
    // update-sip-call: "Types of interruptible actions: PlayAudio, RecordAudio, Pause".
    expect(types(call).slice(0, 3)).toEqual(['NEW_INBOUND_CALL', 'CALL_UPDATE_REQUESTED', 'ACTION_SUCCESSFUL']);
    expect(call.actions.map((a) => `${a.type}:${a.status}`)).toEqual(['SpeakAndGetDigits:failed', 'StartCallRecording:ok']);
    // prompt 2 s + wait 3 s + failure prompt 0.5 s, then the recording starts
    expect(call.actions[1]!.startedAtMs - call.actions[0]!.startedAtMs).toBe(5500);
  });
});
