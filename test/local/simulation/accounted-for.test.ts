/** Issue 22's campaign invariant: it fails on each way an object can contradict or escape its call's verdict. */
import { type BesideManifest, checkAccountedFor, manifestKeyOf } from '../../../local/simulation/accounted-for';
import type { AuditManifest } from '../../../statemachines/summary';

const KEY = 'p/2026/01/01/t_tx_call.wav';

async function violations(
  beside: BesideManifest | undefined,
  tags: Record<string, string>,
  outcome: string,
  callManifest?: Partial<AuditManifest>,
): Promise<string[]> {
  const found: string[] = [];
  const read = async (k: string) => (k === manifestKeyOf(KEY) ? beside : undefined);
  await checkAccountedFor(read, KEY, tags, outcome, callManifest as AuditManifest | undefined, (_, detail) => found.push(detail));
  return found;
}

it('the manifest is <key>.manifest.json', () => {
  expect(manifestKeyOf(KEY)).toBe('p/2026/01/01/t_tx_call.manifest.json');
});

it('holds for a recording its call verified: tagged and manifested with the call’s outcome', async () => {
  expect(await violations({ outcome: 'RECORDED' }, { 'recording-status': 'RECORDED' }, 'RECORDED')).toEqual([]);
});

it('holds for a late landing amended by the Reconcile branch, new manifest or the call’s own with lateLanding', async () => {
  const late = { recordingStatus: 'LANDED_AFTER_START_FAILED', call: { originalVerdict: 'START_FAILED' } };
  expect(
    await violations({ kind: 'LATE_RECORDING', ...late }, { 'recording-status': 'LANDED_AFTER_START_FAILED' }, 'START_FAILED'),
  ).toEqual([]);
  const missing = { recordingStatus: 'LANDED_LATE', call: { originalVerdict: 'RECORDING_MISSING' } };
  expect(
    await violations({ outcome: 'RECORDING_MISSING', lateLanding: missing }, { 'recording-status': 'LANDED_LATE' }, 'RECORDING_MISSING'),
  ).toEqual([]);
});

it('fails on an object without a tag, without a manifest, or whose verdict it contradicts', async () => {
  expect(await violations({ outcome: 'RECORDING_MISSING' }, {}, 'RECORDING_MISSING')).toEqual([
    expect.stringMatching(/no recording-status tag/),
  ]);
  expect(await violations(undefined, { 'recording-status': 'RECORDED' }, 'RECORDED')).toEqual([
    expect.stringMatching(/no manifest beside it/),
  ]);
  // the case before the fix: START_FAILED, the WAV there, no tag, no manifest
  expect(await violations(undefined, {}, 'START_FAILED')).toEqual([expect.stringMatching(/no manifest beside it/)]);
  expect(await violations({ outcome: 'RECORDED' }, { 'recording-status': 'RECORDED' }, 'START_FAILED')).toHaveLength(2);
  const late = { kind: 'LATE_RECORDING', recordingStatus: 'LANDED_LATE', call: { originalVerdict: 'START_FAILED' } };
  expect(await violations(late, { 'recording-status': 'LANDED_LATE' }, 'RECORDING_MISSING')).toEqual([
    expect.stringMatching(/names the verdict START_FAILED, the call's is RECORDING_MISSING/),
  ]);
  expect(await violations(late, { 'recording-status': 'RECORDED' }, 'START_FAILED')).toHaveLength(2);
});

it('a recording S3 would not let the workflow read is named by its call’s manifest, untagged', async () => {
  const unreadable = { recording: { key: KEY }, verification: { readable: false } } as never;
  expect(await violations(undefined, {}, 'RECORDING_UNVERIFIED', unreadable)).toEqual([]);
  // a declined caller's whose deletion is reported NOT_VERIFIED: the same
  expect(await violations({ outcome: 'OPTED_OUT' }, {}, 'OPTED_OUT', unreadable)).toEqual([]);
  expect(await violations(undefined, {}, 'RECORDING_UNVERIFIED')).toHaveLength(1);
  expect(await violations(undefined, {}, 'RECORDING_UNVERIFIED', { recording: { key: KEY } } as never)).toHaveLength(1);
});
