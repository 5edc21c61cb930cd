/** Policy-driven recording (AUTO_RECORD=on): the Lambda starts the workflow itself; bridging (BRIDGE_ROUTES). */
import { ExecutionAlreadyExists, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { parseRecordingRequest } from '../../lambdas/shared/recording-request';
import { AUTO_RECORD_ENV, EMPTY_RESPONSE, IDS, awsError, expectValidSmaResponse, fixture, harness } from './helpers';

const ARN = AUTO_RECORD_ENV.STATE_MACHINE_ARN;
const ROUTES = { BRIDGE_ROUTES: JSON.stringify({ '+12065551212': '+17035550122' }) };
const bridge = { Type: 'CallAndBridge', Parameters: { CallTimeoutSeconds: 30, CallerIdNumber: '+15105550101', Endpoints: [{ BridgeEndpointType: 'PSTN', Uri: '+17035550122' }] } };

describe('auto-record on NEW_INBOUND_CALL', () => {
  it('starts one execution named after the TransactionId with a valid recording request as input', async () => {
    const h = harness(AUTO_RECORD_ENV);
    const response = await h.invoke(fixture('NEW_INBOUND_CALL'));
    expect(response).toEqual(EMPTY_RESPONSE);
    const calls = h.startCalls();
    expect(calls).toHaveLength(1);
    expect(calls[0].stateMachineArn).toBe(ARN);
    expect(calls[0].name).toBe(IDS.transactionId);
    const input = JSON.parse(calls[0].input ?? '');
    expect(input).toEqual({ sipMediaApplicationId: IDS.sipMediaApplicationId, transactionId: IDS.transactionId, callId: IDS.legA, track: 'BOTH', location: 'my-recording-bucket/calls' });
    // the workflow's own validation (same rules) accepts it
    expect(parseRecordingRequest(input)).toEqual(input);
    expect(h.metricNames()).toContain('WorkflowsStarted');
  });

  it('passes RECORDING_TRACK and CONSENT_TEXT through', async () => {
    const h = harness({ ...AUTO_RECORD_ENV, RECORDING_TRACK: 'INCOMING', CONSENT_TEXT: 'This call is recorded.' });
    await h.invoke(fixture('NEW_INBOUND_CALL'));
    expect(JSON.parse(h.startCalls()[0].input ?? '')).toEqual(expect.objectContaining({ track: 'INCOMING', consentText: 'This call is recorded.' }));
  });

  it('sanitises a TransactionId that is not a valid execution name (and keeps 80 characters at most)', async () => {
    const event = fixture('NEW_INBOUND_CALL');
    event.CallDetails.TransactionId = `tx:${'a/b '.repeat(30)}`;
    const h = harness(AUTO_RECORD_ENV);
    await h.invoke(event);
    const { name } = h.startCalls()[0];
    expect(name).toMatch(/^[0-9A-Za-z_-]{1,80}$/);
    expect(name).toHaveLength(80);
    expect(name?.startsWith('tx-a-b-')).toBe(true);
  });

  it('the same call delivered twice (SMA retry) -> same execution name; ExecutionAlreadyExists is tolerated quietly', async () => {
    const h = harness(AUTO_RECORD_ENV);
    h.sfnMock
      .on(StartExecutionCommand)
      .resolvesOnce({ executionArn: `${ARN}:x`, startDate: new Date() })
      .rejectsOnce(new ExecutionAlreadyExists({ message: 'Execution Already Exists', $metadata: {} }));
    const first = await h.invoke(fixture('NEW_INBOUND_CALL'));
    const second = await h.invoke(fixture('NEW_INBOUND_CALL'));
    expect(second).toEqual(first);
    expect(h.startCalls().map((c) => c.name)).toEqual([IDS.transactionId, IDS.transactionId]);
    expect(h.logs()).toContainEqual(expect.objectContaining({ level: 'INFO', message: 'recording workflow already exists for this call', execution: IDS.transactionId }));
    expect(h.logs().filter((l) => l.level === 'ERROR')).toEqual([]);
    expect(h.metricNames()).not.toContain('WorkflowStartFailures');
  });

  it.each(['ServiceUnavailable', 'ThrottlingException', 'AccessDeniedException', 'network'])('StartExecution failing with %s: the call goes on, the failure logged and counted', async (kind) => {
    const h = harness(AUTO_RECORD_ENV);
    h.sfnMock.on(StartExecutionCommand).rejects(kind === 'network' ? Object.assign(new Error('getaddrinfo ENOTFOUND states.us-east-1.amazonaws.com'), { code: 'ENOTFOUND' }) : awsError(kind));
    const response = await h.invoke(fixture('NEW_INBOUND_CALL'));
    expectValidSmaResponse(response);
    expect(response).toEqual(EMPTY_RESPONSE);
    expect(h.logs()).toContainEqual(expect.objectContaining({ level: 'ERROR', message: 'could not start the recording workflow; the call goes on unrecorded', execution: IDS.transactionId }));
    expect(h.metricNames()).toContain('WorkflowStartFailures');
  });

  it('CALL_ANSWERED on an outbound call starts the workflow for that call', async () => {
    const h = harness(AUTO_RECORD_ENV);
    expect(await h.invoke(fixture('CALL_ANSWERED'))).toEqual(EMPTY_RESPONSE);
    expect(h.startCalls().map((c) => [c.name, JSON.parse(c.input ?? '').callId])).toEqual([[IDS.outboundTransactionId, IDS.outboundLeg]]);
  });

  it.each(['NEW_OUTBOUND_CALL', 'RINGING', 'HANGUP', 'ACTION_SUCCESSFUL', 'DIGITS_RECEIVED'])('%s does not start a workflow', async (name) => {
    const h = harness(AUTO_RECORD_ENV);
    await h.invoke(fixture(name));
    expect(h.startCalls()).toEqual([]);
  });

  it('AUTO_RECORD=on with no state machine: nothing started, the problem logged once when the handler is built', async () => {
    const h = harness({ AUTO_RECORD: 'on', RECORDING_LOCATION: 'my-recording-bucket' });
    expect(h.logs()).toEqual([expect.objectContaining({ level: 'ERROR', message: 'configuration problem', problem: 'AUTO_RECORD=on ignored: STATE_MACHINE_ARN: must be a state machine ARN' })]);
    expect(await h.invoke(fixture('NEW_INBOUND_CALL'))).toEqual(EMPTY_RESPONSE);
    expect(h.startCalls()).toEqual([]);
  });
});

describe('bridging (BRIDGE_ROUTES)', () => {
  it('a routed dialled number gets CallAndBridge with the caller’s number as caller id', async () => {
    expect(await harness(ROUTES).invoke(fixture('NEW_INBOUND_CALL'))).toEqual({ SchemaVersion: '1.0', Actions: [bridge] });
  });

  it('BRIDGE_TIMEOUT_SECONDS sets CallTimeoutSeconds', async () => {
    const response = await harness({ ...ROUTES, BRIDGE_TIMEOUT_SECONDS: '45' }).invoke(fixture('NEW_INBOUND_CALL'));
    expect(response.Actions[0].Parameters.CallTimeoutSeconds).toBe(45);
  });

  it('an unrouted number is left to the application', async () => {
    const event = fixture('NEW_INBOUND_CALL');
    event.CallDetails.Participants[0].To = '+12065550100';
    expect(await harness(ROUTES).invoke(event)).toEqual(EMPTY_RESPONSE);
  });

  it('auto-record and bridging together: the call is bridged first, and the workflow starts once the bridge is up', async () => {
    const h = harness({ ...AUTO_RECORD_ENV, ...ROUTES });
    expect(await h.invoke(fixture('NEW_INBOUND_CALL'))).toEqual({ SchemaVersion: '1.0', Actions: [bridge] });
    // A workflow update now would replace the CallAndBridge while it rings.
    expect(h.startCalls()).toHaveLength(0);
    expect(await h.invoke(fixture('ACTION_SUCCESSFUL-CallAndBridge'))).toEqual(EMPTY_RESPONSE);
    expect(h.startCalls().map((c) => [c.name, JSON.parse(c.input ?? '').callId])).toEqual([[IDS.transactionId, IDS.legA]]);
  });
});
