/** The account's quotas: defaults, the --quota syntax, the exact split over shards, and one account's counts. */
import { QuotaAccount } from '../../../local/quota/account';
import {
  AWS_DEFAULT_QUOTAS,
  QuotaError,
  TWIN_DEFAULT_QUOTAS,
  formatQuota,
  parseQuota,
  splitQuota,
  type QuotaSettings,
} from '../../../local/quota/quotas';
import { scenarioQuota } from '../../../local/quota/scenario-quota';
import { mergeLoad, emptyLoadStats, percentiles } from '../../../local/simulation/load-report';

describe('parseQuota', () => {
  it('AWS defaults (General Reference and Step Functions quotas) with the active calls raised', () => {
    expect(AWS_DEFAULT_QUOTAS).toEqual({
      // AWS gives the Chime APIs a rate and no bucket: the twin reads it with no burst (a bucket of one token).
      update: { size: 1, refill: 5, slots: { n: 1, k: 0 } },
      create: { size: 1, refill: 1, slots: { n: 1, k: 0 } },
      activeCalls: 10,
      startExecution: { size: 1300, refill: 300 },
      sendTask: { size: 3000, refill: 500 },
    });
    expect(parseQuota('update=5')).toEqual(TWIN_DEFAULT_QUOTAS);
    expect(TWIN_DEFAULT_QUOTAS.activeCalls).toBeGreaterThan(AWS_DEFAULT_QUOTAS.activeCalls);
  });

  it("reads the issue's line; a rate alone is a bucket of one token (no burst), B/R a bucket", () => {
    const q = parseQuota('update=5,create=1,activeCalls=2000,startExecution=1300/300,sendTask=3000/500')!;
    expect(q).toEqual({ ...AWS_DEFAULT_QUOTAS, activeCalls: 2000 });
    expect(parseQuota('update=1/5')!.update).toEqual({ size: 1, refill: 5 });
    expect(parseQuota('update=5/5')!.update).toEqual({ size: 5, refill: 5 });
    expect(parseQuota(' startExecution=800/150 , sendTask=1500/300 ')!).toEqual(
      expect.objectContaining({ startExecution: { size: 800, refill: 150 }, sendTask: { size: 1500, refill: 300 } }),
    );
    expect(parseQuota('none')).toBeNull();
    expect(parseQuota(formatQuota(TWIN_DEFAULT_QUOTAS))).toEqual(TWIN_DEFAULT_QUOTAS);
  });

  it.each([
    ['', /empty/],
    ['updates=5', /"updates=5": unknown quota \(known: update, create, activeCalls, startExecution, sendTask\)/],
    ['update', /"update": needs a value/],
    ['update=', /"update=": needs a value/],
    ['update=five', /"update=five": the rate must be a positive number/],
    ['update=0', /"update=0": the rate must be a positive number/],
    ['update=-5', /"update=-5"/],
    ['update=5,update=6', /"update=6": update given twice/],
    ['startExecution=1300', /"startExecution=1300": must be BUCKET\/REFILL/],
    ['sendTask=3000/500/1', /"sendTask=3000\/500\/1": must be BUCKET\/REFILL/],
    ['activeCalls=2.5', /"activeCalls=2.5": activeCalls must be an integer/],
    ['update=5,,create=1', /"": unknown quota/],
    ['update=1e3', /"update=1e3"/],
    ['update=5;create=1', /"update=5;create=1"/],
  ])('refuses %j, naming the part', (spec, message) => {
    expect(() => parseQuota(spec)).toThrow(QuotaError);
    expect(() => parseQuota(spec)).toThrow(message);
  });
});

describe('scenarioQuota (a scenario file\'s top-level "quota")', () => {
  it('takes the --quota text or an object of the same keys; absent is undefined', () => {
    expect(scenarioQuota({ calls: [] })).toBeUndefined();
    expect(scenarioQuota({ quota: 'none' })).toBeNull();
    expect(scenarioQuota({ quota: 'update=2' })!.update).toEqual({ size: 1, refill: 2, slots: { n: 1, k: 0 } });
    expect(scenarioQuota({ quota: { update: 2, startExecution: '10/1', activeCalls: 3 } })).toEqual({
      ...TWIN_DEFAULT_QUOTAS,
      update: { size: 1, refill: 2, slots: { n: 1, k: 0 } },
      startExecution: { size: 10, refill: 1 },
      activeCalls: 3,
    });
    expect(() => scenarioQuota({ quota: { update: true } })).toThrow(/"update": must be a number/);
    expect(() => scenarioQuota({ quota: { speed: 1 } })).toThrow(/"speed=1": unknown quota/);
    expect(() => scenarioQuota({ quota: 5 })).toThrow(QuotaError);
  });
});

describe('splitQuota: one account over a campaign’s shards', () => {
  const account = parseQuota('update=5,activeCalls=2001,startExecution=1300/300,sendTask=3000/500,create=1')!;
  const sum = (parts: QuotaSettings[], f: (q: QuotaSettings) => number) => parts.reduce((s, q) => s + f(q), 0);

  it.each([1, 2, 3, 16])('the parts over %i shard(s) add up to the account exactly', (n) => {
    const parts = Array.from({ length: n }, (_, k) => splitQuota(account, k, n));
    for (const key of ['startExecution', 'sendTask'] as const) {
      expect(sum(parts, (q) => q[key].size)).toBeCloseTo(account[key].size, 9);
      expect(sum(parts, (q) => q[key].refill)).toBeCloseTo(account[key].refill, 9);
    }
    // A rate with no burst is shared by its slots: shard k owns the slots k modulo n (token-bucket.ts SlotBucket).
    for (const key of ['update', 'create'] as const)
      expect(parts.map((q) => q[key])).toEqual(parts.map((_, k) => ({ ...account[key], slots: { n, k } })));
    expect(sum(parts, (q) => q.activeCalls)).toBe(2001);
  });

  it('a bucket too small to split goes whole to shard 0 (half a token would admit nothing)', () => {
    const burst = parseQuota('update=5/5,create=1.5/1')!;
    expect(splitQuota(burst, 0, 2).create).toEqual({ size: 1.5, refill: 1 });
    expect(splitQuota(burst, 1, 2).create).toEqual({ size: 0, refill: 0 });
    expect(splitQuota(burst, 1, 2).update).toEqual({ size: 2.5, refill: 2.5 });
  });

  it('the shards together never admit more than the one account would, in any second', () => {
    const clock = { now: 0, nowMs: () => clock.now };
    const whole = new QuotaAccount(account, clock);
    const shards = [0, 1].map((k) => new QuotaAccount(splitQuota(account, k, 2), clock));
    // 20 update requests a second for 10 s, dealt round-robin to the shards, the account seeing them all.
    for (let i = 0; i < 200; i++) {
      clock.now = i * 50;
      whole.admit('UpdateSipMediaApplicationCall', `c${i}`);
      shards[i % 2]!.admit('UpdateSipMediaApplicationCall', `c${i}`);
    }
    const merged = mergeLoad(shards.map((s) => ({ ...emptyLoadStats(), updatesBySecond: [...s.updatesBySecond] })));
    const single = Math.max(...whole.updatesBySecond.values());
    expect(merged.peakUpdateRate).toBeLessThanOrEqual(single);
    const total = (a: QuotaAccount) => [...a.updatesBySecond.values()].reduce((x, y) => x + y, 0);
    expect(total(shards[0]!) + total(shards[1]!)).toBeLessThanOrEqual(total(whole));
    // Even load: the split costs at most a token per shard against the account (its burst rounds down per shard).
    expect(total(shards[0]!) + total(shards[1]!)).toBeGreaterThanOrEqual(total(whole) - 2);
  });
});

describe('QuotaAccount', () => {
  it('counts per API and per call; SendTaskSuccess, Failure and Heartbeat share one bucket', () => {
    const clock = { now: 0, nowMs: () => clock.now };
    const a = new QuotaAccount(parseQuota('update=2/1,sendTask=2/1')!, clock);
    expect([1, 2, 3].map(() => a.admit('UpdateSipMediaApplicationCall', 'tx-1'))).toEqual([true, true, false]);
    expect(a.updatesByCall.get('tx-1')).toBe(2);
    expect(a.throttledCalls.has('tx-1')).toBe(true);
    expect([a.admit('SendTaskSuccess'), a.admit('SendTaskHeartbeat'), a.admit('SendTaskFailure')]).toEqual([true, true, false]);
    expect(a.throttled).toEqual({ UpdateSipMediaApplicationCall: 1, SendTaskFailure: 1 });
    a.forgetCall('tx-1');
    expect(a.updatesByCall.has('tx-1')).toBe(false);
  });

  it('active calls: admits up to the limit, refuses the next, admits again once one ends', () => {
    const a = new QuotaAccount(parseQuota('activeCalls=2')!, { nowMs: () => 0 });
    expect([a.admitCall(), a.admitCall(), a.admitCall()]).toEqual([true, true, false]);
    a.endCall();
    expect(a.admitCall()).toBe(true);
    expect(a.rejectedCalls).toBe(1);
  });
});

describe('load report', () => {
  it('nearest-rank percentiles in seconds', () => {
    const ms = Array.from({ length: 100 }, (_, i) => (i + 1) * 1000);
    expect(percentiles(ms)).toEqual({ n: 100, p50: 50, p99: 99, max: 100 });
    expect(percentiles([])).toEqual({ n: 0, p50: null, p99: null, max: null });
  });

  it('peakUpdateRate adds the shards’ counts of the same virtual second', () => {
    const r = mergeLoad([
      {
        ...emptyLoadStats(),
        updatesBySecond: [
          [100, 3],
          [101, 2],
        ],
        updates: { calls: 2, sum: 5, max: 3 },
      },
      { ...emptyLoadStats(), updatesBySecond: [[101, 3]], updates: { calls: 2, sum: 3, max: 2 }, throttled: { StartExecution: 1 } },
    ]);
    expect(r.peakUpdateRate).toBe(5);
    expect(r.updatesPerCall).toEqual({ mean: 2, max: 3 });
    expect(r.throttled).toEqual({ StartExecution: 1 });
  });
});
