/**
 * The recording middleware's fast path (quiet-path.ts, taken by RecordingCore.takeQuiet; issue 9's CPU target): an application event
 * that concerns the recording in no way skips the full parse, the log keys and the per-event metric. Proved
 * here: (1) on every fixture, in every quiet and not-quiet state, with every kind of answer, the fast path gives
 * the application the same event and the SMA the same response as the full path; (2) what must take the full
 * path does (tokens, pending starts, recordings, the middleware's own results and echoes, commands, refused
 * responses, auto-record still to start, attributes it cannot read); (3) metrics and log keys stay right.
 */
import { Metrics } from '@aws-lambda-powertools/metrics';
import middy from '@middy/core';
import { RecordingCore, recording, withRecording } from '../../lambdas/recording/middleware';
import { type OwnState, OwnStateAttribute, ownAttribute, ownJsonWith, parseOwn, readOwn, typesOf } from '../../lambdas/recording/own-state';
import { loadRecordingConfig } from '../../lambdas/recording/config';
import { Command, PendingCallIdAttribute, RecordingsAttribute, TokenAttribute } from '../../lambdas/shared/workflow-contract';
import {
  AUTO_RECORD_ENV,
  IDS,
  LOCATION,
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
type Answer = {
  SchemaVersion: '1.0';
  Actions: Array<{ Type: string; Parameters: Record<string, unknown> }>;
  TransactionAttributes?: Attrs;
};

const APP: Attrs = { 'app:menu': 'main' };
const own = (state: Record<string, unknown>): Attrs => ({ [OwnStateAttribute]: JSON.stringify(state) });
const menu = { Type: 'SpeakAndGetDigits', Parameters: { CallId: IDS.legA, SpeechParameters: { Text: 'Press 1.' } } };
const hangup = { Type: 'Hangup', Parameters: { CallId: IDS.legA, SipResponseCode: '0' } };

const fastPath = () => jest.spyOn(RecordingCore.prototype, 'takeQuiet');

/** The metrics' EMF output, captured (Metrics prints through its private `console`). */
function capturingMetrics(logger: ReturnType<typeof capturingLogger>['logger']) {
  const metrics = new Metrics({ namespace: 'CallRecordingTest', serviceName: 'fast-path-test', logger });
  const emf: string[] = [];
  (metrics as unknown as { console: { log: (line: unknown) => void } }).console = { log: (line) => emf.push(String(line)) };
  return { metrics, emf };
}

const sharedSfn = mockedSfn();

async function run(
  event: EventJson,
  answer: (e: EventJson) => Answer | undefined,
  opts: { full?: boolean; env?: Record<string, string>; sharedMetrics?: boolean; shape?: 'plain' | 'middy' } = {},
) {
  const spy = fastPath();
  if (opts.full) spy.mockReturnValue(undefined);
  // One mocked client for the file (made once: a client and its mock per run were most of this file's time).
  const { sfn, sfnMock } = sharedSfn;
  sfnMock.resetHistory();
  const { logger, lines } = capturingLogger();
  const { metrics, emf } = capturingMetrics(logger);
  const addMetric = jest.spyOn(metrics, 'addMetric');
  const seen: EventJson[] = [];
  const app = async (e: EventJson) => {
    seen.push(structuredClone(e));
    return structuredClone(answer(e));
  };
  // Without sharedMetrics the middleware makes its own Metrics: what any Metrics publishes is counted here.
  const publish = jest.spyOn(Metrics.prototype, 'publishStoredMetrics');
  const options = { config: loadRecordingConfig(opts.env ?? {}), sfn, logger, ...(opts.sharedMetrics ? { metrics } : {}) };
  const handler = (opts.shape === 'middy' ? middy(app).use(recording(options)) : withRecording(app, options)) as (
    event: unknown,
    context: ReturnType<typeof fakeContext>,
  ) => Promise<Answer>;
  const response = await handler(structuredClone(event), fakeContext());
  const fast = spy.mock.results.some((r) => r.type === 'return' && r.value !== undefined);
  const published = publish.mock.calls.length;
  spy.mockRestore();
  publish.mockRestore();
  return {
    response,
    seen,
    fast,
    published,
    sfnCalls: sfnMock.calls().length,
    logs: () => lines.map((l) => JSON.parse(l) as LogRecord),
    metricNames: () => addMetric.mock.calls.map((c) => String(c[0])),
    emf,
  };
}

const STATES: Array<[string, Attrs | undefined]> = [
  ['no attributes', undefined],
  ['the application’s keys', APP],
  ['its list in progress (rw:own a)', { ...APP, ...own({ a: ['SpeakAndGetDigits'] }) }],
  ['a list, auto-record done and a notice fingerprint', { ...APP, ...own({ a: ['CallAndBridge'], r: 1, k: 'abcdefgh' }) }],
  ['an unreadable rw:own', { ...APP, [OwnStateAttribute]: 'not json' }],
  ['keys the application took (g) and a list', { ...APP, ...own({ a: ['SpeakAndGetDigits'], g: '1' }) }],
  ['a past opt-out notice (k, o) and a list', { ...APP, ...own({ a: ['SpeakAndGetDigits'], k: 'abcdefgh', o: 5 }) }],
  ['an rw:own written in another order', { ...APP, [OwnStateAttribute]: '{"k":"abcdefgh","a":["CallAndBridge"]}' }],
  ['waiting for its StartRecording result (c)', { ...APP, ...own({ c: 'StartRecording', a: ['SpeakAndGetDigits'] }) }],
  ['a resume echo to come (s)', { ...APP, ...own({ a: ['SpeakAndGetDigits'], s: 1 }) }],
  ['a parked call-end token', { ...APP, [TokenAttribute.WaitForCallEnd]: makeToken('end') }],
  ['a pending start', { ...APP, [TokenAttribute.StartRecording]: makeToken('start'), [PendingCallIdAttribute]: IDS.legA }],
  ['a recording on the call', { ...APP, [RecordingsAttribute]: JSON.stringify({ [IDS.legA]: LOCATION }) }],
];

const ANSWERS: Array<[string, (e: EventJson) => Answer | undefined]> = [
  [
    'the menu and a new map',
    (e) => ({
      SchemaVersion: '1.0',
      Actions: [menu],
      TransactionAttributes: { ...(e.CallDetails.TransactionAttributes ?? {}), 'app:tries': '1' },
    }),
  ],
  ['the menu, no map', () => ({ SchemaVersion: '1.0', Actions: [menu] })],
  ['nothing', () => ({ SchemaVersion: '1.0', Actions: [] })],
  ['undefined', () => undefined],
  ['a Hangup only', () => ({ SchemaVersion: '1.0', Actions: [hangup] })],
  ['an erased map', () => ({ SchemaVersion: '1.0', Actions: [menu], TransactionAttributes: {} })],
  [
    'an rw: key of its own',
    () => ({ SchemaVersion: '1.0', Actions: [], TransactionAttributes: { ...APP, 'rw:own': '{"c":"StartRecording"}' } }),
  ],
  [
    'ten keys (full with the middleware’s)',
    () => ({
      SchemaVersion: '1.0',
      Actions: [menu],
      TransactionAttributes: Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`app:${i}`, 'x'])),
    }),
  ],
];

/** Both shapes (the middy middleware finishes the fast path in its own `after`), keypad controls off and on. */
const SETUPS: Array<[string, { shape: 'plain' | 'middy'; env?: Record<string, string> }]> = [
  ['withRecording', { shape: 'plain' }],
  ['middy', { shape: 'middy' }],
  ['withRecording, keypad controls on', { shape: 'plain', env: { RECORDING_DTMF_CONTROLS: 'pause=5,resume=6,stop=7' } }],
];

/** Every fixture, and the results of an application's digit collection (the keypad controls remember its keys). */
function events(): Array<[string, EventJson]> {
  const collected = (digits: string | undefined): [string, EventJson] => {
    const event = fixture('ACTION_SUCCESSFUL-Speak');
    event.ActionData = {
      Type: 'SpeakAndGetDigits',
      Parameters: { CallId: IDS.legA, InputDigitsRegex: '^[0-9]$', MinNumberOfDigits: 1, MaxNumberOfDigits: 1 },
      ...(digits === undefined ? {} : { ReceivedDigits: digits }),
    };
    return [`ACTION_SUCCESSFUL SpeakAndGetDigits ${JSON.stringify(digits)}`, event];
  };
  return [
    ...fixtureNames().map((name): [string, EventJson] => [name, fixture(name)]),
    collected('1'),
    collected('5'),
    collected(''),
    collected(undefined),
  ];
}

/**
 * The equivalence loop's handlers: one per setup and path, built once and reused for every event (a Logger, Metrics
 * and middleware built per event were most of this file's time). The full path is the same code with takeQuiet
 * answering "not quiet"; every Metrics instance's addMetric is observed, the middleware's own included.
 */
function equivalenceRig(setup: { shape: 'plain' | 'middy'; env?: Record<string, string> }) {
  let forceFull = false;
  const quiet = RecordingCore.prototype.takeQuiet;
  const addMetric = jest.spyOn(Metrics.prototype, 'addMetric');
  let answer: (e: EventJson) => Answer | undefined = () => undefined;
  const seen: EventJson[] = [];
  const app = async (e: EventJson) => {
    seen.push(structuredClone(e));
    return structuredClone(answer(e));
  };
  const make = () => {
    const options = { config: loadRecordingConfig(setup.env ?? {}), sfn: sharedSfn.sfn, logger: capturingLogger().logger };
    const handler = setup.shape === 'middy' ? middy(app).use(recording(options)) : withRecording(app, options);
    return handler as (event: unknown, context: ReturnType<typeof fakeContext>) => Promise<Answer>;
  };
  const handlers = { full: make(), fast: make() };
  const spy = jest.spyOn(RecordingCore.prototype, 'takeQuiet');
  spy.mockImplementation(function (this: RecordingCore, raw: unknown) {
    return forceFull ? undefined : quiet.call(this, raw);
  });
  const runOne = async (path: 'full' | 'fast', event: EventJson, a: (e: EventJson) => Answer | undefined) => {
    answer = a;
    seen.length = 0;
    forceFull = path === 'full';
    sharedSfn.sfnMock.resetHistory();
    addMetric.mockClear();
    const response = await handlers[path](structuredClone(event), fakeContext());
    return {
      response,
      seen: [...seen],
      sfnCalls: sharedSfn.sfnMock.calls().length,
      metricNames: addMetric.mock.calls.map((c) => String(c[0])),
    };
  };
  const restore = () => {
    spy.mockRestore();
    addMetric.mockRestore();
  };
  return { runOne, restore };
}

describe.each(SETUPS)('the fast path answers exactly as the full path (%s)', (_setup, setup) => {
  let rig: ReturnType<typeof equivalenceRig>;
  beforeAll(() => {
    rig = equivalenceRig(setup);
  });
  afterAll(() => rig.restore());

  describe.each(STATES)('state: %s', (_name, attributes) => {
    it.each(ANSWERS)('every fixture, the application answering %s', async (_answer, answer) => {
      for (const [name, original] of events()) {
        const event = withAttributes(original, attributes);
        const full = await rig.runOne('full', event, answer);
        const fast = await rig.runOne('fast', event, answer);
        expect({ name, response: fast.response, seen: fast.seen, sfnCalls: fast.sfnCalls }).toEqual({
          name,
          response: full.response,
          seen: full.seen,
          sfnCalls: full.sfnCalls,
        });
        // The per-event count is the only metric the fast path leaves out (with the middleware's own Metrics).
        const withoutCount = (names: string[]) => names.filter((n) => n !== 'SmaEvents');
        expect({ name, metrics: withoutCount(fast.metricNames) }).toEqual({ name, metrics: withoutCount(full.metricNames) });
      }
    });
  });
});

describe('what takes the fast path, and what never does', () => {
  const quiet = { ...APP, ...own({ a: ['SpeakAndGetDigits'] }) };
  const nothing = () => ({ SchemaVersion: '1.0' as const, Actions: [] });

  it.each([
    'NEW_INBOUND_CALL',
    'NEW_OUTBOUND_CALL',
    'RINGING',
    'CALL_ANSWERED',
    'ACTION_SUCCESSFUL-Speak',
    'ACTION_SUCCESSFUL-CallAndBridge',
    'ACTION_FAILED',
    'ACTION_INTERRUPTED',
    'DIGITS_RECEIVED',
    'HANGUP',
    'HANGUP-two-leg',
  ])('%s of a call the recording has no part in: fast, the rw:own bookkeeping kept', async (name) => {
    const r = await run(withAttributes(fixture(name), quiet), () => ({ SchemaVersion: '1.0', Actions: [menu] }));
    expect(r.fast).toBe(true);
    expect(r.seen[0].CallDetails.TransactionAttributes).toEqual(APP);
    expectValidSmaResponse(r.response);
    if (name.startsWith('HANGUP')) return; // nothing to resume after a hangup
    // Still the list an update would interrupt (so it can resume it): written only when it changes.
    const attrs = r.response.TransactionAttributes ?? quiet;
    expect(JSON.parse(attrs[OwnStateAttribute])).toEqual({ a: ['SpeakAndGetDigits'] });
  });

  it.each(STATES.filter(([n]) => /waiting|echo|token|pending|recording on/.test(n)))(
    'state "%s": the full path, for every event',
    async (_n, attributes) => {
      for (const name of fixtureNames()) expect((await run(withAttributes(fixture(name), attributes), nothing)).fast).toBe(false);
    },
  );

  it('a workflow command is never fast: the middleware answers it, the application is not called', async () => {
    const r = await run(
      callUpdate(
        { command: 'StartRecording', taskToken: makeToken('start'), callId: IDS.legA, track: 'BOTH', location: LOCATION, attempt: '1' },
        { attributes: APP },
      ),
      nothing,
    );
    expect(r.fast).toBe(false);
    expect(r.seen).toEqual([]);
    expectValidSmaResponse(r.response);
    expect(r.response.Actions.map((a) => a.Type)).toEqual(['StartCallRecording']);
  });

  it('a HANGUP with the call-end token: full path, the token completed', async () => {
    const token = makeToken('end');
    const r = await run(withAttributes(fixture('HANGUP'), { ...APP, [TokenAttribute.WaitForCallEnd]: token }), nothing);
    expect(r.fast).toBe(false);
    expect(r.sfnCalls).toBe(1);
    expect(JSON.stringify(r.seen)).not.toContain(token);
  });

  it('INVALID_LAMBDA_RESPONSE and CALL_UPDATE_REQUESTED are never fast (logged; the workflow’s)', async () => {
    expect((await run(withAttributes(fixture('INVALID_LAMBDA_RESPONSE'), quiet), nothing)).fast).toBe(false);
    expect((await run(withAttributes(fixture('CALL_UPDATE_REQUESTED'), quiet), nothing)).fast).toBe(false);
  });

  it('auto-record not yet started: the full path (it may start now); once started (r): fast', async () => {
    const bridged = fixture('ACTION_SUCCESSFUL-CallAndBridge');
    const before = await run(withAttributes(bridged, APP), nothing, { env: AUTO_RECORD_ENV as Attrs });
    expect(before.fast).toBe(false);
    expect(before.sfnCalls).toBe(1); // StartExecution
    const after = await run(withAttributes(bridged, { ...APP, ...own({ r: 1 }) }), nothing, { env: AUTO_RECORD_ENV as Attrs });
    expect(after.fast).toBe(true);
    expect(after.sfnCalls).toBe(0);
  });

  it('attributes the middleware cannot read (a value that is not a string): the full path, with its clear warning', async () => {
    const event = fixture('DIGITS_RECEIVED') as unknown as { CallDetails: { TransactionAttributes: unknown } };
    event.CallDetails.TransactionAttributes = { 'app:menu': 7 };
    const r = await run(event as unknown as EventJson, nothing);
    expect(r.fast).toBe(false);
    expect(r.logs().find((l) => l.level === 'WARN')?.message).toMatch(/not understood by the recording middleware/);
    expect(JSON.stringify(r.logs())).toContain('TransactionAttributes');
  });
});

describe('metrics and log keys on the fast path', () => {
  const quiet = withAttributes(fixture('DIGITS_RECEIVED'), { ...APP, ...own({ a: ['SpeakAndGetDigits'] }) });
  const nothing = () => ({ SchemaVersion: '1.0' as const, Actions: [] });

  it('the middleware’s own Metrics: no EMF line and no "nothing to publish" warning for a quiet event', async () => {
    const r = await run(quiet, nothing);
    expect(r.fast).toBe(true);
    expect(r.published).toBe(0);
    expect(r.logs().filter((l) => /No application metrics/.test(l.message))).toEqual([]);
    // An event the middleware reads in full is counted and published as before.
    const full = await run(withAttributes(fixture('HANGUP'), { [TokenAttribute.WaitForCallEnd]: makeToken('end') }), nothing);
    expect(full.fast).toBe(false);
    expect(full.published).toBe(1);
  });

  it('Metrics shared with the application (its logMetrics publishes every invocation): SmaEvents still counted', async () => {
    const r = await run(quiet, nothing, { sharedMetrics: true });
    expect(r.fast).toBe(true);
    expect(r.metricNames()).toEqual(['SmaEvents']);
  });

  it('a Logger shared with the application: its lines about a quiet event carry the event’s keys', async () => {
    const spy = fastPath();
    const { sfn } = mockedSfn();
    const { logger, lines } = capturingLogger();
    const app = async () => {
      logger.info('application line');
      return { SchemaVersion: '1.0' as const, Actions: [] };
    };
    await withRecording(app, { config: loadRecordingConfig({}), sfn, logger })(structuredClone(quiet), fakeContext());
    expect(spy.mock.results.some((r) => r.value !== undefined)).toBe(true);
    spy.mockRestore();
    const line = lines.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.message === 'application line');
    expect(line).toMatchObject({ eventType: 'DIGITS_RECEIVED', sequence: quiet.Sequence, transactionId: expect.any(String) });
  });

  it('something logged about a quiet event carries that event’s keys', async () => {
    const ten = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`app:${i}`, 'x']));
    const r = await run(quiet, () => ({ SchemaVersion: '1.0', Actions: [menu], TransactionAttributes: ten }));
    expect(r.fast).toBe(true);
    expectValidSmaResponse(r.response);
    expect(r.response.TransactionAttributes).toEqual(ten); // the application's map, never lost
    const warn = r.logs().find((l) => /TransactionAttributes full/.test(l.message)) as LogRecord & Record<string, unknown>;
    expect(warn).toMatchObject({ eventType: 'DIGITS_RECEIVED', sequence: quiet.Sequence });
    expect(warn.transactionId).toBeDefined();
  });
});

describe('the fast path’s rw:own helpers agree with readOwn and ownAttribute', () => {
  const states: OwnState[] = [
    {},
    { a: ['SpeakAndGetDigits'] },
    { a: [] },
    { a: ['Speak', 'Hangup'], r: 1 },
    { c: Command.StartRecording, a: ['CallAndBridge'], s: 1, k: 'abcdefgh', g: '12' },
    { r: 1, k: 'abcdefgh' },
    { k: 'abcdefgh', o: 5, a: ['SpeakAndGetDigits'] },
    { g: '5' },
    { a: ['say "hi" \\ \u2028'] },
  ];
  const lists: Array<string[] | undefined> = [undefined, [], ['SpeakAndGetDigits'], ['CallAndBridge'], ['Speak', 'Hangup'], ['"quoted"']];

  it.each(states)('state %j: parsed as readOwn parses it; written back as ownAttribute writes it', (state) => {
    const raw = ownAttribute(state)[OwnStateAttribute];
    for (const text of [raw, raw, JSON.stringify(state)]) {
      const parsed = parseOwn(text);
      const expected = readOwn(text === undefined ? {} : { [OwnStateAttribute]: text });
      expect({ c: parsed.c, a: parsed.a, r: parsed.r, s: parsed.s, k: parsed.k, o: parsed.o, g: parsed.g }).toEqual({
        c: expected.c,
        a: expected.a,
        r: expected.r,
        s: expected.s,
        k: expected.k,
        o: expected.o,
        g: expected.g,
      });
      expect(parsed.json).toBe(ownAttribute(expected)[OwnStateAttribute]);
      for (const a of lists) {
        for (const g of [undefined, '', '7']) {
          const next: OwnState = { ...expected, a, g };
          if (a === undefined) delete next.a;
          if (g === undefined) delete next.g;
          expect(ownJsonWith(parsed, a, g)).toBe(ownAttribute(next)[OwnStateAttribute]);
        }
      }
    }
  });

  it('an unreadable or empty rw:own is an empty state', () => {
    for (const text of [undefined, '', 'not json', '[1]', 'null', '{"a":[1]}']) {
      expect(parseOwn(text).json).toBe(ownAttribute(readOwn(text === undefined ? {} : { [OwnStateAttribute]: text }))[OwnStateAttribute]);
    }
  });

  it('typesOf is the list finishApp makes with map, holes included', () => {
    const sparse: Array<{ Type?: unknown }> = [{ Type: 'Speak' }];
    sparse[2] = { Type: 'Hangup' };
    const lists: Array<readonly string[] | undefined> = [undefined, [], ['Speak'], ['undefined', '7'], ['Speak', 'undefined', 'Hangup']];
    for (const actions of [[], [{ Type: 'Speak' }], [{}, { Type: 7 }], sparse]) {
      const expected = JSON.stringify(actions.map((a) => String(a?.Type)));
      for (const same of lists) {
        const types = typesOf(actions, same);
        expect(JSON.stringify(types)).toBe(expected);
        // The list in progress itself when it is the same again (no new array); never for a list with holes.
        expect(types === same).toBe(same !== undefined && actions !== sparse && JSON.stringify(same) === expected);
      }
    }
  });
});

describe('the fast path through each entry point', () => {
  const quietAttrs = { ...APP, ...own({ a: ['SpeakAndGetDigits'] }) };
  const bridge = { Type: 'CallAndBridge', Parameters: { CallTimeoutSeconds: 30, Endpoints: [] } };

  it('RecordingCore.prepare (the public entry): the same event and answer as withRecording', async () => {
    const event = withAttributes(fixture('DIGITS_RECEIVED'), quietAttrs);
    const answer = () => ({ SchemaVersion: '1.0' as const, Actions: [bridge] });
    const viaWrapper = await run(event, answer);
    const { sfn } = mockedSfn();
    const { logger } = capturingLogger();
    const core = new RecordingCore({ config: loadRecordingConfig({}), sfn, logger });
    const prepared = await core.prepare(structuredClone(event));
    if (prepared.kind !== 'app') throw new Error('expected the application to be called');
    expect(prepared.event).toEqual(viaWrapper.seen[0]);
    expect(await prepared.finish(answer())).toEqual(viaWrapper.response);
  });

  it('middy: invocations that overlap each get their own answer (the pending slot and the WeakMap)', async () => {
    const { sfn } = mockedSfn();
    const { logger } = capturingLogger();
    const gates: Array<() => void> = [];
    // The application answers with the menu for its first call's events and a bridge for the second's, after a wait.
    const app = async (e: EventJson) => {
      await new Promise<void>((resolve) => gates.push(resolve));
      const first = e.CallDetails.TransactionId === 'call-1';
      return {
        SchemaVersion: '1.0' as const,
        Actions: [first ? menu : bridge],
        TransactionAttributes: { 'app:call': e.CallDetails.TransactionId },
      };
    };
    const handler = middy(app).use(recording({ config: loadRecordingConfig({}), sfn, logger })) as unknown as (
      event: unknown,
      context: ReturnType<typeof fakeContext>,
    ) => Promise<Answer>;
    const event = (id: string, list: string[]) => {
      const e = withAttributes(fixture('DIGITS_RECEIVED'), { ...APP, ...own({ a: list }) });
      e.CallDetails.TransactionId = id;
      return e;
    };
    const one = handler(event('call-1', ['CallAndBridge']), fakeContext());
    const two = handler(event('call-2', ['SpeakAndGetDigits']), fakeContext());
    while (gates.length < 2) await new Promise((r) => setImmediate(r));
    gates[1](); // the second finishes first
    const second = await two;
    gates[0]();
    const first = await one;
    expect(first.Actions).toEqual([menu]);
    expect(first.TransactionAttributes).toEqual({ 'app:call': 'call-1', [OwnStateAttribute]: '{"a":["SpeakAndGetDigits"]}' });
    expect(second.Actions).toEqual([bridge]);
    expect(second.TransactionAttributes).toEqual({ 'app:call': 'call-2', [OwnStateAttribute]: '{"a":["CallAndBridge"]}' });
  });
});
