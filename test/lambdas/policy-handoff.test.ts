/**
 * Issue 21 on the Lambda's side: a policy-recorded call spends no UpdateSipMediaApplicationCall. The Lambda returns
 * StartCallRecording in its own answer, the consent notice right after the start, and hands every outcome to the
 * workflow through the hand-off mailbox (a token the workflow left in the slot, or the outcome left for it there).
 */
import { SendTaskFailureCommand, SendTaskSuccessCommand, StartExecutionCommand } from '@aws-sdk/client-sfn';
import type { SmaResponse } from '../../lambdas/recording/sma-response';
import { DEFAULT_CONSENT_TEXT } from '../../lambdas/shared/recording-request';
import { AUTO_RECORD_ENV, IDS, awsError, expectValidSmaResponse, fixture, harness, type Harness } from './helpers';

const ROUTES = { BRIDGE_ROUTES: JSON.stringify({ '+12065551212': '+17035550122' }) };
const ENV = { ...AUTO_RECORD_ENV, ...ROUTES };
const slot = (name: string) => `my-mailbox-bucket/mailbox/${IDS.transactionId}/${name}.json`;
const DESTINATION = fixture('ACTION_SUCCESSFUL-StartCallRecording').ActionData!.CallRecordingDestination as { Location: string };

/** The next event of the call, carrying the map of the answer before it (as the SMA echoes it). */
function nextEvent(previous: SmaResponse, name: string, data?: { Type: string; [k: string]: unknown }) {
  const event = fixture(name);
  if (data) event.ActionData = data;
  event.CallDetails.Participants = fixture('ACTION_SUCCESSFUL-CallAndBridge').CallDetails.Participants;
  if (previous.TransactionAttributes) event.CallDetails.TransactionAttributes = { ...previous.TransactionAttributes };
  return event;
}
const startSucceeded = (previous: SmaResponse) =>
  nextEvent(previous, 'ACTION_SUCCESSFUL', {
    Type: 'StartCallRecording',
    Parameters: { CallId: IDS.legA, Track: 'BOTH', Destination: { Type: 'S3', Location: 'my-recording-bucket/calls' } },
    CallRecordingDestination: DESTINATION,
  });
const noticeSpoken = (previous: SmaResponse, leg: string) =>
  nextEvent(previous, 'ACTION_SUCCESSFUL', { Type: 'Speak', Parameters: { CallId: leg, Text: DEFAULT_CONSENT_TEXT } });

/** The call up to the bridge: the recording's StartCallRecording in the Lambda's answer. */
async function bridged(h: Harness): Promise<SmaResponse> {
  await h.invoke(fixture('NEW_INBOUND_CALL'));
  const r = await h.invoke(fixture('ACTION_SUCCESSFUL-CallAndBridge'));
  expect(r.Actions?.map((a) => a.Type)).toEqual(['StartCallRecording']);
  return r;
}
const leaveToken = (h: Harness, name: string, token: string, extra: object = {}) =>
  h.mailbox.set(slot(name), JSON.stringify({ taskToken: token, ...extra }));

describe('a policy-recorded call through the hand-off mailbox', () => {
  it('start, notice and call end: three callbacks from the slots, no update', async () => {
    const h = harness(ENV);
    const started = await bridged(h);
    leaveToken(h, 'StartRecording', 'token-start', { notice: { text: 'Recorded for training.' } });
    const afterStart = await h.invoke(startSucceeded(started));
    expectValidSmaResponse(afterStart);
    // the notice follows at once, in the Lambda's own answer, to both legs (the policy's text, kept since the start)
    expect(afterStart.Actions?.map((a) => [a.Type, a.Parameters?.CallId, a.Parameters?.Text])).toEqual([
      ['Speak', IDS.legA, DEFAULT_CONSENT_TEXT],
      ['Speak', IDS.legB, DEFAULT_CONSENT_TEXT],
    ]);
    const success = h.sfnMock.commandCalls(SendTaskSuccessCommand).map((c) => c.args[0].input);
    expect(success).toHaveLength(1);
    expect(success[0].taskToken).toBe('token-start');
    expect(JSON.parse(success[0].output!)).toEqual(expect.objectContaining({ location: DESTINATION.Location, noticeFollows: true }));
    expect(h.mailbox.has(slot('StartRecording'))).toBe(false); // a used token does not stay

    leaveToken(h, 'NotifyConsent', 'token-notice');
    const afterNotice = await h.invoke(noticeSpoken(afterStart, IDS.legB));
    expect(h.sfnMock.commandCalls(SendTaskSuccessCommand)[1].args[0].input).toEqual(
      expect.objectContaining({ taskToken: 'token-notice', output: JSON.stringify({ legs: ['LEG-A', 'LEG-B'] }) }),
    );
    // the bridge application had nothing more to do: nothing held, the call goes on
    expect(afterNotice.Actions ?? null).toBeNull();

    leaveToken(h, 'WaitForCallEnd', 'token-end');
    await h.invoke(nextEvent(afterNotice, 'HANGUP'));
    expect(h.sfnMock.commandCalls(SendTaskSuccessCommand)[2].args[0].input).toEqual(
      expect.objectContaining({ taskToken: 'token-end', output: JSON.stringify({ sipResponseCode: '0', participantTag: 'LEG-A' }) }),
    );
    expect(h.startCalls()).toHaveLength(1);
  });

  it('the start reports before the workflow left its token: the outcome waits in the slot, and the notice is played all the same', async () => {
    const h = harness(ENV);
    const afterStart = await h.invoke(startSucceeded(await bridged(h)));
    expect(afterStart.Actions?.map((a) => a.Type)).toEqual(['Speak', 'Speak']);
    expect(h.sfnMock.commandCalls(SendTaskSuccessCommand)).toHaveLength(0);
    expect(JSON.parse(h.mailbox.get(slot('StartRecording'))!)).toEqual({
      outcome: expect.objectContaining({ location: DESTINATION.Location, callId: IDS.legA, noticeFollows: true }),
    });
    // the workflow's own conditional write of its token now fails (412): it reads the outcome instead
  });

  it('a start that fails is reported to the waiting task, and no notice is played', async () => {
    const h = harness(ENV);
    const started = await bridged(h);
    leaveToken(h, 'StartRecording', 'token-start');
    const failed = nextEvent(started, 'ACTION_FAILED', {
      Type: 'StartCallRecording',
      Parameters: { CallId: IDS.legA, Track: 'BOTH', Destination: { Type: 'S3', Location: 'my-recording-bucket/calls' } },
      ErrorType: 'SystemException',
      ErrorMessage: 'boom',
    });
    const r = await h.invoke(failed);
    expect(h.sfnMock.commandCalls(SendTaskFailureCommand).map((c) => [c.args[0].input.taskToken, c.args[0].input.error])).toEqual([
      ['token-start', 'SystemException'],
    ]);
    expect(r.Actions ?? null).toBeNull();
  });

  it('a hangup while the notice plays fails the notice task with CallEnded and leaves the call end for the next wait', async () => {
    const h = harness(ENV);
    leaveToken(h, 'StartRecording', 'token-start');
    const afterStart = await h.invoke(startSucceeded(await bridged(h)));
    leaveToken(h, 'NotifyConsent', 'token-notice');
    await h.invoke(nextEvent(afterStart, 'HANGUP'));
    expect(h.sfnMock.commandCalls(SendTaskFailureCommand).map((c) => [c.args[0].input.taskToken, c.args[0].input.error])).toEqual([
      ['token-notice', 'CallEnded'],
    ]);
    expect(JSON.parse(h.mailbox.get(slot('WaitForCallEnd'))!)).toEqual({ outcome: { sipResponseCode: '0', participantTag: 'LEG-A' } });
  });

  it("a StartExecution refused by throttling is tried again on the call's next events; the recording goes on meanwhile", async () => {
    const h = harness(ENV);
    h.sfnMock.on(StartExecutionCommand).rejects(awsError('ThrottlingException', 'Rate exceeded'));
    const started = await bridged(h);
    expect(JSON.parse(started.TransactionAttributes!['rw:own'])).toEqual(expect.objectContaining({ s: 1 }));
    h.sfnMock
      .on(StartExecutionCommand)
      .resolves({ executionArn: 'arn:aws:states:us-east-1:111122223333:execution:recording-workflow:x', startDate: new Date() });
    const afterStart = await h.invoke(startSucceeded(started));
    expect(h.startCalls()).toHaveLength(2);
    expect(JSON.parse(afterStart.TransactionAttributes!['rw:own']).s).toBeUndefined();
    expect(h.metricNames()).toContain('WorkflowStartsRetried');
  });

  it('a workflow that never starts is reported at the end of the call (RecordedWithoutWorkflow), never silently unaudited', async () => {
    const h = harness(ENV);
    h.sfnMock.on(StartExecutionCommand).rejects(awsError('ThrottlingException', 'Rate exceeded'));
    const afterStart = await h.invoke(startSucceeded(await bridged(h)));
    await h.invoke(nextEvent(afterStart, 'HANGUP'));
    expect(h.startCalls()).toHaveLength(3); // at the answer, at the start's result, at the hangup
    expect(h.metricNames()).toContain('RecordedWithoutWorkflow');
    expect(h.logs().some((l) => /recording workflow could not be started/.test(String(l.message)))).toBe(true);
  });
});
