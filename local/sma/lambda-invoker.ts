/**
 * Invoking the SMA Lambda for one call: an event is delivered with the SMA's timeout and one retry, its response
 * is checked (a bad one gets INVALID_LAMBDA_RESPONSE), and faults.raceUpdates' late response is modelled here.
 */
import type { Context } from 'aws-lambda';
import { checkResponse } from './actions';
import type { CallState } from './call';
import { redact } from './errors';
import * as events from './events';
import type { ActionShape, CallDetailsInput } from './events';
import { EmulatorClosed, type EmulatorRuntime } from './runtime';
import type { InvocationRecord } from './types';

/** The SMA invokes a transaction's Lambda at most 1,000 times (docs/reference/sma-protocol.md). */
export const MAX_INVOCATIONS = 1000;

interface InvocationResult {
  response: unknown;
  record: InvocationRecord;
}

export type EventBuilder = (sequence: number, details: CallDetailsInput) => Record<string, unknown>;

type AppliedResponse = NonNullable<CallState['lastApplied']>;

/** Only an invocation that completed a task token can race with the update the workflow asks for next. */
export function racingResponse(call: CallState): AppliedResponse | undefined {
  return call.faults.raceUpdates && call.lastApplied?.hadCallback ? call.lastApplied : undefined;
}

/**
 * faults.raceUpdates, when the previous invocation completed a task token (the workflow asked for this update at
 * once): the update's invocation overlapped the previous one (it was sent that invocation's
 * TransactionAttributes), and the previous response is applied after the update's: its attributes (if it
 * returned any) and its action list, which replaces what the update queued (the list returned here, for the
 * caller to start). The docs do not say which response the SMA applies last; this is the order that can lose a
 * parked token or a queued action.
 */
export function applyLate(call: CallState, earlier: AppliedResponse): ActionShape[] | null | undefined {
  if (call.over) return undefined;
  call.notes.push(`race: the response to invocation ${earlier.sequence} was applied after the update's`);
  if (earlier.attributes) call.attributes = { ...earlier.attributes };
  return earlier.actions;
}

export class LambdaInvoker {
  constructor(private readonly rt: EmulatorRuntime) {}

  /**
   * Invokes the Lambda and checks its response; a bad response gets INVALID_LAMBDA_RESPONSE (ErrorType and
   * ErrorMessage at the top level: attribute-trans-invalid), whose response is checked the same way.
   * Returns 'unanswered' if the Lambda could not be invoked (the caller hangs up the call), null for a NULL
   * action set (the list in progress is kept).
   */
  async invokeForActions(call: CallState, build: EventBuilder): Promise<ActionShape[] | null | 'unanswered'> {
    let next = build;
    for (;;) {
      const sentAttributes = call.attributes;
      call.callbackInInvocation = false;
      const result = await this.invoke(call, next);
      if (!result) return 'unanswered';
      const check = checkResponse(result.response, call.readings.omittedActions);
      if (check.ok) {
        // The last map the Lambda returned; an omitted field keeps the stored one, {} erases it.
        if (check.attributes) call.attributes = check.attributes;
        call.lastApplied = {
          sequence: result.record.sequence,
          sentAttributes,
          actions: check.actions,
          attributes: check.attributes,
          hadCallback: call.callbackInInvocation,
        };
        return check.actions;
      }
      result.record.ignored = true;
      call.notes.push(`INVALID_LAMBDA_RESPONSE: ${check.errorType}: ${check.errorMessage}`);
      this.rt.logger?.warn('invalid Lambda response', {
        transactionId: call.transactionId,
        errorType: check.errorType,
        errorMessage: check.errorMessage,
      });
      next = (seq, details) => events.invalidLambdaResponse(seq, details, check.errorType, check.errorMessage);
    }
  }

  /** For events whose response the SMA ignores (HANGUP of the last leg, ACTION_INTERRUPTED). */
  async invokeIgnoring(call: CallState, build: EventBuilder): Promise<void> {
    const result = await this.invoke(call, build);
    if (result) result.record.ignored = true;
  }

  /** One event: delivered, and retried once if the handler throws or misses the timeout (timeouts). */
  private async invoke(call: CallState, build: EventBuilder): Promise<InvocationResult | null> {
    if (call.sequence >= MAX_INVOCATIONS) {
      const note = `invocation limit (${MAX_INVOCATIONS}) reached`;
      if (!call.notes.includes(note)) call.notes.push(note);
      return null;
    }
    const event = build(++call.sequence, this.details(call));
    let result: InvocationResult | null;
    if (call.faults.duplicateEvents) {
      // The retry overlaps the first delivery, as after a real 5 s timeout; the retry's response is the one run.
      const [first, retry] = await Promise.all([this.deliverEvent(call, event, 1), this.deliverEvent(call, event, 2)]);
      if (retry && first) first.record.ignored = true;
      result = retry ?? first;
    } else {
      result = (await this.deliverEvent(call, event, 1)) ?? (await this.deliverEvent(call, event, 2));
    }
    if (this.rt.closed) throw new EmulatorClosed();
    return result;
  }

  private async deliverEvent(call: CallState, event: Record<string, unknown>, attempt: number): Promise<InvocationResult | null> {
    const record: InvocationRecord = {
      sequence: event.Sequence as number,
      eventType: event.InvocationEventType as string,
      event: structuredClone(event),
      attempt,
      wallMs: Date.now(),
      virtualMs: this.rt.clock.nowMs(),
    };
    call.log.push(record);
    this.rt.logger?.info('invoke', { transactionId: call.transactionId, sequence: record.sequence, eventType: record.eventType, attempt });
    let timer: NodeJS.Timeout | undefined;
    try {
      const response = await Promise.race([
        Promise.resolve().then(() =>
          this.rt.handler(
            structuredClone(event),
            this.lambdaContext(call.random.derive(`invocation:${record.sequence}:${attempt}`).uuid()),
          ),
        ),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new InvocationTimeout(this.rt.invocationTimeoutMs)), this.rt.invocationTimeoutMs);
        }),
      ]);
      // A copy: what the handler does with its object later must not change what the SMA executes.
      record.response = cloneResponse(response);
      return { response: record.response, record };
    } catch (err) {
      record.error = err instanceof InvocationTimeout ? err.message : err instanceof Error ? `${err.name}: ${err.message}` : String(err);
      record.ignored = true;
      this.rt.logger?.warn('Lambda invocation failed', {
        transactionId: call.transactionId,
        sequence: record.sequence,
        attempt,
        error: redact(record.error),
      });
      return null;
    } finally {
      clearTimeout(timer);
    }
  }

  private details(call: CallState): CallDetailsInput {
    return {
      transactionId: call.transactionId,
      transactionAttributes: call.attributes,
      awsAccountId: this.rt.awsAccountId,
      awsRegion: this.rt.region,
      sipRuleId: this.rt.sipRuleId,
      sipMediaApplicationId: this.rt.sipMediaApplicationId,
      participants: call.participants(),
    };
  }

  /** A Lambda context object as middy / Powertools expect one. */
  private lambdaContext(awsRequestId: string): Context {
    const name = this.rt.functionName;
    const deadline = Date.now() + this.rt.invocationTimeoutMs;
    return {
      callbackWaitsForEmptyEventLoop: true,
      functionName: name,
      functionVersion: '$LATEST',
      invokedFunctionArn: `arn:aws:lambda:${this.rt.region}:${this.rt.awsAccountId}:function:${name}`,
      memoryLimitInMB: '256',
      awsRequestId,
      logGroupName: `/aws/lambda/${name}`,
      logStreamName: 'local-twin',
      getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
      done: () => undefined,
      fail: () => undefined,
      succeed: () => undefined,
    };
  }
}

class InvocationTimeout extends Error {
  constructor(ms: number) {
    super(`no response within ${ms} ms`);
    this.name = 'InvocationTimeout';
  }
}

function cloneResponse(response: unknown): unknown {
  try {
    return structuredClone(response);
  } catch {
    return response; // not cloneable (functions): checkResponse will refuse it anyway
  }
}
