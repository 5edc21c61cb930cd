/** The HTTP server, driven only through the real @aws-sdk/client-sfn (and raw HTTP for protocol errors). */
import {
  CreateStateMachineCommand,
  DescribeExecutionCommand,
  DescribeStateMachineCommand,
  ExecutionAlreadyExists,
  ExecutionDoesNotExist,
  GetExecutionHistoryCommand,
  InvalidArn,
  InvalidDefinition,
  InvalidName,
  InvalidToken,
  ListExecutionsCommand,
  ListStateMachinesCommand,
  RedriveExecutionCommand,
  SFNClient,
  SendTaskFailureCommand,
  SendTaskHeartbeatCommand,
  SendTaskSuccessCommand,
  StartExecutionCommand,
  StateMachineDoesNotExist,
  StopExecutionCommand,
  TaskDoesNotExist,
  TaskTimedOut,
  type HistoryEvent,
} from '@aws-sdk/client-sfn';
import { startStepFunctionsServer, type StepFunctionsServer } from '../../../local/stepfunctions/server';
import type { StepFunctionsEngine } from '../../../local/stepfunctions/engine';
import { CALLBACK, FakeInvoker, makeEngine, jsonata, until, TASK } from './helpers';

const ROLE = 'arn:aws:iam::123456789012:role/workflow';

const callbackDef = jsonata('StartRecording', {
  StartRecording: {
    Type: 'Task',
    Resource: CALLBACK,
    Arguments: {
      SipMediaApplicationId: 'sma',
      TransactionId: '{% $states.input.tx %}',
      Arguments: { taskToken: '{% $states.context.Task.Token %}' },
    },
    TimeoutSeconds: '{% $states.input.timeout %}',
    Retry: [{ ErrorEquals: ['SystemException'], IntervalSeconds: 1, MaxAttempts: 2 }],
    Output: '{% $states.result %}',
    End: true,
  },
});

describe('Step Functions twin over HTTP with the real SFNClient', () => {
  let engine: StepFunctionsEngine;
  let invoker: FakeInvoker;
  let server: StepFunctionsServer;
  let sfn: SFNClient;
  let smArn: string;
  let n = 0;

  const token = (i: number) => (invoker.calls[i].args as { Arguments: { taskToken: string } }).Arguments.taskToken;
  const describe_ = (executionArn: string) => sfn.send(new DescribeExecutionCommand({ executionArn }));
  const waitClosed = async (executionArn: string) => {
    await engine.waitForExecution(executionArn);
    return describe_(executionArn);
  };
  const startCall = async (input: object) =>
    (await sfn.send(new StartExecutionCommand({ stateMachineArn: smArn, name: `call-${++n}`, input: JSON.stringify(input) })))
      .executionArn!;

  beforeAll(async () => {
    invoker = new FakeInvoker().on('chimesdkvoice:updateSipMediaApplicationCall', () => ({
      SipMediaApplicationCall: { TransactionId: 't' },
    }));
    ({ engine } = makeEngine({ invoker }));
    server = await startStepFunctionsServer({ engine, host: '127.0.0.1', port: 0 });
    sfn = new SFNClient({
      endpoint: server.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'x', secretAccessKey: 'y' },
      maxAttempts: 1,
    });
    const created = await sfn.send(
      new CreateStateMachineCommand({ name: 'recording-workflow', definition: JSON.stringify(callbackDef), roleArn: ROLE }),
    );
    smArn = created.stateMachineArn!;
    expect(created.creationDate).toBeInstanceOf(Date);
  });

  afterAll(async () => {
    engine.close();
    sfn.destroy();
    await server.close();
  });

  it('creates, describes and lists state machines', async () => {
    const d = await sfn.send(new DescribeStateMachineCommand({ stateMachineArn: smArn }));
    expect(d).toMatchObject({
      name: 'recording-workflow',
      status: 'ACTIVE',
      type: 'STANDARD',
      roleArn: ROLE,
      definition: JSON.stringify(callbackDef),
    });
    expect(d.creationDate).toBeInstanceOf(Date);
    const list = await sfn.send(new ListStateMachinesCommand({}));
    expect(list.stateMachines!.map((s) => s.stateMachineArn)).toContain(smArn);
  });

  it('maps API errors to the SDK typed exceptions', async () => {
    await expect(
      sfn.send(
        new CreateStateMachineCommand({
          name: 'jp',
          definition: JSON.stringify({ StartAt: 'A', States: { A: { Type: 'Pass', End: true } } }),
          roleArn: ROLE,
        }),
      ),
    ).rejects.toThrow(
      expect.objectContaining({ name: 'InvalidDefinition', message: expect.stringMatching(/State "A" uses the JSONPath query language/) }),
    );
    await expect(sfn.send(new CreateStateMachineCommand({ name: 'jp', definition: '{}', roleArn: ROLE }))).rejects.toBeInstanceOf(
      InvalidDefinition,
    );
    await expect(sfn.send(new StartExecutionCommand({ stateMachineArn: smArn, name: 'bad name' }))).rejects.toBeInstanceOf(InvalidName);
    await expect(sfn.send(new StartExecutionCommand({ stateMachineArn: smArn + '-gone' }))).rejects.toBeInstanceOf(
      StateMachineDoesNotExist,
    );
    await expect(sfn.send(new DescribeExecutionCommand({ executionArn: 'arn:nope' }))).rejects.toBeInstanceOf(InvalidArn);
    await expect(describe_(smArn.replace(':stateMachine:', ':execution:') + ':missing')).rejects.toBeInstanceOf(ExecutionDoesNotExist);
  });

  it('StartExecution is idempotent by name; SendTaskSuccess completes the task; timestamps are Dates', async () => {
    const input = JSON.stringify({ tx: 'tx-1', timeout: 99999999 });
    const before = invoker.calls.length;
    const first = await sfn.send(new StartExecutionCommand({ stateMachineArn: smArn, name: 'tx-1', input }));
    const again = await sfn.send(new StartExecutionCommand({ stateMachineArn: smArn, name: 'tx-1', input }));
    expect(again.executionArn).toBe(first.executionArn);
    expect(again.startDate).toEqual(first.startDate);
    await expect(
      sfn.send(new StartExecutionCommand({ stateMachineArn: smArn, name: 'tx-1', input: '{"tx":"other"}' })),
    ).rejects.toBeInstanceOf(ExecutionAlreadyExists);

    await until(() => invoker.calls.length === before + 1);
    const t = token(before);
    await sfn.send(new SendTaskHeartbeatCommand({ taskToken: t }));
    await sfn.send(
      new SendTaskSuccessCommand({
        taskToken: t,
        output: JSON.stringify({ CallRecordingDestination: { Type: 'S3', Location: 'b/k.wav' } }),
      }),
    );
    const d = await waitClosed(first.executionArn!);
    expect(d).toMatchObject({ status: 'SUCCEEDED', name: 'tx-1', stateMachineArn: smArn, input, redriveCount: 0 });
    expect(JSON.parse(d.output!)).toEqual({ CallRecordingDestination: { Type: 'S3', Location: 'b/k.wav' } });
    expect(d.startDate).toBeInstanceOf(Date);
    expect(d.stopDate!.getTime()).toBeGreaterThanOrEqual(d.startDate!.getTime());

    await expect(sfn.send(new SendTaskSuccessCommand({ taskToken: t, output: '{}' }))).rejects.toBeInstanceOf(TaskDoesNotExist);
    await expect(sfn.send(new SendTaskSuccessCommand({ taskToken: 'x'.repeat(300), output: '{}' }))).rejects.toBeInstanceOf(InvalidToken);
  });

  it('SendTaskFailure: each retry has its own TaskScheduled/TaskFailed in GetExecutionHistory; late tokens time out', async () => {
    const before = invoker.calls.length;
    const arn = await startCall({ tx: 'tx-2', timeout: 99999999 });
    for (let attempt = 0; attempt < 3; attempt++) {
      await until(() => invoker.calls.length === before + attempt + 1);
      await sfn.send(
        new SendTaskFailureCommand({ taskToken: token(before + attempt), error: 'SystemException', cause: `attempt ${attempt + 1}` }),
      );
    }
    const d = await waitClosed(arn);
    expect(d).toMatchObject({ status: 'FAILED', error: 'SystemException', cause: 'attempt 3', redriveStatus: 'REDRIVABLE' });

    const { events } = await sfn.send(new GetExecutionHistoryCommand({ executionArn: arn, maxResults: 1000 }));
    const list = events as HistoryEvent[];
    expect(list.filter((e) => e.type === 'TaskScheduled')).toHaveLength(3);
    expect(list.filter((e) => e.type === 'TaskFailed').map((e) => e.taskFailedEventDetails)).toEqual(
      [1, 2, 3].map((i) => ({
        resourceType: 'aws-sdk:chimesdkvoice',
        resource: 'updateSipMediaApplicationCall.waitForTaskToken',
        error: 'SystemException',
        cause: `attempt ${i}`,
      })),
    );
    const scheduled = list.find((e) => e.type === 'TaskScheduled')!;
    expect(scheduled.timestamp).toBeInstanceOf(Date);
    expect(scheduled.taskScheduledEventDetails).toMatchObject({ region: 'us-east-1', timeoutInSeconds: 99999999 });
    expect(list[0]).toMatchObject({ id: 1, previousEventId: 0, type: 'ExecutionStarted' });
    expect(list[list.length - 1].type).toBe('ExecutionFailed');

    // a task that times out: its token answers TaskTimedOut
    const b2 = invoker.calls.length;
    const timedOut = await startCall({ tx: 'tx-3', timeout: 1 });
    expect((await waitClosed(timedOut)).error).toBe('States.Timeout');
    await expect(sfn.send(new SendTaskSuccessCommand({ taskToken: token(b2), output: '{}' }))).rejects.toBeInstanceOf(TaskTimedOut);
  });

  it('GetExecutionHistory pages with maxResults/nextToken, in either order, with or without execution data', async () => {
    const arn = await startCall({ tx: 'tx-4', timeout: 1 });
    await waitClosed(arn);
    const all = (await sfn.send(new GetExecutionHistoryCommand({ executionArn: arn }))).events!;
    const pageThrough = async (reverseOrder: boolean) => {
      const ids: number[] = [];
      let nextToken: string | undefined;
      do {
        const page = await sfn.send(new GetExecutionHistoryCommand({ executionArn: arn, maxResults: 2, reverseOrder, nextToken }));
        expect(page.events!.length).toBeLessThanOrEqual(2);
        ids.push(...page.events!.map((e) => e.id!));
        nextToken = page.nextToken;
      } while (nextToken);
      return ids;
    };
    const forward = await pageThrough(false);
    expect(forward).toEqual(all.map((e) => e.id));
    expect(await pageThrough(true)).toEqual([...forward].reverse());

    const noData = (await sfn.send(new GetExecutionHistoryCommand({ executionArn: arn, includeExecutionData: false }))).events!;
    expect(noData[0].executionStartedEventDetails!.input).toBeUndefined();
    expect(all[0].executionStartedEventDetails!.input).toBe('{"tx":"tx-4","timeout":1}');
    await expect(sfn.send(new GetExecutionHistoryCommand({ executionArn: arn, nextToken: 'garbage' }))).rejects.toBeInstanceOf(
      InvalidToken,
    );
  });

  it('ListExecutions pages newest first and filters by status', async () => {
    const { stateMachineArn } = await sfn.send(
      new CreateStateMachineCommand({
        name: 'list-me',
        definition: JSON.stringify(jsonata('W', { W: { Type: 'Wait', Seconds: '{% $states.input.s %}', End: true } })),
        roleArn: ROLE,
      }),
    );
    const arns: string[] = [];
    for (let i = 0; i < 5; i++) {
      const s = i < 2 ? 0 : 99999;
      arns.push(
        (await sfn.send(new StartExecutionCommand({ stateMachineArn, name: `e${i}`, input: JSON.stringify({ s }) }))).executionArn!,
      );
    }
    await engine.waitForExecution(arns[0]);
    await engine.waitForExecution(arns[1]);
    const seen: string[] = [];
    let nextToken: string | undefined;
    do {
      const page = await sfn.send(new ListExecutionsCommand({ stateMachineArn, maxResults: 2, nextToken }));
      seen.push(...page.executions!.map((e) => e.name!));
      nextToken = page.nextToken;
    } while (nextToken);
    expect(seen).toEqual(['e4', 'e3', 'e2', 'e1', 'e0']);
    const running = await sfn.send(new ListExecutionsCommand({ stateMachineArn, statusFilter: 'RUNNING' }));
    expect(running.executions!.map((e) => e.name)).toEqual(['e4', 'e3', 'e2']);
    expect(running.executions![0].startDate).toBeInstanceOf(Date);

    const stop = await sfn.send(new StopExecutionCommand({ executionArn: arns[4], error: 'CallEnded', cause: 'hangup' }));
    expect(stop.stopDate).toBeInstanceOf(Date);
    expect(await describe_(arns[4])).toMatchObject({ status: 'ABORTED', error: 'CallEnded', cause: 'hangup' });
    const aborted = await sfn.send(new ListExecutionsCommand({ stateMachineArn, statusFilter: 'ABORTED' }));
    expect(aborted.executions!.map((e) => e.name)).toEqual(['e4']);
  });

  it('RedriveExecution restarts a failed execution', async () => {
    const failing = new FakeInvoker();
    let fixed = false;
    const redriveEngine = makeEngine({
      invoker: failing.on('s3:headObject', () => {
        if (!fixed) throw new Error('boom');
        return { ok: 1 };
      }),
    }).engine;
    const srv = await startStepFunctionsServer({ engine: redriveEngine });
    const client = new SFNClient({
      endpoint: srv.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'x', secretAccessKey: 'y' },
      maxAttempts: 1,
    });
    try {
      const { stateMachineArn } = await client.send(
        new CreateStateMachineCommand({
          name: 'r',
          definition: JSON.stringify(jsonata('T', { T: { Type: 'Task', Resource: TASK, End: true } })),
          roleArn: ROLE,
        }),
      );
      const { executionArn } = await client.send(new StartExecutionCommand({ stateMachineArn }));
      await redriveEngine.waitForExecution(executionArn!);
      fixed = true;
      const r = await client.send(new RedriveExecutionCommand({ executionArn }));
      expect(r.redriveDate).toBeInstanceOf(Date);
      await redriveEngine.waitForExecution(executionArn!);
      expect(await client.send(new DescribeExecutionCommand({ executionArn }))).toMatchObject({
        status: 'SUCCEEDED',
        redriveCount: 1,
        output: '{"ok":1}',
      });
    } finally {
      client.destroy();
      await srv.close();
    }
  });

  it('speaks the protocol: unknown operation, malformed JSON, wrong method', async () => {
    const post = (target: string, body: string) =>
      fetch(server.endpoint, { method: 'POST', headers: { 'x-amz-target': target, 'content-type': 'application/x-amz-json-1.0' }, body });
    const unknown = await post('AWSStepFunctions.DeleteEverything', '{}');
    expect(unknown.status).toBe(400);
    expect(unknown.headers.get('content-type')).toBe('application/x-amz-json-1.0');
    expect(await unknown.json()).toMatchObject({ __type: 'UnknownOperationException' });
    const malformed = await post('AWSStepFunctions.DescribeExecution', '{nope');
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toMatchObject({ __type: 'SerializationException' });
    const missing = await post('AWSStepFunctions.DescribeExecution', '{}');
    expect(await missing.json()).toMatchObject({ __type: 'ValidationException' });
    const get = await fetch(server.endpoint);
    expect(get.status).toBe(400);
  });
});
