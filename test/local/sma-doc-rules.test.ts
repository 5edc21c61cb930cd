/**
 * Issue 20, item 1: the SMA's documented contract for action lists (README, "SMA rules the emulator enforces"),
 * and where the pages are silent, both readings (local/sma/readings.ts; the default is the worse for a Lambda).
 * - update-sip-call: "Types of interruptible actions: PlayAudio, RecordAudio, Pause"; "If Action 2 is not
 *   interruptible, it completes before the new Action 1 starts. In both cases, Action 3 isn't executed."
 * - invoke-on-call-leg: "If the SIP media application receives a NULL action set, it keeps the existing actions."
 * - update-sip-call: ACTION_INTERRUPTED "is used for informational purpose only. The SIP media application
 *   ignores all actions returned by this invocation."
 * Times are virtual (the discrete-event clock).
 */
import { SimClock } from '../../local/clock';
import type { SmaReadings } from '../../local/sma/emulator';
import type { CallHandle } from '../../local/sma/types';
import { CALLER, DIALED, acted, ev, legId, pause, respond, speak, types, useEmulators, type Ev, type Script } from './helpers';

const fixture = useEmulators();
const TEN_SECONDS_OF_SPEAK = 'x'.repeat(150); // 15 characters a second

const menu = (callId: string, type: 'SpeakAndGetDigits' | 'PlayAudioAndGetDigits') =>
  type === 'SpeakAndGetDigits'
    ? {
        Type: type,
        Parameters: {
          CallId: callId,
          SpeechParameters: { Text: TEN_SECONDS_OF_SPEAK },
          FailureSpeechParameters: { Text: 'Sorry.' },
          MaxNumberOfDigits: 1,
          RepeatDurationInMilliseconds: 5000,
        },
      }
    : {
        Type: type,
        Parameters: {
          CallId: callId,
          AudioSource: { Type: 'S3', BucketName: 'prompts', Key: 'menu.wav' },
          FailureAudioSource: { Type: 'S3', BucketName: 'prompts', Key: 'sorry.wav' },
          MaxNumberOfDigits: 1,
          RepeatDurationInMilliseconds: 5000,
        },
      };
const playAudio = (repeat = 5) => ({
  Type: 'PlayAudio',
  Parameters: { ParticipantTag: 'LEG-A', Repeat: repeat, AudioSource: { Type: 'S3', BucketName: 'prompts', Key: 'hold.wav' } },
});

/** Places a 1-leg call and sends one update once `ready` holds; resolves when the call ends. */
async function withUpdate(script: Script, ready: (call: CallHandle) => boolean, readings?: SmaReadings, durationSeconds = 40) {
  const clock = new SimClock();
  const sma = fixture.emulator(script, { clock, readings });
  const call = sma.placeCall({ from: CALLER, to: DIALED, legs: 1, durationSeconds });
  const release = await clock.pauseWhen(() => ready(call));
  sma.updateCall(call.transactionId, { command: 'Test' });
  release();
  const summary = await call.ended;
  return { call, summary, t0: call.log[0]!.virtualMs };
}
const running = (type: string) => (call: CallHandle) => call.actions.at(-1)?.type === type && call.actions.at(-1)?.status === 'running';
/** The actions that ran (queued ones dropped by a new list are recorded `not_run`: `dropped` lists them). */
const record = (call: CallHandle) => call.actions.filter((a) => a.status !== 'not_run').map((a) => `${a.type}:${a.status}`);
const dropped = (call: CallHandle) => call.actions.filter((a) => a.status === 'not_run').map((a) => a.type);

describe('rule 1: the interruptible actions are PlayAudio, RecordAudio, Pause (update-sip-call)', () => {
  it.each(['SpeakAndGetDigits', 'PlayAudioAndGetDigits'] as const)('an update does not interrupt %s: it runs to its end', async (type) => {
    const { call } = await withUpdate((e) => {
      if (e.InvocationEventType === 'NEW_INBOUND_CALL') return respond([menu(legId(e, 'LEG-A'), type)]);
      if (e.InvocationEventType === 'CALL_UPDATE_REQUESTED') return respond([pause(500)]);
      return respond();
    }, running(type));
    expect(types(call)).not.toContain('ACTION_INTERRUPTED');
    expect(record(call)).toEqual([`${type}:failed`, 'Pause:ok']);
  });

  it.each([
    ['PlayAudio', () => playAudio()],
    ['Pause', () => pause(20_000)],
  ])('an update interrupts %s', async (type, action) => {
    const { call } = await withUpdate((e) => {
      if (e.InvocationEventType === 'NEW_INBOUND_CALL') return respond([action()]);
      if (e.InvocationEventType === 'CALL_UPDATE_REQUESTED') return respond([pause(500)]);
      return respond();
    }, running(type));
    expect(types(call).slice(0, 4)).toEqual(['NEW_INBOUND_CALL', 'CALL_UPDATE_REQUESTED', 'ACTION_INTERRUPTED', 'ACTION_SUCCESSFUL']);
    expect(record(call)).toEqual([`${type}:interrupted`, 'Pause:ok']);
  });
});

describe('rule 2: a non-interruptible action completes, the new list starts, Action 3 is not executed', () => {
  /** Speak (10 s) then Pause 5 s (Action 3); the update answers Pause 0.5 s, Pause 0.7 s. */
  const script =
    (onResult: (e: Ev) => unknown = () => respond()): Script =>
    (e) => {
      if (e.InvocationEventType === 'NEW_INBOUND_CALL')
        return respond([speak(legId(e, 'LEG-A'), TEN_SECONDS_OF_SPEAK), pause(5000)], { step: 'app' });
      if (e.InvocationEventType === 'CALL_UPDATE_REQUESTED') return respond([pause(500), pause(700)]);
      if (e.ActionData?.Type === 'Speak') return onResult(e);
      return respond();
    };

  it('silent (default): the Speak is not reported; the update list runs after it; its last action is reported', async () => {
    const { call, t0 } = await withUpdate(script(), running('Speak'));
    expect(types(call)).toEqual(['NEW_INBOUND_CALL', 'CALL_UPDATE_REQUESTED', 'ACTION_SUCCESSFUL', 'HANGUP']);
    const done = ev(acted(call)[2]!);
    expect(done.ActionData.Parameters.DurationInMilliseconds).toBe('700');
    expect(acted(call)[2]!.virtualMs - t0).toBe(11_200);
    expect(record(call)).toEqual(['Speak:ok', 'Pause:ok', 'Pause:ok']);
    expect(dropped(call).length).toBeGreaterThan(0);
    expect(call.notes).toContain('Speak ended after its list was replaced: not reported (replacedAction: silent)');
  });

  it.each([
    [undefined, ['NEW_INBOUND_CALL', 'CALL_UPDATE_REQUESTED', 'ACTION_SUCCESSFUL', 'HANGUP']],
    ['reported', ['NEW_INBOUND_CALL', 'CALL_UPDATE_REQUESTED', 'ACTION_FAILED', 'HANGUP']],
  ] as const)('a failing one (a menu nobody answers), replacedAction %s: events %j', async (replacedAction, expected) => {
    const { call } = await withUpdate(
      (e) => {
        if (e.InvocationEventType === 'NEW_INBOUND_CALL') return respond([menu(legId(e, 'LEG-A'), 'SpeakAndGetDigits'), pause(5000)]);
        if (e.InvocationEventType === 'CALL_UPDATE_REQUESTED') return respond([pause(500)]);
        return respond();
      },
      running('SpeakAndGetDigits'),
      replacedAction ? { replacedAction } : undefined,
    );
    expect(types(call)).toEqual(expected);
    expect(record(call)).toEqual(replacedAction ? ['SpeakAndGetDigits:failed'] : ['SpeakAndGetDigits:failed', 'Pause:ok']);
  });

  it('reported: the Speak is reported, and its response replaces the update list', async () => {
    const { call } = await withUpdate(script(), running('Speak'), { replacedAction: 'reported' });
    expect(types(call)).toEqual(['NEW_INBOUND_CALL', 'CALL_UPDATE_REQUESTED', 'ACTION_SUCCESSFUL', 'HANGUP']);
    expect(ev(acted(call)[2]!).ActionData.Type).toBe('Speak');
    expect(record(call)).toEqual(['Speak:ok']);
  });

  it('reported: a NULL action set in answer to the Speak keeps the update list', async () => {
    const { call } = await withUpdate(
      script(() => ({ SchemaVersion: '1.0', Actions: null })),
      running('Speak'),
      { replacedAction: 'reported' },
    );
    expect(types(call)).toEqual(['NEW_INBOUND_CALL', 'CALL_UPDATE_REQUESTED', 'ACTION_SUCCESSFUL', 'ACTION_SUCCESSFUL', 'HANGUP']);
    expect(record(call)).toEqual(['Speak:ok', 'Pause:ok', 'Pause:ok']);
  });
});

describe('rule 3: a NULL action set keeps the existing actions (invoke-on-call-leg)', () => {
  /** Pause 4 s, then Pause 3 s; the update's response is `answer`. */
  const script =
    (answer: Record<string, unknown>): Script =>
    (e) => {
      if (e.InvocationEventType === 'NEW_INBOUND_CALL') return respond([pause(4000), pause(3000)], { step: 'app' });
      if (e.InvocationEventType === 'CALL_UPDATE_REQUESTED') return { SchemaVersion: '1.0', ...answer };
      return respond();
    };
  const firstPause = (call: CallHandle) => running('Pause')(call) && call.actions.length === 1;

  it('"Actions": null: the Pause goes on, the queued Pause runs, the response\'s TransactionAttributes apply', async () => {
    const { call, t0 } = await withUpdate(script({ Actions: null, TransactionAttributes: { step: 'updated' } }), firstPause);
    expect(types(call)).toEqual(['NEW_INBOUND_CALL', 'CALL_UPDATE_REQUESTED', 'ACTION_SUCCESSFUL', 'HANGUP']);
    const done = ev(acted(call)[2]!);
    expect(acted(call)[2]!.virtualMs - t0).toBe(7000);
    expect(done.ActionData.Parameters.DurationInMilliseconds).toBe('3000');
    expect(done.CallDetails.TransactionAttributes).toEqual({ step: 'updated' });
    expect(call.actions.map((a) => [a.type, a.status, a.leg, a.keptByNull])).toEqual([
      ['Pause', 'ok', 'LEG-A', true],
      ['Pause', 'ok', 'LEG-A', true],
    ]);
  });

  it('Actions omitted, default (empty): a list like []: the Pause is interrupted and the queued Pause dropped', async () => {
    const { call } = await withUpdate(script({ TransactionAttributes: { step: 'updated' } }), firstPause);
    expect(types(call)).toEqual(['NEW_INBOUND_CALL', 'CALL_UPDATE_REQUESTED', 'ACTION_INTERRUPTED', 'HANGUP']);
    expect(record(call)).toEqual(['Pause:interrupted']);
  });

  it('Actions omitted, omittedActions: keep: the NULL action set', async () => {
    const { call } = await withUpdate(script({}), firstPause, { omittedActions: 'keep' });
    expect(types(call)).toEqual(['NEW_INBOUND_CALL', 'CALL_UPDATE_REQUESTED', 'ACTION_SUCCESSFUL', 'HANGUP']);
    expect(record(call)).toEqual(['Pause:ok', 'Pause:ok']);
  });

  it('"Actions": [], default (replace): the Pause is interrupted and the queued Pause dropped', async () => {
    const { call } = await withUpdate(script({ Actions: [] }), firstPause);
    expect(types(call)).toEqual(['NEW_INBOUND_CALL', 'CALL_UPDATE_REQUESTED', 'ACTION_INTERRUPTED', 'HANGUP']);
    expect(record(call)).toEqual(['Pause:interrupted']);
  });

  it('"Actions": [] during a Speak, default (replace): the Speak finishes, the queued action is dropped', async () => {
    const { call } = await withUpdate((e) => {
      if (e.InvocationEventType === 'NEW_INBOUND_CALL') return respond([speak(legId(e, 'LEG-A'), TEN_SECONDS_OF_SPEAK), pause(3000)]);
      return respond();
    }, running('Speak'));
    expect(record(call)).toEqual(['Speak:ok']);
    expect(types(call)).toEqual(['NEW_INBOUND_CALL', 'CALL_UPDATE_REQUESTED', 'HANGUP']);
  });

  it('"Actions": [], emptyActions: keep: the NULL action set', async () => {
    const { call } = await withUpdate(script({ Actions: [] }), firstPause, { emptyActions: 'keep' });
    expect(types(call)).toEqual(['NEW_INBOUND_CALL', 'CALL_UPDATE_REQUESTED', 'ACTION_SUCCESSFUL', 'HANGUP']);
    expect(call.actions.map((a) => a.keptByNull)).toEqual([true, true]);
  });

  it('a NULL action set on NEW_INBOUND_CALL runs nothing (there is nothing to keep)', async () => {
    const call = fixture
      .emulator(() => ({ SchemaVersion: '1.0', Actions: null }))
      .placeCall({ from: CALLER, to: DIALED, legs: 1, durationSeconds: 60 });
    await call.ended;
    expect(types(call)).toEqual(['NEW_INBOUND_CALL', 'HANGUP']);
    expect(call.actions).toEqual([]);
  });
});

describe('rule 4: ACTION_INTERRUPTED is informational (update-sip-call)', () => {
  it('carries the interrupted action as sent; the actions and attributes of its response are ignored', async () => {
    const { call } = await withUpdate((e) => {
      if (e.InvocationEventType === 'NEW_INBOUND_CALL') return respond([playAudio(4), pause(3000)], { step: 'app' });
      if (e.InvocationEventType === 'CALL_UPDATE_REQUESTED') return respond([pause(500)], { step: 'update' });
      if (e.InvocationEventType === 'ACTION_INTERRUPTED') return respond([pause(9000)], { step: 'ignored' });
      return respond();
    }, running('PlayAudio'));
    const interrupted = acted(call).find((r) => r.eventType === 'ACTION_INTERRUPTED')!;
    expect(interrupted.ignored).toBe(true);
    expect(ev(interrupted).ActionData).toEqual(playAudio(4));
    expect(record(call)).toEqual(['PlayAudio:interrupted', 'Pause:ok']);
    const done = acted(call).find((r) => r.eventType === 'ACTION_SUCCESSFUL')!;
    expect(ev(done).CallDetails.TransactionAttributes).toEqual({ step: 'update' });
  });
});
