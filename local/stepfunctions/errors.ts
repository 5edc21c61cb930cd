/**
 * Error types of the local Step Functions twin, and the ASL error-name matching rules.
 *
 * Two families:
 * - `StatesError`: an error *inside* an execution (a state reports `Error`/`Cause`). Retriers and
 *   Catchers match on its `error` name.
 * - `SfnApiError`: an error of the *API* (CreateStateMachine, SendTaskSuccess, ...). Its `name` is
 *   the AWS error shape name; the HTTP server sends it as `__type`, which @aws-sdk/client-sfn turns
 *   into the matching typed exception.
 */

/** Predefined error names used by the twin (States Language spec, Appendix A, plus AWS's own). */
export const StatesErrors = {
  ALL: 'States.ALL',
  TaskFailed: 'States.TaskFailed',
  Timeout: 'States.Timeout',
  HeartbeatTimeout: 'States.HeartbeatTimeout',
  Runtime: 'States.Runtime',
  DataLimitExceeded: 'States.DataLimitExceeded',
  QueryEvaluationError: 'States.QueryEvaluationError',
  NoChoiceMatched: 'States.NoChoiceMatched',
} as const;

/** An error reported by a state while an execution runs (the ASL "Error Name" plus a "Cause"). */
export class StatesError extends Error {
  constructor(
    readonly error: string,
    override readonly cause: string = '',
  ) {
    super(`${error}: ${cause}`);
    this.name = 'StatesError';
  }
}

/** A JSONata failure; `location` is the field path, e.g. `Arguments/Key`. */
export class QueryEvaluationError extends StatesError {
  constructor(
    cause: string,
    readonly location: string,
  ) {
    super(StatesErrors.QueryEvaluationError, cause);
    this.name = 'QueryEvaluationError';
  }
}

/**
 * What a `TaskInvoker` throws when the task fails: `error` becomes the ASL error name
 * (e.g. `S3.NoSuchKeyException`), `cause` the human-readable text.
 */
export class TaskFailedError extends Error {
  constructor(
    readonly error: string,
    override readonly cause: string = '',
  ) {
    super(`${error}: ${cause}`);
    this.name = 'TaskFailedError';
  }
}

/** An AWS Step Functions API error; `name` is the shape name the SDK maps to a typed exception. */
export class SfnApiError extends Error {
  constructor(
    name: string,
    message: string,
    readonly httpStatus = 400,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = name;
  }
}

export const apiError = (name: string, message: string, options?: ErrorOptions): SfnApiError =>
  new SfnApiError(name, message, 400, options);

/**
 * Does an error name match a Retrier's/Catcher's `ErrorEquals`?
 *
 * Rules, each from a source:
 * - exact, case-sensitive name match (spec "Error representation");
 * - `States.ALL` matches any error name (spec), except `States.Runtime` and
 *   `States.DataLimitExceeded`, which AWS documents as not catchable by `States.ALL`
 *   (concepts-error-handling);
 * - `States.TaskFailed` "acts as a wildcard that matches any known error name except for
 *   States.Timeout" (AWS docs). We also exclude `States.HeartbeatTimeout`, because AWS documents
 *   `States.Timeout` as covering missed heartbeats too and this project's reference treats
 *   TaskFailed as "everything but timeouts and States.Runtime"; plus Runtime/DataLimitExceeded as
 *   for States.ALL;
 * - `States.Timeout` also matches `States.HeartbeatTimeout` (AWS: States.Timeout is reported when a
 *   task "failed to send a heartbeat for a period longer than the HeartbeatSeconds value");
 * - `States.Runtime` is never retried or caught, even when named ("A States.Runtime error isn't
 *   retriable, and will always cause the execution to fail").
 */
export function errorMatches(errorEquals: readonly string[], errorName: string): boolean {
  if (errorName === StatesErrors.Runtime) return false;
  for (const want of errorEquals) {
    if (want === errorName) return true;
    if (want === StatesErrors.ALL && errorName !== StatesErrors.DataLimitExceeded) return true;
    if (
      want === StatesErrors.TaskFailed &&
      errorName !== StatesErrors.Timeout &&
      errorName !== StatesErrors.HeartbeatTimeout &&
      errorName !== StatesErrors.DataLimitExceeded
    ) {
      return true;
    }
    if (want === StatesErrors.Timeout && errorName === StatesErrors.HeartbeatTimeout) return true;
  }
  return false;
}

/** Thrown inside the interpreter when the execution was closed (stopped, timed out) under it. */
export class ExecutionClosedError extends Error {
  constructor() {
    super('execution closed');
    this.name = 'ExecutionClosedError';
  }
}

/** Thrown by the history when one more non-terminal event would exceed the 25,000-event cap. */
export class HistoryLimitError extends Error {
  constructor(readonly limit: number) {
    super(`history limit of ${limit} events reached`);
    this.name = 'HistoryLimitError';
  }
}
