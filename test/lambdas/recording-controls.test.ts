/**
 * The SMA Lambda's share of issue 11: control requests (pause, resume, stop) handed to the workflow through its
 * WaitForCallEnd token or queued until it waits; the workflow's ControlRecording answered with the SMA action
 * and completed on its result; the consent notice that lets the caller decline.
 */
import { QueuedControlsAttribute, TokenAttribute } from '../../lambdas/shared/workflow-contract';
import { controlRequestArguments } from '../../lambdas/shared/recording-control';
import { SendTaskSuccessCommand } from '@aws-sdk/client-sfn';
import {
  IDS,
  awsError,
  callUpdate,
  expectValidSmaResponse,
  fixture,
  harness,
  makeToken,
  twoLegParticipants,
  withAttributes,
} from './helpers';

const callEnd = makeToken('call-end');
const control = makeToken('control');
const consent = makeToken('consent');
const APP = { 'app:menu': 'main' };
const request = (action = 'PAUSE', extra: Record<string, string> = {}) =>
  controlRequestArguments({ action: action as 'PAUSE', requestedBy: 'agent-7', requestId: 'r-1', ...extra });

function actionEvent(
  kind: 'ACTION_SUCCESSFUL' | 'ACTION_FAILED',
  type: string,
  parameters: Record<string, unknown>,
  attributes: Record<string, string>,
  extra: Record<string, unknown> = {},
) {
  const e = withAttributes(fixture('ACTION_SUCCESSFUL-Speak'), attributes);
  e.InvocationEventType = kind;
  e.ActionData = { Type: type, Parameters: parameters, ...extra };
  return e;
}

describe('a control request (no token)', () => {
  it('is handed to the waiting workflow through its WaitForCallEnd token, with who asked and the request id', async () => {
    const h = harness();
    const response = await h.invoke(callUpdate(request(), { attributes: { ...APP, [TokenAttribute.WaitForCallEnd]: callEnd } }));
    expectValidSmaResponse(response);
    expect(response.Actions).toBeNull();
    // After a callback no map (the workflow's next update may be applied first): the spent token is harmless.
    expect(response.TransactionAttributes).toBeUndefined();
    expect(h.successCalls()).toEqual([
      {
        taskToken: callEnd,
        output: JSON.stringify({ control: { action: 'PAUSE', requestedBy: 'agent-7', requestId: 'r-1', via: 'api' } }),
      },
    ]);
    expect(h.lines.join('\n')).not.toContain(callEnd.slice(20, 60));
  });

  it('waits in the call’s attributes while no wait is parked, and the next WaitForCallEnd gets it at once', async () => {
    const h = harness();
    const queued = await h.invoke(callUpdate(request('STOP'), { attributes: APP }));
    expect(h.successCalls()).toEqual([]);
    const attrs = queued.TransactionAttributes!;
    expect(attrs['app:menu']).toBe('main');
    expect(JSON.parse(attrs[QueuedControlsAttribute])).toEqual([{ action: 'STOP', requestedBy: 'agent-7', requestId: 'r-1', via: 'api' }]);
    const wait = await h.invoke(callUpdate({ command: 'WaitForCallEnd', taskToken: callEnd }, { attributes: attrs }));
    expect(h.successCalls().map((c) => [c.taskToken, JSON.parse(c.output!)])).toEqual([
      [callEnd, { control: { action: 'STOP', requestedBy: 'agent-7', requestId: 'r-1', via: 'api' } }],
    ]);
    // Handed over: the queue is empty and the token is not parked (it is spent).
    expect(wait.TransactionAttributes?.[QueuedControlsAttribute]).toBeUndefined();
    expect(wait.TransactionAttributes?.[TokenAttribute.WaitForCallEnd]).toBeUndefined();
    expect(wait.TransactionAttributes?.['app:menu']).toBe('main');
  });

  it('at most 4 wait; a fifth is refused (logged, counted), never an error to the call', async () => {
    const h = harness();
    let attrs: Record<string, string> = {};
    for (let i = 0; i < 5; i++) {
      const r = await h.invoke(callUpdate(request('PAUSE', { requestId: `r-${i}` }), { attributes: attrs }));
      expectValidSmaResponse(r);
      attrs = r.TransactionAttributes ?? attrs;
    }
    expect(JSON.parse(attrs[QueuedControlsAttribute]).map((c: { requestId: string }) => c.requestId)).toEqual(['r-0', 'r-1', 'r-2', 'r-3']);
    expect(h.metricNames()).toContain('ControlRequestsRefused');
  });

  it('a request with a bad action is refused with a log line naming the field', async () => {
    const h = harness();
    const r = await h.invoke(callUpdate({ ...request(), action: 'REWIND' }, { attributes: { [TokenAttribute.WaitForCallEnd]: callEnd } }));
    expect(r.Actions).toBeNull();
    expect(h.successCalls()).toEqual([]);
    expect(h.logs().some((l) => l.message === 'control request refused' && String(l.problem).startsWith('action:'))).toBe(true);
  });

  it('requests still queued at HANGUP reach the workflow as unappliedControls', async () => {
    const h = harness();
    const queued = JSON.stringify([{ action: 'PAUSE', requestedBy: 'agent-7', requestId: 'r-9', via: 'api' }]);
    await h.invoke(withAttributes(fixture('HANGUP'), { [TokenAttribute.WaitForCallEnd]: callEnd, [QueuedControlsAttribute]: queued }));
    expect(JSON.parse(h.successCalls()[0].output!)).toMatchObject({
      unappliedControls: [{ action: 'PAUSE', requestId: 'r-9' }],
    });
  });

  it('controlRequestArguments refuses bad fields before anything is sent', () => {
    expect(() => controlRequestArguments({ action: 'REWIND' as never, requestedBy: 'a', requestId: 'b' })).toThrow(
      /^action: must be one of/,
    );
    expect(() => controlRequestArguments({ action: 'PAUSE', requestedBy: 'has space', requestId: 'b' })).toThrow(/^requestedBy:/);
  });
});

describe("the workflow's ControlRecording (with a token)", () => {
  it.each([
    ['PAUSE', 'PauseCallRecording'],
    ['RESUME', 'ResumeCallRecording'],
    ['STOP', 'StopCallRecording'],
  ])('%s returns %s on the recorded leg as the only action, and completes the token on its success', async (action, type) => {
    const h = harness();
    const r = await h.invoke(
      callUpdate(
        { command: 'ControlRecording', taskToken: control, action, callId: IDS.legA },
        { attributes: { ...APP, [TokenAttribute.WaitForCallEnd]: callEnd } },
      ),
    );
    expect(r.Actions).toEqual([{ Type: type, Parameters: { CallId: IDS.legA } }]);
    expect(r.TransactionAttributes?.[TokenAttribute.ControlRecording]).toBe(control);
    expect(r.TransactionAttributes?.[TokenAttribute.WaitForCallEnd]).toBeUndefined(); // spent on the request
    const done = await h.invoke(actionEvent('ACTION_SUCCESSFUL', type, { CallId: IDS.legA }, r.TransactionAttributes!));
    expectValidSmaResponse(done);
    expect(h.successCalls()).toEqual([{ taskToken: control, output: JSON.stringify({ action, callId: IDS.legA }) }]);
  });

  it("the SMA's refusal fails the task with the SMA's error", async () => {
    const h = harness();
    const r = await h.invoke(callUpdate({ command: 'ControlRecording', taskToken: control, action: 'PAUSE', callId: IDS.legA }));
    await h.invoke(
      actionEvent('ACTION_FAILED', 'PauseCallRecording', { CallId: IDS.legA }, r.TransactionAttributes!, {
        ErrorType: 'SystemException',
        ErrorMessage: 'Service error',
      }),
    );
    expect(h.failureCalls()).toEqual([expect.objectContaining({ taskToken: control, error: 'SystemException', cause: 'Service error' })]);
  });

  it('a leg that is not in the call fails the task (InvalidActionParameter) without an action', async () => {
    const h = harness();
    const r = await h.invoke(callUpdate({ command: 'ControlRecording', taskToken: control, action: 'PAUSE', callId: 'nope' }));
    expect(r.Actions).toBeNull();
    expect(h.failureCalls()).toEqual([expect.objectContaining({ taskToken: control, error: 'InvalidActionParameter' })]);
  });
});

describe('the consent notice with an opt-out', () => {
  const notice = {
    command: 'NotifyConsent',
    taskToken: consent,
    text: 'This call is recorded. Press 9 to decline.',
    optOutDigit: '9',
    optOutSeconds: '5',
  };

  it('speaks to the other legs first and asks the caller (LEG-A) last, with SpeakAndGetDigits for one key', async () => {
    const r = await harness().invoke(callUpdate(notice, { participants: twoLegParticipants() }));
    expect(r.Actions.map((a) => [a.Type, a.Parameters.CallId])).toEqual([
      ['Speak', IDS.legB],
      ['SpeakAndGetDigits', IDS.legA],
    ]);
    expect(r.Actions[1].Parameters).toMatchObject({
      SpeechParameters: { Text: notice.text },
      MinNumberOfDigits: 1,
      MaxNumberOfDigits: 2,
      Repeat: 1,
      RepeatDurationInMilliseconds: 5000,
    });
  });

  it('the key pressed goes to the workflow (which decides); no key in time is not a failure', async () => {
    const h = harness();
    const r = await h.invoke(callUpdate(notice));
    const params = r.Actions[0].Parameters;
    await h.invoke(actionEvent('ACTION_SUCCESSFUL', 'SpeakAndGetDigits', params, r.TransactionAttributes!, { ReceivedDigits: '9' }));
    await h.invoke(actionEvent('ACTION_FAILED', 'SpeakAndGetDigits', params, r.TransactionAttributes!, { ErrorType: 'DigitsNotReceived' }));
    expect(h.successCalls().map((c) => JSON.parse(c.output!))).toEqual([
      { legs: ['LEG-A'], receivedDigits: '9' },
      { legs: ['LEG-A'], receivedDigits: null },
    ]);
    expect(h.failureCalls()).toEqual([]);
  });

  it('a prompt that did not play (SystemException) fails the notice, as a Speak would', async () => {
    const h = harness();
    const r = await h.invoke(callUpdate(notice));
    await h.invoke(
      actionEvent('ACTION_FAILED', 'SpeakAndGetDigits', r.Actions[0].Parameters, r.TransactionAttributes!, {
        ErrorType: 'SystemException',
      }),
    );
    expect(h.failureCalls()).toEqual([expect.objectContaining({ taskToken: consent, error: 'SystemException' })]);
  });

  it('a two-leg notice cut after LEG-B: the caller is still asked (SpeakAndGetDigits), and their key reaches the workflow', async () => {
    // The list is [Speak LEG-B, SpeakAndGetDigits LEG-A]; a success for LEG-B's Speak means another answer replaced
    // the rest. Participants' order (LEG-A first) must not make the caller count as notified.
    const h = harness();
    const participants = twoLegParticipants();
    const r = await h.invoke(callUpdate(notice, { participants }));
    const cut = actionEvent('ACTION_SUCCESSFUL', 'Speak', r.Actions[0].Parameters, r.TransactionAttributes!);
    cut.CallDetails.Participants = participants;
    const again = await h.invoke(cut);
    expect(again.Actions.map((a) => [a.Type, a.Parameters.CallId])).toEqual([['SpeakAndGetDigits', IDS.legA]]);
    expect(again.Actions[0].Parameters).toEqual(r.Actions[1].Parameters);
    expect(h.sfnMock.calls()).toHaveLength(0);
    const heard = actionEvent('ACTION_SUCCESSFUL', 'SpeakAndGetDigits', again.Actions[0].Parameters, r.TransactionAttributes!, {
      ReceivedDigits: '9',
    });
    heard.CallDetails.Participants = participants;
    await h.invoke(heard);
    expect(h.successCalls().map((c) => JSON.parse(c.output!))).toEqual([{ legs: ['LEG-A', 'LEG-B'], receivedDigits: '9' }]);
  });

  it.each([['#'], ['12']])('refuses optOutDigit %p (InvalidActionParameter), with no action', async (optOutDigit) => {
    const h = harness();
    const r = await h.invoke(callUpdate({ ...notice, optOutDigit }));
    expect(r.Actions).toBeNull();
    expect(h.failureCalls()).toEqual([
      expect.objectContaining({ error: 'InvalidActionParameter', cause: 'optOutDigit: must be one key, 0-9 or *' }),
    ]);
  });
});

describe('repeated events (the SMA may send an event twice)', () => {
  it('a control request whose wait is over (stale token) is dropped with no map, not queued', async () => {
    const h = harness();
    h.sfnMock.on(SendTaskSuccessCommand).rejects(awsError('TaskTimedOut'));
    const r = await h.invoke(callUpdate(request(), { attributes: { ...APP, [TokenAttribute.WaitForCallEnd]: callEnd } }));
    expect(r.Actions).toBeNull();
    expect(r.TransactionAttributes).toBeUndefined();
    expect(h.metricNames()).toContain('ControlRequestsDropped');
  });

  it('a repeated WaitForCallEnd that finds a queue (its token already spent) writes no map: the queue is not put back', async () => {
    const h = harness();
    h.sfnMock.on(SendTaskSuccessCommand).rejects(awsError('TaskTimedOut'));
    const queued = JSON.stringify([{ action: 'PAUSE', requestedBy: 'agent-7', requestId: 'r-1', via: 'api' }]);
    const r = await h.invoke(
      callUpdate({ command: 'WaitForCallEnd', taskToken: callEnd }, { attributes: { [QueuedControlsAttribute]: queued } }),
    );
    expect(r.TransactionAttributes).toBeUndefined();
  });
});

describe('the notice cut by another update', () => {
  it("an interrupted opt-out prompt fails the notice's task with ActionInterrupted (the workflow retries it), and the application is not told", async () => {
    const h = harness();
    const notice = {
      command: 'NotifyConsent',
      taskToken: consent,
      text: 'Recorded. Press 9 to decline.',
      optOutDigit: '9',
      optOutSeconds: '5',
    };
    const r = await h.invoke(callUpdate(notice));
    const e = withAttributes(fixture('ACTION_INTERRUPTED'), r.TransactionAttributes!);
    e.ActionData = { ...(e.ActionData as object), Type: 'SpeakAndGetDigits', Parameters: r.Actions[0]!.Parameters } as never;
    const answer = await h.invoke(e);
    expect(answer.Actions).toEqual([]);
    expect(h.failureCalls()).toEqual([expect.objectContaining({ taskToken: consent, error: 'ActionInterrupted' })]);
  });
});
