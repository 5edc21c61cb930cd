/** `.waitForTaskToken` tasks: tokens, SendTaskSuccess/Failure/Heartbeat, timeouts, and token lifetime. */
import { ScaledClock } from '../../../local/clock';
import { StepFunctionsEngine } from '../../../local/stepfunctions/engine';
import { TaskFailedError } from '../../../local/stepfunctions/errors';
import type { TaskInvokeRequest } from '../../../local/stepfunctions/types';
import { CALLBACK, FakeInvoker, makeEngine, jsonata, start, types, until } from './helpers';

const callbackTask = (extra: Record<string, unknown> = {}, extraStates: Record<string, unknown> = {}) =>
  jsonata('StartRecording', {
    StartRecording: {
      Type: 'Task',
      Resource: CALLBACK,
      Arguments: {
        SipMediaApplicationId: 'sma-1',
        TransactionId: '{% $states.input.tx %}',
        Arguments: { command: 'StartRecording', taskToken: '{% $states.context.Task.Token %}' },
      },
      Output: { location: '{% $states.result.location %}' },
      End: true,
      ...extra,
    },
    ...extraStates,
  });

const tokenOf = (req: TaskInvokeRequest) => (req.args as { Arguments: { taskToken: string } }).Arguments.taskToken;

describe('task token flow', () => {
  it('puts an opaque token in $states.context.Task.Token, waits for SendTaskSuccess, single use', async () => {
    const invoker = new FakeInvoker().on('chimesdkvoice:updateSipMediaApplicationCall', () => ({
      SipMediaApplicationCall: { TransactionId: 'tx-1' },
    }));
    const { engine } = makeEngine({ invoker });
    const { executionArn } = start(engine, callbackTask(), { tx: 'tx-1' });
    await until(() => invoker.calls.length === 1);
    const token = tokenOf(invoker.calls[0]);
    expect(token).toMatch(/^[A-Za-z0-9_-]{300}$/);
    expect(engine.describeExecution({ executionArn }).status).toBe('RUNNING');

    engine.sendTaskSuccess({ taskToken: token, output: JSON.stringify({ location: 'bucket/key.wav' }) });
    const info = await engine.waitForExecution(executionArn);
    expect(info).toMatchObject({ status: 'SUCCEEDED', output: { location: 'bucket/key.wav' } });
    expect(types(info.history)).toEqual([
      'ExecutionStarted',
      'TaskStateEntered',
      'TaskScheduled',
      'TaskStarted',
      'TaskSubmitted',
      'TaskSucceeded',
      'TaskStateExited',
      'ExecutionSucceeded',
    ]);
    const scheduled = info.history[2].taskScheduledEventDetails as Record<string, unknown>;
    expect(scheduled).toMatchObject({
      resourceType: 'aws-sdk:chimesdkvoice',
      resource: 'updateSipMediaApplicationCall.waitForTaskToken',
      region: 'us-east-1',
    });
    expect(info.history[4].taskSubmittedEventDetails).toMatchObject({ output: '{"SipMediaApplicationCall":{"TransactionId":"tx-1"}}' });
    // the token only appears where the Arguments put it
    const withToken = info.history.filter((e) => JSON.stringify(e).includes(token)).map((e) => e.type);
    expect(withToken).toEqual(['TaskScheduled']);

    expect(() => engine.sendTaskSuccess({ taskToken: token, output: '{}' })).toThrow(expect.objectContaining({ name: 'TaskDoesNotExist' }));
  });

  it('SendTaskFailure fails the task with its error and cause, which a Catcher can match', async () => {
    const invoker = new FakeInvoker().on('chimesdkvoice:updateSipMediaApplicationCall', () => ({}));
    const { engine } = makeEngine({ invoker });
    const { executionArn } = start(
      engine,
      callbackTask(
        { Catch: [{ ErrorEquals: ['NoAccessToDestination'], Output: '{% $states.errorOutput %}', Next: 'StartFailed' }] },
        { StartFailed: { Type: 'Succeed' } },
      ),
      { tx: 'tx-2' },
    );
    await until(() => invoker.calls.length === 1);
    engine.sendTaskFailure({
      taskToken: tokenOf(invoker.calls[0]),
      error: 'NoAccessToDestination',
      cause: 'Error while accessing destination',
    });
    const info = await engine.waitForExecution(executionArn);
    expect(info.output).toEqual({ Error: 'NoAccessToDestination', Cause: 'Error while accessing destination' });
    expect(info.history.find((e) => e.type === 'TaskFailed')!.taskFailedEventDetails).toMatchObject({
      error: 'NoAccessToDestination',
      cause: 'Error while accessing destination',
    });
  });

  it('TimeoutSeconds: the task times out with States.Timeout and a late callback gets TaskTimedOut', async () => {
    const invoker = new FakeInvoker().on('chimesdkvoice:updateSipMediaApplicationCall', () => ({}));
    const { engine } = makeEngine({ invoker });
    const { executionArn } = start(engine, callbackTask({ TimeoutSeconds: 30 }), { tx: 'tx-3' });
    const info = await engine.waitForExecution(executionArn);
    expect(info).toMatchObject({ status: 'FAILED', error: 'States.Timeout' });
    expect(types(info.history).slice(-2)).toEqual(['TaskTimedOut', 'ExecutionFailed']);
    expect(info.history.find((e) => e.type === 'TaskScheduled')!.taskScheduledEventDetails).toMatchObject({ timeoutInSeconds: 30 });
    expect(() => engine.sendTaskSuccess({ taskToken: tokenOf(invoker.calls[0]), output: '{}' })).toThrow(
      expect.objectContaining({ name: 'TaskTimedOut' }),
    );
  });

  it('a retry after a timeout issues a new token; only the new one is valid', async () => {
    const invoker = new FakeInvoker().on('chimesdkvoice:updateSipMediaApplicationCall', () => ({}));
    const { engine } = makeEngine({ invoker });
    // TimeoutSeconds from JSONata: the first attempt times out fast, the retry waits long enough for the test.
    const TimeoutSeconds = '{% $states.context.State.RetryCount = 0 ? 30 : 99999 %}';
    const { executionArn } = start(engine, callbackTask({ TimeoutSeconds, Retry: [{ ErrorEquals: ['States.Timeout'], MaxAttempts: 1 }] }), {
      tx: 'tx-4',
    });
    await until(() => invoker.calls.length === 2);
    const [first, second] = invoker.calls.map(tokenOf);
    expect(first).not.toBe(second);
    expect(() => engine.sendTaskSuccess({ taskToken: first, output: '{}' })).toThrow(expect.objectContaining({ name: 'TaskTimedOut' }));
    engine.sendTaskSuccess({ taskToken: second, output: '{"location":"b/k"}' });
    const info = await engine.waitForExecution(executionArn);
    expect(info.status).toBe('SUCCEEDED');
    const timeouts = info.history
      .filter((e) => e.type === 'TaskScheduled')
      .map((e) => (e.taskScheduledEventDetails as { timeoutInSeconds: number }).timeoutInSeconds);
    expect(timeouts).toEqual([30, 99999]);
    expect(types(info.history).filter((t) => t.startsWith('Task'))).toEqual([
      'TaskStateEntered',
      'TaskScheduled',
      'TaskStarted',
      'TaskSubmitted',
      'TaskTimedOut',
      'TaskScheduled',
      'TaskStarted',
      'TaskSubmitted',
      'TaskSucceeded',
      'TaskStateExited',
    ]);
  });

  it('HeartbeatSeconds: heartbeats keep the task alive; without them it fails with States.HeartbeatTimeout', async () => {
    // A slower clock (1 virtual s = 10 ms) so that heartbeats sent from the test arrive in time.
    const clock = new ScaledClock(100);
    const invoker = new FakeInvoker().on('chimesdkvoice:updateSipMediaApplicationCall', () => ({}));
    const engine = new StepFunctionsEngine({ clock, invoker });
    const def = callbackTask(
      {
        TimeoutSeconds: 300,
        HeartbeatSeconds: 10,
        Catch: [{ ErrorEquals: ['States.Timeout'], Output: '{% $states.errorOutput %}', Next: 'TimedOut' }],
      },
      { TimedOut: { Type: 'Succeed' } },
    );
    const alive = start(engine, def, { tx: 'tx-5' });
    await until(() => invoker.calls.length === 1);
    const token = tokenOf(invoker.calls[0]);
    for (let i = 0; i < 10; i++) {
      await new Promise((r) => setTimeout(r, 25)); // 2.5 virtual s between heartbeats, 25 s in all
      engine.sendTaskHeartbeat({ taskToken: token });
    }
    engine.sendTaskSuccess({ taskToken: token, output: '{"location":"b/k"}' });
    expect(await engine.waitForExecution(alive.executionArn)).toMatchObject({ status: 'SUCCEEDED', output: { location: 'b/k' } });

    const silent = start(engine, def, { tx: 'tx-6' });
    const info = await engine.waitForExecution(silent.executionArn);
    // States.Timeout in the Catcher covers the heartbeat timeout; the error name says which it was.
    expect(info.output).toEqual({ Error: 'States.HeartbeatTimeout', Cause: expect.stringMatching(/HeartbeatSeconds \(10 s\)/) });
    expect(info.history.find((e) => e.type === 'TaskTimedOut')!.taskTimedOutEventDetails).toMatchObject({
      error: 'States.HeartbeatTimeout',
    });
    engine.close();
  });

  it('if the invoker call fails, the task fails with that error and the token dies', async () => {
    const invoker = new FakeInvoker().on('chimesdkvoice:updateSipMediaApplicationCall', () => {
      throw new TaskFailedError('ChimeSdkVoice.NotFoundException', 'The call is no longer active');
    });
    const { engine } = makeEngine({ invoker });
    const { executionArn } = start(engine, callbackTask(), { tx: 'tx-7' });
    const info = await engine.waitForExecution(executionArn);
    expect(info).toMatchObject({ status: 'FAILED', error: 'ChimeSdkVoice.NotFoundException' });
    expect(types(info.history)).not.toContain('TaskSubmitted');
    expect(() => engine.sendTaskSuccess({ taskToken: tokenOf(invoker.calls[0]), output: '{}' })).toThrow(
      expect.objectContaining({ name: 'TaskDoesNotExist' }),
    );
  });

  it('a callback that arrives before the invoker call returns is applied after TaskSubmitted', async () => {
    let engineRef!: StepFunctionsEngine;
    const invoker = new FakeInvoker().on('chimesdkvoice:updateSipMediaApplicationCall', async (req) => {
      engineRef.sendTaskSuccess({ taskToken: tokenOf(req), output: '{"location":"fast"}' });
      await new Promise((r) => setTimeout(r, 5));
      return { SipMediaApplicationCall: { TransactionId: 'tx-8' } };
    });
    const { engine } = makeEngine({ invoker });
    engineRef = engine;
    const { executionArn } = start(engine, callbackTask(), { tx: 'tx-8' });
    const info = await engine.waitForExecution(executionArn);
    expect(info).toMatchObject({ status: 'SUCCEEDED', output: { location: 'fast' } });
    expect(types(info.history).slice(3, 6)).toEqual(['TaskStarted', 'TaskSubmitted', 'TaskSucceeded']);
  });

  it('StopExecution while waiting: the invoker signal aborts and the token is gone', async () => {
    let signal!: AbortSignal;
    const invoker = new FakeInvoker().on('chimesdkvoice:updateSipMediaApplicationCall', (req) => {
      signal = req.signal;
      return {};
    });
    const { engine } = makeEngine({ invoker });
    const { executionArn } = start(engine, callbackTask(), { tx: 'tx-9' });
    await until(() => invoker.calls.length === 1);
    engine.stopExecution({ executionArn, error: 'CallEnded', cause: 'caller hung up' });
    expect(engine.describeExecution({ executionArn })).toMatchObject({ status: 'ABORTED', error: 'CallEnded', cause: 'caller hung up' });
    expect(signal.aborted).toBe(true);
    expect(() => engine.sendTaskSuccess({ taskToken: tokenOf(invoker.calls[0]), output: '{}' })).toThrow(
      expect.objectContaining({ name: 'TaskDoesNotExist' }),
    );
    expect(types(engine.getExecution(executionArn).history).slice(-2)).toEqual(['TaskStateAborted', 'ExecutionAborted']);
  });

  it('rejects unknown and malformed tokens, and output that is not JSON', async () => {
    const invoker = new FakeInvoker().on('chimesdkvoice:updateSipMediaApplicationCall', () => ({}));
    const { engine } = makeEngine({ invoker });
    start(engine, callbackTask(), { tx: 'tx-10' });
    await until(() => invoker.calls.length === 1);
    expect(() => engine.sendTaskSuccess({ taskToken: 'A'.repeat(300), output: '{}' })).toThrow(
      expect.objectContaining({ name: 'InvalidToken' }),
    );
    expect(() => engine.sendTaskFailure({ taskToken: 'not a token' })).toThrow(expect.objectContaining({ name: 'InvalidToken' }));
    expect(() => engine.sendTaskHeartbeat({ taskToken: '' })).toThrow(expect.objectContaining({ name: 'ValidationException' }));
    expect(() => engine.sendTaskSuccess({ taskToken: tokenOf(invoker.calls[0]), output: '{oops' })).toThrow(
      expect.objectContaining({ name: 'InvalidOutput' }),
    );
    engine.close();
  });

  it('never logs task tokens', async () => {
    const lines: string[] = [];
    const invoker = new FakeInvoker().on('chimesdkvoice:updateSipMediaApplicationCall', () => ({}));
    const { engine } = makeEngine({
      invoker,
      logger: (level, message, fields) => lines.push(`${level} ${message} ${JSON.stringify(fields)}`),
    });
    const { executionArn } = start(engine, callbackTask(), { tx: 'tx-11' });
    await until(() => invoker.calls.length === 1);
    const token = tokenOf(invoker.calls[0]);
    engine.sendTaskSuccess({ taskToken: token, output: '{"location":"x"}' });
    await engine.waitForExecution(executionArn);
    try {
      engine.sendTaskSuccess({ taskToken: token, output: '{}' });
    } catch (e) {
      expect((e as Error).message).not.toContain(token);
    }
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.join('\n')).not.toContain(token);
  });
});
