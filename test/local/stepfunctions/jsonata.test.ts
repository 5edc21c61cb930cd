/**
 * JSONata evaluation, $states, workflow variables and Step Functions' JSONata functions.
 * Examples come from the States Language spec ("State Machine Variables", "JSONata Evaluation",
 * "JSONata Restrictions") and the AWS docs (workflow variables, JSONata functions).
 */
import { FakeInvoker, makeEngine, jsonata, run, types, TASK } from './helpers';

describe('workflow variables (spec "Assigning State Machine Variables")', () => {
  it('the spec example: $year & $make & $model -> "2006 Infiniti G35"', async () => {
    const { engine } = makeEngine();
    const info = await run(
      engine,
      jsonata('FirstState', {
        FirstState: { Type: 'Pass', Assign: { make: 'Infiniti', model: 'G35', year: 2006 }, Next: 'SecondState' },
        SecondState: { Type: 'Pass', Output: "{% $year & ' ' & $make & ' ' & $model %}", End: true },
      }),
    );
    expect(info.status).toBe('SUCCEEDED');
    expect(info.output).toBe('2006 Infiniti G35');
  });

  it('Assign sees values from state entry: x=5 then {x: 42, newOrOld: $x} gives x=42, newOrOld=5', async () => {
    const { engine } = makeEngine();
    const info = await run(
      engine,
      jsonata('Init', {
        Init: { Type: 'Pass', Assign: { x: 5 }, Next: 'Assigning' },
        Assigning: { Type: 'Pass', Assign: { x: 42, newOrOld: '{% $x %}' }, Next: 'Referencing' },
        Referencing: { Type: 'Pass', Output: { x: '{% $x %}', newOrOld: '{% $newOrOld %}' }, End: true },
      }),
    );
    expect(info.output).toEqual({ x: 42, newOrOld: 5 });
    expect(info.variables).toEqual({ x: 42, newOrOld: 5 });
  });

  it('Output is evaluated with the variables from before the state assigns (AWS: Assign and Output run in parallel)', async () => {
    const { engine } = makeEngine();
    const info = await run(
      engine,
      jsonata('Init', {
        Init: { Type: 'Pass', Assign: { x: 5 }, Next: 'Both' },
        Both: { Type: 'Pass', Assign: { x: '{% $x + 1 %}' }, Output: { seen: '{% $x %}' }, Next: 'After' },
        After: { Type: 'Pass', Output: { seen: '{% $states.input.seen %}', now: '{% $x %}' }, End: true },
      }),
    );
    expect(info.output).toEqual({ seen: 5, now: 6 });
    const exited = info.history.find(
      (e) => e.type === 'PassStateExited' && (e.stateExitedEventDetails as { name: string }).name === 'Both',
    );
    expect(exited?.stateExitedEventDetails).toMatchObject({
      assignedVariables: { x: '6' },
      assignedVariablesDetails: { truncated: false },
    });
  });

  it('a variable assigned inside a JSONata expression does not change a workflow variable (spec factorial example)', async () => {
    const { engine } = makeEngine();
    const info = await run(
      engine,
      jsonata('A', {
        A: { Type: 'Pass', Assign: { product: 'kept' }, Next: 'B' },
        B: { Type: 'Pass', Output: { fact: '{% ($product := function($x, $y) {$x * $y}; $reduce([1..5], $product)) %}' }, Next: 'C' },
        C: { Type: 'Pass', Output: { fact: '{% $states.input.fact %}', product: '{% $product %}' }, End: true },
      }),
    );
    expect(info.output).toEqual({ fact: 120, product: 'kept' });
  });

  it('the spec "JSONata Evaluation" example: Arguments with nested JSONata, Output computing avg and count', async () => {
    const invoker = new FakeInvoker().on('s3:headObject', () => ({ status: 'done' }));
    const { engine } = makeEngine({ invoker });
    const info = await run(
      engine,
      jsonata('GetSampleData', {
        GetSampleData: {
          Type: 'Pass',
          Assign: {
            student: { name: 'Scotland', course: [{ grade: 34 }, { grade: 99 }, { grade: 76 }, { grade: 96 }] },
            class: { teacher: 'Bert' },
            two: 'the number 2',
          },
          Next: 'A Task',
        },
        'A Task': {
          Type: 'Task',
          Resource: TASK,
          Arguments: { student: '{% $student.name %}', classInfo: { teacher: '{% $class.teacher %}' }, values: [1, '{% $two %}', 'three'] },
          Output: "{% { 'avg': $average($student.course.grade), 'num': $count($student.course) }  %}",
          End: true,
        },
      }),
    );
    expect(invoker.calls[0].args).toEqual({ student: 'Scotland', classInfo: { teacher: 'Bert' }, values: [1, 'the number 2', 'three'] });
    expect(info.output).toEqual({ avg: 76.25, num: 4 });
  });

  it('the spec ProvideTestData Pass example assigns a variable with a conditional JSONata value', async () => {
    const { engine } = makeEngine();
    const def = jsonata('ProvideTestData', {
      ProvideTestData: {
        Type: 'Pass',
        Assign: {
          coords: {
            'x-datum': 0.381018,
            'y-datum': 622.2269926397355,
            additional: '{% $exists($states.input.moreData) ? $states.input.moreData : {} %}',
          },
        },
        Next: 'End',
      },
      End: { Type: 'Succeed', Output: '{% $coords %}' },
    });
    expect((await run(engine, def, {})).output).toEqual({ 'x-datum': 0.381018, 'y-datum': 622.2269926397355, additional: {} });
    expect((await run(engine, def, { moreData: { a: 1 } })).output).toMatchObject({ additional: { a: 1 } });
  });
});

describe('$states.context', () => {
  it('carries Execution, State and StateMachine fields, and no Task outside callback tasks', async () => {
    const { engine } = makeEngine();
    const { stateMachineArn } = engine.createStateMachine({
      name: 'ctx',
      definition: jsonata('Look', { Look: { Type: 'Pass', Output: '{% $states.context %}', End: true } }),
      roleArn: 'arn:aws:iam::123456789012:role/r',
    });
    const { executionArn } = engine.startExecution({ stateMachineArn, name: 'call-1', input: '{"a":1}' });
    const info = await engine.waitForExecution(executionArn);
    const ctx = info.output as Record<string, any>;
    expect(ctx.Execution).toEqual({
      Id: executionArn,
      Name: 'call-1',
      StartTime: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      Input: { a: 1 },
      RoleArn: 'arn:aws:iam::123456789012:role/r',
      RedriveCount: 0,
    });
    expect(ctx.State).toEqual({ Name: 'Look', EnteredTime: expect.any(String), RetryCount: 0 });
    expect(ctx.StateMachine).toEqual({ Id: stateMachineArn, Name: 'ctx' });
    expect(ctx.Task).toBeUndefined();
    // Timestamps come from the injected clock (its origin is 2025-01-01), not from the wall clock.
    expect(ctx.Execution.StartTime.startsWith('2025-01-0')).toBe(true);
  });
});

describe('Step Functions JSONata functions', () => {
  const evalOutput = async (Output: unknown, input: unknown = {}) => {
    const { engine, clock } = makeEngine();
    const info = await run(engine, jsonata('F', { F: { Type: 'Pass', Output, End: true } }), input);
    return { info, clock };
  };

  it('$partition (spec ArrayPartition example) and $range (spec ArrayRange example)', async () => {
    const { info } = await evalOutput(
      { p: '{% $partition($states.input.inputArray, 4) %}', r: '{% $range(1, 9, 2) %}', down: '{% $range(3, 1, -1) %}' },
      { inputArray: [1, 2, 3, 4, 5, 6, 7, 8, 9] },
    );
    expect(info.output).toEqual({ p: [[1, 2, 3, 4], [5, 6, 7, 8], [9]], r: [1, 3, 5, 7, 9], down: [3, 2, 1] });
  });

  it('$hash (spec States.Hash example data) and $parse (spec StringToJson example)', async () => {
    const { info } = await evalOutput(
      {
        h: '{% $hash($states.input.Data, $states.input.Algorithm) %}',
        j: '{% $parse($states.input.someString) %}',
        md5: "{% $hash('abc', 'MD5') %}",
      },
      { Data: 'input data', Algorithm: 'SHA-1', someString: '{"number": 20}' },
    );
    // The spec's printed digest drops one digit ("...d7485e8..."); this is SHA-1("input data").
    expect(info.output).toEqual({
      h: 'aaff4a450a104cd177d28d18d74485e8cae074b7',
      j: { number: 20 },
      md5: '900150983cd24fb0d6963f7d28e17f72',
    });
  });

  it('$random with a seed is repeatable, without one is in [0, 1); $uuid is a v4 UUID', async () => {
    const { info } = await evalOutput({
      a: "{% $random('seed-1') %}",
      b: "{% $random('seed-1') %}",
      c: "{% $random('seed-2') %}",
      r: '{% $random() %}',
      u: '{% $uuid() %}',
    });
    const o = info.output as Record<string, any>;
    expect(o.a).toBe(o.b);
    expect(o.a).not.toBe(o.c);
    expect(o.r).toBeGreaterThanOrEqual(0);
    expect(o.r).toBeLessThan(1);
    expect(o.u).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('a workflow variable named like a function shadows it in that execution only; a seeded execution has its own $random', async () => {
    // The functions live in each compiled expression's environment, shared by every execution (jsonata-eval.ts).
    const { engine } = makeEngine({ seed: 7 });
    const use = {
      Type: 'Pass',
      Output: { hash: "{% $type($hash) = 'function' ? $hash('abc', 'MD5') : $hash %}", r: '{% $random() %}' },
      End: true,
    };
    const shadowed = await run(engine, jsonata('Init', { Init: { Type: 'Pass', Assign: { hash: 'mine' }, Next: 'Use' }, Use: use }));
    const plain = await run(engine, jsonata('Init', { Init: { Type: 'Pass', Next: 'Use' }, Use: use }));
    expect((shadowed.output as Record<string, unknown>).hash).toBe('mine');
    expect((plain.output as Record<string, unknown>).hash).toBe('900150983cd24fb0d6963f7d28e17f72');
    expect((shadowed.output as Record<string, unknown>).r).not.toBe((plain.output as Record<string, unknown>).r);
  });

  it('variables used only inside a lambda, a block or a path predicate are seen (only the names an expression uses are bound)', async () => {
    const { engine } = makeEngine();
    const info = await run(
      engine,
      jsonata('Init', {
        Init: { Type: 'Pass', Assign: { k: 3, limit: 2, items: [{ n: 1 }, { n: 2 }, { n: 3 }], random: 'a variable' }, Next: 'Use' },
        Use: {
          Type: 'Pass',
          Output: {
            mapped: '{% $map([1, 2], function($v) { $v * $k }) %}',
            block: '{% ($local := $k + 1; $local * $limit) %}',
            filtered: '{% $count($items[n <= $limit]) %}',
            shadowed: '{% $random %}',
          },
          End: true,
        },
      }),
    );
    expect(info.output).toEqual({ mapped: [3, 6], block: 8, filtered: 2, shadowed: 'a variable' });
  });

  it('$now() and $millis() read the injected clock', async () => {
    const { engine, clock } = makeEngine();
    const before = clock.nowMs();
    const info = await run(
      engine,
      jsonata('F', { F: { Type: 'Pass', Output: { now: '{% $now() %}', ms: '{% $millis() %}', y: "{% $now('[Y0001]') %}" }, End: true } }),
    );
    const after = clock.nowMs();
    const o = info.output as { now: string; ms: number; y: string };
    expect(o.ms).toBeGreaterThanOrEqual(before);
    expect(o.ms).toBeLessThanOrEqual(after);
    expect(Date.parse(o.now)).toBeGreaterThanOrEqual(before);
    expect(Date.parse(o.now)).toBeLessThanOrEqual(after);
    expect(o.y).toBe(new Date(o.ms).getUTCFullYear().toString());
    expect(Math.abs(o.ms - Date.now())).toBeGreaterThan(24 * 3600 * 1000); // not the wall clock
  });
});

describe('JSONata errors are States.QueryEvaluationError', () => {
  it.each([
    ['an undefined result', '{% $states.input.thisFieldDoesNotExist %}', /returned nothing \(undefined\)/],
    [
      'a type error',
      '{% $states.input.name + 1 %}',
      /threw an error during evaluation\. T2001: The left side of the "\+" operator must evaluate to a number$/,
    ],
    ['$eval, unavailable in Step Functions', "{% $eval('1') %}", /\$eval is not available/],
    ['a function result', '{% function($x) { $x } %}', /not JSON/],
  ])('%s fails the execution with a cause naming state, expression and field', async (_what, expr, cause) => {
    const { engine } = makeEngine();
    const info = await run(engine, jsonata('Calc', { Calc: { Type: 'Pass', Output: { v: expr }, End: true } }), { name: 'x' });
    expect(info.status).toBe('FAILED');
    expect(info.error).toBe('States.QueryEvaluationError');
    expect(info.cause).toMatch(cause);
    expect(info.cause).toMatch(/executing the state 'Calc' \(entered at the event id #2\)/);
    expect(info.cause).toMatch(/specified for the field 'Output\/v'/);
    expect(types(info.history)).toEqual(['ExecutionStarted', 'PassStateEntered', 'EvaluationFailed', 'ExecutionFailed']);
    expect(info.history[2].evaluationFailedEventDetails).toMatchObject({
      state: 'Calc',
      location: 'Output/v',
      error: 'States.QueryEvaluationError',
    });
  });

  it('is catchable in a Task (spec: Task states MAY catch it); $states.errorOutput carries Error and Cause', async () => {
    const invoker = new FakeInvoker().on('s3:headObject', () => ({}));
    const { engine } = makeEngine({ invoker });
    const info = await run(
      engine,
      jsonata('T', {
        T: {
          Type: 'Task',
          Resource: TASK,
          Arguments: { Key: '{% $states.input.missing %}' },
          Catch: [{ ErrorEquals: ['States.QueryEvaluationError'], Output: '{% $states.errorOutput %}', Next: 'Handled' }],
          End: true,
        },
        Handled: { Type: 'Succeed' },
      }),
    );
    expect(info.status).toBe('SUCCEEDED');
    expect(info.output).toMatchObject({ Error: 'States.QueryEvaluationError', Cause: expect.stringMatching(/field 'Arguments\/Key'/) });
    expect(invoker.calls).toHaveLength(0);
  });
});
