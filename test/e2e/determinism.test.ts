/**
 * The twin is deterministic: the same scenario and seed give the same outcomes, attempt counts, state sequences,
 * ids and keys, the same execution histories field for field (as GetExecutionHistory serves them: task tokens, the
 * one thing drawn from the OS on purpose, are redacted there) and the same exported bytes, on a quiet machine and beside CPU hogs (one per core) (virtual time moves only when the twin is idle, and every
 * random choice comes from the seed). A different seed gives other ids.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { GetExecutionHistoryCommand } from '@aws-sdk/client-sfn';
import { exportBucket } from '../../local/scenario/export';
import { runCalls } from '../../local/scenario/runner';
import { parseScenario } from '../../local/scenario/scenario-file';
import { startTwin, type Twin } from '../../local/twin/twin';

const dir = mkdtempSync(join(tmpdir(), 'determinism-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const demo = parseScenario(JSON.parse(readFileSync(join(__dirname, '../../local/scenario/demo.json'), 'utf8')));

/**
 * A hand-off mailbox slot holds a task token (drawn from the OS), so the ETag S3 returns for it (the MD5 of its body)
 * differs from run to run like the token itself: the one field derived from a token that the history shows.
 */
function withoutSlotETag(event: any): unknown {
  const d = event?.taskSubmittedEventDetails;
  if (d?.resource === 'putObject.waitForTaskToken' && typeof d.output === 'string')
    return { ...event, taskSubmittedEventDetails: { ...d, output: JSON.stringify({ ...JSON.parse(d.output), ETag: '<slot>' }) } };
  return event;
}

/** Every page of an execution's history as GetExecutionHistory serves it, every field of every event. */
async function fullHistory(twin: Twin, executionArn: string): Promise<unknown[]> {
  const events: unknown[] = [];
  let nextToken: string | undefined;
  do {
    const page = await twin.sfn.send(new GetExecutionHistoryCommand({ executionArn, nextToken }));
    events.push(...(page.events ?? []).map(withoutSlotETag));
    nextToken = page.nextToken;
  } while (nextToken);
  return events;
}

/** Every exported file (path and SHA-256 of its bytes), after the run's export as `npm start` does it. */
async function exportedBytes(twin: Twin, folder: string): Promise<Record<string, string>> {
  await exportBucket(twin.s3, twin.bucket, folder);
  const files = readdirSync(folder, { recursive: true, withFileTypes: true }).filter((f) => f.isFile());
  return Object.fromEntries(
    files
      .map((f) => join(f.parentPath, f.name))
      .sort()
      .map((path) => [relative(folder, path), createHash('sha256').update(readFileSync(path)).digest('hex')]),
  );
}

/** Everything a run decides: its results, every history in full (as the API serves it), every exported byte. */
async function fingerprint(seed: number, name: string, calls = demo) {
  const twin = await startTwin({ dataDir: join(dir, name), seed });
  try {
    const results = await runCalls(twin, calls);
    const arnOf = (executionName: string) => `${twin.stateMachineArn.replace(':stateMachine:', ':execution:')}:${executionName}`;
    const histories = await Promise.all(results.map((r) => fullHistory(twin, arnOf(r.executionName))));
    const exported = await exportedBytes(twin, join(dir, `${name}-exported`));
    const perCall = results.map((r) => {
      const history = twin.engine.getExecution(arnOf(r.executionName)).history;
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
    return { perCall, histories, exported };
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
    expect(loaded.perCall).toEqual(quiet.perCall);
    // Every field of every event (inputs, outputs, causes with the services' request ids, HeadObject's LastModified).
    expect(loaded.histories).toEqual(quiet.histories);
    // The same recordings and manifests, byte for byte.
    expect(loaded.exported).toEqual(quiet.exported);
    expect(Object.keys(quiet.exported).length).toBeGreaterThan(20);
    // The demo covers every outcome, so the comparison is not of one easy path.
    expect(new Set(quiet.perCall.map((c) => c.outcome)).size).toBeGreaterThanOrEqual(6);
  }, 120_000);

  it('another seed draws other ids, with the same outcomes', async () => {
    const some = demo.slice(0, 6);
    const a = await fingerprint(42, 'a', some);
    const b = await fingerprint(43, 'b', some);
    expect(b.perCall.map((c) => c.executionName)).not.toEqual(a.perCall.map((c) => c.executionName));
    expect(b.perCall.map((c) => c.outcome)).toEqual(a.perCall.map((c) => c.outcome));
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
