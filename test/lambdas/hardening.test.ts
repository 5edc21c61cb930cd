/**
 * Issue 13, the Lambda half: a late or lost StartCallRecording success is never asked for twice, and the
 * hostile-input findings (consent length, prototype lookups, unmasked event values, token fragments,
 * unchecked attributes, INVALID_LAMBDA_RESPONSE in ActionData). Each of these failed on the code before it.
 */
import { SendTaskSuccessCommand } from '@aws-sdk/client-sfn';
import { MIN_TOKEN_FRAGMENT, redactToken } from '../../lambdas/shared/mask';
import { characterCount, parseRecordingRequest } from '../../lambdas/shared/recording-request';
import { PendingCallIdAttribute, RecordingsAttribute, TokenAttribute } from '../../lambdas/shared/workflow-contract';
import { MAX_ATTRIBUTES } from '../../lambdas/recording/sma-response';
import { VALID_REQUEST } from './recording-request-cases';
import {
  KEEP_RESPONSE,
  IDS,
  LOCATION,
  RECORDING_KEY,
  callUpdate,
  expectValidSmaResponse,
  fixture,
  harness,
  makeToken,
  withAttributes,
  type EventJson,
} from './helpers';

const token1 = makeToken('attempt-1');
const token2 = makeToken('attempt-2');
const startArgs = (taskToken: string, attempt: string) => ({
  command: 'StartRecording',
  taskToken,
  callId: IDS.legA,
  track: 'BOTH',
  location: LOCATION,
  attempt,
});
const startSucceeded = (attributes: Record<string, string> | undefined) =>
  withAttributes(fixture('ACTION_SUCCESSFUL-StartCallRecording'), attributes);
function alreadyStarted(
  attributes: Record<string, string> | undefined,
  message = 'Call recording was already started on this call leg',
): EventJson {
  const e = withAttributes(fixture('ACTION_FAILED-StartCallRecording-SystemException'), attributes);
  e.ActionData = { ...e.ActionData!, ErrorType: 'InvalidActionParameter', ErrorMessage: message };
  return e;
}
const attrs = (r: { TransactionAttributes?: Record<string, string> }, before: Record<string, string> | undefined) =>
  r.TransactionAttributes ?? before;

describe('late start and lost success callback: one StartCallRecording per leg', () => {
  it('the first start succeeds late, after the retry: the late success answers the retry; the second start’s "already started" is not a failure', async () => {
    const h = harness();
    const r1 = await h.invoke(callUpdate(startArgs(token1, '1')));
    expect(r1.Actions.map((a) => a.Type)).toEqual(['StartCallRecording']);
    // attempt 1 timed out in the workflow; attempt 2 (nothing known yet, so the leg is asked again)
    const r2 = await h.invoke(callUpdate(startArgs(token2, '2'), { attributes: attrs(r1, undefined) }));
    expect(r2.TransactionAttributes?.[TokenAttribute.StartRecording]).toBe(token2);
    // the first StartCallRecording's ACTION_SUCCESSFUL arrives now
    const r3 = await h.invoke(startSucceeded(attrs(r2, r1.TransactionAttributes)));
    expect(h.successCalls().map((c) => c.taskToken)).toEqual([token2]);
    expect(JSON.parse(h.successCalls()[0].output!).location).toBe(RECORDING_KEY);
    // delivered: the map is left to the SMA (a racing update's parked token must survive), so r2's stays
    expect(r3).toEqual(KEEP_RESPONSE);
    // the second StartCallRecording is refused by the once-per-leg rule: the leg was asked, its start is not failed
    const r4 = await h.invoke(alreadyStarted(attrs(r3, attrs(r2, r1.TransactionAttributes))));
    expectValidSmaResponse(r4);
    expect(r4.Actions).toBeNull();
    expect(h.failureCalls()).toEqual([]);
    expect(h.successCalls()).toHaveLength(1);
  });

  it('"already started" arrives before the late success: the retry’s token stays parked and the late success completes it', async () => {
    const h = harness();
    const r1 = await h.invoke(callUpdate(startArgs(token1, '1')));
    const r2 = await h.invoke(callUpdate(startArgs(token2, '2'), { attributes: r1.TransactionAttributes }));
    const r3 = await h.invoke(alreadyStarted(r2.TransactionAttributes));
    expect(r3).toEqual(KEEP_RESPONSE); // nothing changed: the token waits
    expect(h.failureCalls()).toEqual([]);
    expect(h.metricNames()).toContain('LateRecordingStarts');
    await h.invoke(startSucceeded(r2.TransactionAttributes));
    expect(h.successCalls().map((c) => c.taskToken)).toEqual([token2]);
  });

  it('success callback lost (Step Functions unreachable): the retry is answered with the started recording, no second StartCallRecording', async () => {
    const h = harness();
    const r1 = await h.invoke(callUpdate(startArgs(token1, '1')));
    h.sfnMock
      .on(SendTaskSuccessCommand)
      .rejectsOnce(Object.assign(new Error('connect ECONNREFUSED'), { name: 'Error' }))
      .resolves({});
    const r2 = await h.invoke(startSucceeded(r1.TransactionAttributes));
    expect(r2.TransactionAttributes?.[TokenAttribute.StartRecording]).toBeUndefined();
    const r3 = await h.invoke(callUpdate(startArgs(token2, '2'), { attributes: r2.TransactionAttributes }));
    expectValidSmaResponse(r3);
    expect(r3.Actions).toBeNull();
    const calls = h.successCalls();
    expect(calls.map((c) => c.taskToken)).toEqual([token1, token2]);
    expect(JSON.parse(calls[1].output!)).toEqual(
      expect.objectContaining({ location: RECORDING_KEY, callId: IDS.legA, track: 'BOTH', alreadyStarted: true }),
    );
    expect(h.metricNames()).toContain('RecordingStartsReused');
  });

  it('a refused start on a leg whose recording is known completes a waiting task with that recording', async () => {
    const h = harness();
    const known = {
      [RecordingsAttribute]: JSON.stringify({ [IDS.legA]: RECORDING_KEY }),
      [TokenAttribute.StartRecording]: token2,
      [PendingCallIdAttribute]: IDS.legA,
    };
    const r = await h.invoke(alreadyStarted(known, 'You can only start and stop recording once for an individual call leg'));
    expect(h.successCalls().map((c) => c.taskToken)).toEqual([token2]);
    expect(r.TransactionAttributes).toEqual({ [RecordingsAttribute]: known[RecordingsAttribute] });
  });

  it('"already started" on a leg this Lambda never asked to record stays a failure', async () => {
    const h = harness();
    await h.invoke(alreadyStarted({ [TokenAttribute.StartRecording]: token1, [PendingCallIdAttribute]: IDS.legB }));
    expect(h.failureCalls()).toEqual([expect.objectContaining({ taskToken: token1, error: 'InvalidActionParameter' })]);
  });

  it('a memory value that is not ours (garbage JSON) reads as none: the leg is asked normally', async () => {
    const r = await harness().invoke(callUpdate(startArgs(token1, '1'), { attributes: { [RecordingsAttribute]: '{not json' } }));
    expect(r.Actions.map((a) => a.Type)).toEqual(['StartCallRecording']);
  });
});

describe('INVALID_LAMBDA_RESPONSE: ErrorType/ErrorMessage read at the top level and in ActionData', () => {
  it('ActionData form', async () => {
    const e = withAttributes(fixture('INVALID_LAMBDA_RESPONSE'), { [TokenAttribute.StartRecording]: token1 });
    delete e.ErrorType;
    delete e.ErrorMessage;
    e.ActionData = {
      Type: 'InvalidLambdaResponse',
      ErrorType: 'TransactionAttributesInvalidMapSize',
      ErrorMessage: 'Maximum number of mappings is 10',
    } as EventJson['ActionData'];
    const h = harness();
    const r = await h.invoke(e);
    expectValidSmaResponse(r);
    expect(h.failureCalls()).toEqual([
      { taskToken: token1, error: 'InvalidLambdaResponse', cause: 'TransactionAttributesInvalidMapSize: Maximum number of mappings is 10' },
    ]);
    expect(h.logs()).toContainEqual(
      expect.objectContaining({ message: 'the SMA refused our response', errorType: 'TransactionAttributesInvalidMapSize' }),
    );
  });

  it('ActionData without a Type is still read, not refused as malformed', async () => {
    const e = fixture('INVALID_LAMBDA_RESPONSE');
    delete e.ErrorType;
    e.ActionData = { ErrorType: 'ActionLimitExceeded' } as unknown as EventJson['ActionData'];
    const h = harness();
    await h.invoke(e);
    expect(h.logs()).toContainEqual(expect.objectContaining({ errorType: 'ActionLimitExceeded' }));
  });
});

describe('consent text: one length rule, in characters (code points, as JSONata $length)', () => {
  const emoji = (n: number) => '😀'.repeat(n);
  it('600 emoji are 600 characters (1,200 UTF-16 units): accepted by the Lambda’s NotifyConsent', async () => {
    const h = harness();
    const r = await h.invoke(callUpdate({ command: 'NotifyConsent', taskToken: token1, text: emoji(600) }));
    expect(r.Actions.map((a) => a.Type)).toEqual(['Speak']);
    expect(h.failureCalls()).toEqual([]);
  });
  it('1,001 emoji are refused by the Lambda', async () => {
    const h = harness();
    await h.invoke(callUpdate({ command: 'NotifyConsent', taskToken: token1, text: emoji(1001) }));
    expect(h.failureCalls()).toEqual([
      expect.objectContaining({
        error: 'InvalidActionParameter',
        cause: expect.stringMatching(/^text: must be a non-blank string of at most 1000 characters/),
      }),
    ]);
  });
  it('the shared rule (CLI and workflow input) agrees', () => {
    expect(characterCount(emoji(600))).toBe(600);
    expect(() => parseRecordingRequest({ ...VALID_REQUEST, consentText: emoji(1000) })).not.toThrow();
    expect(() => parseRecordingRequest({ ...VALID_REQUEST, consentText: emoji(1001) })).toThrow(/consentText/);
  });
});

describe('bridge routes are own properties only', () => {
  it.each(['constructor', 'toString', '__proto__', 'hasOwnProperty', 'valueOf'])('a dialled "%s" is not routed', async (dialled) => {
    const h = harness({ BRIDGE_ROUTES: JSON.stringify({ '+12065551212': '+17035550122' }) });
    const e = fixture('NEW_INBOUND_CALL');
    e.CallDetails.Participants[0].To = dialled;
    const r = await h.invoke(e);
    expectValidSmaResponse(r);
    // unrouted: the default UNROUTED_CALLS policy (hangup:480), never a CallAndBridge to a prototype member
    expect(r.Actions).toEqual([{ Type: 'Hangup', Parameters: { CallId: IDS.legA, SipResponseCode: '480' } }]);
  });
});

describe('every event-derived value is masked before it is logged', () => {
  const PHONE = '+12065559876';
  const leaked = (lines: string[]) => lines.filter((l) => l.includes('2065559876'));
  const cases: Array<[string, () => EventJson]> = [
    ['an unknown InvocationEventType', () => ({ ...fixture('RINGING'), InvocationEventType: PHONE })],
    [
      'a TransactionAttributes key in a validation error',
      () => {
        const e = fixture('RINGING');
        (e.CallDetails as Record<string, unknown>).TransactionAttributes = { [PHONE]: 42 };
        return e;
      },
    ],
    ['an unknown workflow command', () => callUpdate({ command: PHONE, taskToken: token1 })],
    ['a command without a token', () => callUpdate({ command: PHONE })],
    [
      'an ACTION_INTERRUPTED action Type',
      () => {
        const e = fixture('ACTION_INTERRUPTED');
        e.ActionData!.Type = PHONE;
        return e;
      },
    ],
    [
      'an ACTION_FAILED action Type and ErrorType',
      () => {
        const e = fixture('ACTION_FAILED');
        e.ActionData = { ...e.ActionData!, Type: PHONE, ErrorType: PHONE };
        return e;
      },
    ],
    [
      'an ACTION_FAILED ErrorType of a pending start (the callback log names it)',
      () => {
        const e = withAttributes(fixture('ACTION_FAILED-StartCallRecording-SystemException'), { [TokenAttribute.StartRecording]: token1 });
        e.ActionData!.ErrorType = PHONE;
        return e;
      },
    ],
    ['INVALID_LAMBDA_RESPONSE ErrorType', () => ({ ...fixture('INVALID_LAMBDA_RESPONSE'), ErrorType: PHONE })],
    [
      'a participant tag',
      () =>
        callUpdate(
          { command: 'NotifyConsent', taskToken: token1, text: 'hi' },
          { participants: [{ ...fixture('CALL_UPDATE_REQUESTED').CallDetails.Participants[0], ParticipantTag: PHONE }] },
        ),
    ],
    [
      'a TransactionId (a log correlation key)',
      () => {
        const e = fixture('ACTION_INTERRUPTED');
        e.CallDetails.TransactionId = PHONE;
        return e;
      },
    ],
  ];
  it.each(cases)('%s', async (_name, make) => {
    const h = harness();
    const r = await h.invoke(make());
    expectValidSmaResponse(r);
    expect(h.lines.length).toBeGreaterThan(0);
    expect(leaked(h.lines)).toEqual([]);
  });
});

describe('token fragments are never logged', () => {
  const token = makeToken('secret-token', 900);
  const fragments = (text: string) => {
    const found: string[] = [];
    for (let i = 0; i + MIN_TOKEN_FRAGMENT <= token.length; i++)
      if (text.includes(token.slice(i, i + MIN_TOKEN_FRAGMENT))) found.push(token.slice(i, i + MIN_TOKEN_FRAGMENT));
    return found;
  };
  const messages: Array<[string, string]> = [
    ['the whole token', `Invalid token: ${token}`],
    ['a truncated token', `Provided token is invalid: '${token.slice(0, 200)}...'`],
    ['a middle piece of 20 characters', `bad input near ${token.slice(300, 320)} (truncated)`],
    ['a JSON-escaped token', `{"taskToken":"${token.slice(0, 100)}\\/${token.slice(100, 400)}"}`],
    ['a URL-encoded token', `token=${encodeURIComponent(token.slice(0, 60) + '+/=' + token.slice(60, 200))}`],
  ];
  it.each(messages)('%s quoted by a service error', async (_name, message) => {
    const h = harness();
    h.sfnMock.on(SendTaskSuccessCommand).rejects(Object.assign(new Error(message), { name: 'ValidationException' }));
    await h.invoke(callUpdate({ command: 'WaitForCallEnd', taskToken: token }));
    const r = await h.invoke(withAttributes(fixture('HANGUP'), { [TokenAttribute.WaitForCallEnd]: token }));
    expectValidSmaResponse(r);
    const logged = h.lines.join('\n');
    expect(logged).toMatch(/task callback failed/);
    expect(fragments(logged)).toEqual([]);
    expect(logged).not.toContain(encodeURIComponent(token.slice(0, 60)).slice(0, 40));
  });

  it('redactToken keeps the rest of the message readable', () => {
    expect(
      redactToken(
        `Invalid token ${token.slice(5, 40)} for execution arn:aws:states:us-east-1:111122223333:execution:sm:1322a4e7-c106-4e70-aaaf-a8fa4c77c0cb`,
        token,
      ),
    ).toBe(
      'Invalid token <task token> for execution arn:aws:states:us-east-1:111122223333:execution:sm:1322a4e7-c106-4e70-aaaf-a8fa4c77c0cb',
    );
  });
});

describe('TransactionAttributes are checked on every path that returns them', () => {
  const many = Object.fromEntries(Array.from({ length: 150 }, (_, i) => [`app:${i}`, 'x']));
  const huge = { 'app:blob': 'x'.repeat(100 * 1024) };
  // The third field: whether the path would write a map (false: its callback went through, and the map is left to the SMA).
  const paths: Array<[string, (a: Record<string, string>) => EventJson, boolean]> = [
    ['HANGUP with a parked token', (a) => withAttributes(fixture('HANGUP'), { ...a, [TokenAttribute.WaitForCallEnd]: token1 }), true],
    [
      'StartCallRecording ACTION_SUCCESSFUL',
      (a) => startSucceeded({ ...a, [TokenAttribute.StartRecording]: token1, [PendingCallIdAttribute]: IDS.legA }),
      false,
    ],
    // the leg was asked for by the middleware (rw:recordings), but its workflow task timed out meanwhile
    [
      'StartCallRecording ACTION_SUCCESSFUL with no workflow waiting',
      (a) => startSucceeded({ ...a, [RecordingsAttribute]: JSON.stringify({ [IDS.legA]: '' }) }),
      true,
    ],
    [
      'Speak ACTION_SUCCESSFUL',
      (a) => withAttributes(fixture('ACTION_SUCCESSFUL-Speak'), { ...a, [TokenAttribute.NotifyConsent]: token1 }),
      false,
    ],
    [
      'ACTION_FAILED of a pending start',
      (a) => withAttributes(fixture('ACTION_FAILED-StartCallRecording-SystemException'), { ...a, [TokenAttribute.StartRecording]: token1 }),
      true,
    ],
    [
      'INVALID_LAMBDA_RESPONSE',
      (a) => withAttributes(fixture('INVALID_LAMBDA_RESPONSE'), { ...a, [TokenAttribute.StartRecording]: token1 }),
      true,
    ],
  ];
  for (const [size, attributes] of [
    ['150 keys', many],
    ['a 100 KB value', huge],
  ] as const) {
    it.each(paths)(`%s, arriving with ${size}: never echoed back`, async (_name, make, writes) => {
      const h = harness();
      const r = await h.invoke(make(attributes));
      expectValidSmaResponse(r);
      expect(r.TransactionAttributes).toBeUndefined();
      expect(MAX_ATTRIBUTES).toBe(10);
      if (writes) expect(h.metricNames()).toContain('TransactionAttributesOverLimit');
    });
  }
});
