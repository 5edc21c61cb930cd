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
    const wallMs = Math.max(0, virtualMs) / this.speed;
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(abortError(signal));
      const timer = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, wallMs);
      const onAbort = () => {
        clearTimeout(timer);
        reject(abortError(signal!));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
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
