/** Choice, Wait, Pass, Succeed, Fail and Catch, from the States Language spec's examples (JSONata form). */
import { TaskFailedError } from '../../../local/stepfunctions/errors';
import { EarlyClock, FakeInvoker, makeEngine, jsonata, run, types, TASK } from './helpers';

/** The spec's JSONata "DispatchEvent" Choice state, with the targets made into Succeed states that report the variable. */
const dispatchEvent = jsonata('SetValue', {
  SetValue: { Type: 'Pass', Assign: { value: '{% $states.input.value %}', range: 'unset' }, Next: 'DispatchEvent' },
  DispatchEvent: {
    Type: 'Choice',
    Choices: [
      { Condition: "{% $states.input.type != 'Private' %}", Next: 'Public' },
      {
        Condition: "{% $exists($value) and $type($value)='number' and $value>=20 and $value<30 %}",
        Assign: { range: 'twenties' },
        Next: 'ValueInTwenties',
      },
      {
        Condition: '{% $states.input.rating >= $states.input.auditThreshold %}',
        Output: { excess: '{% $states.input.rating - $states.input.auditThreshold %}' },
        Next: 'StartAudit',
      },
    ],
    Default: 'RecordEvent',
    Assign: { range: 'default' },
  },
  Public: { Type: 'Succeed', Output: { at: 'Public', range: '{% $range %}' } },
  ValueInTwenties: { Type: 'Succeed', Output: { at: 'ValueInTwenties', range: '{% $range %}', input: '{% $states.input %}' } },
  StartAudit: { Type: 'Succeed', Output: { at: 'StartAudit', range: '{% $range %}', input: '{% $states.input %}' } },
  RecordEvent: { Type: 'Succeed', Output: { at: 'RecordEvent', range: '{% $range %}', input: '{% $states.input %}' } },
});

describe('Choice (spec "JSONata Choice Rules" DispatchEvent example)', () => {
  it('type Private and $value 23: the second rule matches, range = "twenties", input passed through', async () => {
    const { engine } = makeEngine();
    const input = { type: 'Private', value: 23 };
    const info = await run(engine, dispatchEvent, input);
    expect(info.output).toEqual({ at: 'ValueInTwenties', range: 'twenties', input });
  });

  it('the third rule: Output becomes the state output, and no variables are assigned', async () => {
    const { engine } = makeEngine();
    const info = await run(engine, dispatchEvent, { type: 'Private', value: 5, rating: 80, auditThreshold: 50 });
    expect(info.output).toEqual({ at: 'StartAudit', range: 'unset', input: { excess: 30 } });
  });

  it('no rule matches: the state-level Assign applies and Default is taken with the input', async () => {
    const { engine } = makeEngine();
    const input = { type: 'Private', value: 5, rating: 1, auditThreshold: 50 };
    const info = await run(engine, dispatchEvent, input);
    expect(info.output).toEqual({ at: 'RecordEvent', range: 'default', input });
  });

  it('the first rule wins when several match', async () => {
    const { engine } = makeEngine();
    expect((await run(engine, dispatchEvent, { type: 'Public', value: 23 })).output).toEqual({ at: 'Public', range: 'unset' });
  });

  it('no match and no Default: States.NoChoiceMatched; a non-boolean Condition: States.QueryEvaluationError', async () => {
    const { engine } = makeEngine();
    const noDefault = await run(
      engine,
      jsonata('C', { C: { Type: 'Choice', Choices: [{ Condition: false, Next: 'E' }] }, E: { Type: 'Succeed' } }),
    );
    expect(noDefault).toMatchObject({ status: 'FAILED', error: 'States.NoChoiceMatched' });
    const notBoolean = await run(
      engine,
      jsonata('C', { C: { Type: 'Choice', Choices: [{ Condition: '{% 1 %}', Next: 'E' }] }, E: { Type: 'Succeed' } }),
    );
    expect(notBoolean).toMatchObject({ status: 'FAILED', error: 'States.QueryEvaluationError' });
    expect(types(noDefault.history)).toEqual(['ExecutionStarted', 'ChoiceStateEntered', 'ExecutionFailed']);
  });
});

describe('Wait (spec examples)', () => {
  it('wait_ten_seconds: Seconds 10 sleeps 10 s of virtual time', async () => {
    const { engine, clock } = makeEngine();
    const info = await run(
      engine,
      jsonata('wait_ten_seconds', { wait_ten_seconds: { Type: 'Wait', Seconds: 10, Next: 'NextState' }, NextState: { Type: 'Succeed' } }),
    );
    expect(info.status).toBe('SUCCEEDED');
    expect(clock.sleeps).toEqual([10_000]);
    const entered = info.history.find((e) => e.type === 'WaitStateEntered')!;
    const exited = info.history.find((e) => e.type === 'WaitStateExited')!;
    expect(exited.timestamp - entered.timestamp).toBeGreaterThanOrEqual(10_000);
  });

  it('wait_until a Timestamp taken from the input with JSONata (spec: $states.input.expirydate)', async () => {
    const { engine, clock } = makeEngine();
    const target = clock.nowMs() + 3_600_000;
    const expirydate = new Date(target).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const info = await run(
      engine,
      jsonata('wait_until', {
        wait_until: { Type: 'Wait', Timestamp: '{% $states.input.expirydate %}', Next: 'NextState' },
        NextState: { Type: 'Succeed' },
      }),
      { expirydate },
    );
    expect(info.status).toBe('SUCCEEDED');
    const exited = info.history.find((e) => e.type === 'WaitStateExited')!;
    expect(exited.timestamp).toBeGreaterThanOrEqual(Date.parse(expirydate));
    expect(clock.sleeps).toHaveLength(1);
  });

  it("never resumes early, even when the clock's timers fire early", async () => {
    const clock = new EarlyClock();
    const { engine } = makeEngine({ clock });
    const target = clock.nowMs() + 600_000;
    const info = await run(
      engine,
      jsonata('Sec', {
        Sec: { Type: 'Wait', Seconds: 60, Next: 'Until' },
        Until: { Type: 'Wait', Timestamp: new Date(target).toISOString(), End: true },
      }),
    );
    const at = (t: string) => info.history.find((e) => e.type === t)!.timestamp;
    expect(info.history.filter((e) => e.type === 'WaitStateExited')).toHaveLength(2);
    const [secExit, untilExit] = info.history.filter((e) => e.type === 'WaitStateExited').map((e) => e.timestamp);
    expect(secExit - at('WaitStateEntered')).toBeGreaterThanOrEqual(60_000);
    expect(untilExit).toBeGreaterThanOrEqual(target);
    expect(clock.calls.length).toBeGreaterThan(2); // the engine topped the early sleeps up
  });

  it('a Timestamp in the past does not wait; Output and Assign apply after the wait', async () => {
    const { engine, clock } = makeEngine();
    const info = await run(
      engine,
      jsonata('W', {
        W: {
          Type: 'Wait',
          Timestamp: '2016-03-14T01:59:00Z',
          Assign: { waited: true },
          Output: { done: '{% $states.input.n + 1 %}' },
          Next: 'S',
        },
        S: { Type: 'Succeed', Output: { done: '{% $states.input.done %}', waited: '{% $waited %}' } },
      }),
      { n: 1 },
    );
    expect(info.output).toEqual({ done: 2, waited: true });
    expect(clock.sleeps.every((ms) => ms <= 0)).toBe(true);
  });

  it('Seconds from JSONata must be a non-negative integer', async () => {
    const { engine } = makeEngine();
    const bad = await run(engine, jsonata('W', { W: { Type: 'Wait', Seconds: '{% $states.input.s %}', End: true } }), { s: -1 });
    expect(bad).toMatchObject({ status: 'FAILED', error: 'States.QueryEvaluationError' });
    const fractional = await run(engine, jsonata('W', { W: { Type: 'Wait', Seconds: '{% $states.input.s %}', End: true } }), { s: 1.5 });
    expect(fractional).toMatchObject({ status: 'FAILED', error: 'States.QueryEvaluationError' });
  });
});

describe('Pass, Succeed, Fail', () => {
  it('Pass copies its input without Output; Succeed with Output shapes the execution output', async () => {
    const { engine } = makeEngine();
    const info = await run(
      engine,
      jsonata('P', { P: { Type: 'Pass', Next: 'S' }, S: { Type: 'Succeed', Output: { got: '{% $states.input.georefOf %}' } } }),
      { georefOf: 'Home' },
    );
    expect(info.output).toEqual({ got: 'Home' });
    expect(types(info.history)).toEqual([
      'ExecutionStarted',
      'PassStateEntered',
      'PassStateExited',
      'SucceedStateEntered',
      'SucceedStateExited',
      'ExecutionSucceeded',
    ]);
  });

  it('the spec FailState example: Error "ErrorA", Cause "Kaiju attack"', async () => {
    const { engine } = makeEngine();
    const info = await run(engine, jsonata('FailState', { FailState: { Type: 'Fail', Error: 'ErrorA', Cause: 'Kaiju attack' } }));
    expect(info).toMatchObject({ status: 'FAILED', error: 'ErrorA', cause: 'Kaiju attack' });
    expect(types(info.history)).toEqual(['ExecutionStarted', 'FailStateEntered', 'ExecutionFailed']);
    expect(info.history[2].executionFailedEventDetails).toEqual({ error: 'ErrorA', cause: 'Kaiju attack' });
  });

  it('the spec JSONata FailState example takes Error and Cause from the input', async () => {
    const { engine } = makeEngine();
    const def = jsonata('FailState', {
      FailState: { Type: 'Fail', Comment: 'my error comment', Error: '{% $states.input.Error %}', Cause: '{% $states.input.Cause %}' },
    });
    expect(await run(engine, def, { Error: 'Oops', Cause: 'because' })).toMatchObject({
      status: 'FAILED',
      error: 'Oops',
      cause: 'because',
    });
    expect(await run(engine, def, { Error: 42, Cause: 'x' })).toMatchObject({ status: 'FAILED', error: 'States.QueryEvaluationError' });
  });
});

describe('Catch (spec "JSONata Catchers" example)', () => {
  const catchers = (errorName: string) => {
    const invoker = new FakeInvoker().on('s3:headObject', () => {
      throw new TaskFailedError(errorName, `${errorName} happened`);
    });
    const def = jsonata('Work', {
      Work: {
        Type: 'Task',
        Resource: TASK,
        Catch: [
          {
            ErrorEquals: ['java.lang.Exception'],
            Output: "{% $merge([ $states.input, {'error-info': $states.errorOutput} ]) %}",
            Next: 'RecoveryState',
          },
          {
            ErrorEquals: ['States.ALL'],
            Assign: { isCritical: '{% $contains($lowercase($states.errorOutput.Error), /.*fatal.*/)  %}' },
            Next: 'EndMachine',
          },
        ],
        End: true,
      },
      RecoveryState: { Type: 'Succeed', Output: { at: 'RecoveryState', input: '{% $states.input %}' } },
      EndMachine: { Type: 'Succeed', Output: { at: 'EndMachine', input: '{% $states.input %}', isCritical: '{% $isCritical %}' } },
    });
    return { invoker, def };
  };

  it('java.lang.Exception: the input plus the Error Output under "error-info" goes to RecoveryState', async () => {
    const { invoker, def } = catchers('java.lang.Exception');
    const { engine } = makeEngine({ invoker });
    const info = await run(engine, def, { order: 7 });
    expect(info.output).toEqual({
      at: 'RecoveryState',
      input: { order: 7, 'error-info': { Error: 'java.lang.Exception', Cause: 'java.lang.Exception happened' } },
    });
    expect(types(info.history)).toContain('TaskStateExited');
  });

  it('any other error: isCritical is assigned from $states.errorOutput and the Error Output is the next input', async () => {
    const { invoker, def } = catchers('Kernel.FatalError');
    const { engine } = makeEngine({ invoker });
    const info = await run(engine, def, { order: 7 });
    expect(info.output).toEqual({
      at: 'EndMachine',
      input: { Error: 'Kernel.FatalError', Cause: 'Kernel.FatalError happened' },
      isCritical: true,
    });
  });

  it('without a matching Catcher the execution fails with the task error (TaskFailed then ExecutionFailed)', async () => {
    const invoker = new FakeInvoker().on('s3:headObject', () => {
      throw new TaskFailedError('S3.NoSuchKeyException', 'missing');
    });
    const { engine } = makeEngine({ invoker });
    const info = await run(
      engine,
      jsonata('T', {
        T: { Type: 'Task', Resource: TASK, Catch: [{ ErrorEquals: ['Other'], Next: 'E' }], End: true },
        E: { Type: 'Succeed' },
      }),
    );
    expect(info).toMatchObject({ status: 'FAILED', error: 'S3.NoSuchKeyException', cause: 'missing' });
    expect(types(info.history)).toEqual([
      'ExecutionStarted',
      'TaskStateEntered',
      'TaskScheduled',
      'TaskStarted',
      'TaskFailed',
      'ExecutionFailed',
    ]);
  });

  it('Task Output and Assign see $states.result; a plain Error from an invoker is States.TaskFailed', async () => {
    const invoker = new FakeInvoker()
      .on('s3:headObject', () => ({ ContentLength: 10 }))
      .on('s3:getObject', () => {
        throw new Error('socket hang up');
      });
    const { engine } = makeEngine({ invoker });
    const info = await run(
      engine,
      jsonata('Head', {
        Head: { Type: 'Task', Resource: TASK, Assign: { size: '{% $states.result.ContentLength %}' }, Output: { ok: true }, Next: 'Get' },
        Get: {
          Type: 'Task',
          Resource: 'arn:aws:states:::aws-sdk:s3:getObject',
          Catch: [
            {
              ErrorEquals: ['States.TaskFailed'],
              Output: { size: '{% $size %}', err: '{% $states.errorOutput %}', input: '{% $states.input %}' },
              Next: 'Done',
            },
          ],
          End: true,
        },
        Done: { Type: 'Succeed' },
      }),
    );
    expect(info.output).toEqual({ size: 10, err: { Error: 'States.TaskFailed', Cause: 'socket hang up' }, input: { ok: true } });
  });
});
