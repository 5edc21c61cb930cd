/** How the call flow tells the recording's actions from the application's, by the action alone (call-flow.ts). */
import { byOf, callFlowOf } from '../../local/scenario/call-flow';

const SIG = { consentText: 'This call is recorded.', keypadRegex: '^[567]$' };

it("the recording types, the notice by its text and the keypad ReceiveDigits by its pattern are the recording's", () => {
  expect(byOf({ type: 'StopCallRecording', parameters: { CallId: 'a' } }, SIG)).toBe('recording');
  expect(byOf({ type: 'Speak', parameters: { Text: 'This call is recorded.' } }, SIG)).toBe('recording');
  expect(byOf({ type: 'SpeakAndGetDigits', parameters: { SpeechParameters: { Text: 'This call is recorded.' } } }, SIG)).toBe('recording');
  expect(byOf({ type: 'ReceiveDigits', parameters: { InputDigitsRegex: '^[567]$' } }, SIG)).toBe('recording');
});

it("everything else is the application's: its own prompts, its own ReceiveDigits, keypad controls off", () => {
  expect(byOf({ type: 'Speak', parameters: { Text: 'Welcome. Press 1 for sales.' } }, SIG)).toBe('app');
  expect(byOf({ type: 'SpeakAndGetDigits', parameters: { SpeechParameters: { Text: 'Press 1.' } } }, SIG)).toBe('app');
  expect(byOf({ type: 'ReceiveDigits', parameters: { InputDigitsRegex: '^[0-9]$' } }, SIG)).toBe('app');
  expect(byOf({ type: 'ReceiveDigits', parameters: { InputDigitsRegex: '^[567]$' } }, { consentText: 'x' })).toBe('app');
  expect(byOf({ type: 'CallAndBridge', parameters: {} }, SIG)).toBe('app');
});

it("times count from LEG-A's arrival; legs by CallId; statuses map to the five results", () => {
  const flow = callFlowOf(
    {
      participants: [
        { CallId: 'a', ParticipantTag: 'LEG-A', StartTimeInMilliseconds: '10000' },
        { CallId: 'b', ParticipantTag: 'LEG-B', StartTimeInMilliseconds: '12000' },
      ],
      actions: [
        { type: 'CallAndBridge', startedAtMs: 10_000, endedAtMs: 12_000, status: 'ok', parameters: {} },
        { type: 'Pause', startedAtMs: 12_000, endedAtMs: 12_500, status: 'interrupted', callId: 'b', parameters: { CallId: 'b' } },
        { type: 'Speak', startedAtMs: 12_500, endedAtMs: 12_500, status: 'not_run', parameters: { CallId: 'a', Text: 'x' } },
        { type: 'Speak', startedAtMs: 13_000, endedAtMs: 14_000, status: 'aborted', callId: 'a', parameters: { CallId: 'a', Text: 'y' } },
        { type: 'Hangup', startedAtMs: 14_000, endedAtMs: 14_000, status: 'hangup', callId: 'b', parameters: { CallId: 'b' } },
        {
          type: 'Speak',
          startedAtMs: 14_000,
          endedAtMs: 14_000,
          status: 'failed',
          errorType: 'SystemException',
          parameters: { CallId: 'gone' },
        },
      ],
      recordings: [],
    },
    SIG,
  );
  expect(flow.actions.map((a) => [a.type, a.leg, a.atSeconds, a.endSeconds, a.result])).toEqual([
    ['CallAndBridge', 'LEG-A', 0, 2, 'SUCCEEDED'],
    ['Pause', 'LEG-B', 2, 2.5, 'INTERRUPTED'],
    ['Speak', 'LEG-A', 2.5, 2.5, 'NOT_RUN'],
    ['Speak', 'LEG-A', 3, 4, 'HUNG_UP'],
    ['Hangup', 'LEG-B', 4, 4, 'SUCCEEDED'],
    ['Speak', null, 4, 4, 'FAILED'],
  ]);
  expect(flow.actions[5]!.errorType).toBe('SystemException');
  expect(flow).toMatchObject({ bridged: true, recordingStartedAtSeconds: null });
});
