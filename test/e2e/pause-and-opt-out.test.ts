/**
 * Issue 11's "done when", through the whole twin (SMA emulator, SMA Lambda, Step Functions, S3): a call paused at
 * 20 s and resumed at 35 s ends RECORDED with the pause window in its manifest within a second of the scenario's
 * times, and the delivered WAV is silent exactly there (measured from the samples); a caller who declines at the
 * consent prompt ends OPTED_OUT with the recording stopped at once and deleted (the default policy).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, HeadObjectCommand } from '@aws-sdk/client-s3';
import { runCalls } from '../../local/scenario/runner';
import { parseScenario } from '../../local/scenario/scenario-file';
import { silentRanges } from '../../local/sma/wav';
import { startTwin, type Twin } from '../../local/twin/twin';
import { parseManifest, type AuditManifest } from '../../statemachines/summary';

const dir = mkdtempSync(join(tmpdir(), 'pause-opt-out-'));
let twin: Twin;

beforeAll(async () => {
  twin = await startTwin({ dataDir: dir, seed: 5 });
}, 60_000);
afterAll(async () => {
  await twin?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function body(key: string): Promise<Buffer> {
  const got = await twin.s3.send(new GetObjectCommand({ Bucket: twin.bucket, Key: key }));
  return Buffer.from(await got.Body!.transformToByteArray());
}
async function manifestOf(key: string): Promise<AuditManifest> {
  const m = parseManifest((await body(key)).toString('utf8'));
  if (!m) throw new Error(`${key} is not a manifest`);
  return m;
}

it('pause at 20 s, resume at 35 s: RECORDED, the window in the manifest and silent in the WAV', async () => {
  const [r] = await runCalls(
    twin,
    parseScenario({
      calls: [
        {
          name: 'card-number',
          legs: 2,
          durationSeconds: 60,
          controls: [
            { atSeconds: 20, action: 'pause', requestedBy: 'agent-7' },
            { atSeconds: 35, action: 'resume', requestedBy: 'agent-7' },
          ],
        },
      ],
    }),
  );
  expect(r!.outcome).toBe('RECORDED');
  const answered = r!.answeredAtMs!;
  const m = await manifestOf(r!.manifestKey!);
  expect(m.controls.map((c) => [c.action, c.result, c.requestedBy, c.via])).toEqual([
    ['PAUSE', 'APPLIED', 'agent-7', 'api'],
    ['RESUME', 'APPLIED', 'agent-7', 'api'],
  ]);
  expect(m.pauses).toHaveLength(1);
  const w = m.pauses[0]!;
  // The workflow's clock, within a second of the scenario's times (counted from answer).
  expect(Math.abs((w.startedAtMs - answered) / 1000 - 20)).toBeLessThan(1);
  expect(Math.abs((w.endedAtMs! - answered) / 1000 - 35)).toBeLessThan(1);
  expect(m.pausedSeconds).toBeGreaterThan(14);
  expect(m.pausedSeconds).toBeLessThan(16);

  // The WAV: one silent stretch, where the manifest says, measured from the samples.
  const wav = await body(r!.recordingKey!);
  const recordingStartMs = r!.recordings.find((x) => x.key === r!.recordingKey)!.startedAtMs;
  const silent = silentRanges(wav, 1);
  expect(silent).toHaveLength(1);
  expect(Math.abs(silent[0]!.startSeconds - (w.startedAtMs - recordingStartMs) / 1000)).toBeLessThan(1);
  expect(Math.abs(silent[0]!.endSeconds - (w.endedAtMs! - recordingStartMs) / 1000)).toBeLessThan(1);
  // Paused time still counts in the recording's duration (the duration check held: RECORDED).
  const head = await twin.s3.send(new HeadObjectCommand({ Bucket: twin.bucket, Key: r!.recordingKey! }));
  expect(Number(head.Metadata?.['recording-duration'])).toBeGreaterThan(55);
}, 120_000);

it('a caller who presses the opt-out key at the prompt: OPTED_OUT, recording stopped and deleted, the deletion in the manifest', async () => {
  const [r] = await runCalls(
    twin,
    parseScenario({
      calls: [{ name: 'declines', legs: 1, durationSeconds: 40, optOutDigit: '9', digits: [{ atSeconds: 4, digits: '9' }] }],
    }),
  );
  expect(r!.outcome).toBe('OPTED_OUT');
  expect(r!.status).toBe('SUCCEEDED');
  // Stopped by the workflow at the decline, long before the call ended (the start waited for the end of the held
  // caller's 1 s Pause).
  const rec = r!.recordings[0]!;
  expect(rec.stopCause).toBe('StopCallRecording');
  expect((rec.stoppedAtMs! - r!.answeredAtMs!) / 1000).toBeLessThan(10);
  const m = await manifestOf(r!.manifestKey!);
  expect(m.outcome).toBe('OPTED_OUT');
  expect(m.consentNotice).toMatchObject({ declined: true, receivedDigits: '9' });
  expect(m.optOut).toMatchObject({ digit: '9', declined: true, policy: 'DELETE', deletion: { status: 'DELETED' } });
  await expect(twin.s3.send(new HeadObjectCommand({ Bucket: twin.bucket, Key: r!.recordingKey! }))).rejects.toMatchObject({
    name: 'NotFound',
  });
}, 120_000);

it('a declined recording that lands after the delivery deadline: deleted when it lands (its S3 event), the deletion in the manifest', async () => {
  const [r] = await runCalls(
    twin,
    parseScenario({
      calls: [
        {
          name: 'declines-late-delivery',
          legs: 1,
          durationSeconds: 40,
          optOutDigit: '9',
          digits: [{ atSeconds: 4, digits: '9' }],
          // Lands about 800 s after the stop: past the 435 s deadline (counted from the call's end), before the first late check.
          faults: { deliveryDelaySeconds: 800 },
        },
      ],
    }),
  );
  expect(r!.outcome).toBe('OPTED_OUT');
  const m = await manifestOf(r!.manifestKey!);
  // The call's verdict: not landed by the deadline; the Reconcile branch deleted it when it landed (issue 22).
  expect(m.verification).toMatchObject({ landed: false });
  expect(m.optOut).toMatchObject({ declined: true, policy: 'DELETE', deletion: { status: 'NOT_LANDED', onLanding: 'DELETE' } });
  expect((m as AuditManifest & { lateLanding?: unknown }).lateLanding).toMatchObject({
    outcome: 'LATE_RECORDING_DELETED',
    deletion: { status: 'DELETED' },
  });
  expect(r!.lateRecording).toMatchObject({ outcome: 'LATE_RECORDING_DELETED', deleted: true });
  expect(r!.recordings[0]!.status).toBe('delivered');
  await expect(twin.s3.send(new HeadObjectCommand({ Bucket: twin.bucket, Key: r!.recordingKey! }))).rejects.toMatchObject({
    name: 'NotFound',
  });
}, 120_000);

it('the same prompt with no key pressed: RECORDED, nothing stopped', async () => {
  const [r] = await runCalls(twin, parseScenario({ calls: [{ name: 'accepts', legs: 1, durationSeconds: 30, optOutDigit: '9' }] }));
  expect(r!.outcome).toBe('RECORDED');
  expect(r!.recordings[0]!.stopCause).toBe('hangup');
}, 120_000);

it('a control request during the opt-out prompt waits for the workflow, then applies after the notice', async () => {
  const [r] = await runCalls(
    twin,
    parseScenario({
      calls: [{ name: 'early-pause', legs: 1, durationSeconds: 60, optOutDigit: '9', controls: [{ atSeconds: 2, action: 'pause' }] }],
    }),
  );
  expect(r!.outcome).toBe('RECORDED');
  const m = await manifestOf(r!.manifestKey!);
  // The request's update answers with no action, which interrupts nothing (the twin's reading): the prompt runs on.
  expect(m.consentNotice).toMatchObject({ status: 'DELIVERED', attempts: 1, declined: false });
  // Queued while the workflow was notifying, handed over at its first wait, applied right after the notice.
  expect(m.controls).toEqual([expect.objectContaining({ action: 'PAUSE', result: 'APPLIED', via: 'api' })]);
  expect(Date.parse(m.controls[0]!.at)).toBeGreaterThanOrEqual(Date.parse(m.consentNotice.completedAt!));
  expect(Date.parse(m.controls[0]!.at) - Date.parse(m.consentNotice.completedAt!)).toBeLessThan(2000);
}, 120_000);

describe('keypad controls (RECORDING_DTMF_CONTROLS)', () => {
  const keypadDir = mkdtempSync(join(tmpdir(), 'keypad-'));
  let keypad: Twin;
  beforeAll(async () => {
    keypad = await startTwin({ dataDir: keypadDir, seed: 6, lambdaEnv: { RECORDING_DTMF_CONTROLS: 'pause=5,resume=6,stop=7' } });
  }, 60_000);
  afterAll(async () => {
    await keypad?.close();
    rmSync(keypadDir, { recursive: true, force: true });
  });

  it('5 at 20 s and 6 at 35 s pause and resume: the windows in the manifest (via dtmf) and silent in the WAV', async () => {
    const [r] = await runCalls(
      keypad,
      parseScenario({
        calls: [
          {
            name: 'keypad',
            legs: 2,
            durationSeconds: 60,
            digits: [
              { atSeconds: 20, digits: '5' },
              { atSeconds: 35, digits: '6' },
            ],
          },
        ],
      }),
    );
    expect(r!.outcome).toBe('RECORDED');
    const got = await keypad.s3.send(new GetObjectCommand({ Bucket: keypad.bucket, Key: r!.manifestKey! }));
    const m = parseManifest(await got.Body!.transformToString())!;
    expect(m.controls.map((c) => [c.action, c.result, c.via, c.requestedBy])).toEqual([
      ['PAUSE', 'APPLIED', 'dtmf', 'keypad'],
      ['RESUME', 'APPLIED', 'dtmf', 'keypad'],
    ]);
    const w = m.pauses[0]!;
    // The key is checked 1 s after it is pressed (InBetweenDigitsDurationInMilliseconds), then handed over.
    expect((w.startedAtMs - r!.answeredAtMs!) / 1000).toBeGreaterThanOrEqual(20);
    expect((w.startedAtMs - r!.answeredAtMs!) / 1000).toBeLessThan(22);
    expect((w.endedAtMs! - r!.answeredAtMs!) / 1000).toBeLessThan(37);
    const wav = await keypad.s3.send(new GetObjectCommand({ Bucket: keypad.bucket, Key: r!.recordingKey! }));
    const silent = silentRanges(Buffer.from(await wav.Body!.transformToByteArray()), 1);
    expect(silent).toHaveLength(1);
    expect(silent[0]!.endSeconds - silent[0]!.startSeconds).toBeGreaterThan(13);
  }, 120_000);

  it("an IVR's menu key is the IVR's, even when it is also a control key: the caller reaches the agent, nothing pauses", async () => {
    const ivrDir = mkdtempSync(join(tmpdir(), 'keypad-ivr-'));
    // "1" is the IVR's first menu choice and, here, also the pause key: the SMA may give it to both (assumed).
    const twin1 = await startTwin({ dataDir: ivrDir, seed: 7, lambdaEnv: { RECORDING_DTMF_CONTROLS: 'pause=1' } });
    try {
      const [r] = await runCalls(
        twin1,
        parseScenario({ calls: [{ name: 'ivr', app: 'ivr', legs: 2, durationSeconds: 60, digits: [{ atSeconds: 12, digits: '1' }] }] }),
      );
      expect(r!.outcome).toBe('RECORDED');
      const got = await twin1.s3.send(new GetObjectCommand({ Bucket: twin1.bucket, Key: r!.manifestKey! }));
      const m = parseManifest(await got.Body!.transformToString())!;
      expect(m.controls).toEqual([]);
      expect(m.pauses).toEqual([]);
    } finally {
      await twin1.close();
      rmSync(ivrDir, { recursive: true, force: true });
    }
  }, 120_000);
});
