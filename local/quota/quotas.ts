/**
 * AWS's account quotas as the twin applies them, their defaults, and the `--quota` syntax.
 *
 * Sources (read 2026-12, per account and Region, all adjustable):
 * - AWS General Reference, "Amazon Chime SDK endpoints and quotas": UpdateSipMediaApplicationCall API rate limit
 *   5 per second; CreateSipMediaApplicationCall 1 per second; SIP media application active calls 10.
 * - AWS Step Functions developer guide, "Step Functions service quotas" (us-east-1, us-west-2, eu-west-1; other
 *   Regions 800/150 and 1,500/300): StartExecution bucket 1,300, refill 300 per second; SendTaskSuccess,
 *   SendTaskFailure and SendTaskHeartbeat share a bucket of 3,000, refill 500 per second.
 * Assumed (AWS gives a rate, no bucket size, for the Chime APIs): no burst, the reading worse for the callers: a
 * bucket of one token, at most R requests in any calendar second (token-bucket.ts SlotBucket). `update=R` is that;
 * `update=B/R` sets a bucket (e.g. `update=5/5`: one second's worth of burst, up to 9 in one second).
 */

import { InvalidArgumentError } from 'commander';

export interface BucketQuota {
  /** Tokens the bucket holds (the burst); 1 = no burst (SlotBucket: at most `refill` in any calendar second). */
  size: number;
  /** Tokens added per second. */
  refill: number;
  /**
   * A rate with no burst (a Chime rate given alone): admitted by slots (SlotBucket), this shard owning the slots k
   * modulo n (splitQuota; n = 1: all of them). Absent: a token bucket of `size`.
   */
  slots?: { n: number; k: number };
}

export interface QuotaSettings {
  /** UpdateSipMediaApplicationCall (Chime SDK Voice). */
  update: BucketQuota;
  /** CreateSipMediaApplicationCall (Chime SDK Voice). */
  create: BucketQuota;
  /** SIP media application active calls. */
  activeCalls: number;
  /** Step Functions StartExecution. */
  startExecution: BucketQuota;
  /** Step Functions SendTaskSuccess, SendTaskFailure and SendTaskHeartbeat (one bucket). */
  sendTask: BucketQuota;
}

export const AWS_DEFAULT_QUOTAS: Readonly<QuotaSettings> = Object.freeze({
  update: { size: 1, refill: 5, slots: { n: 1, k: 0 } },
  create: { size: 1, refill: 1, slots: { n: 1, k: 0 } },
  activeCalls: 10,
  startExecution: { size: 1300, refill: 300 },
  sendTask: { size: 3000, refill: 500 },
});

/**
 * Active calls in `npm start` and load campaigns: raised from AWS's 10, as every production customer asks AWS to
 * (the number is the twin's choice: AWS grants increases case by case).
 */
export const TWIN_ACTIVE_CALLS = 10_000;
export const TWIN_DEFAULT_QUOTAS: Readonly<QuotaSettings> = Object.freeze({ ...AWS_DEFAULT_QUOTAS, activeCalls: TWIN_ACTIVE_CALLS });

export const QUOTA_KEYS = ['update', 'create', 'activeCalls', 'startExecution', 'sendTask'] as const;
export type QuotaKey = (typeof QUOTA_KEYS)[number];
const MAX_NUMBER = 1_000_000;

/** A bad `--quota` (or scenario `quota`): `part` is the piece that is wrong, as written. */
export class QuotaError extends Error {
  constructor(
    readonly part: string,
    reason: string,
  ) {
    super(`${JSON.stringify(part)}: ${reason}`);
    this.name = 'QuotaError';
  }
}

const NUMBER = /^(?:\d+(?:\.\d{1,3})?)$/;

function positiveNumber(text: string, part: string, what: string): number {
  const n = Number(text);
  if (!NUMBER.test(text) || !(n > 0) || n > MAX_NUMBER)
    throw new QuotaError(part, `${what} must be a positive number of at most 3 decimals, up to ${MAX_NUMBER}, got ${JSON.stringify(text)}`);
  return n;
}

function bucketOf(key: QuotaKey, value: string, part: string): BucketQuota {
  const pieces = value.split('/');
  const rateOnly = key === 'update' || key === 'create';
  if (pieces.length === 1 && rateOnly) {
    // A rate alone: no burst (see the sources above).
    return { size: 1, refill: positiveNumber(pieces[0]!, part, 'the rate'), slots: { n: 1, k: 0 } };
  }
  if (pieces.length !== 2)
    throw new QuotaError(part, rateOnly ? 'must be RATE (per second) or BUCKET/REFILL' : 'must be BUCKET/REFILL (e.g. 1300/300)');
  return { size: positiveNumber(pieces[0]!, part, 'the bucket size'), refill: positiveNumber(pieces[1]!, part, 'the refill per second') };
}

/**
 * Parses `update=5,create=1,activeCalls=2000,startExecution=1300/300,sendTask=3000/500` (any subset, each key
 * once; the rest from `base`), or `none` (no quotas: null). Strict: anything else throws QuotaError naming the part.
 */
export function parseQuota(spec: string, base: Readonly<QuotaSettings> = TWIN_DEFAULT_QUOTAS): QuotaSettings | null {
  const text = spec.trim();
  if (text === 'none') return null;
  if (text === '') throw new QuotaError(spec, 'empty (give key=value pairs, or none)');
  const out: QuotaSettings = structuredClone({ ...base }) as QuotaSettings;
  const seen = new Set<string>();
  for (const part of text.split(',')) {
    const eq = part.indexOf('=');
    const key = (eq < 0 ? part : part.slice(0, eq)).trim();
    const value = eq < 0 ? '' : part.slice(eq + 1).trim();
    if (!(QUOTA_KEYS as readonly string[]).includes(key)) throw new QuotaError(part, `unknown quota (known: ${QUOTA_KEYS.join(', ')})`);
    if (eq < 0 || value === '') throw new QuotaError(part, 'needs a value: key=value');
    if (seen.has(key)) throw new QuotaError(part, `${key} given twice`);
    seen.add(key);
    if (key === 'activeCalls') {
      const n = Number(value);
      if (!/^\d+$/.test(value) || n < 1 || n > MAX_NUMBER)
        throw new QuotaError(part, `activeCalls must be an integer from 1 to ${MAX_NUMBER}`);
      out.activeCalls = n;
    } else out[key as Exclude<QuotaKey, 'activeCalls'>] = bucketOf(key as QuotaKey, value, part);
  }
  return out;
}

/** The `--quota` text of settings (what the tools print and pass to their shards). */
export function formatQuota(q: QuotaSettings): string {
  // A rate with no burst prints as the rate alone (what parses back to it); a shard's slots are its own.
  const b = (x: BucketQuota) => (x.slots ? `${x.refill}` : `${x.size}/${x.refill}`);
  return `update=${b(q.update)},create=${b(q.create)},activeCalls=${q.activeCalls},startExecution=${b(q.startExecution)},sendTask=${b(q.sendTask)}`;
}

/**
 * Shard k of n's part of one account's quotas, split exactly: the shards' parts add up to the account's, so the
 * campaign as a whole never gets more than AWS would give one account. A bucket of at least one token per shard
 * is split evenly (size/n, refill/n); a smaller one (create=1 over 2 shards) goes whole to shard 0 (the others get
 * none: a bucket of half a token would never admit a request). Active calls in whole calls.
 * The price of the split: a shard cannot borrow tokens its siblings leave unused, so under uneven load the twin
 * throttles a little earlier than AWS would (calls are dealt round-robin, so the load is even); `--shards 1` is
 * the account exactly.
 */
export function splitQuota(q: QuotaSettings, k: number, n: number): QuotaSettings {
  if (n === 1) return structuredClone(q);
  const whole = (total: number) => Math.floor(total / n) + (k < total % n ? 1 : 0);
  const bucket = (b: BucketQuota): BucketQuota => {
    // No burst: every shard keeps the rate's slots it owns (SlotBucket), so the account's rate holds exactly.
    if (b.slots) return { ...b, slots: { n, k } };
    if (b.size / n >= 1) return { size: b.size / n, refill: b.refill / n };
    return k === 0 ? { ...b } : { size: 0, refill: 0 };
  };
  return {
    update: bucket(q.update),
    create: bucket(q.create),
    activeCalls: whole(q.activeCalls),
    startExecution: bucket(q.startExecution),
    sendTask: bucket(q.sendTask),
  };
}

/** A commander parser for `--quota`: a usage error (exit 2) naming the bad part. */
export const quotaOption = (name: string) => (v: string) => {
  try {
    return parseQuota(v);
  } catch (e) {
    if (e instanceof QuotaError) throw new InvalidArgumentError(`${name}: ${e.message}`);
    throw e;
  }
};
