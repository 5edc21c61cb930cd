/**
 * The twin's one source of randomness: every random choice (ids, jitter, generated calls, fault draws) comes
 * from a seed, so the same scenario and seed give the same run. Streams are derived by name (a call, an
 * execution) rather than drawn in turn from one generator: calls run concurrently, and the order in which they
 * would draw from a shared generator is the machine's, not the seed's.
 *
 * xoroshiro128+ from pure-rand (the generator behind fast-check); UUIDs are v4 UUIDs made from its bytes by the
 * uuid package.
 */
import { createHash } from 'node:crypto';
import { unsafeUniformIntDistribution, xoroshiro128plus, type RandomGenerator } from 'pure-rand';
import { v4 as uuidv4 } from 'uuid';

export class SeededRandom {
  private readonly gen: RandomGenerator;

  constructor(readonly seed: number) {
    if (!Number.isSafeInteger(seed) || seed < 0) throw new RangeError(`seed must be a non-negative integer, got ${seed}`);
    // pure-rand seeds from a 32-bit int; fold the safe integer into it.
    this.gen = xoroshiro128plus((seed ^ Math.floor(seed / 2 ** 32)) | 0);
  }

  /** An independent stream named `name` under this one's seed (the same name gives the same stream). */
  derive(name: string): SeededRandom {
    const digest = createHash('sha256').update(`${this.seed}/${name}`).digest();
    return new SeededRandom(digest.readUIntBE(0, 6));
  }

  /** A float in [0, 1). */
  next(): number {
    const hi = unsafeUniformIntDistribution(0, 2 ** 26 - 1, this.gen);
    const lo = unsafeUniformIntDistribution(0, 2 ** 27 - 1, this.gen);
    return (hi * 2 ** 27 + lo) / 2 ** 53;
  }

  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return unsafeUniformIntDistribution(min, max, this.gen);
  }

  /** true with probability p. */
  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(0, items.length - 1)];
  }

  uuid(): string {
    const bytes = new Uint8Array(16);
    for (let i = 0; i < 16; i++) bytes[i] = this.int(0, 255);
    return uuidv4({ random: bytes });
  }

  /** A `() => number` view, for APIs that take Math.random's shape. */
  get fn(): () => number {
    return () => this.next();
  }
}

/** A seed for a run that was not given one (printed, so the run can be replayed). */
export function freshSeed(): number {
  return Math.floor(Math.random() * 2 ** 31);
}
