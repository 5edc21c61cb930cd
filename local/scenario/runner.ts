/**
 * Drives scenario calls through the twin: each call is placed on the SMA emulator, and its recording workflow is
 * started as its `record` says: by default once it is connected, the on-demand way (StartExecution, as an
 * operator or the CLI would, through the real SFN client); `{"by": "demand", "atSeconds": N}` the same N virtual
 * seconds after answer; `{"by": "policy"}` by the SMA Lambda itself (AUTO_RECORD=on: the call dials the twin's
 * policy application). The result of each call is read from the engine.
 *
 * With quotas (twin.account), a call over the SMA's active-call limit is refused before the SMA invokes the Lambda
 * (status REJECTED), and a start the account throttles leaves the call without a workflow (status NOT_STARTED).
 */
import { ChimeSDKVoiceClient } from '@aws-sdk/client-chime-sdk-voice';
import { StartExecutionCommand } from '@aws-sdk/client-sfn';
import { executionNameFor } from '../../lambdas/shared/execution-name';
import { parseSummary, type WorkflowSummary } from '../../statemachines/summary';
import type { CallHandle, RecordingRecord } from '../sma/types';
import { trackClient } from '../twin/clock-tracking';
import { reuseSigner } from '../twin/sdk-signer';
import { TWIN_CREDENTIALS } from '../twin/credentials';
import {
  BRIDGED_NUMBER,
  DIRECT_NUMBER,
  IVR_NUMBER,
  POLICY_BRIDGED_NUMBER,
  POLICY_DIRECT_NUMBER,
  TWIN_REGION,
  type Twin,
} from '../twin/twin';
import { type ControlSent, sendControls } from './recording-controls';
import { mapPool } from '../../cli/pool';
import type { ScenarioCall } from './scenario-file';
import { type CallFlow, callFlowOf, type RecordingSignature } from './call-flow';
import type { Reconciliation } from '../events/landing-events';

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
  /**
   * The call's recordings as the SMA emulator ended them: each with its pause windows (`pauses`, virtual ms),
   * the controls the SMA applied (`controls`), and how and when it stopped (`stopCause`, `stoppedAtMs`).
   */
  recordings: RecordingRecord[];
  /** The scenario's `controls`, as sent (requestId, virtual ms, the Chime API's answer). */
  controls: ControlSent[];
  /** Virtual epoch ms the call was answered: the scenario's `atSeconds` count from here. */
  answeredAtMs?: number;
  /** What the caller lived through: every action, whose, when, how it ended (call-flow.ts). */
  callFlow: CallFlow;
  /** How its recording was started: `policy`, `demand` (a StartExecution after answer, the default's included). */
  recordBy: 'policy' | 'demand';
  /** The StartExecution the runner sent was throttled (the call has no workflow: status NOT_STARTED). */
  startThrottled?: boolean;
  /**
   * What reconciliation found (issue 22): null when every recording of the call was accounted for by its own
   * workflow (or none landed); else the first recording the Reconcile branch amended (LANDED_LATE,
   * LATE_RECORDING_DELETED, UNKNOWN_RECORDING).
   */
  lateRecording: LateRecording | null;
  /** Every Reconcile execution the call's recordings started, as they ended. */
  reconciliations: Reconciliation[];
}

export interface LateRecording {
  outcome: string | null;
  /** The tag it got: LANDED_LATE, LANDED_AFTER_<verdict>, UNKNOWN_RECORDING (absent when deleted). */
  recordingStatus: string | null;
  key: string;
  manifestKey: string | null;
  originalVerdict: string | null;
  deleted: boolean;
  checksPassed: boolean | null;
  executionArn: string;
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
  /** A call was placed on the emulator (the console reads its call flow live from the handle). */
  onPlaced?: (executionName: string, handle: CallHandle, call: ScenarioCall) => void;
  /** When each call arrives, in virtual ms after runCalls starts (default: at once). Calls wait in virtual time. */
  arrivalMsOf?: (call: ScenarioCall, index: number) => number;
}

export async function runCalls(twin: Twin, calls: ScenarioCall[], options: RunOptions = {}): Promise<CallResult[]> {
  const run = runCount.get(twin) ?? 0;
  runCount.set(twin, run + 1);
  const keyOf = options.keyOf ?? ((_: ScenarioCall, i: number) => `run:${run}/call:${i}`);
  const startMs = twin.clock.nowMs();
  // The Chime SDK Voice client scenario controls are sent with: made on first use, one per run.
  let chime: ChimeSDKVoiceClient | undefined;
  const chimeClient = () => {
    chime ??= trackClient(
      reuseSigner(new ChimeSDKVoiceClient({ endpoint: twin.endpoints.chimesdkvoice, region: TWIN_REGION, credentials: TWIN_CREDENTIALS })),
      twin.clock,
    );
    return chime;
  };
  try {
    return await mapPool(
      calls,
      options.concurrency ?? calls.length,
      (call, i) =>
        runCall(
          twin,
          call,
          i,
          keyOf(call, i),
          chimeClient,
          options.onPlaced,
          options.arrivalMsOf ? startMs + options.arrivalMsOf(call, i) : undefined,
        ),
      (done, result) => options.onResult?.(result, done, calls.length),
    );
  } finally {
    chime?.destroy();
  }
}

/** runCalls made on each twin so far (so a second run on one twin draws new ids). */
const runCount = new WeakMap<Twin, number>();

async function runCall(
  twin: Twin,
  call: ScenarioCall,
  index: number,
  key: string,
  chimeClient: () => ChimeSDKVoiceClient,
  onPlaced: RunOptions['onPlaced'],
  arrivalAtMs?: number,
): Promise<CallResult> {
  // Ids come from the run's seed and the call's place in the file, never from the order calls happen to run in.
  const transactionId = twin.random.derive(key).uuid();
  const executionName = executionNameFor(transactionId);
  if (arrivalAtMs !== undefined && arrivalAtMs > twin.clock.nowMs())
    await twin.clock.sleep(arrivalAtMs - twin.clock.nowMs(), undefined, { owner: transactionId, label: 'runner:arrival' });
  const wallStart = performance.now();
  const recordBy = call.record?.by ?? 'demand';
  const unstarted = (status: string, why: string, extra: Partial<CallResult> = {}): CallResult => ({
    name: call.name,
    executionName,
    status,
    outcome: null,
    startAttempts: 0,
    recordingKey: null,
    manifestKey: null,
    durationMs: 0,
    wallMs: Math.round(performance.now() - wallStart),
    passed: call.expect?.outcome === undefined,
    ...(call.expect?.outcome === undefined ? {} : { mismatch: `${why}, expected ${call.expect.outcome}` }),
    recordings: [],
    controls: [],
    recordBy,
    callFlow: { actions: [], bridged: false, recordingStartedAtSeconds: null },
    lateRecording: null,
    reconciliations: [],
    ...extra,
  });
  // The SMA's active-call limit (assumed: a new call over it is refused before the Lambda hears of it).
  if (twin.account && !twin.account.admitCall()) return unstarted('REJECTED', 'refused by the SMA: active calls at the limit');
  const handle = twin.emulator.placeCall({
    transactionId,
    from: call.from ?? `+1555020${String(index % 10000).padStart(4, '0')}`,
    to: dialledNumber(call, recordBy === 'policy'),
    legs: call.legs,
    durationSeconds: call.durationSeconds,
    ...(call.digits ? { digits: call.digits } : {}),
    ...(call.smaReadings ? { readings: call.smaReadings } : {}),
    faults: call.faults,
  });
  onPlaced?.(executionName, handle, call);
  if (twin.account) void handle.ended.then(() => twin.account?.endCall());
  await handle.connected;
  const callOver = new AbortController();
  void handle.ended.then(() => callOver.abort());
  const controls = call.controls?.length
    ? sendControls({
        clock: twin.clock,
        chime: chimeClient(),
        sipMediaApplicationId: twin.sipMediaApplicationId,
        transactionId,
        controls: call.controls,
        answeredAtMs: handle.connectedAtMs ?? twin.clock.nowMs(),
        random: twin.random.derive(`${key}/controls`),
        signal: callOver.signal,
      })
    : Promise.resolve([]);
  const input = {
    sipMediaApplicationId: twin.sipMediaApplicationId,
    transactionId,
    callId: handle.legA,
    track: call.track,
    location: call.location ?? twin.bucket,
    ...(call.consentText !== undefined ? { consentText: call.consentText } : {}),
    ...(call.optOutDigit !== undefined ? { optOutDigit: call.optOutDigit } : {}),
    ...(call.from !== undefined ? { caller: call.from } : {}),
  };
  const executionArn = `${twin.stateMachineArn.replace(':stateMachine:', ':execution:')}:${executionName}`;
  if (recordBy === 'demand') {
    const atMs = call.record?.by === 'demand' ? call.record.atSeconds * 1000 : 0;
    const startedAt = (handle.connectedAtMs ?? twin.clock.nowMs()) + atMs;
    const waited =
      startedAt <= twin.clock.nowMs() ||
      (await twin.clock.sleep(startedAt - twin.clock.nowMs(), callOver.signal, { owner: transactionId, label: 'runner:demand' }).then(
        () => true,
        () => false,
      ));
    if (!waited) {
      await handle.ended;
      await controls;
      return unstarted('NOT_STARTED', 'the call ended before its on-demand start');
    }
    try {
      await twin.sfn.send(
        new StartExecutionCommand({ stateMachineArn: twin.stateMachineArn, name: executionName, input: JSON.stringify(input) }),
      );
    } catch (e) {
      if ((e as Error).name !== 'ThrottlingException') throw e;
      const ended = await handle.ended;
      return unstarted('NOT_STARTED', 'StartExecution throttled', {
        startThrottled: true,
        callFlow: callFlowOf(ended, recordingSignature(twin, call)),
        recordings: ended.recordings,
        controls: await controls,
        answeredAtMs: handle.connectedAtMs,
      });
    }
  } else {
    // By policy the Lambda started it at answer, if it could: known once the call is over.
    const ended = await handle.ended;
    if (!executionExists(twin, executionArn))
      return unstarted('NOT_STARTED', 'the SMA Lambda started no workflow', {
        callFlow: callFlowOf(ended, recordingSignature(twin, call)),
        recordings: ended.recordings,
        controls: await controls,
        answeredAtMs: handle.connectedAtMs,
      });
  }
  await twin.engine.whenClosed(executionArn);
  // Read from the engine, not through DescribeExecution: the runner is the harness, and a request per call costs
  // CPU the simulation would count (the API itself is tested in test/local).
  const described = twin.engine.describeExecution({ executionArn });
  // Keep going until the call itself is over (a late recording may still land after the verdict), and its
  // recordings reconciled (their S3 events' executions ended).
  const ended = await handle.ended;
  const reconciliations = await reconciled(twin, ended.recordings);

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
    recordings: ended.recordings,
    controls: await controls,
    answeredAtMs: handle.connectedAtMs,
    callFlow: callFlowOf(ended, recordingSignature(twin, call)),
    recordBy,
    lateRecording: lateRecordingOf(reconciliations),
    reconciliations,
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

/** The Reconcile executions of the call's delivered recordings, once ended. */
async function reconciled(twin: Twin, recordings: RecordingRecord[]): Promise<Reconciliation[]> {
  const delivered = recordings.filter((r) => r.status === 'delivered');
  return (await Promise.all(delivered.map((r) => twin.landings.settled(r.bucket, r.key)))).flat();
}

/** The first reconciliation that amended the call's record (not RECORDING_ACCOUNTED_FOR), as the scenario JSON gives it. */
export function lateRecordingOf(reconciliations: Reconciliation[]): LateRecording | null {
  const late = reconciliations.find((r) => r.outcome !== 'RECORDING_ACCOUNTED_FOR');
  if (!late) return null;
  const r = (late.result ?? {}) as {
    recordingStatus?: string;
    key?: string;
    manifestKey?: string;
    call?: { originalVerdict?: string };
    deletion?: { status?: string } | null;
    verification?: { passed?: boolean } | null;
  };
  return {
    outcome: late.outcome,
    recordingStatus: r.recordingStatus ?? null,
    key: r.key ?? '',
    manifestKey: r.manifestKey ?? null,
    originalVerdict: r.call?.originalVerdict ?? null,
    deleted: r.deletion?.status === 'DELETED',
    checksPassed: typeof r.verification?.passed === 'boolean' ? r.verification.passed : null,
    executionArn: late.executionArn,
  };
}

/** A placed call's flow so far (live: the handle's arrays grow as the call goes on). */
export function liveCallFlow(twin: Twin, handle: CallHandle, call: ScenarioCall): CallFlow {
  return callFlowOf(
    { participants: handle.participants(), actions: handle.actions, recordings: handle.recordings },
    recordingSignature(twin, call),
  );
}

/** How the recording's own actions are told apart in this call's flow. */
export function recordingSignature(twin: Twin, call: Pick<ScenarioCall, 'consentText'>): RecordingSignature {
  return { consentText: call.consentText ?? twin.settings.DefaultConsentText, keypadRegex: twin.keypadRegex };
}

/** The twin routes each call to its application by the number dialled (twin.ts). */
function dialledNumber(call: ScenarioCall, policy: boolean): string {
  if (call.to !== undefined) return call.to;
  if (call.app === 'ivr') return IVR_NUMBER;
  if (policy) return call.legs === 2 ? POLICY_BRIDGED_NUMBER : POLICY_DIRECT_NUMBER;
  return call.legs === 2 ? BRIDGED_NUMBER : DIRECT_NUMBER;
}

function executionExists(twin: Twin, executionArn: string): boolean {
  try {
    twin.engine.describeExecution({ executionArn });
    return true;
  } catch (e) {
    if ((e as Error).name === 'ExecutionDoesNotExist') return false;
    throw e;
  }
}
