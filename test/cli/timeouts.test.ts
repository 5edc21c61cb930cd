/**
 * An endpoint that accepts a connection and never answers: the CLI gives up (each request bounded by --timeout,
 * the SDK's retries included) with exit 1 and a message naming the endpoint, instead of waiting forever.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from '../../cli/clients';
import { main } from '../../cli/main';
import { boundsFor, CONNECT_TIMEOUT_SECONDS, DEFAULT_TIMEOUT_SECONDS } from '../../cli/timeouts';

const ARN = 'arn:aws:states:us-east-1:123456789012:stateMachine:call-recording-workflow';
const dir = mkdtempSync(join(tmpdir(), 'cli-timeouts-'));
let silent: net.Server;
let endpoint: string;
const sockets = new Set<net.Socket>();

beforeAll(async () => {
  // Accepts, reads, never writes a byte.
  silent = net.createServer((s) => {
    sockets.add(s);
    s.on('data', () => undefined);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(silent.address() as net.AddressInfo).port}`;
});
afterAll(async () => {
  for (const s of sockets) s.destroy();
  await new Promise((resolve) => silent.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

async function cli(args: string[]) {
  let out = '';
  let err = '';
  const code = await main(
    args,
    { stdout: { write: (s: string) => ((out += s), true) }, stderr: { write: (s: string) => ((err += s), true) } },
    { env: {} },
  );
  return { code, out, err };
}

describe('an endpoint that never answers', () => {
  it('status: exit 1, naming the Step Functions endpoint and the bound', async () => {
    const r = await cli(['--endpoint', endpoint, '--state-machine-arn', ARN, '--timeout', '0.2', 'status', 'tx-1']);
    expect(r.code).toBe(1);
    expect(r.err).toBe(`error: no answer from the Step Functions endpoint ${endpoint} within 0.2 s (--timeout)\n`);
  }, 30_000);

  it('with --json the same error is the JSON document', async () => {
    const r = await cli(['--json', '--endpoint', endpoint, '--state-machine-arn', ARN, '--timeout', '0.2', 'audit']);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.out).error.message).toMatch(/^no answer from the Step Functions endpoint http:\/\/127\.0\.0\.1:\d+ within 0\.2 s/);
  }, 30_000);

  it('pause: Step Functions answers, the Chime endpoint hangs: exit 1 naming the Chime endpoint', async () => {
    // A Step Functions stub that knows one running execution; the Chime endpoint is the silent server.
    const stub = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        const input = JSON.stringify({ sipMediaApplicationId: 'sma-1', transactionId: 'tx-1' });
        const body = JSON.stringify({ executionArn: 'x', stateMachineArn: ARN, name: 'tx-1', status: 'RUNNING', startDate: 0, input });
        res.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' }).end(body);
      });
    });
    await new Promise<void>((resolve) => stub.listen(0, '127.0.0.1', resolve));
    try {
      const file = join(dir, 'endpoints.json');
      const stepfunctions = `http://127.0.0.1:${(stub.address() as net.AddressInfo).port}`;
      writeFileSync(file, JSON.stringify({ stepfunctions, chimesdkvoice: endpoint, stateMachineArn: ARN, region: 'us-east-1' }));
      const r = await cli(['--local-file', file, '--timeout', '0.2', 'pause', 'tx-1', '--no-wait']);
      expect(r.code).toBe(1);
      expect(r.err).toBe(`error: no answer from the Chime SDK Voice endpoint ${endpoint} within 0.2 s (--timeout)\n`);
    } finally {
      stub.closeAllConnections();
      await new Promise((resolve) => stub.close(resolve));
    }
  }, 30_000);

  it('--timeout must be a positive number of seconds', async () => {
    const r = await cli(['--endpoint', endpoint, '--timeout', '0', 'status', 'tx-1']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--timeout must be a positive number of seconds/);
  });
});

describe('the bounds', () => {
  it(`default: ${DEFAULT_TIMEOUT_SECONDS} s for an answer, ${CONNECT_TIMEOUT_SECONDS} s to connect; a shorter --timeout bounds connecting too`, () => {
    expect(boundsFor()).toEqual({ connectMs: CONNECT_TIMEOUT_SECONDS * 1000, requestMs: DEFAULT_TIMEOUT_SECONDS * 1000 });
    expect(boundsFor(0.5)).toEqual({ connectMs: 500, requestMs: 500 });
  });

  it("the clients' HTTP handler carries them (the SDK's own default is no bound)", async () => {
    const conn = connect({ endpoint, stateMachineArn: ARN, timeout: 7 }, {});
    try {
      const handler = conn.sfn.config.requestHandler as unknown as { configProvider?: Promise<Record<string, unknown>> };
      const config = await handler.configProvider;
      expect(config).toMatchObject({ connectionTimeout: 5000, requestTimeout: 7000, throwOnRequestTimeout: true });
    } finally {
      conn.close();
    }
  });
});
