/**
 * One AWS account's quotas in the twin (quotas.ts), as the endpoints apply them: the Chime SDK Voice endpoint asks
 * before UpdateSipMediaApplicationCall and CreateSipMediaApplicationCall, the Step Functions endpoint before
 * StartExecution and SendTask*, the scenario runner before a call reaches the SMA (active calls). It also counts
 * what a load campaign reports: requests throttled per API, updates accepted per call and per virtual second.
 */
import type { Clock } from '../clock';
import type { BucketQuota, QuotaSettings } from './quotas';
import { SlotBucket, TokenBucket } from './token-bucket';

export const THROTTLED_APIS = [
  'UpdateSipMediaApplicationCall',
  'CreateSipMediaApplicationCall',
  'StartExecution',
  'SendTaskSuccess',
  'SendTaskFailure',
  'SendTaskHeartbeat',
] as const;
export type ThrottledApi = (typeof THROTTLED_APIS)[number];

export class QuotaAccount {
  private readonly buckets: Record<ThrottledApi, TokenBucket | SlotBucket>;
  private active = 0;
  /** Requests refused, per API. */
  readonly throttled: Partial<Record<ThrottledApi, number>> = {};
  /** Calls the SMA refused at its active-call limit. */
  rejectedCalls = 0;
  /** UpdateSipMediaApplicationCall accepted, per TransactionId (a campaign reads and forgets each call's). */
  readonly updatesByCall = new Map<string, number>();
  /** UpdateSipMediaApplicationCall accepted, per virtual second (epoch seconds). */
  readonly updatesBySecond = new Map<number, number>();
  /** TransactionIds with at least one request throttled (their outcome may differ from the fault oracle's). */
  readonly throttledCalls = new Set<string>();

  constructor(
    readonly settings: QuotaSettings,
    private readonly clock: Pick<Clock, 'nowMs'>,
  ) {
    const bucket = (b: BucketQuota) =>
      b.slots ? new SlotBucket(b.refill, clock, b.slots.n, b.slots.k) : new TokenBucket(b.size, b.refill, clock);
    const update = bucket(settings.update);
    const sendTask = bucket(settings.sendTask);
    this.buckets = {
      UpdateSipMediaApplicationCall: update,
      CreateSipMediaApplicationCall: bucket(settings.create),
      StartExecution: bucket(settings.startExecution),
      SendTaskSuccess: sendTask,
      SendTaskFailure: sendTask,
      SendTaskHeartbeat: sendTask,
    };
  }

  /** One request of `api` (for the call `transactionId`, when known): true = accepted, false = throttled. */
  admit(api: ThrottledApi, transactionId?: string): boolean {
    if (!this.buckets[api].take()) {
      this.throttled[api] = (this.throttled[api] ?? 0) + 1;
      if (transactionId) this.throttledCalls.add(transactionId);
      return false;
    }
    if (api === 'UpdateSipMediaApplicationCall') {
      const second = Math.floor(this.clock.nowMs() / 1000);
      this.updatesBySecond.set(second, (this.updatesBySecond.get(second) ?? 0) + 1);
      if (transactionId) this.updatesByCall.set(transactionId, (this.updatesByCall.get(transactionId) ?? 0) + 1);
    }
    return true;
  }

  /** A new call reaching the SMA: false = over the active-call limit (the SMA refuses it). */
  admitCall(): boolean {
    if (this.active >= this.settings.activeCalls) {
      this.rejectedCalls++;
      return false;
    }
    this.active++;
    return true;
  }

  /** An admitted call is over (every leg gone). */
  endCall(): void {
    this.active = Math.max(0, this.active - 1);
  }

  get activeCalls(): number {
    return this.active;
  }

  /** Forgets a call's own counts (a campaign, once it has read them). */
  forgetCall(transactionId: string): void {
    this.updatesByCall.delete(transactionId);
    this.throttledCalls.delete(transactionId);
  }
}
