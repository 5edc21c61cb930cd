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
  // Stopped by the workflow at the decline, long before the call ended.
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

it('the same prompt with no key pressed: RECORDED, nothing stopped', async () => {
  const [r] = await runCalls(twin, parseScenario({ calls: [{ name: 'accepts', legs: 1, durationSeconds: 30, optOutDigit: '9' }] }));
  expect(r!.outcome).toBe('RECORDED');
  expect(r!.recordings[0]!.stopCause).toBe('hangup');
}, 120_000);
