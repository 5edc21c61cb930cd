/**
 * The fault matrix: every fault of the scenario format, alone and in the combinations that matter, on one-
 * and two-leg calls, through the whole twin (SMA emulator -> real SMA Lambda -> Step Functions twin -> S3
 * twin). Each call must end in its named outcome with a complete audit: the manifest object (start attempts
 * with their errors, consent notice status, verification checks) and the recording's metadata and tags, all
 * read back with the real S3 client. Then the faults outside the scenario format: a spent task token sent
 * again, and a Step Functions endpoint that is down or hangs while the Lambda runs.
 *
 * The twin's discrete-event clock makes each cell a function of its faults and the seed, whatever the load;
 * at most 12 calls are in flight only to bound memory.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, GetObjectTaggingCommand, HeadObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { DescribeExecutionCommand, SendTaskFailureCommand, SendTaskSuccessCommand } from '@aws-sdk/client-sfn';
import { Arg, Command, TokenAttribute } from '../../lambdas/shared/workflow-contract';
import { DEFAULT_SETTINGS, verifyDeadlineSeconds } from '../../statemachines/definition';
import { runCalls, type CallResult } from '../../local/scenario/runner';
import type { ScenarioCall, ScenarioFaults } from '../../local/scenario/scenario-file';
import { checkResponse } from '../../local/sma/actions';
import type { CallHandle, CallSpec, TestFaults } from '../../local/sma/types';
import { startTwin, type Twin } from '../../local/twin/twin';
import { bundle, lambdaEnv, runChild } from '../../bench/lambda';
import { eventMix } from '../../bench/events';

const CONCURRENCY = 12;
const SE = 'SystemException';
/** About 66 s of Speak (15 characters a second): a hangup 30 s into the call lands inside the notice. */
const LONG_NOTICE = `This call is recorded. ${'Please stay on the line while the notice is read to you in full. '.repeat(15)}`.slice(
  0,
  990,
);

type Outcome = 'RECORDED' | 'NOT_RECORDED' | 'START_FAILED' | 'RECORDING_MISSING' | 'RECORDING_INVALID' | 'RECORDING_UNVERIFIED';
interface Cell {
  name: string;
  faults: ScenarioFaults & TestFaults;
  outcome: Outcome;
  /** The start attempts' results in order (STARTED / FAILED:<error> / CALL_ENDED), or a check of them. */
  attempts: string[] | ((results: string[]) => void);
  consent: 'DELIVERED' | 'NOT_DELIVERED' | 'FAILED' | 'NOT_ATTEMPTED';
  consentAttempts?: number;
  consentText?: string;
  /** Verification checks expected to fail (the others must pass); undefined when nothing landed in time. */
  failedChecks?: string[];
}

const single: Cell[] = [
  { name: 'no fault', faults: {}, outcome: 'RECORDED', attempts: ['STARTED'], consent: 'DELIVERED', consentAttempts: 1, failedChecks: [] },
  {
    name: 'SystemException on attempt 1',
    faults: { startRecording: [SE] },
    outcome: 'RECORDED',
    attempts: [`FAILED:${SE}`, 'STARTED'],
    consent: 'DELIVERED',
    failedChecks: [],
  },
  {
    name: 'SystemException on attempts 1-3 (the last allowed succeeds)',
    faults: { startRecording: [SE, SE, SE] },
    outcome: 'RECORDED',
    attempts: [`FAILED:${SE}`, `FAILED:${SE}`, `FAILED:${SE}`, 'STARTED'],
    consent: 'DELIVERED',
    failedChecks: [],
  },
  {
    name: 'SystemException on attempts 1-4 (retries exhausted)',
    faults: { startRecording: [SE, SE, SE, SE] },
    outcome: 'START_FAILED',
    attempts: [`FAILED:${SE}`, `FAILED:${SE}`, `FAILED:${SE}`, `FAILED:${SE}`],
    consent: 'NOT_ATTEMPTED',
  },
  {
    name: 'InvalidActionParameter (not retried)',
    faults: { startRecording: ['InvalidActionParameter'] },
    outcome: 'START_FAILED',
    attempts: ['FAILED:InvalidActionParameter'],
    consent: 'NOT_ATTEMPTED',
  },
  {
    name: 'NoAccessToDestination (not retried)',
    faults: { startRecording: ['NoAccessToDestination'] },
    outcome: 'START_FAILED',
    attempts: ['FAILED:NoAccessToDestination'],
    consent: 'NOT_ATTEMPTED',
  },
  // The caller is gone before the first update reaches the Lambda (0.2 s): the SMA drops it, the attempt times out, the retry finds no call.
  {
    name: 'hangup before recording starts',
    faults: { hangupAfterSeconds: 0 },
    outcome: 'NOT_RECORDED',
    attempts: ['FAILED:States.Timeout', 'CALL_ENDED:ChimeSdkVoice.NotFoundException'],
    consent: 'NOT_ATTEMPTED',
  },
  {
    name: 'hangup during the notice',
    faults: { hangupAfterSeconds: 30 },
    consentText: LONG_NOTICE,
    outcome: 'RECORDED',
    attempts: ['STARTED'],
    consent: 'NOT_DELIVERED',
    failedChecks: [],
  },
  {
    name: 'notice SystemException once (retried)',
    faults: { consent: [SE] },
    outcome: 'RECORDED',
    attempts: ['STARTED'],
    consent: 'DELIVERED',
    consentAttempts: 2,
    failedChecks: [],
  },
  {
    name: 'notice SystemException beyond its retries',
    faults: { consent: [SE, SE, SE, SE] },
    outcome: 'RECORDED',
    attempts: ['STARTED'],
    consent: 'FAILED',
    // the call flow's own notice (issue 21), then NotifyConsent's update and its two retries
    consentAttempts: 4,
    failedChecks: [],
  },
  {
    name: 'notice InvalidActionParameter (not retried)',
    faults: { consent: ['InvalidActionParameter'] },
    outcome: 'RECORDED',
    attempts: ['STARTED'],
    consent: 'FAILED',
    consentAttempts: 1,
    failedChecks: [],
  },
  {
    name: 'late delivery within the deadline',
    faults: { deliveryDelaySeconds: 40 },
    outcome: 'RECORDED',
    attempts: ['STARTED'],
    consent: 'DELIVERED',
    failedChecks: [],
  },
  {
    name: 'late delivery beyond the deadline',
    faults: { deliveryDelaySeconds: 500 },
    outcome: 'RECORDING_MISSING',
    attempts: ['STARTED'],
    consent: 'DELIVERED',
  },
  { name: 'dropped object', faults: { dropRecording: true }, outcome: 'RECORDING_MISSING', attempts: ['STARTED'], consent: 'DELIVERED' },
  {
    name: 'wrong call-id metadata',
    faults: { metadata: { 'call-id': 'someone-else' } },
    outcome: 'RECORDING_INVALID',
    attempts: ['STARTED'],
    consent: 'DELIVERED',
    failedChecks: ['call-id'],
  },
  {
    name: 'wrong transaction-id metadata',
    faults: { metadata: { 'transaction-id': 'another-call' } },
    outcome: 'RECORDING_INVALID',
    attempts: ['STARTED'],
    consent: 'DELIVERED',
    failedChecks: ['transaction-id'],
  },
  {
    name: 'empty body',
    faults: { emptyRecording: true },
    outcome: 'RECORDING_INVALID',
    attempts: ['STARTED'],
    consent: 'DELIVERED',
    failedChecks: ['has-audio'],
  },
  {
    name: 'duplicate SMA events',
    faults: { duplicateEvents: true },
    outcome: 'RECORDED',
    attempts: ['STARTED'],
    consent: 'DELIVERED',
    consentAttempts: 1,
    failedChecks: [],
  },
];

const combined: Cell[] = [
  {
    name: 'start retried twice + notice retried',
    faults: { startRecording: [SE, SE], consent: [SE] },
    outcome: 'RECORDED',
    attempts: [`FAILED:${SE}`, `FAILED:${SE}`, 'STARTED'],
    consent: 'DELIVERED',
    consentAttempts: 2,
    failedChecks: [],
  },
  {
    name: 'SystemException then InvalidActionParameter',
    faults: { startRecording: [SE, 'InvalidActionParameter'] },
    outcome: 'START_FAILED',
    attempts: [`FAILED:${SE}`, 'FAILED:InvalidActionParameter'],
    consent: 'NOT_ATTEMPTED',
  },
  {
    name: 'hangup while start attempts are failing',
    faults: { startRecording: [SE, SE, SE, SE], hangupAfterSeconds: 2 },
    outcome: 'NOT_RECORDED',
    // How many attempts fail before the hangup depends on timing; the last one always meets the ended call.
    attempts: (a) => {
      expect(a[a.length - 1]).toMatch(/^CALL_ENDED:/);
      for (const r of a.slice(0, -1)) expect(r).toBe(`FAILED:${SE}`);
    },
    consent: 'NOT_ATTEMPTED',
  },
  {
    name: 'duplicate events + start retried twice',
    faults: { duplicateEvents: true, startRecording: [SE, SE] },
    outcome: 'RECORDED',
    attempts: [`FAILED:${SE}`, `FAILED:${SE}`, 'STARTED'],
    consent: 'DELIVERED',
    failedChecks: [],
  },
  {
    name: 'duplicate events + hangup before recording',
    faults: { duplicateEvents: true, hangupAfterSeconds: 0 },
    outcome: 'NOT_RECORDED',
    attempts: ['FAILED:States.Timeout', 'CALL_ENDED:ChimeSdkVoice.NotFoundException'],
    consent: 'NOT_ATTEMPTED',
  },
  {
    name: 'dropped object + wrong metadata',
    faults: { dropRecording: true, metadata: { 'call-id': 'x' } },
    outcome: 'RECORDING_MISSING',
    attempts: ['STARTED'],
    consent: 'DELIVERED',
  },
  {
    name: 'late within the deadline + wrong call-id',
    faults: { deliveryDelaySeconds: 40, metadata: { 'call-id': 'x' } },
    outcome: 'RECORDING_INVALID',
    attempts: ['STARTED'],
    consent: 'DELIVERED',
    failedChecks: ['call-id'],
  },
  {
    name: 'empty body + notice failed',
    faults: { emptyRecording: true, consent: ['InvalidActionParameter'] },
    outcome: 'RECORDING_INVALID',
    attempts: ['STARTED'],
    consent: 'FAILED',
    failedChecks: ['has-audio'],
  },
];

interface Placed {
  cell: Cell;
  legs: 1 | 2;
  key: string;
}
const matrix: Placed[] = [
  ...single.flatMap((cell) => ([1, 2] as const).map((legs) => ({ cell, legs, key: `${cell.name} [${legs} leg${legs > 1 ? 's' : ''}]` }))),
  ...combined.map((cell, i) => ({ cell, legs: ((i % 2) + 1) as 1 | 2, key: `${cell.name} [${(i % 2) + 1} leg${i % 2 ? 's' : ''}]` })),
];

let twin: Twin;
let dataDir: string;
/** Every call the runner placed, by TransactionId (= execution name), with the emulator's handle. */
const handles = new Map<string, { spec: CallSpec; handle: CallHandle }>();
const results = new Map<string, CallResult>();

function watchCalls(t: Twin) {
  const place = t.emulator.placeCall.bind(t.emulator);
  t.emulator.placeCall = (spec: CallSpec) => {
    const handle = place(spec);
    handles.set(handle.transactionId, { spec, handle });
    return handle;
  };
}

const executionArn = (t: Twin, name: string) => `${t.stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;

async function s3Json(t: Twin, key: string): Promise<any> {
  const got = await t.s3.send(new GetObjectCommand({ Bucket: t.bucket, Key: key }));
  return JSON.parse(await got.Body!.transformToString());
}
async function tagsOf(t: Twin, key: string): Promise<Record<string, string>> {
  const { TagSet } = await t.s3.send(new GetObjectTaggingCommand({ Bucket: t.bucket, Key: key }));
  return Object.fromEntries((TagSet ?? []).map((tag) => [tag.Key!, tag.Value!]));
}
async function keysFor(t: Twin, transactionId: string): Promise<string[]> {
  const listed = await t.s3.send(new ListObjectsV2Command({ Bucket: t.bucket }));
  return (listed.Contents ?? []).map((o) => o.Key!).filter((k) => k.includes(transactionId));
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'fault-matrix-'));
  twin = await startTwin({ dataDir, seed: 11 });
  watchCalls(twin);
  // The slowest calls (waiting out the verification deadline) go first; at most CONCURRENCY in flight, so
  // that one round trip through the Lambda stays a few virtual seconds even on a busy 2-core machine.
  const slow = (m: Placed) => (m.cell.faults.dropRecording || (m.cell.faults.deliveryDelaySeconds ?? 0) > 100 ? 0 : 1);
  const calls: ScenarioCall[] = [...matrix]
    .sort((a, b) => slow(a) - slow(b))
    .map((m) => ({
      name: m.key,
      track: 'BOTH',
      legs: m.legs,
      durationSeconds: 120,
      // duplicateEvents is a test-only emulator fault (not in the scenario format); the runner hands faults on as they are.
      faults: m.cell.faults as ScenarioFaults,
      ...(m.cell.consentText ? { consentText: m.cell.consentText } : {}),
    }));
  for (const r of await runCalls(twin, calls, { concurrency: CONCURRENCY })) results.set(r.name, r);
}, 120_000);

afterAll(async () => {
  await twin?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe.each(matrix.map((m) => [m.key, m] as const))('%s', (key, { cell, legs }) => {
  it(`ends ${cell.outcome} with a complete audit`, async () => {
    const r = results.get(key)!;
    expect(r.outcome).toBe(cell.outcome);
    const { handle } = handles.get(r.executionName)!;
    const summary = await handle.ended;
    expect(summary.aborted).toBe(false);

    // The manifest: written for every outcome, read back from S3.
    expect(r.manifestKey).toEqual(expect.any(String));
    const manifest = await s3Json(twin, r.manifestKey!);
    expect(manifest).toEqual(
      expect.objectContaining({
        schemaVersion: '1',
        outcome: cell.outcome,
        track: 'BOTH',
        execution: expect.objectContaining({ name: r.executionName }),
      }),
    );
    expect(manifest.call).toEqual(expect.objectContaining({ transactionId: handle.transactionId, callId: handle.legA }));

    const attempts: string[] = manifest.startAttempts.map((a: any) => (a.result === 'STARTED' ? 'STARTED' : `${a.result}:${a.error}`));
    if (typeof cell.attempts === 'function') cell.attempts(attempts);
    else expect(attempts).toEqual(cell.attempts);
    manifest.startAttempts.forEach((a: any, i: number) => {
      expect(a.attempt).toBe(i + 1);
      expect(Date.parse(a.endedAt)).toBeGreaterThanOrEqual(Date.parse(a.startedAt));
      if (a.result !== 'STARTED') expect(a.cause).toEqual(expect.any(String));
    });

    expect(manifest.consentNotice.status).toBe(cell.consent);
    if (cell.consentAttempts !== undefined) expect(manifest.consentNotice.attempts).toBe(cell.consentAttempts);
    if (cell.consent === 'DELIVERED') {
      expect(manifest.consentNotice.legs).toEqual(legs === 2 ? ['LEG-A', 'LEG-B'] : ['LEG-A']);
      expect(Date.parse(manifest.consentNotice.completedAt)).not.toBeNaN();
    }
    if (cell.consent === 'FAILED' || cell.consent === 'NOT_DELIVERED') expect(manifest.consentNotice.error).toEqual(expect.any(String));

    const keys = await keysFor(twin, handle.transactionId);
    if (cell.outcome === 'NOT_RECORDED' || cell.outcome === 'START_FAILED') {
      // Nothing recorded: the manifest sits under manifests/ and no recording exists for the call.
      expect(manifest.recording).toBeNull();
      expect(r.manifestKey).toMatch(/\/manifests\//);
      expect(keys.filter((k) => k.endsWith('.wav'))).toEqual([]);
      expect(summary.recordings).toEqual([]);
      return;
    }

    expect(manifest.recording).toEqual(expect.objectContaining({ bucket: twin.bucket, key: r.recordingKey }));
    expect(r.manifestKey).toBe(r.recordingKey!.replace(/\.wav$/, '.manifest.json'));
    expect(summary.recordings).toHaveLength(1); // one recording per call, whatever was retried or duplicated
    if (cell.outcome === 'RECORDING_MISSING') {
      expect(manifest.verification).toEqual(expect.objectContaining({ landed: false }));
      if (cell.faults.dropRecording) {
        expect(manifest.verification.polls).toBe(twin.settings.VerifyMaxRetries + 1);
        expect(keys.filter((k) => k.endsWith('.wav'))).toEqual([]);
      } else {
        // It landed after the verdict: the call's end waited for it (handle.ended), later than the deadline.
        const rec = summary.recordings[0];
        expect(rec.status).toBe('delivered');
        expect(rec.deliveredAtMs! - rec.stoppedAtMs!).toBeGreaterThan(verifyDeadlineSeconds(twin.settings) * 1000);
      }
      return;
    }

    // Landed in time: verification checks, the object's metadata and its tags.
    const checks: Array<{ check: string; passed: boolean }> = manifest.verification.checks;
    expect(checks.map((c) => c.check)).toEqual(['has-audio', 'format', 'transaction-id', 'call-id', 'recording-duration']);
    expect(checks.filter((c) => !c.passed).map((c) => c.check)).toEqual(cell.failedChecks);
    expect(manifest.verification).toEqual(expect.objectContaining({ landed: true, passed: cell.outcome === 'RECORDED' }));
    if (cell.faults.deliveryDelaySeconds) expect(manifest.verification.polls).toBeGreaterThan(1);

    const head = await twin.s3.send(new HeadObjectCommand({ Bucket: twin.bucket, Key: r.recordingKey! }));
    expect(head.ContentType).toBe('audio/wav');
    expect(head.Metadata).toEqual(
      expect.objectContaining({
        'transaction-id': cell.faults.metadata?.['transaction-id'] ?? handle.transactionId,
        'call-id': cell.faults.metadata?.['call-id'] ?? handle.legA,
        'recording-audio-file-format': 'audio/wav',
      }),
    );
    if (cell.faults.emptyRecording) expect(head.ContentLength).toBe(44);
    else expect(head.ContentLength).toBeGreaterThan(44);
    expect(await tagsOf(twin, r.recordingKey!)).toEqual({
      'recording-status': cell.outcome,
      'consent-notice': cell.consent,
      'start-attempts': String(attempts.length),
    });
  });

  if (cell.faults.duplicateEvents) {
    it('every event reached the Lambda twice and every answer was a valid SMA response', async () => {
      const r = results.get(key)!;
      const { handle } = handles.get(r.executionName)!;
      const bySequence = new Map<number, number[]>();
      for (const rec of handle.log) bySequence.set(rec.sequence, [...(bySequence.get(rec.sequence) ?? []), rec.attempt]);
      for (const [, deliveries] of bySequence) expect(deliveries.sort()).toEqual([1, 2]);
      for (const rec of handle.log) {
        expect(rec.error).toBeUndefined();
        expect(checkResponse(rec.response).ok).toBe(true);
      }
      // The duplicate of each callback event found its token spent: the execution saw each task complete once.
      const info = twin.engine.getExecution(executionArn(twin, r.executionName));
      const succeeded = info.history.filter((e) => e.type === 'TaskSucceeded').length;
      const scheduled = info.history.filter((e) => e.type === 'TaskScheduled').length;
      expect(succeeded).toBeLessThanOrEqual(scheduled);
    });
  }
});

describe('a task token used twice', () => {
  it('is refused while the execution runs on, and after it ended, without changing the execution', async () => {
    const before = handles.size;
    // Stop the twin's clock one virtual second after the Lambda's second task callback (the notice's, which follows the
    // start in its own answer): StartRecording's and NotifyConsent's tokens are spent, the workflow waits for the
    // call's end (its token in the mailbox's WaitForCallEnd slot), and the call goes on.
    const update = twin.emulator.updateCall.bind(twin.emulator);
    const note = twin.emulator.noteTaskCallback.bind(twin.emulator);
    let startToken = '';
    twin.emulator.updateCall = (transactionId, args) => {
      if (args[Arg.command] === Command.StartRecording) startToken = args[Arg.taskToken] ?? '';
      update(transactionId, args);
    };
    let release: () => void = () => undefined;
    const callbacks = new Map<string, number>();
    const waiting = new Promise<void>((resolve) => {
      twin.emulator.noteTaskCallback = (transactionId) => {
        note(transactionId);
        const n = (callbacks.get(transactionId) ?? 0) + 1;
        callbacks.set(transactionId, n);
        if (n === 2)
          void twin.clock.sleep(1000).then(() => {
            release = twin.clock.busy();
            resolve();
          });
      };
    });
    const run = runCalls(twin, [{ name: 'token-reuse', track: 'BOTH', legs: 2, durationSeconds: 120, faults: {} }]);
    await waiting;
    twin.emulator.updateCall = update;
    twin.emulator.noteTaskCallback = note;
    const handle: CallHandle | undefined = [...handles.values()].slice(before).map((h) => h.handle)[0];
    expect(startToken).not.toBe('');
    const slot = await twin.s3.send(
      new GetObjectCommand({ Bucket: DEFAULT_SETTINGS.MailboxBucket, Key: `mailbox/${handle!.transactionId}/WaitForCallEnd.json` }),
    );
    const endToken = JSON.parse(await slot.Body!.transformToString()).taskToken as string;
    const arn = executionArn(twin, handle!.transactionId);
    const eventsBefore = twin.engine.getExecution(arn).history.length;

    const refusal = (p: Promise<unknown>) =>
      p.then(
        () => 'accepted',
        (e: Error) => e.name,
      );
    const stale = ['TaskDoesNotExist', 'TaskTimedOut', 'InvalidToken'];
    expect(stale).toContain(
      await refusal(
        twin.sfn.send(
          new SendTaskSuccessCommand({ taskToken: startToken, output: JSON.stringify({ location: `${twin.bucket}/forged.wav` }) }),
        ),
      ),
    );
    expect(stale).toContain(
      await refusal(twin.sfn.send(new SendTaskFailureCommand({ taskToken: startToken, error: 'SystemException', cause: 'replayed' }))),
    );
    expect((await twin.sfn.send(new DescribeExecutionCommand({ executionArn: arn }))).status).toBe('RUNNING');
    // Nothing was added to the history by the refused callbacks (the call goes on, so only compare the prefix).
    const mid = twin.engine.getExecution(arn).history;
    expect(mid.slice(0, eventsBefore).map((e) => e.type)).toEqual(mid.slice(0, eventsBefore).map((e) => e.type));
    expect(mid.filter((e) => e.type === 'TaskFailed')).toEqual([]);

    release();
    const [result] = await run;
    expect(result.outcome).toBe('RECORDED');
    expect(result.startAttempts).toBe(1);
    expect((result.summary as any).recordingKey).not.toMatch(/forged/);
    const after = twin.engine.getExecution(arn);
    expect(stale).toContain(await refusal(twin.sfn.send(new SendTaskSuccessCommand({ taskToken: endToken, output: '{}' }))));
    const described = await twin.sfn.send(new DescribeExecutionCommand({ executionArn: arn }));
    expect(described.status).toBe('SUCCEEDED');
    expect(twin.engine.getExecution(arn).history).toHaveLength(after.history.length);
    expect(JSON.parse(described.output!).outcome).toBe('RECORDED');
  }, 60_000);
});

/** A port nothing listens on: bound, then closed again. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('Step Functions unreachable from the SMA Lambda', () => {
  it('the calls go on with valid SMA responses and the workflow times out into START_FAILED', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fault-sfn-down-'));
    const down = await startTwin({
      dataDir: dir,
      seed: 12,
      lambdaSfnEndpoint: `http://127.0.0.1:${await closedPort()}`,
      // Short bounds keep it quick: every callback is lost, so each attempt ends by its timeout.
      settings: { StartAttemptTimeoutSeconds: 20, StartMaxAttempts: 2, StartIntervalSeconds: 1 },
    });
    const placed: CallHandle[] = [];
    const place = down.emulator.placeCall.bind(down.emulator);
    down.emulator.placeCall = (spec: CallSpec) => {
      const h = place(spec);
      placed.push(h);
      return h;
    };
    try {
      const res = await runCalls(down, [
        { name: 'one leg', track: 'BOTH', legs: 1, durationSeconds: 60, faults: {} },
        { name: 'two legs', track: 'BOTH', legs: 2, durationSeconds: 60, faults: {} },
      ]);
      for (const r of res) {
        expect(r.outcome).toBe('START_FAILED');
        const manifest = await s3Json(down, r.manifestKey!);
        expect(manifest.startAttempts.map((a: any) => `${a.result}:${a.error}`)).toEqual([
          'FAILED:States.Timeout',
          'FAILED:States.Timeout',
        ]);
      }
      for (const handle of placed) {
        const summary = await handle.ended;
        expect(summary.aborted).toBe(false);
        // The SMA never had to retry or hang up: every invocation was answered with a valid response.
        expect(summary.notes.filter((n) => /did not answer|SIP 480|INVALID_LAMBDA_RESPONSE/.test(n))).toEqual([]);
        for (const rec of handle.log) {
          expect(rec.error).toBeUndefined();
          expect(rec.attempt).toBe(1);
          expect(checkResponse(rec.response).ok).toBe(true);
        }
        // The call ran its course: the caller hung up at the end of its 60 s.
        const hangups = handle.log.filter((rec) => rec.eventType === 'HANGUP');
        expect(hangups.length).toBeGreaterThan(0);
        expect(summary.participants.every((p) => p.Status === 'Disconnected')).toBe(true);
      }
    } finally {
      await down.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});

describe('Step Functions hanging (accepts connections, never answers), on the deployed bundle', () => {
  let hole: Server;
  let bundleDir: string;
  beforeAll(async () => {
    hole = createServer(() => undefined); // keeps every socket open, answers nothing
    await new Promise<void>((resolve) => hole.listen(0, '127.0.0.1', resolve));
    bundleDir = mkdtempSync(join(tmpdir(), 'fault-bundle-'));
  });
  afterAll(() => {
    hole.close();
    rmSync(bundleDir, { recursive: true, force: true });
  });

  it('each callback gives up at SFN_REQUEST_TIMEOUT_MS and the SMA gets a valid response long before its 5 s', async () => {
    const { outfile } = bundle(join(__dirname, '..', '..', 'lambdas', 'sma-handler', 'index.ts'), join(bundleDir, 'index.js'));
    const callbacks = eventMix().filter((m) => m.callsSfn);
    const env = lambdaEnv(`http://127.0.0.1:${(hole.address() as { port: number }).port}`, { SFN_REQUEST_TIMEOUT_MS: '300' });
    const started = performance.now();
    const { result, stderr } = await runChild<{ results: Array<{ response?: any; thrown?: string }> }>(
      outfile,
      'invoke',
      callbacks.map((c) => c.event),
      env,
      { captureStdout: true },
    );
    const perEventMs = (performance.now() - started) / callbacks.length;
    for (const r of result.results) {
      expect(r.thrown).toBeUndefined();
      expect(checkResponse(r.response).ok).toBe(true);
      // The spent token leaves the attributes even though the callback was lost: nothing re-sends it.
      expect(
        Object.keys(r.response.TransactionAttributes ?? {}).filter(
          (k) => Object.values(TokenAttribute).includes(k) && k !== TokenAttribute.WaitForCallEnd,
        ),
      ).toEqual([]);
    }
    const errors = stderr
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l));
    expect(errors.filter((l) => /task callback failed/.test(l.message)).map((l) => l.error)).toEqual(callbacks.map(() => 'TimeoutError'));
    expect(errors.filter((l) => /ran out of time/.test(l.message))).toEqual([]); // not rescued by middy's timeoutEarly
    // 2 attempts of 300 ms each, plus backoff: well under the 3.5 s at which timeoutEarly would answer.
    expect(perEventMs).toBeLessThan(2000);
  }, 60_000);
});
