/**
 * Issue 24 end to end on the twin: retention by outcome applied when the workflow marks a call, shortening refused,
 * legal hold, and a caller's erasure through the caller index (CLI in-process, as an operator runs it against
 * `npm start -- --serve`): held, COMPLIANCE-locked and (without --bypass-governance) GOVERNANCE-locked calls are
 * refused and named; every version of the rest is gone; the erasure record holds no number; a second run erases
 * nothing more.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectVersionsCommand,
  PutObjectCommand,
  PutObjectRetentionCommand,
} from '@aws-sdk/client-s3';
import { main } from '../../cli/main';
import { type CallResult, runCalls } from '../../local/scenario/runner';
import { parseScenario } from '../../local/scenario/scenario-file';
import { TWIN_REGION, type Twin, startTwin } from '../../local/twin/twin';

jest.setTimeout(120_000);

const CALLER = '+15550100';
const DAY = 86_400_000;
const dir = mkdtempSync(join(tmpdir(), 'erasure-'));
const endpointsFile = join(dir, 'endpoints.json');
let twin: Twin;
let calls: Record<string, CallResult>;

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io = { stdout: { write: (s: string) => ((out += s), true) }, stderr: { write: (s: string) => ((err += s), true) } };
  // The operator's clock is the twin's: retention dates were set by the twin's virtual time.
  const code = await main(['--local-file', endpointsFile, ...args], io, { env: {}, now: () => twin.clock.nowMs() });
  return { code, out, err };
}

const bucket = () => twin.bucket;
const manifestOf = async (key: string) =>
  JSON.parse((await (await twin.s3.send(new GetObjectCommand({ Bucket: bucket(), Key: key }))).Body?.transformToString()) ?? '{}');
const versionsOf = async (key: string) => {
  const page = await twin.s3.send(new ListObjectVersionsCommand({ Bucket: bucket(), Prefix: key }));
  return [...(page.Versions ?? []), ...(page.DeleteMarkers ?? [])].filter((v) => v.Key === key);
};
const erase = (...extra: string[]) => cli(['erase', '--caller', CALLER, '--by', 'dpo-1', '--reason', 'REQ-2026-17', '--json', ...extra]);

beforeAll(async () => {
  twin = await startTwin({ dataDir: join(dir, 'twin'), seed: 24, settings: { OptedOutRecording: 'KEEP' } });
  writeFileSync(
    endpointsFile,
    JSON.stringify({
      ...twin.endpoints,
      stateMachineArn: twin.stateMachineArn,
      region: TWIN_REGION,
      sipMediaApplicationId: twin.sipMediaApplicationId,
      callerKeySecretId: twin.callerKeySecretId,
      callerIndexLocation: twin.settings.CallerIndexLocation,
    }),
  );
  const results = await runCalls(
    twin,
    parseScenario({
      calls: [
        { name: 'held', from: CALLER, durationSeconds: 30, expect: { outcome: 'RECORDED' } },
        { name: 'compliance', from: CALLER, durationSeconds: 30, expect: { outcome: 'RECORDED' } },
        {
          name: 'governance',
          from: CALLER,
          durationSeconds: 30,
          faults: { emptyRecording: true },
          expect: { outcome: 'RECORDING_INVALID' },
        },
        {
          name: 'opted-out-kept',
          from: CALLER,
          legs: 1,
          durationSeconds: 40,
          optOutDigit: '9',
          digits: [{ atSeconds: 4, digits: '9' }],
          expect: { outcome: 'OPTED_OUT' },
        },
        { name: 'unstarted', from: CALLER, faults: { startRecording: ['InvalidActionParameter'] }, expect: { outcome: 'START_FAILED' } },
        { name: 'other-caller', from: '+15550199', durationSeconds: 30, expect: { outcome: 'RECORDED' } },
      ],
    }),
  );
  calls = Object.fromEntries(results.map((r) => [r.name, r]));
  for (const r of results) expect(r.passed).toBe(true);
});
afterAll(async () => {
  await twin?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('retention by outcome', () => {
  it('locks the recording and the manifest of each marked call as its outcome says, and the manifest says so', async () => {
    const expected = { held: ['COMPLIANCE', 7 * 365], governance: ['GOVERNANCE', 90], 'opted-out-kept': ['GOVERNANCE', 30] } as const;
    for (const [name, [mode, days]] of Object.entries(expected)) {
      const call = calls[name]!;
      const manifest = await manifestOf(call.manifestKey as string);
      expect(manifest.retention).toMatchObject({ method: 'OBJECT_LOCK', mode, days, status: 'APPLIED' });
      const until = Date.parse(manifest.retention.retainUntil);
      expect(until - Date.parse(manifest.retention.appliedAt)).toBe(days * DAY);
      for (const key of [call.recordingKey as string, call.manifestKey as string]) {
        const head = await twin.s3.send(new HeadObjectCommand({ Bucket: bucket(), Key: key }));
        expect({ name, key, mode: head.ObjectLockMode, until: head.ObjectLockRetainUntilDate?.getTime() }).toEqual({
          name,
          key,
          mode,
          until,
        });
      }
    }
    expect(calls['opted-out-kept']!.outcome).toBe('OPTED_OUT');
    // A call that was never marked (no recording) keeps its manifest unlocked.
    const unstarted = await manifestOf(calls.unstarted!.manifestKey as string);
    expect(unstarted.retention).toBeUndefined();
    expect(
      (await twin.s3.send(new HeadObjectCommand({ Bucket: bucket(), Key: calls.unstarted!.manifestKey as string }))).ObjectLockMode,
    ).toBeUndefined();
  });

  it('refuses a shorter retention on a recording (extending is allowed)', async () => {
    const key = calls.compliance!.recordingKey as string;
    const head = await twin.s3.send(new HeadObjectCommand({ Bucket: bucket(), Key: key }));
    const until = head.ObjectLockRetainUntilDate as Date;
    const retain = (ms: number) =>
      twin.s3
        .send(
          new PutObjectRetentionCommand({
            Bucket: bucket(),
            Key: key,
            VersionId: head.VersionId,
            Retention: { Mode: 'COMPLIANCE', RetainUntilDate: new Date(until.getTime() + ms) },
          }),
        )
        .then(
          () => 'allowed',
          (e: Error) => e.name,
        );
    expect(await retain(-DAY)).toBe('AccessDenied');
    expect(await retain(DAY)).toBe('allowed');
  });
});

describe('legal hold and erasure', () => {
  it('hold puts a legal hold on every version and keeps its own record beside the manifest', async () => {
    const held = calls.held!;
    // A second version of the recording, so "every version" is more than one.
    await twin.s3.send(new PutObjectCommand({ Bucket: bucket(), Key: held.recordingKey as string, Body: 'a re-upload' }));
    const r = await cli(['hold', held.executionName, '--reason', 'case C-2026-3', '--by', 'legal-7', '--json']);
    expect(r).toMatchObject({ code: 0 });
    const out = JSON.parse(r.out);
    expect(out.versions).toHaveLength(3); // two of the recording, one of the manifest
    for (const v of out.versions) {
      const head = await twin.s3.send(new HeadObjectCommand({ Bucket: bucket(), Key: v.key, VersionId: v.versionId }));
      expect(head.ObjectLockLegalHoldStatus).toBe('ON');
    }
    expect(out.record.startsWith(`${held.manifestKey}.legal-holds/`)).toBe(true);
    expect(await manifestOf(out.record)).toMatchObject({
      action: 'HOLD',
      by: 'legal-7',
      reason: 'case C-2026-3',
      transactionId: held.executionName,
    });
    // Written once: the record cannot be replaced.
    const again = await twin.s3.send(new PutObjectCommand({ Bucket: bucket(), Key: out.record, Body: '{}', IfNoneMatch: '*' })).then(
      () => 'replaced',
      (e: Error) => e.name,
    );
    expect(again).toBe('PreconditionFailed');
  });

  it('a dry run names what it would erase and refuse, and deletes nothing', async () => {
    const r = await erase('--dry-run');
    expect(r).toMatchObject({ code: 0 });
    const out = JSON.parse(r.out);
    expect(out.record).toBeNull();
    expect(out.erased.map((e: { transactionId: string }) => e.transactionId).sort()).toEqual([calls.unstarted!.executionName].sort());
    expect(await versionsOf(calls.unstarted!.manifestKey as string)).toHaveLength(1);
  });

  it('erases every version of the calls it may, and refuses (naming why) held, COMPLIANCE and GOVERNANCE ones', async () => {
    const unstartedKey = calls.unstarted!.manifestKey as string;
    // More versions of the manifest (a rewrite, a delete marker): all must go.
    await twin.s3.send(new PutObjectCommand({ Bucket: bucket(), Key: unstartedKey, Body: '{"rewritten":true}' }));
    const r = await erase();
    expect(r).toMatchObject({ code: 0 });
    const out = JSON.parse(r.out);
    expect(out.erased).toEqual([{ transactionId: calls.unstarted!.executionName, keys: [unstartedKey], versions: expect.any(Array) }]);
    expect(out.erased[0].versions).toHaveLength(2);
    expect(await versionsOf(unstartedKey)).toEqual([]);
    const refused = Object.fromEntries(out.refused.map((x: { transactionId: string; reason: string }) => [x.transactionId, x.reason]));
    expect(refused[calls.held!.executionName]).toMatch(/^legal hold on /);
    expect(refused[calls.compliance!.executionName]).toMatch(/^COMPLIANCE retention until /);
    expect(refused[calls.governance!.executionName]).toMatch(/^GOVERNANCE retention until .*--bypass-governance not given/);
    expect(refused[calls['opted-out-kept']!.executionName]).toMatch(/^GOVERNANCE retention/);
    // The refused calls are untouched, and so is the other caller's.
    for (const name of ['held', 'compliance', 'governance', 'other-caller'])
      expect((await versionsOf(calls[name]!.recordingKey as string)).length).toBeGreaterThan(0);
    // The erasure record: who, why, what; no phone number in any form.
    const record = await twin.s3.send(new GetObjectCommand({ Bucket: bucket(), Key: out.record }));
    const text = (await record.Body?.transformToString()) as string;
    expect(JSON.parse(text)).toMatchObject({
      kind: 'erasure',
      by: 'dpo-1',
      reason: 'REQ-2026-17',
      erased: out.erased,
      refused: out.refused,
    });
    expect(text).not.toContain('5550100');
    expect(text).not.toMatch(/\+\d{6,}/);
  });

  it('GOVERNANCE-locked calls go only with --bypass-governance, recorded; then a second run erases nothing more', async () => {
    const r = await erase('--bypass-governance');
    const out = JSON.parse(r.out);
    expect(out.erased.map((e: { transactionId: string }) => e.transactionId).sort()).toEqual(
      [calls.governance!.executionName, calls['opted-out-kept']!.executionName].sort(),
    );
    for (const name of ['governance', 'opted-out-kept'])
      for (const key of [calls[name]!.recordingKey as string, calls[name]!.manifestKey as string])
        expect(await versionsOf(key)).toEqual([]);
    expect(await manifestOf(out.record)).toMatchObject({ bypassGovernance: true });

    const second = await erase('--bypass-governance');
    const again = JSON.parse(second.out);
    expect(again.erased).toEqual([]);
    expect(again.refused.map((x: { transactionId: string }) => x.transactionId).sort()).toEqual(
      [calls.held!.executionName, calls.compliance!.executionName].sort(),
    );
    const textRun = await cli(['erase', '--caller', CALLER, '--by', 'dpo-1', '--reason', 'REQ-2026-17']);
    expect(textRun.out).toContain('erased nothing more: 2 call(s) refused');
  });

  it('release turns the hold off on every version and keeps a second record; the call stays retained', async () => {
    const r = await cli(['release', calls.held!.executionName, '--reason', 'case closed', '--by', 'legal-7', '--json']);
    expect(r).toMatchObject({ code: 0 });
    for (const v of JSON.parse(r.out).versions) {
      const head = await twin.s3.send(new HeadObjectCommand({ Bucket: bucket(), Key: v.key, VersionId: v.versionId }));
      expect(head.ObjectLockLegalHoldStatus).toBe('OFF');
    }
    const audit = await cli(['audit', '--holds', '--json']);
    const row = JSON.parse(audit.out).calls.find((c: { executionName: string }) => c.executionName === calls.held!.executionName);
    expect(row.holds.map((h: { action: string }) => h.action)).toEqual(['HOLD', 'RELEASE']);
    const after = JSON.parse((await erase()).out);
    expect(after.refused.find((x: { transactionId: string }) => x.transactionId === calls.held!.executionName).reason).toMatch(
      /^COMPLIANCE/,
    );
  });

  it('start --caller passes the caller to the workflow, which indexes the call; the CLI prints no number', async () => {
    const handle = twin.emulator.placeCall({
      transactionId: 'tx-start-caller',
      from: '+15550177',
      to: '+15550100200',
      legs: 2,
      durationSeconds: 20,
      faults: {},
    });
    await handle.connected;
    const hold = twin.clock.busy();
    const r = await cli([
      'start',
      '--transaction-id',
      'tx-start-caller',
      '--call-id',
      handle.legA,
      '--location',
      bucket(),
      '--caller',
      '+15550177',
      '--json',
    ]).finally(hold);
    expect(r.code).toBe(0);
    expect(r.out).not.toContain('5550177');
    await twin.engine.waitForExecution(`${twin.stateMachineArn.replace(':stateMachine:', ':execution:')}:tx-start-caller`);
    const out = JSON.parse(
      (await cli(['erase', '--caller', '+15550177', '--by', 'dpo-1', '--reason', 'REQ-2026-18', '--dry-run', '--json'])).out,
    );
    expect(out.refused.concat(out.erased).map((x: { transactionId: string }) => x.transactionId)).toEqual(['tx-start-caller']);
    expect(
      (await cli(['start', '--transaction-id', 'tx-bad-caller', '--call-id', 'c', '--location', bucket(), '--caller', '555'])).code,
    ).toBe(2);
  });

  it('refuses bad input with a clear error that does not repeat the number', async () => {
    const bad = await cli(['erase', '--caller', '5550100', '--by', 'dpo', '--reason', 'x']);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('--caller: must be an E.164 number');
    expect(bad.err).not.toContain('5550100');
    const phoneInReason = await cli(['erase', '--caller', CALLER, '--by', 'dpo', '--reason', 'caller 555 010 0123']);
    expect(phoneInReason.code).toBe(2);
    expect(phoneInReason.err).toContain('--reason: must not contain a phone number');
    const day = await cli(['erase', '--caller', CALLER, '--by', 'dpo', '--reason', 'x', '--from', '2026-02-30']);
    expect(day.err).toContain('--from: must be a day YYYY-MM-DD');
    const unknown = await cli(['hold', 'no-such-transaction', '--reason', 'x', '--by', 'y']);
    expect(unknown.code).toBe(1);
    expect(unknown.err).toContain('execution not found');
  });
});
