/** Nothing the SMA or Step Functions does makes the Lambda throw, hang, or log a token or a phone number. */
import { SendTaskFailureCommand, SendTaskSuccessCommand, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { maskPhoneNumber } from '../../lambdas/shared/mask';
import { TIMEOUT_EARLY_MS } from '../../lambdas/sma-handler/handler';
import { MAX_EVENT_BYTES } from '../../lambdas/recording/sma-event';
import { PendingCallIdAttribute, TokenAttribute } from '../../lambdas/shared/workflow-contract';
import {
  ANSWERING_AUTO_RECORD_ENV,
  AUTO_RECORD_ENV,
  KEEP_RESPONSE,
  IDS,
  LOCATION,
  PHONE_NUMBERS,
  awsError,
  callUpdate,
  expectValidSmaResponse,
  fixture,
  harness,
  makeToken,
  twoLegParticipants,
  withAttributes,
  type EventJson,
  type Harness,
} from './helpers';

const MALFORMED = 'malformed SMA event answered with an empty action list';

function circular(): unknown {
  const event: Record<string, unknown> = { ...fixture('HANGUP') };
  event.self = event;
  return event;
}
function mutate(name: string, change: (e: EventJson) => void): EventJson {
  const e = fixture(name);
  change(e);
  return e;
}

describe('malformed events: a valid empty response, a specific logged reason, nothing thrown', () => {
  const cases: Array<[string, () => unknown, RegExp]> = [
    ['missing CallDetails', () => mutate('NEW_INBOUND_CALL', (e) => delete (e as Partial<EventJson>).CallDetails), /CallDetails/],
    [
      'Sequence as a string',
      () => mutate('NEW_INBOUND_CALL', (e) => ((e as Record<string, unknown>).Sequence = '1')),
      /Sequence: Invalid input: expected number, received string/,
    ],
    ['negative Sequence', () => mutate('NEW_INBOUND_CALL', (e) => (e.Sequence = -1)), /Sequence/],
    [
      'unknown InvocationEventType',
      () => mutate('NEW_INBOUND_CALL', (e) => (e.InvocationEventType = 'CALL_TRANSFERRED')),
      /unknown InvocationEventType "CALL_TRANSFERRED"/,
    ],
    [
      'missing InvocationEventType',
      () => mutate('NEW_INBOUND_CALL', (e) => delete (e as Partial<EventJson>).InvocationEventType),
      /InvocationEventType/,
    ],
    ['HANGUP without ActionData', () => mutate('HANGUP', (e) => delete e.ActionData), /ActionData/],
    [
      'CALL_UPDATE_REQUESTED with a non-string argument',
      () =>
        mutate(
          'CALL_UPDATE_REQUESTED',
          (e) => (e.ActionData = { Type: 'CallUpdateRequest', Parameters: { Arguments: { taskToken: 42 } } }),
        ),
      /ActionData\.Parameters\.Arguments\.taskToken/,
    ],
    [
      'a participant without CallId',
      () =>
        mutate(
          'NEW_INBOUND_CALL',
          (e) => delete (e.CallDetails.Participants[0] as Partial<EventJson['CallDetails']['Participants'][0]>).CallId,
        ),
      /CallDetails\.Participants\.0\.CallId/,
    ],
    [
      'StartTimeInMilliseconds as a negative number',
      () =>
        mutate(
          'NEW_INBOUND_CALL',
          (e) => ((e.CallDetails.Participants[0] as unknown as Record<string, unknown>).StartTimeInMilliseconds = -5),
        ),
      /StartTimeInMilliseconds/,
    ],
    [
      'a non-string TransactionAttributes value',
      () => mutate('ACTION_SUCCESSFUL', (e) => ((e.CallDetails as Record<string, unknown>).TransactionAttributes = { key1: 1 })),
      /TransactionAttributes\.key1/,
    ],
    [
      `oversize (> ${MAX_EVENT_BYTES} bytes)`,
      () => withAttributes(fixture('ACTION_SUCCESSFUL'), { blob: 'x'.repeat(MAX_EVENT_BYTES) }),
      /over the 131072-byte limit/,
    ],
    ['a string', () => 'NEW_INBOUND_CALL', /malformed SMA event/],
    ['a number', () => 42, /malformed SMA event/],
    ['null', () => null, /malformed SMA event/],
    ['undefined', () => undefined, /malformed SMA event/],
    ['an array', () => [fixture('NEW_INBOUND_CALL')], /malformed SMA event/],
    ['a circular object', circular, /cannot be serialised as JSON/],
    ['the event as a JSON string', () => JSON.stringify(fixture('HANGUP')), /malformed SMA event/],
  ];

  it.each(cases)('%s', async (_name, make, reason) => {
    const h = harness(AUTO_RECORD_ENV);
    const response = await h.invoke(make());
    expect(response).toEqual(KEEP_RESPONSE);
    const errors = h.logs().filter((l) => l.level === 'ERROR');
    expect(errors).toEqual([expect.objectContaining({ message: MALFORMED, reason: expect.stringMatching(reason) })]);
    expect(h.metricNames()).toEqual(['MalformedEvents']);
    expect(h.sfnMock.calls()).toHaveLength(0);
  });

  it('the logged reason names paths, never values', async () => {
    const token = makeToken('leak');
    const h = harness();
    const event = callUpdate({ command: 'StartRecording', taskToken: token });
    (event.CallDetails as Record<string, unknown>).Participants = [{ CallId: 7, ParticipantTag: 'LEG-A', To: '+12065551212' }];
    expect(await h.invoke(event)).toEqual(KEEP_RESPONSE);
    const joined = h.lines.join('\n');
    expect(joined).toMatch(/CallDetails\.Participants\.0\.CallId/);
    expect(joined).not.toContain(token);
    expect(joined).not.toContain('2065551212');
  });
});

describe('unexpected errors inside the handler', () => {
  it('are answered with an empty action list, logged and counted (middy onError)', async () => {
    const h = harness();
    // Eleven connected legs would need eleven Speak actions, over the SMA's 10: respond() throws.
    const legs = Array.from({ length: 11 }, (_, i) => ({
      ...twoLegParticipants()[0],
      CallId: `leg-${i}`,
      ParticipantTag: i === 0 ? 'LEG-A' : 'LEG-B',
    }));
    const response = await h.invoke(
      callUpdate({ command: 'NotifyConsent', taskToken: makeToken('consent'), text: 'Recorded.' }, { participants: legs }),
    );
    expect(response).toEqual(KEEP_RESPONSE);
    expect(h.logs()).toContainEqual(
      expect.objectContaining({
        level: 'ERROR',
        message: 'workflow command failed; answered with a NULL action set',
        error: 'Error',
        errorMessage: 'an SMA response holds at most 10 actions, got 11',
      }),
    );
    expect(h.metricNames()).toContain('HandlerErrors');
  });
});

describe('a hung dependency: middy answers before the Lambda times out (timeoutEarly)', () => {
  const never = () => new Promise<never>(() => undefined);

  it.each([
    [
      'SendTaskSuccess on ACTION_SUCCESSFUL',
      SendTaskSuccessCommand,
      () =>
        withAttributes(fixture('ACTION_SUCCESSFUL-StartCallRecording'), {
          [TokenAttribute.StartRecording]: makeToken('s'),
          [PendingCallIdAttribute]: IDS.legA,
        }),
      {},
    ],
    [
      'SendTaskFailure on HANGUP',
      SendTaskFailureCommand,
      () => withAttributes(fixture('HANGUP-two-leg'), { [TokenAttribute.StartRecording]: makeToken('s') }),
      {},
    ],
    ['StartExecution on NEW_INBOUND_CALL', StartExecutionCommand, () => fixture('NEW_INBOUND_CALL'), ANSWERING_AUTO_RECORD_ENV],
  ] as const)(
    '%s never answers: a valid empty response arrives shortly before the deadline',
    async (_name, command, event, env) => {
      const h = harness(env);
      h.sfnMock.on(command as typeof SendTaskSuccessCommand).callsFake(never);
      const remaining = TIMEOUT_EARLY_MS + 150;
      const started = Date.now();
      const response = await h.invoke(event(), remaining);
      const took = Date.now() - started;
      expect(response).toEqual(KEEP_RESPONSE);
      // A lower bound only (a loaded machine can be slower, never faster): the answer came from middy's early
      // timeout, which the log line proves, not from a handler that gave up on its own.
      expect(took).toBeGreaterThanOrEqual(100);
      expect(h.logs()).toContainEqual(
        expect.objectContaining({ level: 'ERROR', message: 'answering early with a NULL action set: the handler ran out of time' }),
      );
    },
    3000,
  );

  it('with less time left than the early margin, it answers at once', async () => {
    const h = harness();
    h.sfnMock.on(SendTaskSuccessCommand).callsFake(never);
    const response = await h.invoke(
      withAttributes(fixture('ACTION_SUCCESSFUL-Speak'), { [TokenAttribute.NotifyConsent]: makeToken('c') }),
      100,
    );
    expect(response).toEqual(KEEP_RESPONSE);
    // Answered by the early timeout, not by the hung callback (no wall-clock bound: CI's machine is shared).
    expect(h.logs()).toContainEqual(
      expect.objectContaining({ level: 'ERROR', message: 'answering early with a NULL action set: the handler ran out of time' }),
    );
  }, 3000);

  it('a fast handler is not cut short by the early-timeout timer', async () => {
    const h = harness();
    const response = await h.invoke(
      withAttributes(fixture('ACTION_SUCCESSFUL-Speak'), { k: 'v', [TokenAttribute.NotifyConsent]: makeToken('c') }),
      TIMEOUT_EARLY_MS + 150,
    );
    expect(response).toEqual({ SchemaVersion: '1.0', Actions: null });
  });
});

/** One call through every path that touches tokens and phone numbers, with the given SFN behaviour. */
async function fullFlow(h: Harness) {
  const start = makeToken('flow-start');
  const consent = makeToken('flow-consent');
  const callEnd = makeToken('flow-call-end');
  const retry = makeToken('flow-start-retry');
  const participants = twoLegParticipants();
  const responses: unknown[] = [];
  const send = async (event: unknown) => {
    const r = await h.invoke(event);
    expectValidSmaResponse(r);
    responses.push(r);
    return r;
  };
  await send(fixture('NEW_INBOUND_CALL'));
  let r = await send(
    callUpdate(
      { command: 'StartRecording', taskToken: start, callId: IDS.legA, track: 'BOTH', location: LOCATION, attempt: '1' },
      { participants },
    ),
  );
  r = await send(withAttributes(fixture('ACTION_FAILED-StartCallRecording-SystemException'), r.TransactionAttributes));
  r = await send(
    callUpdate(
      { command: 'StartRecording', taskToken: retry, callId: IDS.legA, track: 'BOTH', location: LOCATION, attempt: '2' },
      { participants, attributes: r.TransactionAttributes },
    ),
  );
  const ok = withAttributes(fixture('ACTION_SUCCESSFUL-StartCallRecording'), r.TransactionAttributes);
  ok.CallDetails.Participants = participants;
  r = await send(ok);
  await send(ok); // SMA retry of the same event
  r = await send(
    callUpdate(
      { command: 'NotifyConsent', taskToken: consent, text: 'This call is recorded.' },
      { participants, attributes: r.TransactionAttributes },
    ),
  );
  r = await send(withAttributes(fixture('ACTION_FAILED-Speak'), r.TransactionAttributes));
  r = await send(
    callUpdate(
      { command: 'NotifyConsent', taskToken: consent, text: 'This call is recorded.' },
      { participants, attributes: r.TransactionAttributes },
    ),
  );
  r = await send(withAttributes(fixture('ACTION_SUCCESSFUL-Speak'), r.TransactionAttributes));
  r = await send(
    callUpdate(
      { command: 'StartRecording', taskToken: makeToken('flow-bad'), callId: 'not-a-leg', track: 'BOTH', location: LOCATION },
      { participants, attributes: r.TransactionAttributes },
    ),
  );
  r = await send(callUpdate({ command: 'WaitForCallEnd', taskToken: callEnd }, { participants, attributes: r.TransactionAttributes }));
  const invalid = withAttributes(fixture('INVALID_LAMBDA_RESPONSE'), {
    ...r.TransactionAttributes,
    [TokenAttribute.StartRecording]: start,
  });
  invalid.ErrorMessage = 'Invalid CallerIdNumber +15105550101 for action CallAndBridge';
  await send(invalid);
  await send(withAttributes(fixture('HANGUP-two-leg'), { ...r.TransactionAttributes, [TokenAttribute.StartRecording]: start }));
  return { tokens: [start, consent, callEnd, retry], responses };
}

describe('error details reach the logs', () => {
  it('no log line loses a field to Powertools’ reserved keys', async () => {
    const h = harness(ANSWERING_AUTO_RECORD_ENV);
    h.sfnMock.on(SendTaskSuccessCommand).rejects(awsError('ServiceUnavailable', 'Service is unavailable, try again'));
    h.sfnMock.on(StartExecutionCommand).rejects(awsError('AccessDeniedException', 'not authorized to perform: states:StartExecution'));
    await h.invoke(fixture('NEW_INBOUND_CALL'));
    await h.invoke(withAttributes(fixture('ACTION_SUCCESSFUL-Speak'), { [TokenAttribute.NotifyConsent]: makeToken('c') }));
    const logs = h.logs();
    expect(logs.filter((l) => /reserved key/.test(l.message))).toEqual([]);
    expect(logs).toContainEqual(
      expect.objectContaining({
        message: 'could not start the recording workflow; the call goes on unrecorded',
        error: 'AccessDeniedException',
        errorMessage: 'not authorized to perform: states:StartExecution',
      }),
    );
    expect(logs).toContainEqual(
      expect.objectContaining({
        message: 'task callback failed; the workflow will time out into a named outcome',
        error: 'ServiceUnavailable',
        errorMessage: 'Service is unavailable, try again',
      }),
    );
  });
});

describe('logs never contain a task token or an unmasked phone number', () => {
  const phoneForms = PHONE_NUMBERS.flatMap((n) => [n, n.slice(2)]);
  const expectClean = (h: Harness, tokens: string[]) => {
    expect(h.lines.length).toBeGreaterThan(10);
    const text = h.lines.join('\n');
    for (const token of tokens) {
      expect(text).not.toContain(token);
      expect(text).not.toContain(token.slice(20, 80)); // no fragment either
    }
    for (const phone of phoneForms) expect(text).not.toContain(phone);
  };

  it('a full call with every callback accepted', async () => {
    const h = harness(AUTO_RECORD_ENV);
    const { tokens } = await fullFlow(h);
    expect(h.successCalls().length).toBeGreaterThanOrEqual(3);
    expectClean(h, tokens);
  });

  it('a full call where Step Functions refuses or fails every callback, echoing the token in its messages', async () => {
    const h = harness({ ...AUTO_RECORD_ENV, BRIDGE_ROUTES: JSON.stringify({ '+12065551212': '+17035550122' }) });
    // AWS validation messages quote the offending value; a token that is too long or malformed comes back verbatim.
    const echo = (name: string) => (input: { taskToken?: string }) =>
      Promise.reject(awsError(name, `1 validation error detected: Value '${input.taskToken}' at 'taskToken' failed to satisfy constraint`));
    let n = 0;
    const names = ['ValidationException', 'InvalidToken', 'ThrottlingException', 'TaskTimedOut', 'ServiceUnavailable'];
    h.sfnMock.on(SendTaskSuccessCommand).callsFake((input) => echo(names[n++ % names.length])(input));
    h.sfnMock.on(SendTaskFailureCommand).callsFake((input) => echo(names[n++ % names.length])(input));
    h.sfnMock.on(StartExecutionCommand).rejects(awsError('ValidationException', 'Invalid input for +12065551212'));
    const { tokens } = await fullFlow(h);
    const failures = h.logs().filter((l) => l.message === 'task callback failed; the workflow will time out into a named outcome');
    // the SDK's message is kept for diagnosis, with the token cut out
    expect(failures).toContainEqual(
      expect.objectContaining({
        error: 'ValidationException',
        errorMessage: "1 validation error detected: Value '<task token>' at 'taskToken' failed to satisfy constraint",
      }),
    );
    expectClean(h, tokens);
  });

  it('the SMA’s INVALID_LAMBDA_RESPONSE message is logged with phone numbers masked', async () => {
    const h = harness();
    const event = fixture('INVALID_LAMBDA_RESPONSE');
    event.ErrorMessage = 'Invalid CallerIdNumber +15105550101 for action CallAndBridge';
    await h.invoke(event);
    const logged = h.logs().find((l) => l.message === 'the SMA refused our response');
    expect(logged?.errorMessage).toBe(`Invalid CallerIdNumber ${maskPhoneNumber('+15105550101')} for action CallAndBridge`);
    expect(logged?.errorMessage).toContain('+1********01');
  });

  it('even with POWERTOOLS_LOGGER_LOG_EVENT=true the raw event (tokens, numbers) is not logged', async () => {
    const saved = process.env.POWERTOOLS_LOGGER_LOG_EVENT;
    process.env.POWERTOOLS_LOGGER_LOG_EVENT = 'true';
    try {
      const h = harness(); // the Logger reads the variable when it is built
      const token = makeToken('log-event');
      await h.invoke(callUpdate({ command: 'WaitForCallEnd', taskToken: token }));
      await h.invoke(fixture('NEW_INBOUND_CALL'));
      const text = h.lines.join('\n');
      expect(text).not.toContain(token);
      for (const phone of phoneForms) expect(text).not.toContain(phone);
    } finally {
      if (saved === undefined) delete process.env.POWERTOOLS_LOGGER_LOG_EVENT;
      else process.env.POWERTOOLS_LOGGER_LOG_EVENT = saved;
    }
  });
});

describe('tolerant parsing and failing fast', () => {
  it('accepts CallDetails.SipApplicationId, the name some doc pages print, as the SMA id', async () => {
    const h = harness(ANSWERING_AUTO_RECORD_ENV);
    const event = fixture('NEW_INBOUND_CALL');
    const details = event.CallDetails as unknown as Record<string, unknown>;
    details.SipApplicationId = details.SipMediaApplicationId;
    delete details.SipMediaApplicationId;
    await h.invoke(event);
    expect(h.metricNames()).not.toContain('MalformedEvents');
    expect(JSON.parse(h.startCalls()[0].input!).sipMediaApplicationId).toBe(IDS.sipMediaApplicationId);
  });

  it('accepts StartTimeInMilliseconds sent as a number and reports it as legStartMs', async () => {
    const h = harness();
    const token = makeToken('start');
    const event = fixture('ACTION_SUCCESSFUL-StartCallRecording');
    (event.CallDetails.Participants[0] as unknown as Record<string, unknown>).StartTimeInMilliseconds = 1644539405907;
    await h.invoke(
      withAttributes(event, {
        ...event.CallDetails.TransactionAttributes,
        'rw:startRecordingToken': token,
        'rw:startRecordingCallId': IDS.legA,
      }),
    );
    expect(h.metricNames()).not.toContain('MalformedEvents');
    expect(JSON.parse(h.successCalls()[0].output!).legStartMs).toBe(1644539405907);
  });

  it('an unexpected error while handling a workflow command fails its task at once, and the SMA still gets a valid answer', async () => {
    const h = harness();
    const token = makeToken('consent');
    // 11 connected legs would need 11 Speak actions, over the SMA's 10 per response: respond() throws.
    const legs = Array.from({ length: 11 }, (_, i) => ({
      CallId: `leg-${i}`,
      ParticipantTag: i === 0 ? 'LEG-A' : 'LEG-B',
      To: '+12065551212',
      From: '+15105550101',
      Direction: 'Inbound',
      StartTimeInMilliseconds: '1644539405907',
      Status: 'Connected',
    }));
    const response = await h.invoke(
      callUpdate({ command: 'NotifyConsent', taskToken: token, text: 'This call is recorded.' }, { participants: legs as never }),
    );
    expect(response).toEqual(KEEP_RESPONSE);
    expect(h.failureCalls()).toEqual([
      expect.objectContaining({ taskToken: token, error: 'SmaLambdaError', cause: expect.stringMatching(/at most 10 actions/) }),
    ]);
    expect(h.lines.join('\n')).not.toContain(token);
  });
});
