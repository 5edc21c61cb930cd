/**
 * The twin's clocks. Every part of the twin (Step Functions interpreter, SMA emulator, scenario runner) reads
 * time and sleeps through one Clock, so every timestamp the workflow sees ($now(), history, S3 metadata, keys)
 * comes from the same virtual time.
 *
 * - SimClock (the twin's): discrete-event time. Virtual time stands still while any part of the twin has work
 *   in flight (an HTTP request, a Lambda invocation, an execution between two states), and jumps to the next
 *   timer once nothing does. A run is then a function of its inputs and seed, not of the machine's load.
 * - ScaledClock: virtual time = wall time x speed (the interpreter's default, at speed 1: real time).
 */
export interface TimerTag {
  /**
   * Who the timer belongs to (the twin uses the call's TransactionId, which is also its execution name). Timers
   * of different owners due at the same instant fire together; timers of one owner fire one at a time, each
   * after the work the previous one caused has settled, in (label, registration) order. So a call's own
   * coincidences (a task timeout due with an action's end) resolve the same way on every run.
   */
  owner?: string;
  /** Orders one owner's timers due at the same instant, e.g. "sfn:timeout" before "sma:action". */
  label?: string;
}

export interface Clock {
  /** Virtual "now" in epoch milliseconds (an integer). */
  nowMs(): number;
  /** Resolves after `virtualMs` of virtual time; rejects with the signal's reason if `signal` aborts first. */
  sleep(virtualMs: number, signal?: AbortSignal, tag?: TimerTag): Promise<void>;
  /**
   * Marks work in flight until the returned function is called (calling it again is harmless). A discrete-event
   * clock does not advance meanwhile; a real-time clock ignores it.
   */
  busy(): () => void;
}

/** Wraps `work` in busy()/done. */
export function track<T>(clock: Clock, work: Promise<T>): Promise<T> {
  const done = clock.busy();
  return work.finally(done);
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

  busy(): () => void {
    return noop;
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
      // virtual deadline has really passed, so nothing that sleeps to a deadline wakes before it. Steps stay
      // below setTimeout's 2^31-1 ms limit (past it the timer fires at once).
      const arm = () => {
        const left = until - this.nowMs();
        if (left <= 0) {
          signal?.removeEventListener('abort', onAbort);
          return resolve();
        }
        timer = setTimeout(arm, Math.min(2 ** 30, Math.max(1, left / this.speed)));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      arm();
    });
  }
}

/** 2026-01-01T09:00:00Z: the twin's default start of time, so the same seed gives the same keys and dates. */
export const DEFAULT_SIM_EPOCH_MS = Date.UTC(2026, 0, 1, 9, 0, 0);

export interface SimClockOptions {
  /** Virtual epoch ms at start. Default DEFAULT_SIM_EPOCH_MS. */
  startMs?: number;
  /**
   * Optional pacing, for watching a run: at most this many virtual ms per wall ms (e.g. 50 = a minute of call
   * time in 1.2 s). Default: none, time jumps from timer to timer as fast as the CPU allows.
   */
  pace?: number;
  /**
   * Event-loop turns with no activity before the clock counts the twin as idle. Work the clock is told about
   * (busy()) holds it anyway; these turns cover the few hops between two pieces of tracked work (a resolved
   * promise's continuation starting the next request). 3 turns: each is a full setImmediate round.
   */
  settleTurns?: number;
  /**
   * At most this many owners' timers fire in one step (default 16); the rest of an instant's timers fire in the
   * next steps, at the same virtual time. A step's work runs concurrently on one event loop, and the SMA Lambda
   * under test keeps its own wall-clock bounds (its Step Functions client gives up after 1.5 s, the SMA waits
   * 5 s): a bounded step keeps every request's wall latency far below them, however many calls are in flight.
   */
  maxBatch?: number;
}

interface Timer {
  due: number;
  owner: string;
  label: string;
  seq: number;
  resolve: () => void;
  cancelled: boolean;
}

/**
 * Discrete-event time (as in simulation-tested systems such as FoundationDB's): `nowMs()` only changes when
 * the twin is idle, and then to the due time of the earliest timer. Written here because no npm package runs a
 * virtual clock beside real sockets: fake-timer libraries (@sinonjs/fake-timers, jest's) replace the global
 * timers the SDK clients and servers also use, and advance only when a test tells them to.
 */
export class SimClock implements Clock {
  private now: number;
  private readonly pace?: number;
  private readonly settleTurns: number;
  private readonly maxBatch: number;
  private readonly heap: Timer[] = [];
  private seq = 0;
  private inFlight = 0;
  /** Bumped by every change the idle check must see: work starting or ending, timers added or cancelled. */
  private epoch = 0;
  private seenEpoch = -1;
  private quietTurns = 0;
  private checkQueued = false;
  private pacingTimer?: ReturnType<typeof setTimeout>;
  private closed = false;
  private anonymous = 0;
  private cancelled = 0;
  private readonly pauses: Array<{ condition: () => boolean; resolve: (release: () => void) => void }> = [];
  /** Timer batches fired so far (a measure of a run's length in steps). */
  steps = 0;
  /**
   * Called when the twin is idle and no timer is left: nothing can happen any more unless someone from outside
   * acts. A run with calls still pending at that point is stuck (the simulation reports it).
   */
  onStall?: () => void;

  constructor(options: SimClockOptions = {}) {
    this.now = Math.floor(options.startMs ?? DEFAULT_SIM_EPOCH_MS);
    if (options.pace !== undefined && !(options.pace > 0 && Number.isFinite(options.pace)))
      throw new RangeError(`pace must be a positive number, got ${options.pace}`);
    this.pace = options.pace;
    this.settleTurns = options.settleTurns ?? 3;
    this.maxBatch = options.maxBatch ?? 16;
  }

  nowMs(): number {
    return this.now;
  }

  /** Work in flight right now (for diagnostics). */
  get pendingWork(): number {
    return this.inFlight;
  }

  /** Timers waiting (for diagnostics). */
  get pendingTimers(): number {
    return this.heap.reduce((n, t) => n + (t.cancelled ? 0 : 1), 0);
  }

  busy(): () => void {
    this.inFlight++;
    this.epoch++;
    let done = false;
    return () => {
      if (done) return;
      done = true;
      this.inFlight--;
      this.epoch++;
      this.queueCheck();
    };
  }

  sleep(virtualMs: number, signal?: AbortSignal, tag: TimerTag = {}): Promise<void> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(abortError(signal));
      const ms = Number.isFinite(virtualMs) ? Math.max(0, Math.ceil(virtualMs)) : Number.MAX_SAFE_INTEGER;
      const timer: Timer = {
        due: this.now + ms,
        owner: tag.owner ?? `\u0000anonymous-${this.anonymous++}`,
        label: tag.label ?? '',
        seq: this.seq++,
        resolve: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
        cancelled: false,
      };
      const onAbort = () => {
        timer.cancelled = true;
        timer.resolve = noop; // a cancelled timer waits in the heap until compaction: keep it small
        this.epoch++;
        if (++this.cancelled > 1024 && this.cancelled > this.heap.length / 2) this.compact();
        reject(abortError(signal!));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      heapPush(this.heap, timer);
      this.epoch++;
      this.queueCheck();
    });
  }

  /**
   * Resolves, with a release function, at the first idle moment at which `condition` holds (checked before each
   * advance of time); time stands still until release is called. For tests and tools that inspect a run midway
   * (e.g. "while the workflow waits for the call's end").
   */
  pauseWhen(condition: () => boolean): Promise<() => void> {
    return new Promise((resolve) => {
      this.pauses.push({ condition, resolve });
      this.epoch++;
      this.queueCheck();
    });
  }

  /** Stops advancing; pending timers never fire. */
  close(): void {
    this.closed = true;
    clearTimeout(this.pacingTimer);
  }

  /** Drops cancelled timers (long task timeouts, cancelled by the callback, would otherwise pile up). */
  private compact(): void {
    const live = this.heap.filter((t) => !t.cancelled);
    this.heap.length = 0;
    for (const t of live) heapPush(this.heap, t);
    this.cancelled = 0;
  }

  private queueCheck(): void {
    if (this.checkQueued || this.closed) return;
    this.checkQueued = true;
    setImmediate(this.check);
  }

  private readonly check = (): void => {
    this.checkQueued = false;
    if (this.closed || this.inFlight > 0 || this.pacingTimer) return; // busy's done() queues the next check
    if (this.epoch !== this.seenEpoch) {
      this.seenEpoch = this.epoch;
      this.quietTurns = 0;
    }
    if (++this.quietTurns < this.settleTurns) {
      this.queueCheck();
      return;
    }
    this.quietTurns = 0;
    const pause = this.pauses.find((p) => p.condition());
    if (pause) {
      this.pauses.splice(this.pauses.indexOf(pause), 1);
      pause.resolve(this.busy());
      return;
    }
    this.advance();
  };

  /** The twin is idle: fire the next batch of timers, or (paced) let wall time catch up first. */
  private advance(): void {
    while (this.heap.length > 0 && this.heap[0].cancelled) {
      heapPop(this.heap);
      this.cancelled--;
    }
    if (this.heap.length === 0) {
      this.onStall?.();
      return; // idle with nothing scheduled: the next sleep() or busy() wakes us
    }
    const due = this.heap[0].due;
    if (this.pace !== undefined && due > this.now) {
      // Move at most a pacing slice (50 wall ms) at a time, so outside work (a CLI against --serve) sees time flow.
      const wallMs = Math.min(50, (due - this.now) / this.pace);
      const started = performance.now();
      this.pacingTimer = setTimeout(() => {
        this.pacingTimer = undefined;
        this.now = Math.min(due, this.now + Math.floor((performance.now() - started) * this.pace!) || 1);
        this.epoch++;
        this.queueCheck();
      }, wallMs);
      return;
    }
    this.fire(due);
  }

  /** Fires, at `due`, the first timer of each owner due then (see TimerTag), at most maxBatch of them. */
  private fire(due: number): void {
    const batch: Timer[] = [];
    const held: Timer[] = [];
    const owners = new Set<string>();
    while (this.heap.length > 0 && this.heap[0].due === due && batch.length < this.maxBatch) {
      const t = heapPop(this.heap);
      if (t.cancelled) {
        this.cancelled--;
        continue;
      }
      if (owners.has(t.owner)) held.push(t);
      else {
        owners.add(t.owner);
        batch.push(t);
      }
    }
    for (const t of held) heapPush(this.heap, t);
    this.now = Math.max(this.now, due);
    this.steps++;
    this.epoch++;
    batch.sort((a, b) => (a.owner < b.owner ? -1 : a.owner > b.owner ? 1 : 0));
    for (const t of batch) t.resolve();
    this.queueCheck();
  }
}

/** Timers in (due, owner, label, seq) order: a binary heap, as thousands of calls keep tens of thousands of timers. */
function before(a: Timer, b: Timer): boolean {
  if (a.due !== b.due) return a.due < b.due;
  if (a.owner !== b.owner) return a.owner < b.owner;
  if (a.label !== b.label) return a.label < b.label;
  return a.seq < b.seq;
}

function heapPush(heap: Timer[], t: Timer): void {
  heap.push(t);
  let i = heap.length - 1;
  while (i > 0) {
    const parent = (i - 1) >> 1;
    if (!before(heap[i], heap[parent])) break;
    [heap[i], heap[parent]] = [heap[parent], heap[i]];
    i = parent;
  }
}

function heapPop(heap: Timer[]): Timer {
  const top = heap[0];
  const last = heap.pop()!;
  if (heap.length > 0) {
    heap[0] = last;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < heap.length && before(heap[l], heap[m])) m = l;
      if (r < heap.length && before(heap[r], heap[m])) m = r;
      if (m === i) break;
      [heap[i], heap[m]] = [heap[m], heap[i]];
      i = m;
    }
  }
  return top;
}

function noop(): void {}

function abortError(signal: AbortSignal): Error {
  const reason = signal.reason;
  if (reason instanceof Error) return reason;
  const err = new Error('aborted');
  err.name = 'AbortError';
  return err;
}
