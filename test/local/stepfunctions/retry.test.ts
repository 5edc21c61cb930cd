/**
 * Retry and error-name matching (spec "Retrying after error", "Complex retry scenarios", Appendix A,
 * and the AWS error-handling docs). Intervals are asserted on the virtual sleeps requested from
 * the clock, which is exact, rather than on wall time.
 */
import { errorMatches, TaskFailedError } from '../../../local/stepfunctions/errors';
import { FakeInvoker, makeEngine, jsonata, run, types, TASK } from './helpers';

/** Task X with the given Retry; Z (reachable only through a Catch) reports its input. */
const retryTask = (Retry: unknown[], extra: Record<string, unknown> = {}) =>
  jsonata('X', {
    X: { Type: 'Task', Resource: TASK, Retry, End: true, ...extra },
    ...(extra.Catch ? { Z: { Type: 'Succeed', Output: '{% $states.input %}' } } : {}),
  });

describe('retry intervals (spec examples)', () => {
  it('IntervalSeconds 3, MaxAttempts 2, BackoffRate 2.0: two retries after 3 and 6 seconds, then the error stands', async () => {
    const invoker = new FakeInvoker().failThen('s3:headObject', ['States.Timeout', 'States.Timeout', 'States.Timeout']);
    const { engine, clock } = makeEngine({ invoker });
    const info = await run(engine, retryTask([{ ErrorEquals: ['States.Timeout'], IntervalSeconds: 3, MaxAttempts: 2, BackoffRate: 2.0 }]));
    expect(clock.sleeps).toEqual([3000, 6000]);
    expect(invoker.calls).toHaveLength(3);
    expect(info).toMatchObject({ status: 'FAILED', error: 'States.Timeout' });
  });

  it('the same with MaxDelaySeconds 4: the second attempt waits 4 seconds instead of 6', async () => {
    const invoker = new FakeInvoker().failThen('s3:headObject', ['States.Timeout', 'States.Timeout', 'States.Timeout']);
    const { engine, clock } = makeEngine({ invoker });
    await run(
      engine,
      retryTask([{ ErrorEquals: ['States.Timeout'], IntervalSeconds: 3, MaxAttempts: 2, BackoffRate: 2.0, MaxDelaySeconds: 4 }]),
    );
    expect(clock.sleeps).toEqual([3000, 4000]);
  });

  it('"retry any error except States.Timeout, using the default retry parameters"', async () => {
    const retry = [{ ErrorEquals: ['States.Timeout'], MaxAttempts: 0 }, { ErrorEquals: ['States.ALL'] }];
    const other = new FakeInvoker().failThen('s3:headObject', ['E1', 'E2', 'E3', 'E4']);
    const a = makeEngine({ invoker: other });
    const failed = await run(a.engine, retryTask(retry));
    // defaults: IntervalSeconds 1, BackoffRate 2.0, MaxAttempts 3
    expect(a.clock.sleeps).toEqual([1000, 2000, 4000]);
    expect(failed).toMatchObject({ status: 'FAILED', error: 'E4' });

    const timeout = new FakeInvoker().failThen('s3:headObject', ['States.Timeout']);
    const b = makeEngine({ invoker: timeout });
    const notRetried = await run(b.engine, retryTask(retry));
    expect(b.clock.sleeps).toEqual([]);
    expect(timeout.calls).toHaveLength(1);
    expect(notRetried.error).toBe('States.Timeout');
  });

  it('complex scenario: ErrorA, ErrorB, ErrorC, ErrorB -> waits 1, 2, 5 s, then the exhausted retrier sends it to Z via Catch', async () => {
    const invoker = new FakeInvoker().failThen('s3:headObject', ['ErrorA', 'ErrorB', 'ErrorC', 'ErrorB']);
    const { engine, clock } = makeEngine({ invoker });
    const info = await run(
      engine,
      retryTask(
        [
          { ErrorEquals: ['ErrorA', 'ErrorB'], IntervalSeconds: 1, BackoffRate: 2, MaxAttempts: 2 },
          { ErrorEquals: ['ErrorC'], IntervalSeconds: 5 },
        ],
        { Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Z' }] },
      ),
    );
    expect(clock.sleeps).toEqual([1000, 2000, 5000]);
    expect(invoker.calls).toHaveLength(4);
    expect(info.status).toBe('SUCCEEDED');
    expect(info.output).toEqual({ Error: 'ErrorB', Cause: 'failure #4' });
  });

  it('MaxAttempts 0 never retries; JitterStrategy FULL scales each interval by a random factor in [0, 1]', async () => {
    const never = new FakeInvoker().failThen('s3:headObject', ['E']);
    const a = makeEngine({ invoker: never });
    await run(a.engine, retryTask([{ ErrorEquals: ['E'], MaxAttempts: 0 }]));
    expect(never.calls).toHaveLength(1);

    const jittered = new FakeInvoker().failThen('s3:headObject', ['E', 'E']);
    const b = makeEngine({ invoker: jittered, random: () => 0.25 });
    const info = await run(
      b.engine,
      retryTask([{ ErrorEquals: ['E'], IntervalSeconds: 4, BackoffRate: 2, MaxAttempts: 2, JitterStrategy: 'FULL' }]),
    );
    expect(b.clock.sleeps).toEqual([1000, 2000]);
    expect(info.status).toBe('SUCCEEDED');
  });
});

describe('retries in history, context and billing', () => {
  it('each attempt has its own TaskScheduled/TaskStarted/TaskFailed; RetryCount grows; each retry is a state transition', async () => {
    const invoker = new FakeInvoker().failThen('s3:headObject', ['ChimeSdkVoice.SystemException', 'ChimeSdkVoice.SystemException'], {
      Recorded: true,
    });
    const { engine } = makeEngine({ invoker });
    const info = await run(
      engine,
      jsonata('Start', {
        Start: {
          Type: 'Task',
          Resource: TASK,
          Arguments: { Attempt: '{% $states.context.State.RetryCount %}' },
          Retry: [{ ErrorEquals: ['ChimeSdkVoice.SystemException'], IntervalSeconds: 2, MaxAttempts: 3 }],
          Next: 'Done',
        },
        Done: { Type: 'Succeed' },
      }),
    );
    expect(invoker.calls.map((c) => c.args)).toEqual([{ Attempt: 0 }, { Attempt: 1 }, { Attempt: 2 }]);
    expect(types(info.history)).toEqual([
      'ExecutionStarted',
      'TaskStateEntered',
      'TaskScheduled',
      'TaskStarted',
      'TaskFailed',
      'TaskScheduled',
      'TaskStarted',
      'TaskFailed',
      'TaskScheduled',
      'TaskStarted',
      'TaskSucceeded',
      'TaskStateExited',
      'SucceedStateEntered',
      'SucceedStateExited',
      'ExecutionSucceeded',
    ]);
    const scheduled = info.history
      .filter((e) => e.type === 'TaskScheduled')
      .map((e) => e.taskScheduledEventDetails as Record<string, unknown>);
    expect(scheduled[2]).toEqual({ resourceType: 'aws-sdk:s3', resource: 'headObject', region: 'us-east-1', parameters: '{"Attempt":2}' });
    expect(info.history.find((e) => e.type === 'TaskFailed')!.taskFailedEventDetails).toEqual({
      resourceType: 'aws-sdk:s3',
      resource: 'headObject',
      error: 'ChimeSdkVoice.SystemException',
      cause: 'failure #1',
    });
    // 2 states entered + 2 retries
    expect(info.stateTransitions).toBe(4);
    // ids are sequential; each event points at the one before it (a retried TaskScheduled at the
    // TaskFailed), except ExecutionStarted and the first state's Entered, which point at nothing (AWS)
    for (const [i, e] of info.history.entries()) expect([e.id, e.previousEventId]).toEqual([i + 1, i <= 1 ? 0 : i]);
  });

  it('retrier attempt counts reset when the state is entered again', async () => {
    const invoker = new FakeInvoker().on('s3:headObject', (_r, call) => {
      if (call % 2 === 1) throw new TaskFailedError('E', 'odd call');
      return {};
    });
    const { engine, clock } = makeEngine({ invoker });
    const info = await run(
      engine,
      jsonata('Loop', {
        Loop: {
          Type: 'Task',
          Resource: TASK,
          Retry: [{ ErrorEquals: ['E'], MaxAttempts: 1, IntervalSeconds: 7 }],
          Assign: { n: '{% $exists($n) ? $n + 1 : 1 %}' },
          Next: 'Check',
        },
        Check: { Type: 'Choice', Choices: [{ Condition: '{% $n < 3 %}', Next: 'Loop' }], Default: 'Done' },
        Done: { Type: 'Succeed' },
      }),
    );
    expect(info.status).toBe('SUCCEEDED');
    expect(clock.sleeps).toEqual([7000, 7000, 7000]);
  });
});

describe('error name matching', () => {
  it('States.ALL matches everything but States.Runtime and States.DataLimitExceeded', () => {
    for (const name of [
      'X',
      'S3.NoSuchKeyException',
      'States.Timeout',
      'States.HeartbeatTimeout',
      'States.TaskFailed',
      'States.QueryEvaluationError',
    ]) {
      expect(errorMatches(['States.ALL'], name)).toBe(true);
    }
    expect(errorMatches(['States.ALL'], 'States.Runtime')).toBe(false);
    expect(errorMatches(['States.ALL'], 'States.DataLimitExceeded')).toBe(false);
  });

  it('States.TaskFailed matches task failures but not timeouts or States.Runtime', () => {
    expect(errorMatches(['States.TaskFailed'], 'ChimeSdkVoice.SystemException')).toBe(true);
    expect(errorMatches(['States.TaskFailed'], 'States.QueryEvaluationError')).toBe(true);
    expect(errorMatches(['States.TaskFailed'], 'States.Timeout')).toBe(false);
    expect(errorMatches(['States.TaskFailed'], 'States.HeartbeatTimeout')).toBe(false);
    expect(errorMatches(['States.TaskFailed'], 'States.Runtime')).toBe(false);
  });

  it('names match exactly and case-sensitively; States.Timeout covers States.HeartbeatTimeout; States.Runtime never matches', () => {
    expect(errorMatches(['ErrorA'], 'errora')).toBe(false);
    expect(errorMatches(['ErrorA', 'ErrorB'], 'ErrorB')).toBe(true);
    expect(errorMatches(['States.Timeout'], 'States.HeartbeatTimeout')).toBe(true);
    expect(errorMatches(['States.HeartbeatTimeout'], 'States.Timeout')).toBe(false);
    expect(errorMatches(['States.Runtime'], 'States.Runtime')).toBe(false);
    expect(errorMatches(['States.DataLimitExceeded'], 'States.DataLimitExceeded')).toBe(true);
  });

  it('a States.Runtime task failure is neither retried nor caught, even by an explicit name', async () => {
    const invoker = new FakeInvoker().failThen('s3:headObject', ['States.Runtime']);
    const { engine, clock } = makeEngine({ invoker });
    const info = await run(
      engine,
      retryTask([{ ErrorEquals: ['States.Runtime'] }], { Catch: [{ ErrorEquals: ['States.Runtime'], Next: 'Z' }] }),
    );
    expect(info).toMatchObject({ status: 'FAILED', error: 'States.Runtime' });
    expect(clock.sleeps).toEqual([]);
  });

  it('a too-large task result is States.DataLimitExceeded: not caught by States.ALL, caught by its own name', async () => {
    const big = { Body: 'x'.repeat(300 * 1024) };
    const mk = () => new FakeInvoker().on('s3:headObject', () => big);
    const a = makeEngine({ invoker: mk() });
    const uncaught = await run(a.engine, retryTask([], { Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Z' }] }));
    expect(uncaught).toMatchObject({ status: 'FAILED', error: 'States.DataLimitExceeded' });
    const b = makeEngine({ invoker: mk() });
    const caught = await run(b.engine, retryTask([], { Catch: [{ ErrorEquals: ['States.DataLimitExceeded'], Next: 'Z' }] }));
    expect(caught.status).toBe('SUCCEEDED');
    expect((caught.output as { Error: string }).Error).toBe('States.DataLimitExceeded');
  });
});
