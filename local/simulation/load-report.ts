/**
 * What a load campaign reports (issue 21), per shard (LoadStats, sent to the parent) and for the campaign
 * (LoadReport, at the top level of `npm run simulate -- --json`):
 *   updatesPerCall {mean, max}      UpdateSipMediaApplicationCall requests the account's rate limiter let through
 *                                   for a call (202 or a later error), over the calls that reached the SMA
 *   peakUpdateRate                  the most let through in any one virtual second (epoch-aligned), all shards
 *   throttled {"<API>": n}          requests refused by a quota, per API
 *   startFailedByThrottling         calls START_FAILED with a throttled start attempt, or left without a workflow
 *                                   because their StartExecution was throttled
 *   answerToRecordingStart          seconds from answer to the SMA's recording start, by how it was started; beside
 *                                   the on-demand figures, quotaBoundSeconds: every update the campaign made / the
 *                                   update quota, the time the quota alone needs to let them all through
 *   callsRejectedAtActiveLimit      calls the SMA refused at its active-call limit
 */
export interface LoadStats {
  updates: { calls: number; sum: number; max: number };
  updatesBySecond: Array<[number, number]>;
  throttled: Record<string, number>;
  rejectedCalls: number;
  startFailedByThrottling: number;
  /** Calls whose outcome differs from the fault oracle's after one of their requests was throttled (not a broken invariant). */
  changedByThrottling: number;
  answerToStartMs: { policy: number[]; demand: number[] };
}

export interface Percentiles {
  n: number;
  p50: number | null;
  p99: number | null;
  max: number | null;
}

export interface LoadReport {
  updatesPerCall: { mean: number; max: number };
  peakUpdateRate: number;
  throttled: Record<string, number>;
  startFailedByThrottling: number;
  callsRejectedAtActiveLimit: number;
  changedByThrottling: number;
  answerToRecordingStart: { policy: Percentiles; demand: Percentiles & { quotaBoundSeconds: number | null } };
}

export function emptyLoadStats(): LoadStats {
  return {
    updates: { calls: 0, sum: 0, max: 0 },
    updatesBySecond: [],
    throttled: {},
    rejectedCalls: 0,
    startFailedByThrottling: 0,
    changedByThrottling: 0,
    answerToStartMs: { policy: [], demand: [] },
  };
}

/** Nearest-rank percentiles, in seconds (3 decimals). */
export function percentiles(ms: number[]): Percentiles {
  if (ms.length === 0) return { n: 0, p50: null, p99: null, max: null };
  const sorted = [...ms].sort((a, b) => a - b);
  const rank = (p: number) => sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)]! / 1000;
  return { n: sorted.length, p50: rank(50), p99: rank(99), max: sorted[sorted.length - 1]! / 1000 };
}

export function mergeLoad(stats: LoadStats[], updateRate?: number): LoadReport {
  const bySecond = new Map<number, number>();
  const throttled: Record<string, number> = {};
  for (const s of stats) {
    for (const [sec, n] of s.updatesBySecond) bySecond.set(sec, (bySecond.get(sec) ?? 0) + n);
    for (const [api, n] of Object.entries(s.throttled)) throttled[api] = (throttled[api] ?? 0) + n;
  }
  const calls = stats.reduce((a, s) => a + s.updates.calls, 0);
  const sum = stats.reduce((a, s) => a + s.updates.sum, 0);
  return {
    updatesPerCall: { mean: calls ? Math.round((sum / calls) * 1000) / 1000 : 0, max: Math.max(0, ...stats.map((s) => s.updates.max)) },
    peakUpdateRate: Math.max(0, ...bySecond.values()),
    throttled: Object.fromEntries(Object.entries(throttled).sort()),
    startFailedByThrottling: stats.reduce((a, s) => a + s.startFailedByThrottling, 0),
    callsRejectedAtActiveLimit: stats.reduce((a, s) => a + s.rejectedCalls, 0),
    changedByThrottling: stats.reduce((a, s) => a + s.changedByThrottling, 0),
    answerToRecordingStart: {
      policy: percentiles(stats.flatMap((s) => s.answerToStartMs.policy)),
      demand: {
        ...percentiles(stats.flatMap((s) => s.answerToStartMs.demand)),
        quotaBoundSeconds: updateRate ? Math.round((sum / updateRate) * 1000) / 1000 : null,
      },
    },
  };
}

export function formatLoad(r: LoadReport): string[] {
  const p = (x: Percentiles) => (x.n ? `p50 ${x.p50} s, p99 ${x.p99} s, max ${x.max} s (${x.n} calls)` : 'no calls');
  const throttled = Object.entries(r.throttled).map(([k, v]) => `${k} ${v}`);
  return [
    `updates per call: mean ${r.updatesPerCall.mean}, max ${r.updatesPerCall.max}; peak ${r.peakUpdateRate} updates in one second`,
    `throttled: ${throttled.length ? throttled.join(', ') : 'none'}; calls refused at the active-call limit: ${r.callsRejectedAtActiveLimit}`,
    `start failed by throttling: ${r.startFailedByThrottling}; outcomes changed by throttling: ${r.changedByThrottling}`,
    `answer to recording start, by policy: ${p(r.answerToRecordingStart.policy)}`,
    `answer to recording start, on demand: ${p(r.answerToRecordingStart.demand)}; every update of the run at the quota: ${r.answerToRecordingStart.demand.quotaBoundSeconds ?? '-'} s`,
  ];
}
