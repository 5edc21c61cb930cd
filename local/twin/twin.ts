/**
 * The local twin, assembled: every part a real server on 127.0.0.1, talked to by the real AWS SDK v3 clients.
 *
 *   scenario runner --StartExecution--> Step Functions twin (interpreter of statemachines/*.asl.json)
 *        |                                   |  aws-sdk:chimesdkvoice / aws-sdk:s3 tasks (real SDK clients)
 *        v                                   v
 *   SMA emulator <--UpdateSipMediaApplicationCall-- Chime SDK Voice twin        S3 twin (s3rver, on disk)
 *        |  invokes the real SMA Lambda handler (lambdas/sma-handler) with documented events
 *        |  and writes recordings (real WAV) to the S3 twin after each call
 *        v
 *   SMA Lambda --SendTaskSuccess/Failure--> Step Functions twin
 *
 * The twin changes endpoints, credentials, clocks and settings only; the Lambda and the workflow are the
 * same code and definition that infra/ deploys.
 *
 * Over 400 lines: startTwin assembles the servers in the one order their references allow (S3, Step Functions, the
 * Lambda's clients, the SMA emulator, Chime, EventBridge, Secrets Manager) and closes them in reverse; each part is a
 * module of local/. Split along that order (servers / Lambda / applications) when the next part comes.
 */
import { Console } from 'node:console';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { SFNClient } from '@aws-sdk/client-sfn';
import type { S3Client } from '@aws-sdk/client-s3';
import middy from '@middy/core';
import { createHandler, createSfnClient } from '../../lambdas/sma-handler/handler';
import { createS3Client } from '../../lambdas/recording/middleware-core';
import { loadConfig } from '../../lambdas/sma-handler/config';
import { recording } from '../../lambdas/recording/middleware';
import { createIvr } from '../../examples/ivr/ivr';
import { DEFAULT_SETTINGS, renderDefinition, type WorkflowSettings } from '../../statemachines/definition';
import { SimClock } from '../clock';
import { SeededRandom, freshSeed } from '../random';
import { trackClient } from './clock-tracking';
import { reuseSigner } from './sdk-signer';
import { makeS3Client, startS3Server, type S3Direct } from '../s3/server';
import { startChimeVoiceServer } from '../chime/server';
import { SmaEmulator } from '../sma/emulator';
import { claimDataDir } from './data-dir';
import { TWIN_CREDENTIALS } from './credentials';
import { AwsSdkInvoker, DEFAULT_SERVICES, StepFunctionsEngine, startStepFunctionsServer } from '../stepfunctions';
import { QuotaAccount } from '../quota/account';
import { LandingEvents } from '../events/landing-events';
import { landingEventPattern } from '../../statemachines/landing-event';
import type { QuotaSettings } from '../quota/quotas';
import { CALLER_KEY_FUNCTION, CALLER_KEY_SECRET, TWIN_INDEX_PREFIX, startCallerIndex } from './caller-index';

export const TWIN_BUCKET = 'call-recordings-local';
/** The hand-off mailbox ("bucket/prefix"), as the workflow's default settings name it. */
export const TWIN_MAILBOX = `${DEFAULT_SETTINGS.MailboxBucket}/${DEFAULT_SETTINGS.MailboxPrefix}`;
export const TWIN_REGION = 'us-east-1';
export const TWIN_ACCOUNT = '123456789012';
export const TWIN_SMA_ID = 'sma-local-0000-twin';
/**
 * Dialled numbers: the SMA Lambda's BRIDGE_ROUTES bridges the first to an agent (2 legs); the second is unrouted
 * (1 leg: the twin sets UNROUTED_CALLS=hold, so the caller is answered and kept on the line); the third reaches
 * the IVR example (examples/ivr), whose digits 1 and 2 bridge to the agents.
 */
export const BRIDGED_NUMBER = '+15550100200';
export const AGENT_NUMBER = '+15550100299';
export const DIRECT_NUMBER = '+15550100100';
export const IVR_NUMBER = '+15550100300';
export const SUPPORT_AGENT_NUMBER = '+15550100298';
/**
 * Calls recorded by policy (scenario `record: {"by": "policy"}`) dial these: a second SMA application whose Lambda
 * is the same handler with AUTO_RECORD=on (the twin's bucket, track BOTH, the default notice), bridged (2 legs) or
 * held (1 leg) as above.
 */
export const POLICY_BRIDGED_NUMBER = '+15550100400';
export const POLICY_DIRECT_NUMBER = '+15550100401';

/**
 * Retention by outcome in the twin, as the issue's example has it (RECORDED 7 years COMPLIANCE, RECORDING_INVALID 90
 * days GOVERNANCE, OPTED_OUT kept 30 days GOVERNANCE), and the caller index at call-recordings-local/caller-index.
 */
export const TWIN_RETENTION_SETTINGS: Pick<
  WorkflowSettings,
  'Retention' | 'RetentionMethod' | 'CallerIndexFunction' | 'CallerIndexLocation'
> = {
  Retention: {
    RECORDED: { days: 7 * 365, mode: 'COMPLIANCE' },
    RECORDING_INVALID: { days: 90, mode: 'GOVERNANCE' },
    OPTED_OUT: { days: 30, mode: 'GOVERNANCE' },
  },
  RetentionMethod: 'OBJECT_LOCK',
  CallerIndexFunction: CALLER_KEY_FUNCTION,
  CallerIndexLocation: `${TWIN_BUCKET}/${TWIN_INDEX_PREFIX}`,
};

export interface TwinOptions {
  /**
   * Folder for the S3 twin's data: created with a marker, or an existing one the twin made (see data-dir.ts);
   * wiped at start unless keepData; locked while the twin runs. Anything else is refused with DataDirError.
   */
  dataDir: string;
  keepData?: boolean;
  /**
   * Seed of every random choice the twin makes (ids, jitter); the same scenario and seed give the same run.
   * Default: a fresh one (see twin.seed).
   */
  seed?: number;
  /** Optional pacing for watching a run: at most this many virtual seconds per wall second. Default: none. */
  pace?: number;
  /** Virtual epoch ms the run starts at (default DEFAULT_SIM_EPOCH_MS). */
  startMs?: number;
  /** Workflow setting overrides (the twin runs the production defaults). */
  settings?: Partial<WorkflowSettings>;
  /** Extra SMA Lambda environment (e.g. AUTO_RECORD); BRIDGE_ROUTES and UNROUTED_CALLS=hold are set by the twin. */
  lambdaEnv?: Record<string, string>;
  /** Log the Lambda's and emulator's lines (to stderr). */
  verbose?: boolean;
  /**
   * Receives every log line of the SMA Lambda and the emulator, at INFO (instead of stderr): the simulation checks
   * that no line carries a task token.
   */
  logSink?: (line: string) => void;
  /** Sees every task token the Step Functions twin issues (with logSink: the simulation's token check). */
  onTaskToken?: (token: string, executionArn: string) => void;
  /** Point the SMA Lambda's Step Functions client here instead of the twin (e.g. a closed port: fault tests). */
  lambdaSfnEndpoint?: string;
  /**
   * The SMA's Lambda for every call, instead of the built-in bridge and IVR applications (`recording-twin
   * --handler`: the user's own handler, configured through the environment as in AWS; see lambdaEnvironment).
   */
  application?: (event: unknown, context: object) => unknown;
  /**
   * The account's quotas (local/quota): the endpoints throttle as AWS does and the runner enforces the SMA's
   * active calls. Default: none. With quotas the clock fires one timer at a time (SimClockOptions.maxBatch = 1):
   * requests from different calls at one virtual instant then reach the buckets in the clock's fixed order, so
   * which of them is throttled is a function of the seed, not of the event loop.
   */
  quota?: QuotaSettings;
}

/**
 * The environment a handler configured as in AWS needs to run against this twin: the variables CallRecording
 * sets on the function (STATE_MACHINE_ARN), and the SDK's own endpoint, region and credential variables, so the
 * middleware's default Step Functions client (and an application's Chime SDK Voice client) reach the twin.
 */
export function lambdaEnvironment(twin: Pick<Twin, 'endpoints' | 'stateMachineArn'>): Record<string, string> {
  return {
    STATE_MACHINE_ARN: twin.stateMachineArn,
    AWS_REGION: TWIN_REGION,
    AWS_DEFAULT_REGION: TWIN_REGION,
    AWS_ACCESS_KEY_ID: TWIN_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: TWIN_CREDENTIALS.secretAccessKey,
    AWS_ENDPOINT_URL_SFN: twin.endpoints.stepfunctions,
    AWS_ENDPOINT_URL_CHIME_SDK_VOICE: twin.endpoints.chimesdkvoice,
    AWS_ENDPOINT_URL_S3: twin.endpoints.s3,
    RECORDING_MAILBOX: TWIN_MAILBOX,
    // Loopback has no DNS for <bucket>.127.0.0.1: the mailbox's client addresses the bucket in the path.
    RECORDING_MAILBOX_FORCE_PATH_STYLE: 'true',
  };
}

export interface Twin {
  clock: SimClock;
  seed: number;
  /** The run's seeded randomness (the scenario runner derives each call's ids from it). */
  random: SeededRandom;
  pace?: number;
  dataDir: string;
  bucket: string;
  sipMediaApplicationId: string;
  stateMachineArn: string;
  endpoints: { s3: string; stepfunctions: string; chimesdkvoice: string; secretsmanager: string };
  /** The secret holding the caller index's HMAC key (on endpoints.secretsmanager). */
  callerKeySecretId: string;
  engine: StepFunctionsEngine;
  emulator: SmaEmulator;
  sfn: SFNClient;
  s3: S3Client;
  /** The S3 twin's store without HTTP: for harnesses' checks and clean-up only (the simulation's). */
  s3Direct: S3Direct;
  settings: WorkflowSettings;
  /** The keypad controls' ReceiveDigits pattern of the twin's SMA Lambda (RECORDING_DTMF_CONTROLS), when on. */
  keypadRegex?: string;
  /** The account's quotas and counts (undefined: no quotas). */
  account?: QuotaAccount;
  /** The twin's EventBridge rule: S3 Object Created events of recordings -> the Reconcile branch (issue 22). */
  landings: LandingEvents;
  close(): Promise<void>;
}

/**
 * Powertools' Logger writes INFO and below to stdout (in Lambda, stdout and stderr both go to CloudWatch),
 * and has no option to change that. In the twin stdout is the report (`--json` is one JSON document), so
 * its loggers write every level to stderr: the logger's console is replaced (a field that is private in
 * Powertools' types; test/e2e/output.test.ts fails if an upgrade moves it).
 */
function toStderr(logger: Logger, sink?: (line: string) => void): Logger {
  let console: Pick<Console, 'log' | 'info' | 'warn' | 'error' | 'debug' | 'trace'>;
  if (sink) {
    // Powertools hands its console one finished JSON line per call: a sink gets it as it is, without a Console's
    // formatting and a stream's buffering (a simulation logs every invocation of every call).
    const write = (line: unknown) => sink(`${String(line)}\n`);
    console = { log: write, info: write, warn: write, error: write, debug: write, trace: write };
  } else {
    console = new Console({ stdout: process.stderr, stderr: process.stderr });
    console.trace = console.log; // as Powertools does: no stack traces in log lines
  }
  (logger as unknown as { console: typeof console }).console = console;
  return logger;
}

export async function startTwin(options: TwinOptions): Promise<Twin> {
  const seed = options.seed ?? freshSeed();
  const random = new SeededRandom(seed);
  const clock = new SimClock({ startMs: options.startMs, pace: options.pace, ...(options.quota ? { maxBatch: 1 } : {}) });
  const account = options.quota ? new QuotaAccount(options.quota, clock) : undefined;
  const claim = await claimDataDir(options.dataDir, { wipe: !options.keepData });
  const closers: Array<() => Promise<void> | void> = [() => claim.release()];
  const close = async () => {
    clock.close();
    for (const c of closers.reverse()) await c();
  };
  try {
    // The emulator is made further down; the S3 twin (faults.verifyAccessDenied: which reads are refused) and the
    // Step Functions twin (task callbacks, for racing responses) ask it through this reference.
    let emulatorRef: SmaEmulator | undefined;
    let landingsRef: LandingEvents | undefined;
    const s3Server = await startS3Server({
      dataDir: options.dataDir,
      buckets: [TWIN_BUCKET, DEFAULT_SETTINGS.MailboxBucket],
      clock,
      denyRead: (bucket, key) => emulatorRef?.readDenied(bucket, key) ?? false,
      onObjectCreated: (object) => landingsRef?.objectCreated(object),
    });
    closers.push(() => s3Server.close());
    const s3 = trackClient(makeS3Client(s3Server.endpoint), clock);
    closers.push(() => s3.destroy());

    // The state machine's aws-sdk tasks: real SDK clients against the twin's endpoints.
    // The Chime endpoint is filled in once its server is up (it fronts the emulator, which needs the Lambda,
    // which needs this engine's endpoint); the invoker makes its clients on first use.
    const taskEndpoints: Record<string, string> = { s3: s3Server.endpoint };
    // The caller index's key and function (caller-index.ts): the workflow's HashCaller task calls it in-process.
    const callerIndex = await startCallerIndex({
      region: TWIN_REGION,
      accountId: TWIN_ACCOUNT,
      clock,
      random: random.derive('caller-key'),
    });
    closers.push(() => callerIndex.close());
    const invoker = new AwsSdkInvoker({
      region: TWIN_REGION,
      credentials: TWIN_CREDENTIALS,
      endpoints: taskEndpoints,
      services: {
        s3: {
          ...DEFAULT_SERVICES.s3,
          clientConfig: () => ({
            forcePathStyle: true,
            requestChecksumCalculation: 'WHEN_REQUIRED',
            responseChecksumValidation: 'WHEN_REQUIRED',
          }),
        },
        lambda: callerIndex.binding,
      },
    });
    const engine = new StepFunctionsEngine({
      invoker,
      clock,
      seed: random.derive('stepfunctions').seed,
      region: TWIN_REGION,
      accountId: TWIN_ACCOUNT,
      onTaskToken: options.onTaskToken,
      // The execution name is the TransactionId: the emulator learns which call a callback came from.
      onTaskCallback: (arn) => emulatorRef?.noteTaskCallback(arn.slice(arn.lastIndexOf(':') + 1)),
      losesTaskCallback: (arn, state) => emulatorRef?.losesTaskCallback(arn.slice(arn.lastIndexOf(':') + 1), state) ?? false,
    });
    closers.push(() => engine.close());
    const sfnServer = await startStepFunctionsServer({ engine, account, random: random.derive('stepfunctions-api') });
    closers.push(() => sfnServer.close());
    const sfn = trackClient(
      reuseSigner(
        new SFNClient({ endpoint: sfnServer.endpoint, region: TWIN_REGION, credentials: TWIN_CREDENTIALS, cacheMiddleware: true }),
      ),
      clock,
    );
    closers.push(() => sfn.destroy());

    // The production settings: virtual time does not move while the twin works, so no slack is needed.
    const settings: WorkflowSettings = { ...DEFAULT_SETTINGS, ...TWIN_RETENTION_SETTINGS, ...options.settings };
    const { stateMachineArn } = engine.createStateMachine({ name: 'call-recording-workflow', definition: renderDefinition(settings) });
    // The Reconcile branch's DescribeExecution goes to this same Step Functions twin.
    taskEndpoints.sfn = sfnServer.endpoint;
    // The construct's EventBridge rule (infra/construct): recordings landing in the bucket start the workflow.
    const landings = new LandingEvents({
      clock,
      random: random.derive('eventbridge'),
      sfn,
      engine,
      stateMachineArn,
      pattern: landingEventPattern(TWIN_BUCKET),
      region: TWIN_REGION,
      account: TWIN_ACCOUNT,
    });
    landingsRef = landings;

    // The SMA Lambda, unchanged: only its environment and its Step Functions endpoint are the twin's.
    const lambdaLog = toStderr(
      new Logger({ serviceName: 'sma-recording', logLevel: options.verbose || options.logSink ? 'INFO' : 'SILENT' }),
      options.logSink,
    );
    process.env.POWERTOOLS_METRICS_DISABLED = 'true'; // EMF lines are for CloudWatch; the twin has none
    // UNROUTED_CALLS=hold: the demo's one-leg calls dial an unrouted number and stay on the line until they hang up.
    const lambdaConfig = loadConfig({
      BRIDGE_ROUTES: JSON.stringify({ [BRIDGED_NUMBER]: AGENT_NUMBER }),
      UNROUTED_CALLS: 'hold',
      RECORDING_MAILBOX: TWIN_MAILBOX,
      // The twin's time is virtual: a wall-clock bound on a loopback request only ever bites on a loaded machine
      // (and then changes a run's outcome), so the Lambda's requests get the longest bound the setting allows.
      SFN_REQUEST_TIMEOUT_MS: '4000',
      ...options.lambdaEnv,
    });
    const lambdaSfn = createSfnClient(lambdaConfig, {
      endpoint: options.lambdaSfnEndpoint ?? sfnServer.endpoint,
      region: TWIN_REGION,
      credentials: TWIN_CREDENTIALS,
    });
    closers.push(() => lambdaSfn.destroy());
    const lambdaS3 = createS3Client(lambdaConfig, {
      endpoint: s3Server.endpoint,
      region: TWIN_REGION,
      credentials: TWIN_CREDENTIALS,
      forcePathStyle: true,
    });
    closers.push(() => lambdaS3.destroy());
    const handler = createHandler({
      config: lambdaConfig,
      sfn: lambdaSfn,
      s3: lambdaS3,
      logger: lambdaLog,
      metrics: new Metrics({ namespace: 'CallRecording', serviceName: 'sma-recording', logger: lambdaLog }),
    });
    // The IVR example with the middleware added in one line, as its users would (examples/ivr/handler.ts).
    const ivrHandler = middy<unknown>(
      createIvr({ agents: { '1': AGENT_NUMBER, '2': SUPPORT_AGENT_NUMBER } }) as (event: unknown) => Promise<unknown>,
    ).use(recording({ config: lambdaConfig, sfn: lambdaSfn, s3: lambdaS3, logger: lambdaLog }));
    // Policy-driven recording: the same handler, AUTO_RECORD=on, made on first use.
    let policyHandler: typeof handler | undefined;
    const policy = () => {
      policyHandler ??= createHandler({
        config: loadConfig({
          BRIDGE_ROUTES: JSON.stringify({ [POLICY_BRIDGED_NUMBER]: AGENT_NUMBER }),
          UNROUTED_CALLS: 'hold',
          RECORDING_MAILBOX: TWIN_MAILBOX,
          SFN_REQUEST_TIMEOUT_MS: '4000',
          ...options.lambdaEnv,
          AUTO_RECORD: 'on',
          STATE_MACHINE_ARN: stateMachineArn,
          RECORDING_LOCATION: TWIN_BUCKET,
        }),
        sfn: lambdaSfn,
        s3: lambdaS3,
        logger: lambdaLog,
        metrics: new Metrics({ namespace: 'CallRecording', serviceName: 'sma-recording', logger: lambdaLog }),
      });
      return policyHandler;
    };
    // One SMA per application in real life (an SMA has one Lambda): the twin routes by the dialled number.
    const application = options.application;
    const route = (event: unknown) => {
      const to = dialledBy(event);
      if (to === IVR_NUMBER) return ivrHandler;
      return to === POLICY_BRIDGED_NUMBER || to === POLICY_DIRECT_NUMBER ? policy() : handler;
    };

    const smaLog = toStderr(
      new Logger({ serviceName: 'sma-emulator', logLevel: options.verbose || options.logSink ? 'INFO' : 'ERROR' }),
      options.logSink,
    );
    const emulatorLog = {
      info: (message: string, details: Record<string, unknown> = {}) => smaLog.info({ message, ...details }),
      warn: (message: string, details: Record<string, unknown> = {}) => smaLog.warn({ message, ...details }),
      error: (message: string, details: Record<string, unknown> = {}) => smaLog.error({ message, ...details }),
    };
    const emulator = new SmaEmulator({
      handler: (event: unknown, context: object) =>
        application ? Promise.resolve().then(() => application(event, context)) : route(event)(event, context as never),
      clock,
      s3,
      sipMediaApplicationId: TWIN_SMA_ID,
      awsAccountId: TWIN_ACCOUNT,
      region: TWIN_REGION,
      random: random.derive('sma'),
      // Errors (a recording upload that failed, a crashed action) always; the rest with --verbose.
      logger: emulatorLog,
    });
    emulatorRef = emulator;
    closers.push(() => emulator.close());
    const chime = await startChimeVoiceServer({ emulator, clock, account, random: random.derive('chime-api') });
    closers.push(() => chime.close());
    taskEndpoints.chimesdkvoice = chime.endpoint;

    return {
      clock,
      seed,
      random,
      pace: options.pace,
      dataDir: options.dataDir,
      bucket: TWIN_BUCKET,
      sipMediaApplicationId: TWIN_SMA_ID,
      stateMachineArn,
      endpoints: {
        s3: s3Server.endpoint,
        stepfunctions: sfnServer.endpoint,
        chimesdkvoice: chime.endpoint,
        secretsmanager: callerIndex.secretsEndpoint,
      },
      callerKeySecretId: CALLER_KEY_SECRET,
      engine,
      emulator,
      sfn,
      s3,
      s3Direct: s3Server.direct,
      settings,
      ...(lambdaConfig.dtmfControls ? { keypadRegex: lambdaConfig.dtmfControls.regex } : {}),
      account,
      landings,
      close,
    };
  } catch (e) {
    await close();
    throw e;
  }
}

/** LEG-A's To: the number the caller dialled (every event of a call carries it). */
function dialledBy(event: unknown): string | undefined {
  const participants = (event as { CallDetails?: { Participants?: Array<{ ParticipantTag?: string; To?: string }> } } | null)?.CallDetails
    ?.Participants;
  return Array.isArray(participants) ? participants.find((p) => p?.ParticipantTag === 'LEG-A')?.To : undefined;
}
