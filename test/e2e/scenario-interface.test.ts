/**
 * The scenario interface of docs/reference/design.md is a contract that outside checks drive: `npm start -- --scenario FILE
 * [--json]`, exit 0 when every call met its `expect`, 1 otherwise, 2 for a bad file with the field named.
 * These run local/start.ts's main in-process against a real twin, and then look at what the run left in S3.
 */
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../local/start';
import { ALL_OUTCOMES, RECONCILE_OUTCOMES } from '../../statemachines/outcomes';

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return {
    io: { stdout: { write: (s: string) => out.push(s) }, stderr: { write: (s: string) => err.push(s) } },
    out: () => out.join(''),
    err: () => err.join(''),
  };
}
const dir = mkdtempSync(join(tmpdir(), 'scenario-'));
function scenarioFile(content: unknown, name = `s-${Math.random().toString(36).slice(2)}.json`): string {
  const file = join(dir, name);
  writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
  return file;
}
const listFiles = (folder: string): string[] =>
  readdirSync(folder, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => join(d.parentPath, d.name));
const run = (args: string[]) => {
  const c = capture();
  return main([...args, '--data-dir', join(dir, 'data-' + Math.random().toString(36).slice(2)), '--no-export'], c.io).then((code) => ({
    code,
    out: c.out(),
    err: c.err(),
  }));
};

describe('npm start --scenario FILE --json', () => {
  it('exits 0 and prints the contract document when every call meets its expectation', async () => {
    const file = scenarioFile({
      calls: [
        {
          name: 'retried-then-recorded',
          track: 'BOTH',
          legs: 2,
          durationSeconds: 90,
          faults: { startRecording: ['SystemException', 'SystemException'] },
          expect: { outcome: 'RECORDED', startAttempts: 3 },
        },
        { name: 'one-leg', track: 'INCOMING', legs: 1, durationSeconds: 60, expect: { outcome: 'RECORDED' } },
        { name: 'no-access', faults: { startRecording: ['NoAccessToDestination'] }, expect: { outcome: 'START_FAILED', startAttempts: 1 } },
      ],
    });
    const { code, out } = await run(['--scenario', file, '--json']);
    if (code !== 0) throw new Error(`exited ${code}:\n${out}`);
    const doc = JSON.parse(out);
    expect(Object.keys(doc).sort()).toEqual(['calls', 'failed', 'passed', 'seed']);
    expect(Number.isSafeInteger(doc.seed)).toBe(true); // printed so the run can be replayed
    expect(doc).toEqual(expect.objectContaining({ passed: 3, failed: 0 }));
    for (const c of doc.calls)
      expect(Object.keys(c).sort()).toEqual(
        [
          'durationMs',
          'executionName',
          // issue 22: what reconciliation found (null: every recording accounted for by the call's workflow)
          'lateRecording',
          'manifestKey',
          'name',
          'outcome',
          'recordingKey',
          'startAttempts',
          'status',
          // issue 20: the call flow
          'actions',
          'bridged',
          'recordingStartedAtSeconds',
        ].sort(),
      );
    const [retried, oneLeg, noAccess] = doc.calls;
    expect(retried).toEqual(
      expect.objectContaining({ name: 'retried-then-recorded', status: 'SUCCEEDED', outcome: 'RECORDED', startAttempts: 3 }),
    );
    expect(retried.recordingKey).toMatch(
      /^Amazon-Chime-SMA-Call-Recordings\/\d{4}\/\d\d\/\d\d\/\d{4}-\d\d-\d\d-\d\d-\d\d-\d\d-\d{3}_[0-9a-f-]{36}_[0-9a-f-]{36}\.wav$/,
    );
    expect(retried.manifestKey).toBe(retried.recordingKey.replace(/\.wav$/, '.manifest.json'));
    expect(retried.executionName).toMatch(/^[0-9a-f-]{36}$/);
    expect(retried.durationMs).toBeGreaterThan(90_000);
    expect(oneLeg.outcome).toBe('RECORDED');
    expect([retried.bridged, oneLeg.bridged]).toEqual([true, false]);
    expect(
      retried.actions.filter((a: { type: string }) => a.type === 'StartCallRecording').map((a: { result: string }) => a.result),
    ).toEqual(['FAILED', 'FAILED', 'SUCCEEDED']);
    expect(typeof retried.recordingStartedAtSeconds).toBe('number');
    expect(noAccess.recordingStartedAtSeconds).toBeNull();
    expect(noAccess).toEqual(expect.objectContaining({ status: 'FAILED', outcome: 'START_FAILED', startAttempts: 1, recordingKey: null }));
    expect(noAccess.manifestKey).toMatch(
      /^Amazon-Chime-SMA-Call-Recordings\/manifests\/\d{4}\/\d\d\/\d\d\/[0-9a-f-]{36}_[0-9a-f-]{36}\.manifest\.json$/,
    );
  });

  it('exits 1 when a call does not reach the outcome it expects, and says which', async () => {
    const file = scenarioFile({
      calls: [{ name: 'expects-wrongly', durationSeconds: 120, faults: { dropRecording: true }, expect: { outcome: 'RECORDED' } }],
    });
    const { code, out } = await run(['--scenario', file, '--seed', '3']);
    expect(code).toBe(1);
    expect(out).toMatch(/FAIL expects-wrongly: outcome RECORDING_MISSING, expected RECORDED/);
    expect(out).toMatch(/0 passed, 1 failed/);
  }, 90_000);
});

describe('npm start (the built-in demo)', () => {
  it('runs every outcome, exits 0, and copies playable recordings and manifests out', async () => {
    const c = capture();
    const dataDir = join(dir, 'demo');
    // Slower than the default x50: CI runs other suites beside this one, and the demo's shortest window
    // (a hangup 20 s into the call, during the notice) must stay wide in real time.
    const code = await main(['--data-dir', dataDir, '--seed', '3'], c.io);
    const out = c.out();
    if (code !== 0) throw new Error(`demo exited ${code}:\n${out}`); // the table says which call
    // Every call outcome (the Reconcile branch's are not calls: the demo's recordings are all accounted for).
    for (const outcome of ALL_OUTCOMES.filter((o) => !(RECONCILE_OUTCOMES as readonly string[]).includes(o)))
      expect(out).toContain(outcome);
    expect(out).toMatch(/24 passed, 0 failed/);
    const exported = join(dataDir, 'exported', 'call-recordings-local');
    const wavs = listFiles(exported).filter((f) => f.endsWith('.wav'));
    const manifests = listFiles(exported).filter((f) => f.endsWith('.manifest.json'));
    // 14 RECORDED (one through the IVR, one paused, one paused by keypad, one stopped) + 2 RECORDING_INVALID; the dropped one never landed, the refused one (403) cannot be copied, the opted-out one was deleted
    expect(wavs.length).toBe(16);
    expect(manifests.length).toBe(24 - 1); // every call but the invalid input writes a manifest
    const header = readFileSync(wavs[0]);
    expect(header.toString('ascii', 0, 4)).toBe('RIFF');
    expect(header.toString('ascii', 8, 12)).toBe('WAVE');
  }, 60_000);
});

describe('a bad scenario file exits 2 and names the field', () => {
  it.each([
    ['not JSON', '{"calls": [', /<file>: not valid JSON/],
    ['no calls', {}, /calls: must be a non-empty array/],
    ['unknown fault', { calls: [{ name: 'a', faults: { dropRecordings: true } }] }, /calls\[0\]\.faults\.dropRecordings: unknown field/],
    ['bad track', { calls: [{ name: 'a' }, { name: 'b', track: 'STEREO' }] }, /calls\[1\]\.track: must be one of BOTH, INCOMING, OUTGOING/],
    ['bad legs', { calls: [{ name: 'a', legs: 3 }] }, /calls\[0\]\.legs: must be 1 or 2/],
    [
      'negative delay',
      { calls: [{ name: 'a', faults: { deliveryDelaySeconds: -1 } }] },
      /calls\[0\]\.faults\.deliveryDelaySeconds: must be a number/,
    ],
    [
      'unknown error name',
      { calls: [{ name: 'a', faults: { startRecording: ['Boom'] } }] },
      /calls\[0\]\.faults\.startRecording\[0\]: must be one of/,
    ],
    ['bad outcome', { calls: [{ name: 'a', expect: { outcome: 'DONE' } }] }, /calls\[0\]\.expect\.outcome: must be one of/],
    ['duplicate name', { calls: [{ name: 'a' }, { name: 'a' }] }, /calls\[1\]\.name: duplicate call name/],
    [
      'metadata value',
      { calls: [{ name: 'a', faults: { metadata: { 'call-id': 5 } } }] },
      /calls\[0\]\.faults\.metadata\.call-id: must be a string/,
    ],
    [
      'updateCall step',
      { calls: [{ name: 'a', faults: { updateCall: { StopRecording: [] } } }] },
      /calls\[0\]\.faults\.updateCall\.StopRecording: unknown field \(allowed: StartRecording, NotifyConsent, ControlRecording\)/,
    ],
    [
      // The call's end spends no update since issue 21 (the hand-off mailbox): nothing to fault.
      'updateCall on the call end',
      { calls: [{ name: 'a', faults: { updateCall: { WaitForCallEnd: ['ThrottledClientException'] } } }] },
      /calls\[0\]\.faults\.updateCall\.WaitForCallEnd: unknown field \(allowed: StartRecording, NotifyConsent, ControlRecording\)/,
    ],
    [
      'updateCall error',
      { calls: [{ name: 'a', faults: { updateCall: { ControlRecording: ['ThrottlingException'] } } }] },
      /calls\[0\]\.faults\.updateCall\.ControlRecording\[0\]: must be one of ThrottledClientException, ServiceUnavailableException, ServiceFailureException, NotFoundException/,
    ],
    [
      'updateDelaySeconds bound',
      { calls: [{ name: 'a', faults: { updateDelaySeconds: 61 } }] },
      /calls\[0\]\.faults\.updateDelaySeconds: must be a number in \[0, 60\]/,
    ],
    [
      'startRecordingDelaySeconds type',
      { calls: [{ name: 'a', faults: { startRecordingDelaySeconds: '40' } }] },
      /calls\[0\]\.faults\.startRecordingDelaySeconds: must be a number in \[0, 600\]/,
    ],
    [
      'verifyAccessDenied type',
      { calls: [{ name: 'a', faults: { verifyAccessDenied: 'yes' } }] },
      /calls\[0\]\.faults\.verifyAccessDenied: must be true or false/,
    ],
    [
      'raceUpdates is not in the format',
      { calls: [{ name: 'a', faults: { raceUpdates: true } }] },
      /calls\[0\]\.faults\.raceUpdates: unknown field/,
    ],
  ])('%s', async (_, content, message) => {
    const { code, err, out } = await run(['--scenario', scenarioFile(content)]);
    expect(code).toBe(2);
    expect(err).toMatch(message);
    expect(out).toBe('');
  });

  it('a missing file', async () => {
    const { code, err } = await run(['--scenario', join(dir, 'nope.json')]);
    expect(code).toBe(2);
    expect(err).toMatch(/cannot read .*nope\.json: ENOENT/);
  });

  it('bad arguments', async () => {
    expect((await run(['--speed', '-3'])).code).toBe(2);
    expect((await run(['--calls', '2', '--scenario', 'x.json'])).code).toBe(2);
    expect((await run(['--frobnicate'])).code).toBe(2);
  });
});
