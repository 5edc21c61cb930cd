/**
 * Drives scenario calls through the twin: each call is placed on the SMA emulator, and once it is connected the
 * recording workflow is started for it the on-demand way (StartExecution, as an operator or the CLI would),
 * through the real SFN client. The result of each call is read back with DescribeExecution.
 */
import { StartExecutionCommand } from '@aws-sdk/client-sfn';
import { executionNameFor } from '../../lambdas/shared/execution-name';
import { parseSummary, type WorkflowSummary } from '../../statemachines/summary';
import { BRIDGED_NUMBER, DIRECT_NUMBER, IVR_NUMBER, type Twin } from '../twin/twin';
import type { ScenarioCall } from './scenario-file';

export interface CallResult {
  name: string;
  executionName: string;
  /** Step Functions execution status: SUCCEEDED | FAILED | TIMED_OUT | ABORTED */
  status: string;
  outcome: string | null;
  startAttempts: number;
  recordingKey: string | null;
  manifestKey: string | null;
  /** The execution's duration in call time (virtual ms). */
  durationMs: number;
  /** Wall-clock ms from placing the call to its result. */
  wallMs: number;
  passed: boolean;
  /** Why the call did not meet its expectation. */
  mismatch?: string;
  /** The execution's summary (output, or the cause of a failed execution). */
  summary?: WorkflowSummary | string;
}

export interface RunOptions {
  /**
   * Names the stream each call's ids are drawn from (default `run:<n>/call:<index>`, n counting this twin's
   * runCalls): the same key and seed give the same TransactionId, CallIds and jitter.
   */
  keyOf?: (call: ScenarioCall, index: number) => string;
  /** Calls in flight at once (default: all). */
  concurrency?: number;
  onResult?: (result: CallResult, done: number, total: number) => void;
}

export async function runCalls(twin: Twin, calls: ScenarioCall[], options: RunOptions = {}): Promise<CallResult[]> {
  const results: CallResult[] = new Array(calls.length);
  const run = runCount.get(twin) ?? 0;
  runCount.set(twin, run + 1);
  const keyOf = options.keyOf ?? ((_: ScenarioCall, i: number) => `run:${run}/call:${i}`);
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < calls.length) {
      const i = next++;
      results[i] = await runCall(twin, calls[i], i, keyOf(calls[i], i));
      done++;
      options.onResult?.(results[i], done, calls.length);
    }
  };
  const width = Math.max(1, Math.min(options.concurrency ?? calls.length, calls.length));
  await Promise.all(Array.from({ length: width }, worker));
  return results;
}

/** runCalls made on each twin so far (so a second run on one twin draws new ids). */
const runCount = new WeakMap<Twin, number>();

async function runCall(twin: Twin, call: ScenarioCall, index: number, key: string): Promise<CallResult> {
  const wallStart = performance.now();
  // Ids come from the run's seed and the call's place in the file, never from the order calls happen to run in.
  const transactionId = twin.random.derive(key).uuid();
  const executionName = executionNameFor(transactionId);
  const handle = twin.emulator.placeCall({
    transactionId,
    from: `+1555020${String(index % 10000).padStart(4, '0')}`,
    to: dialledNumber(call),
    legs: call.legs,
    durationSeconds: call.durationSeconds,
    ...(call.digits ? { digits: call.digits } : {}),
    faults: call.faults,
  });
  await handle.connected;
  const input = {
    sipMediaApplicationId: twin.sipMediaApplicationId,
    transactionId,
    callId: handle.legA,
    track: call.track,
    location: call.location ?? twin.bucket,
    ...(call.consentText !== undefined ? { consentText: call.consentText } : {}),
  };
  const { executionArn } = await twin.sfn.send(
    new StartExecutionCommand({ stateMachineArn: twin.stateMachineArn, name: executionName, input: JSON.stringify(input) }),
  );
  await twin.engine.whenClosed(executionArn!);
  // Read from the engine, not through DescribeExecution: the runner is the harness, and a request per call costs
  // CPU the simulation would count (the API itself is tested in test/twin-parts).
  const described = twin.engine.describeExecution({ executionArn: executionArn! });
  // Keep going until the call itself is over (a late recording may still land after the verdict).
  await handle.ended;

  const summary = parseSummary(described.status === 'SUCCEEDED' ? described.output : described.cause);
  const outcome =
    described.status === 'SUCCEEDED' ? (summary?.outcome ?? null) : described.status === 'FAILED' ? (described.error ?? null) : null;
  const result: CallResult = {
    name: call.name,
    executionName,
    status: described.status ?? 'UNKNOWN',
    outcome,
    startAttempts: summary?.startAttempts.length ?? 0,
    recordingKey: summary?.recordingKey ?? null,
    manifestKey: summary?.manifestKey ?? null,
    durationMs: (described.stopDate?.getTime() ?? twin.clock.nowMs()) - (described.startDate?.getTime() ?? 0),
    wallMs: Math.round(performance.now() - wallStart),
    passed: true,
    summary: summary ?? described.cause,
  };
  const problems: string[] = [];
  if (call.expect?.outcome !== undefined && call.expect.outcome !== outcome)
    problems.push(`outcome ${outcome ?? result.status}, expected ${call.expect.outcome}`);
  if (call.expect?.startAttempts !== undefined && call.expect.startAttempts !== result.startAttempts)
    problems.push(`${result.startAttempts} start attempts, expected ${call.expect.startAttempts}`);
  if (problems.length) {
    result.passed = false;
    result.mismatch = problems.join('; ');
  }
  return result;
}

/** The twin routes each call to its application by the number dialled (twin.ts). */
function dialledNumber(call: ScenarioCall): string {
  if (call.app === 'ivr') return IVR_NUMBER;
  return call.legs === 2 ? BRIDGED_NUMBER : DIRECT_NUMBER;
}
