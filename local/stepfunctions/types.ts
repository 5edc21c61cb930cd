/** Shared types of the local Step Functions twin. */

/** One call of a Task state's `arn:aws:states:::aws-sdk:<service>:<action>` resource. */
export interface TaskInvokeRequest {
  /** e.g. `s3`, `chimesdkvoice` (the resource's service segment, as written). */
  service: string;
  /** e.g. `headObject` (camelCase, as written in the resource, without `.waitForTaskToken`). */
  action: string;
  /** The evaluated `Arguments` (PascalCase fields, passed as-is like the real integration). */
  args: unknown;
  /** Aborted when the task times out, is retried, or the execution stops. */
  signal: AbortSignal;
}

/**
 * Dispatches Task resources. Resolve with the JSON result; reject with a `TaskFailedError`
 * (`{ error, cause }`) for a task failure. Any other rejection becomes `States.TaskFailed`.
 */
export interface TaskInvoker {
  invoke(req: TaskInvokeRequest): Promise<unknown>;
}

export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';

/** Log sink; never receives task tokens or request bodies. */
export type Logger = (level: 'debug' | 'info' | 'warn' | 'error', message: string, fields?: Record<string, unknown>) => void;

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
