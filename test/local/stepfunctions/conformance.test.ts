/**
 * Conformance of the twin with what AWS Step Functions documents or has recorded. Each test names its
 * source:
 * - AWS docs pages (docs.aws.amazon.com/step-functions/...);
 * - executions recorded on real AWS: this project's conformance check, and the GetExecutionHistory
 *   snapshots that localstack/localstack records against AWS (tests/aws/services/stepfunctions/v2/
 *   .../*.snapshot.json, "recorded-date"), cited by file and test name. Values AWS redacts there
 *   (request ids, ARNs) are ours.
 * Where AWS's wording is not known (the value checks of Seconds, TimeoutSeconds, HeartbeatSeconds,
 * Condition, Fail Error/Cause) the last block asserts the AWS *path* (EvaluationFailed, then
 * ExecutionFailed with States.QueryEvaluationError and AWS's opening sentence), not the words.
 */
import { AwsSdkInvoker } from '../../../local/stepfunctions/aws-sdk-invoker';
import type { HistoryEventRecord } from '../../../local/stepfunctions/history';
import { CALLBACK, FakeInvoker, TASK, jsonata, makeEngine, run, start, until } from './helpers';
import { stub } from './http-stub';

/** [id, previousEventId, type] of each event: the shape AWS histories are compared in. */
const chain = (history: HistoryEventRecord[]) => history.map((e) => [e.id, e.previousEventId, e.type]);

describe('JSONata functions of Step Functions', () => {
  // Source: AWS docs, "Transforming data with JSONata in Step Functions", section "JSONata functions
  // provided by Step Functions" (docs.aws.amazon.com/step-functions/latest/dg/transforming-data.html):
  // $partition([1,2,3,4,5,6,7,8,9], 3) and $range(0, 10, 2) examples.
  it('documented examples: $partition chunks an array, $range counts with a step', async () => {
    const { engine } = makeEngine();
    const info = await run(
      engine,
      jsonata('F', {
        F: { Type: 'Pass', Output: { p: '{% $partition([1,2,3,4,5,6,7,8,9], 3) %}', r: '{% $range(0, 10, 2) %}' }, End: true },
      }),
    );
    expect(info.output).toEqual({
      p: [
        [1, 2, 3],
        [4, 5, 6],
        [7, 8, 9],
      ],
      r: [0, 2, 4, 6, 8, 10],
    });
  });

  // Source: recorded on AWS, localstack tests/aws/services/stepfunctions/v2/intrinsic_functions/
  // test_array_jsonata.snapshot.json, test_array_range (recorded 15-11-2024): $range(1, 9, 9) gives
  // the output "1"; $range(0, 9, 3) "[0,3,6,9]". test_array_partition (same file): $partition([0], 1)
  // gives "[[0]]" and $partition([0,1,2,3], 4) "[[0,1,2,3]]": a one-chunk partition stays nested.
  it.each([
    ['$range(1, 9, 9)', 1],
    ['$range(0, 9, 3)', [0, 3, 6, 9]],
    ['$range(0, 10, 3)', [0, 3, 6, 9]],
    ['$partition([0], 1)', [[0]]],
    ['$partition([0, 1, 2, 3], 4)', [[0, 1, 2, 3]]],
    ['$partition([0, 1, 2, 3], 3)', [[0, 1, 2], [3]]],
  ])('recorded on AWS: %s is %j as the whole output', async (expr, expected) => {
    const { engine } = makeEngine();
    const info = await run(engine, jsonata('State_0', { State_0: { Type: 'Pass', Output: `{% ${expr} %}`, End: true } }));
    expect(info.status).toBe('SUCCEEDED');
    expect(info.output).toEqual(expected);
    expect(info.history[2].stateExitedEventDetails).toMatchObject({ output: JSON.stringify(expected) });
  });
});

describe('JSONata runtime errors', () => {
  // Source: recorded on AWS (this project's conformance check): the cause reads "... threw an error
  // during evaluation. T1006: Attempted to invoke a non-function", no code/position suffix.
  it('cause: "... threw an error during evaluation. T1006: Attempted to invoke a non-function"', async () => {
    const { engine } = makeEngine();
    const info = await run(engine, jsonata('Calc', { Calc: { Type: 'Pass', Output: '{% $states.input.name() %}', End: true } }), {
      name: 'x',
    });
    const cause =
      "An error occurred while executing the state 'Calc' (entered at the event id #2). " +
      "The JSONata expression '$states.input.name()' specified for the field 'Output' threw an error during evaluation. T1006: Attempted to invoke a non-function";
    expect(info).toMatchObject({ status: 'FAILED', error: 'States.QueryEvaluationError', cause });
    expect(chain(info.history)).toEqual([
      [1, 0, 'ExecutionStarted'],
      [2, 0, 'PassStateEntered'],
      [3, 2, 'EvaluationFailed'],
      [4, 3, 'ExecutionFailed'],
    ]);
    expect(info.history[2].evaluationFailedEventDetails).toEqual({
      error: 'States.QueryEvaluationError',
      cause,
      location: 'Output',
      state: 'Calc',
    });
  });
});

describe('Wait Timestamp that is not a timestamp', () => {
  // Source: recorded on AWS (this project's conformance check): EvaluationFailed before
  // ExecutionFailed, error States.QueryEvaluationError, cause "An error occurred while executing the
  // state 'WaitState' (entered at the event id #2). The Timestamp field cannot be parsed as an
  // ISO-8601 extended offset date-time format string: <value>".
  it("records EvaluationFailed and fails with AWS's cause", async () => {
    const { engine } = makeEngine();
    const info = await run(engine, jsonata('WaitState', { WaitState: { Type: 'Wait', Timestamp: '{% $states.input.at %}', End: true } }), {
      at: 'next tuesday',
    });
    const cause =
      "An error occurred while executing the state 'WaitState' (entered at the event id #2). " +
      'The Timestamp field cannot be parsed as an ISO-8601 extended offset date-time format string: next tuesday';
    expect(info).toMatchObject({ status: 'FAILED', error: 'States.QueryEvaluationError', cause });
    expect(chain(info.history)).toEqual([
      [1, 0, 'ExecutionStarted'],
      [2, 0, 'WaitStateEntered'],
      [3, 2, 'EvaluationFailed'],
      [4, 3, 'ExecutionFailed'],
    ]);
    expect(info.history[2].evaluationFailedEventDetails).toEqual({
      error: 'States.QueryEvaluationError',
      cause,
      location: 'Timestamp',
      state: 'WaitState',
    });
    expect(info.history[3].executionFailedEventDetails).toEqual({ error: 'States.QueryEvaluationError', cause });
  });
});

describe('previousEventId', () => {
  // Source: recorded on AWS, localstack tests/aws/services/stepfunctions/v2/base/test_wait.snapshot.json,
  // test_wait_timestamppath[Z] (recorded 11-12-2023): ExecutionStarted 1/0, WaitStateEntered 2/0,
  // WaitStateExited 3/2, ExecutionSucceeded 4/3.
  it("a Wait state: the first state's Entered points at 0, like ExecutionStarted", async () => {
    const { engine } = makeEngine();
    const info = await run(engine, jsonata('State_1', { State_1: { Type: 'Wait', Seconds: 1, End: true } }));
    expect(chain(info.history)).toEqual([
      [1, 0, 'ExecutionStarted'],
      [2, 0, 'WaitStateEntered'],
      [3, 2, 'WaitStateExited'],
      [4, 3, 'ExecutionSucceeded'],
    ]);
  });

  // Source: recorded on AWS, localstack tests/aws/services/stepfunctions/v2/callback/
  // test_callback.snapshot.json, test_sqs_wait_for_task_token (recorded 25-06-2023): TaskStateEntered
  // 2/0, TaskScheduled 3/2, TaskStarted 4/3, TaskSubmitted 5/4, TaskSucceeded 6/5, TaskStateExited
  // 7/6, ExecutionSucceeded 8/7.
  it('a callback task: Scheduled -> Entered, Started -> Scheduled, Submitted/Succeeded -> the event before', async () => {
    const invoker = new FakeInvoker().on('chimesdkvoice:updateSipMediaApplicationCall', () => ({}));
    const { engine } = makeEngine({ invoker });
    const { executionArn } = start(
      engine,
      jsonata('SendMessageWithWait', {
        SendMessageWithWait: { Type: 'Task', Resource: CALLBACK, Arguments: { token: '{% $states.context.Task.Token %}' }, End: true },
      }),
    );
    await until(() => engine.getExecution(executionArn).history.some((e) => e.type === 'TaskSubmitted'));
    engine.sendTaskSuccess({ taskToken: (invoker.calls[0].args as { token: string }).token, output: '"test_message_txt"' });
    const info = await engine.waitForExecution(executionArn);
    expect(chain(info.history)).toEqual([
      [1, 0, 'ExecutionStarted'],
      [2, 0, 'TaskStateEntered'],
      [3, 2, 'TaskScheduled'],
      [4, 3, 'TaskStarted'],
      [5, 4, 'TaskSubmitted'],
      [6, 5, 'TaskSucceeded'],
      [7, 6, 'TaskStateExited'],
      [8, 7, 'ExecutionSucceeded'],
    ]);
  });

  // Source: recorded on AWS, localstack tests/aws/services/stepfunctions/v2/error_handling/
  // test_aws_sdk.snapshot.json, test_dynamodb_invalid_param (recorded 27-07-2023): TaskFailed 5/4,
  // ExecutionFailed 6/5.
  it('an uncaught task failure: ExecutionFailed points at TaskFailed', async () => {
    const invoker = new FakeInvoker().failThen('s3:headObject', ['S3.S3Exception', 'S3.S3Exception']);
    const { engine } = makeEngine({ invoker });
    const info = await run(engine, jsonata('PutItem', { PutItem: { Type: 'Task', Resource: TASK, End: true } }));
    expect(chain(info.history)).toEqual([
      [1, 0, 'ExecutionStarted'],
      [2, 0, 'TaskStateEntered'],
      [3, 2, 'TaskScheduled'],
      [4, 3, 'TaskStarted'],
      [5, 4, 'TaskFailed'],
      [6, 5, 'ExecutionFailed'],
    ]);
  });
});

describe('aws-sdk task errors carry the service response details', () => {
  // Source: recorded on AWS, localstack tests/aws/services/stepfunctions/v2/error_handling/
  // test_aws_sdk.snapshot.json, test_no_such_bucket (recorded 22-06-2023): aws-sdk:s3 listObjects on a
  // missing bucket, caught into a Pass state: TaskFailed {error "S3.NoSuchBucketException", cause "The
  // specified bucket does not exist (Service: S3, Status Code: 404, Request ID: <request_id>, Extended
  // Request ID: <extended_request_id>)"}, and the history chain 1/0 .. 9/8 below.
  it('S3 NoSuchBucket through Catch: error, cause and history as recorded on AWS', async () => {
    const s3 = await stub((_req, res) => {
      res
        .writeHead(404, { 'content-type': 'application/xml', 'x-amz-request-id': 'REQ123', 'x-amz-id-2': 'EXT/456=' })
        .end(
          '<?xml version="1.0" encoding="UTF-8"?><Error><Code>NoSuchBucket</Code><Message>The specified bucket does not exist</Message><BucketName>someNonexistentBucketName</BucketName></Error>',
        );
    });
    try {
      const invoker = new AwsSdkInvoker({ endpoints: { s3: s3.endpoint }, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
      const { engine } = makeEngine({ invoker });
      const info = await run(
        engine,
        jsonata('CreateSecret', {
          CreateSecret: {
            Type: 'Task',
            Resource: 'arn:aws:states:::aws-sdk:s3:listObjects',
            Arguments: { Bucket: '{% $states.input.Bucket %}' },
            Catch: [
              {
                ErrorEquals: ['States.ALL'],
                Output: '{% $merge([$states.input, {"TaskFailedError": $states.errorOutput}]) %}',
                Next: 'TaskFailedHandler',
              },
            ],
            End: true,
          },
          TaskFailedHandler: { Type: 'Pass', End: true },
        }),
        { Bucket: 'someNonexistentBucketName' },
      );
      const cause =
        'The specified bucket does not exist (Service: S3, Status Code: 404, Request ID: REQ123, Extended Request ID: EXT/456=)';
      expect(info.history[4].taskFailedEventDetails).toEqual({
        resourceType: 'aws-sdk:s3',
        resource: 'listObjects',
        error: 'S3.NoSuchBucketException',
        cause,
      });
      expect(info.output).toEqual({
        Bucket: 'someNonexistentBucketName',
        TaskFailedError: { Error: 'S3.NoSuchBucketException', Cause: cause },
      });
      expect(chain(info.history)).toEqual([
        [1, 0, 'ExecutionStarted'],
        [2, 0, 'TaskStateEntered'],
        [3, 2, 'TaskScheduled'],
        [4, 3, 'TaskStarted'],
        [5, 4, 'TaskFailed'],
        [6, 5, 'TaskStateExited'],
        [7, 6, 'PassStateEntered'],
        [8, 7, 'PassStateExited'],
        [9, 8, 'ExecutionSucceeded'],
      ]);
    } finally {
      await s3.close();
    }
  });

  // Source: the same file, test_invalid_secret_name / test_dynamodb_invalid_param: services other than
  // S3 end after the Request ID ("(Service: SecretsManager, Status Code: 400, Request ID: <request_id>)").
  it('a JSON service without an extended request id ends after Request ID', async () => {
    const chime = await stub((_req, res) => {
      res
        .writeHead(404, { 'content-type': 'application/json', 'x-amzn-errortype': 'NotFoundException', 'x-amzn-requestid': 'abc-123' })
        .end(JSON.stringify({ Message: 'The call is no longer active' }));
    });
    try {
      const invoker = new AwsSdkInvoker({
        endpoints: { chimesdkvoice: chime.endpoint },
        credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      });
      const err = await invoker
        .invoke({
          service: 'chimesdkvoice',
          action: 'updateSipMediaApplicationCall',
          args: { SipMediaApplicationId: 'sma', TransactionId: 'gone', Arguments: {} },
          signal: new AbortController().signal,
        })
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      expect(err).toMatchObject({
        error: 'ChimeSdkVoice.NotFoundException',
        cause: 'The call is no longer active (Service: ChimeSdkVoice, Status Code: 404, Request ID: abc-123)',
      });
    } finally {
      await chime.close();
    }
  });
});

describe('fields of the wrong type take the Timestamp path (AWS wording not recorded)', () => {
  const prefix = (state: string) => `An error occurred while executing the state '${state}' (entered at the event id #2). `;

  it.each([
    ['Wait Seconds', { Type: 'Wait', Seconds: '{% $states.input.v %}', End: true }, -1, 'Seconds'],
    ['Task TimeoutSeconds', { Type: 'Task', Resource: TASK, TimeoutSeconds: '{% $states.input.v %}', End: true }, 0, 'TimeoutSeconds'],
    [
      'Task HeartbeatSeconds',
      { Type: 'Task', Resource: CALLBACK, HeartbeatSeconds: '{% $states.input.v %}', End: true },
      'ten',
      'HeartbeatSeconds',
    ],
    [
      'Choice Condition',
      { Type: 'Choice', Choices: [{ Condition: '{% $states.input.v %}', Next: 'S' }], Default: 'S' },
      'yes',
      'Choices[0]/Condition',
    ],
    ['Fail Error', { Type: 'Fail', Error: '{% $states.input.v %}' }, 42, 'Error'],
    ['Fail Cause', { Type: 'Fail', Cause: '{% $states.input.v %}' }, { a: 1 }, 'Cause'],
  ] as Array<[string, Record<string, unknown>, unknown, string]>)(
    '%s: EvaluationFailed at its field, then ExecutionFailed with States.QueryEvaluationError',
    async (_what, state, v, location) => {
      const { engine, invoker } = makeEngine();
      const states: Record<string, unknown> = state.Type === 'Choice' ? { X: state, S: { Type: 'Succeed' } } : { X: state };
      const info = await run(engine, jsonata('X', states), { v });
      expect(info.status).toBe('FAILED');
      expect(info.error).toBe('States.QueryEvaluationError');
      expect(info.cause?.startsWith(prefix('X'))).toBe(true);
      expect(info.cause?.endsWith(`: ${typeof v === 'string' ? v : JSON.stringify(v)}`)).toBe(true);
      expect(info.history.map((e) => e.type).slice(-2)).toEqual(['EvaluationFailed', 'ExecutionFailed']);
      expect(info.history.at(-2)!.evaluationFailedEventDetails).toEqual({
        error: 'States.QueryEvaluationError',
        cause: info.cause,
        location,
        state: 'X',
      });
      expect((invoker as FakeInvoker).calls).toHaveLength(0); // a Task fails before it is scheduled
    },
  );
});
