/** Policy-driven recording (AUTO_RECORD=on): the Lambda starts the workflow itself; bridging (BRIDGE_ROUTES). */
import { ExecutionAlreadyExists, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { DEFAULT_CONSENT_TEXT, parseRecordingRequest } from '../../lambdas/shared/recording-request';
import { ANSWERING_AUTO_RECORD_ENV, AUTO_RECORD_ENV, IDS, awsError, expectValidSmaResponse, fixture, harness } from './helpers';
import { HOLD_PAUSE_MS } from '../../lambdas/sma-handler/bridge-app';

const ARN = AUTO_RECORD_ENV.STATE_MACHINE_ARN;
const ROUTES = { BRIDGE_ROUTES: JSON.stringify({ '+12065551212': '+17035550122' }) };
const hold = { Type: 'Pause', Parameters: { CallId: IDS.legA, DurationInMilliseconds: HOLD_PAUSE_MS } };
const bridge = {
  Type: 'CallAndBridge',
  Parameters: { CallTimeoutSeconds: 30, CallerIdNumber: '+15105550101', Endpoints: [{ BridgeEndpointType: 'PSTN', Uri: '+17035550122' }] },
};

describe('auto-record on an answered call (UNROUTED_CALLS=hold answers the fixture call)', () => {
  it('starts one execution named after the TransactionId with a valid recording request as input', async () => {
    const h = harness(ANSWERING_AUTO_RECORD_ENV);
    const response = await h.invoke(fixture('NEW_INBOUND_CALL'));
    expect(response.Actions).toEqual([hold]);
    const calls = h.startCalls();
    expect(calls).toHaveLength(1);
    expect(calls[0].stateMachineArn).toBe(ARN);
    expect(calls[0].name).toBe(IDS.transactionId);
    const input = JSON.parse(calls[0].input ?? '');
    expect(input).toEqual({
      sipMediaApplicationId: IDS.sipMediaApplicationId,
      transactionId: IDS.transactionId,
      callId: IDS.legA,
      track: 'BOTH',
      location: 'my-recording-bucket/calls',
      // the Lambda plays the notice itself right after the start, so it names the text it speaks
      consentText: DEFAULT_CONSENT_TEXT,
      // and the first StartCallRecording is in its own answer: the workflow takes its outcome from the mailbox
      startedBy: 'call-flow',
      // the caller's number, for the erasure index (issue 24)
      caller: '+15105550101',
    });
    // the workflow's own validation (same rules) accepts it (the caller is the index's, beside the request)
    const { caller: _caller, ...request } = input;
    expect(parseRecordingRequest(input)).toEqual(request);
    expect(h.metricNames()).toContain('WorkflowsStarted');
  });

  it('passes RECORDING_TRACK and CONSENT_TEXT through', async () => {
    const h = harness({ ...ANSWERING_AUTO_RECORD_ENV, RECORDING_TRACK: 'INCOMING', CONSENT_TEXT: 'This call is recorded.' });
    await h.invoke(fixture('NEW_INBOUND_CALL'));
    expect(JSON.parse(h.startCalls()[0].input ?? '')).toEqual(
      expect.objectContaining({ track: 'INCOMING', consentText: 'This call is recorded.' }),
    );
  });

  it('sanitises a TransactionId that is not a valid execution name (and keeps 80 characters at most)', async () => {
    const event = fixture('NEW_INBOUND_CALL');
    event.CallDetails.TransactionId = `tx:${'a/b '.repeat(30)}`;
    const h = harness(ANSWERING_AUTO_RECORD_ENV);
    await h.invoke(event);
    const { name } = h.startCalls()[0];
    expect(name).toMatch(/^[0-9A-Za-z_-]{1,80}$/);
    expect(name).toHaveLength(80);
    expect(name?.startsWith('tx-a-b-')).toBe(true);
  });

  it('the same call delivered twice (SMA retry) -> same execution name; ExecutionAlreadyExists is tolerated quietly', async () => {
    const h = harness(ANSWERING_AUTO_RECORD_ENV);
    h.sfnMock
      .on(StartExecutionCommand)
      .resolvesOnce({ executionArn: `${ARN}:x`, startDate: new Date() })
      .rejectsOnce(new ExecutionAlreadyExists({ message: 'Execution Already Exists', $metadata: {} }));
    const first = await h.invoke(fixture('NEW_INBOUND_CALL'));
    const second = await h.invoke(fixture('NEW_INBOUND_CALL'));
    expect(second).toEqual(first);
    expect(h.startCalls().map((c) => c.name)).toEqual([IDS.transactionId, IDS.transactionId]);
    expect(h.logs()).toContainEqual(
      expect.objectContaining({ level: 'INFO', message: 'recording workflow already exists for this call', execution: IDS.transactionId }),
    );
    expect(h.logs().filter((l) => l.level === 'ERROR')).toEqual([]);
    expect(h.metricNames()).not.toContain('WorkflowStartFailures');
  });

  it.each(['ServiceUnavailable', 'ThrottlingException', 'AccessDeniedException', 'network'])(
    'StartExecution failing with %s: the call goes on, the failure logged and counted',
    async (kind) => {
      const h = harness(ANSWERING_AUTO_RECORD_ENV);
      h.sfnMock
        .on(StartExecutionCommand)
        .rejects(
          kind === 'network'
            ? Object.assign(new Error('getaddrinfo ENOTFOUND states.us-east-1.amazonaws.com'), { code: 'ENOTFOUND' })
            : awsError(kind),
        );
      const response = await h.invoke(fixture('NEW_INBOUND_CALL'));
      expectValidSmaResponse(response);
      expect(response.Actions).toEqual([hold]);
      expect(h.logs()).toContainEqual(
        expect.objectContaining({
          level: 'ERROR',
          message: 'could not start the recording workflow; the call goes on unrecorded',
          execution: IDS.transactionId,
        }),
      );
      expect(h.metricNames()).toContain('WorkflowStartFailures');
    },
  );

  it('CALL_ANSWERED on an outbound call starts the workflow for that call, and its StartCallRecording in this answer', async () => {
    const h = harness(AUTO_RECORD_ENV);
    // The application is idle: the policy's start goes out at once, in the Lambda's own answer (issue 21: no update).
    const r = await h.invoke(fixture('CALL_ANSWERED'));
    expect(r.Actions).toEqual([
      {
        Type: 'StartCallRecording',
        Parameters: { CallId: IDS.outboundLeg, Track: 'BOTH', Destination: { Type: 'S3', Location: 'my-recording-bucket/calls' } },
      },
    ]);
    expect(JSON.parse(r.TransactionAttributes!['rw:own'])).toEqual({ c: 'StartRecording', r: 1, m: 1 });
    expect(h.startCalls().map((c) => [c.name, JSON.parse(c.input ?? '').callId])).toEqual([[IDS.outboundTransactionId, IDS.outboundLeg]]);
  });

  it.each(['NEW_OUTBOUND_CALL', 'RINGING', 'HANGUP', 'ACTION_SUCCESSFUL', 'DIGITS_RECEIVED'])(
    '%s does not start a workflow',
    async (name) => {
      const h = harness(AUTO_RECORD_ENV);
      await h.invoke(fixture(name));
      expect(h.startCalls()).toEqual([]);
    },
  );

  it('an unrouted call rejected by the default policy (hangup:480) is never answered: no workflow', async () => {
    const h = harness(AUTO_RECORD_ENV);
    expect((await h.invoke(fixture('NEW_INBOUND_CALL'))).Actions).toEqual([
      { Type: 'Hangup', Parameters: { CallId: IDS.legA, SipResponseCode: '480' } },
    ]);
    expect(h.startCalls()).toEqual([]);
  });

  it('once started, later answers of the same call start nothing more (rw:own remembers it)', async () => {
    const h = harness(ANSWERING_AUTO_RECORD_ENV);
    const first = await h.invoke(fixture('NEW_INBOUND_CALL'));
    const pauseDone = fixture('ACTION_SUCCESSFUL');
    pauseDone.ActionData = { Type: 'Pause', Parameters: { CallId: IDS.legA, DurationInMilliseconds: HOLD_PAUSE_MS } };
    pauseDone.CallDetails.TransactionAttributes = first.TransactionAttributes;
    // The hold's Pause ended: the policy's StartCallRecording (parked behind the application's first list) goes now,
    // and the application's next list is held; no second workflow.
    const second = await h.invoke(pauseDone);
    expect(second.Actions?.map((a) => a.Type)).toEqual(['StartCallRecording']);
    expect(h.startCalls()).toHaveLength(1);
    const later = fixture('ACTION_SUCCESSFUL');
    later.ActionData = { Type: 'Pause', Parameters: { CallId: IDS.legA, DurationInMilliseconds: HOLD_PAUSE_MS } };
    later.CallDetails.TransactionAttributes = { ...second.TransactionAttributes };
    delete (later.CallDetails.TransactionAttributes as Record<string, string>)['rw:startRecordingCallId'];
    await h.invoke(later);
    expect(h.startCalls()).toHaveLength(1);
  });

  it('AUTO_RECORD=on with no state machine: nothing started, the problem logged once when the handler is built', async () => {
    const h = harness({ AUTO_RECORD: 'on', RECORDING_LOCATION: 'my-recording-bucket' });
    expect(h.logs()).toEqual([
      expect.objectContaining({
        level: 'ERROR',
        message: 'configuration problem',
        problem: 'AUTO_RECORD=on ignored: STATE_MACHINE_ARN: must be a state machine ARN',
      }),
    ]);
    expect((await h.invoke(fixture('NEW_INBOUND_CALL'))).Actions).toHaveLength(1);
    expect(h.startCalls()).toEqual([]);
  });
});

describe('bridging (BRIDGE_ROUTES)', () => {
  it('a routed dialled number gets CallAndBridge with the caller’s number as caller id', async () => {
    expect((await harness(ROUTES).invoke(fixture('NEW_INBOUND_CALL'))).Actions).toEqual([bridge]);
  });

  it('BRIDGE_TIMEOUT_SECONDS sets CallTimeoutSeconds', async () => {
    const response = await harness({ ...ROUTES, BRIDGE_TIMEOUT_SECONDS: '45' }).invoke(fixture('NEW_INBOUND_CALL'));
    expect(response.Actions[0].Parameters.CallTimeoutSeconds).toBe(45);
  });

  it.each([
    [undefined, [{ Type: 'Hangup', Parameters: { CallId: IDS.legA, SipResponseCode: '480' } }]],
    ['hangup:486', [{ Type: 'Hangup', Parameters: { CallId: IDS.legA, SipResponseCode: '486' } }]],
    [
      'speak:This number is not in service.',
      [
        { Type: 'Speak', Parameters: expect.objectContaining({ CallId: IDS.legA, Text: 'This number is not in service.' }) },
        { Type: 'Hangup', Parameters: { CallId: IDS.legA, SipResponseCode: '0' } },
      ],
    ],
    ['hold', [{ Type: 'Pause', Parameters: { CallId: IDS.legA, DurationInMilliseconds: HOLD_PAUSE_MS } }]],
    [
      'hold:Please hold.',
      [
        { Type: 'Speak', Parameters: expect.objectContaining({ Text: 'Please hold.' }) },
        { Type: 'Pause', Parameters: { CallId: IDS.legA, DurationInMilliseconds: HOLD_PAUSE_MS } },
      ],
    ],
  ])('an unrouted number ends or is held by UNROUTED_CALLS=%s, never left ringing', async (policy, actions) => {
    const event = fixture('NEW_INBOUND_CALL');
    event.CallDetails.Participants[0].To = '+12065550100';
    const response = await harness({ ...ROUTES, ...(policy ? { UNROUTED_CALLS: policy } : {}) }).invoke(event);
    expect(response.Actions).toEqual(actions);
  });

  it('auto-record and bridging together: the call is bridged first, and the workflow starts once the bridge is up', async () => {
    const h = harness({ ...AUTO_RECORD_ENV, ...ROUTES });
    expect((await h.invoke(fixture('NEW_INBOUND_CALL'))).Actions).toEqual([bridge]);
    // A workflow update now would replace the CallAndBridge while it rings.
    expect(h.startCalls()).toHaveLength(0);
    // The bridge is up (a list end): the recording starts now, in this answer; the application's next list waits.
    expect((await h.invoke(fixture('ACTION_SUCCESSFUL-CallAndBridge'))).Actions?.map((a) => a.Type)).toEqual(['StartCallRecording']);
    expect(h.startCalls().map((c) => [c.name, JSON.parse(c.input ?? '').callId])).toEqual([[IDS.transactionId, IDS.legA]]);
  });
});
