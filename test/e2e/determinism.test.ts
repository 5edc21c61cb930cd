/**
 * The twin is deterministic: the same scenario and seed give the same outcomes, attempt counts, state sequences,
 * ids and keys, on a quiet machine and beside CPU hogs (one per core) (virtual time moves only when the twin is idle, and every
 * random choice comes from the seed). A different seed gives other ids.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCalls } from '../../local/scenario/runner';
import { parseScenario } from '../../local/scenario/scenario-file';
import { startTwin } from '../../local/twin/twin';

const dir = mkdtempSync(join(tmpdir(), 'determinism-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const demo = parseScenario(JSON.parse(readFileSync(join(__dirname, '../../local/scenario/demo.json'), 'utf8')));

/** Everything a run decides, without wall-clock fields. */
async function fingerprint(seed: number, name: string, calls = demo) {
  const twin = await startTwin({ dataDir: join(dir, name), seed });
  try {
    const results = await runCalls(twin, calls);
    return results.map((r) => {
      const arn = `${twin.stateMachineArn.replace(':stateMachine:', ':execution:')}:${r.executionName}`;
      const history = twin.engine.getExecution(arn).history;
      return {
        name: r.name,
        executionName: r.executionName,
        outcome: r.outcome,
        startAttempts: r.startAttempts,
        recordingKey: r.recordingKey,
        manifestKey: r.manifestKey,
        durationMs: r.durationMs,
        states: history
          .filter((e) => e.type.endsWith('StateEntered'))
          .map((e) => (e as { stateEnteredEventDetails?: { name: string } }).stateEnteredEventDetails?.name),
        events: history.map((e) => `${e.type}@${e.timestamp}`),
      };
    });
  } finally {
    await twin.close();
  }
}

/** Busy processes on every core, for the length of `work`. */
async function besideCpuHogs<T>(work: () => Promise<T>): Promise<T> {
  const hogs: ChildProcess[] = Array.from({ length: 2 }, () => spawn(process.execPath, ['-e', 'for(;;){}'], { stdio: 'ignore' }));
  try {
    return await work();
  } finally {
    for (const h of hogs) h.kill('SIGKILL');
  }
}

describe('same scenario, same seed', () => {
  it('gives the same run on a quiet machine and beside CPU hogs', async () => {
    const quiet = await fingerprint(42, 'quiet');
    const loaded = await besideCpuHogs(() => fingerprint(42, 'loaded'));
    expect(loaded).toEqual(quiet);
    // The demo covers every outcome, so the comparison is not of one easy path.
    expect(new Set(quiet.map((c) => c.outcome)).size).toBeGreaterThanOrEqual(6);
  }, 120_000);

  it('another seed draws other ids, with the same outcomes', async () => {
    const some = demo.slice(0, 6);
    const a = await fingerprint(42, 'a', some);
    const b = await fingerprint(43, 'b', some);
    expect(b.map((c) => c.executionName)).not.toEqual(a.map((c) => c.executionName));
    expect(b.map((c) => c.outcome)).toEqual(a.map((c) => c.outcome));
  }, 120_000);
});

describe("time in the twin is exactly the workflow's", () => {
  it('the delivery deadline is exactly 435 s after the call ends: landing at 434 s is RECORDED, at 435 s MISSING', async () => {
    const twin = await startTwin({ dataDir: join(dir, 'deadline'), seed: 9 });
    try {
      const [inTime, late] = await runCalls(twin, [
        { name: 'in-time', track: 'BOTH', legs: 1, durationSeconds: 30, faults: { deliveryDelaySeconds: 434 } },
        { name: 'at-deadline', track: 'BOTH', legs: 1, durationSeconds: 30, faults: { deliveryDelaySeconds: 435 } },
      ]);
      expect(inTime.outcome).toBe('RECORDED');
      // The last poll and the landing coincide: the twin resolves the tie the pessimistic way (poll first).
      expect(late.outcome).toBe('RECORDING_MISSING');
    } finally {
      await twin.close();
    }
  });
});
