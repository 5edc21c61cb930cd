/**
 * The recording-workflow CLI against the local twin, in-process: real calls on the SMA emulator, executions
 * started through the CLI's own `start`, then every command run through main(argv, io) with its output and
 * exit code captured. What the CLI reports is checked against the twin's own record of each execution.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StopExecutionCommand } from '@aws-sdk/client-sfn';
import { main } from '../../cli/main';
import { executionArnFor } from '../../cli/execution-ref';
import { BRIDGED_NUMBER, startTwin, TWIN_REGION, type Twin } from '../../local/twin/twin';
import type { CallHandle, Faults } from '../../local/sma/types';

jest.setTimeout(60_000);

let twin: Twin;
let dir: string;
let endpointsFile: string;

interface Run {
  code: number;
  out: string;
  err: string;
}

async function cli(args: string[], options: { tty?: boolean; env?: NodeJS.ProcessEnv; local?: boolean } = {}): Promise<Run> {
  let out = '';
  let err = '';
  const io = {
    stdout: { write: (s: string) => ((out += s), true) },
    stderr: { write: (s: string) => ((err += s), true), isTTY: options.tty ?? false },
  };
  const code = await main(options.local === false ? args : ['--local-file', endpointsFile, ...args], io, { env: options.env ?? {} });
  return { code, out, err };
}

interface PlacedCall {
  name: string;
  transactionId: string;
  handle: CallHandle;
  arn: string;
}

let seq = 0;
/** Places a call, starts its workflow with the CLI (`start`), and waits for the execution to close. */
async function recordCall(name: string, faults: Faults = {}, durationSeconds = 300): Promise<PlacedCall> {
  const transactionId = `cli-${name}-${++seq}-${Date.now().toString(36)}`;
  const handle = twin.emulator.placeCall({
    transactionId,
    from: `+1555020${String(seq).padStart(4, '0')}`,
    to: BRIDGED_NUMBER,
    legs: 2,
    durationSeconds,
    faults,
  });
  expect(await handle.connected).toBe(true);
  // The twin's clock would run the call on while the CLI starts up: hold it until the workflow is started.
  const hold = twin.clock.busy();
  const started = await cli([
    'start',
    '--transaction-id',
    transactionId,
    '--call-id',
    handle.legA,
    '--location',
    `${twin.bucket}/cli-tests`,
  ]).finally(hold);
  expect(started).toMatchObject({ code: 0 });
  expect(started.out).toContain('Started');
  const arn = executionArnFor(twin.stateMachineArn, transactionId);
  return { name, transactionId, handle, arn };
}

async function finished(call: PlacedCall) {
  await twin.engine.waitForExecution(call.arn);
  await call.handle.ended;
  return call;
}

/** The execution has entered `state` (and, the clock paused, is still there). */
function inState(arn: string, state: string): boolean {
  return twin.engine
    .getExecution(arn)
    .history.some((e) => e.type === 'TaskStateEntered' && (e as any).stateEnteredEventDetails?.name === state);
}

/** The twin's own view of an execution: the truth the CLI's reports are checked against. */
function truth(arn: string) {
  const e = twin.engine.getExecution(arn);
  const summary: any = e.output ?? (e.cause?.startsWith('{') ? JSON.parse(e.cause) : undefined);
  return {
    status: e.status,
    outcome: (summary?.outcome as string | undefined) ?? e.error ?? null,
    attempts: (summary?.startAttempts ?? []) as Array<{ error?: string; result: string }>,
  };
}

let ok: PlacedCall;
let retried: PlacedCall;
let exhausted: PlacedCall;
let invalidParam: PlacedCall;
let boundary: Date;
const SE = 'SystemException';

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cli-twin-'));
  twin = await startTwin({ dataDir: join(dir, 'data'), seed: 5 });
  endpointsFile = join(dir, 'endpoints.json');
  writeFileSync(
    endpointsFile,
    JSON.stringify({
      ...twin.endpoints,
      stateMachineArn: twin.stateMachineArn,
      region: TWIN_REGION,
      sipMediaApplicationId: twin.sipMediaApplicationId,
    }),
  );

  // Two batches with a boundary between them, for --since / --until.
  [ok, retried] = await Promise.all([recordCall('ok'), recordCall('retried', { startRecording: [SE, SE] })]).then((calls) =>
    Promise.all(calls.map(finished)),
  );
  await twin.clock.sleep(1000);
  boundary = new Date(twin.clock.nowMs());
  await twin.clock.sleep(1000);
  [exhausted, invalidParam] = await Promise.all([
    recordCall('exhausted', { startRecording: [SE, SE, SE, SE] }),
    recordCall('invalid-param', { startRecording: ['InvalidActionParameter'] }),
  ]).then((calls) => Promise.all(calls.map(finished)));
});

afterAll(async () => {
  await twin?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('start', () => {
  it('is idempotent per transaction: the same call again is reported (exit 0), not started again', async () => {
    const again = await cli([
      'start',
      '--transaction-id',
      ok.transactionId,
      '--call-id',
      ok.handle.legA,
      '--location',
      `${twin.bucket}/cli-tests`,
    ]);
    expect(again.code).toBe(0);
    expect(again.out).toContain('already exists for this call');
    expect(again.out).toContain(ok.arn);
    const json = await cli([
      'start',
      '--json',
      '--transaction-id',
      ok.transactionId,
      '--call-id',
      ok.handle.legA,
      '--location',
      twin.bucket,
      '--track',
      'INCOMING',
    ]);
    expect(json.code).toBe(0);
    const doc = JSON.parse(json.out);
    expect(doc).toMatchObject({ started: false, alreadyExists: true, sameCall: true, executionArn: ok.arn });
    expect(doc.note).toMatch(/track BOTH \(not INCOMING\).*not applied/);
  });

  it('refuses another call under a transaction that already has a workflow (exit 1, explained)', async () => {
    const r = await cli(['start', '--transaction-id', ok.transactionId, '--call-id', 'some-other-call', '--location', twin.bucket]);
    expect(r.code).toBe(1);
    expect(r.out).toContain(`already has a recording workflow for call ${ok.handle.legA}`);
  });

  it.each([
    [['--track', 'SIDEWAYS'], /--track \(track\): must be one of BOTH, INCOMING, OUTGOING, got "SIDEWAYS"/],
    [['--location', 'Not_A_Bucket/x'], /--location \(location\): bucket name may contain only lowercase/],
    [
      ['--location', 'call-recordings-local/../up'],
      /--location \(location\): key prefix must not contain empty, "\." or "\.\." path segments/,
    ],
    [['--call-id', 'a/b'], /--call-id \(callId\): may contain only/],
    [['--consent-text', '   '], /--consent-text \(consentText\): must be a non-blank string/],
  ])('validates %j with the shared rules: exit 2 naming the option', async (override, message) => {
    const args: Record<string, string> = { '--transaction-id': 'tx-validation', '--call-id': 'call-1', '--location': twin.bucket };
    for (let i = 0; i < override.length; i += 2) args[override[i]] = override[i + 1];
    const r = await cli(['start', ...Object.entries(args).flat()]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message);
    expect(twin.engine.listExecutions({ stateMachineArn: twin.stateMachineArn }).executions.some((e) => e.name === 'tx-validation')).toBe(
      false,
    );
  });

  it('--wait: follows the execution to its outcome (exit 0 when it SUCCEEDED)', async () => {
    const transactionId = `cli-wait-${Date.now().toString(36)}`;
    const handle = twin.emulator.placeCall({ transactionId, from: '+15550209999', to: BRIDGED_NUMBER, legs: 2, durationSeconds: 300 });
    expect(await handle.connected).toBe(true);
    const r = await cli([
      'start',
      '--wait',
      '60',
      '--transaction-id',
      transactionId,
      '--call-id',
      handle.legA,
      '--track',
      'INCOMING',
      '--location',
      twin.bucket,
    ]);
    await handle.ended;
    expect(r.code).toBe(0);
    expect(r.err).toContain('waiting up to 60 s');
    expect(r.out).toMatch(/Outcome\s+RECORDED/);
    expect(r.out).toContain('track INCOMING');
  });

  it('a missing option is a usage error naming it', async () => {
    const r = await cli(['start', '--transaction-id', 'tx-missing', '--location', twin.bucket]);
    expect(r).toMatchObject({ code: 2 });
    expect(r.err).toContain('--call-id (callId): is required');
  });
});

describe('status', () => {
  it('reports outcome, start attempts with errors, consent notice and keys, as the execution recorded them', async () => {
    for (const call of [ok, retried, exhausted, invalidParam]) {
      const t = truth(call.arn);
      const r = await cli(['status', '--json', call.transactionId]);
      expect(r.code).toBe(0);
      const s = JSON.parse(r.out);
      expect(s).toMatchObject({
        executionArn: call.arn,
        status: t.status,
        outcome: t.outcome,
        transactionId: call.transactionId,
        callId: call.handle.legA,
      });
      expect(s.startAttempts.map((a: any) => a.error ?? a.result)).toEqual(t.attempts.map((a) => a.error ?? a.result));
    }
    expect(truth(retried.arn)).toMatchObject({ status: 'SUCCEEDED', outcome: 'RECORDED' });
    expect(truth(retried.arn).attempts.map((a) => a.error ?? a.result)).toEqual([SE, SE, 'STARTED']);
  });

  it('RECORDED: recording and manifest keys under the requested prefix, consent notice time', async () => {
    const r = await cli(['status', ok.transactionId]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/Status\s+SUCCEEDED/);
    expect(r.out).toMatch(/Outcome\s+RECORDED/);
    expect(r.out).toMatch(/Start attempts\s+1\n/);
    expect(r.out).toMatch(/Consent notice\s+DELIVERED at \d{4}-\d{2}-\d{2}T/);
    expect(r.out).toMatch(new RegExp(`Recording key\\s+cli-tests/.*${ok.transactionId}.*\\.wav`));
    expect(r.out).toMatch(/Manifest key\s+cli-tests\/.*\.manifest\.json/);
    expect(r.out).not.toContain('Redrive');
  });

  it('START_FAILED after retries: every attempt with its error, in the text view too', async () => {
    const r = await cli(['status', exhausted.transactionId]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/Outcome\s+START_FAILED/);
    expect(r.out).toMatch(/Start attempts\s+4 \(4 failed: SystemException x4\)/);
    expect(r.out.match(/#\d\s+FAILED\s+\S+\s+\S*\s*SystemException/g)).toHaveLength(4);
    expect(r.out).toMatch(/Consent notice\s+NOT_ATTEMPTED/);
    expect(r.out).toMatch(/Manifest key\s+cli-tests\/manifests\/\d{4}\/\d{2}\/\d{2}\/.+\.manifest\.json/);
    expect(r.out).toMatch(/Redrive\s+REDRIVABLE/);
    const t = truth(invalidParam.arn);
    expect(t).toMatchObject({ status: 'FAILED', outcome: 'START_FAILED' });
    expect((await cli(['status', invalidParam.arn])).out).toMatch(/1 \(1 failed: InvalidActionParameter\)/);
  });

  it('a running execution: current state from the history, attempts so far', async () => {
    const call = await recordCall('running', {}, 2000);
    const release = await twin.clock.pauseWhen(() => inState(call.arn, 'WaitForCallEnd'));
    try {
      const r = await cli(['status', call.transactionId]);
      expect(r.code).toBe(0);
      expect(r.out).toMatch(/Status\s+RUNNING/);
      expect(r.out).toMatch(/Current state\s+WaitForCallEnd/);
      expect(r.out).toMatch(/Start attempts\s+1 {2}\[from the history\]/);
      expect(r.out).toMatch(/Consent notice\s+DELIVERED at /);
    } finally {
      release();
      await finished(call);
    }
  });

  it('pause | resume: sent through the Chime API, the workflow decides, the CLI prints the decision; pause while paused is reported, exit 0', async () => {
    const call = await recordCall('paused', {}, 2000);
    const decided = (n: number) => () =>
      twin.engine
        .getExecution(call.arn)
        .history.filter((e) => e.type.endsWith('StateExited'))
        .map((e) => (e as any).stateExitedEventDetails?.assignedVariables?.controls)
        .some((c) => typeof c === 'string' && JSON.parse(c).length >= n);
    // Each request is let through only once the Chime API has it, then time runs until the workflow decided
    // (and stands still there until the next request, or the end of the test).
    let hold: (() => void) | undefined;
    const run = async (args: string[], n: number, local = true) => {
      const release = hold ?? (await twin.clock.pauseWhen(() => inState(call.arn, 'WaitForCallEnd')));
      const received = new Promise<void>((resolve) => {
        const spy = jest.spyOn(twin.emulator, 'updateCall').mockImplementation(function (this: unknown, ...a) {
          spy.mockRestore();
          const r = twin.emulator.updateCall(...a);
          resolve();
          return r;
        });
      });
      const result = cli(args, { local });
      await received;
      const paused = twin.clock.pauseWhen(decided(n));
      release();
      const r = await result;
      hold = await paused;
      return r;
    };
    try {
      const paused = await run(['pause', call.transactionId, '--by', 'agent-7'], 1);
      expect(paused).toMatchObject({ code: 0 });
      expect(paused.out).toMatch(/^PAUSE applied at \S+ on leg \S+ \(requested by agent-7, request [0-9a-f-]{36}\)/);
      // Without the endpoints file: a loopback --endpoint is never AWS, so the Chime endpoint must be named too.
      const direct = ['--endpoint', twin.endpoints.stepfunctions, '--state-machine-arn', twin.stateMachineArn];
      const unnamed = await cli([...direct, 'pause', call.transactionId], { local: false });
      expect(unnamed.code).toBe(2);
      expect(unnamed.err).toMatch(/is loopback: name its Chime SDK Voice endpoint too with --chime-endpoint URL/);
      const chime = ['--chime-endpoint', twin.endpoints.chimesdkvoice];
      const again = await run([...direct, ...chime, 'pause', call.transactionId, '--by', 'agent-7', '--json'], 2, false);
      expect(again.code).toBe(0);
      expect(JSON.parse(again.out)).toMatchObject({
        action: 'PAUSE',
        result: 'NOT_APPLIED',
        reason: 'ALREADY_PAUSED',
        requestedBy: 'agent-7',
      });
    } finally {
      hold?.();
      await finished(call);
    }
    const over = await cli(['resume', call.transactionId]);
    expect(over.code).toBe(1);
    expect(over.err).toMatch(/the recording workflow of this call is SUCCEEDED: the call is over, nothing to resume/);
    const bad = await cli(['pause', call.transactionId, '--by', 'has space']);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/--by: must be 1-128 letters/);
  });

  it('an unknown execution: exit 1 with a clear message; a malformed reference: exit 2', async () => {
    const r = await cli(['status', 'no-such-transaction']);
    expect(r.code).toBe(1);
    expect(r.err).toContain('execution not found');
    expect(r.err).toContain('no-such-transaction');
    const bad = await cli(['status', 'not/a/transaction']);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/neither an execution ARN nor a valid transactionId/);
    const badArn = await cli(['status', 'arn:aws:states:us-east-1:123456789012:stateMachine:x']);
    expect(badArn.code).toBe(2);
  });
});

describe('history', () => {
  it('shows each StartRecording attempt: TaskScheduled (command, attempt) and TaskFailed SystemException', async () => {
    const r = await cli(['history', exhausted.transactionId]);
    expect(r.code).toBe(0);
    const lines = r.out.split('\n');
    const failed = lines.filter((l) => /TaskFailed\s+StartRecording\s+SystemException/.test(l));
    expect(failed).toHaveLength(4);
    for (let n = 1; n <= 4; n++)
      expect(
        lines.some((l) =>
          new RegExp(
            `TaskScheduled\\s+StartRecording\\s+aws-sdk:chimesdkvoice:updateSipMediaApplicationCall.waitForTaskToken\\s+command StartRecording, attempt ${n}$`,
          ).test(l),
        ),
      ).toBe(true);
    expect(lines.filter((l) => /WaitStateEntered\s+WaitBeforeStartRetry/.test(l))).toHaveLength(3);
    expect(r.out).toMatch(/ExecutionFailed\s+START_FAILED: summary: outcome START_FAILED, 4 start attempt\(s\)/);
    expect(r.out).toMatch(/^1\s+\+0\.000s\s+ExecutionStarted/m);
  });

  it('never prints a task token (table or --json), and paginates with nextToken', async () => {
    const events = twin.engine.getExecution(exhausted.arn).history;
    const tokens = events.flatMap((e) => {
      const p = (e as any).taskScheduledEventDetails?.parameters;
      const token = p ? (JSON.parse(p).Arguments?.taskToken as string | undefined) : undefined;
      return token ? [token] : [];
    });
    expect(tokens).toHaveLength(4);
    for (const token of tokens) expect(token).toMatch(/^[A-Za-z0-9_-]{300}$/);
    const table = await cli(['history', exhausted.transactionId]);
    const json = await cli(['history', '--json', '--page-size', '7', exhausted.arn]);
    expect(json.code).toBe(0);
    for (const token of tokens) {
      expect(table.out).not.toContain(token);
      expect(json.out).not.toContain(token);
    }
    const doc = JSON.parse(json.out);
    expect(doc.events).toHaveLength(events.length);
    expect(doc.events.map((e: any) => e.id)).toEqual(events.map((e) => e.id));
    const scheduled = doc.events.filter((e: any) => e.type === 'TaskScheduled');
    expect(JSON.parse(scheduled[0].taskScheduledEventDetails.parameters).Arguments.taskToken).toBe('<redacted>');
  });
});

describe('audit', () => {
  it('json: per call and totals per outcome and per start error, matching the executions', async () => {
    const r = await cli(['audit', '--json']);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.out);
    // Calls only: the Reconcile branch's executions (one per recording landed, issue 22) are not listed as calls.
    const all = twin.engine
      .listExecutions({ stateMachineArn: twin.stateMachineArn, maxResults: 1000 })
      .executions.filter((e) => !('landed' in JSON.parse(twin.engine.describeExecution({ executionArn: e.executionArn }).input)));
    expect(doc.totals.calls).toBe(all.length);
    const expected: Record<string, number> = {};
    for (const e of all) {
      const t = truth(e.executionArn);
      const key = t.outcome ?? t.status;
      expected[key] = (expected[key] ?? 0) + 1;
    }
    expect(doc.totals.byOutcome).toEqual(expected);
    expect(doc.totals.byOutcome.START_FAILED).toBeGreaterThanOrEqual(2);
    // retried: 2 SystemException; exhausted: 4; invalid-param: 1 InvalidActionParameter.
    expect(doc.totals.byStartError[SE]).toEqual({ attempts: 6, calls: 2 });
    expect(doc.totals.byStartError.InvalidActionParameter).toEqual({ attempts: 1, calls: 1 });
    expect(doc.totals.retriedCalls).toBe(2);
    expect(doc.totals.recoveredCalls).toBe(1);
    expect(doc.totals.byOutcome.RECORDED).toBeGreaterThanOrEqual(2);
    const row = doc.calls.find((c: any) => c.transactionId === exhausted.transactionId);
    expect(row).toMatchObject({
      outcome: 'START_FAILED',
      startAttempts: 4,
      startErrors: `${SE} x4`,
      consentNotice: 'NOT_ATTEMPTED',
      recordingKey: null,
    });
  });

  it('--since / --until select by start time; --outcome filters', async () => {
    const since = JSON.parse((await cli(['audit', '--json', '--since', boundary.toISOString()])).out);
    const names = since.calls.map((c: any) => c.transactionId);
    expect(names).toEqual(expect.arrayContaining([exhausted.transactionId, invalidParam.transactionId]));
    expect(names).not.toContain(ok.transactionId);
    expect(names).not.toContain(retried.transactionId);
    const until = JSON.parse((await cli(['audit', '--json', '--until', boundary.toISOString()])).out);
    expect(until.calls.map((c: any) => c.transactionId).sort()).toEqual([ok.transactionId, retried.transactionId].sort());
    const failed = JSON.parse((await cli(['audit', '--json', '--outcome', 'START_FAILED'])).out);
    expect(failed.calls.every((c: any) => c.outcome === 'START_FAILED')).toBe(true);
    expect(failed.totals.byOutcome).toEqual({ START_FAILED: failed.calls.length });
  });

  it('paginates ListExecutions: a page size of 2 gives the same report', async () => {
    const paged = JSON.parse((await cli(['audit', '--json', '--page-size', '2', '--concurrency', '3'])).out);
    const whole = JSON.parse((await cli(['audit', '--json'])).out);
    expect(paged.calls.length).toBeGreaterThan(2);
    expect(paged.calls).toEqual(whole.calls);
    expect(paged.totals).toEqual(whole.totals);
  });

  it('csv: one properly quoted row per call on stdout, totals on stderr', async () => {
    const r = await cli(['audit', '--format', 'csv', '--outcome', 'START_FAILED']);
    expect(r.code).toBe(0);
    const lines = r.out.trimEnd().split('\r\n');
    expect(lines[0]).toBe(
      'transaction_id,call_id,execution_name,status,outcome,start_date,stop_date,start_attempts,start_errors,consent_notice,consent_notice_at,paused_seconds,pauses,recording_key,manifest_key,redrive_count',
    );
    const row = lines.find((l) => l.startsWith(`${exhausted.transactionId},`))!;
    expect(row.split(',')).toHaveLength(16);
    expect(row).toContain(',FAILED,START_FAILED,');
    expect(row).toContain(`,4,${SE} x4,NOT_ATTEMPTED,`);
    expect(r.err).toMatch(/Totals per start error[\s\S]*SystemException\s+4\s+1/);
    // A field with a comma is quoted: the error list of a call with two kinds of error.
    const mixed = await cli(['audit', '--format', 'csv']);
    expect(mixed.out.split('\r\n').length).toBeGreaterThan(lines.length);
  });

  it('table: rows and totals; progress on stderr only when it is a terminal', async () => {
    const tty = await cli(['audit'], { tty: true });
    expect(tty.code).toBe(0);
    expect(tty.out).toMatch(/Totals per outcome \(\d+ calls\)/);
    expect(tty.out).toMatch(/Totals per start error[\s\S]*SystemException\s+6\s+2[\s\S]*InvalidActionParameter\s+1\s+1/);
    expect(tty.out).toContain(exhausted.transactionId);
    expect(tty.err).toMatch(/\rdescribing executions: \d+\/\d+/);
    const piped = await cli(['audit']);
    expect(piped.err).toBe('');
  });

  it('refuses bad options with exit 2 naming them', async () => {
    const outcome = await cli(['audit', '--outcome', 'RECORDDED']);
    expect(outcome.code).toBe(2);
    expect(outcome.err).toMatch(/--outcome.*unknown outcome RECORDDED/);
    // every outcome of the workflow is a known one, RECORDING_UNVERIFIED included
    expect(outcome.err).toMatch(/RECORDING_UNVERIFIED/);
    const unverified = await cli(['audit', '--json', '--outcome', 'RECORDING_UNVERIFIED']);
    expect(unverified.code).toBe(0);
    const since = await cli(['audit', '--since', 'last tuesday']);
    expect(since.code).toBe(2);
    expect(since.err).toMatch(/--since.*ISO 8601/);
    const order = await cli(['audit', '--since', '2025-11-25', '--until', '2025-11-24']);
    expect(order.code).toBe(2);
    const format = await cli(['audit', '--format', 'xml']);
    expect(format.code).toBe(2);
  });
});

describe('redrive', () => {
  it('refuses a Fail-state outcome unless --force, then re-enters the Fail state: same outcome again', async () => {
    const refused = await cli(['redrive', exhausted.transactionId]);
    expect(refused.code).toBe(1);
    expect(refused.err).toMatch(/Fail state START_FAILED.*re-enter that Fail state/);
    expect(twin.engine.getExecution(exhausted.arn).redriveCount).toBe(0);
    const forced = await cli(['redrive', '--force', '--wait', '60', exhausted.transactionId]);
    expect(forced.code).toBe(1);
    expect(forced.out).toMatch(/Outcome\s+START_FAILED/);
    expect(forced.out).toMatch(/redriven 1 time/);
    expect(twin.engine.getExecution(exhausted.arn)).toMatchObject({ status: 'FAILED', error: 'START_FAILED', redriveCount: 1 });
    const history = await cli(['history', exhausted.transactionId]);
    expect(history.out).toMatch(/ExecutionRedriven\s+redrive #1/);
    expect(history.out.match(/TaskFailed\s+StartRecording/g)).toHaveLength(4); // nothing retried
  });

  it('an ABORTED execution continues from the interrupted step and completes', async () => {
    const call = await recordCall('aborted', {}, 2000);
    const release = await twin.clock.pauseWhen(() => inState(call.arn, 'WaitForCallEnd'));
    await twin.sfn.send(new StopExecutionCommand({ executionArn: call.arn, error: 'Operator', cause: 'stopped by a test' }));
    release();
    const stopped = await cli(['status', call.transactionId]);
    expect(stopped.out).toMatch(/Status\s+ABORTED/);
    expect(stopped.out).toMatch(/Stopped in\s+WaitForCallEnd/);
    const r = await cli(['redrive', '--json', '--wait', '60', call.transactionId]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({
      redriven: true,
      executionArn: call.arn,
      previous: { status: 'ABORTED' },
      summary: { status: 'SUCCEEDED', outcome: 'RECORDED' },
    });
    await finished(call);
    const t = truth(call.arn);
    expect(t).toMatchObject({ status: 'SUCCEEDED', outcome: 'RECORDED' });
    expect(t.attempts).toHaveLength(1); // StartRecording was not run again
    const after = JSON.parse((await cli(['status', '--json', call.transactionId])).out);
    expect(after).toMatchObject({ status: t.status, outcome: t.outcome, redrive: { count: 1 } });
  });

  it('refuses running and succeeded executions, and unknown ones', async () => {
    const target = truth(ok.arn).status === 'SUCCEEDED' ? ok : undefined;
    if (target) {
      const r = await cli(['redrive', target.transactionId]);
      expect(r.code).toBe(1);
      expect(r.err).toMatch(/it is SUCCEEDED.*only FAILED, TIMED_OUT and ABORTED/);
    }
    const unknown = await cli(['redrive', 'no-such-transaction']);
    expect(unknown.code).toBe(1);
    expect(unknown.err).toContain('execution not found');
  });
});

describe('connection and usage', () => {
  it('--help on each command exits 0', async () => {
    for (const cmd of ['start', 'status', 'history', 'audit', 'redrive']) {
      const r = await cli([cmd, '--help']);
      expect(r.code).toBe(0);
      expect(r.out).toContain(`Usage: recording-workflow ${cmd}`);
    }
    expect((await cli(['redrive', '--help'])).out).toContain('re-enters the Fail state');
  });

  it('usage errors exit 2: unknown command or option, no arguments', async () => {
    expect((await cli(['frobnicate'])).code).toBe(2);
    expect((await cli(['status', '--bogus', 'x'])).code).toBe(2);
    expect((await cli([], { local: false })).code).toBe(2);
  });

  it('without a state machine: exit 2 naming the option and variable; ARN from the environment works', async () => {
    const none = await cli(['--endpoint', twin.endpoints.stepfunctions, 'status', ok.transactionId], { local: false });
    expect(none.code).toBe(2);
    expect(none.err).toMatch(/--state-machine-arn.*RECORDING_STATE_MACHINE_ARN/);
    const viaEnv = await cli(['--endpoint', twin.endpoints.stepfunctions, 'status', '--json', ok.transactionId], {
      local: false,
      env: { RECORDING_STATE_MACHINE_ARN: twin.stateMachineArn },
    });
    expect(viaEnv.code).toBe(0);
    expect(JSON.parse(viaEnv.out).executionArn).toBe(ok.arn);
  });

  it('--local without the endpoints file: exit 1 telling how to start the twin', async () => {
    const r = await cli(['--local-file', join(dir, 'missing.json'), 'status', 'x'], { local: false });
    expect(r.code).toBe(1);
    expect(r.err).toContain('npm start -- --serve');
  });
});
