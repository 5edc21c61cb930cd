/**
 * Request ids for the twin's servers (the `x-amzn-requestid` of a response, which the SDK reports as
 * `$metadata.requestId` and AWS's error causes quote as "Request ID: ..."), drawn from the run's seed instead of
 * the OS, so the same scenario and seed serve the same ids.
 *
 * Concurrent requests reach a server in whatever order the OS schedules them, so ids are not dealt in arrival
 * order: a request's id is derived from what it is (its `content`: the operation and its input, task tokens left
 * out) and the virtual instant it arrives at. Identical requests at one instant share that key and take its ids
 * in turn, which makes no difference, since they are the same request.
 */
import { randomUUID } from 'node:crypto';
import type { Clock } from '../clock';
import type { SeededRandom } from '../random';

export class RequestIds {
  private instant = Number.NaN;
  private readonly seen = new Map<string, number>();

  /** Without `random` (a server started on its own, outside a twin) ids are random UUIDs. */
  constructor(
    private readonly random?: SeededRandom,
    private readonly clock?: Pick<Clock, 'nowMs'>,
  ) {}

  /** The id of a request with this content, arriving now. */
  next(content: string): string {
    if (!this.random) return randomUUID();
    const now = this.clock?.nowMs() ?? 0;
    if (now !== this.instant) {
      this.instant = now;
      this.seen.clear();
    }
    const key = `${now}\u0000${content}`;
    const n = this.seen.get(key) ?? 0;
    this.seen.set(key, n + 1);
    return this.random.derive(`${key}\u0000${n}`).uuid();
  }
}
