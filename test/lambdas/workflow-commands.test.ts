/** CALL_UPDATE_REQUESTED from the recording workflow: StartRecording, NotifyConsent, WaitForCallEnd. */
import { PendingCallIdAttribute, RecordingsAttribute, TokenAttribute } from '../../lambdas/shared/workflow-contract';
import { readOwn } from '../../lambdas/recording/own-state';
import { KEEP_RESPONSE, IDS, LOCATION, callUpdate, expectValidSmaResponse, harness, makeToken, twoLegParticipants } from './helpers';

/** The middleware's bookkeeping: its own list (StartCallRecording) is the one in progress. */
const OUR_LIST_START = { 'rw:own': '{"c":"StartRecording"}' };

const token = makeToken('start-1');
const APP_ATTRIBUTES = { key1: 'value1', key2: 'value2', 'app:menu': 'billing' };
/** The marker a StartRecording leaves: leg A asked to record, destination not known yet. */
const ASKED_A = { [RecordingsAttribute]: JSON.stringify({ [IDS.legA]: '' }) };
const startArgs = (extra: Record<string, string> = {}) => ({
  command: 'StartRecording',
  taskToken: token,
  callId: IDS.legA,
  track: 'BOTH',
  location: LOCATION,
  attempt: '1',
  ...extra,
});

describe('StartRecording', () => {
  it('returns StartCallRecording as the only (so last) action and parks the token with the WHOLE attribute map', async () => {
    const h = harness();
    const response = await h.invoke(callUpdate(startArgs(), { attributes: APP_ATTRIBUTES }));
    expectValidSmaResponse(response);
    expect(response.Actions).toEqual([
      { Type: 'StartCallRecording', Parameters: { CallId: IDS.legA, Track: 'BOTH', Destination: { Type: 'S3', Location: LOCATION } } },
    ]);
    expect(response.Actions.at(-1)?.Type).toBe('StartCallRecording');
    expect(response.TransactionAttributes).toEqual({
      ...APP_ATTRIBUTES,
      ...ASKED_A,
      [TokenAttribute.StartRecording]: token,
      [PendingCallIdAttribute]: IDS.legA,
      ...OUR_LIST_START,
    });
    // nothing is completed yet: the outcome arrives with ACTION_SUCCESSFUL / ACTION_FAILED
    expect(h.sfnMock.calls()).toHaveLength(0);
    expect(h.metricNames()).toEqual(['SmaEvents', 'RecordingStartsRequested']);
  });

  it('keeps tokens other tasks have parked (e.g. WaitForCallEnd) when parking a new one', async () => {
    const callEnd = makeToken('call-end');
    const response = await harness().invoke(callUpdate(startArgs(), { attributes: { [TokenAttribute.WaitForCallEnd]: callEnd } }));
    expect(response.TransactionAttributes).toEqual({
      [TokenAttribute.WaitForCallEnd]: callEnd,
      ...ASKED_A,
      [TokenAttribute.StartRecording]: token,
      [PendingCallIdAttribute]: IDS.legA,
      ...OUR_LIST_START,
    });
  });

  it('a retried attempt replaces the previous (spent) start token', async () => {
    const old = makeToken('start-0');
    const response = await harness().invoke(
      callUpdate(startArgs({ attempt: '2' }), { attributes: { [TokenAttribute.StartRecording]: old, [PendingCallIdAttribute]: IDS.legA } }),
    );
    expect(response.TransactionAttributes?.[TokenAttribute.StartRecording]).toBe(token);
  });

  it('with no attributes yet, the map holds just our keys', async () => {
    const response = await harness().invoke(callUpdate(startArgs()));
    expect(response.TransactionAttributes).toEqual({
      ...ASKED_A,
      [TokenAttribute.StartRecording]: token,
      [PendingCallIdAttribute]: IDS.legA,
      ...OUR_LIST_START,
    });
    expect(Object.keys(response.TransactionAttributes ?? {}).length).toBeLessThanOrEqual(10);
  });

  it.each(['INCOMING', 'OUTGOING'])('track %s and a bare-bucket location are passed through', async (track) => {
    const response = await harness().invoke(callUpdate(startArgs({ track, location: 'my-recording-bucket' })));
    expect(response.Actions[0].Parameters).toEqual({
      CallId: IDS.legA,
      Track: track,
      Destination: { Type: 'S3', Location: 'my-recording-bucket' },
    });
  });

  it('records leg B of a bridged call when asked to', async () => {
    const response = await harness().invoke(callUpdate(startArgs({ callId: IDS.legB }), { participants: twoLegParticipants() }));
    expect(response.Actions).toEqual([
      expect.objectContaining({ Type: 'StartCallRecording', Parameters: expect.objectContaining({ CallId: IDS.legB }) }),
    ]);
    expect(response.TransactionAttributes?.[PendingCallIdAttribute]).toBe(IDS.legB);
  });

  const disconnectedB = () => twoLegParticipants().map((p) => (p.CallId === IDS.legB ? { ...p, Status: 'Disconnected' } : p));
  // Every row has 4 cells: jest.each passes a `done` callback as an extra parameter when a row is shorter.
  const invalid: Array<[string, Record<string, string>, RegExp, ReturnType<typeof twoLegParticipants> | undefined]> = [
    ['track in lower case', { track: 'both' }, /^track: must be one of BOTH, INCOMING, OUTGOING, got "both"$/, undefined],
    ['track missing', { track: '' }, /^track: must be one of/, undefined],
    ['bucket with upper case', { location: 'My-Recording-Bucket/calls' }, /^location: bucket name may contain only lowercase/, undefined],
    [
      'bucket formatted as an IP address',
      { location: '192.168.5.4/calls' },
      /^location: bucket name must not be formatted as an IP address/,
      undefined,
    ],
    ['bucket starting with xn--', { location: 'xn--recordings' }, /^location: bucket name must not start with xn--/, undefined],
    [
      'bucket ending with -s3alias',
      { location: 'recordings-s3alias/calls' },
      /^location: bucket name must not end with a reserved suffix/,
      undefined,
    ],
    [
      'bucket with adjacent periods',
      { location: 'my..recordings' },
      /^location: bucket name must not contain two adjacent periods/,
      undefined,
    ],
    ['bucket too short', { location: 'ab/calls' }, /^location: bucket name must be 3-63 characters, got 2/, undefined],
    [
      'prefix with ".."',
      { location: 'my-recording-bucket/calls/../secrets' },
      /^location: key prefix must not contain empty, "." or ".." path segments$/,
      undefined,
    ],
    ['prefix with a leading "/"', { location: 'my-recording-bucket//calls' }, /^location: key prefix must not start with "\/"$/, undefined],
    [
      'prefix with a space',
      { location: 'my-recording-bucket/support calls' },
      /^location: key prefix may contain only S3 safe characters/,
      undefined,
    ],
    ['location missing', { location: '' }, /^location: must be a non-empty string/, undefined],
    ['callId not a leg of this call', { callId: '0b1e1a6e-0000-4000-8000-000000000000' }, /^callId: is not a leg of this call$/, undefined],
    ['callId with a "/"', { callId: `${IDS.legA}/x` }, /^callId: may contain only letters, digits/, undefined],
    ['callId missing', { callId: '' }, /^callId: must be a non-empty string$/, undefined],
    ['callId of a leg that has hung up', { callId: IDS.legB }, /^callId: leg LEG-B is Disconnected$/, disconnectedB()],
  ];
  it.each(invalid)(
    '%s: no action, attributes untouched, SendTaskFailure InvalidActionParameter with a specific cause',
    async (_name, args, cause, participants) => {
      const h = harness();
      const response = await h.invoke(callUpdate(startArgs(args), { attributes: APP_ATTRIBUTES, participants }));
      expect(response).toEqual(KEEP_RESPONSE);
      expect(h.failureCalls()).toEqual([{ taskToken: token, error: 'InvalidActionParameter', cause: expect.stringMatching(cause) }]);
      expect(h.successCalls()).toEqual([]);
      expect(h.logs()).toContainEqual(
        expect.objectContaining({
          level: 'WARN',
          message: 'StartRecording refused before reaching the SMA',
          problem: expect.stringMatching(cause),
        }),
      );
    },
  );

  it('attributes that would exceed the strictest documented limit (10 mappings): the task fails, the call is left alone', async () => {
    const full = Object.fromEntries(Array.from({ length: 8 }, (_, i) => [`app:${i}`, 'x']));
    const h = harness();
    const response = await h.invoke(callUpdate(startArgs(), { attributes: full }));
    expect(response).toEqual(KEEP_RESPONSE);
    expect(h.failureCalls()).toEqual([
      { taskToken: token, error: 'TransactionAttributesFull', cause: expect.stringMatching(/11 pairs, over the SMA's 10/) },
    ]);
  });

  it('attributes that would exceed the SMA’s 20 KB: the task fails, the call is left alone', async () => {
    const h = harness();
    const response = await h.invoke(callUpdate(startArgs(), { attributes: { 'app:blob': 'x'.repeat(20 * 1024 - 200) } }));
    expect(response).toEqual(KEEP_RESPONSE);
    expect(h.failureCalls()).toEqual([
      { taskToken: token, error: 'TransactionAttributesFull', cause: expect.stringMatching(/bytes, over the SMA's 20480/) },
    ]);
  });
});

describe('NotifyConsent', () => {
  const consent = makeToken('consent');
  const text = 'This call is recorded for quality and compliance.';
  const voice = { Engine: 'neural', LanguageCode: 'en-US', VoiceId: 'Joanna', TextType: 'text' };

  it('one Speak per connected leg, token parked with the whole map', async () => {
    const h = harness();
    const response = await h.invoke(
      callUpdate(
        { command: 'NotifyConsent', taskToken: consent, text },
        { participants: twoLegParticipants(), attributes: APP_ATTRIBUTES },
      ),
    );
    expectValidSmaResponse(response);
    expect(response.Actions).toEqual([
      { Type: 'Speak', Parameters: { CallId: IDS.legA, Text: text, ...voice } },
      { Type: 'Speak', Parameters: { CallId: IDS.legB, Text: text, ...voice } },
    ]);
    expect(response.TransactionAttributes).toEqual({
      ...APP_ATTRIBUTES,
      [TokenAttribute.NotifyConsent]: consent,
      'rw:own': expect.any(String),
    });
    // the middleware's bookkeeping: its notice list is the one in progress (with a fingerprint of its text)
    expect(readOwn(response.TransactionAttributes!)).toEqual({ c: 'NotifyConsent', k: expect.stringMatching(/^[\w-]{8}$/) });
    expect(h.sfnMock.calls()).toHaveLength(0);
  });

  it('skips a leg that has hung up', async () => {
    const participants = twoLegParticipants().map((p) => (p.CallId === IDS.legB ? { ...p, Status: 'Disconnected' } : p));
    const response = await harness().invoke(callUpdate({ command: 'NotifyConsent', taskToken: consent, text }, { participants }));
    expect(response.Actions.map((a) => a.Parameters.CallId)).toEqual([IDS.legA]);
  });

  it('voice settings: environment defaults, overridden per request', async () => {
    const h = harness({ SPEAK_VOICE_ID: 'Matthew', SPEAK_ENGINE: 'standard', SPEAK_LANGUAGE_CODE: 'en-GB' });
    const plain = await h.invoke(callUpdate({ command: 'NotifyConsent', taskToken: consent, text }));
    expect(plain.Actions[0].Parameters).toEqual(expect.objectContaining({ VoiceId: 'Matthew', Engine: 'standard', LanguageCode: 'en-GB' }));
    const custom = await h.invoke(
      callUpdate({ command: 'NotifyConsent', taskToken: consent, text, voiceId: 'Lea', languageCode: 'fr-FR' }),
    );
    expect(custom.Actions[0].Parameters).toEqual(expect.objectContaining({ VoiceId: 'Lea', Engine: 'standard', LanguageCode: 'fr-FR' }));
  });

  it.each([
    ['missing', undefined],
    ['blank', '   '],
    ['over Speak’s 1,000 characters', 'x'.repeat(1001)],
  ])('text %s: no action, SendTaskFailure InvalidActionParameter', async (_n, badText) => {
    const h = harness();
    const args: Record<string, string> = { command: 'NotifyConsent', taskToken: consent };
    if (badText !== undefined) args.text = badText;
    expect(await h.invoke(callUpdate(args))).toEqual(KEEP_RESPONSE);
    expect(h.failureCalls()).toEqual([
      { taskToken: consent, error: 'InvalidActionParameter', cause: 'text: must be a non-blank string of at most 1000 characters' },
    ]);
  });

  it('exactly 1,000 characters is accepted', async () => {
    const response = await harness().invoke(callUpdate({ command: 'NotifyConsent', taskToken: consent, text: 'x'.repeat(1000) }));
    expect(response.Actions).toHaveLength(1);
  });

  it('no connected leg left: SendTaskFailure CallEnded', async () => {
    const participants = twoLegParticipants().map((p) => ({ ...p, Status: 'Disconnected' }));
    const h = harness();
    expect(await h.invoke(callUpdate({ command: 'NotifyConsent', taskToken: consent, text }, { participants }))).toEqual(KEEP_RESPONSE);
    expect(h.failureCalls()).toEqual([{ taskToken: consent, error: 'CallEnded', cause: 'no connected leg to notify' }]);
  });
});

describe('WaitForCallEnd', () => {
  it('no action; the token is parked until HANGUP, other attributes kept', async () => {
    const callEnd = makeToken('call-end');
    const h = harness();
    const response = await h.invoke(callUpdate({ command: 'WaitForCallEnd', taskToken: callEnd }, { attributes: APP_ATTRIBUTES }));
    expect(response).toEqual({
      SchemaVersion: '1.0',
      Actions: null,
      TransactionAttributes: { ...APP_ATTRIBUTES, [TokenAttribute.WaitForCallEnd]: callEnd },
    });
    expect(h.sfnMock.calls()).toHaveLength(0);
  });
  it('drops the spent start and notice tokens (left in the map when their callbacks went through), so HANGUP does not send them again', async () => {
    const callEnd = makeToken('call-end');
    const spent = {
      [TokenAttribute.StartRecording]: makeToken('start'),
      [PendingCallIdAttribute]: IDS.legA,
      [TokenAttribute.NotifyConsent]: makeToken('consent'),
    };
    const h = harness();
    const response = await h.invoke(
      callUpdate({ command: 'WaitForCallEnd', taskToken: callEnd }, { attributes: { ...APP_ATTRIBUTES, ...spent } }),
    );
    expect(response.TransactionAttributes).toEqual({ ...APP_ATTRIBUTES, [TokenAttribute.WaitForCallEnd]: callEnd });
    const notice = await h.invoke(
      callUpdate(
        { command: 'NotifyConsent', taskToken: makeToken('consent-2'), text: 'Recorded.' },
        { attributes: { ...APP_ATTRIBUTES, ...spent } },
      ),
    );
    // (the standalone handler is the bridge app under the middleware: its bookkeeping `rw:own` rides along)
    expect(notice.TransactionAttributes).toEqual({
      ...APP_ATTRIBUTES,
      [TokenAttribute.NotifyConsent]: makeToken('consent-2'),
      'rw:own': expect.any(String),
    });
  });
});

describe('commands the Lambda does not know', () => {
  it('an unknown command fails its task with InvalidCommand naming the known ones', async () => {
    const h = harness();
    expect(await h.invoke(callUpdate({ command: 'StopRecording', taskToken: token }))).toEqual(KEEP_RESPONSE);
    expect(h.failureCalls()).toEqual([
      {
        taskToken: token,
        error: 'InvalidCommand',
        cause: 'unknown command "StopRecording"; expected one of StartRecording, NotifyConsent, WaitForCallEnd, ControlRecording',
      },
    ]);
  });

  it('a missing command fails its task too', async () => {
    const h = harness();
    expect(await h.invoke(callUpdate({ taskToken: token }))).toEqual(KEEP_RESPONSE);
    expect(h.failureCalls()).toEqual([expect.objectContaining({ taskToken: token, error: 'InvalidCommand' })]);
  });

  it('a command without a task token is not ours: ignored, nothing sent', async () => {
    const h = harness();
    expect(await h.invoke(callUpdate({ command: 'StartRecording', callId: IDS.legA, track: 'BOTH', location: LOCATION }))).toEqual(
      KEEP_RESPONSE,
    );
    expect(h.sfnMock.calls()).toHaveLength(0);
  });
});
