/**
 * The parsed form of a state machine definition, shared by the parser (definition.ts) and the state
 * executors (states/*.ts), which each parse their own state type.
 */

export interface RetrierDef {
  ErrorEquals: string[];
  IntervalSeconds: number;
  MaxAttempts: number;
  BackoffRate: number;
  MaxDelaySeconds?: number;
  JitterStrategy: 'FULL' | 'NONE';
}

export interface CatcherDef {
  ErrorEquals: string[];
  Next: string;
  Output?: unknown;
  Assign?: Record<string, unknown>;
}

export interface ChoiceRuleDef {
  Condition: unknown;
  Next: string;
  Output?: unknown;
  Assign?: Record<string, unknown>;
}

export interface TaskResource {
  /** The resource ARN as written. */
  arn: string;
  service: string;
  action: string;
  waitForTaskToken: boolean;
  /** History `resourceType`, e.g. `aws-sdk:chimesdkvoice`. */
  resourceType: string;
  /** History `resource`, e.g. `updateSipMediaApplicationCall.waitForTaskToken`. */
  resourceName: string;
}

interface Common {
  Name: string;
  Comment?: string;
  Output?: unknown;
  Assign?: Record<string, unknown>;
  Next?: string;
  End?: boolean;
}
export interface TaskState extends Common {
  Type: 'Task';
  Resource: TaskResource;
  Arguments?: unknown;
  TimeoutSeconds?: unknown;
  HeartbeatSeconds?: unknown;
  Retry: RetrierDef[];
  Catch: CatcherDef[];
}
export interface PassState extends Common {
  Type: 'Pass';
}
export interface ChoiceState extends Common {
  Type: 'Choice';
  Choices: ChoiceRuleDef[];
  Default?: string;
}
export interface WaitState extends Common {
  Type: 'Wait';
  Seconds?: unknown;
  Timestamp?: unknown;
}
export interface SucceedState extends Common {
  Type: 'Succeed';
}
export interface FailState {
  Type: 'Fail';
  Name: string;
  Comment?: string;
  Error?: unknown;
  Cause?: unknown;
}
export type StateDef = TaskState | PassState | ChoiceState | WaitState | SucceedState | FailState;

export interface Definition {
  StartAt: string;
  States: Record<string, StateDef>;
  TimeoutSeconds?: number;
}

/** AWS's maximum for TimeoutSeconds/HeartbeatSeconds/Wait Seconds (about three years). */
export const MAX_SECONDS = 99999999;

const TIMESTAMP_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/** Parse an RFC 3339 timestamp as the spec restricts it (uppercase T, Z or numeric offset). */
export function parseTimestamp(value: unknown): number | undefined {
  if (typeof value !== 'string' || !TIMESTAMP_RE.test(value)) return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms;
}
