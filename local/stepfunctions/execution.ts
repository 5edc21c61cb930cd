/**
 * One Standard-workflow execution: the state loop, workflow variables, history, status, the
 * execution-level timeout, StopExecution and RedriveExecution. (Just over 400 lines: one lifecycle, kept whole.)
 *
 * Closing (success, failure, stop, timeout) is synchronous and happens once: `finalize` writes the
 * terminal event and aborts the execution's AbortSignal, which cancels pending waits, timers and
 * invoker calls; the async loop notices the closed flag after its next await and exits without
 * writing anything. So DescribeExecution right after StopExecution already says ABORTED.
 *
 * State transitions (what Standard workflows bill): every state entered counts one, and every
 * retry of a Task counts one more ("each retry will be charged as an additional state
 * transition", AWS pricing). A redriven execution counts its re-entered states the same way.
 */
import type { Clock, TimerTag } from '../clock';
import { statePrefix } from './causes';
import type { Definition, StateDef } from './definition';
import { ExecutionClosedError, HistoryLimitError, QueryEvaluationError, SfnApiError, StatesError, StatesErrors } from './errors';
import { History, type HistoryEventRecord } from './history';
import type { JsonataEvaluator } from './jsonata-eval';
import { runChoice } from './states/choice';
import { runFail } from './states/fail';
import { runPass } from './states/pass';
import type { EvalExtras, StateOutcome, StateRuntime } from './states/runtime';
import { runSucceed } from './states/succeed';
import { assertPayloadSize, runTask } from './states/task';
import { runWait } from './states/wait';
import { sleepFor, sleepUntil } from './timing';
import type { TaskTokenRegistry } from './tokens';
import type { ExecutionStatus, Logger, TaskInvoker } from './types';

export interface StateMachineRecord {
  arn: string;
  name: string;
  definitionText: string;
  definition: Definition;
  roleArn: string;
  type: 'STANDARD';
  creationDate: number;
}

export interface ExecutionDeps {
  clock: Clock;
  invoker: TaskInvoker;
  tokens: TaskTokenRegistry;
  evaluator: JsonataEvaluator;
  random: () => number;
  region: string;
  log: Logger;
  historyLimit: number;
}

/** AWS: executions can be redriven for 14 days after they close. */
const REDRIVE_PERIOD_MS = 14 * 24 * 3600 * 1000;
/** Yield to the event loop every so many states, so a tight Pass loop cannot starve I/O. */
const YIELD_EVERY = 50;

interface CurrentState {
  name: string;
  type: StateDef['Type'];
  input: unknown;
  enteredEventId: number;
  enteredTime: number;
  retryCount: number;
}

/** Abort reason of the execution-level timer (shared: see task.ts ATTEMPT_OVER). */
const EXECUTION_CLOSED = new Error('the execution closed');

const iso = (ms: number) => new Date(ms).toISOString();

export class Execution implements StateRuntime {
  readonly history: History;
  status: ExecutionStatus = 'RUNNING';
  stopDate?: number;
  output?: string;
  error?: string;
  cause?: string;
  redriveCount = 0;
  redriveDate?: number;
  stateTransitions = 0;
  /** Workflow variables; only changed when a state exits, so a state always sees entry values. */
  readonly variables: Record<string, unknown> = {};
  historyLimitExceeded = false;

  private controller = new AbortController();
  private timeoutController?: AbortController;
  private current?: CurrentState;
  private closedWaiters: Array<() => void> = [];
  private closed = false;
  /** Ends the run loop's busy mark on the clock (see idle). */
  private working?: () => void;

  constructor(
    readonly arn: string,
    readonly name: string,
    readonly stateMachine: StateMachineRecord,
    readonly inputText: string,
    readonly input: unknown,
    readonly startDate: number,
    readonly seq: number,
    private readonly deps: ExecutionDeps,
  ) {
    this.history = new History(deps.clock, deps.historyLimit);
  }

  // ---- StateRuntime ---------------------------------------------------------------------------
  get clock(): Clock {
    return this.deps.clock;
  }
  get invoker(): TaskInvoker {
    return this.deps.invoker;
  }
  get tokens(): TaskTokenRegistry {
    return this.deps.tokens;
  }
  get region(): string {
    return this.deps.region;
  }
  get random(): () => number {
    return this.deps.random;
  }
  get executionArn(): string {
    return this.arn;
  }
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  ensureOpen(): void {
    if (this.closed) throw new ExecutionClosedError();
  }

  record(type: string, details?: Record<string, unknown>): HistoryEventRecord {
    this.ensureOpen();
    return this.history.add(type, details);
  }

  noteRetry(): void {
    this.stateTransitions++;
    if (this.current) this.current.retryCount++;
  }

  async sleep(ms: number): Promise<void> {
    await this.idle(this.guard(sleepFor(this.clock, ms, this.signal, this.timerTag('sfn:wait'))));
  }

  async sleepUntil(epochMs: number): Promise<void> {
    await this.idle(this.guard(sleepUntil(this.clock, epochMs, this.signal, this.timerTag('sfn:wait'))));
  }

  /** Timers of this execution fire in a fixed order among themselves (see TimerTag). */
  timerTag(label: string): TimerTag {
    return { owner: this.name, label };
  }

  /**
   * The run loop counts as work in flight for the clock (a discrete-event clock does not move while a state is
   * being evaluated); it is idle only while it waits for time or for a callback: `idle` marks such a wait.
   */
  async idle<T>(wait: Promise<T>): Promise<T> {
    this.working?.();
    try {
      return await wait;
    } finally {
      if (!this.closed) this.working = this.clock.busy();
    }
  }

  private async guard<T>(p: Promise<T>): Promise<T> {
    try {
      return await p;
    } catch (e) {
      if (this.closed) throw new ExecutionClosedError();
      throw e;
    }
  }

  /** The Context Object (`$states.context`). */
  contextObject(taskToken?: string): Record<string, unknown> {
    const cur = this.current;
    return {
      Execution: {
        Id: this.arn,
        Name: this.name,
        StartTime: iso(this.startDate),
        Input: this.input,
        RoleArn: this.stateMachine.roleArn,
        RedriveCount: this.redriveCount,
      },
      State: cur ? { Name: cur.name, EnteredTime: iso(cur.enteredTime), RetryCount: cur.retryCount } : undefined,
      StateMachine: { Id: this.stateMachine.arn, Name: this.stateMachine.name },
      ...(taskToken !== undefined ? { Task: { Token: taskToken } } : {}),
    };
  }

  async evaluate(template: unknown, field: string, extras: EvalExtras = {}): Promise<unknown> {
    const cur = this.current!;
    const states: Record<string, unknown> = { input: cur.input, context: this.contextObject(extras.taskToken) };
    if ('result' in extras) states.result = extras.result;
    if ('errorOutput' in extras) states.errorOutput = extras.errorOutput;
    try {
      const scope = {
        states: states as { input: unknown; context: unknown },
        variables: this.variables,
        stateName: cur.name,
        enteredEventId: cur.enteredEventId,
        random: this.deps.random,
      };
      const value = await this.deps.evaluator.evaluate(template, scope, field);
      this.ensureOpen();
      return value;
    } catch (e) {
      this.ensureOpen();
      if (e instanceof StatesError && e.error === StatesErrors.QueryEvaluationError) {
        const location = e instanceof QueryEvaluationError ? e.location : field;
        this.record('EvaluationFailed', { error: e.error, cause: e.cause, location, state: cur.name });
      }
      throw e;
    }
  }

  invalidField(location: string, text: string): QueryEvaluationError {
    const cur = this.current!;
    const error = new QueryEvaluationError(statePrefix(cur.name, cur.enteredEventId) + text, location);
    this.record('EvaluationFailed', { error: error.error, cause: error.cause, location, state: cur.name });
    return error;
  }

  async evaluateAssign(
    assign: Record<string, unknown> | undefined,
    field: string,
    extras: EvalExtras = {},
  ): Promise<Record<string, unknown> | undefined> {
    if (assign === undefined) return undefined;
    const values = (await this.evaluate(assign, field, extras)) as Record<string, unknown>;
    assertPayloadSize(values, `Assign of the state '${this.current!.name}'`);
    return values;
  }

  // ---- lifecycle ------------------------------------------------------------------------------

  start(): void {
    this.history.add('ExecutionStarted', {
      input: this.inputText,
      inputDetails: { truncated: false },
      roleArn: this.stateMachine.roleArn,
    });
    this.deps.log('info', 'execution started', { executionArn: this.arn });
    this.armTimeout();
    void this.run(this.stateMachine.definition.StartAt, this.input);
  }

  /** StopExecution: close as ABORTED now; pending waits, timers and tokens are cancelled. */
  stop(error?: string, cause?: string): void {
    if (this.closed) return;
    this.recordAbortedState();
    this.finalize('ABORTED', 'ExecutionAborted', { error, cause });
  }

  /** RedriveExecution: re-enter the state where the execution stopped, with its input and the variables kept. */
  redrive(): number {
    const reason = this.notRedrivableReason();
    if (reason) throw new SfnApiError('ExecutionNotRedrivable', `Execution ${this.arn} cannot be redriven: ${reason}`);
    this.redriveCount++;
    this.redriveDate = this.clock.nowMs();
    this.closed = false;
    this.status = 'RUNNING';
    this.stopDate = this.output = this.error = this.cause = undefined;
    this.controller = new AbortController();
    this.history.add('ExecutionRedriven', { redriveCount: this.redriveCount });
    this.deps.log('info', 'execution redriven', { executionArn: this.arn, redriveCount: this.redriveCount });
    this.armTimeout(); // AWS resets the state machine timeout on redrive
    const from = this.current;
    void this.run(from ? from.name : this.stateMachine.definition.StartAt, from ? from.input : this.input);
    return this.redriveDate;
  }

  notRedrivableReason(): string | undefined {
    if (this.status === 'RUNNING') return 'Execution is RUNNING and cannot be redriven.';
    if (this.status === 'SUCCEEDED') return 'Execution is SUCCEEDED and cannot be redriven.';
    if (this.historyLimitExceeded || !this.history.hasRoomFor(2)) return 'Execution history event limit exceeded.';
    if (this.stopDate !== undefined && this.clock.nowMs() - this.stopDate > REDRIVE_PERIOD_MS)
      return 'Execution redrivable period exceeded.';
    return undefined;
  }

  /** Resolves once the execution is not RUNNING. */
  whenClosed(): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((resolve) => this.closedWaiters.push(resolve));
  }

  private armTimeout(): void {
    const seconds = this.stateMachine.definition.TimeoutSeconds;
    if (seconds === undefined) return;
    const ctrl = (this.timeoutController = new AbortController());
    sleepFor(this.clock, seconds * 1000, ctrl.signal, this.timerTag('sfn:execution-timeout')).then(
      () => {
        if (this.closed) return;
        this.recordAbortedState();
        this.finalize('TIMED_OUT', 'ExecutionTimedOut', {
          error: StatesErrors.Timeout,
          cause: `The execution ran longer than the state machine's TimeoutSeconds (${seconds} s)`,
        });
      },
      () => undefined,
    );
  }

  /** A Task or Wait state interrupted by a stop or timeout gets its *StateAborted event. */
  private recordAbortedState(): void {
    const cur = this.current;
    if (cur && (cur.type === 'Task' || cur.type === 'Wait') && this.history.hasRoomFor()) {
      const last = this.history.events[this.history.length - 1];
      const exitedOrEnded = last?.type.endsWith('StateExited') || last?.type === 'ExecutionRedriven' || last?.type === 'ExecutionStarted';
      if (!exitedOrEnded) this.history.add(`${cur.type}StateAborted`);
    }
  }

  private finalize(status: Exclude<ExecutionStatus, 'RUNNING'>, eventType: string, details: Record<string, unknown>): void {
    if (this.closed) return;
    this.closed = true;
    this.status = status;
    this.stopDate = this.clock.nowMs();
    if (status === 'SUCCEEDED') this.output = details.output as string;
    else {
      this.error = details.error as string | undefined;
      this.cause = details.cause as string | undefined;
    }
    this.history.add(eventType, details);
    this.working?.();
    this.working = undefined;
    this.timeoutController?.abort(EXECUTION_CLOSED);
    this.controller.abort(new ExecutionClosedError());
    this.deps.log('info', 'execution closed', { executionArn: this.arn, status, error: this.error });
    for (const w of this.closedWaiters.splice(0)) w();
  }

  private async run(startName: string, startInput: unknown): Promise<void> {
    const states = this.stateMachine.definition.States;
    let name = startName;
    let input = startInput;
    this.working?.();
    this.working = this.clock.busy();
    try {
      for (let n = 1; ; n++) {
        if (n % YIELD_EVERY === 0) await new Promise((r) => setImmediate(r));
        this.ensureOpen();
        const state = states[name];
        const entered = this.record(`${state.Type}StateEntered`, {
          name,
          input: JSON.stringify(input),
          inputDetails: { truncated: false },
        });
        this.stateTransitions++;
        this.current = { name, type: state.Type, input, enteredEventId: entered.id, enteredTime: entered.timestamp, retryCount: 0 };

        const outcome = await this.runState(state, input);
        this.ensureOpen();
        if (outcome.kind === 'fail') {
          this.finalize('FAILED', 'ExecutionFailed', { error: outcome.error, cause: outcome.cause });
          return;
        }
        const outputText = assertPayloadSize(outcome.output, `output of the state '${name}'`);
        const exitDetails: Record<string, unknown> = { name, output: outputText, outputDetails: { truncated: false } };
        if (outcome.assign) {
          exitDetails.assignedVariables = Object.fromEntries(Object.entries(outcome.assign).map(([k, v]) => [k, JSON.stringify(v)]));
          exitDetails.assignedVariablesDetails = { truncated: false };
        }
        this.record(`${state.Type}StateExited`, exitDetails);
        if (outcome.assign) Object.assign(this.variables, outcome.assign);
        if (outcome.kind === 'end') {
          this.finalize('SUCCEEDED', 'ExecutionSucceeded', { output: outputText, outputDetails: { truncated: false } });
          return;
        }
        name = outcome.next;
        input = outcome.output;
      }
    } catch (e) {
      if (this.closed) return;
      if (e instanceof HistoryLimitError) {
        this.historyLimitExceeded = true;
        this.finalize('FAILED', 'ExecutionFailed', {
          error: StatesErrors.Runtime,
          cause: `The execution reached the maximum number of history events (${e.limit}) and was failed.`,
        });
      } else if (e instanceof StatesError) {
        this.finalize('FAILED', 'ExecutionFailed', { error: e.error || undefined, cause: e.cause || undefined });
      } else {
        this.deps.log('error', 'interpreter error', { executionArn: this.arn, message: (e as Error)?.message });
        this.finalize('FAILED', 'ExecutionFailed', {
          error: StatesErrors.Runtime,
          cause: `Internal error of the local twin: ${(e as Error)?.message ?? String(e)}`,
        });
      }
    }
  }

  private runState(state: StateDef, input: unknown): Promise<StateOutcome> {
    switch (state.Type) {
      case 'Task':
        return runTask(state, input, this);
      case 'Pass':
        return runPass(state, input, this);
      case 'Choice':
        return runChoice(state, input, this);
      case 'Wait':
        return runWait(state, input, this);
      case 'Succeed':
        return runSucceed(state, input, this);
      case 'Fail':
        return runFail(state, input, this);
    }
  }
}
