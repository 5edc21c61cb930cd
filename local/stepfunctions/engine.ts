/**
 * The local Step Functions twin: an interpreter of the Amazon States Language for the JSONata
 * query language, with the API of AWS Step Functions (Standard workflows) in-process; server.ts
 * puts the same API on HTTP (AWS JSON 1.0) for the real @aws-sdk/client-sfn.
 *
 * Why hand-written: no npm engine runs JSONata states with task tokens (aws-local-stepfunctions
 * 3.0.0 supports neither), and the recording workflow needs both.
 *
 * SUPPORTED
 * - QueryLanguage "JSONata" (top level or per state); "{% %}" strings in Arguments, Output,
 *   Assign, Condition, Seconds, Timestamp, TimeoutSeconds, HeartbeatSeconds, Error, Cause;
 *   `$states` {input, result, errorOutput, context}; workflow variables (Assign; every Assign and
 *   Output of a state sees the values from state entry; new values apply from the next state);
 *   $partition, $range, $hash, $random([seed]), $uuid, $parse; $now()/$millis() from the clock.
 *   $range's result is a JSONata sequence (one item: the item, as on AWS); $partition's stays nested.
 * - JSONata errors and fields of the wrong type (Wait Seconds/Timestamp, Task TimeoutSeconds/
 *   HeartbeatSeconds, Choice Condition, Fail Error/Cause) are States.QueryEvaluationError: an
 *   EvaluationFailed event, then Retry/Catch or ExecutionFailed, with AWS's cause wording (causes.ts
 *   says which wordings were seen on AWS).
 * - States: Task, Pass, Choice (Condition rules, rule/state Assign and Output, Default), Wait
 *   (Seconds | Timestamp), Succeed, Fail (Error, Cause).
 * - Task resources `arn:aws:states:::aws-sdk:<service>:<action>` [+ `.waitForTaskToken`] via an
 *   injected TaskInvoker (AwsSdkInvoker: AWS's error names, and service errors' causes end with
 *   "(Service: S3, Status Code: 404, Request ID: ..., Extended Request ID: ...)"); Retry (IntervalSeconds, BackoffRate, MaxAttempts, MaxDelaySeconds,
 *   JitterStrategy FULL|NONE), Catch (Output, Assign, $states.errorOutput), TimeoutSeconds,
 *   HeartbeatSeconds, task tokens with SendTaskSuccess/Failure/Heartbeat.
 * - Standard executions: name idempotency, statuses, top-level TimeoutSeconds, StopExecution,
 *   RedriveExecution, 256 KiB payload limit (States.DataLimitExceeded), 25,000-event history cap,
 *   console-shaped history with AWS's previousEventId (0 for ExecutionStarted and the first state's
 *   Entered, else the event it follows), a state-transition count per execution
 *   (`getExecution().stateTransitions`).
 *
 * REFUSED (InvalidDefinition at CreateStateMachine, naming the state)
 * - JSONPath states (no QueryLanguage, or "JSONPath"), and JSONPath-only fields in JSONata states;
 * - Map and Parallel states; the Task `Credentials` field;
 * - any Task resource other than aws-sdk integrations (Lambda ARNs, activities, `.sync`, optimized
 *   integrations); EXPRESS state machines (ValidationException).
 * Not implemented: versions/aliases, tags, logging/tracing configuration, activities, Map runs,
 * DeleteStateMachine/UpdateStateMachine.
 *
 * Over 400 lines, one class: it mirrors the service's API (state machines, executions, history, tokens), each
 * method a thin validation in front of Execution; splitting it would split the API, not the logic.
 *
 * Every wait, retry interval and timeout sleeps on the injected Clock; every timestamp (history,
 * context, $now) reads it. Task tokens are never logged.
 */
import { randomUUID } from 'node:crypto';
import { ScaledClock, type Clock } from '../clock';
import { parseDefinition } from './definition';
import { SfnApiError, apiError } from './errors';
import { Execution, type StateMachineRecord } from './execution';
import { HISTORY_LIMIT, type HistoryEventRecord, detailsKeyFor } from './history';
import { JsonataEvaluator } from './jsonata-eval';
import { PAYLOAD_LIMIT_BYTES } from './states/task';
import { TaskTokenRegistry } from './tokens';
import { SeededRandom } from '../random';
import type { ExecutionStatus, Logger, TaskInvoker } from './types';

export interface StepFunctionsEngineOptions {
  invoker: TaskInvoker;
  /** Defaults to real time (`new ScaledClock(1)`). */
  clock?: Clock;
  region?: string;
  accountId?: string;
  logger?: Logger;
  /** Source of randomness for retry jitter, $random() and $uuid() (tests inject a fixed one). */
  random?: () => number;
  /**
   * Seed of the twin's run: each execution then draws from its own stream derived from (seed, execution name),
   * so its jitter does not depend on how concurrent executions interleave. Overrides `random`.
   */
  seed?: number;
  /** Sees every task token issued, with its execution (never log them: the twin's simulation uses this to look for them in logs). */
  onTaskToken?: (token: string, executionArn: string) => void;
  /** Sees every SendTaskSuccess/SendTaskFailure accepted, with its execution. */
  onTaskCallback?: (executionArn: string) => void;
  /** True drops a SendTaskSuccess/SendTaskFailure to this execution's state as if it never arrived (the twin's faults.loseCallback). */
  losesTaskCallback?: (executionArn: string, stateName: string) => boolean;
  /** History cap; AWS's is 25,000 (override only to test the cap cheaply). */
  maxHistoryEvents?: number;
}

/** Internal view of an execution, beyond the API: for tests, the scenario runner and billing notes. */
export interface ExecutionInfo {
  executionArn: string;
  name: string;
  status: ExecutionStatus;
  output?: unknown;
  error?: string;
  cause?: string;
  /** Billable state transitions: each state entered, plus each Task retry. */
  stateTransitions: number;
  redriveCount: number;
  variables: Record<string, unknown>;
  history: HistoryEventRecord[];
}

const EXECUTION_NAME_RE = /^[0-9A-Za-z_-]{1,80}$/;
// AWS forbids whitespace, brackets, wildcards, these specials and control characters in names.
const STATE_MACHINE_NAME_BAD = /[\s<>{}[\]?*"#%\\^|~`$&,;:/\u0000-\u001f\u007f-\u009f]/;
const SM_ARN_RE = /^arn:aws:states:([a-z0-9-]+):(\d{12}):stateMachine:([^:]+)$/;
const EXEC_ARN_RE = /^arn:aws:states:([a-z0-9-]+):(\d{12}):execution:([^:]+):([^:]+)$/;

const byteLength = (s: string) => Buffer.byteLength(s, 'utf8');
const noLog: Logger = () => undefined;

function requireString(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.length === 0) {
    throw apiError(
      'ValidationException',
      `1 validation error detected: Value at '${field}' failed to satisfy constraint: Member must not be null`,
    );
  }
  return value;
}

function pageSize(maxResults: unknown): number {
  if (maxResults === undefined || maxResults === null || maxResults === 0) return 100;
  if (typeof maxResults !== 'number' || !Number.isInteger(maxResults) || maxResults < 0 || maxResults > 1000) {
    throw apiError('ValidationException', 'maxResults must be an integer between 0 and 1000');
  }
  return maxResults;
}

/** Opaque pagination tokens: base64url JSON, bound to the query they page through. */
function encodeToken(query: string, position: number): string {
  return Buffer.from(JSON.stringify({ q: query, p: position })).toString('base64url');
}
function decodeToken(token: unknown, query: string): number | undefined {
  if (token === undefined || token === null) return undefined;
  try {
    const parsed = JSON.parse(Buffer.from(String(token), 'base64url').toString('utf8')) as { q?: unknown; p?: unknown };
    if (parsed.q === query && typeof parsed.p === 'number') return parsed.p;
  } catch {
    /* fall through */
  }
  throw apiError('InvalidToken', 'Invalid Token: the nextToken is not valid for this request');
}

export class StepFunctionsEngine {
  readonly clock: Clock;
  readonly region: string;
  readonly accountId: string;
  private readonly invoker: TaskInvoker;
  private readonly log: Logger;
  private readonly random: () => number;
  private readonly seeded?: SeededRandom;
  private readonly historyLimit: number;
  private readonly tokens: TaskTokenRegistry;
  private readonly evaluator: JsonataEvaluator;
  private readonly stateMachines = new Map<string, StateMachineRecord>();
  private readonly executions = new Map<string, Execution>();
  private seq = 0;

  constructor(options: StepFunctionsEngineOptions) {
    this.invoker = options.invoker;
    this.clock = options.clock ?? new ScaledClock(1);
    this.region = options.region ?? 'us-east-1';
    this.accountId = options.accountId ?? '123456789012';
    this.log = options.logger ?? noLog;
    this.random = options.random ?? Math.random;
    this.tokens = new TaskTokenRegistry(options.onTaskToken, options.onTaskCallback, options.losesTaskCallback);
    this.seeded = options.seed === undefined ? undefined : new SeededRandom(options.seed);
    this.historyLimit = options.maxHistoryEvents ?? HISTORY_LIMIT;
    this.evaluator = new JsonataEvaluator(this.clock, this.random);
  }

  // ---- state machines -------------------------------------------------------------------------

  createStateMachine(input: { name: string; definition: string | object; roleArn?: string; type?: string }): {
    stateMachineArn: string;
    creationDate: Date;
  } {
    const name = requireString(input.name, 'name');
    if (name.length > 80 || STATE_MACHINE_NAME_BAD.test(name)) throw apiError('InvalidName', `Invalid Name: '${name}'`);
    if (input.type !== undefined && input.type !== 'STANDARD') {
      throw apiError('ValidationException', `The local twin supports STANDARD state machines only, not ${String(input.type)}`);
    }
    const roleArn = input.roleArn ?? `arn:aws:iam::${this.accountId}:role/local-twin`;
    if (!roleArn.startsWith('arn:')) throw apiError('InvalidArn', `Invalid Arn: '${roleArn}'`);
    if (input.definition === undefined || input.definition === null) requireString(undefined, 'definition');
    const definitionText = typeof input.definition === 'string' ? input.definition : JSON.stringify(input.definition);
    const definition = parseDefinition(input.definition);
    const arn = `arn:aws:states:${this.region}:${this.accountId}:stateMachine:${name}`;
    const existing = this.stateMachines.get(arn);
    if (existing) {
      // AWS: creating the same machine again is idempotent; a different one is a conflict.
      if (existing.definitionText === definitionText && existing.roleArn === roleArn)
        return { stateMachineArn: arn, creationDate: new Date(existing.creationDate) };
      throw apiError('StateMachineAlreadyExists', `State Machine Already Exists: '${arn}'`);
    }
    const record: StateMachineRecord = {
      arn,
      name,
      definitionText,
      definition,
      roleArn,
      type: 'STANDARD',
      creationDate: this.clock.nowMs(),
    };
    this.stateMachines.set(arn, record);
    this.log('info', 'state machine created', { stateMachineArn: arn });
    return { stateMachineArn: arn, creationDate: new Date(record.creationDate) };
  }

  describeStateMachine(input: { stateMachineArn: string }) {
    const sm = this.stateMachine(input.stateMachineArn);
    return {
      stateMachineArn: sm.arn,
      name: sm.name,
      status: 'ACTIVE',
      definition: sm.definitionText,
      roleArn: sm.roleArn,
      type: sm.type,
      creationDate: new Date(sm.creationDate),
      loggingConfiguration: { level: 'OFF', includeExecutionData: false },
      tracingConfiguration: { enabled: false },
    };
  }

  listStateMachines(input: { maxResults?: number; nextToken?: string } = {}) {
    const size = pageSize(input.maxResults);
    const all = [...this.stateMachines.values()];
    const from = decodeToken(input.nextToken, 'sm') ?? 0;
    const page = all.slice(from, from + size);
    return {
      stateMachines: page.map((sm) => ({ stateMachineArn: sm.arn, name: sm.name, type: sm.type, creationDate: new Date(sm.creationDate) })),
      nextToken: from + size < all.length ? encodeToken('sm', from + size) : undefined,
    };
  }

  // ---- executions -----------------------------------------------------------------------------

  startExecution(input: { stateMachineArn: string; name?: string; input?: string }): { executionArn: string; startDate: Date } {
    const sm = this.stateMachine(input.stateMachineArn);
    const name = input.name ?? randomUUID();
    if (typeof name !== 'string' || !EXECUTION_NAME_RE.test(name)) {
      throw apiError('InvalidName', `Invalid Name: '${String(name)}' (execution names are 1-80 characters of 0-9, A-Z, a-z, - and _)`);
    }
    const inputText = input.input ?? '{}';
    if (typeof inputText !== 'string') throw apiError('InvalidExecutionInput', 'Invalid execution input: input must be a string');
    if (byteLength(inputText) > PAYLOAD_LIMIT_BYTES) {
      throw apiError(
        'ValidationException',
        `1 validation error detected: Value at 'input' failed to satisfy constraint: Member must have length less than or equal to ${PAYLOAD_LIMIT_BYTES}`,
      );
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(inputText);
    } catch (e) {
      throw apiError('InvalidExecutionInput', `Invalid execution input: ${(e as Error).message}`, { cause: e });
    }
    const arn = `arn:aws:states:${this.region}:${this.accountId}:execution:${sm.name}:${name}`;
    const existing = this.executions.get(arn);
    if (existing) {
      // Standard workflows: same name and input while open -> the same execution (idempotent).
      if (existing.status === 'RUNNING' && existing.inputText === inputText)
        return { executionArn: arn, startDate: new Date(existing.startDate) };
      throw apiError('ExecutionAlreadyExists', `Execution Already Exists: '${arn}'`);
    }
    const execution = new Execution(arn, name, sm, inputText, parsed, this.clock.nowMs(), ++this.seq, {
      clock: this.clock,
      invoker: this.invoker,
      tokens: this.tokens,
      evaluator: this.evaluator,
      random: this.seeded ? this.seeded.derive(`execution:${name}`).fn : this.random,
      region: this.region,
      log: this.log,
      historyLimit: this.historyLimit,
    });
    this.executions.set(arn, execution);
    execution.start();
    return { executionArn: arn, startDate: new Date(execution.startDate) };
  }

  describeExecution(input: { executionArn: string }) {
    const e = this.execution(input.executionArn);
    const reason = e.notRedrivableReason();
    return {
      executionArn: e.arn,
      stateMachineArn: e.stateMachine.arn,
      name: e.name,
      status: e.status,
      startDate: new Date(e.startDate),
      stopDate: e.stopDate !== undefined ? new Date(e.stopDate) : undefined,
      input: e.inputText,
      inputDetails: { included: true },
      output: e.output,
      outputDetails: e.output !== undefined ? { included: true } : undefined,
      error: e.error,
      cause: e.cause,
      redriveCount: e.redriveCount,
      redriveDate: e.redriveDate !== undefined ? new Date(e.redriveDate) : undefined,
      redriveStatus: reason ? 'NOT_REDRIVABLE' : 'REDRIVABLE',
      redriveStatusReason: reason,
    };
  }

  listExecutions(input: { stateMachineArn: string; statusFilter?: string; maxResults?: number; nextToken?: string }) {
    const sm = this.stateMachine(input.stateMachineArn);
    const statuses = ['RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED', 'PENDING_REDRIVE'];
    if (input.statusFilter !== undefined && !statuses.includes(input.statusFilter)) {
      throw apiError('ValidationException', `statusFilter must be one of ${statuses.join(', ')}`);
    }
    const size = pageSize(input.maxResults);
    const query = `ex:${sm.arn}:${input.statusFilter ?? ''}`;
    // Newest first, like AWS; the token remembers the last sequence number returned, so new
    // executions starting between pages do not shift the following pages.
    const after = decodeToken(input.nextToken, query) ?? Infinity;
    const matching = [...this.executions.values()]
      .filter((e) => e.stateMachine === sm && (!input.statusFilter || e.status === input.statusFilter) && e.seq < after)
      .sort((a, b) => b.seq - a.seq);
    const page = matching.slice(0, size);
    return {
      executions: page.map((e) => ({
        executionArn: e.arn,
        stateMachineArn: sm.arn,
        name: e.name,
        status: e.status,
        startDate: new Date(e.startDate),
        stopDate: e.stopDate !== undefined ? new Date(e.stopDate) : undefined,
        redriveCount: e.redriveCount,
        redriveDate: e.redriveDate !== undefined ? new Date(e.redriveDate) : undefined,
      })),
      nextToken: matching.length > size ? encodeToken(query, page[page.length - 1].seq) : undefined,
    };
  }

  getExecutionHistory(input: {
    executionArn: string;
    maxResults?: number;
    reverseOrder?: boolean;
    nextToken?: string;
    includeExecutionData?: boolean;
  }) {
    const e = this.execution(input.executionArn);
    const size = pageSize(input.maxResults);
    const reverse = input.reverseOrder === true;
    const query = `h:${e.arn}:${reverse}`;
    const events = e.history.events;
    // The token is the id of the next event to return; the history only grows at the end.
    const start = decodeToken(input.nextToken, query) ?? (reverse ? events.length : 1);
    const ids: number[] = [];
    for (let id = start; ids.length < size && id >= 1 && id <= events.length; id += reverse ? -1 : 1) ids.push(id);
    const nextId = ids.length ? ids[ids.length - 1] + (reverse ? -1 : 1) : start;
    const hasMore = reverse ? nextId >= 1 : nextId <= events.length;
    const include = input.includeExecutionData !== false;
    return {
      events: ids.map((id) => toApiEvent(events[id - 1], include)),
      nextToken: hasMore && ids.length ? encodeToken(query, nextId) : undefined,
    };
  }

  stopExecution(input: { executionArn: string; error?: string; cause?: string }): { stopDate: Date } {
    const e = this.execution(input.executionArn);
    if (input.error !== undefined && (typeof input.error !== 'string' || input.error.length > 256))
      throw apiError('ValidationException', 'error must be at most 256 characters');
    if (input.cause !== undefined && (typeof input.cause !== 'string' || input.cause.length > 32768))
      throw apiError('ValidationException', 'cause must be at most 32768 characters');
    e.stop(input.error, input.cause);
    return { stopDate: new Date(e.stopDate ?? this.clock.nowMs()) };
  }

  redriveExecution(input: { executionArn: string; clientToken?: string }): { redriveDate: Date } {
    const e = this.execution(input.executionArn);
    return { redriveDate: new Date(e.redrive()) };
  }

  // ---- task tokens ----------------------------------------------------------------------------

  sendTaskSuccess(input: { taskToken: string; output: string }): Record<string, never> {
    if (typeof input.output !== 'string')
      throw apiError(
        'ValidationException',
        "1 validation error detected: Value at 'output' failed to satisfy constraint: Member must not be null",
      );
    if (byteLength(input.output) > PAYLOAD_LIMIT_BYTES)
      throw apiError('ValidationException', `output must be at most ${PAYLOAD_LIMIT_BYTES} bytes`);
    let output: unknown;
    try {
      output = JSON.parse(input.output);
    } catch {
      throw apiError('InvalidOutput', 'Invalid Output: the provided output is not valid JSON');
    }
    this.tokens.complete(input.taskToken, { kind: 'success', output });
    return {};
  }

  sendTaskFailure(input: { taskToken: string; error?: string; cause?: string }): Record<string, never> {
    if (input.error !== undefined && (typeof input.error !== 'string' || input.error.length > 256))
      throw apiError('ValidationException', 'error must be at most 256 characters');
    if (input.cause !== undefined && (typeof input.cause !== 'string' || input.cause.length > 32768))
      throw apiError('ValidationException', 'cause must be at most 32768 characters');
    this.tokens.complete(input.taskToken, { kind: 'failure', error: input.error, cause: input.cause });
    return {};
  }

  sendTaskHeartbeat(input: { taskToken: string }): Record<string, never> {
    this.tokens.heartbeat(input.taskToken);
    return {};
  }

  // ---- internal API (not part of AWS) ---------------------------------------------------------

  getExecution(executionArn: string): ExecutionInfo {
    const e = this.execution(executionArn);
    return {
      executionArn: e.arn,
      name: e.name,
      status: e.status,
      output: e.output !== undefined ? JSON.parse(e.output) : undefined,
      error: e.error,
      cause: e.cause,
      stateTransitions: e.stateTransitions,
      redriveCount: e.redriveCount,
      variables: structuredClone(e.variables),
      history: e.history.events.map((ev) => structuredClone(ev)),
    };
  }

  /**
   * Drops a closed execution from memory (long simulations check each call, then forget it). Its ARN is free
   * again afterwards, unlike in AWS: only for runs that never reuse names.
   */
  forgetExecution(executionArn: string): void {
    const e = this.execution(executionArn);
    if (e.status === 'RUNNING') throw apiError('ValidationException', `Execution ${executionArn} is RUNNING and cannot be forgotten`);
    this.executions.delete(e.arn);
  }

  /** Resolves when the execution is no longer RUNNING (without copying it, unlike waitForExecution). */
  whenClosed(executionArn: string): Promise<void> {
    return this.execution(executionArn).whenClosed();
  }

  /** Resolves when the execution is no longer RUNNING. */
  async waitForExecution(executionArn: string): Promise<ExecutionInfo> {
    await this.execution(executionArn).whenClosed();
    return this.getExecution(executionArn);
  }

  /** Abort every running execution (shutdown): pending timers and invoker calls are cancelled. */
  close(): void {
    for (const e of this.executions.values()) e.stop('States.Runtime', 'The local Step Functions twin shut down');
  }

  private stateMachine(arn: unknown): StateMachineRecord {
    const a = requireString(arn, 'stateMachineArn');
    if (!SM_ARN_RE.test(a)) throw apiError('InvalidArn', `Invalid Arn: '${a}'`);
    const sm = this.stateMachines.get(a);
    if (!sm) throw apiError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${a}'`);
    return sm;
  }

  private execution(arn: unknown): Execution {
    const a = requireString(arn, 'executionArn');
    if (!EXEC_ARN_RE.test(a)) throw apiError('InvalidArn', `Invalid Arn: '${a}'`);
    const e = this.executions.get(a);
    if (!e) throw apiError('ExecutionDoesNotExist', `Execution Does Not Exist: '${a}'`);
    return e;
  }
}

/** A history record in the API's shape (Date timestamps; execution data dropped on request). */
function toApiEvent(ev: HistoryEventRecord, includeExecutionData: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = { ...ev, timestamp: new Date(ev.timestamp) };
  const key = detailsKeyFor(ev.type);
  if (key && out[key] && !includeExecutionData) {
    const d = { ...(out[key] as Record<string, unknown>) };
    delete d.input;
    delete d.output;
    out[key] = d;
  }
  if (key && out[key]) out[key] = structuredClone(out[key]);
  return out;
}

export { SfnApiError };
