/**
 * The CLI's refusals, no twin needed (nothing here reaches a network: every case is refused before a
 * request, or points at a closed local port / a missing endpoints file): no command, --json errors, long
 * values, numbers outside double range.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../cli/main';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'cli-usage-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

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

const ARN = 'arn:aws:states:us-east-1:123456789012:stateMachine:call-recording-workflow';
const offline = ['--endpoint', 'http://127.0.0.1:9', '--state-machine-arn', ARN];
const longId = 'a'.repeat(5000);

describe('no command', () => {
  it.each([[[] as string[]], [['--local']], [['--region', 'us-east-1']]])('%j: usage on stderr, a line saying so, exit 2', async (args) => {
    const r = await cli(args);
    expect(r.code).toBe(2);
    expect(r.err).toContain('Usage: recording-workflow');
    expect(r.err).toMatch(/error: no command given: one of start, status, history, audit, redrive/);
    expect(r.out).toBe('');
  });

  it('--help and `help` still exit 0', async () => {
    expect((await cli(['--help'])).code).toBe(0);
    expect((await cli(['help'])).code).toBe(0);
    expect((await cli(['help', 'status'])).code).toBe(0);
  });
});

describe('--json: every error is one JSON document on stdout, exit code kept', () => {
  const cases: Array<[string, string[], number, RegExp]> = [
    ['no command', ['--json'], 2, /^no command given/],
    ['unknown option', ['--json', 'status', '--bogus', 'x'], 2, /^unknown option '--bogus'/],
    ['unknown command', ['frobnicate', '--json'], 2, /^unknown command 'frobnicate'/],
    ['bad option value (per-command --json)', ['audit', '--json', '--page-size', '0'], 2, /--page-size must be an integer from 1 to 1000/],
    ['--format json counts as --json', ['audit', '--format', 'json', '--since', 'yesterday'], 2, /--since/],
    [
      '--since after --until',
      ['--json', ...offline, 'audit', '--since', '2026-01-02', '--until', '2026-01-01'],
      2,
      /^--since \(2026-01-02T00:00:00\.000Z\) must be before --until/,
    ],
    ['invalid transaction id', ['--json', ...offline, 'status', 'a/b'], 2, /is neither an execution ARN nor a valid transactionId/],
    [
      'missing endpoints file (exit 1)',
      ['--json', '--local-file', '/nonexistent/endpoints.json', 'status', 'tx-1'],
      1,
      /^no twin endpoints file/,
    ],
  ];
  it.each(cases)('%s', async (_name, args, code, message) => {
    const r = await cli(args);
    expect(r.code).toBe(code);
    expect(r.err).toBe('');
    expect(JSON.parse(r.out)).toEqual({ error: { message: expect.stringMatching(message), exitCode: code } });
  });

  it('a connection failure too (closed port: exit 1)', async () => {
    const r = await cli(['--json', ...offline, 'status', 'tx-1']);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.out).error).toMatchObject({
      exitCode: 1,
      message: expect.stringMatching(/connection refused|ECONNREFUSED|failed/),
    });
  }, 30_000);
});

describe('long values and numbers outside double range in messages', () => {
  it('a 5,000-character id is elided in the error (text and JSON)', async () => {
    const text = await cli([...offline, 'status', longId]);
    expect(text.code).toBe(2);
    expect(text.err).toMatch(
      /^error: "a{99}… \(5002 characters\) is neither an execution ARN nor a valid transactionId: transactionId: must be at most 128 characters, got 5000\n$/,
    );
    const json = await cli(['--json', ...offline, 'history', longId]);
    expect(json.code).toBe(2);
    expect(JSON.parse(json.out).error.message.length).toBeLessThan(300);
  });

  it("a 5,000-character option value is elided in commander's own error", async () => {
    const r = await cli(['audit', '--since', longId]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/argument 'a{99}… \(5002 characters\) is invalid/);
    expect(r.err.length).toBeLessThan(600);
  });

  it('1e400 is named as outside the double range', async () => {
    const r = await cli(['history', 'tx-1', '--page-size', `1${'0'.repeat(400)}`]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--page-size must be an integer from 1 to 1000 \(that is outside the double range\)/);
    const wait = await cli(['redrive', 'tx-1', '--wait', '1e400']);
    expect(wait.code).toBe(2);
    expect(wait.err).toMatch(/must be a positive number of seconds \(that is outside the double range\)/);
  });
});
