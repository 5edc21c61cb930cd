/**
 * Test harness for the SMA Lambda: fixtures from test/fixtures/sma-events (see test/fixtures/sma-events/SOURCES.md), event
 * builders that change copies of them, a Powertools Logger whose output is captured as lines, a Metrics
 * instance that never prints (POWERTOOLS_METRICS_DISABLED), a mocked SFN client, and a fake Lambda context.
 */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { SFNClient, SendTaskFailureCommand, SendTaskSuccessCommand, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { DeleteObjectCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { Context } from 'aws-lambda';
import { loadConfig } from '../../lambdas/sma-handler/config';
import { createHandler } from '../../lambdas/sma-handler/handler';
import { MAX_ACTIONS, MAX_ATTRIBUTES, MAX_ATTRIBUTE_BYTES, type SmaResponse } from '../../lambdas/recording/sma-response';

// Metrics reads this when constructed: the EMF blob would otherwise be printed after every invocation.
process.env.POWERTOOLS_METRICS_DISABLED = 'true';

export const FIXTURE_DIR = path.join(__dirname, '..', 'fixtures', 'sma-events');

/** The ids every fixture shares (test/fixtures/sma-events/SOURCES.md explains where they come from). */
export const IDS = {
  transactionId: '1322a4e7-c106-4e70-aaaf-a8fa4c77c0cb',
  sipMediaApplicationId: 'feb37a7e-2b66-49fb-b2dd-30f4780dc36d',
  legA: '72cbec69-f098-45d8-9ad6-e26cb9af663a',
  legB: 'c70f341a-adde-4406-9dea-1e01d34d033d',
  outboundTransactionId: 'c4640e3b-1478-40fb-8e38-6f6213adf70b',
  outboundLeg: '7ab7748e-b47d-4620-ae2c-152617d3333c',
} as const;
/** Every phone number that appears in the fixtures, in the forms a leak could take. */
export const PHONE_NUMBERS = ['+12065551212', '+15105550101', '+17035550122'];
export const LOCATION = 'my-recording-bucket/technicalSupport/english';
export const RECORDING_KEY = `${LOCATION}/2022/02/11/2022-02-11-00-30-05-907_${IDS.transactionId}_${IDS.legA}.wav`;

export interface ParticipantJson {
  CallId: string;
  ParticipantTag: string;
  To?: string;
  From?: string;
  Direction?: string;
  StartTimeInMilliseconds?: string;
  Status?: string;
}
export interface EventJson {
  SchemaVersion: string;
  Sequence: number;
  InvocationEventType: string;
  ActionData?: { Type: string; Parameters?: Record<string, unknown>; [key: string]: unknown };
  CallDetails: {
    TransactionId: string;
    TransactionAttributes?: Record<string, string>;
    SipMediaApplicationId: string;
    Participants: ParticipantJson[];
    [key: string]: unknown;
  };
  [key: string]: unknown;
}

export function fixtureNames(): string[] {
  return readdirSync(FIXTURE_DIR)
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.replace(/\.json$/, ''))
    .sort();
}

/** A fresh copy of a fixture (tests may change it). */
export function fixture(name: string): EventJson {
  return JSON.parse(readFileSync(path.join(FIXTURE_DIR, `${name}.json`), 'utf8')) as EventJson;
}

/** The event with exactly these TransactionAttributes (what the SMA echoes once they have been set). */
export function withAttributes(event: EventJson, attributes: Record<string, string> | undefined): EventJson {
  const copy = structuredClone(event);
  if (attributes === undefined) delete copy.CallDetails.TransactionAttributes;
  else copy.CallDetails.TransactionAttributes = { ...attributes };
  return copy;
}

/** The participants of the bridged call (legs A and B connected), from the CallAndBridge success fixture. */
export function twoLegParticipants(): ParticipantJson[] {
  return fixture('ACTION_SUCCESSFUL-CallAndBridge').CallDetails.Participants;
}

/** A CALL_UPDATE_REQUESTED as the workflow's UpdateSipMediaApplicationCall produces it. */
export function callUpdate(
  args: Record<string, string>,
  opts: { attributes?: Record<string, string>; participants?: ParticipantJson[]; sequence?: number } = {},
): EventJson {
  const event = withAttributes(fixture('CALL_UPDATE_REQUESTED'), opts.attributes);
  event.ActionData = { Type: 'CallUpdateRequest', Parameters: { Arguments: { ...args } } };
  if (opts.participants) event.CallDetails.Participants = structuredClone(opts.participants);
  if (opts.sequence !== undefined) event.Sequence = opts.sequence;
  return event;
}

/**
 * A task-token-shaped string (Step Functions tokens are opaque base64-ish strings, up to 2,048 characters).
 * Distinct per label so a test can tell which token went where.
 */
export function makeToken(label: string, length = 680): string {
  const body = Buffer.from(`${label}:`.repeat(Math.ceil(length / label.length) + 1))
    .toString('base64')
    .replace(/=+$/, '');
  return `AQCEAAAAKgAAAAMAAAAA${body}`.slice(0, length);
}

export function fakeContext(remainingMs = 3000): Context {
  const deadline = Date.now() + remainingMs;
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: 'sma-recording-handler',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:111122223333:function:sma-recording-handler',
    memoryLimitInMB: '256',
    awsRequestId: 'c6af9ac6-7b61-11e6-9a41-93e812345678',
    logGroupName: '/aws/lambda/sma-recording-handler',
    logStreamName: '2022/02/11/[$LATEST]abcdef0123456789',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

export interface LogRecord {
  level: string;
  message: string;
  [key: string]: unknown;
}

/** A Powertools Logger (JSON output, DEBUG level) whose printed lines are kept in `lines` instead of stdout. */
export function capturingLogger(): { logger: Logger; lines: string[] } {
  const logger = new Logger({ serviceName: 'sma-recording-test', logLevel: 'DEBUG' });
  const lines: string[] = [];
  const sink = (line: unknown) => {
    lines.push(String(line));
  };
  // Logger prints through its private `console` (a node Console on stdout); swap it for a sink.
  (logger as unknown as { console: Record<string, (line: unknown) => void> }).console = {
    debug: sink,
    info: sink,
    warn: sink,
    error: sink,
    log: sink,
    trace: sink,
  };
  return { logger, lines };
}

export type Env = Record<string, string | undefined>;

export const AUTO_RECORD_ENV: Env = {
  AUTO_RECORD: 'on',
  STATE_MACHINE_ARN: 'arn:aws:states:us-east-1:111122223333:stateMachine:recording-workflow',
  RECORDING_LOCATION: 'my-recording-bucket/calls',
  RECORDING_MAILBOX: 'my-mailbox-bucket/mailbox',
};

/**
 * An S3 client whose GetObject / PutObject / DeleteObject act on `objects` (key -> body), with S3's conditional
 * write (IfNoneMatch "*" on an existing key: 412 PreconditionFailed): the hand-off mailbox as the Lambda sees it.
 */
export function mockedMailboxS3() {
  const s3 = new S3Client({ region: 'us-east-1', credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'not-a-secret' } });
  const s3Mock = mockClient(s3);
  const objects = new Map<string, string>();
  const id = (input: { Bucket?: string; Key?: string }) => `${input.Bucket}/${input.Key}`;
  s3Mock.on(GetObjectCommand).callsFake((input) => {
    const body = objects.get(id(input));
    if (body === undefined)
      throw Object.assign(new Error('The specified key does not exist.'), { name: 'NoSuchKey', $metadata: { httpStatusCode: 404 } });
    return { Body: { transformToString: async () => body } };
  });
  s3Mock.on(PutObjectCommand).callsFake((input) => {
    if (input.IfNoneMatch === '*' && objects.has(id(input)))
      throw Object.assign(new Error('At least one of the pre-conditions you specified did not hold'), {
        name: 'PreconditionFailed',
        $metadata: { httpStatusCode: 412 },
      });
    objects.set(id(input), String(input.Body));
    return { ETag: '"e"' };
  });
  s3Mock.on(DeleteObjectCommand).callsFake((input) => {
    objects.delete(id(input));
    return {};
  });
  return { s3, s3Mock, objects };
}

/**
 * Auto-record with unrouted calls answered and held (UNROUTED_CALLS=hold): the fixture NEW_INBOUND_CALL is then
 * an answered call, so the workflow starts in that invocation (auto-record waits for an answered call).
 */
export const ANSWERING_AUTO_RECORD_ENV: Env = { ...AUTO_RECORD_ENV, UNROUTED_CALLS: 'hold' };

/** A Step Functions client whose callbacks and starts succeed at once, and its mock (to look at the calls). */
export function mockedSfn() {
  const sfn = new SFNClient({ region: 'us-east-1', credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'not-a-secret' } });
  const sfnMock = mockClient(sfn);
  sfnMock.on(SendTaskSuccessCommand).resolves({});
  sfnMock.on(SendTaskFailureCommand).resolves({});
  sfnMock
    .on(StartExecutionCommand)
    .resolves({ executionArn: 'arn:aws:states:us-east-1:111122223333:execution:recording-workflow:x', startDate: new Date() });
  return { sfn, sfnMock };
}

/** The SMA Lambda built as index.ts builds it, with every dependency observable. */
export function harness(env: Env = {}) {
  const { sfn, sfnMock } = mockedSfn();
  const { s3, s3Mock, objects: mailbox } = mockedMailboxS3();
  const { logger, lines } = capturingLogger();
  const metrics = new Metrics({ namespace: 'CallRecordingTest', serviceName: 'sma-recording-test', logger });
  const addMetric = jest.spyOn(metrics, 'addMetric');
  const config = loadConfig(env);
  const handler = createHandler({ config, sfn, s3, logger, metrics });
  const invoke = (event: unknown, remainingMs = 3000): Promise<SmaResponse> => handler(event, fakeContext(remainingMs));
  return {
    sfn,
    sfnMock,
    s3Mock,
    /** the hand-off mailbox's objects: "bucket/key" -> JSON body */
    mailbox,
    logger,
    lines,
    /** Captured log lines, parsed. */
    logs: (): LogRecord[] => lines.map((l) => JSON.parse(l) as LogRecord),
    metricNames: (): string[] => addMetric.mock.calls.map((c) => String(c[0])),
    config,
    handler,
    invoke,
    successCalls: () => sfnMock.commandCalls(SendTaskSuccessCommand).map((c) => c.args[0].input),
    failureCalls: () => sfnMock.commandCalls(SendTaskFailureCommand).map((c) => c.args[0].input),
    startCalls: () => sfnMock.commandCalls(StartExecutionCommand).map((c) => c.args[0].input),
  };
}
export type Harness = ReturnType<typeof harness>;

/** Asserts the shape the SMA accepts: SchemaVersion "1.0", at most 10 actions, string->string attributes within limits. */
export function expectValidSmaResponse(response: unknown): asserts response is SmaResponse {
  expect(response).toEqual(expect.objectContaining({ SchemaVersion: '1.0' }));
  const r = response as SmaResponse;
  // null: the NULL action set (invoke-on-call-leg)
  if (r.Actions !== null) expect(r.Actions).toEqual(expect.any(Array));
  expect(Object.keys(r).filter((k) => !['SchemaVersion', 'Actions', 'TransactionAttributes'].includes(k))).toEqual([]);
  expect((r.Actions ?? []).length).toBeLessThanOrEqual(MAX_ACTIONS);
  for (const action of r.Actions ?? []) {
    expect(typeof action.Type).toBe('string');
    expect(action.Parameters).toEqual(expect.any(Object));
  }
  if (r.TransactionAttributes !== undefined) {
    const entries = Object.entries(r.TransactionAttributes);
    expect(entries.length).toBeLessThanOrEqual(MAX_ATTRIBUTES);
    for (const [k, v] of entries) {
      expect(typeof k).toBe('string');
      expect(typeof v).toBe('string');
    }
    expect(Buffer.byteLength(JSON.stringify(r.TransactionAttributes))).toBeLessThanOrEqual(MAX_ATTRIBUTE_BYTES);
  }
  // What the SMA receives is JSON: the response must survive serialisation unchanged.
  expect(JSON.parse(JSON.stringify(r))).toEqual(r);
}

/** The middleware's answer when it has nothing to run: a NULL action set, which keeps the actions in progress. */
export const KEEP_RESPONSE = { SchemaVersion: '1.0', Actions: null };

/** An error as the AWS SDK v3 surfaces a service exception (only `name` matters to the Lambda). */
export function awsError(name: string, message = `${name} (test)`): Error {
  return Object.assign(new Error(message), { name, $fault: 'client', $metadata: { httpStatusCode: 400 } });
}
