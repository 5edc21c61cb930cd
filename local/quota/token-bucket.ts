/**
 * A token bucket in the twin's virtual time: `capacity` tokens at most, refilled at `refillPerSecond`, one token
 * per request. Time is read from the twin's clock (local/clock.ts), never from the wall, so a run's throttling is
 * a function of its scenario and seed. Tokens are kept in thousandths: a refill of R per second adds R of them per
 * virtual millisecond (exact for whole and half rates; plain doubles in a fixed order otherwise, so deterministic).
 */
import type { Clock } from '../clock';

const MILLI = 1000;

export class TokenBucket {
  /** Tokens x 1000. */
  private milliTokens: number;
  private lastMs: number;
  private readonly capacityMilli: number;

  constructor(
    readonly capacity: number,
    readonly refillPerSecond: number,
    private readonly clock: Pick<Clock, 'nowMs'>,
  ) {
    // 0/0 is a bucket that admits nothing (a shard's part of a quota too small to split: quotas.ts splitQuota).
    if (!(capacity >= 0) || !(refillPerSecond >= 0))
      throw new RangeError(`a bucket needs a size and refill >= 0, got ${capacity}/${refillPerSecond}`);
    this.capacityMilli = Math.round(capacity * MILLI);
    this.milliTokens = this.capacityMilli;
    this.lastMs = clock.nowMs();
  }

  /** Tokens available now (after the refill since the last look). */
  available(): number {
    this.refill();
    return this.milliTokens / MILLI;
  }

  /** Takes one token if there is a whole one; false = throttled. */
  take(): boolean {
    this.refill();
    if (this.milliTokens < MILLI) return false;
    this.milliTokens -= MILLI;
    return true;
  }

  private refill(): void {
    const now = this.clock.nowMs();
    if (now <= this.lastMs) return;
    // refillPerSecond tokens per 1000 ms = refillPerSecond milli-tokens per ms.
    this.milliTokens = Math.min(this.capacityMilli, this.milliTokens + (now - this.lastMs) * this.refillPerSecond);
    this.lastMs = now;
  }
}
