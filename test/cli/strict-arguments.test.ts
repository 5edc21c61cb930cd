/**
 * Integers on the command line are decimal digits and nothing else, and a command that does not exist is an
 * error even with --help (red team, issue 23). Nothing here starts a server: every case is refused while parsing.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvalidArgumentError } from 'commander';
import { integerIn, positive, seedOption } from '../../cli/command-line';
import { main } from '../../cli/main';
import { main as startMain } from '../../local/start';

const tmp = mkdtempSync(join(tmpdir(), 'strict-args-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const sink = () => {
  let text = '';
  return { out: { write: (s: string) => ((text += s), true) }, text: () => text };
};

describe('integer options take decimal digits only', () => {
  const NOT_DECIMAL = ['0x10', '1e1', ' 3', '3 ', '', '+3', '3.0', '0b11', '0o7', '١٢'];

  it.each(NOT_DECIMAL)('%j is refused by integerIn, positive(integer) and seedOption', (v) => {
    expect(() => integerIn('--calls', 1, 100_000)(v)).toThrow(InvalidArgumentError);
    expect(() => integerIn('--calls', 1, 100_000)(v)).toThrow(`in decimal digits, got ${JSON.stringify(v)}`);
    expect(() => positive('--n', true)(v)).toThrow(InvalidArgumentError);
    expect(() => seedOption('--seed')(v)).toThrow(InvalidArgumentError);
  });

  it('decimal digits still parse, leading zeros included; a number option still takes 1e1', () => {
    expect(integerIn('--calls', 1, 100_000)('16')).toBe(16);
    expect(integerIn('--calls', 1, 100_000)('010')).toBe(10);
    expect(() => integerIn('--calls', 1, 100_000)('-3')).toThrow('--calls must be an integer from 1 to 100000');
    expect(seedOption('--seed')('42')).toBe(42);
    expect(positive('--speed', false)('1e1')).toBe(10);
  });

  it.each([['0x10'], ['1e1'], [' 3']])('npm start -- --calls %j exits 2 naming --calls, and starts nothing', async (v) => {
    const err = sink();
    const dataDir = join(tmp, 'never');
    const code = await startMain(['--calls', v, '--data-dir', dataDir, '--no-export'], { stdout: sink().out, stderr: err.out });
    expect(code).toBe(2);
    expect(err.text()).toMatch(/--calls must be an integer from 1 to 100000 in decimal digits/);
    expect(existsSync(dataDir)).toBe(false);
  });
});

describe('an unknown command is an error, --help or not', () => {
  async function cli(args: string[]) {
    const out = sink();
    const err = sink();
    const code = await main(args, { stdout: out.out, stderr: err.out }, { env: {} });
    return { code, out: out.text(), err: err.text() };
  }

  it.each([
    [['frobnicate', '--help']],
    [['frobnicate', '-h']],
    [['--local', 'frobnicate', '--help']],
    [['--endpoint', 'http://127.0.0.1:9', 'frobnicate', '--help']],
    [['help', 'frobnicate']],
    [['frobnicate']],
  ])('%j: exit 2 naming the command, no general help on stdout', async (args) => {
    const r = await cli(args);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^error: unknown command 'frobnicate': one of start, status, history/m);
    expect(r.out).toBe('');
  });

  it('with --json the error is the JSON document', async () => {
    const r = await cli(['frobnicate', '--help', '--json']);
    expect(r.code).toBe(2);
    expect(JSON.parse(r.out).error.message).toMatch(/^unknown command 'frobnicate'/);
  });

  it('help for a known command, and the general help, still exit 0', async () => {
    for (const args of [['status', '--help'], ['help', 'audit'], ['--help'], ['--local', 'history', '-h']]) {
      const r = await cli(args);
      expect([args, r.code]).toEqual([args, 0]);
      expect(r.out).toMatch(/^Usage: recording-workflow/);
    }
  });
});
