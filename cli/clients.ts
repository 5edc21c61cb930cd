/**
 * Where the CLI talks to: AWS (standard credential chain and region resolution of the SDK), the local twin
 * (`--local`: endpoints and state machine from the file `npm start -- --serve` writes), or any Step
 * Functions endpoint (`--endpoint`). Only the client configuration differs; the commands are the same code.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ChimeSDKVoiceClient } from '@aws-sdk/client-chime-sdk-voice';
import { SFNClient } from '@aws-sdk/client-sfn';
import { TWIN_CREDENTIALS } from '../local/twin/credentials';
import { CliError, usageError } from './errors';
import { type Bounds, boundsFor, nameEndpointOnTimeout, requestHandlerFor } from './timeouts';

/**
 * Written by `npm start -- --serve` / `recording-twin --serve` (local/start.ts) in the twin's data folder, by default
 * `.data/twin` of the folder it runs in: the CLI looks in the same place of the folder it runs in.
 */
export const DEFAULT_LOCAL_FILE = join(process.cwd(), '.data', 'twin', 'endpoints.json');
export const STATE_MACHINE_ARN_ENV = 'RECORDING_STATE_MACHINE_ARN';

export interface GlobalOptions {
  local?: boolean;
  localFile?: string;
  endpoint?: string;
  /** Chime SDK Voice endpoint URL (pause, resume, stop); with a loopback --endpoint it must be given. */
  chimeEndpoint?: string;
  region?: string;
  profile?: string;
  stateMachineArn?: string;
  json?: boolean;
  /** Seconds to wait for each answer (cli/timeouts.ts); default DEFAULT_TIMEOUT_SECONDS. */
  timeout?: number;
}

export interface LocalEndpoints {
  stepfunctions: string;
  s3?: string;
  chimesdkvoice?: string;
  stateMachineArn: string;
  region: string;
  sipMediaApplicationId?: string;
}

export interface Connection {
  sfn: SFNClient;
  /** Undefined when neither an option, the environment nor the endpoints file named one. */
  stateMachineArn?: string;
  /** The twin's endpoints when --local. */
  local?: LocalEndpoints;
  /** --endpoint and --chime-endpoint as given (checked URLs). */
  endpoint?: string;
  chimeEndpoint?: string;
  describe: string;
  /** The bounds every client of this connection uses (--timeout). */
  bounds: Bounds;
  close(): void;
}

const PARTITION = '(aws|aws-cn|aws-us-gov|aws-iso|aws-iso-[a-z]|aws-eusc)';
/** A version or alias qualifier (":3", ":prod") is allowed: executions are named under the machine. */
export const STATE_MACHINE_ARN_RE = new RegExp(
  `^arn:${PARTITION}:states:([a-z0-9-]+):(\\d{12}):stateMachine:([A-Za-z0-9_-]{1,80})(?::[A-Za-z0-9_.-]+)?$`,
);
export const EXECUTION_ARN_RE = new RegExp(
  `^arn:${PARTITION}:states:([a-z0-9-]+):(\\d{12}):execution:([A-Za-z0-9_-]{1,80}):([0-9A-Za-z_-]{1,80})$`,
);

export function readLocalEndpoints(file: string): LocalEndpoints {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new CliError(
      code === 'ENOENT'
        ? `no twin endpoints file at ${file}: start the twin with \`npm start -- --serve\` (it writes the file and keeps running), or pass --local-file`
        : `cannot read ${file}: ${code ?? (e as Error).message}`,
      undefined,
      { cause: e },
    );
  }
  let parsed: Record<string, unknown>;
  try {
    parsed = JSON.parse(text) as Record<string, unknown>;
  } catch {
    throw usageError(`${file} is not JSON`);
  }
  for (const field of ['stepfunctions', 'stateMachineArn', 'region'] as const) {
    if (typeof parsed?.[field] !== 'string' || parsed[field] === '')
      throw usageError(`${file}: field "${field}" must be a non-empty string`);
  }
  return parsed as unknown as LocalEndpoints;
}

function checkEndpoint(url: string, option: string): string {
  try {
    const u = new URL(url);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error();
    return url;
  } catch {
    throw usageError(`${option}: must be an http(s) URL, got ${JSON.stringify(url)}`);
  }
}

const isLoopback = (url: string) => ['127.0.0.1', 'localhost', '[::1]', '::1'].includes(new URL(url).hostname);

export function connect(opts: GlobalOptions, env: NodeJS.ProcessEnv): Connection {
  const local = opts.local || opts.localFile ? readLocalEndpoints(resolve(opts.localFile ?? DEFAULT_LOCAL_FILE)) : undefined;
  const endpoint = opts.endpoint ? checkEndpoint(opts.endpoint, '--endpoint') : local?.stepfunctions;
  const chimeEndpoint = opts.chimeEndpoint ? checkEndpoint(opts.chimeEndpoint, '--chime-endpoint') : undefined;
  const stateMachineArn = opts.stateMachineArn ?? local?.stateMachineArn ?? (env[STATE_MACHINE_ARN_ENV] || undefined);
  if (stateMachineArn !== undefined && !STATE_MACHINE_ARN_RE.test(stateMachineArn)) {
    const source = opts.stateMachineArn ? '--state-machine-arn' : local ? 'stateMachineArn in the endpoints file' : STATE_MACHINE_ARN_ENV;
    throw usageError(
      `${source}: not a state machine ARN (arn:aws:states:REGION:ACCOUNT:stateMachine:NAME), got ${JSON.stringify(stateMachineArn)}`,
    );
  }
  // Explicit --region wins; then the region in the ARN (calls must go where the machine lives); then the
  // SDK's own chain (AWS_REGION, profile config), which runs when region is left undefined.
  const region = opts.region ?? local?.region ?? (stateMachineArn ? STATE_MACHINE_ARN_RE.exec(stateMachineArn)![2] : undefined);
  // The twin ignores signatures, and a developer laptop may have no AWS credentials at all: never ask the
  // credential chain for a loopback endpoint.
  const dummyCredentials = local !== undefined || (endpoint !== undefined && isLoopback(endpoint));
  const bounds = boundsFor(opts.timeout);
  const sfn = new SFNClient({
    ...(endpoint ? { endpoint } : {}),
    ...(region ? { region } : {}),
    ...(opts.profile ? { profile: opts.profile } : {}),
    ...(dummyCredentials ? { credentials: TWIN_CREDENTIALS } : {}),
    // Standard retry with a few more attempts: audit describes many executions and DescribeExecution is
    // throttled per account; the SDK backs off on ThrottlingException.
    maxAttempts: 5,
    requestHandler: requestHandlerFor(bounds),
  });
  nameEndpointOnTimeout(sfn, 'Step Functions', bounds);
  return {
    sfn,
    bounds,
    stateMachineArn,
    local,
    ...(opts.endpoint ? { endpoint } : {}),
    ...(chimeEndpoint ? { chimeEndpoint } : {}),
    describe: local ? `local twin (${endpoint})` : endpoint ? endpoint : `AWS${region ? ` ${region}` : ''}`,
    close: () => sfn.destroy(),
  };
}

/**
 * A Chime SDK Voice client beside the connection's Step Functions client: --chime-endpoint, else the twin's with
 * --local, else the SDK's defaults in the state machine's region (the SMA lives there). A loopback --endpoint is a
 * twin or a stand-in, never AWS: without --chime-endpoint the request is refused rather than sent to AWS.
 */
export function chimeClientFor(conn: Connection): ChimeSDKVoiceClient {
  const local = conn.local;
  const endpoint = conn.chimeEndpoint ?? (conn.endpoint ? undefined : local?.chimesdkvoice);
  if (!endpoint && conn.endpoint && isLoopback(conn.endpoint))
    throw usageError(`--endpoint ${conn.endpoint} is loopback: name its Chime SDK Voice endpoint too with --chime-endpoint URL`);
  if (!endpoint && local && !conn.endpoint) throw usageError('the twin endpoints file names no chimesdkvoice endpoint');
  const region = local?.region ?? (conn.stateMachineArn ? STATE_MACHINE_ARN_RE.exec(conn.stateMachineArn)![2] : undefined);
  const chime = new ChimeSDKVoiceClient({
    ...(endpoint ? { endpoint } : {}),
    ...(region ? { region } : {}),
    ...(local || (endpoint && isLoopback(endpoint)) ? { credentials: TWIN_CREDENTIALS } : {}),
    maxAttempts: 3,
    requestHandler: requestHandlerFor(conn.bounds),
  });
  return nameEndpointOnTimeout(chime, 'Chime SDK Voice', conn.bounds);
}

export function requireStateMachineArn(conn: Connection): string {
  if (!conn.stateMachineArn) {
    throw usageError(`no state machine: pass --state-machine-arn ARN or set ${STATE_MACHINE_ARN_ENV} (or use --local for the twin)`);
  }
  return conn.stateMachineArn;
}
