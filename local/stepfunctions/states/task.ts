/**
 * Task: runs an `aws-sdk:<service>:<action>` resource through the injected TaskInvoker, with
 * Retry and Catch, TimeoutSeconds and (for `.waitForTaskToken`) HeartbeatSeconds.
 *
 * One attempt:
 *   [new token] -> evaluate Arguments, TimeoutSeconds, HeartbeatSeconds -> TaskScheduled ->
 *   TaskStarted -> invoke -> request-response: TaskSucceeded | TaskFailed
 *                         -> callback: TaskSubmitted, then SendTaskSuccess -> TaskSucceeded,
 *                            SendTaskFailure -> TaskFailed
 *   a timer may end it first: TaskTimedOut (States.Timeout / States.HeartbeatTimeout).
 * Then Assign/Output are evaluated with `$states.result`. A failure anywhere in the attempt
 * (including a JSONata error) goes through Retry, then Catch; each retry is a new attempt with a
 * new token, and the old token dies.
 *
 * A callback can arrive before the invoker's call returns (the SMA Lambda may answer before
 * UpdateSipMediaApplicationCall's 202 reaches us): it is kept and applied right after
 * TaskSubmitted, so the history order stays Submitted -> Succeeded. If the invoker call fails and
 * no callback came yet, the task fails with the invoker's error.
 *
 * HeartbeatSeconds only applies to callback tasks (a request-response SDK call has nobody to send
 * heartbeats). Without TimeoutSeconds no timer is armed: AWS's default is 99,999,999 s.
 */
import { invalidSeconds } from '../causes';
import { isJsonataString } from '../jsonata-eval';
import { isPositiveInt, type ParseContext } from '../parse-context';
import { MAX_SECONDS, type TaskResource, type TaskState } from '../state-types';
import { ExecutionClosedError, StatesError, StatesErrors, TaskFailedError } from '../errors';
import { decideRetry, findCatcher, parseCatch, parseRetry } from '../retry';
import { sleepFor } from '../timing';
import { track } from '../../clock';
import type { CallbackOutcome } from '../tokens';
import { type StateOutcome, type StateRuntime, transition } from './runtime';

/** Abort reason when an attempt ends (a shared Error: abort() without one builds a DOMException with a stack, per attempt). */
const ATTEMPT_OVER = new Error('the task attempt is over');

/** 256 KiB: AWS's payload limit for inputs, outputs, task arguments and results. */
export const PAYLOAD_LIMIT_BYTES = 256 * 1024;

export function assertPayloadSize(value: unknown, what: string): string {
  const text = JSON.stringify(value) ?? 'null';
  if (Buffer.byteLength(text, 'utf8') > PAYLOAD_LIMIT_BYTES) {
    throw new StatesError(
      StatesErrors.DataLimitExceeded,
      `The ${what} has a size of ${Buffer.byteLength(text, 'utf8')} bytes, more than the limit of ${PAYLOAD_LIMIT_BYTES} bytes`,
    );
  }
  return text;
}

export async function runTask(state: TaskState, input: unknown, rt: StateRuntime): Promise<StateOutcome> {
  const attempts = state.Retry.map(() => 0);
  for (;;) {
    let failure: StatesError;
    try {
      const result = await runAttempt(state, input, rt);
      const assign = await rt.evaluateAssign(state.Assign, 'Assign', { result });
      const output = state.Output === undefined ? result : await rt.evaluate(state.Output, 'Output', { result });
      return transition(state, output, assign);
    } catch (e) {
      if (!(e instanceof StatesError)) throw e; // closed execution, full history, bugs
      failure = e;
    }
    const decision = decideRetry(state.Retry, attempts, failure.error, rt.random);
    if (decision.retry) {
      rt.noteRetry();
      await rt.sleep(decision.delayMs);
      continue;
    }
    const catcher = findCatcher(state.Catch, failure.error);
    if (!catcher) throw failure;
    const errorOutput = { Error: failure.error, Cause: failure.cause };
    const i = state.Catch.indexOf(catcher);
    const assign = await rt.evaluateAssign(catcher.Assign, `Catch[${i}]/Assign`, { errorOutput });
    const output = catcher.Output === undefined ? errorOutput : await rt.evaluate(catcher.Output, `Catch[${i}]/Output`, { errorOutput });
    return { kind: 'next', next: catcher.Next, output, assign };
  }
}

type AttemptOutcome =
  | { kind: 'success'; output: unknown }
  | { kind: 'failure'; error: string; cause: string }
  | { kind: 'timeout'; error: string; cause: string }
  | { kind: 'closed' }
  | { kind: 'fatal'; thrown: unknown };

async function evalSeconds(
  state: TaskState,
  field: 'TimeoutSeconds' | 'HeartbeatSeconds',
  rt: StateRuntime,
  taskToken?: string,
): Promise<number | undefined> {
  if (state[field] === undefined) return undefined;
  const v = await rt.evaluate(state[field], field, { taskToken });
  if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0 || v > MAX_SECONDS) {
    throw rt.invalidField(field, invalidSeconds(field, 1, MAX_SECONDS, v));
  }
  return v;
}

async function runAttempt(state: TaskState, input: unknown, rt: StateRuntime): Promise<unknown> {
  const res = state.Resource;
  const ids = { resourceType: res.resourceType, resource: res.resourceName };
  const ctrl = new AbortController();
  const onExecutionAbort = () => ctrl.abort(new ExecutionClosedError());
  rt.signal.addEventListener('abort', onExecutionAbort, { once: true });

  // Callback plumbing, installed before the token can possibly be used.
  let settle: (o: AttemptOutcome) => void = () => undefined;
  let earlyCallback: CallbackOutcome | undefined;
  let submitted = false;
  let rearmHeartbeat: () => void = () => undefined;
  let token: string | undefined;
  if (res.waitForTaskToken) {
    token = rt.tokens.issue({
      executionArn: rt.executionArn,
      stateName: state.Name,
      isOpen: () => !ctrl.signal.aborted,
      onCallback: (o) => {
        const outcome: AttemptOutcome = o.kind === 'success' ? o : { kind: 'failure', error: o.error ?? '', cause: o.cause ?? '' };
        if (submitted) settle(outcome);
        else earlyCallback ??= o;
      },
      onHeartbeat: () => rearmHeartbeat(),
    });
  }

  let outcome: AttemptOutcome | undefined;
  try {
    const args = state.Arguments === undefined ? input : await rt.evaluate(state.Arguments, 'Arguments', { taskToken: token });
    const timeoutSeconds = await evalSeconds(state, 'TimeoutSeconds', rt, token);
    const heartbeatSeconds = await evalSeconds(state, 'HeartbeatSeconds', rt, token);
    const parameters = assertPayloadSize(args, `arguments of the Task state '${state.Name}'`);
    rt.record('TaskScheduled', {
      ...ids,
      region: rt.region,
      parameters,
      timeoutInSeconds: timeoutSeconds,
      heartbeatInSeconds: heartbeatSeconds,
    });
    rt.record('TaskStarted', ids);

    outcome = await rt.idle(
      new Promise<AttemptOutcome>((resolve) => {
        let done = false;
        settle = (o) => {
          if (done) return;
          done = true;
          resolve(o);
        };
        if (ctrl.signal.aborted) return settle({ kind: 'closed' });
        ctrl.signal.addEventListener('abort', () => settle({ kind: 'closed' }), { once: true });

        if (timeoutSeconds !== undefined) {
          sleepFor(rt.clock, timeoutSeconds * 1000, ctrl.signal, rt.timerTag('sfn:timeout')).then(
            () =>
              settle({
                kind: 'timeout',
                error: StatesErrors.Timeout,
                cause: `The task did not complete within TimeoutSeconds (${timeoutSeconds} s)`,
              }),
            () => undefined,
          );
        }
        if (res.waitForTaskToken && heartbeatSeconds !== undefined) {
          let hb: AbortController | undefined;
          rearmHeartbeat = () => {
            hb?.abort(ATTEMPT_OVER);
            hb = new AbortController();
            const signal = AbortSignal.any([hb.signal, ctrl.signal]);
            sleepFor(rt.clock, heartbeatSeconds * 1000, signal, rt.timerTag('sfn:heartbeat')).then(
              () =>
                settle({
                  kind: 'timeout',
                  error: StatesErrors.HeartbeatTimeout,
                  cause: `No heartbeat within HeartbeatSeconds (${heartbeatSeconds} s)`,
                }),
              () => undefined,
            );
          };
          rearmHeartbeat();
        }

        Promise.resolve()
          // The request is work in flight for the clock, whatever client the invoker uses.
          .then(() => track(rt.clock, rt.invoker.invoke({ service: res.service, action: res.action, args, signal: ctrl.signal })))
          .then(
            (result) => {
              if (done) return;
              // aws-sdk integrations return `{}` for empty responses; keep results JSON.
              const value = result === undefined ? {} : result;
              if (!res.waitForTaskToken) return settle({ kind: 'success', output: value });
              try {
                rt.record('TaskSubmitted', { ...ids, output: JSON.stringify(value) ?? 'null', outputDetails: { truncated: false } });
              } catch (e) {
                return settle({ kind: 'fatal', thrown: e });
              }
              submitted = true;
              if (earlyCallback)
                settle(
                  earlyCallback.kind === 'success'
                    ? earlyCallback
                    : { kind: 'failure', error: earlyCallback.error ?? '', cause: earlyCallback.cause ?? '' },
                );
            },
            (err) => {
              if (done) return;
              if (earlyCallback) {
                submitted = true;
                return settle(
                  earlyCallback.kind === 'success'
                    ? earlyCallback
                    : { kind: 'failure', error: earlyCallback.error ?? '', cause: earlyCallback.cause ?? '' },
                );
              }
              settle(toFailure(err));
            },
          );
      }),
    );
  } finally {
    if (token) rt.tokens.retire(token, outcome?.kind === 'timeout' ? 'TaskTimedOut' : 'TaskDoesNotExist');
    rt.signal.removeEventListener('abort', onExecutionAbort);
    ctrl.abort(ATTEMPT_OVER); // stop timers, and tell a still-running invoker call that nobody waits for it
  }

  switch (outcome.kind) {
    case 'closed':
      throw new ExecutionClosedError();
    case 'fatal':
      throw outcome.thrown;
    case 'timeout':
      rt.record('TaskTimedOut', { ...ids, error: outcome.error, cause: outcome.cause });
      throw new StatesError(outcome.error, outcome.cause);
    case 'failure':
      rt.record('TaskFailed', { ...ids, error: outcome.error || undefined, cause: outcome.cause || undefined });
      throw new StatesError(outcome.error, outcome.cause);
    case 'success': {
      const output = assertPayloadSize(outcome.output, `result of the Task state '${state.Name}'`);
      rt.record('TaskSucceeded', { ...ids, output, outputDetails: { truncated: false } });
      return JSON.parse(output);
    }
  }
}

function toFailure(err: unknown): AttemptOutcome {
  if (err instanceof TaskFailedError) return { kind: 'failure', error: err.error, cause: err.cause };
  const e = err as { error?: unknown; cause?: unknown; message?: unknown };
  if (e && typeof e.error === 'string') return { kind: 'failure', error: e.error, cause: typeof e.cause === 'string' ? e.cause : '' };
  return { kind: 'failure', error: StatesErrors.TaskFailed, cause: typeof e?.message === 'string' ? e.message : String(err) };
}

const RESOURCE_RE = /^arn:aws:states:[a-z0-9-]*:[0-9]*:aws-sdk:([a-z0-9]+):([a-z][A-Za-z0-9]*)(\.waitForTaskToken)?$/;

export function parseTask(ctx: ParseContext): TaskState {
  const { at, s, common, add, checkJsonata, checkAssign, checkTransition } = ctx;
  const resource = parseResource(s.Resource);
  if (!resource) {
    add(
      'UNSUPPORTED_FEATURE',
      `Resource ${JSON.stringify(s.Resource)} is unsupported by the local twin (only arn:aws:states:::aws-sdk:<service>:<action>, optionally .waitForTaskToken)`,
      `${at}/Resource`,
    );
  }
  for (const f of ['TimeoutSeconds', 'HeartbeatSeconds'] as const) {
    const v = s[f];
    if (v !== undefined && !isJsonataString(v) && !(isPositiveInt(v) && v <= MAX_SECONDS))
      add('SCHEMA_VALIDATION_FAILED', `${f} must be a positive integer or a JSONata string`, `${at}/${f}`);
    checkJsonata(v, `${at}/${f}`);
  }
  if (isPositiveInt(s.TimeoutSeconds) && isPositiveInt(s.HeartbeatSeconds) && s.HeartbeatSeconds >= s.TimeoutSeconds) {
    add('SCHEMA_VALIDATION_FAILED', 'HeartbeatSeconds must be smaller than TimeoutSeconds', `${at}/HeartbeatSeconds`);
  }
  if (s.Arguments !== undefined) checkJsonata(s.Arguments, `${at}/Arguments`);
  const Retry = parseRetry(s.Retry, `${at}/Retry`, add);
  const Catch = parseCatch(s.Catch, `${at}/Catch`, ctx);
  return {
    Type: 'Task',
    ...common,
    Resource: resource ?? ({} as TaskResource),
    Arguments: s.Arguments,
    TimeoutSeconds: s.TimeoutSeconds,
    HeartbeatSeconds: s.HeartbeatSeconds,
    Assign: checkAssign(s.Assign, `${at}/Assign`),
    Retry,
    Catch,
    ...checkTransition(),
  };
}

export function parseResource(value: unknown): TaskResource | undefined {
  if (typeof value !== 'string') return undefined;
  const m = RESOURCE_RE.exec(value);
  if (!m) return undefined;
  const [, service, action, suffix] = m;
  return {
    arn: value,
    service,
    action,
    waitForTaskToken: Boolean(suffix),
    resourceType: `aws-sdk:${service}`,
    resourceName: `${action}${suffix ?? ''}`,
  };
}
