/**
 * A load campaign (issue 21): calls arriving in virtual time against one account's quotas, checked by the campaign
 * itself, and what it reports (local/simulation/load-report.ts). Small: 30 calls in 10 s against an update bucket of
 * 1 refilled every 2 s. The assertions hold for any workflow that spends at least one update per on-demand start.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseQuota } from '../../local/quota/quotas';
import { runCampaign } from '../../local/simulation/campaign';
import { parseArrivals } from '../../local/simulation/load';
import { mergeLoad } from '../../local/simulation/load-report';

const dir = mkdtempSync(join(tmpdir(), 'load-campaign-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('throttles the burst as the bucket says, reports the load, and every invariant holds', async () => {
  const report = await runCampaign({
    seed: 21,
    indices: Array.from({ length: 30 }, (_, i) => i),
    dataDir: join(dir, 'burst'),
    load: { arrivals: parseArrivals('burst:30/10s', undefined), callSeconds: [20, 40], onDemand: 0.3, faults: 'none' },
    quota: parseQuota('update=1/0.5')!,
  });
  expect(report.violations).toEqual([]);
  const load = mergeLoad([report.load!]);
  const outcomes = report.outcomes;
  expect(Object.values(outcomes).reduce((a, b) => a + b, 0)).toBe(30);
  // About 9 on-demand starts in 10 s against 1 + 0.5 a second: throttled; no other fault, so every START_FAILED is
  // throttling's.
  expect(load.throttled.UpdateSipMediaApplicationCall).toBeGreaterThan(0);
  expect(load.startFailedByThrottling).toBe(outcomes.START_FAILED ?? 0);
  // A bucket of 1 refilled every 2 s lets at most one through in any second, whatever the workflow asks.
  expect(load.peakUpdateRate).toBe(1);
  // Every recording that started is timed from answer, by how it was started.
  const timed = load.answerToRecordingStart.policy.n + load.answerToRecordingStart.demand.n;
  expect(timed).toBe((outcomes.RECORDED ?? 0) + (outcomes.RECORDING_MISSING ?? 0));
  expect(load.answerToRecordingStart.demand.n).toBeGreaterThan(0);
  expect(load.answerToRecordingStart.demand.p50!).toBeGreaterThanOrEqual(3); // the operator's 3-10 s
  // Policy starts are asked at answer, on-demand ones 3-10 s later, behind the same quota.
  expect(load.answerToRecordingStart.policy.p50!).toBeLessThan(load.answerToRecordingStart.demand.p50!);
  // Throttling is not failure (issue 21 item 4): a throttled start waits its turn, none ends START_FAILED (calls
  // shorter than their wait end NOT_RECORDED).
  expect(outcomes.START_FAILED ?? 0).toBe(0);
}, 120_000);

it('at a quota the load stays under, nothing is throttled and every call is RECORDED', async () => {
  const report = await runCampaign({
    seed: 21,
    indices: Array.from({ length: 10 }, (_, i) => i),
    dataDir: join(dir, 'calm'),
    load: { arrivals: parseArrivals('burst:10/30s', undefined), callSeconds: [20, 40], onDemand: 0.5, faults: 'none' },
    quota: parseQuota('update=50')!,
  });
  expect(report.violations).toEqual([]);
  expect(report.outcomes).toEqual({ RECORDED: 10 });
  const load = mergeLoad([report.load!]);
  expect(load.throttled).toEqual({});
  expect(load.changedByThrottling).toBe(0);
}, 120_000);
