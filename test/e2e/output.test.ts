/**
 * What `npm start` writes where: stdout carries the report only (with --json, one JSON document, through npm
 * itself with --silent), every log line goes to stderr, and a recording upload that fails is logged even
 * without --verbose. Real processes for the first two (npm's banner and Powertools' console are the point).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { runCalls } from '../../local/scenario/runner';
import { startTwin, type Twin } from '../../local/twin/twin';

jest.setTimeout(120_000);

const ROOT = join(__dirname, '..', '..');
let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'output-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function run(cmd: string, args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: ROOT, env: { ...process.env, NO_COLOR: '1' } });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, out, err }));
  });
}

it('`npm start --silent -- --json`: stdout is one JSON document and nothing else', async () => {
  const r = await run('npm', ['start', '--silent', '--', '--json', '--calls', '1', '--no-export', '--data-dir', join(tmp, 'json')]);
  expect([0, 1]).toContain(r.code); // 1 would be an outcome mismatch on a very busy machine: not this test's concern
  const report = JSON.parse(r.out);
  expect(report.calls).toHaveLength(1);
  expect(report.passed + report.failed).toBe(1);
});

it("--verbose: the Lambda's and the emulator's log lines go to stderr; stdout is the table", async () => {
  const r = await run('npm', ['start', '--silent', '--', '--verbose', '--calls', '1', '--no-export', '--data-dir', join(tmp, 'verbose')]);
  expect([0, 1]).toContain(r.code);
  const logLines = (text: string) =>
    text
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l));
  expect(logLines(r.out)).toEqual([]);
  expect(r.out).toMatch(/\d+ passed, \d+ failed/);
  const services = new Set(logLines(r.err).map((l) => l.service));
  expect(services).toEqual(new Set(['sma-recording', 'sma-emulator']));
});

describe('a recording upload that fails', () => {
  let twin: Twin;
  const stderr: string[] = [];
  let restore: () => void;
  beforeAll(async () => {
    twin = await startTwin({ dataDir: join(tmp, 'upload'), seed: 1 });
    // The emulator uploads through the twin's S3 client: under this prefix every PutObject fails.
    const send = twin.s3.send.bind(twin.s3) as (command: unknown) => Promise<unknown>;
    (twin.s3 as unknown as { send: typeof send }).send = (command) =>
      command instanceof PutObjectCommand && command.input.Key?.startsWith('upload-fails/')
        ? Promise.reject(Object.assign(new Error('We encountered an internal error.'), { name: 'InternalError' }))
        : send(command);
    const write = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      stderr.push(String(chunk));
      return (write as (...a: unknown[]) => boolean)(chunk, ...rest);
    }) as typeof process.stderr.write;
    restore = () => (process.stderr.write = write);
  });
  afterAll(async () => {
    restore?.();
    await twin?.close();
  });

  it('is logged on stderr (without --verbose) with its key and error, and the call ends RECORDING_MISSING', async () => {
    const [result] = await runCalls(twin, [
      { name: 'upload-fails', track: 'BOTH', legs: 1, durationSeconds: 30, location: `${twin.bucket}/upload-fails`, faults: {} },
    ]);
    expect(result.outcome).toBe('RECORDING_MISSING');
    const lines = stderr
      .join('')
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l));
    expect(lines).toContainEqual(
      expect.objectContaining({
        level: 'ERROR',
        service: 'sma-emulator',
        message: 'recording delivery failed',
        key: expect.stringMatching(/^upload-fails\/.*\.wav$/),
        error: 'InternalError: We encountered an internal error.',
      }),
    );
  });
});
