/**
 * The twin's clock. Every part of the twin (Step Functions interpreter, SMA emulator, scenario runner)
 * reads time and sleeps through one Clock, so that `--speed 600` makes a 5-minute call take 0.5 s of
 * wall time while every timestamp the workflow sees ($now(), history, S3 metadata) stays consistent.
 */
export interface Clock {
  /** Virtual "now" in epoch milliseconds. */
  nowMs(): number;
  /** Resolves after `virtualMs` of virtual time; rejects with an AbortError if `signal` aborts first. */
  sleep(virtualMs: number, signal?: AbortSignal): Promise<void>;
  /** Virtual ms per wall ms. */
  readonly speed: number;
}

/** Virtual time = an epoch origin + wall time elapsed since the clock was made, times `speed`. */
export class ScaledClock implements Clock {
  private readonly wallStart = performance.now();
  constructor(
    readonly speed = 1,
    private readonly origin = Date.now(),
  ) {
    if (!(speed > 0) || !Number.isFinite(speed)) throw new RangeError(`clock speed must be a positive number, got ${speed}`);
  }

  nowMs(): number {
    return Math.floor(this.origin + (performance.now() - this.wallStart) * this.speed);
  }

  sleep(virtualMs: number, signal?: AbortSignal): Promise<void> {
    const until = this.nowMs() + Math.max(0, virtualMs);
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(abortError(signal));
      let timer: ReturnType<typeof setTimeout>;
      const onAbort = () => {
        clearTimeout(timer);
        reject(abortError(signal!));
      };
      // setTimeout may fire up to a wall millisecond early, which is `speed` virtual ms: re-arm until the
      // virtual deadline has really passed, so nothing that sleeps to a deadline wakes before it.
      const arm = () => {
        const left = until - this.nowMs();
        if (left <= 0) {
          signal?.removeEventListener('abort', onAbort);
          return resolve();
        }
        timer = setTimeout(arm, Math.max(1, left / this.speed));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      arm();
    });
  }
}

function abortError(signal: AbortSignal): Error {
  const reason = signal.reason;
  if (reason instanceof Error) return reason;
  const err = new Error('aborted');
  err.name = 'AbortError';
  return err;
}
