/**
 * A call with more recording controls than Node's default listener limit (10): all are sent and applied, and no
 * MaxListenersExceededWarning is raised (each control used to wait on its own timer, every one with an abort
 * listener on the call's signal; they now wait one at a time).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCalls } from '../../local/scenario/runner';
import { LIMITS, parseScenario } from '../../local/scenario/scenario-file';
import { startTwin } from '../../local/twin/twin';

const dir = mkdtempSync(join(tmpdir(), 'many-controls-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// pause at 10 s, resume at 12 s, pause at 14 s, ...: 50 controls within the call's 200 s; the last two share an
// instant, so ties are covered too.
const controls = Array.from({ length: LIMITS.controls }, (_, i) => ({
  atSeconds: i === LIMITS.controls - 1 ? 10 + (i - 1) * 2 : 10 + i * 2,
  action: i % 2 === 0 ? 'pause' : 'resume',
}));
const scenario = { calls: [{ name: 'many', durationSeconds: 200, controls, expect: { outcome: 'RECORDED' } }] };

it(`${LIMITS.controls} controls on one call: every one sent at its time and applied`, async () => {
  const twin = await startTwin({ dataDir: join(dir, 'data'), seed: 3 });
  try {
    const [call] = await runCalls(twin, parseScenario(scenario));
    expect(call.outcome).toBe('RECORDED');
    expect(call.controls.map((c) => c.result)).toEqual(controls.map(() => 'accepted'));
    expect(call.controls.map((c) => c.action)).toEqual(controls.map((c) => c.action.toUpperCase()));
    // Sent at their times, reported in the scenario's order.
    expect(call.controls.map((c) => (c.sentAtMs! - call.answeredAtMs!) / 1000)).toEqual(controls.map((c) => c.atSeconds));
    // The SMA applied them: the recording has pause windows.
    expect(call.recordings.flatMap((r) => r.pauses).length).toBeGreaterThan(10);
  } finally {
    await twin.close();
  }
});

// Node prints the warning from its own process object, which a jest test does not see: `npm start` runs in a child.
it('npm start with that scenario prints no MaxListenersExceededWarning', () => {
  const file = join(dir, 'many-controls.json');
  writeFileSync(file, JSON.stringify(scenario));
  const tsx = join(__dirname, '..', '..', 'node_modules', '.bin', 'tsx');
  const args = [join(__dirname, '..', '..', 'local', 'start.ts'), '--scenario', file, '--json', '--no-export', '--seed', '3'];
  const r = spawnSync(tsx, [...args, '--data-dir', join(dir, 'child')], { encoding: 'utf8', timeout: 60_000 });
  expect(r.status).toBe(0);
  expect(JSON.parse(r.stdout).passed).toBe(1);
  expect(r.stderr).not.toMatch(/MaxListenersExceededWarning/);
});
