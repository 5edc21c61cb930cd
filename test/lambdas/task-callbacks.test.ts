/** Completing the workflow's task tokens from ACTION_SUCCESSFUL, ACTION_FAILED, HANGUP and INVALID_LAMBDA_RESPONSE. */
import { InvalidToken, SendTaskFailureCommand, SendTaskSuccessCommand, TaskDoesNotExist, TaskTimedOut } from '@aws-sdk/client-sfn';
import { PendingCallIdAttribute, RecordingsAttribute, TokenAttribute } from '../../lambdas/shared/workflow-contract';
import {
  KEEP_RESPONSE,
  IDS,
  RECORDING_KEY,
  awsError,
  expectValidSmaResponse,
  fixture,
  harness,
  makeToken,
  withAttributes,
} from './helpers';

const startToken = makeToken('start');
const consentToken = makeToken('consent');
const callEndToken = makeToken('call-end');
const APP = { key1: 'value1', key2: 'value2' };
const pendingStart = { ...APP, [TokenAttribute.StartRecording]: startToken, [PendingCallIdAttribute]: IDS.legA };
/** What the Lambda remembers once leg A's recording has started (a retried attempt is answered from it). */
const REMEMBERED = { [RecordingsAttribute]: JSON.stringify({ [IDS.legA]: RECORDING_KEY }) };
const startSucceeded = () => withAttributes(fixture('ACTION_SUCCESSFUL-StartCallRecording'), pendingStart);
const sfnError = (name: string) => {
  const $metadata = { httpStatusCode: 400 };
  if (name === 'TaskTimedOut') return new TaskTimedOut({ message: 'Task Timed Out', $metadata });
  if (name === 'TaskDoesNotExist') return new TaskDoesNotExist({ message: 'Task does not exist anymore', $metadata });
  if (name === 'InvalidToken') return new InvalidToken({ message: 'Invalid token', $metadata });
  if (name === 'network') return Object.assign(new Error('connect ECONNREFUSED 52.94.0.1:443'), { code: 'ECONNREFUSED' });
  return awsError(name);
};

describe('ACTION_SUCCESSFUL for StartCallRecording', () => {
  it('sends SendTaskSuccess with the CallRecordingDestination and answers without TransactionAttributes', async () => {
    const h = harness();
    const response = await h.invoke(startSucceeded());
    // The workflow's next update may be answered before the SMA applies this response: a map here could
    // replace the one that update parked its token in (see the raced calls in test/e2e/sma-rules.test.ts).
    expect(response).toEqual(KEEP_RESPONSE);
    const [success, ...more] = h.successCalls();
    expect(more).toEqual([]);
    expect(success.taskToken).toBe(startToken);
    expect(JSON.parse(success.output ?? '')).toEqual({
      location: RECORDING_KEY,
      callId: IDS.legA,
      track: 'BOTH',
      legStartMs: 1644539405907,
      legs: [{ callId: IDS.legA, participantTag: 'LEG-A', direction: 'Inbound', status: 'Connected' }],
    });
    expect(h.failureCalls()).toEqual([]);
    expect(h.metricNames()).toContain('RecordingsStarted');
  });

  it('reports both legs of a bridged call and the recorded leg’s start time', async () => {
    const event = startSucceeded();
    event.CallDetails.Participants = fixture('ACTION_SUCCESSFUL-CallAndBridge').CallDetails.Participants;
    const h = harness();
    await h.invoke(event);
    const output = JSON.parse(h.successCalls()[0].output ?? '');
    expect(output.legs.map((l: { participantTag: string }) => l.participantTag)).toEqual(['LEG-A', 'LEG-B']);
    expect(output.legStartMs).toBe(1644539405907);
  });

  it('keeps other parked tokens (consent, call end): the map is left to the SMA', async () => {
    const response = await harness().invoke(
      withAttributes(fixture('ACTION_SUCCESSFUL-StartCallRecording'), { ...pendingStart, [TokenAttribute.WaitForCallEnd]: callEndToken }),
    );
    expect(response).toEqual(KEEP_RESPONSE);
  });

  it('a success whose callback did not get through is remembered for the retry (token removed)', async () => {
    const h = harness();
    h.sfnMock.on(SendTaskSuccessCommand).rejects(sfnError('network'));
    const response = await h.invoke(startSucceeded());
    expect(response).toEqual({ SchemaVersion: '1.0', Actions: null, TransactionAttributes: { ...APP, ...REMEMBERED } });
  });

  it('a success for another leg than the pending one does not complete the pending task (the started leg is remembered)', async () => {
    const h = harness();
    const attributes = { ...pendingStart, [PendingCallIdAttribute]: IDS.legB };
    const response = await h.invoke(withAttributes(fixture('ACTION_SUCCESSFUL-StartCallRecording'), attributes));
    expect(response).toEqual({ SchemaVersion: '1.0', Actions: null, TransactionAttributes: { ...attributes, ...REMEMBERED } });
    expect(h.sfnMock.calls()).toHaveLength(0);
  });

  it('a success without CallRecordingDestination fails the task (the workflow cannot verify an unknown key)', async () => {
    const event = startSucceeded();
    delete event.ActionData?.CallRecordingDestination;
    const h = harness();
    const response = await h.invoke(event);
    expect(response).toEqual({ SchemaVersion: '1.0', Actions: null, TransactionAttributes: APP });
    expect(h.failureCalls()).toEqual([
      { taskToken: startToken, error: 'MissingCallRecordingDestination', cause: expect.stringContaining('CallRecordingDestination') },
    ]);
    expect(h.successCalls()).toEqual([]);
  });

  it('duplicate delivery (SMA retry of the same event): the second SendTaskSuccess gets TaskTimedOut and is handled', async () => {
    const h = harness();
    h.sfnMock
      .on(SendTaskSuccessCommand)
      .resolvesOnce({})
      .rejectsOnce(new TaskTimedOut({ message: 'Task Timed Out: provided task has already completed', $metadata: {} }));
    const first = await h.invoke(startSucceeded());
    const second = await h.invoke(startSucceeded());
    expect(first).toEqual(KEEP_RESPONSE);
    // The same event again: the map it carried, the token removed and the recording remembered.
    expect(second).toEqual({ SchemaVersion: '1.0', Actions: null, TransactionAttributes: { ...APP, ...REMEMBERED } });
    expect(h.successCalls().map((c) => c.taskToken)).toEqual([startToken, startToken]);
    expect(h.logs()).toContainEqual(
      expect.objectContaining({
        level: 'WARN',
        message: 'task callback refused: token already used or timed out',
        error: 'TaskTimedOut',
        task: 'StartRecording',
      }),
    );
    expect(h.metricNames()).toContain('StaleTaskCallbacks');
    expect(h.logs().filter((l) => l.level === 'ERROR')).toEqual([]);
  });
});

describe('ACTION_SUCCESSFUL for the consent notice', () => {
  it('Speak success completes the consent token with the legs notified; the map is left to the SMA', async () => {
    const h = harness();
    const response = await h.invoke(
      withAttributes(fixture('ACTION_SUCCESSFUL-Speak'), { ...APP, [TokenAttribute.NotifyConsent]: consentToken }),
    );
    expect(response).toEqual(KEEP_RESPONSE);
    expect(h.successCalls()).toEqual([{ taskToken: consentToken, output: JSON.stringify({ legs: ['LEG-A'] }) }]);
  });

  it('a notice list cut short (success for LEG-A, LEG-B connected after it): speaks to LEG-B, token still parked', async () => {
    const h = harness();
    const event = withAttributes(fixture('ACTION_SUCCESSFUL-Speak'), { ...APP, [TokenAttribute.NotifyConsent]: consentToken });
    const legB = {
      ...event.CallDetails.Participants[0],
      CallId: '0b0b0b0b-1111-4222-8333-444455556666',
      ParticipantTag: 'LEG-B',
      Direction: 'Outbound',
    };
    event.CallDetails.Participants.push(legB);
    const response = await h.invoke(event);
    expect(response).toEqual({
      SchemaVersion: '1.0',
      Actions: [{ Type: 'Speak', Parameters: { ...event.ActionData!.Parameters, CallId: legB.CallId } }],
    });
    expect(h.sfnMock.calls()).toHaveLength(0);
    // The success for LEG-B, the last leg, completes the notice for both.
    const last = withAttributes(fixture('ACTION_SUCCESSFUL-Speak'), { ...APP, [TokenAttribute.NotifyConsent]: consentToken });
    last.CallDetails.Participants.push(legB);
    last.ActionData!.Parameters!.CallId = legB.CallId;
    expect(await h.invoke(last)).toEqual(KEEP_RESPONSE);
    expect(h.successCalls()).toEqual([{ taskToken: consentToken, output: JSON.stringify({ legs: ['LEG-A', 'LEG-B'] }) }]);
  });

  it('PlayAudio success completes it too (the notice may be a recording)', async () => {
    const h = harness();
    await h.invoke(withAttributes(fixture('ACTION_SUCCESSFUL'), { ...APP, [TokenAttribute.NotifyConsent]: consentToken }));
    expect(h.successCalls().map((c) => c.taskToken)).toEqual([consentToken]);
  });

  it('Speak success with no consent pending: nothing sent, attributes kept', async () => {
    const h = harness();
    expect(await h.invoke(withAttributes(fixture('ACTION_SUCCESSFUL-Speak'), APP))).toEqual(KEEP_RESPONSE);
    expect(h.sfnMock.calls()).toHaveLength(0);
  });

  it('a StartCallRecording success does not complete the consent token (and vice versa)', async () => {
    const h = harness();
    const response = await h.invoke(withAttributes(fixture('ACTION_SUCCESSFUL-Speak'), { ...pendingStart }));
    expect(response).toEqual(KEEP_RESPONSE);
    expect(h.sfnMock.calls()).toHaveLength(0);
  });
});

describe('ACTION_FAILED', () => {
  it.each([
    ['ACTION_FAILED-StartCallRecording-SystemException', 'SystemException', 'System error while running an action.'],
    ['ACTION_FAILED-StartCallRecording-InvalidActionParameter', 'InvalidActionParameter', 'CallId parameter for action is invalid'],
    ['ACTION_FAILED-StartCallRecording-NoAccessToDestination', 'NoAccessToDestination', 'Error while accessing destination'],
  ])('%s: SendTaskFailure error=%s, cause=the message; token and pending leg removed', async (name, error, cause) => {
    const h = harness();
    const response = await h.invoke(withAttributes(fixture(name), pendingStart));
    expect(response).toEqual({ SchemaVersion: '1.0', Actions: null, TransactionAttributes: APP });
    expect(h.failureCalls()).toEqual([{ taskToken: startToken, error, cause }]);
    expect(h.successCalls()).toEqual([]);
    expect(h.metricNames()).toContain('RecordingStartFailures');
    expect(h.logs()).toContainEqual(
      expect.objectContaining({ level: 'WARN', message: 'recording action failed', action: 'StartCallRecording', error }),
    );
  });

  it('Speak failure fails the consent token, not the start token', async () => {
    const h = harness();
    const attributes = { ...APP, [TokenAttribute.NotifyConsent]: consentToken, [TokenAttribute.WaitForCallEnd]: callEndToken };
    const response = await h.invoke(withAttributes(fixture('ACTION_FAILED-Speak'), attributes));
    expect(response.TransactionAttributes).toEqual({ ...APP, [TokenAttribute.WaitForCallEnd]: callEndToken });
    expect(h.failureCalls()).toEqual([
      { taskToken: consentToken, error: 'SystemException', cause: 'System error while executing  action' },
    ]);
    expect(h.metricNames()).toContain('ConsentNoticeFailures');
  });

  it('an error name starting with "States." is renamed (reserved for Step Functions)', async () => {
    const event = withAttributes(fixture('ACTION_FAILED-StartCallRecording-SystemException'), pendingStart);
    event.ActionData = { ...event.ActionData, Type: 'StartCallRecording', ErrorType: 'States.Runtime' };
    const h = harness();
    await h.invoke(event);
    expect(h.failureCalls()[0].error).toBe('Sma.States.Runtime');
  });

  it('error and cause are cut to SendTaskFailure’s limits (256 / 32,768)', async () => {
    const event = withAttributes(fixture('ACTION_FAILED-StartCallRecording-SystemException'), pendingStart);
    event.ActionData = { ...event.ActionData, Type: 'StartCallRecording', ErrorType: 'E'.repeat(300), ErrorMessage: 'm'.repeat(40000) };
    const h = harness();
    await h.invoke(event);
    expect(h.failureCalls()[0].error).toHaveLength(256);
    expect(h.failureCalls()[0].cause).toHaveLength(32768);
  });

  it('a failed StartCallRecording with no workflow waiting: nothing sent', async () => {
    const h = harness();
    expect(await h.invoke(withAttributes(fixture('ACTION_FAILED-StartCallRecording-NoAccessToDestination'), APP))).toEqual(KEEP_RESPONSE);
    expect(h.sfnMock.calls()).toHaveLength(0);
  });

  it('a failed CallAndBridge (callee did not answer) hangs up the caller rather than leave them in silence', async () => {
    const event = fixture('ACTION_FAILED');
    event.ActionData = {
      Type: 'CallAndBridge',
      Parameters: {
        CallTimeoutSeconds: 30,
        CallerIdNumber: '+15105550101',
        Endpoints: [{ Uri: '+17035550122', BridgeEndpointType: 'PSTN' }],
        CallId: IDS.legA,
      },
      ErrorType: 'CallNotAnswered',
      ErrorMessage: 'Call not answered',
    };
    expect(await harness().invoke(event)).toEqual({
      SchemaVersion: '1.0',
      Actions: [{ Type: 'Hangup', Parameters: { CallId: IDS.legA, SipResponseCode: '0' } }],
    });
  });
});

describe('HANGUP', () => {
  const allPending = {
    ...APP,
    [TokenAttribute.StartRecording]: startToken,
    [PendingCallIdAttribute]: IDS.legA,
    [TokenAttribute.NotifyConsent]: consentToken,
    [TokenAttribute.WaitForCallEnd]: callEndToken,
  };

  it('succeeds the call-end token, fails pending start and consent tokens with CallEnded, clears our keys only', async () => {
    const h = harness();
    const response = await h.invoke(withAttributes(fixture('HANGUP'), allPending));
    expectValidSmaResponse(response);
    expect(response).toEqual({ SchemaVersion: '1.0', Actions: [], TransactionAttributes: APP });
    const cause = 'the call ended (LEG-A hung up, SIP 0)';
    expect(h.failureCalls()).toEqual([
      { taskToken: startToken, error: 'CallEnded', cause },
      { taskToken: consentToken, error: 'CallEnded', cause },
    ]);
    expect(h.successCalls()).toEqual([
      { taskToken: callEndToken, output: JSON.stringify({ sipResponseCode: '0', participantTag: 'LEG-A' }) },
    ]);
  });

  it('two-leg call: leg B hangs up -> leg A is hung up, call end reported with LEG-B', async () => {
    const h = harness();
    const response = await h.invoke(withAttributes(fixture('HANGUP-two-leg'), { ...APP, [TokenAttribute.WaitForCallEnd]: callEndToken }));
    expect(response).toEqual({
      SchemaVersion: '1.0',
      Actions: [{ Type: 'Hangup', Parameters: { CallId: IDS.legA, SipResponseCode: '0' } }],
      TransactionAttributes: APP,
    });
    expect(h.successCalls()).toEqual([
      { taskToken: callEndToken, output: JSON.stringify({ sipResponseCode: '0', participantTag: 'LEG-B' }) },
    ]);
  });

  it('two-leg call where the event still shows the ended leg Connected: only the other leg is hung up', async () => {
    const event = fixture('HANGUP-two-leg');
    event.CallDetails.Participants = event.CallDetails.Participants.map((p) => ({ ...p, Status: 'Connected' }));
    const response = await harness().invoke(event);
    expect(response.Actions).toEqual([{ Type: 'Hangup', Parameters: { CallId: IDS.legA, SipResponseCode: '0' } }]);
  });

  it('the second HANGUP (for the leg we hung up) finds nothing pending and asks for nothing', async () => {
    const event = fixture('HANGUP-two-leg');
    event.ActionData = { Type: 'Hangup', Parameters: { SipResponseCode: 0, CallId: IDS.legA, ParticipantTag: 'LEG-A' } };
    event.CallDetails.Participants = event.CallDetails.Participants.map((p) => ({ ...p, Status: 'Disconnected' }));
    const h = harness();
    expect(await h.invoke(withAttributes(event, APP))).toEqual({ SchemaVersion: '1.0', Actions: [] });
    expect(h.sfnMock.calls()).toHaveLength(0);
  });

  it('a HANGUP without SipResponseCode (as in the docs’ example) reports null', async () => {
    const event = withAttributes(fixture('HANGUP'), { [TokenAttribute.WaitForCallEnd]: callEndToken });
    delete event.ActionData?.Parameters?.SipResponseCode;
    const h = harness();
    await h.invoke(event);
    expect(h.successCalls()).toEqual([
      { taskToken: callEndToken, output: JSON.stringify({ sipResponseCode: null, participantTag: 'LEG-A' }) },
    ]);
  });
});

describe('INVALID_LAMBDA_RESPONSE', () => {
  it('fails a pending start token (its ACTION_* event will never come), keeps the call-end token', async () => {
    const h = harness();
    const response = await h.invoke(
      withAttributes(fixture('INVALID_LAMBDA_RESPONSE'), { ...pendingStart, [TokenAttribute.WaitForCallEnd]: callEndToken }),
    );
    expect(response).toEqual({
      SchemaVersion: '1.0',
      Actions: null,
      TransactionAttributes: { ...APP, [TokenAttribute.WaitForCallEnd]: callEndToken },
    });
    expect(h.failureCalls()).toEqual([
      {
        taskToken: startToken,
        error: 'InvalidLambdaResponse',
        cause: 'TransactionAttributesInvalidMapSize: Transaction Attributes has too many mappings. Maximum number of mappings is 10',
      },
    ]);
    expect(h.successCalls()).toEqual([]);
  });

  it('fails a pending consent token too', async () => {
    const h = harness();
    await h.invoke(withAttributes(fixture('INVALID_LAMBDA_RESPONSE'), { [TokenAttribute.NotifyConsent]: consentToken }));
    expect(h.failureCalls().map((c) => [c.taskToken, c.error])).toEqual([[consentToken, 'InvalidLambdaResponse']]);
  });
});

describe('Step Functions refusing or failing a callback never fails the call', () => {
  const kinds: Array<[string, 'stale' | 'failed']> = [
    ['TaskTimedOut', 'stale'],
    ['TaskDoesNotExist', 'stale'],
    ['InvalidToken', 'stale'],
    ['ThrottlingException', 'failed'],
    ['ServiceUnavailable', 'failed'],
    ['network', 'failed'],
    ['TimeoutError', 'failed'],
  ];

  it.each(kinds)('SendTaskSuccess -> %s: same valid response as on success, logged as %s', async (kind, outcome) => {
    const h = harness();
    h.sfnMock.on(SendTaskSuccessCommand).rejects(sfnError(kind));
    const response = await h.invoke(startSucceeded());
    // The recording is remembered even when the callback is lost: the workflow's retry is answered from it.
    expect(response).toEqual({ SchemaVersion: '1.0', Actions: null, TransactionAttributes: { ...APP, ...REMEMBERED } });
    const logs = h.logs();
    if (outcome === 'stale') {
      expect(logs).toContainEqual(
        expect.objectContaining({ level: 'WARN', message: 'task callback refused: token already used or timed out' }),
      );
      expect(h.metricNames()).toContain('StaleTaskCallbacks');
    } else {
      expect(logs).toContainEqual(
        expect.objectContaining({
          level: 'ERROR',
          message: 'task callback failed; the workflow will time out into a named outcome',
          task: 'StartRecording',
          callback: 'success',
        }),
      );
      expect(h.metricNames()).toContain('FailedTaskCallbacks');
    }
    expect(logs.filter((l) => l.message === 'handler error answered with an empty action list')).toEqual([]);
  });

  it.each(kinds)('SendTaskFailure -> %s on HANGUP: the other leg is still hung up and every token still tried', async (kind) => {
    const h = harness();
    h.sfnMock.on(SendTaskFailureCommand).rejects(sfnError(kind));
    h.sfnMock.on(SendTaskSuccessCommand).rejects(sfnError(kind));
    const attributes = {
      ...APP,
      [TokenAttribute.StartRecording]: startToken,
      [PendingCallIdAttribute]: IDS.legA,
      [TokenAttribute.WaitForCallEnd]: callEndToken,
    };
    const response = await h.invoke(withAttributes(fixture('HANGUP-two-leg'), attributes));
    expect(response).toEqual({
      SchemaVersion: '1.0',
      Actions: [{ Type: 'Hangup', Parameters: { CallId: IDS.legA, SipResponseCode: '0' } }],
      TransactionAttributes: APP,
    });
    expect(h.failureCalls().map((c) => c.taskToken)).toEqual([startToken]);
    expect(h.successCalls().map((c) => c.taskToken)).toEqual([callEndToken]);
  });

  it.each(kinds)('SendTaskFailure -> %s on an invalid StartRecording: still an empty, valid response', async (kind) => {
    const h = harness();
    h.sfnMock.on(SendTaskFailureCommand).rejects(sfnError(kind));
    const event = fixture('CALL_UPDATE_REQUESTED');
    event.ActionData = {
      Type: 'CallUpdateRequest',
      Parameters: {
        Arguments: { command: 'StartRecording', taskToken: startToken, callId: IDS.legA, track: 'STEREO', location: 'my-recording-bucket' },
      },
    };
    expect(await h.invoke(event)).toEqual(KEEP_RESPONSE);
  });
});
