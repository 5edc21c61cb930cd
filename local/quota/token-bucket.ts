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

/**
 * A rate with no burst ("R per second", the Chime SDK's quotas: AWS gives no bucket size, and the twin takes the
 * reading worse for its callers, a bucket of one token): the second is cut into R slots, each slot mints one token at
 * its start, and at most one token is kept, until its calendar second ends. So at most R requests are admitted in
 * any calendar second, and never two in one slot. One account's rate split over n shards (processes with a clock each) stays exact: shard k owns the
 * slots whose index is k modulo n, so the shards together never admit more than the account would.
 */
export class SlotBucket {
  private readonly slotMs: number;
  /** Index of the slot whose token was taken last (slots before the start count as taken: one token to begin). */
  private used: number;

  constructor(
    readonly ratePerSecond: number,
    private readonly clock: Pick<Clock, 'nowMs'>,
    private readonly shards = 1,
    private readonly shard = 0,
  ) {
    if (!(ratePerSecond > 0)) throw new RangeError(`a rate must be > 0, got ${ratePerSecond}`);
    if (!(Number.isInteger(shards) && shards >= 1 && Number.isInteger(shard) && shard >= 0 && shard < shards))
      throw new RangeError(`shard ${shard} of ${shards}`);
    this.slotMs = 1000 / ratePerSecond;
    this.used = Math.floor(clock.nowMs() / this.slotMs) - 1;
  }

  /** The latest slot of this shard that has begun, or -Infinity. */
  private latestOwned(): number {
    const slot = Math.floor(this.clock.nowMs() / this.slotMs);
    const back = (((slot - this.shard) % this.shards) + this.shards) % this.shards;
    return slot - back;
  }

  /**
   * The slot whose token may be taken now, if any: the latest owned one, unused, and begun in this calendar second
   * (a token kept past the second's end would let a shard add it to the next second's: 6 where the account has 5).
   */
  private usable(): number | undefined {
    const owned = this.latestOwned();
    if (owned <= this.used) return undefined;
    const now = this.clock.nowMs();
    return Math.floor((owned * this.slotMs) / 1000) === Math.floor(now / 1000) ? owned : undefined;
  }

  available(): number {
    return this.usable() === undefined ? 0 : 1;
  }

  take(): boolean {
    const owned = this.usable();
    if (owned === undefined) return false;
    this.used = owned;
    return true;
  }
}
