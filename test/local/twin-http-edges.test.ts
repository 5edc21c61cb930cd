/**
 * The twin's HTTP surface against what the red team found (issue 23): every server refuses a foreign Host header
 * (DNS rebinding), the Step Functions history never hands out a task token, the console answers a malformed name
 * with 400 (not 502), and a suffix byte range (`bytes=-10`) gets the last bytes, in the S3 twin and the console.
 */
import http from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { GetExecutionHistoryCommand, ListExecutionsCommand } from '@aws-sdk/client-sfn';
import { startConsoleServer, type ConsoleServer } from '../../local/console/server';
import { runCalls, type CallResult } from '../../local/scenario/runner';
import { startTwin, type Twin } from '../../local/twin/twin';
import { renderDefinition } from '../../statemachines/definition';

const dir = mkdtempSync(join(tmpdir(), 'twin-http-edges-'));
let twin: Twin;
let consoleServer: ConsoleServer;
let call: CallResult;

beforeAll(async () => {
  twin = await startTwin({ dataDir: join(dir, 'data'), seed: 5 });
  [call] = await runCalls(twin, [{ name: 'recorded', track: 'BOTH', legs: 2, durationSeconds: 30, faults: {} }]);
  consoleServer = await startConsoleServer({
    sfn: twin.sfn,
    s3: twin.s3,
    stateMachineArn: twin.stateMachineArn,
    definition: renderDefinition(twin.settings),
  });
}, 60_000);
afterAll(async () => {
  await consoleServer?.close();
  await twin?.close();
  rmSync(dir, { recursive: true, force: true });
});

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

/** A raw request, with whatever Host header a browser on another site would send. */
function request(base: string, path: string, options: { method?: string; headers?: Record<string, string>; body?: string } = {}) {
  const url = new URL(path, base);
  return new Promise<Answer>((resolve, reject) => {
    const req = http.request(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname + url.search,
        method: options.method ?? 'GET',
        headers: options.headers,
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

const hostOf = (endpoint: string) => new URL(endpoint).host;
const FOREIGN = ['attacker.example', `attacker.example:${0}`, 'rebind.attacker.example:80'];

describe('a foreign Host header is refused with 421 by every server of the twin', () => {
  const startExecution = (host: string) =>
    request(twin.endpoints.stepfunctions, '/', {
      method: 'POST',
      headers: { Host: host, 'X-Amz-Target': 'AWSStepFunctions.StartExecution', 'Content-Type': 'application/x-amz-json-1.0' },
      body: JSON.stringify({ stateMachineArn: twin.stateMachineArn, name: 'rebound', input: '{}' }),
    });
  const executions = async () => (await twin.sfn.send(new ListExecutionsCommand({ stateMachineArn: twin.stateMachineArn }))).executions!;

  it.each(FOREIGN)('Step Functions, Host %j: 421, and no execution is started', async (host) => {
    const before = (await executions()).length;
    const r = await startExecution(host.replace(':0', `:${new URL(twin.endpoints.stepfunctions).port}`));
    expect(r.status).toBe(421);
    expect(JSON.parse(r.body.toString()).message).toMatch(/unexpected Host header/);
    expect((await executions()).length).toBe(before);
  });

  it('Step Functions: its own loopback names are answered (the premise)', async () => {
    const port = new URL(twin.endpoints.stepfunctions).port;
    const r = await request(twin.endpoints.stepfunctions, '/', {
      method: 'POST',
      headers: { Host: `localhost:${port}`, 'X-Amz-Target': 'AWSStepFunctions.ListExecutions' },
      body: JSON.stringify({ stateMachineArn: twin.stateMachineArn }),
    });
    expect(r.status).toBe(200);
  });

  it('Chime SDK Voice: 421 for a foreign Host, the SMA is not asked (an own Host gets its 404)', async () => {
    const path = `/sip-media-applications/${twin.sipMediaApplicationId}/calls/no-such-call`;
    const body = JSON.stringify({ Arguments: { command: 'StartRecording' } });
    const foreign = await request(twin.endpoints.chimesdkvoice, path, { method: 'POST', headers: { Host: 'attacker.example' }, body });
    expect(foreign.status).toBe(421);
    expect(foreign.headers['x-amzn-errortype']).toBe('MisdirectedRequest');
    const own = await request(twin.endpoints.chimesdkvoice, path, {
      method: 'POST',
      headers: { Host: hostOf(twin.endpoints.chimesdkvoice) },
      body,
    });
    expect(own.status).toBe(404);
  });

  it('S3: 421 for a foreign Host, the object for its own', async () => {
    const path = `/${twin.bucket}/${call.recordingKey}`;
    expect((await request(twin.endpoints.s3, path, { headers: { Host: 'attacker.example' } })).status).toBe(421);
    expect((await request(twin.endpoints.s3, path, { method: 'HEAD', headers: { Host: hostOf(twin.endpoints.s3) } })).status).toBe(200);
  });

  it('the console too (the helper it now shares)', async () => {
    expect((await request(consoleServer.url, '/api/executions', { headers: { Host: 'attacker.example' } })).status).toBe(421);
  });
});

describe('GetExecutionHistory never returns a task token', () => {
  it('TaskScheduled parameters carry <redacted> where the engine holds the token', async () => {
    const arn = `${twin.stateMachineArn.replace(':stateMachine:', ':execution:')}:${call.executionName}`;
    const engineText = JSON.stringify(twin.engine.getExecution(arn).history);
    // In an update's Arguments, or (escaped once more) in a mailbox slot's Body (issue 21).
    const tokens = [...engineText.matchAll(/taskToken(?:\\+)":(?:\\+)"([A-Za-z0-9_-]{300})/g)].map((m) => m[1]);
    expect(tokens.length).toBeGreaterThanOrEqual(3); // StartRecording (update), NotifyConsent and WaitForCallEnd (slots)
    const served = JSON.stringify((await twin.sfn.send(new GetExecutionHistoryCommand({ executionArn: arn, maxResults: 1000 }))).events);
    for (const token of tokens) expect(served.includes(token)).toBe(false);
    expect(served.match(/<redacted>/g)?.length).toBe(tokens.length);
  });
});

describe('the console', () => {
  it.each(['%', '%E0%A4%A', '%zz'])('/api/executions/%s: 400 naming the bad encoding, not 502', async (name) => {
    const r = await request(consoleServer.url, `/api/executions/${name}`, { headers: { Host: hostOf(consoleServer.url) } });
    expect(r.status).toBe(400);
    expect(JSON.parse(r.body.toString()).error).toMatch(/^malformed percent-encoding/);
  });
});

describe('suffix byte ranges (RFC 9110): the last N bytes', () => {
  let whole: Buffer;
  beforeAll(async () => {
    const got = await twin.s3.send(new GetObjectCommand({ Bucket: twin.bucket, Key: call.recordingKey! }));
    whole = Buffer.from(await got.Body!.transformToByteArray());
  });

  it('the S3 twin: bytes=-10 is the last 10 bytes, 206 with their Content-Range', async () => {
    const got = await twin.s3.send(new GetObjectCommand({ Bucket: twin.bucket, Key: call.recordingKey!, Range: 'bytes=-10' }));
    expect(Buffer.from(await got.Body!.transformToByteArray())).toEqual(whole.subarray(whole.length - 10));
    expect(got.ContentRange).toBe(`bytes ${whole.length - 10}-${whole.length - 1}/${whole.length}`);
  });

  const recording = (range: string) =>
    request(consoleServer.url, `/api/executions/${call.executionName}/recording`, {
      headers: { Host: hostOf(consoleServer.url), Range: range },
    });

  it('the console: bytes=-10 answers 206 with the last 10 bytes', async () => {
    const r = await recording('bytes=-10');
    expect(r.status).toBe(206);
    expect(r.body).toEqual(whole.subarray(whole.length - 10));
    expect(r.headers['content-range']).toBe(`bytes ${whole.length - 10}-${whole.length - 1}/${whole.length}`);
  });

  it('a suffix longer than the object is the whole object; bytes=-0 is not satisfiable', async () => {
    const all = await recording(`bytes=-${whole.length + 1000}`);
    expect(all.status).toBe(206);
    expect(all.body).toEqual(whole);
    expect((await recording('bytes=-0')).status).toBe(416);
  });

  it('first-last ranges are unchanged', async () => {
    const r = await recording('bytes=100-199');
    expect(r.status).toBe(206);
    expect(r.body).toEqual(whole.subarray(100, 200));
  });
});
