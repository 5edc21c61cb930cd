/** Shared helpers for the Step Functions twin tests. */
import { ScaledClock, type Clock } from '../../../local/clock';
import { StepFunctionsEngine, type StepFunctionsEngineOptions } from '../../../local/stepfunctions/engine';
import { TaskFailedError } from '../../../local/stepfunctions/errors';
import type { TaskInvokeRequest, TaskInvoker } from '../../../local/stepfunctions/types';

/**
 * Wraps a ScaledClock and records every requested sleep (virtual ms), so intervals can be asserted
 * exactly. Its sleeps last at least what was asked (a bare timer can fire up to a wall ms early,
 * which is `speed` virtual ms), so the engine never needs to top a sleep up and the record stays
 * one entry per wait.
 */
export class RecordingClock implements Clock {
  readonly sleeps: number[] = [];
  private readonly inner: ScaledClock;
  constructor(speed = 100_000) {
    this.inner = new ScaledClock(speed, Date.UTC(2025, 0, 1));
  }
  get speed(): number {
    return this.inner.speed;
  }
  nowMs(): number {
    return this.inner.nowMs();
  }
  busy(): () => void {
    return () => undefined;
  }
  async sleep(virtualMs: number, signal?: AbortSignal): Promise<void> {
    this.sleeps.push(virtualMs);
    const target = this.inner.nowMs() + virtualMs;
    await this.inner.sleep(virtualMs, signal);
    while (this.inner.nowMs() < target) await this.inner.sleep(target - this.inner.nowMs(), signal);
  }
}

/**
 * A clock whose timers fire early: a manual virtual clock where each sleep advances time by only half of
 * what was asked, deterministically (a real ScaledClock no longer wakes early, and wall timers are too coarse
 * to make one do so on purpose).
 */
export class EarlyClock implements Clock {
  readonly calls: number[] = [];
  readonly speed = 100_000;
  private now = Date.UTC(2025, 0, 1);
  nowMs(): number {
    return this.now;
  }
  busy(): () => void {
    return () => undefined;
  }
  sleep(virtualMs: number, signal?: AbortSignal): Promise<void> {
    this.calls.push(virtualMs);
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      setImmediate(() => {
        this.now += Math.ceil(virtualMs / 2);
        resolve();
      });
    });
  }
}

type Handler = (req: TaskInvokeRequest, call: number) => unknown;

/** Scriptable invoker: handlers per `service:action`; every call is recorded. */
export class FakeInvoker implements TaskInvoker {
  readonly calls: TaskInvokeRequest[] = [];
  private readonly handlers = new Map<string, Handler>();

  on(key: string, handler: Handler): this {
    this.handlers.set(key, handler);
    return this;
  }

  /** Fail with the given error names in order, then succeed with `result`. */
  failThen(key: string, errors: string[], result: unknown = { ok: true }): this {
    return this.on(key, (_req, call) => {
      if (call <= errors.length) throw new TaskFailedError(errors[call - 1], `failure #${call}`);
      return result;
    });
  }

  async invoke(req: TaskInvokeRequest): Promise<unknown> {
    this.calls.push(req);
    const key = `${req.service}:${req.action}`;
    const handler = this.handlers.get(key);
    if (!handler) throw new TaskFailedError('States.Runtime', `no fake handler for ${key}`);
    const call = this.calls.filter((c) => `${c.service}:${c.action}` === key).length;
    return handler(req, call);
  }

  callsTo(key: string): TaskInvokeRequest[] {
    return this.calls.filter((c) => `${c.service}:${c.action}` === key);
  }
}

export function makeEngine(opts: Partial<StepFunctionsEngineOptions> & { invoker?: TaskInvoker } = {}) {
  const clock = (opts.clock as RecordingClock | undefined) ?? new RecordingClock();
  const invoker = opts.invoker ?? new FakeInvoker();
  const engine = new StepFunctionsEngine({ ...opts, clock, invoker });
  return { engine, clock, invoker };
}

/** A JSONata state machine definition. */
export const jsonata = (StartAt: string, States: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  QueryLanguage: 'JSONata',
  StartAt,
  States,
  ...extra,
});

let counter = 0;
/** Create a state machine, start one execution and wait for it to close. */
export async function run(engine: StepFunctionsEngine, definition: object, input: unknown = {}) {
  const { stateMachineArn } = engine.createStateMachine({ name: `sm-${++counter}`, definition });
  const { executionArn } = engine.startExecution({ stateMachineArn, input: JSON.stringify(input) });
  return engine.waitForExecution(executionArn);
}

/** Start an execution without waiting. */
export function start(engine: StepFunctionsEngine, definition: object, input: unknown = {}, name?: string) {
  const { stateMachineArn } = engine.createStateMachine({ name: `sm-${++counter}`, definition });
  const { executionArn } = engine.startExecution({ stateMachineArn, input: JSON.stringify(input), name });
  return { stateMachineArn, executionArn };
}

export const types = (history: { type: string }[]) => history.map((e) => e.type);

/** Poll until `predicate` holds (real time), for waiting on a running execution's progress. */
export async function until(predicate: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 2));
  }
}

export const TASK = 'arn:aws:states:::aws-sdk:s3:headObject';
export const CALLBACK = 'arn:aws:states:::aws-sdk:chimesdkvoice:updateSipMediaApplicationCall.waitForTaskToken';
