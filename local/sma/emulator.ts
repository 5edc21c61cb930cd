/**
 * An emulator of the PSTN audio service for one SIP media application (SMA): it places inbound calls,
 * invokes the SMA Lambda handler with the events of docs/reference/sma-protocol.md, runs the action
 * lists it returns on a virtual clock, and writes call recordings to S3 (the twin's s3rver) after they stop.
 *
 * This is the public face: placing calls, the Chime API's view of them, and closing. Each call is an actor
 * (call-actor.ts); its actions run in run-action.ts and the modules it names; the Lambda is invoked through
 * lambda-invoker.ts; recordings are delivered by call-recordings.ts.
 */
import { setMaxListeners } from 'node:events';
import type { S3Client } from '@aws-sdk/client-s3';
import { maskPhoneNumber } from '../../lambdas/shared/mask';
import type { Clock } from '../clock';
import { SeededRandom } from '../random';
import { CallState } from './call';
import { CallActor } from './call-actor';
import { type ResolvedReadings, resolveReadings, type SmaReadings } from './readings';
import { SmaCallNotFoundError } from './errors';
import { EmulatorClosed, type EmulatorRuntime, type EmulatorTiming, LEG_GONE, type SmaHandler } from './runtime';
import {
  UPDATE_CALL_ERRORS,
  type ActiveCallInfo,
  type CallHandle,
  type CallSpec,
  type CallbackState,
  type EmulatorLogger,
  type UpdateCallError,
  type UpdateCommand,
} from './types';

export { DIGITS_NOT_RECEIVED } from './digit-collection';
export { MAX_INVOCATIONS } from './lambda-invoker';
export type { EmulatorTiming, SmaHandler } from './runtime';
export type { SmaReadings } from './readings';

export interface SmaEmulatorOptions {
  handler: SmaHandler;
  clock: Clock;
  /** Client for the twin's S3 (see local/s3/server.ts makeS3Client). */
  s3: S3Client;
  sipMediaApplicationId: string;
  awsAccountId: string;
  region: string;
  /** Default: a random UUID. */
  sipRuleId?: string;
  /** WALL milliseconds the SMA waits for one invocation before retrying it (the real SMA: 5 s). */
  invocationTimeoutMs?: number;
  /** Name used in the Lambda context object. */
  functionName?: string;
  timing?: EmulatorTiming;
  logger?: EmulatorLogger;
  /**
   * Source of the ids the service makes (TransactionIds, CallIds, the SIP rule id): each call draws from a
   * stream derived from its TransactionId, so a seeded run names its legs the same way every time.
   * Default: a random seed.
   */
  random?: SeededRandom;
  /** Readings of what the docs leave open (readings.ts); default the worse for a Lambda. A call's spec overrides. */
  readings?: SmaReadings;
}

export class SmaEmulator {
  private readonly calls = new Map<string, CallState>();
  /** faults.loseCallback: callbacks lost so far, by call and state. */
  private readonly lostCallbacks = new Map<string, Record<string, number>>();
  private readonly closing = new AbortController();
  private readonly rt: EmulatorRuntime;
  private readonly actor: CallActor;
  private readonly random: SeededRandom;
  private placed = 0;
  private readonly readings: ResolvedReadings;
  readonly sipMediaApplicationId: string;

  constructor(options: SmaEmulatorOptions) {
    this.sipMediaApplicationId = options.sipMediaApplicationId;
    // Every call's timers listen on the emulator's closing signal: thousands of calls are expected.
    setMaxListeners(0, this.closing.signal);
    this.random = options.random ?? new SeededRandom(Math.floor(Math.random() * 2 ** 31));
    this.rt = {
      handler: options.handler,
      clock: options.clock,
      s3: options.s3,
      invocationTimeoutMs: options.invocationTimeoutMs ?? 5000,
      sipRuleId: options.sipRuleId ?? this.random.derive('sip-rule').uuid(),
      logger: options.logger,
      timing: {
        answerDelaySeconds: 2,
        speakCharsPerSecond: 15,
        playAudioSeconds: 3,
        remainingLegHangupSeconds: 5,
        updateDelaySeconds: 0.2,
        ...options.timing,
      },
      awsAccountId: options.awsAccountId,
      region: options.region,
      sipMediaApplicationId: options.sipMediaApplicationId,
      functionName: options.functionName ?? 'sma-handler',
      closing: this.closing.signal,
      closed: false,
      reachableBuckets: new Set<string>(),
    };
    this.actor = new CallActor(this.rt);
    this.readings = resolveReadings(options.readings);
  }

  /** An inbound call reaches the SMA: NEW_INBOUND_CALL for LEG-A, then whatever the Lambda asks for. */
  placeCall(spec: CallSpec): CallHandle {
    if (this.rt.closed) throw new Error('SmaEmulator is closed');
    if (typeof spec.from !== 'string' || typeof spec.to !== 'string') throw new TypeError('from and to must be phone numbers');
    if (spec.legs !== 1 && spec.legs !== 2) throw new RangeError(`legs must be 1 or 2, got ${String(spec.legs)}`);
    if (!(spec.durationSeconds >= 0) || !Number.isFinite(spec.durationSeconds))
      throw new RangeError('durationSeconds must be a number >= 0');
    const transactionId = spec.transactionId ?? this.random.derive(`call-${this.placed++}`).uuid();
    if (this.calls.has(transactionId)) throw new Error(`transaction ${transactionId} already exists`);

    const call = new CallState(transactionId, spec, this.random.derive(`transaction:${transactionId}`), this.readings);
    call.legs.push({
      callId: call.random.uuid(),
      tag: 'LEG-A',
      from: spec.from,
      to: spec.to,
      direction: 'Inbound',
      startMs: this.rt.clock.nowMs(),
      status: 'Connected',
      recordingStarted: false,
    });
    this.calls.set(transactionId, call);
    this.rt.logger?.info('call placed', { transactionId, from: maskPhoneNumber(spec.from), to: maskPhoneNumber(spec.to), legs: spec.legs });
    this.actor.post(call, { kind: 'start' });
    return {
      transactionId,
      legA: call.legs[0]!.callId,
      connected: call.connected.promise,
      get connectedAtMs() {
        return call.connectedAtMs;
      },
      ended: call.ended.promise,
      log: call.log,
      notes: call.notes,
      recordings: call.recordingList,
      actions: call.actions,
      participants: () => call.participants(),
    };
  }

  /**
   * A task token of this call was completed (SendTaskSuccess/Failure reached Step Functions). Made from inside an
   * invocation, it lets the workflow ask for its next update while that invocation's response is still on its way:
   * the race faults.raceUpdates plays out. The twin tells the emulator (the Step Functions twin sees the callback).
   */
  noteTaskCallback(transactionId: string): void {
    const call = this.calls.get(transactionId);
    if (call?.processing) call.callbackInInvocation = true;
  }

  /**
   * UpdateSipMediaApplicationCall: returns at once; the CALL_UPDATE_REQUESTED invocation and its actions
   * follow asynchronously (update-sip-call). Throws SmaCallNotFoundError if the call is unknown or over.
   */
  updateCall(transactionId: string, args: Record<string, string>): void {
    const call = this.calls.get(transactionId);
    if (!call || call.over || call.ended.settled || this.rt.closed) throw new SmaCallNotFoundError(transactionId);
    const copy = { ...args };
    const delaySeconds = call.faults.updateDelaySeconds ?? this.rt.timing.updateDelaySeconds;
    // A call that ends before the invocation is made drops the update (the SMA has nobody to invoke for).
    this.actor.after(call, delaySeconds * 1000, 'sma:update', () => this.actor.post(call, { kind: 'update', args: copy }));
  }

  /**
   * faults.updateCall: the error the Chime API answers this UpdateSipMediaApplicationCall with, if the call's
   * scenario has one left for the workflow step named by Arguments.command; each is used once, in order.
   */
  updateCallFault(transactionId: string, command: string | undefined): { errorType: UpdateCallError; status: number } | undefined {
    const call = this.calls.get(transactionId);
    const faults = call?.faults.updateCall;
    if (!call || !faults || command === undefined || !Object.hasOwn(faults, command)) return undefined;
    const used = call.updateFaultsUsed.get(command) ?? 0;
    const errorType = faults[command as UpdateCommand]?.[used];
    if (!errorType) return undefined;
    call.updateFaultsUsed.set(command, used + 1);
    call.notes.push(`UpdateSipMediaApplicationCall ${command} answered ${errorType} (fault)`);
    return { errorType, status: UPDATE_CALL_ERRORS[errorType] };
  }

  /**
   * faults.verifyAccessDenied: whether the S3 twin refuses a read of this object, a recording of such a call
   * (keys end `_<TransactionId>_<CallId>.wav`). The emulator's own write is not a read: it still lands.
   */
  /** faults.loseCallback: whether this callback to the call's workflow state is one to lose (counted down). */
  losesTaskCallback(transactionId: string, stateName: string): boolean {
    const call = this.calls.get(transactionId);
    const quota = call?.faults.loseCallback?.[stateName as CallbackState] ?? 0;
    if (!call || quota === 0) return false;
    const lost = this.lostCallbacks.get(transactionId) ?? {};
    if ((lost[stateName] ?? 0) >= quota) return false;
    lost[stateName] = (lost[stateName] ?? 0) + 1;
    this.lostCallbacks.set(transactionId, lost);
    call.notes.push(`a task callback to ${stateName} was lost (faults.loseCallback)`);
    return true;
  }

  readDenied(bucket: string, key: string): boolean {
    const match = /_([0-9A-Fa-f-]{36})_[^/_]+\.wav$/.exec(key);
    const call = match ? this.calls.get(match[1]!) : undefined;
    return !!call?.faults.verifyAccessDenied && call.recordingList.some((r) => r.bucket === bucket && r.key === key);
  }

  /** Drops an ended call from memory (long simulations check each call, then forget it). */
  forget(transactionId: string): void {
    const call = this.calls.get(transactionId);
    if (call && !call.ended.settled) throw new Error(`call ${transactionId} has not ended`);
    this.calls.delete(transactionId);
    this.lostCallbacks.delete(transactionId);
  }

  activeCalls(): ActiveCallInfo[] {
    return [...this.calls.values()]
      .filter((c) => !c.ended.settled)
      .map((c) => ({
        transactionId: c.transactionId,
        participants: c.legs.map((l) => ({ CallId: l.callId, ParticipantTag: l.tag, Status: l.status })),
        currentAction: c.current?.action.Type,
        queuedActions: c.queue.length,
        invocations: c.sequence,
        pendingDeliveries: c.deliveries.size,
      }));
  }

  /** Cancels every timer and pending delivery; unfinished calls end with `aborted: true`. */
  async close(): Promise<void> {
    if (this.rt.closed) return;
    this.rt.closed = true;
    this.closing.abort(new EmulatorClosed('SmaEmulator closed'));
    const deliveries: Promise<void>[] = [];
    for (const call of this.calls.values()) {
      deliveries.push(...call.deliveries);
      if (call.ended.settled) continue;
      call.aborted = true;
      call.timers.abort(LEG_GONE);
      call.current?.controller.abort(LEG_GONE);
      call.connected.resolve(false);
      call.ended.resolve(call.summary(this.rt.clock.nowMs()));
    }
    await Promise.allSettled(deliveries);
  }
}
