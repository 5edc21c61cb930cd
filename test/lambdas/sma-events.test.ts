/** Every documented SMA invocation event type parses and gets a valid SMA response. */
import { EVENT_TYPES, actionError, parseSmaEvent } from '../../lambdas/recording/sma-event';
import { RecordingsAttribute } from '../../lambdas/shared/workflow-contract';
import { KEEP_RESPONSE, IDS, RECORDING_KEY, expectValidSmaResponse, fixture, fixtureNames, harness, withAttributes } from './helpers';

const names = fixtureNames();

describe('SMA event fixtures', () => {
  it('cover all 11 invocation event types', () => {
    const types = new Set(names.map((n) => fixture(n).InvocationEventType));
    expect([...types].sort()).toEqual([...EVENT_TYPES].sort());
    expect(EVENT_TYPES).toHaveLength(11);
  });

  it.each(names)('%s parses into the typed union with its ids intact', (name) => {
    const raw = fixture(name);
    const parsed = parseSmaEvent(raw);
    expect(parsed.InvocationEventType).toBe(raw.InvocationEventType);
    expect(parsed.Sequence).toBe(raw.Sequence);
    expect(parsed.CallDetails.TransactionId).toBe(raw.CallDetails.TransactionId);
    expect(parsed.CallDetails.Participants.map((p) => p.CallId)).toEqual(raw.CallDetails.Participants.map((p) => p.CallId));
    // passthrough: fields the schema does not name survive (a new service field never breaks a call)
    expect(parsed.CallDetails).toHaveProperty('AwsAccountId', raw.CallDetails.AwsAccountId);
  });

  it.each(names)('%s (nothing pending, on-demand mode) gets a valid response and no Step Functions call', async (name) => {
    const h = harness();
    const response = await h.invoke(fixture(name));
    expectValidSmaResponse(response);
    expect(h.sfnMock.calls()).toHaveLength(0);
    expect(h.logs().filter((l) => l.level === 'ERROR' && /malformed|handler error/.test(l.message))).toEqual([]);
  });
});

describe('what each plain event gets', () => {
  it('NEW_INBOUND_CALL with no bridge route: the default UNROUTED_CALLS policy rejects it (SIP 480), never left ringing', async () => {
    expect(await harness().invoke(fixture('NEW_INBOUND_CALL'))).toEqual({
      ...KEEP_RESPONSE,
      Actions: [{ Type: 'Hangup', Parameters: { CallId: IDS.legA, SipResponseCode: '480' } }],
    });
  });

  it.each(['NEW_OUTBOUND_CALL', 'RINGING', 'CALL_ANSWERED', 'DIGITS_RECEIVED'])(
    '%s: no action, attributes untouched (field omitted)',
    async (name) => {
      expect(await harness().invoke(fixture(name))).toEqual(KEEP_RESPONSE);
    },
  );

  it('ACTION_SUCCESSFUL for an action that is not ours keeps the application’s attributes (field omitted = kept)', async () => {
    const event = fixture('ACTION_SUCCESSFUL');
    expect(event.CallDetails.TransactionAttributes).toEqual({ key1: 'value1', key2: 'value2' });
    expect(await harness().invoke(event)).toEqual(KEEP_RESPONSE);
  });

  it('ACTION_FAILED for an action that is not ours: no action, a warning naming the error', async () => {
    const h = harness();
    expect(await h.invoke(fixture('ACTION_FAILED'))).toEqual(KEEP_RESPONSE);
    expect(h.logs()).toContainEqual(
      expect.objectContaining({ level: 'WARN', message: 'action failed', action: 'PlayAudio', error: 'InvalidAudioSource' }),
    );
  });

  it('ACTION_INTERRUPTED is informational: no action, logged', async () => {
    const h = harness();
    expect(await h.invoke(fixture('ACTION_INTERRUPTED'))).toEqual(KEEP_RESPONSE);
    expect(h.logs()).toContainEqual(expect.objectContaining({ level: 'INFO', message: 'action interrupted', action: 'PlayAudio' }));
  });

  it('CALL_UPDATE_REQUESTED that is not from the workflow (no task token) is ignored with a warning', async () => {
    const h = harness();
    expect(await h.invoke(fixture('CALL_UPDATE_REQUESTED'))).toEqual(KEEP_RESPONSE);
    expect(h.logs()).toContainEqual(
      expect.objectContaining({ level: 'WARN', message: 'CALL_UPDATE_REQUESTED without a task token ignored' }),
    );
  });

  it('HANGUP of a one-leg call with nothing pending: no action, attributes untouched', async () => {
    expect(await harness().invoke(fixture('HANGUP'))).toEqual({ SchemaVersion: '1.0', Actions: [] });
  });

  it('HANGUP of leg B on a bridged call hangs up leg A (the other leg would otherwise stay up and billed)', async () => {
    const response = await harness().invoke(fixture('HANGUP-two-leg'));
    expect(response).toEqual({
      SchemaVersion: '1.0',
      Actions: [{ Type: 'Hangup', Parameters: { CallId: IDS.legA, SipResponseCode: '0' } }],
    });
  });

  it('INVALID_LAMBDA_RESPONSE with nothing pending: no action, the SMA’s error logged and counted', async () => {
    const h = harness();
    expect(await h.invoke(fixture('INVALID_LAMBDA_RESPONSE'))).toEqual(KEEP_RESPONSE);
    expect(h.logs()).toContainEqual(
      expect.objectContaining({
        level: 'ERROR',
        message: 'the SMA refused our response',
        errorType: 'TransactionAttributesInvalidMapSize',
      }),
    );
    expect(h.metricNames()).toContain('InvalidLambdaResponses');
  });

  it('StartCallRecording success with no workflow waiting (e.g. its attempt timed out): no callback, the started leg remembered', async () => {
    const h = harness();
    // the middleware had asked for this leg (rw:recordings "") before the workflow's task timed out
    const response = await h.invoke(
      withAttributes(fixture('ACTION_SUCCESSFUL-StartCallRecording'), {
        key1: 'value1',
        [RecordingsAttribute]: JSON.stringify({ [IDS.legA]: '' }),
      }),
    );
    expect(response).toEqual({
      ...KEEP_RESPONSE,
      TransactionAttributes: { key1: 'value1', [RecordingsAttribute]: JSON.stringify({ [IDS.legA]: RECORDING_KEY }) },
    });
    expect(h.sfnMock.calls()).toHaveLength(0);
  });

  it('every invocation logs the transaction id and sequence (and the keys do not leak into the next invocation)', async () => {
    const h = harness();
    await h.invoke(fixture('ACTION_INTERRUPTED'));
    const interrupted = h.logs().find((l) => l.message === 'action interrupted');
    expect(interrupted).toEqual(
      expect.objectContaining({ transactionId: IDS.transactionId, sequence: 3, eventType: 'ACTION_INTERRUPTED' }),
    );
    const before = h.lines.length;
    await h.invoke(42);
    const malformed = h
      .logs()
      .slice(before)
      .find((l) => l.message.startsWith('malformed'));
    expect(malformed).toBeDefined();
    expect(malformed).not.toHaveProperty('transactionId');
  });
});

describe('actionError (ACTION_FAILED error forms)', () => {
  it('ErrorType/ErrorMessage form', () => {
    expect(actionError({ Type: 'Speak', ErrorType: 'SystemException', ErrorMessage: 'System error while executing  action' })).toEqual({
      error: 'SystemException',
      cause: 'System error while executing  action',
    });
  });
  it('the seed’s "Error": "Name: message" form', () => {
    expect(actionError({ Type: 'StartCallRecording', Error: 'NoAccessToDestination: Error while accessing destination' })).toEqual({
      error: 'NoAccessToDestination',
      cause: 'Error while accessing destination',
    });
  });
  it('an Error without a name prefix keeps the text as the cause', () => {
    expect(actionError({ Type: 'StartCallRecording', Error: 'something broke' })).toEqual({
      error: 'UnknownActionError',
      cause: 'something broke',
    });
  });
  it('neither form', () => {
    expect(actionError({ Type: 'StartCallRecording' })).toEqual({ error: 'UnknownActionError', cause: 'ACTION_FAILED without ErrorType' });
  });
  it('ErrorType without ErrorMessage falls back to Error, then to ""', () => {
    expect(actionError({ Type: 'X', ErrorType: 'SystemException', Error: 'SystemException: boom' })).toEqual({
      error: 'SystemException',
      cause: 'SystemException: boom',
    });
    expect(actionError({ Type: 'X', ErrorType: 'SystemException' })).toEqual({ error: 'SystemException', cause: '' });
  });
});
