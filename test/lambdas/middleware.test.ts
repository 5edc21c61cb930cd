/**
 * The recording middleware around an application (docs/embedding.md), with events from the developer guide's
 * examples (test/fixtures/sma-events): who owns which event, the application's TransactionAttributes and
 * actions kept through every middleware answer, the recording's actions at the application's list boundaries
 * (never replacing its list in progress), and misconfiguration reported once. Both shapes: withRecording(handler) and middy(handler).use(recording()).
 */
import middy from '@middy/core';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { SFNClient, SendTaskFailureCommand, SendTaskSuccessCommand, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { recording, withRecording } from '../../lambdas/recording/middleware';
import type { RecordingOptions } from '../../lambdas/recording/middleware-core';
import { OwnStateAttribute, readOwn } from '../../lambdas/recording/own-state';
import { loadRecordingConfig } from '../../lambdas/recording/config';
import { TokenAttribute } from '../../lambdas/shared/workflow-contract';
import {
  AUTO_RECORD_ENV,
  IDS,
  LOCATION,
  RECORDING_KEY,
  callUpdate,
  capturingLogger,
  expectValidSmaResponse,
  fakeContext,
  fixture,
  fixtureNames,
  makeToken,
  mockedSfn,
  withAttributes,
  type EventJson,
  type LogRecord,
} from './helpers';

type Attrs = Record<string, string>;
interface AppResponse {
  SchemaVersion: '1.0';
  Actions: Array<{ Type: string; Parameters: Record<string, unknown> }> | null;
  TransactionAttributes?: Attrs;
}

const menu = {
  Type: 'SpeakAndGetDigits',
  Parameters: {
    CallId: IDS.legA,
    SpeechParameters: { Text: 'Press 1 for sales.' },
    FailureSpeechParameters: { Text: 'Sorry.' },
    RepeatDurationInMilliseconds: 5000,
  },
};
const APP: Attrs = { 'app:menu': 'main', 'app:tries': '0' };
const startArgs = (token: string) => ({
  command: 'StartRecording',
  taskToken: token,
  callId: IDS.legA,
  track: 'BOTH',
  location: LOCATION,
  attempt: '1',
});

/**
 * An IVR-like application: the menu on a new call, its state in `app:*` keys. Every call is recorded (the events it saw, what it answered).
 */
function makeApp(answer?: (event: EventJson) => AppResponse | undefined) {
  const seen: EventJson[] = [];
  const answered: AppResponse[] = [];
  const app = jest.fn(async (event: EventJson): Promise<AppResponse | undefined> => {
    seen.push(structuredClone(event));
    const custom = answer?.(event);
    const response: AppResponse =
      custom ??
      (event.InvocationEventType === 'NEW_INBOUND_CALL'
        ? { SchemaVersion: '1.0', Actions: [menu], TransactionAttributes: { ...(event.CallDetails.TransactionAttributes ?? {}), ...APP } }
        : { SchemaVersion: '1.0', Actions: [] });
    answered.push(structuredClone(response));
    return response;
  });
  return { app, seen, answered };
}

function setup(
  opts: { env?: Record<string, string>; shape?: 'plain' | 'middy'; answer?: (event: EventJson) => AppResponse | undefined } = {},
) {
  const { sfn, sfnMock } = mockedSfn();
  const { logger, lines } = capturingLogger();
  const metrics = new Metrics({ namespace: 'CallRecordingTest', serviceName: 'middleware-test', logger });
  const addMetric = jest.spyOn(metrics, 'addMetric');
  const { app, seen, answered } = makeApp(opts.answer);
  const options: RecordingOptions = { config: loadRecordingConfig(opts.env ?? {}), sfn, logger, metrics };
  const handler = opts.shape === 'middy' ? middy(app).use(recording(options)) : withRecording(app, options);
  const invoke = async (event: EventJson): Promise<AppResponse> => {
    const r = (await handler(structuredClone(event) as never, fakeContext())) as AppResponse;
    expectValidSmaResponse(r);
    return r;
  };
  return {
    app,
    seen,
    answered,
    invoke,
    sfnMock,
    logs: (): LogRecord[] => lines.map((l) => JSON.parse(l) as LogRecord),
    metricNames: () => addMetric.mock.calls.map((c) => String(c[0])),
    successes: () => sfnMock.commandCalls(SendTaskSuccessCommand).map((c) => c.args[0].input),
    failures: () => sfnMock.commandCalls(SendTaskFailureCommand).map((c) => c.args[0].input),
  };
}

/** What the SMA echoes next: the attributes the last response set (omitted = kept). */
const next = (previous: Attrs | undefined, response: AppResponse): Attrs | undefined => response.TransactionAttributes ?? previous;
const appKeysOf = (attrs: Attrs | undefined) => Object.fromEntries(Object.entries(attrs ?? {}).filter(([k]) => !k.startsWith('rw:')));

function startSucceeded(attrs: Attrs | undefined): EventJson {
  return withAttributes(fixture('ACTION_SUCCESSFUL-StartCallRecording'), attrs);
}

describe.each(['plain', 'middy'] as const)('recording middleware (%s)', (shape) => {
  describe('application events are handed over untouched', () => {
    const appEvents = fixtureNames().filter((n) => !/StartCallRecording|CALL_UPDATE_REQUESTED/.test(n));
    it.each(appEvents)('%s: the application gets the event as the SMA sent it, and its answer goes out as it gave it', async (name) => {
      const answer: AppResponse = {
        SchemaVersion: '1.0',
        Actions: [{ Type: 'Pause', Parameters: { CallId: IDS.legA, DurationInMilliseconds: 1000 } }],
      };
      const t = setup({ shape, answer: () => structuredClone(answer) });
      const event = fixture(name);
      const r = await t.invoke(event);
      expect(t.seen).toEqual([event]);
      expect(r.Actions).toEqual(answer.Actions);
      // the application's keys as they were; the middleware's only bookkeeping beside them
      expect(appKeysOf(r.TransactionAttributes ?? event.CallDetails.TransactionAttributes)).toEqual(
        event.CallDetails.TransactionAttributes ?? {},
      );
      expect(t.sfnMock.calls()).toHaveLength(0);
    });

    it('the rw:* keys (task tokens) never reach the application, whatever the event', async () => {
      const t = setup({ shape });
      const token = makeToken('parked');
      await t.invoke(withAttributes(fixture('DIGITS_RECEIVED'), { ...APP, [TokenAttribute.WaitForCallEnd]: token }));
      expect(t.seen[0].CallDetails.TransactionAttributes).toEqual(APP);
      expect(JSON.stringify(t.seen)).not.toContain(token);
    });

    it('a CALL_UPDATE_REQUESTED without a task token is the application’s (applications use updates too)', async () => {
      const t = setup({ shape });
      const event = callUpdate({ action: 'transfer', queue: 'billing' }, { attributes: APP });
      await t.invoke(event);
      expect(t.seen).toEqual([event]);
    });
  });

  describe('never disturbs the application: its list runs on, the recording waits for its boundaries', () => {
    const bridge = {
      Type: 'CallAndBridge',
      Parameters: { CallTimeoutSeconds: 30, CallerIdNumber: '+15550100', Endpoints: [{ BridgeEndpointType: 'PSTN', Uri: '+15550199' }] },
    };
    /** An IVR written to AWS's docs only: menu; "1" bridges; nothing for events it does not know (ACTION_INTERRUPTED included). */
    const awsDocsIvr = (e: EventJson): AppResponse | undefined => {
      const data = e.ActionData as { Type?: string; ReceivedDigits?: string } | undefined;
      if (e.InvocationEventType === 'NEW_INBOUND_CALL') return undefined; // the menu, with its keys
      if (e.InvocationEventType === 'ACTION_SUCCESSFUL' && data?.Type === 'SpeakAndGetDigits' && data.ReceivedDigits === '1')
        return { SchemaVersion: '1.0', Actions: [bridge] };
      return { SchemaVersion: '1.0', Actions: [] };
    };
    const menuDone = (attrs: Attrs | undefined) => {
      const e = withAttributes(fixture('ACTION_SUCCESSFUL'), attrs);
      e.ActionData = { Type: 'SpeakAndGetDigits', Parameters: menu.Parameters, ReceivedDigits: '1' };
      return e;
    };
    const noticeDone = (attrs: Attrs | undefined) => {
      const e = withAttributes(fixture('ACTION_SUCCESSFUL-Speak'), attrs);
      e.ActionData = {
        ...(e.ActionData as object),
        Parameters: { ...(e.ActionData as { Parameters: object }).Parameters, Text: 'This call is recorded.' },
      } as never;
      return e;
    };

    it('menu -> StartRecording waits (NULL) -> menu ends: the start, the bridge held -> started: the bridge -> notice at the bridge’s end -> WaitForCallEnd (NULL) -> HANGUP', async () => {
      const t = setup({ shape, answer: awsDocsIvr });
      const [start, consent, callEnd] = [makeToken('start'), makeToken('consent'), makeToken('call-end')];
      const r1 = await t.invoke(fixture('NEW_INBOUND_CALL'));
      expect(r1.Actions).toEqual([menu]);
      let attrs = next(undefined, r1);
      // 1. The menu runs (a SpeakAndGetDigits cannot be interrupted): the update keeps it (NULL action set).
      const r2 = await t.invoke(callUpdate(startArgs(start), { attributes: attrs }));
      expect(r2.Actions).toBeNull();
      attrs = next(attrs, r2);
      expect(readOwn(attrs!).p).toEqual({
        c: 'StartRecording',
        x: [expect.objectContaining({ Type: 'StartCallRecording' })],
        b: ['SpeakAndGetDigits'],
      });
      expect(t.app).toHaveBeenCalledTimes(1);
      // 2. The menu ends: the application gets its own result as the SMA sent it and answers with the bridge; the
      //    recording goes first and the bridge is held until its result.
      const r3 = await t.invoke(menuDone(attrs));
      expect(t.seen[1].ActionData).toEqual(expect.objectContaining({ Type: 'SpeakAndGetDigits', ReceivedDigits: '1' }));
      expect(r3.Actions!.map((a) => a.Type)).toEqual(['StartCallRecording']);
      attrs = next(attrs, r3);
      expect(readOwn(attrs!)).toEqual(
        expect.objectContaining({ c: 'StartRecording', h: [bridge], a: ['CallAndBridge'], w: ['SpeakAndGetDigits'] }),
      );
      expect(appKeysOf(attrs)).toEqual(APP);
      // 3. Started: the workflow has the key and what the start waited behind; the bridge goes on, no map.
      const r4 = await t.invoke(startSucceeded(attrs));
      const started = JSON.parse(t.successes()[0].output!);
      expect(started).toEqual(expect.objectContaining({ location: RECORDING_KEY, waitedBehind: ['SpeakAndGetDigits'] }));
      expect(r4.Actions).toEqual([bridge]);
      expect(r4.TransactionAttributes).toBeUndefined();
      expect(t.app).toHaveBeenCalledTimes(2);
      attrs = next(attrs, r4);
      // 4. NotifyConsent while the bridge rings: kept, parked.
      const r5 = await t.invoke(
        callUpdate({ command: 'NotifyConsent', taskToken: consent, text: 'This call is recorded.' }, { attributes: attrs }),
      );
      expect(r5.Actions).toBeNull();
      attrs = next(attrs, r5);
      expect(readOwn(attrs!).h).toBeUndefined(); // the held bridge was handed back with the start's result
      // 5. The bridge is up; the application has nothing more: the notice now.
      const r6 = await t.invoke(withAttributes(fixture('ACTION_SUCCESSFUL-CallAndBridge'), attrs));
      expect(r6.Actions!.map((a) => a.Type)).toEqual(['Speak']);
      attrs = next(attrs, r6);
      const r7 = await t.invoke(noticeDone(attrs));
      expect(t.successes().map((x) => x.taskToken)).toEqual([start, consent]);
      expect(r7.Actions).toBeNull();
      attrs = next(attrs, r7);
      // 6. WaitForCallEnd: nothing to run, the token parked, the call flow untouched.
      const r8 = await t.invoke(callUpdate({ command: 'WaitForCallEnd', taskToken: callEnd }, { attributes: attrs }));
      expect(r8.Actions).toBeNull();
      attrs = next(attrs, r8);
      expect(attrs![TokenAttribute.WaitForCallEnd]).toBe(callEnd);
      const r9 = await t.invoke(withAttributes(fixture('HANGUP'), attrs));
      expect(t.successes().map((x) => x.taskToken)).toEqual([start, consent, callEnd]);
      expect(appKeysOf(r9.TransactionAttributes ?? attrs)).toEqual(APP);
      expect(t.failures()).toEqual([]);
      // The application saw only the SMA's events of its own actions, never one made up or one of the recording's.
      expect(t.seen.map((e) => e.InvocationEventType)).toEqual(['NEW_INBOUND_CALL', 'ACTION_SUCCESSFUL', 'ACTION_SUCCESSFUL', 'HANGUP']);
      expect(t.seen.map((e) => (e.ActionData as { Type?: string } | undefined)?.Type)).toEqual([
        undefined,
        'SpeakAndGetDigits',
        'CallAndBridge',
        'Hangup',
      ]);
    });

    it('a StartCallRecording that fails: the workflow has the error, the held list goes on', async () => {
      const t = setup({ shape, answer: awsDocsIvr });
      const r1 = await t.invoke(fixture('NEW_INBOUND_CALL'));
      const r2 = await t.invoke(callUpdate(startArgs(makeToken('s')), { attributes: r1.TransactionAttributes }));
      const r3 = await t.invoke(menuDone(next(r1.TransactionAttributes, r2)));
      const failed = withAttributes(fixture('ACTION_FAILED-StartCallRecording-NoAccessToDestination'), r3.TransactionAttributes);
      const r4 = await t.invoke(failed);
      expect(t.failures().map((f) => f.error)).toEqual(['NoAccessToDestination']);
      expect(r4.Actions).toEqual([bridge]);
      expect(t.app).toHaveBeenCalledTimes(2);
    });

    it('the SMA refuses the answer that held the bridge (INVALID_LAMBDA_RESPONSE): the start fails, the bridge goes out', async () => {
      const t = setup({ shape, answer: awsDocsIvr });
      const r1 = await t.invoke(fixture('NEW_INBOUND_CALL'));
      const r2 = await t.invoke(callUpdate(startArgs(makeToken('s')), { attributes: r1.TransactionAttributes }));
      const r3 = await t.invoke(menuDone(next(r1.TransactionAttributes, r2)));
      expect(r3.Actions!.map((a) => a.Type)).toEqual(['StartCallRecording']);
      const refused = withAttributes(fixture('INVALID_LAMBDA_RESPONSE'), r3.TransactionAttributes);
      const r4 = await t.invoke(refused);
      expect(t.failures().map((f) => f.error)).toEqual(['InvalidLambdaResponse']);
      expect(r4.Actions).toEqual([bridge]);
      expect(readOwn(r4.TransactionAttributes!)).toEqual(expect.objectContaining({ a: ['CallAndBridge'] }));
      expect(readOwn(r4.TransactionAttributes!).h).toBeUndefined();
    });

    it('nothing of the application in progress (a bridged call): the recording runs at once, its result answered without calling it', async () => {
      const t = setup({ shape });
      const bridged = withAttributes(fixture('ACTION_SUCCESSFUL-CallAndBridge'), APP);
      const r0 = await t.invoke(bridged); // the application answers [] after its bridge: nothing in progress
      const attrs = next(APP, r0);
      const r1 = await t.invoke(callUpdate(startArgs(makeToken('s')), { attributes: attrs }));
      expect(r1.Actions!.map((a) => a.Type)).toEqual(['StartCallRecording']);
      const r2 = await t.invoke(startSucceeded(next(attrs, r1)));
      expect(r2.Actions).toBeNull();
      expect(t.app).toHaveBeenCalledTimes(1);
      expect(JSON.parse(t.successes()[0].output!).waitedBehind).toBeUndefined();
      // after the callback no map: the effective one (the SMA's, kept) still holds the application's keys
      expect(r2.TransactionAttributes).toBeUndefined();
      expect(appKeysOf(next(next(attrs, r1), r2))).toEqual(APP);
    });

    it('a second attempt of a parked command runs at once (the list outlasted an attempt, or ended unseen), counted', async () => {
      const t = setup({ shape, answer: awsDocsIvr });
      const r1 = await t.invoke(fixture('NEW_INBOUND_CALL'));
      const r2 = await t.invoke(callUpdate(startArgs(makeToken('s1')), { attributes: r1.TransactionAttributes }));
      expect(r2.Actions).toBeNull();
      const r3 = await t.invoke(
        callUpdate({ ...startArgs(makeToken('s2')), attempt: '2' }, { attributes: next(r1.TransactionAttributes, r2) }),
      );
      expect(r3.Actions!.map((a) => a.Type)).toEqual(['StartCallRecording']);
      expect(readOwn(r3.TransactionAttributes!)).toEqual(expect.objectContaining({ c: 'StartRecording', w: ['SpeakAndGetDigits'] }));
      expect(t.metricNames()).toContain('RecordingActionsNotDeferred');
    });

    it('the keypad controls wait for a boundary too, then go before the application’s list (a ReceiveDigits ends at once)', async () => {
      const t = setup({ shape, env: { RECORDING_DTMF_CONTROLS: 'pause=5,resume=6' }, answer: awsDocsIvr });
      const r1 = await t.invoke(fixture('NEW_INBOUND_CALL'));
      const r2 = await t.invoke(
        callUpdate({ command: 'WaitForCallEnd', taskToken: makeToken('w') }, { attributes: r1.TransactionAttributes }),
      );
      expect(r2.Actions).toBeNull();
      const r3 = await t.invoke(menuDone(next(r1.TransactionAttributes, r2)));
      expect(r3.Actions!.map((a) => a.Type)).toEqual(['ReceiveDigits', 'CallAndBridge']);
      expect(readOwn(r3.TransactionAttributes!).d).toBeUndefined();
    });
  });

  describe('racing responses (issue 13): no map after a task callback, rw:own read stale-safe', () => {
    it('a stale NotifyConsent in rw:own (left by the answer without a map) does not take the application’s own Speak result', async () => {
      const t = setup({ shape, answer: () => ({ SchemaVersion: '1.0', Actions: [] }) });
      const consent = makeToken('consent');
      const r1 = await t.invoke(withAttributes(fixture('NEW_INBOUND_CALL'), APP));
      const r2 = await t.invoke(
        callUpdate({ command: 'NotifyConsent', taskToken: consent, text: 'This call is recorded.' }, { attributes: next(APP, r1) }),
      );
      expect(r2.Actions!.map((a) => a.Type)).toEqual(['Speak']);
      const done = withAttributes(fixture('ACTION_SUCCESSFUL-Speak'), r2.TransactionAttributes);
      done.ActionData = {
        ...(done.ActionData as object),
        Parameters: { ...(done.ActionData as { Parameters: object }).Parameters, Text: 'This call is recorded.' },
      } as never;
      const r3 = await t.invoke(done);
      expect(r3.TransactionAttributes).toBeUndefined(); // the notice's token is spent; c stays NotifyConsent
      expect(readOwn(r2.TransactionAttributes!).c).toBe('NotifyConsent');
      const appSpeak = withAttributes(fixture('ACTION_SUCCESSFUL-Speak'), r2.TransactionAttributes);
      appSpeak.ActionData = {
        ...(appSpeak.ActionData as object),
        Parameters: { ...(appSpeak.ActionData as { Parameters: object }).Parameters, Text: 'Your balance is 3 dollars.' },
      } as never;
      const callsBefore = t.app.mock.calls.length;
      await t.invoke(appSpeak);
      expect(t.app).toHaveBeenCalledTimes(callsBefore + 1);
      expect(t.seen.at(-1)!.ActionData).toEqual(appSpeak.ActionData);
      expect(t.successes().map((x) => x.taskToken)).toEqual([consent]);
    });

    it('the end of the application’s list is written (a cleared), so the next command runs at once', async () => {
      const t = setup({ shape });
      const r1 = await t.invoke(fixture('NEW_INBOUND_CALL'));
      expect(readOwn(r1.TransactionAttributes!).a).toEqual(['SpeakAndGetDigits']);
      const digits = withAttributes(fixture('ACTION_SUCCESSFUL'), r1.TransactionAttributes);
      digits.ActionData = { Type: 'SpeakAndGetDigits', Parameters: menu.Parameters, ReceivedDigits: '1' };
      const r2 = await t.invoke(digits);
      expect(r2.Actions).toEqual([]);
      expect(readOwn(r2.TransactionAttributes!).a).toBeUndefined();
      const r3 = await t.invoke(callUpdate(startArgs(makeToken('s')), { attributes: r2.TransactionAttributes }));
      expect(r3.Actions!.map((a) => a.Type)).toEqual(['StartCallRecording']);
    });
  });

  describe('TransactionAttributes: namespaced, merged, never replaced', () => {
    const token = makeToken('wait');
    const parked = { ...APP, [TokenAttribute.WaitForCallEnd]: token };

    it('the application omits the field: its keys are kept (omitted); the middleware changes nothing', async () => {
      const t = setup({ shape });
      const r = await t.invoke(withAttributes(fixture('DIGITS_RECEIVED'), parked));
      expect(r.TransactionAttributes).toBeUndefined();
    });

    it('the application returns a new map: its map plus the middleware’s keys', async () => {
      const t = setup({
        shape,
        answer: (e) => ({
          SchemaVersion: '1.0',
          Actions: [],
          TransactionAttributes: { ...appKeysOf(e.CallDetails.TransactionAttributes), 'app:menu': 'billing' },
        }),
      });
      const r = await t.invoke(withAttributes(fixture('DIGITS_RECEIVED'), parked));
      expect(r.TransactionAttributes).toEqual({ ...APP, 'app:menu': 'billing', [TokenAttribute.WaitForCallEnd]: token });
    });

    it('the application erases its map ({}): only the middleware’s keys remain (its pending token survives)', async () => {
      const t = setup({ shape, answer: () => ({ SchemaVersion: '1.0', Actions: [], TransactionAttributes: {} }) });
      const r = await t.invoke(withAttributes(fixture('DIGITS_RECEIVED'), parked));
      expect(r.TransactionAttributes).toEqual({ [TokenAttribute.WaitForCallEnd]: token });
    });

    it('an application key with the rw: prefix: the middleware’s value wins, reported once per instance, counted each time', async () => {
      const t = setup({
        shape,
        answer: () => ({
          SchemaVersion: '1.0',
          Actions: [],
          TransactionAttributes: { ...APP, [TokenAttribute.WaitForCallEnd]: 'mine', 'rw:x': 'y' },
        }),
      });
      const r = await t.invoke(withAttributes(fixture('DIGITS_RECEIVED'), parked));
      await t.invoke(withAttributes(fixture('DIGITS_RECEIVED'), parked));
      expect(r.TransactionAttributes).toEqual({ ...APP, [TokenAttribute.WaitForCallEnd]: token });
      expect(t.logs().filter((l) => /recording's prefix/.test(l.message))).toHaveLength(1);
      expect(t.metricNames().filter((m) => m === 'ApplicationAttributeCollisions')).toHaveLength(2);
    });

    it('over the SMA’s limit with the middleware’s keys: the application’s map goes out unchanged, the recording’s token fails', async () => {
      const nine = Object.fromEntries(Array.from({ length: 9 }, (_, i) => [`app:${i}`, 'x']));
      const t = setup({ shape, answer: () => ({ SchemaVersion: '1.0', Actions: [menu], TransactionAttributes: nine }) });
      const r = await t.invoke(withAttributes(fixture('DIGITS_RECEIVED'), parked));
      expect(r.TransactionAttributes).toEqual(nine);
      expect(r.Actions).toEqual([menu]);
      expect(t.failures()).toEqual([expect.objectContaining({ taskToken: token, error: 'TransactionAttributesFull' })]);
      expect(t.metricNames()).toContain('TransactionAttributesOverLimit');
    });

    it('a handler that returns nothing is an empty answer; a malformed answer goes out as the application gave it', async () => {
      const t1 = setup({ shape, answer: () => undefined });
      t1.app.mockResolvedValueOnce(undefined);
      expect(await t1.invoke(withAttributes(fixture('DIGITS_RECEIVED'), APP))).toEqual({ SchemaVersion: '1.0', Actions: null });
      const t2 = setup({ shape });
      const odd = { SchemaVersion: '1.0', Actions: 'not a list' };
      t2.app.mockResolvedValueOnce(odd as never);
      const handler =
        shape === 'middy'
          ? middy(t2.app).use(recording({ config: loadRecordingConfig({}), sfn: new SFNClient({}) }))
          : withRecording(t2.app, { config: loadRecordingConfig({}) });
      expect(await handler(fixture('DIGITS_RECEIVED') as never, fakeContext())).toEqual(odd);
    });
  });

  describe('ownership of action results', () => {
    it('a StartCallRecording the application returned itself (no rw:* trace) is the application’s', async () => {
      const t = setup({ shape });
      const event = withAttributes(fixture('ACTION_SUCCESSFUL-StartCallRecording'), APP);
      await t.invoke(event);
      expect(t.seen).toEqual([event]);
      expect(t.sfnMock.calls()).toHaveLength(0);
    });

    it('a Speak of the application while the recording waits for nothing of its own is the application’s', async () => {
      const t = setup({ shape });
      const own = JSON.stringify({ a: ['Speak'] });
      const event = withAttributes(fixture('ACTION_SUCCESSFUL-Speak'), {
        ...APP,
        [OwnStateAttribute]: own,
        [TokenAttribute.WaitForCallEnd]: makeToken('w'),
      });
      await t.invoke(event);
      expect(t.app).toHaveBeenCalledTimes(1);
      expect(t.successes()).toEqual([]);
    });
  });

  describe('auto-record waits for an answered call', () => {
    it('NEW_INBOUND_CALL the application rejects (Hangup): no workflow; answered with media: started once', async () => {
      const rejecting = setup({
        shape,
        env: AUTO_RECORD_ENV as Attrs,
        answer: () => ({ SchemaVersion: '1.0', Actions: [{ Type: 'Hangup', Parameters: { CallId: IDS.legA, SipResponseCode: '486' } }] }),
      });
      await rejecting.invoke(fixture('NEW_INBOUND_CALL'));
      expect(rejecting.sfnMock.commandCalls(StartExecutionCommand)).toHaveLength(0);
      const answering = setup({ shape, env: AUTO_RECORD_ENV as Attrs });
      const r = await answering.invoke(fixture('NEW_INBOUND_CALL'));
      expect(answering.sfnMock.commandCalls(StartExecutionCommand)).toHaveLength(1);
      expect(r.Actions).toEqual([menu]);
      expect(appKeysOf(r.TransactionAttributes)).toEqual(APP);
    });
  });
});

describe('misconfiguration', () => {
  it.each([
    ['AUTO_RECORD', { AUTO_RECORD: 'always' }, /^AUTO_RECORD: must be "on" or "off"/],
    ['STATE_MACHINE_ARN', { AUTO_RECORD: 'on', RECORDING_LOCATION: 'b' }, /STATE_MACHINE_ARN: must be a state machine ARN/],
    ['RECORDING_LOCATION', { ...AUTO_RECORD_ENV, RECORDING_LOCATION: 'Bad_Bucket' }, /RECORDING_LOCATION/],
    ['SFN_REQUEST_TIMEOUT_MS', { SFN_REQUEST_TIMEOUT_MS: '0' }, /^SFN_REQUEST_TIMEOUT_MS: must be an integer/],
  ])('%s: reported once at cold start, naming the setting; calls still flow', async (_name, env, problem) => {
    const { logger, lines } = capturingLogger();
    const { app } = makeApp();
    const handler = withRecording(app, { env: env as NodeJS.ProcessEnv, logger, sfn: new SFNClient({ region: 'us-east-1' }) });
    const problems = () => lines.map((l) => JSON.parse(l) as LogRecord).filter((l) => l.message === 'configuration problem');
    expect(problems()).toEqual([expect.objectContaining({ level: 'ERROR', problem: expect.stringMatching(problem) })]);
    for (let i = 0; i < 3; i++) {
      const r = (await handler(fixture('NEW_INBOUND_CALL'), fakeContext())) as AppResponse;
      expect(r.Actions).toEqual([menu]);
    }
    expect(problems()).toHaveLength(1);
  });

  it('the middy middleware too: built once, reported once', () => {
    const { logger, lines } = capturingLogger();
    middy(makeApp().app).use(recording({ env: { AUTO_RECORD: 'yes' }, logger }));
    expect(lines.map((l) => JSON.parse(l) as LogRecord).filter((l) => l.message === 'configuration problem')).toHaveLength(1);
  });
});

describe('an application that throws or does not answer costs neither the call nor the recording', () => {
  const quietLogger = () => capturingLogger().logger;
  /** NEW_INBOUND_CALL answered with the menu, then a StartRecording parked behind it: the map the SMA holds. */
  async function parkedStart(handler: (e: unknown, c: ReturnType<typeof fakeContext>) => Promise<any>) {
    const r1 = await handler(fixture('NEW_INBOUND_CALL'), fakeContext());
    const r2 = await handler(callUpdate(startArgs(makeToken('s')), { attributes: r1.TransactionAttributes }), fakeContext());
    expect(r2.Actions).toBeNull();
    const menuDone = withAttributes(fixture('ACTION_SUCCESSFUL'), next(r1.TransactionAttributes, r2));
    menuDone.ActionData = { Type: 'SpeakAndGetDigits', Parameters: menu.Parameters, ReceivedDigits: '1' };
    return menuDone;
  }

  it('withRecording: the application throws at its list’s end: NULL for its part, the recording’s start goes out, counted', async () => {
    const boom = new Error('app bug');
    const { app } = makeApp();
    const { logger, lines } = capturingLogger();
    const handler = withRecording(app, { config: loadRecordingConfig({}), sfn: mockedSfn().sfn, logger });
    const menuDone = await parkedStart(handler);
    app.mockRejectedValueOnce(boom);
    const r = await handler(menuDone, fakeContext());
    expectValidSmaResponse(r);
    expect(r.Actions.map((a: { Type: string }) => a.Type)).toEqual(['StartCallRecording']);
    expect(readOwn(r.TransactionAttributes!).c).toBe('StartRecording');
    expect(lines.map((l) => JSON.parse(l) as LogRecord)).toContainEqual(
      expect.objectContaining({ level: 'ERROR', error: 'Error', errorMessage: 'app bug' }),
    );
  });

  it('withRecording: an application that never answers gets the NULL action set at the deadline (ApplicationTimeouts)', async () => {
    const { app } = makeApp();
    app.mockImplementationOnce(() => new Promise(() => undefined));
    const handler = withRecording(app, { config: loadRecordingConfig({}), logger: quietLogger(), applicationDeadlineMs: 20 });
    const r = await handler(withAttributes(fixture('DIGITS_RECEIVED'), APP), fakeContext());
    expect(r).toEqual({ SchemaVersion: '1.0', Actions: null });
  });

  it('middy: an error no middleware answered gets the NULL action set instead of a failed invocation (the SMA would hang up)', async () => {
    const { app } = makeApp();
    app.mockRejectedValueOnce(new Error('app bug'));
    const handler = middy(app).use(recording({ config: loadRecordingConfig({}), logger: quietLogger() }));
    const r = await handler(withAttributes(fixture('DIGITS_RECEIVED'), APP) as never, fakeContext());
    expect(r).toEqual({ SchemaVersion: '1.0', Actions: null });
  });

  it('middy: what the application’s own onError answers is its answer, merged as any', async () => {
    const { app } = makeApp();
    app.mockRejectedValueOnce(new Error('app bug'));
    const sorry = { SchemaVersion: '1.0' as const, Actions: [{ Type: 'Speak', Parameters: { CallId: IDS.legA, Text: 'Sorry.' } }] };
    const handler = middy(app)
      .use(recording({ config: loadRecordingConfig({}), logger: quietLogger() }))
      .use({
        onError: async (request) => {
          request.response = sorry;
        },
      });
    const r = await handler(withAttributes(fixture('DIGITS_RECEIVED'), APP) as never, fakeContext());
    expect(r?.Actions).toEqual(sorry.Actions);
  });

  it('a malformed event goes to the application as it came', async () => {
    const { app, seen } = makeApp();
    const handler = withRecording(app, { config: loadRecordingConfig({}), logger: capturingLogger().logger });
    const odd = { hello: 'world' };
    await handler(odd, fakeContext());
    expect(seen).toEqual([odd]);
  });
});
