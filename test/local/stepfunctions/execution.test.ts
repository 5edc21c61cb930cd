/** Standard-execution semantics: names and idempotency, stop, timeouts, limits, redrive, billing count. */
import { TaskFailedError } from '../../../local/stepfunctions/errors';
import { FakeInvoker, makeEngine, jsonata, run, start, types, until, TASK } from './helpers';

const waitHour = jsonata('W', { W: { Type: 'Wait', Seconds: 3600 * 24 * 365, Next: 'S' }, S: { Type: 'Succeed' } });

describe('StartExecution', () => {
  it('is idempotent by name while RUNNING with the same input; otherwise ExecutionAlreadyExists', async () => {
    const { engine } = makeEngine();
    const { stateMachineArn, executionArn } = start(engine, waitHour, { call: 1 }, 'tx-abc_1');
    expect(executionArn).toBe(`arn:aws:states:us-east-1:123456789012:execution:${stateMachineArn.split(':').pop()}:tx-abc_1`);
    const again = engine.startExecution({ stateMachineArn, name: 'tx-abc_1', input: JSON.stringify({ call: 1 }) });
    expect(again.executionArn).toBe(executionArn);
    expect(() => engine.startExecution({ stateMachineArn, name: 'tx-abc_1', input: '{"call":2}' })).toThrow(
      expect.objectContaining({ name: 'ExecutionAlreadyExists' }),
    );
    engine.stopExecution({ executionArn });
    expect(() => engine.startExecution({ stateMachineArn, name: 'tx-abc_1', input: JSON.stringify({ call: 1 }) })).toThrow(
      expect.objectContaining({ name: 'ExecutionAlreadyExists' }),
    );
  });

  it('validates names (1-80 of 0-9A-Za-z_-), input JSON and size, ARNs', () => {
    const { engine } = makeEngine();
    const { stateMachineArn } = engine.createStateMachine({ name: 'names', definition: jsonata('A', { A: { Type: 'Succeed' } }) });
    for (const name of ['', 'a'.repeat(81), 'has space', 'dot.name', 'slash/x']) {
      expect(() => engine.startExecution({ stateMachineArn, name })).toThrow(expect.objectContaining({ name: 'InvalidName' }));
    }
    expect(engine.startExecution({ stateMachineArn, name: 'a'.repeat(80) }).executionArn).toMatch(/:a{80}$/);
    expect(() => engine.startExecution({ stateMachineArn, input: '{bad' })).toThrow(
      expect.objectContaining({ name: 'InvalidExecutionInput' }),
    );
    expect(() => engine.startExecution({ stateMachineArn, input: JSON.stringify('x'.repeat(256 * 1024)) })).toThrow(
      expect.objectContaining({ name: 'ValidationException' }),
    );
    expect(() => engine.startExecution({ stateMachineArn: 'not-an-arn' })).toThrow(expect.objectContaining({ name: 'InvalidArn' }));
    expect(() => engine.startExecution({ stateMachineArn: stateMachineArn + 'x' })).toThrow(
      expect.objectContaining({ name: 'StateMachineDoesNotExist' }),
    );
    expect(() => engine.describeExecution({ executionArn: stateMachineArn.replace('stateMachine', 'execution') + ':nope' })).toThrow(
      expect.objectContaining({ name: 'ExecutionDoesNotExist' }),
    );
  });

  it('defaults the input to {} and the name to a UUID', async () => {
    const { engine } = makeEngine();
    const { stateMachineArn } = engine.createStateMachine({ name: 'defaults', definition: jsonata('A', { A: { Type: 'Succeed' } }) });
    const { executionArn } = engine.startExecution({ stateMachineArn });
    const info = await engine.waitForExecution(executionArn);
    expect(info.name).toMatch(/^[0-9a-f-]{36}$/);
    expect(info.output).toEqual({});
  });
});

describe('closing an execution', () => {
  it('StopExecution aborts a Wait at once: WaitStateAborted, ExecutionAborted with error and cause', async () => {
    const { engine } = makeEngine();
    const { executionArn } = start(engine, waitHour);
    await until(() => engine.getExecution(executionArn).history.some((e) => e.type === 'WaitStateEntered'));
    const { stopDate } = engine.stopExecution({ executionArn, error: 'Operator', cause: 'test stop' });
    const d = engine.describeExecution({ executionArn });
    expect(d).toMatchObject({ status: 'ABORTED', error: 'Operator', cause: 'test stop', stopDate });
    const info = engine.getExecution(executionArn);
    expect(types(info.history)).toEqual(['ExecutionStarted', 'WaitStateEntered', 'WaitStateAborted', 'ExecutionAborted']);
    expect(info.history[3].executionAbortedEventDetails).toEqual({ error: 'Operator', cause: 'test stop' });
    engine.stopExecution({ executionArn }); // stopping a closed execution changes nothing
    expect(engine.getExecution(executionArn).history).toHaveLength(4);
  });

  it('the state machine TimeoutSeconds times the execution out', async () => {
    const { engine } = makeEngine();
    const info = await run(engine, { ...waitHour, TimeoutSeconds: 5 });
    expect(info).toMatchObject({ status: 'TIMED_OUT', error: 'States.Timeout' });
    expect(types(info.history).slice(-2)).toEqual(['WaitStateAborted', 'ExecutionTimedOut']);
  });

  it('a state output over 256 KiB fails the execution with States.DataLimitExceeded', async () => {
    const { engine } = makeEngine();
    const info = await run(
      engine,
      jsonata('Big', { Big: { Type: 'Pass', Output: "{% $join($map([1..300], function($i) { $pad('', 1024, 'x') })) %}", End: true } }),
    );
    expect(info).toMatchObject({ status: 'FAILED', error: 'States.DataLimitExceeded' });
  });

  it('the history is capped: an endless loop fails with States.Runtime at 25,000 events', async () => {
    const { engine } = makeEngine();
    const info = await run(engine, jsonata('A', { A: { Type: 'Pass', Next: 'B' }, B: { Type: 'Pass', Next: 'A' } }));
    expect(info.history).toHaveLength(25000);
    expect(info).toMatchObject({ status: 'FAILED', error: 'States.Runtime' });
    expect(info.cause).toMatch(/maximum number of history events \(25000\)/);
    expect(info.history[24999].type).toBe('ExecutionFailed');
    expect(() => engine.redriveExecution({ executionArn: info.executionArn })).toThrow(
      expect.objectContaining({ name: 'ExecutionNotRedrivable' }),
    );
  });
});

describe('RedriveExecution', () => {
  it('re-enters the failed state with its input and the variables kept; earlier states are not rerun', async () => {
    let broken = true;
    const invoker = new FakeInvoker().on('s3:headObject', (req) => {
      if (broken) throw new TaskFailedError('S3.ServiceUnavailableException', 'down');
      return { seen: req.args };
    });
    const { engine } = makeEngine({ invoker });
    const { executionArn } = start(
      engine,
      jsonata('Prepare', {
        Prepare: { Type: 'Pass', Assign: { key: '{% $states.input.key %}' }, Output: { step: 'prepared' }, Next: 'Verify' },
        Verify: {
          Type: 'Task',
          Resource: TASK,
          Arguments: { Key: '{% $key %}', Input: '{% $states.input %}', Redrives: '{% $states.context.Execution.RedriveCount %}' },
          End: true,
        },
      }),
      { key: 'rec.wav' },
    );
    const failed = await engine.waitForExecution(executionArn);
    expect(failed).toMatchObject({ status: 'FAILED', error: 'S3.ServiceUnavailableException' });
    expect(engine.describeExecution({ executionArn })).toMatchObject({ redriveStatus: 'REDRIVABLE', redriveCount: 0 });

    broken = false;
    engine.redriveExecution({ executionArn });
    const info = await engine.waitForExecution(executionArn);
    expect(info.status).toBe('SUCCEEDED');
    expect(info.output).toEqual({ seen: { Key: 'rec.wav', Input: { step: 'prepared' }, Redrives: 1 } });
    expect(info.redriveCount).toBe(1);
    expect(types(info.history).filter((t) => t === 'PassStateEntered')).toHaveLength(1);
    expect(types(info.history).slice(6)).toEqual([
      'TaskFailed',
      'ExecutionFailed',
      'ExecutionRedriven',
      'TaskStateEntered',
      'TaskScheduled',
      'TaskStarted',
      'TaskSucceeded',
      'TaskStateExited',
      'ExecutionSucceeded',
    ]);
    expect(info.history[8].executionRedrivenEventDetails).toEqual({ redriveCount: 1 });
    // Prepare + Verify, then Verify again after the redrive
    expect(info.stateTransitions).toBe(3);
    expect(() => engine.redriveExecution({ executionArn })).toThrow(expect.objectContaining({ name: 'ExecutionNotRedrivable' }));
  });

  it('redrives an aborted execution from the state it was stopped in', async () => {
    const { engine } = makeEngine();
    const { executionArn } = start(
      engine,
      jsonata('W', {
        W: { Type: 'Wait', Seconds: '{% $states.context.Execution.RedriveCount = 0 ? 99999 : 1 %}', Next: 'S' },
        S: { Type: 'Succeed' },
      }),
    );
    await until(() => engine.getExecution(executionArn).history.some((e) => e.type === 'WaitStateEntered'));
    engine.stopExecution({ executionArn });
    engine.redriveExecution({ executionArn });
    expect((await engine.waitForExecution(executionArn)).status).toBe('SUCCEEDED');
  });

  it('a RUNNING or SUCCEEDED execution is not redrivable', async () => {
    const { engine } = makeEngine();
    const running = start(engine, waitHour);
    expect(() => engine.redriveExecution({ executionArn: running.executionArn })).toThrow(
      expect.objectContaining({ name: 'ExecutionNotRedrivable' }),
    );
    const done = await run(engine, jsonata('A', { A: { Type: 'Succeed' } }));
    expect(() => engine.redriveExecution({ executionArn: done.executionArn })).toThrow(
      expect.objectContaining({ name: 'ExecutionNotRedrivable' }),
    );
    engine.close();
  });
});

describe('state transitions (billing)', () => {
  it('counts every state entered plus every retry', async () => {
    const invoker = new FakeInvoker().failThen('s3:headObject', ['E', 'E', 'E']);
    const { engine } = makeEngine({ invoker });
    const info = await run(
      engine,
      jsonata('A', {
        A: { Type: 'Pass', Next: 'C' },
        C: { Type: 'Choice', Choices: [{ Condition: true, Next: 'T' }] },
        T: { Type: 'Task', Resource: TASK, Retry: [{ ErrorEquals: ['E'], MaxAttempts: 5 }], Next: 'W' },
        W: { Type: 'Wait', Seconds: 1, Next: 'S' },
        S: { Type: 'Succeed' },
      }),
    );
    expect(info.status).toBe('SUCCEEDED');
    expect(info.stateTransitions).toBe(5 + 3);
  });
});
