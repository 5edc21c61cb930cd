/** What a state executor may use from its execution (implemented by `Execution`). */
import type { Clock, TimerTag } from '../../clock';
import type { QueryEvaluationError } from '../errors';
import type { HistoryEventRecord } from '../history';
import type { TaskTokenRegistry } from '../tokens';
import type { TaskInvoker } from '../types';

/** Extra `$states` members a field may see besides `input` and `context`. */
export interface EvalExtras {
  result?: unknown;
  errorOutput?: unknown;
  /** Present while a `.waitForTaskToken` task evaluates its Arguments: `$states.context.Task.Token`. */
  taskToken?: string;
}

export type StateOutcome =
  | { kind: 'next'; next: string; output: unknown; assign?: Record<string, unknown> }
  | { kind: 'end'; output: unknown; assign?: Record<string, unknown> }
  | { kind: 'fail'; error?: string; cause?: string };

export interface StateRuntime {
  readonly clock: Clock;
  readonly invoker: TaskInvoker;
  readonly tokens: TaskTokenRegistry;
  readonly region: string;
  readonly executionArn: string;
  /** Aborted when the execution closes (stopped, timed out). */
  readonly signal: AbortSignal;
  readonly random: () => number;
  /** Evaluate a field (JSONata strings inside it) for the current state; records EvaluationFailed on error. */
  evaluate(template: unknown, field: string, extras?: EvalExtras): Promise<unknown>;
  /**
   * A field evaluated to a value of the wrong kind (a Timestamp that is no timestamp, ...): records
   * EvaluationFailed like a JSONata error and returns the States.QueryEvaluationError to throw;
   * `text` is what follows AWS's "An error occurred while executing the state ..." sentence.
   */
  invalidField(location: string, text: string): QueryEvaluationError;
  /** Evaluate an `Assign` object (undefined when absent). */
  evaluateAssign(
    assign: Record<string, unknown> | undefined,
    field: string,
    extras?: EvalExtras,
  ): Promise<Record<string, unknown> | undefined>;
  /** Append a history event; throws if the execution closed or the history is full. */
  record(type: string, details?: Record<string, unknown>): HistoryEventRecord;
  /** Throws ExecutionClosedError when the execution has closed. */
  ensureOpen(): void;
  /** A retry is about to happen: counts a state transition and bumps `$states.context.State.RetryCount`. */
  noteRetry(): void;
  /** Sleep in virtual time; throws ExecutionClosedError if the execution closes meanwhile. */
  sleep(ms: number): Promise<void>;
  sleepUntil(epochMs: number): Promise<void>;
  /** Marks a wait for something outside the execution (a callback): the clock may move meanwhile. */
  idle<T>(wait: Promise<T>): Promise<T>;
  /** Tag for this execution's timers (see Clock's TimerTag). */
  timerTag(label: string): TimerTag;
}

/** Next/End transition of a state that has them. */
export function transition(
  state: { Next?: string; End?: boolean },
  output: unknown,
  assign: Record<string, unknown> | undefined,
): StateOutcome {
  return state.Next !== undefined ? { kind: 'next', next: state.Next, output, assign } : { kind: 'end', output, assign };
}
