/**
 * Billed state transitions per call, for each workflow outcome, counted by the Step Functions twin
 * (engine.getExecution(arn).stateTransitions: every state entered plus every Retry attempt, which is how
 * Standard workflows are billed). Each path runs several times through the whole twin (SMA emulator,
 * real Lambda, S3), because VerifyRecording's polls depend on when the object lands: the first HeadObject
 * runs as the call ends, before the recording is written, and each further poll is one more transition.
 * Speed 20 keeps the twin's own write latency (a few ms of wall time) well under the first 5 s poll interval.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCalls } from '../local/scenario/runner';
import type { ScenarioCall, ScenarioFaults } from '../local/scenario/scenario-file';
import { startTwin } from '../local/twin/twin';

/** us-east-1 Standard workflows, per state transition; the monthly free tier (4,000) is ignored. */
export const PRICE_PER_1000_TRANSITIONS_USD = 0.025;
export const PRICE_TAKEN_ON = '2026-11-25';

export interface PathSpec {
  path: string;
  outcome: string;
  faults?: ScenarioFaults;
  location?: string;
  legs?: 1 | 2;
}

export const PATHS: PathSpec[] = [
  { path: 'happy path', outcome: 'RECORDED' },
  { path: 'two start retries', outcome: 'RECORDED', faults: { startRecording: ['SystemException', 'SystemException'] } },
  { path: 'NOT_RECORDED (hangup before start)', outcome: 'NOT_RECORDED', faults: { hangupAfterSeconds: 0 }, legs: 1 },
  { path: 'START_FAILED, not retryable', outcome: 'START_FAILED', faults: { startRecording: ['InvalidActionParameter'] } },
  {
    path: 'START_FAILED, max retries',
    outcome: 'START_FAILED',
    faults: { startRecording: ['SystemException', 'SystemException', 'SystemException', 'SystemException'] },
  },
  { path: 'RECORDING_MISSING (dropped)', outcome: 'RECORDING_MISSING', faults: { dropRecording: true } },
  { path: 'RECORDING_INVALID (wrong call-id)', outcome: 'RECORDING_INVALID', faults: { metadata: { 'call-id': 'other' } } },
  { path: 'INVALID_INPUT', outcome: 'INVALID_INPUT', location: 'Not_A_Bucket/x' },
];

export interface PathResult {
  path: string;
  outcome: string;
  runs: number;
  min: number;
  max: number;
  median: number;
  /** calls that did not reach the expected outcome (should be 0) */
  mismatches: number;
}

export async function measureTransitions(repeats = 5, seed = 20): Promise<PathResult[]> {
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-transitions-'));
  const twin = await startTwin({ dataDir, seed });
  try {
    const calls: ScenarioCall[] = PATHS.flatMap((p, i) =>
      Array.from({ length: repeats }, (_, r) => ({
        name: `${i}-${r}`,
        track: 'BOTH' as const,
        legs: p.legs ?? (((r % 2) + 1) as 1 | 2),
        durationSeconds: 60,
        location: p.location,
        faults: p.faults ?? {},
        expect: { outcome: p.outcome as never },
      })),
    );
    const results = await runCalls(twin, calls, { concurrency: 10 });
    const executionPrefix = twin.stateMachineArn.replace(':stateMachine:', ':execution:');
    return PATHS.map((p, i) => {
      const mine = results.filter((r) => r.name.startsWith(`${i}-`));
      const counts = mine
        .map((r) => twin.engine.getExecution(`${executionPrefix}:${r.executionName}`).stateTransitions)
        .sort((a, b) => a - b);
      return {
        path: p.path,
        outcome: p.outcome,
        runs: counts.length,
        min: counts[0],
        max: counts[counts.length - 1],
        median: counts[Math.floor(counts.length / 2)],
        mismatches: mine.filter((r) => !r.passed).length,
      };
    });
  } finally {
    await twin.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

export const costPer1000Calls = (transitions: number) => (transitions * 1000 * PRICE_PER_1000_TRANSITIONS_USD) / 1000;
