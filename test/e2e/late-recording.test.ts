/**
 * Issue 22, through the whole twin (SMA emulator, SMA Lambda, Step Functions, S3 with its EventBridge events): every
 * recording that lands is matched to its call by its S3 event. One the call's verdict did not account for is tagged,
 * gets a manifest beside it naming the call's execution and its original verdict, and ends the Reconcile branch in
 * LANDED_LATE (counted and alarmed); a declined caller's is deleted whatever its delay; one no execution knows is
 * UNKNOWN_RECORDING. A recording the call's own workflow verified is RECORDING_ACCOUNTED_FOR, and changes nothing.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, GetObjectTaggingCommand, HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { runCalls } from '../../local/scenario/runner';
import { parseScenario } from '../../local/scenario/scenario-file';
import { startTwin, type Twin } from '../../local/twin/twin';

const dir = mkdtempSync(join(tmpdir(), 'late-recording-'));
let twin: Twin;

beforeAll(async () => {
  twin = await startTwin({ dataDir: dir, seed: 22 });
}, 60_000);
afterAll(async () => {
  await twin?.close();
  rmSync(dir, { recursive: true, force: true });
});

const manifestKeyOf = (key: string) => key.replace(/\.wav$/, '.manifest.json');
async function json(key: string): Promise<any> {
  const got = await twin.s3.send(new GetObjectCommand({ Bucket: twin.bucket, Key: key }));
  return JSON.parse(await got.Body!.transformToString());
}
async function tags(key: string): Promise<Record<string, string>> {
  const got = await twin.s3.send(new GetObjectTaggingCommand({ Bucket: twin.bucket, Key: key }));
  return Object.fromEntries((got.TagSet ?? []).map((t) => [t.Key, t.Value]));
}
async function exists(key: string): Promise<boolean> {
  return twin.s3.send(new HeadObjectCommand({ Bucket: twin.bucket, Key: key })).then(
    () => true,
    (e) => (e.name === 'NotFound' ? false : Promise.reject(e)),
  );
}

it('the issue’s call: 120 s, updates 31 s late: START_FAILED, yet the WAV lands: tagged LANDED_AFTER_START_FAILED, manifest beside it', async () => {
  const [r] = await runCalls(
    twin,
    parseScenario({ calls: [{ name: 'late-updates', legs: 1, durationSeconds: 120, faults: { updateDelaySeconds: 31 } }] }),
  );
  expect(r!.outcome).toBe('START_FAILED');
  expect(r!.startAttempts).toBe(4);
  const landed = r!.recordings.filter((x) => x.status === 'delivered');
  expect(landed).toHaveLength(1);
  const key = landed[0]!.key;
  expect(r!.lateRecording).toMatchObject({
    outcome: 'LANDED_LATE',
    recordingStatus: 'LANDED_AFTER_START_FAILED',
    key,
    manifestKey: manifestKeyOf(key),
    originalVerdict: 'START_FAILED',
    deleted: false,
    checksPassed: true,
  });
  expect(await tags(key)).toEqual({
    'recording-status': 'LANDED_AFTER_START_FAILED',
    'original-verdict': 'START_FAILED',
    // The Lambda played the notice right after the late start (it follows any start, issue 21) and left its outcome
    // in the call's mailbox slot: the tag says what the caller heard, not only what the workflow knew.
    'consent-notice': 'DELIVERED',
    'recording-checks': 'PASSED',
  });
  const m = await json(manifestKeyOf(key));
  expect(m).toMatchObject({
    schemaVersion: '1',
    kind: 'LATE_RECORDING',
    outcome: 'LANDED_LATE',
    recordingStatus: 'LANDED_AFTER_START_FAILED',
    recording: { bucket: twin.bucket, key, event: { reason: 'PutObject' } },
    call: { transactionId: r!.executionName, originalVerdict: 'START_FAILED', execution: { status: 'FAILED' } },
    original: { outcome: 'START_FAILED', startAttempts: expect.any(Array) },
    verification: { landed: true, passed: true },
    tagging: { status: 'TAGGED' },
  });
  expect(m.original.recordingKey).toBeUndefined(); // the call's verdict named no recording
  expect(m.call.consentNotice).toEqual({ status: 'NOT_ATTEMPTED' }); // the workflow's own record, unchanged
  expect(m.call.lateNotice).toEqual({ status: 'DELIVERED', legs: ['LEG-A'], playedBy: 'call-flow', readFrom: 'mailbox' });
  expect(m.call.startAttempts).toHaveLength(4);
  expect(m.verification.size).toBeGreaterThan(44);
  expect(m.verification.checks.map((c: { check: string; passed: boolean }) => [c.check, c.passed])).toEqual([
    ['has-audio', true],
    ['format', true],
    ['transaction-id', true],
    ['call-id', true],
    ['recording-duration', true],
  ]);
  // The call's own audit is where it was, unchanged: the late manifest amends it, beside the object.
  expect((await json(r!.manifestKey!)).outcome).toBe('START_FAILED');
  // Counted: the Reconcile execution ends in the Fail state LANDED_LATE (metric filter + alarm in infra/operations.ts).
  const d = twin.engine.describeExecution({ executionArn: r!.lateRecording!.executionArn });
  expect([d.status, d.error]).toEqual(['FAILED', 'LANDED_LATE']);
}, 60_000);

it('a recording beyond the delivery deadline: RECORDING_MISSING, then LANDED_LATE; the call’s manifest at that key is kept whole, amended', async () => {
  const [r] = await runCalls(
    twin,
    parseScenario({ calls: [{ name: 'very-late', legs: 1, durationSeconds: 30, faults: { deliveryDelaySeconds: 900 } }] }),
  );
  expect(r!.outcome).toBe('RECORDING_MISSING');
  const key = r!.recordingKey!;
  expect(r!.lateRecording).toMatchObject({ recordingStatus: 'LANDED_LATE', originalVerdict: 'RECORDING_MISSING', key });
  expect((await tags(key))['recording-status']).toBe('LANDED_LATE');
  const m = await json(manifestKeyOf(key));
  expect(m).toMatchObject({ schemaVersion: '1', outcome: 'RECORDING_MISSING', execution: { name: r!.executionName } });
  expect(m.verification.landed).toBe(false);
  expect(m.lateLanding).toMatchObject({
    outcome: 'LANDED_LATE',
    recordingStatus: 'LANDED_LATE',
    call: { originalVerdict: 'RECORDING_MISSING', originalManifestKey: manifestKeyOf(key) },
    verification: { landed: true, passed: true },
    tagging: { status: 'TAGGED' },
  });
}, 60_000);

it('a declined caller’s recording landing after the deadline is deleted by the same path, however late', async () => {
  const [r] = await runCalls(
    twin,
    parseScenario({
      calls: [
        {
          name: 'declines-late',
          legs: 1,
          durationSeconds: 40,
          optOutDigit: '9',
          digits: [{ atSeconds: 4, digits: '9' }],
          faults: { deliveryDelaySeconds: 3600 }, // the scenario's bound; the event path has none of its own
        },
      ],
    }),
  );
  expect(r!.outcome).toBe('OPTED_OUT');
  const key = r!.recordingKey!;
  expect(r!.lateRecording).toMatchObject({ outcome: 'LATE_RECORDING_DELETED', deleted: true, originalVerdict: 'OPTED_OUT' });
  expect(await exists(key)).toBe(false);
  // The call's manifest beside the key: not landed by the deadline, left to the Reconcile branch (no hour-long poll,
  // nothing alarmed); amended with the deletion.
  expect(r!.manifestKey).toBe(manifestKeyOf(key));
  const m = await json(manifestKeyOf(key));
  expect(m).toMatchObject({ outcome: 'OPTED_OUT', optOut: { declined: true, deletion: { status: 'NOT_LANDED', onLanding: 'DELETE' } } });
  expect(m.lateLanding).toMatchObject({ outcome: 'LATE_RECORDING_DELETED', deletion: { status: 'DELETED' } });
  const call = twin.engine.getExecution(`${twin.stateMachineArn.replace(':stateMachine:', ':execution:')}:${r!.executionName}`);
  const entered = call.history.map((e) => (e.stateEnteredEventDetails as { name?: string } | undefined)?.name);
  expect(entered).toContain('WriteAuditManifest');
  expect(entered).not.toContain('OptedOutRecordingNotDeleted');
}, 60_000);

it('an in-time recording is accounted for by its own workflow: nothing amended', async () => {
  const [r] = await runCalls(twin, parseScenario({ calls: [{ name: 'plain', legs: 2, durationSeconds: 30 }] }));
  expect(r!.outcome).toBe('RECORDED');
  expect(r!.lateRecording).toBeNull();
  expect(r!.reconciliations.map((x) => x.outcome)).toEqual(['RECORDING_ACCOUNTED_FOR']);
  expect((await tags(r!.recordingKey!))['recording-status']).toBe('RECORDED');
  expect((await json(manifestKeyOf(r!.recordingKey!))).outcome).toBe('RECORDED');
}, 60_000);

it('a recording no execution knows is UNKNOWN_RECORDING; the workflow’s own manifests start nothing', async () => {
  const key =
    'Amazon-Chime-SMA-Call-Recordings/2026/01/01/2026-01-01-09-00-00-000_0f0f0f0f-0000-4000-8000-000000000001_0f0f0f0f-0000-4000-8000-000000000002.wav';
  const before = twin.landings.delivered;
  await twin.s3.send(
    new PutObjectCommand({ Bucket: twin.bucket, Key: 'some/x.manifest.json', Body: '{}', ContentType: 'application/json' }),
  );
  expect(twin.landings.delivered).toBe(before);
  await twin.s3.send(
    new PutObjectCommand({
      Bucket: twin.bucket,
      Key: key,
      Body: Buffer.alloc(2000, 1),
      ContentType: 'audio/wav',
      Metadata: { 'call-id': 'x' },
    }),
  );
  const [rec] = await twin.landings.settled(twin.bucket, key);
  expect(rec).toMatchObject({ status: 'FAILED', outcome: 'UNKNOWN_RECORDING' });
  expect((await tags(key))['recording-status']).toBe('UNKNOWN_RECORDING');
  const m = await json(manifestKeyOf(key));
  expect(m).toMatchObject({ outcome: 'UNKNOWN_RECORDING', call: { execution: { status: 'NOT_FOUND' }, originalVerdict: null } });
  expect(m.verification.checks.find((c: { check: string }) => c.check === 'call-id').passed).toBe(false);
}, 60_000);

it('a key that names no call (not <time>_<TransactionId>_<CallId>.wav) is UNKNOWN_RECORDING too, without asking for an execution', async () => {
  const key = 'Amazon-Chime-SMA-Call-Recordings/uploaded-by-hand.wav';
  await twin.s3.send(new PutObjectCommand({ Bucket: twin.bucket, Key: key, Body: Buffer.alloc(2000, 1), ContentType: 'audio/wav' }));
  const [rec] = await twin.landings.settled(twin.bucket, key);
  expect(rec).toMatchObject({ status: 'FAILED', outcome: 'UNKNOWN_RECORDING' });
  expect(await tags(key)).toMatchObject({ 'recording-status': 'UNKNOWN_RECORDING', 'original-verdict': 'NONE' });
  const states = twin.engine
    .getExecution(rec!.executionArn)
    .history.map((e) => (e.stateEnteredEventDetails as { name?: string } | undefined)?.name);
  expect(states).not.toContain('DescribeRecordingCall');
  expect(states).toContain('UNKNOWN_RECORDING');
}, 60_000);
