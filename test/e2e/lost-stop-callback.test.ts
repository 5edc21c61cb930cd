/**
 * A stop is final, end to end (issue 20, item 4): the SMA runs a stop whose success never reaches the workflow
 * (faults.loseCallback), the workflow's second stop is refused (a leg stops once), and the call still ends
 * RECORDED, its recording's duration checked against the stop, not the call end.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCalls } from '../../local/scenario/runner';
import { parseScenario } from '../../local/scenario/scenario-file';
import { startTwin, type Twin } from '../../local/twin/twin';

const dir = mkdtempSync(join(tmpdir(), 'lost-stop-'));
let twin: Twin;
beforeAll(async () => {
  twin = await startTwin({ dataDir: dir, seed: 20 });
}, 60_000);
afterAll(async () => {
  await twin?.close();
  rmSync(dir, { recursive: true, force: true });
});

it('a stop whose success callback is lost ends RECORDED, the duration measured to the stop', async () => {
  const calls = parseScenario({
    calls: [
      {
        name: 'stop-callback-lost',
        legs: 2,
        durationSeconds: 90,
        controls: [
          { atSeconds: 20, action: 'stop', requestedBy: 'agent-7' },
          { atSeconds: 70, action: 'pause' },
        ],
        faults: { loseCallback: { StopRecording: 1 } },
        expect: { outcome: 'RECORDED' },
      },
    ],
  });
  const [call] = await runCalls(twin, calls);
  expect(call!.outcome).toBe('RECORDED');
  // The SMA stopped the recording at the first stop: about 20 s of a 90 s call.
  const [recording] = call!.recordings;
  expect(recording).toMatchObject({ stopCause: 'StopCallRecording' });
  expect(recording!.durationSeconds).toBeLessThan(30);
  // The SMA ran one stop: the second was refused, and the later pause never sent.
  expect(recording!.controls.map((c) => c.type)).toEqual(['StopCallRecording']);
  const summary = call!.summary as { controls: unknown[] };
  expect(summary.controls).toEqual([
    expect.objectContaining({
      action: 'STOP',
      result: 'UNKNOWN',
      unknownBecause: 'States.Timeout',
      settledAs: 'STOPPED',
      settledBy: 'SECOND_STOP_REFUSED',
      error: 'InvalidActionParameter',
    }),
    expect.objectContaining({ action: 'PAUSE', result: 'NOT_APPLIED', reason: 'ALREADY_STOPPED' }),
  ]);
}, 120_000);

it('refuses a loseCallback that names no callback state, or a count out of range', () => {
  const bad = (loseCallback: unknown) => () => parseScenario({ calls: [{ name: 'x', faults: { loseCallback } }] });
  expect(bad({ StopCallRecording: 1 })).toThrow('calls[0].faults.loseCallback.StopCallRecording: is not a callback state');
  expect(bad({ StopRecording: 0 })).toThrow('calls[0].faults.loseCallback.StopRecording: must be an integer in [1, 20]');
  expect(bad([1])).toThrow('calls[0].faults.loseCallback: must be an object keyed by workflow state');
});
