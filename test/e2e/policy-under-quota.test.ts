/**
 * Issue 21 on the whole twin: policy-recorded calls spend no UpdateSipMediaApplicationCall, and a StartExecution the
 * account's quota refuses does not cost the recording or its audit: the Lambda records anyway, tries the start again
 * on the call's later events, and the workflow, started late, reads the outcomes the Lambda left in the mailbox.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, GetObjectTaggingCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { parseQuota } from '../../local/quota/quotas';
import { runCalls } from '../../local/scenario/runner';
import { startTwin, type Twin } from '../../local/twin/twin';
import { parseManifest } from '../../statemachines/summary';

const dir = mkdtempSync(join(tmpdir(), 'policy-quota-'));
let twin: Twin;
beforeAll(async () => {
  // StartExecution: a bucket of 1, one token every 2 s: of three calls answered together, two are refused at first.
  twin = await startTwin({ dataDir: dir, seed: 21, quota: parseQuota('startExecution=1/0.5,activeCalls=100')! });
}, 60_000);
afterAll(async () => {
  await twin.close();
  rmSync(dir, { recursive: true, force: true });
});

it('three policy calls, StartExecution throttled for two: all RECORDED and audited, no update spent', async () => {
  const results = await runCalls(
    twin,
    [1, 2, 3].map((i) => ({
      name: `policy-${i}`,
      track: 'BOTH' as const,
      legs: 1 as const,
      durationSeconds: 90,
      faults: {},
      record: { by: 'policy' as const },
    })),
  );
  expect(results.map((r) => r.outcome)).toEqual(['RECORDED', 'RECORDED', 'RECORDED']);
  expect(twin.account?.throttled.StartExecution).toBeGreaterThan(0);
  expect(twin.account?.throttled.UpdateSipMediaApplicationCall ?? 0).toBe(0);
  expect([...(twin.account?.updatesByCall.values() ?? [])].reduce((a, b) => a + b, 0)).toBe(0);
  const manifests = await Promise.all(
    results.map(async (r) => {
      const got = await twin.s3.send(new GetObjectCommand({ Bucket: twin.bucket, Key: r.manifestKey! }));
      return parseManifest(await got.Body!.transformToString())!;
    }),
  );
  for (const m of manifests) {
    expect(m.startAttempts).toEqual([expect.objectContaining({ result: 'STARTED', via: 'call-flow' })]);
    expect(m.consentNotice).toEqual(expect.objectContaining({ status: 'DELIVERED', via: 'call-flow' }));
  }
  // The workflows that started late found the start (and the notice) already in their slots.
  expect(manifests.filter((m) => (m.startAttempts[0] as { mailed?: boolean }).mailed === true).length).toBeGreaterThanOrEqual(1);
}, 120_000);

it('a call whose workflow never starts (StartExecution refused until it ends) is recorded and reported, not silently unaudited', async () => {
  const slowDir = mkdtempSync(join(tmpdir(), 'policy-quota-slow-'));
  const lines: string[] = [];
  const slow = await startTwin({
    dataDir: slowDir,
    seed: 22,
    // One StartExecution every 20 s: the second call's retries (its start's result, its notice, its hangup at 10 s)
    // all find the bucket empty; the recordings' Reconcile executions (issue 22) get the later tokens.
    quota: parseQuota('startExecution=1/0.05,activeCalls=100')!,
    logSink: (line: string) => lines.push(line),
  });
  try {
    const results = await runCalls(
      slow,
      [1, 2].map((i) => ({
        name: `policy-slow-${i}`,
        track: 'BOTH' as const,
        legs: 1 as const,
        durationSeconds: 10,
        faults: {},
        record: { by: 'policy' as const },
      })),
    );
    expect(results.map((r) => r.status)).toEqual(['SUCCEEDED', 'NOT_STARTED']);
    // The Lambda recorded it all the same (the object is in the bucket) and said at the hangup that it has no audit.
    const objects = await slow.s3.send(new ListObjectsV2Command({ Bucket: slow.bucket }));
    expect((objects.Contents ?? []).filter((o) => o.Key!.endsWith('.wav'))).toHaveLength(2);
    expect(lines.some((l) => l.includes('its recording workflow could not be started'))).toBe(true);
  } finally {
    await slow.close();
    rmSync(slowDir, { recursive: true, force: true });
  }
}, 120_000);

it('a caller who hangs up at the instant of answer: before a bridge nothing runs (NOT_RECORDED); after it, a zero-second recording, judged and tagged', async () => {
  const tieDir = mkdtempSync(join(tmpdir(), 'policy-tie-'));
  const tie = await startTwin({ dataDir: tieDir, seed: 3 });
  try {
    const [oneLeg, bridged] = await runCalls(
      tie,
      ([1, 2] as const).map((legs) => ({
        name: `hangup-at-answer-${legs}`,
        track: 'BOTH' as const,
        legs,
        durationSeconds: 30,
        faults: { hangupAfterSeconds: 0 },
        record: { by: 'policy' as const },
      })),
    );
    // One leg: the StartCallRecording waits behind the application's first list, which the hangup cuts.
    expect(oneLeg.outcome).toBe('NOT_RECORDED');
    // Two legs: it goes out in the answer to the bridge, the same instant the caller leaves: a recording of 0 s.
    expect(bridged.outcome).toBe('RECORDING_INVALID');
    const tags = await tie.s3.send(new GetObjectTaggingCommand({ Bucket: tie.bucket, Key: bridged.recordingKey! }));
    expect(tags.TagSet).toContainEqual({ Key: 'recording-status', Value: 'RECORDING_INVALID' });
  } finally {
    await tie.close();
    rmSync(tieDir, { recursive: true, force: true });
  }
}, 120_000);
