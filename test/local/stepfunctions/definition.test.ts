/** CreateStateMachine-time validation: what the twin refuses, and how clearly. */
import type { SfnApiError } from '../../../local/stepfunctions/errors';
import { makeEngine, jsonata, TASK } from './helpers';

function createError(definition: unknown): SfnApiError {
  const { engine } = makeEngine();
  try {
    engine.createStateMachine({ name: 'x', definition: definition as object });
  } catch (e) {
    return e as SfnApiError;
  }
  throw new Error('expected CreateStateMachine to fail');
}

describe('definition validation', () => {
  it('accepts a valid JSONata machine and keeps the definition text', () => {
    const { engine } = makeEngine();
    const text = JSON.stringify(jsonata('A', { A: { Type: 'Pass', End: true } }));
    const { stateMachineArn } = engine.createStateMachine({ name: 'ok', definition: text });
    expect(stateMachineArn).toBe('arn:aws:states:us-east-1:123456789012:stateMachine:ok');
    expect(engine.describeStateMachine({ stateMachineArn }).definition).toBe(text);
  });

  it('refuses a JSONPath machine (no QueryLanguage), naming the state', () => {
    const e = createError({ StartAt: 'Hello World', States: { 'Hello World': { Type: 'Pass', End: true } } });
    expect(e.name).toBe('InvalidDefinition');
    expect(e.message).toMatch(/State "Hello World" uses the JSONPath query language/);
    expect(e.message).toMatch(/at \/States\/Hello World\/QueryLanguage/);
  });

  it('refuses a state that overrides to JSONPath, and accepts per-state JSONata under a JSONPath top level', () => {
    const e = createError(jsonata('A', { A: { Type: 'Pass', QueryLanguage: 'JSONPath', End: true } }));
    expect(e.message).toMatch(/State "A" uses the JSONPath query language/);
    const { engine } = makeEngine();
    // Spec "Query Languages" example shape: the JSONata state overrides the machine's language.
    expect(() =>
      engine.createStateMachine({
        name: 'mixed',
        definition: {
          StartAt: 'J',
          States: { J: { Type: 'Pass', QueryLanguage: 'JSONata', Output: { total: '{% $states.input.transaction.total %}' }, End: true } },
        },
      }),
    ).not.toThrow();
  });

  it.each(['Map', 'Parallel'])('refuses %s states as unsupported by the local twin', (type) => {
    const e = createError(jsonata('P', { P: { Type: type, End: true } }));
    expect(e.name).toBe('InvalidDefinition');
    expect(e.message).toMatch(new RegExp(`State "P" is a ${type} state, which is unsupported by the local twin`));
  });

  it('refuses a missing StartAt target and missing Next/Default/Catch targets', () => {
    expect(createError(jsonata('Nope', { A: { Type: 'Pass', End: true } })).message).toMatch(
      /MISSING_TRANSITION_TARGET: Missing 'StartAt' target: Nope/,
    );
    expect(createError(jsonata('A', { A: { Type: 'Pass', Next: 'B' } })).message).toMatch(/Missing 'Next' target: B at \/States\/A\/Next/);
    expect(createError(jsonata('A', { A: { Type: 'Choice', Choices: [{ Condition: true, Next: 'A' }], Default: 'Z' } })).message).toMatch(
      /Missing 'Default' target: Z/,
    );
    const e = createError(
      jsonata('T', { T: { Type: 'Task', Resource: TASK, Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Gone' }], End: true } }),
    );
    expect(e.message).toMatch(/Missing 'Next' target: Gone at \/States\/T\/Catch\[0\]\/Next/);
  });

  it('refuses unknown fields, JSONPath-only fields and unknown types', () => {
    expect(createError(jsonata('A', { A: { Type: 'Pass', Foo: 1, End: true } })).message).toMatch(
      /Field "Foo" is not supported for Pass states/,
    );
    expect(createError(jsonata('A', { A: { Type: 'Pass', ResultPath: '$.x', End: true } })).message).toMatch(
      /Field "ResultPath" is not supported in a JSONata state/,
    );
    expect(createError(jsonata('A', { A: { Type: 'Teleport', End: true } })).message).toMatch(/unknown Type "Teleport"/);
    expect(createError({ ...jsonata('A', { A: { Type: 'Pass', End: true } }), Extra: true }).message).toMatch(
      /Field "Extra" is not supported/,
    );
  });

  it('refuses States.ALL that is not alone or not last (Retry and Catch)', () => {
    const notAlone = createError(
      jsonata('T', { T: { Type: 'Task', Resource: TASK, Retry: [{ ErrorEquals: ['States.ALL', 'X'] }], End: true } }),
    );
    expect(notAlone.message).toMatch(/States.ALL must appear alone/);
    const notLast = createError(
      jsonata('T', {
        T: {
          Type: 'Task',
          Resource: TASK,
          Catch: [
            { ErrorEquals: ['States.ALL'], Next: 'E' },
            { ErrorEquals: ['X'], Next: 'E' },
          ],
          End: true,
        },
        E: { Type: 'Succeed' },
      }),
    );
    expect(notLast.message).toMatch(/States.ALL must appear in the last element at \/States\/T\/Catch\[0\]\/ErrorEquals/);
  });

  it('refuses invalid retrier parameters', () => {
    const e = createError(
      jsonata('T', {
        T: {
          Type: 'Task',
          Resource: TASK,
          Retry: [{ ErrorEquals: ['X'], IntervalSeconds: 0, BackoffRate: 0.5, JitterStrategy: 'SAMPLE', MaxAttempts: -1 }],
          End: true,
        },
      }),
    );
    expect(e.message).toMatch(/IntervalSeconds must be a positive integer/);
    expect(e.message).toMatch(/BackoffRate must be a number >= 1.0/);
    expect(e.message).toMatch(/JitterStrategy must be "FULL" or "NONE"/);
    expect(e.message).toMatch(/MaxAttempts must be a non-negative integer/);
  });

  it('refuses resources other than aws-sdk integrations', () => {
    for (const Resource of [
      'arn:aws:lambda:us-east-1:123456789012:function:HelloWorld',
      'arn:aws:states:::lambda:invoke',
      'arn:aws:states:::aws-sdk:s3:getObject.sync',
    ]) {
      expect(createError(jsonata('T', { T: { Type: 'Task', Resource, End: true } })).message).toMatch(/is unsupported by the local twin/);
    }
  });

  it('refuses JSONata syntax errors, bad variable names, Next+End, HeartbeatSeconds >= TimeoutSeconds', () => {
    expect(createError(jsonata('A', { A: { Type: 'Pass', Output: '{% $states.input. %}', End: true } })).message).toMatch(
      /The JSONata expression .* is invalid/,
    );
    expect(createError(jsonata('A', { A: { Type: 'Pass', Assign: { states: 1 }, End: true } })).message).toMatch(/"states" is reserved/);
    expect(createError(jsonata('A', { A: { Type: 'Pass', Assign: { '1x': 1 }, End: true } })).message).toMatch(
      /Invalid variable name "1x"/,
    );
    expect(createError(jsonata('A', { A: { Type: 'Pass', Next: 'A', End: true } })).message).toMatch(/exactly one of "Next" or "End"/);
    expect(
      createError(jsonata('T', { T: { Type: 'Task', Resource: TASK, TimeoutSeconds: 10, HeartbeatSeconds: 10, End: true } })).message,
    ).toMatch(/HeartbeatSeconds must be smaller than TimeoutSeconds/);
  });

  it.each([
    ['$', '{% $ %}', "'$'"],
    ['$$', '{% $$.name %}', "'$$'"],
    ['a bare field name', '{% name %}', "'name'"],
    ["JSONata's missing undefined literal", '{% $states.input.x ? 1 : undefined %}', "'undefined'"],
  ])('refuses a top-level reference to %s, as AWS does (UNSUPPORTED_JSONATA_EXPRESSION)', (_what, expr, named) => {
    const message = createError(jsonata('A', { A: { Type: 'Pass', Output: expr, End: true } })).message;
    expect(message).toContain(`Reference to ${named} at the top level is not supported`);
  });

  it('accepts names inside path steps and predicates ($states.input.a, $x[b > 1])', () => {
    const { engine } = makeEngine();
    expect(() =>
      engine.createStateMachine({
        name: 'ok',
        definition: jsonata('A', { A: { Type: 'Pass', Output: '{% $states.input.items[price > 1].name %}', End: true } }),
      }),
    ).not.toThrow();
  });

  it('refuses unreachable states and a Wait with both Seconds and Timestamp', () => {
    expect(createError(jsonata('A', { A: { Type: 'Succeed' }, B: { Type: 'Succeed' } })).message).toMatch(
      /UNREACHABLE_STATE: State "B" is not reachable/,
    );
    expect(createError(jsonata('W', { W: { Type: 'Wait', Seconds: 1, Timestamp: '2016-03-14T01:59:00Z', End: true } })).message).toMatch(
      /exactly one of "Seconds" or "Timestamp"/,
    );
    expect(createError(jsonata('W', { W: { Type: 'Wait', Timestamp: '2016-03-14 01:59:00', End: true } })).message).toMatch(/RFC 3339/);
  });

  it('is idempotent for the same definition and conflicts for a different one', () => {
    const { engine } = makeEngine();
    const def = jsonata('A', { A: { Type: 'Pass', End: true } });
    const a = engine.createStateMachine({ name: 'same', definition: def });
    expect(engine.createStateMachine({ name: 'same', definition: def }).stateMachineArn).toBe(a.stateMachineArn);
    expect(() => engine.createStateMachine({ name: 'same', definition: jsonata('B', { B: { Type: 'Succeed' } }) })).toThrow(
      expect.objectContaining({ name: 'StateMachineAlreadyExists' }),
    );
    expect(() => engine.createStateMachine({ name: 'bad name', definition: def })).toThrow(
      expect.objectContaining({ name: 'InvalidName' }),
    );
    expect(() => engine.createStateMachine({ name: 'express', definition: def, type: 'EXPRESS' })).toThrow(
      expect.objectContaining({ name: 'ValidationException' }),
    );
  });

  it('reports invalid JSON as InvalidDefinition', () => {
    expect(createError('{ not json').message).toMatch(/INVALID_JSON_DESCRIPTION/);
  });
});
