/**
 * SMA Lambda measurements: bundle size, cold start and warm latency, each against a bare middy handler
 * (bench/fixtures/bare-handler.ts) and a fair baseline doing the same Step Functions callbacks
 * (bench/fixtures/fair-baseline.ts), all bundled the same way; and the recording middleware's cost on the IVR
 * example (bench/fixtures/ivr-alone.ts against examples/ivr/handler.ts). Handlers run in fresh plain-node processes
 * (bench/lambda-child.cjs); their Step Functions client is pointed, through the SDK's standard
 * AWS_ENDPOINT_URL_SFN variable, at a stub HTTP server on 127.0.0.1 that answers every request at once,
 * so the callbacks' real cost (serialisation, SigV4 signing, a loopback HTTP round trip) is measured.
 */
import { execFileSync, fork } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const ROOT = join(__dirname, '..');
const CHILD = join(__dirname, 'lambda-child.cjs');

export interface BundleInfo {
  outfile: string;
  bytes: number;
  inputs: Array<{ path: string; bytes: number }>;
}

/** Runs scripts/bundle.mjs (what `npm run build` runs) for an entry. */
export function bundle(entry: string, outfile: string): BundleInfo {
  const out = execFileSync(process.execPath, [join(ROOT, 'scripts', 'bundle.mjs'), '--entry', entry, '--outfile', outfile, '--json'], {
    encoding: 'utf8',
  });
  return JSON.parse(out) as BundleInfo;
}

export interface Bundles {
  dir: string;
  /** The standalone SMA Lambda (what the project's stack deploys). */
  sma: BundleInfo;
  /** A do-nothing middy handler: the floor. */
  bare: BundleInfo;
  /** middy + the Step Functions client doing the same callbacks (bench/fixtures/fair-baseline.ts). */
  fair: BundleInfo;
  /** The same, with the SDK loaded on first use as the SMA Lambda does (bench/fixtures/fair-baseline-lazy.ts). */
  fairLazy: BundleInfo;
  /** The IVR example without recording (bench/fixtures/ivr-alone.ts) and with it (examples/ivr/handler.ts). */
  ivr: BundleInfo;
  ivrRecorded: BundleInfo;
  /** The IVR with a middleware that does nothing (bench/fixtures/ivr-empty-middleware.ts): any middleware's floor. */
  ivrEmptyMiddleware: BundleInfo;
}

export function bundleAll(dir = mkdtempSync(join(tmpdir(), 'sma-bench-'))): Bundles {
  const fixture = (name: string) => join(__dirname, 'fixtures', `${name}.ts`);
  return {
    dir,
    sma: bundle(join(ROOT, 'lambdas', 'sma-handler', 'index.ts'), join(dir, 'sma', 'index.js')),
    bare: bundle(fixture('bare-handler'), join(dir, 'bare', 'index.js')),
    fair: bundle(fixture('fair-baseline'), join(dir, 'fair', 'index.js')),
    fairLazy: bundle(fixture('fair-baseline-lazy'), join(dir, 'fair-lazy', 'index.js')),
    ivr: bundle(fixture('ivr-alone'), join(dir, 'ivr', 'index.js')),
    ivrRecorded: bundle(join(ROOT, 'examples', 'ivr', 'handler.ts'), join(dir, 'ivr-recorded', 'index.js')),
    ivrEmptyMiddleware: bundle(fixture('ivr-empty-middleware'), join(dir, 'ivr-empty-middleware', 'index.js')),
  };
}

export interface StubServer {
  endpoint: string;
  requests: number;
  close(): Promise<void>;
}

/** Answers every AWS JSON 1.0 request with 200 `{}`: what SendTaskSuccess / SendTaskFailure return. */
export async function startStubSfn(): Promise<StubServer> {
  const stub = { requests: 0 } as StubServer;
  const server: Server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      stub.requests++;
      res.writeHead(200, { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': 'stub' });
      res.end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address() as { port: number };
  stub.endpoint = `http://127.0.0.1:${address.port}`;
  stub.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return stub;
}

/**
 * The deployed function's environment (infra/sma-function.ts) with on-demand recording, plus what keeps the
 * process off AWS: the Step Functions endpoint on loopback, dummy credentials (no credential chain, no
 * instance metadata), no shared config files. Nothing is inherited from the caller's environment.
 */
export function lambdaEnv(sfnEndpoint: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '',
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'AKIDBENCHONLY',
    AWS_SECRET_ACCESS_KEY: 'not-a-secret',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    AWS_ENDPOINT_URL_SFN: sfnEndpoint,
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    AWS_LAMBDA_FUNCTION_NAME: 'sma-handler',
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '512',
    STATE_MACHINE_ARN: 'arn:aws:states:us-east-1:123456789012:stateMachine:call-recording-workflow',
    AUTO_RECORD: 'off',
    RECORDING_LOCATION: 'my-recording-bucket/calls',
    RECORDING_TRACK: 'BOTH',
    POWERTOOLS_SERVICE_NAME: 'sma-handler',
    POWERTOOLS_METRICS_NAMESPACE: 'CallRecording/SmaHandler',
    POWERTOOLS_LOG_LEVEL: 'INFO',
    ...extra,
  };
}

export interface ChildRun<T> {
  result: T;
  /** What the handler printed (its log lines; Powertools writes WARN and ERROR to stderr), when asked for. */
  stdout: string;
  stderr: string;
}

/** Forks bench/lambda-child.cjs; rejects if the child reports an error or does not answer within timeoutMs. */
export function runChild<T>(
  bundlePath: string,
  mode: 'cold' | 'warm' | 'invoke',
  events: unknown[],
  env: Record<string, string>,
  options: { args?: string[]; captureStdout?: boolean; timeoutMs?: number } = {},
): Promise<ChildRun<T>> {
  const dir = mkdtempSync(join(tmpdir(), 'sma-events-'));
  const file = join(dir, 'events.json');
  writeFileSync(file, JSON.stringify(events));
  return new Promise((resolve, reject) => {
    const child = fork(CHILD, [bundlePath, mode, file, ...(options.args ?? [])], {
      env,
      execArgv: [], // plain node: no tsx / jest loader in the measured process
      stdio: ['ignore', options.captureStdout ? 'pipe' : 'ignore', 'pipe', 'ipc'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    let result: (T & { error?: string }) | undefined;
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 120_000);
    child.on('message', (m) => (result = m as T & { error?: string }));
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (result && !result.error) resolve({ result, stdout, stderr });
      else reject(new Error(`lambda child ${mode} failed (exit ${code ?? signal}): ${result?.error ?? ''} ${stderr.slice(0, 2000)}`));
    });
  });
}

export const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
