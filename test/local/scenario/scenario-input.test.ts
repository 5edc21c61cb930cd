/**
 * What `npm start` takes from a scenario author, and how it shows it back (red team, issue 23): the consent text
 * counted as everything else counts it, the file's size bounded, control characters in names escaped in the table.
 * No twin: every case ends before one would start.
 */
import { closeSync, existsSync, mkdtempSync, openSync, rmSync, writeFileSync, ftruncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { consentTextProblem, MAX_CONSENT_TEXT } from '../../../lambdas/shared/recording-request';
import { main } from '../../../local/start';
import { MAX_SCENARIO_BYTES, readScenarioFile } from '../../../local/scenario/read-scenario';
import { tableReport } from '../../../local/scenario/report';
import type { CallResult } from '../../../local/scenario/runner';
import { parseScenario, ScenarioError } from '../../../local/scenario/scenario-file';

const tmp = mkdtempSync(join(tmpdir(), 'scenario-input-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function start(args: string[]) {
  let err = '';
  let out = '';
  const dataDir = join(tmp, 'never-started');
  const code = await main([...args, '--data-dir', dataDir, '--no-export'], {
    stdout: { write: (s: string) => ((out += s), true) },
    stderr: { write: (s: string) => ((err += s), true) },
  });
  return { code, err, out, started: existsSync(dataDir) };
}

describe('consent text: one rule, code points (lambdas/shared/recording-request characterCount)', () => {
  const call = (consentText: string) => ({ calls: [{ name: 'c', consentText }] });
  const emoji = '\u{1F4DE}'; // one code point, two UTF-16 units

  it('1,000 emoji are 1,000 characters: the scenario takes what the workflow, the Lambda and the CLI take', () => {
    const text = emoji.repeat(MAX_CONSENT_TEXT);
    expect(text.length).toBe(2 * MAX_CONSENT_TEXT);
    expect(consentTextProblem(text)).toBeNull();
    expect(parseScenario(call(text))[0].consentText).toBe(text);
  });

  it('1,001 are refused by both, the count in code points', () => {
    const text = emoji.repeat(MAX_CONSENT_TEXT + 1);
    expect(consentTextProblem(text)).not.toBeNull();
    expect(() => parseScenario(call(text))).toThrow(
      /calls\[0\]\.consentText: must be at most 1000 characters \(Speak's limit\), got 1001$/,
    );
  });
});

describe('the scenario file is at most MAX_SCENARIO_BYTES', () => {
  it('the bound is 64 MiB', () => expect(MAX_SCENARIO_BYTES).toBe(64 * 1024 * 1024));

  it('an endless file (/dev/zero) is refused after the bound, not read to exhaustion', () => {
    expect(() => readScenarioFile('/dev/zero', 1024 * 1024)).toThrow(ScenarioError);
    expect(() => readScenarioFile('/dev/zero', 1024 * 1024)).toThrow('/dev/zero is larger than 1,048,576 bytes');
  });

  it('a file one byte over: npm start exits 2 naming the bound, starts nothing', async () => {
    const big = join(tmp, 'big.json');
    const fd = openSync(big, 'w');
    ftruncateSync(fd, MAX_SCENARIO_BYTES + 1); // sparse: no disk used
    closeSync(fd);
    const r = await start(['--scenario', big]);
    expect(r.code).toBe(2);
    expect(r.err).toBe(`bad scenario: <file>: ${big} is larger than 67,108,864 bytes, the most a scenario file may be\n`);
    expect(r.started).toBe(false);
  });

  it('a file at the bound is read (and judged on its content)', () => {
    const file = join(tmp, 'at-bound.json');
    writeFileSync(file, '{"calls":[{"name":"a"}]}'.padEnd(4096, ' '));
    expect(readScenarioFile(file, 4096)).toHaveLength(4096);
    expect(() => readScenarioFile(file, 4095)).toThrow('larger than 4,095 bytes');
  });

  it('a missing file is still "cannot read", exit 2', async () => {
    const r = await start(['--scenario', join(tmp, 'missing.json')]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^bad scenario: <file>: cannot read .*missing\.json: ENOENT/);
  });
});

describe('the table escapes control characters in call names', () => {
  const result = (name: string, passed = true): CallResult => ({
    name,
    executionName: 'x',
    status: 'SUCCEEDED',
    outcome: 'RECORDED',
    startAttempts: 1,
    recordBy: 'demand',
    callFlow: { actions: [], bridged: false, recordingStartedAtSeconds: null },
    lateRecording: null,
    reconciliations: [],
    recordingKey: null,
    manifestKey: null,
    durationMs: 1000,
    wallMs: 10,
    passed,
    ...(passed ? {} : { mismatch: 'expected OPTED_OUT' }),
    recordings: [],
    controls: [],
  });

  it('no escape sequence, carriage return, newline or bidi override reaches the terminal', () => {
    const forged = 'a\x1b[2J\x1b[H\rok  forged  RECORDED\n\u202eevil\x7f\x9b';
    const text = tableReport([result(forged), result(forged, false)]);
    const lines = text.split('\n');
    expect(lines).toHaveLength(5); // header, rule, two rows, one FAIL line: no forged row
    expect(text).not.toMatch(/[\x00-\x09\x0b-\x1f\x7f-\x9f\u202e]/);
    expect(lines[2]).toContain('a\\x1b[2J\\x1b[H\\x0dok  forged  RECORDED\\x0a\\u202eevil\\x7f\\x9b');
    expect(lines[4]).toBe('FAIL a\\x1b[2J\\x1b[H\\x0dok  forged  RECORDED\\x0a\\u202eevil\\x7f\\x9b: expected OPTED_OUT');
  });

  it('printable text, accents and emoji included, is shown as it is', () => {
    expect(tableReport([result('appel-résumé \u{1F4DE}')]).split('\n')[2]).toMatch(/^ok {2}appel-résumé \u{1F4DE} {2}RECORDED/u);
  });
});
