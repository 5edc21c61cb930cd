/** Token buckets in virtual time (local/quota/token-bucket.ts): the refill math, on a clock the test moves. */
import { SlotBucket, TokenBucket } from '../../../local/quota/token-bucket';

function clockAt(ms = 0) {
  const c = { now: ms, nowMs: () => c.now };
  return c;
}
/** Requests at `atMs` until one is throttled: how many got through. */
function burst(b: TokenBucket, c: { now: number }, atMs: number): number {
  c.now = atMs;
  let n = 0;
  while (b.take()) n++;
  return n;
}

describe('TokenBucket', () => {
  it('starts full: admits its size at one instant, then throttles', () => {
    const c = clockAt();
    const b = new TokenBucket(5, 5, c);
    expect(burst(b, c, 0)).toBe(5);
    expect(b.take()).toBe(false);
  });

  it('refills at its rate in virtual time: one token per 1/rate seconds, none before', () => {
    const c = clockAt();
    const b = new TokenBucket(5, 5, c);
    burst(b, c, 0);
    c.now = 199;
    expect(b.take()).toBe(false);
    c.now = 200;
    expect(b.take()).toBe(true);
    expect(b.take()).toBe(false);
    // 1.1 s later: 5.5 tokens would be due, the bucket holds 5.
    expect(burst(b, c, 1300)).toBe(5);
  });

  it('sustains exactly its rate under a steady overload (300 per second from a 1,300 bucket)', () => {
    const c = clockAt();
    const b = new TokenBucket(1300, 300, c);
    let admitted = 0;
    // 1,000 requests a second (one a millisecond) for 10 s.
    for (let ms = 0; ms < 10_000; ms++) {
      c.now = ms;
      if (b.take()) admitted++;
    }
    // The bucket plus 300/s over 9.999 s, in whole tokens.
    expect(admitted).toBe(1300 + Math.floor(9.999 * 300));
  });

  it("a half rate (a shard's part of 5/s over 2 shards) refills one token every 400 ms", () => {
    const c = clockAt();
    const b = new TokenBucket(2.5, 2.5, c);
    expect(burst(b, c, 0)).toBe(2); // 0.5 left
    c.now = 199;
    expect(b.take()).toBe(false); // 0.5 + 0.4975
    c.now = 200;
    expect(b.take()).toBe(true); // 0.5 + 0.5
    expect(b.available()).toBe(0);
  });

  it('0/0 admits nothing, ever', () => {
    const c = clockAt();
    const b = new TokenBucket(0, 0, c);
    expect(b.take()).toBe(false);
    c.now = 3_600_000;
    expect(b.take()).toBe(false);
  });

  it('time never runs backwards for it (a later read at an earlier time adds nothing)', () => {
    const c = clockAt(1000);
    const b = new TokenBucket(1, 1, c);
    expect(b.take()).toBe(true);
    c.now = 500;
    expect(b.take()).toBe(false);
  });

  it('refuses a negative size or rate', () => {
    expect(() => new TokenBucket(-1, 1, clockAt())).toThrow(RangeError);
    expect(() => new TokenBucket(1, Number.NaN, clockAt())).toThrow(RangeError);
  });
});

describe('SlotBucket: a rate with no burst', () => {
  it('admits at most R in any calendar second and never two in one slot, however many ask at once', () => {
    const clock = { now: 0, nowMs: () => clock.now };
    const b = new SlotBucket(5, clock);
    expect([b.take(), b.take(), b.take()]).toEqual([true, false, false]);
    const perSecond = new Map<number, number>([[0, 1]]);
    for (let ms = 0; ms < 10_000; ms += 10) {
      clock.now = ms;
      for (let i = 0; i < 3; i++) if (b.take()) perSecond.set(Math.floor(ms / 1000), (perSecond.get(Math.floor(ms / 1000)) ?? 0) + 1);
    }
    expect([...perSecond.values()].every((n) => n === 5)).toBe(true);
  });

  it('split over shards, the slots alternate: together exactly the account', () => {
    const clock = { now: 0, nowMs: () => clock.now };
    const shards = [new SlotBucket(5, clock, 2, 0), new SlotBucket(5, clock, 2, 1)];
    const taken: number[] = [];
    for (let ms = 0; ms < 2000; ms += 50) {
      clock.now = ms;
      shards.forEach((s, k) => {
        if (s.take()) taken.push(k);
      });
    }
    expect(taken).toEqual([0, 1, 0, 1, 0, 1, 0, 1, 0, 1]);
  });
});

it('shards cannot carry a token over a second boundary: together at most R in every calendar second', () => {
  const clock = { now: 0, nowMs: () => clock.now };
  const shards = [0, 1].map((k) => new SlotBucket(5, clock, 2, k));
  const perSecond = new Map<number, number>();
  // Quiet through the first second's last slots, then both shards ask every 10 ms.
  for (let ms = 700; ms < 5000; ms += 10) {
    clock.now = ms;
    for (const s of shards) if (s.take()) perSecond.set(Math.floor(ms / 1000), (perSecond.get(Math.floor(ms / 1000)) ?? 0) + 1);
  }
  expect(Math.max(...perSecond.values())).toBe(5);
});
