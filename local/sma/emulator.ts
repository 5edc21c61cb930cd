/**
 * An emulator of the PSTN audio service for one SIP media application (SMA): it places inbound calls,
 * invokes the SMA Lambda handler with the events of /work/shared/reference/sma-protocol.md, runs the action
 * lists it returns on a virtual clock, and writes call recordings to S3 (the twin's s3rver) after they stop.
 *
 * Each call is an actor: caller hangups, UpdateSipMediaApplicationCall requests and finished actions are
 * messages processed one at a time, and the Lambda is invoked synchronously from inside that processing, so
 * a call's invocations never overlap (the SMA invokes its Lambda synchronously). Actions run beside the
 * mailbox and report back, which is what lets an update interrupt a Pause, or a hangup cut a Speak short.
 */
import { randomUUID } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { track, type TimerTag } from '../clock';
import { SeededRandom } from '../random';
import { HeadBucketCommand, type S3Client } from '@aws-sdk/client-s3';
import type { Context } from 'aws-lambda';
import { maskPhoneNumber } from '../../lambdas/shared/mask';
import type { Clock } from '../clock';
import { E164, INTERRUPTIBLE_ACTIONS, UNANSWERED_TIMEOUT_SECONDS, checkResponse, intParam, isObject, parseLocation } from './actions';
import { CallState, type Effect, type LegState, type Message, type Outcome } from './call';
import { actionError, invalidParameter, redact, SmaCallNotFoundError } from './errors';
import * as events from './events';
import type { ActionError, ActionShape, CallDetailsInput } from './events';
import { putRecording, recordingKey } from './recording';
import {
  UPDATE_CALL_ERRORS,
  type ActionRecord,
  type ActiveCallInfo,
  type CallHandle,
  type CallSpec,
  type EmulatorLogger,
  type InvocationRecord,
  type RecordingRecord,
  type UpdateCallError,
  type UpdateCommand,
} from './types';

export type SmaHandler = (event: unknown, context: object) => Promise<unknown>;

export interface EmulatorTiming {
  /** Virtual seconds from CallAndBridge to LEG-B answering. Default 2. */
  answerDelaySeconds?: number;
  /** Speak takes text length / this many virtual seconds (at least 0.5 s). Default 15. */
  speakCharsPerSecond?: number;
  /** Virtual seconds one PlayAudio playback takes. Default 3. */
  playAudioSeconds?: number;
  /**
   * When LEG-A hangs up a bridged call and the Lambda leaves LEG-B connected (the real service keeps it up
   * and bills it: call-and-bridge), the far party hangs up after this many virtual seconds. Default 5.
   */
  remainingLegHangupSeconds?: number;
  /**
   * Virtual seconds from UpdateSipMediaApplicationCall's 202 to the CALL_UPDATE_REQUESTED invocation, which the
   * service makes asynchronously (update-sip-call). The docs give no figure: 0.2 s is an assumption, and it is
   * what makes a caller who hangs up at answer hang up before the workflow's first update. Default 0.2.
   */
  updateDelaySeconds?: number;
}

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
}

/** The SMA invokes a transaction's Lambda at most 1,000 times (sma-protocol.md). */
export const MAX_INVOCATIONS = 1000;
const DEFAULT_CALL_TIMEOUT_SECONDS = 30; // call-and-bridge: CallTimeoutSeconds default
const SIP_CODES = new Set([0, 480, 486]); // hangup: allowed SipResponseCode values
const TRACKS = new Set(['BOTH', 'INCOMING', 'OUTGOING']);

/** Actions that answer an inbound call not yet connected (the service answers it to run them: call-flow page). */
const ANSWERING_ACTIONS = new Set(['Pause', 'PlayAudio', 'PlayAudioAndGetDigits', 'Speak', 'SpeakAndGetDigits']);
/** ErrorType of a digit collection that got no valid entry: the pages name none (unverified). */
export const DIGITS_NOT_RECEIVED = 'DigitsNotReceived';

/** Abort reasons, told apart when an action's sleep is cut short. */
const INTERRUPT = new Error('interrupted by a new action list');
const LEG_GONE = new Error('the leg hung up');

class EmulatorClosed extends Error {}

interface InvocationResult {
  response: unknown;
  record: InvocationRecord;
}

type EventBuilder = (sequence: number, details: CallDetailsInput) => Record<string, unknown>;

export class SmaEmulator {
  private readonly calls = new Map<string, CallState>();
  private readonly reachableBuckets = new Set<string>();
  private readonly closing = new AbortController();
  private closed = false;
  private readonly handler: SmaHandler;
  private readonly clock: Clock;
  private readonly s3: S3Client;
  private readonly invocationTimeoutMs: number;
  private readonly sipRuleId: string;
  private readonly timing: Required<EmulatorTiming>;
  private readonly logger?: EmulatorLogger;
  private readonly random: SeededRandom;
  private placed = 0;
  readonly sipMediaApplicationId: string;

  constructor(private readonly options: SmaEmulatorOptions) {
    this.sipMediaApplicationId = options.sipMediaApplicationId;
    this.handler = options.handler;
    this.clock = options.clock;
    this.s3 = options.s3;
    this.invocationTimeoutMs = options.invocationTimeoutMs ?? 5000;
    // Every call's timers listen on the emulator's closing signal: thousands of calls are expected.
    setMaxListeners(0, this.closing.signal);
    this.random = options.random ?? new SeededRandom(Math.floor(Math.random() * 2 ** 31));
    this.sipRuleId = options.sipRuleId ?? this.random.derive('sip-rule').uuid();
    this.logger = options.logger;
    this.timing = {
      answerDelaySeconds: 2,
      speakCharsPerSecond: 15,
      playAudioSeconds: 3,
      remainingLegHangupSeconds: 5,
      updateDelaySeconds: 0.2,
      ...options.timing,
    };
  }

  /** An inbound call reaches the SMA: NEW_INBOUND_CALL for LEG-A, then whatever the Lambda asks for. */
  placeCall(spec: CallSpec): CallHandle {
    if (this.closed) throw new Error('SmaEmulator is closed');
    if (typeof spec.from !== 'string' || typeof spec.to !== 'string') throw new TypeError('from and to must be phone numbers');
    if (spec.legs !== 1 && spec.legs !== 2) throw new RangeError(`legs must be 1 or 2, got ${String(spec.legs)}`);
    if (!(spec.durationSeconds >= 0) || !Number.isFinite(spec.durationSeconds))
      throw new RangeError('durationSeconds must be a number >= 0');
    const transactionId = spec.transactionId ?? this.random.derive(`call-${this.placed++}`).uuid();
    if (this.calls.has(transactionId)) throw new Error(`transaction ${transactionId} already exists`);

    const call = new CallState(transactionId, spec, this.random.derive(`transaction:${transactionId}`));
    call.legs.push({
      callId: call.random.uuid(),
      tag: 'LEG-A',
      from: spec.from,
      to: spec.to,
      direction: 'Inbound',
      startMs: this.clock.nowMs(),
      status: 'Connected',
      recordingStarted: false,
    });
    this.calls.set(transactionId, call);
    this.logger?.info('call placed', { transactionId, from: maskPhoneNumber(spec.from), to: maskPhoneNumber(spec.to), legs: spec.legs });
    this.post(call, { kind: 'start' });
    return {
      transactionId,
      legA: call.legs[0]!.callId,
      connected: call.connected.promise,
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
    if (!call || call.over || call.ended.settled || this.closed) throw new SmaCallNotFoundError(transactionId);
    const copy = { ...args };
    const delaySeconds = call.faults.updateDelaySeconds ?? this.timing.updateDelaySeconds;
    // A call that ends before the invocation is made drops the update (the SMA has nobody to invoke for).
    this.after(call, delaySeconds * 1000, 'sma:update', () => this.post(call, { kind: 'update', args: copy }));
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
    if (this.closed) return;
    this.closed = true;
    this.closing.abort(new EmulatorClosed('SmaEmulator closed'));
    const deliveries: Promise<void>[] = [];
    for (const call of this.calls.values()) {
      deliveries.push(...call.deliveries);
      if (call.ended.settled) continue;
      call.aborted = true;
      call.timers.abort(LEG_GONE);
      call.current?.controller.abort(LEG_GONE);
      call.connected.resolve(false);
      call.ended.resolve(call.summary(this.clock.nowMs()));
    }
    await Promise.allSettled(deliveries);
  }

  // ---- the per-call mailbox -------------------------------------------------------------------------------

  private post(call: CallState, message: Message): void {
    if (this.closed || call.ended.settled) return;
    call.mailbox.push(message);
    if (!call.processing) void this.drain(call);
  }

  private async drain(call: CallState): Promise<void> {
    call.processing = true;
    // Handling a message (and the Lambda invocations it makes) is work in flight: virtual time waits for it.
    const done = this.clock.busy();
    try {
      while (call.mailbox.length > 0 && !this.closed) {
        const message = call.mailbox.shift()!;
        try {
          await this.handle(call, message);
        } catch (err) {
          if (err instanceof EmulatorClosed) return;
          this.logger?.error('emulator error', { transactionId: call.transactionId, message: message.kind, error: redact(String(err)) });
          call.notes.push(`emulator error while handling ${message.kind}: ${redact(String(err))}`);
        }
      }
    } finally {
      call.processing = false;
      done();
    }
    this.checkEnd(call);
  }

  private async handle(call: CallState, message: Message): Promise<void> {
    switch (message.kind) {
      case 'start':
        return this.onStart(call);
      case 'actionDone':
        return this.onActionDone(call, message.token, message.outcome);
      case 'legDisconnect':
        return this.disconnect(call, message.callId, message.sipResponseCode, message.cause);
      case 'update':
        return this.onUpdate(call, message.args);
    }
  }

  private async onStart(call: CallState): Promise<void> {
    this.endIfUnanswered(call);
    const actions = await this.invokeForActions(call, (seq, details) => events.newInboundCall(seq, details));
    if (actions === null) return this.forceHangup(call, 'NEW_INBOUND_CALL');
    this.startList(call, actions);
  }

  private async onUpdate(call: CallState, args: Record<string, string>): Promise<void> {
    // The API accepted it while the call was up; if the call ended since, the SMA has nobody to invoke for.
    if (call.over) return;
    // Only an invocation that completed a task token can race with the update the workflow asks for next.
    const race = call.faults.raceUpdates && call.lastApplied?.hadCallback ? call.lastApplied : undefined;
    const actions = await this.invokeForActions(call, (seq, details) =>
      events.callUpdateRequested(seq, race ? { ...details, transactionAttributes: race.sentAttributes } : details, args),
    );
    if (actions === null) return this.forceHangup(call, 'CALL_UPDATE_REQUESTED');
    this.startList(call, actions);
    if (race) this.applyLate(call, race);
  }

  /**
   * faults.raceUpdates, when the previous invocation completed a task token (the workflow asked for this update at
   * once): the update's invocation overlapped the previous one (it was sent that invocation's
   * TransactionAttributes), and the previous response is applied after the update's: its attributes (if it
   * returned any) and its action list, which replaces what the update queued. The docs do not say which
   * response the SMA applies last; this is the order that can lose a parked token or a queued action.
   */
  private applyLate(call: CallState, earlier: NonNullable<CallState['lastApplied']>): void {
    if (call.over) return;
    call.notes.push(`race: the response to invocation ${earlier.sequence} was applied after the update's`);
    if (earlier.attributes) call.attributes = { ...earlier.attributes };
    this.startList(call, earlier.actions);
  }

  /** case-1: an inbound call no action answers ends 30 s after it arrived (as a HANGUP of LEG-A, SIP 480: assumed). */
  private endIfUnanswered(call: CallState): void {
    const legA = call.legs[0]!;
    this.after(call, UNANSWERED_TIMEOUT_SECONDS * 1000, 'sma:unanswered', () => {
      if (call.answered) return;
      call.notes.push(`no action answered the call within ${UNANSWERED_TIMEOUT_SECONDS} s: the call attempt timed out`);
      this.post(call, { kind: 'legDisconnect', callId: legA.callId, sipResponseCode: 480, cause: 'not answered' });
    });
  }

  private async onActionDone(call: CallState, token: number, outcome: Outcome): Promise<void> {
    const current = call.current;
    if (!current || current.token !== token) return; // cancelled by a hangup meanwhile
    call.current = undefined;
    const action = current.action;
    switch (outcome.status) {
      case 'aborted':
        return;
      case 'interrupted':
        // Informational: the SMA ignores what the Lambda returns (update-sip-call). The new list is queued.
        await this.invokeIgnoring(call, (seq, details) => events.actionInterrupted(seq, details, action));
        return this.continueList(call);
      case 'hangup':
        return this.disconnect(call, outcome.callId, outcome.sipResponseCode, 'Hangup action');
      case 'ok': {
        if (outcome.effect) this.applyEffect(call, outcome.effect);
        // The rest of this action's list runs on; an action whose list was replaced meanwhile (by an update, while
        // it could not be interrupted) was the last of its list: it is reported, and that response replaces the
        // new list like any other (invoke-on-call-leg: the current action finishes, then the set is replaced).
        if (call.queue.length > 0 && call.listId === current.list) return this.runNext(call);
        this.listDrained(call);
        // ACTION_SUCCESSFUL only after the LAST action of a list (sma-protocol.md).
        const actions = await this.invokeForActions(call, (seq, details) =>
          events.actionSuccessful(seq, details, action, outcome.extra, outcome.parameterExtras),
        );
        if (actions === null) return this.forceHangup(call, 'ACTION_SUCCESSFUL');
        return this.startList(call, actions);
      }
      case 'failed': {
        // A failing action drops the rest of its list.
        const dropped = call.queue.length;
        call.queue = [];
        if (action.Type === 'CallAndBridge') call.notes.push(`CallAndBridge failed (${outcome.errorType}): the call stays 1-leg`);
        this.logger?.info('action failed', { transactionId: call.transactionId, type: action.Type, errorType: outcome.errorType, dropped });
        this.listDrained(call);
        const error: ActionError = { errorType: outcome.errorType, errorMessage: outcome.errorMessage, extra: outcome.extra };
        const actions = await this.invokeForActions(call, (seq, details) =>
          events.actionFailed(seq, details, action, error, outcome.parameterExtras),
        );
        if (actions === null) return this.forceHangup(call, 'ACTION_FAILED');
        return this.startList(call, actions);
      }
    }
  }

  // ---- action lists -----------------------------------------------------------------------------------------

  /** A new list replaces the queued one; it starts once the current action ends (or is interrupted). */
  private startList(call: CallState, actions: ActionShape[]): void {
    if (call.over) return;
    call.queue = [...actions];
    call.listId++;
    if (call.current) {
      if (actions.length > 0 && call.current.interruptible) call.current.controller.abort(INTERRUPT);
      return;
    }
    this.continueList(call);
  }

  private continueList(call: CallState): void {
    if (call.over) return;
    if (call.queue.length > 0) this.runNext(call);
    else this.listDrained(call);
  }

  private runNext(call: CallState): void {
    const action = call.queue.shift();
    if (!action) return;
    const token = ++call.actionToken;
    const controller = new AbortController();
    call.current = {
      action,
      token,
      controller,
      interruptible: INTERRUPTIBLE_ACTIONS.has(action.Type),
      list: call.listId,
      legs: this.actionLegs(call, action),
    };
    if (action.Type !== 'Hangup') call.answered = true;
    this.logger?.info('action', { transactionId: call.transactionId, type: action.Type });
    const record = this.recordAction(call, action);
    const signal = AbortSignal.any([controller.signal, this.closing.signal]);
    this.execute(call, action, signal)
      .catch((err): Outcome => {
        this.logger?.error('action crashed', { transactionId: call.transactionId, type: action.Type, error: redact(String(err)) });
        return { status: 'failed', ...toFailure(actionError('SystemException')) };
      })
      .then((outcome) => {
        this.actionEnded(record, outcome);
        this.post(call, { kind: 'actionDone', token, outcome });
      });
  }

  /** The first list (NEW_INBOUND_CALL's) has run out: a call that is not bridged by now is connected as is. */
  private listDrained(call: CallState): void {
    if (!call.firstListPending) return;
    call.firstListPending = false;
    if (call.spec.legs === 2 && !call.bridgeRequested && !call.answeredByMedia) {
      call.notes.push('legs=2 was requested but the Lambda returned no CallAndBridge for NEW_INBOUND_CALL: the call stays 1-leg');
    }
    this.markConnected(call);
  }

  private markConnected(call: CallState): void {
    if (call.connected.settled || call.over) return;
    call.connectedAtMs = this.clock.nowMs();
    call.connected.resolve(true);
    this.scheduleDigits(call);
    const seconds = call.faults.hangupAfterSeconds ?? call.spec.durationSeconds;
    const legA = call.legs[0]!;
    this.after(call, seconds * 1000, 'sma:hangup', () =>
      this.post(call, { kind: 'legDisconnect', callId: legA.callId, sipResponseCode: 0, cause: 'caller hung up' }),
    );
  }

  /** Runs `fn` after `ms` virtual milliseconds unless the call is over or the emulator closes first. */
  private after(call: CallState, ms: number, label: string, fn: () => void): void {
    this.clock.sleep(ms, AbortSignal.any([call.timers.signal, this.closing.signal]), timerTag(call, label)).then(fn, () => undefined);
  }

  // ---- hangups ------------------------------------------------------------------------------------------------

  private async disconnect(call: CallState, callId: string, sipResponseCode: number, cause: string): Promise<void> {
    const leg = call.leg(callId);
    if (!leg || leg.status === 'Disconnected') return;
    leg.status = 'Disconnected';
    this.logger?.info('leg disconnected', { transactionId: call.transactionId, participantTag: leg.tag, sipResponseCode, cause });
    this.stopRecording(call, leg.callId);
    if (call.current?.legs.includes(leg.callId)) {
      call.current.controller.abort(LEG_GONE);
      call.current = undefined;
    }
    if (call.over) this.wrapUp(call);

    const build: EventBuilder = (seq, details) =>
      events.hangup(seq, details, { callId: leg.callId, participantTag: leg.tag, sipResponseCode });
    if (call.over) {
      // One-leg call (or the last leg of one): the SMA ignores the response (hangup).
      await this.invokeIgnoring(call, build);
      return;
    }
    // Bridged call: the response to the HANGUP is run (hangup), e.g. a Hangup of the other leg.
    const actions = await this.invokeForActions(call, build);
    if (actions === null) return this.forceHangup(call, 'HANGUP');
    this.startList(call, actions);
    const legB = call.leg('LEG-B');
    if (leg.tag === 'LEG-A' && legB?.status === 'Connected') {
      this.after(call, this.timing.remainingLegHangupSeconds * 1000, 'sma:far-hangup', () => {
        if (legB.status !== 'Connected') return;
        call.notes.push(
          `LEG-B was left connected after LEG-A hung up; the far party hung up ${this.timing.remainingLegHangupSeconds} s later`,
        );
        this.post(call, { kind: 'legDisconnect', callId: legB.callId, sipResponseCode: 0, cause: 'far party hung up' });
      });
    }
  }

  /** The Lambda failed twice (or the invocation limit was hit): the SMA ends the call with SIP 480 (timeouts). */
  private async forceHangup(call: CallState, during: string): Promise<void> {
    call.notes.push(`the Lambda did not answer ${during} (after one retry): the SMA hung up the call with SIP 480`);
    this.logger?.warn('hanging up: Lambda invocation failed', { transactionId: call.transactionId, during });
    call.current?.controller.abort(LEG_GONE);
    call.current = undefined;
    call.queue = [];
    const legs = call.connectedLegs();
    for (const leg of legs) {
      leg.status = 'Disconnected';
      this.stopRecording(call, leg.callId);
    }
    this.wrapUp(call);
    for (const leg of legs) {
      await this.invokeIgnoring(call, (seq, details) =>
        events.hangup(seq, details, { callId: leg.callId, participantTag: leg.tag, sipResponseCode: 480 }),
      );
    }
  }

  /** Every leg is down: no more timers, no pending actions; `connected` can no longer happen. */
  private wrapUp(call: CallState): void {
    call.timers.abort(LEG_GONE);
    call.current?.controller.abort(LEG_GONE);
    call.current = undefined;
    call.queue = [];
    call.connected.resolve(false);
  }

  private checkEnd(call: CallState): void {
    if (call.ended.settled || !call.over || call.processing || call.mailbox.length > 0 || call.deliveries.size > 0) return;
    call.ended.resolve(call.summary(this.clock.nowMs()));
    this.logger?.info('call ended', { transactionId: call.transactionId, invocations: call.sequence });
  }

  // ---- recordings ---------------------------------------------------------------------------------------------

  private applyEffect(call: CallState, effect: Effect): void {
    switch (effect.kind) {
      case 'bridge': {
        call.legs.push({
          callId: effect.callId,
          tag: 'LEG-B',
          from: effect.from,
          to: effect.to,
          direction: 'Outbound',
          startMs: this.clock.nowMs(),
          status: 'Connected',
          recordingStarted: false,
        });
        this.logger?.info('LEG-B answered', { transactionId: call.transactionId, to: maskPhoneNumber(effect.to) });
        this.markConnected(call);
        return;
      }
      case 'startRecording': {
        const leg = call.leg(effect.record.callId);
        if (!leg) return;
        leg.recordingStarted = true;
        effect.record.startedAtMs = this.clock.nowMs();
        call.recordings.set(leg.callId, { record: effect.record, paused: false });
        call.recordingList.push(effect.record);
        this.logger?.info('recording started', { transactionId: call.transactionId, participantTag: leg.tag, key: effect.record.key });
        return;
      }
      case 'stopRecording':
        this.stopRecording(call, effect.callId);
        return;
      case 'pauseRecording': {
        const rec = call.recordings.get(effect.callId);
        if (rec) rec.paused = effect.paused; // paused time still counts in the duration (sip-apps-call-record)
        return;
      }
    }
  }

  private stopRecording(call: CallState, callId: string): void {
    const rec = call.recordings.get(callId)?.record;
    if (rec?.status !== 'recording') return;
    rec.stoppedAtMs = this.clock.nowMs();
    rec.durationSeconds = (rec.stoppedAtMs - rec.startedAtMs) / 1000;
    rec.status = 'stopped';
    this.deliver(call, rec);
  }

  /** The object lands after recording stops, plus faults.deliveryDelaySeconds (virtual). */
  private deliver(call: CallState, rec: RecordingRecord): void {
    const { deliveryDelaySeconds = 0, dropRecording, emptyRecording, metadata } = call.faults;
    const delivery = (async () => {
      await this.clock.sleep(deliveryDelaySeconds * 1000, this.closing.signal, timerTag(call, 'sma:delivery'));
      if (dropRecording) {
        rec.status = 'dropped';
        this.logger?.info('recording dropped (fault)', { transactionId: call.transactionId, key: rec.key });
        return;
      }
      await track(this.clock, putRecording(this.s3, rec, call.transactionId, { emptyRecording, metadata }));
      rec.status = 'delivered';
      rec.deliveredAtMs = this.clock.nowMs();
      this.logger?.info('recording delivered', { transactionId: call.transactionId, key: rec.key, durationSeconds: rec.durationSeconds });
    })().catch((err: unknown) => {
      rec.status = this.closed ? 'dropped' : 'failed';
      rec.error = redact(err instanceof Error ? `${err.name}: ${err.message}` : String(err));
      if (!this.closed)
        this.logger?.error('recording delivery failed', { transactionId: call.transactionId, key: rec.key, error: rec.error });
    });
    call.deliveries.add(delivery);
    void delivery.finally(() => {
      call.deliveries.delete(delivery);
      this.checkEnd(call);
    });
  }

  // ---- running one action -----------------------------------------------------------------------------------

  private async execute(call: CallState, action: ActionShape, signal: AbortSignal): Promise<Outcome> {
    const p = action.Parameters ?? {};
    switch (action.Type) {
      case 'Pause': {
        if (!this.targetLeg(call, p)) return failed(invalidParameter(p.CallId !== undefined ? 'CallId' : 'ParticipantTag'));
        // pause: DurationInMilliseconds; an older revision of the page spells it DurationInMilliSeconds.
        const ms = intParam(p.DurationInMilliseconds ?? p.DurationInMilliSeconds);
        if (ms === undefined || ms <= 0) return failed(invalidParameter('DurationInMilliseconds'));
        return this.wait(call, ms, signal, { status: 'ok' });
      }
      case 'Speak': {
        if (!this.connectedLeg(call, p.CallId)) return failed(invalidParameter('CallId'));
        if (typeof p.Text !== 'string' || p.Text.length === 0)
          return failed(actionError('MissingRequiredActionParameter', 'Text is a required parameter.'));
        if (p.Text.length > 1000) return failed(actionError('MissingRequiredActionParameter', 'Text is limited to 1,000 characters'));
        if (p.TextType !== undefined && p.TextType !== 'text' && p.TextType !== 'ssml') return failed(invalidParameter('TextType'));
        if (p.Engine !== undefined && p.Engine !== 'standard' && p.Engine !== 'neural') return failed(invalidParameter('Engine'));
        const fault = this.noticeFault(call);
        if (fault) return failed(actionError(fault));
        const ms = Math.max(500, Math.round((p.Text.length / this.timing.speakCharsPerSecond) * 1000));
        return this.wait(call, ms, signal, { status: 'ok' });
      }
      case 'PlayAudio': {
        if (!this.targetLeg(call, p)) return failed(invalidParameter(p.CallId !== undefined ? 'CallId' : 'ParticipantTag'));
        const src = p.AudioSource;
        if (!isObject(src) || src.Type !== 'S3' || !nonEmpty(src.BucketName) || !nonEmpty(src.Key))
          return failed(actionError('InvalidAudioSource'));
        const fault = this.noticeFault(call);
        if (fault) return failed(actionError(fault));
        const repeat = p.Repeat === undefined ? 1 : intParam(p.Repeat);
        if (repeat === undefined || repeat < 1) return failed(invalidParameter('Repeat'));
        return this.wait(call, this.timing.playAudioSeconds * 1000 * repeat, signal, { status: 'ok' });
      }
      case 'CallAndBridge':
        return this.callAndBridge(call, p, signal);
      case 'SpeakAndGetDigits':
      case 'PlayAudioAndGetDigits':
        return this.getDigits(call, action.Type, p, signal);
      case 'Hangup': {
        // hangup: ParticipantTag is ignored when CallId is given; default = the invoked leg (here LEG-A).
        const leg =
          p.CallId !== undefined ? call.leg(String(p.CallId)) : call.leg(typeof p.ParticipantTag === 'string' ? p.ParticipantTag : 'LEG-A');
        if (leg?.status !== 'Connected' || (p.CallId !== undefined && leg.callId !== p.CallId)) {
          return failed(invalidParameter(p.CallId !== undefined ? 'CallId' : 'ParticipantTag'));
        }
        const code = p.SipResponseCode === undefined ? 0 : intParam(p.SipResponseCode);
        if (code === undefined || !SIP_CODES.has(code)) return failed(invalidParameter('SipResponseCode'));
        return { status: 'hangup', callId: leg.callId, sipResponseCode: code };
      }
      case 'StartCallRecording':
        return this.startCallRecording(call, p, signal);
      case 'StopCallRecording':
      case 'PauseCallRecording':
      case 'ResumeCallRecording': {
        const rec = typeof p.CallId === 'string' ? call.recordings.get(p.CallId) : undefined;
        if (rec?.record.status !== 'recording') return failed(invalidParameter('CallId'));
        if (action.Type === 'StopCallRecording') return { status: 'ok', effect: { kind: 'stopRecording', callId: rec.record.callId } };
        return {
          status: 'ok',
          effect: { kind: 'pauseRecording', callId: rec.record.callId, paused: action.Type === 'PauseCallRecording' },
        };
      }
      default:
        // checkResponse lets only supported types through.
        return failed(actionError('SystemException', `The emulator cannot run ${action.Type}`));
    }
  }

  /** call-and-bridge (parameters) and unexpected-action-fail (InvalidActionParameter messages). */
  private async callAndBridge(call: CallState, p: Record<string, unknown>, signal: AbortSignal): Promise<Outcome> {
    call.bridgeRequested = true;
    const legA = call.leg('LEG-A')!;
    // call-and-bridge: ACTION_SUCCESSFUL / ACTION_FAILED Parameters carry the LEG-A CallId.
    const parameterExtras = { CallId: legA.callId };
    const fail = (error: ActionError): Outcome => ({ status: 'failed', ...toFailure(error), parameterExtras });
    if (call.leg('LEG-B')) return fail(actionError('InvalidActionParameter', 'The emulator bridges one LEG-B per call'));
    if (p.CallerIdNumber === undefined) return fail(actionError('InvalidActionParameter', 'Caller ID not defined.'));
    if (typeof p.CallerIdNumber !== 'string' || !E164.test(p.CallerIdNumber))
      return fail(actionError('InvalidActionParameter', 'Invalid caller ID.'));
    const endpoints = p.Endpoints;
    if (!Array.isArray(endpoints) || endpoints.length !== 1)
      return fail(actionError('InvalidActionParameter', 'Invalid number of endpoints provided.'));
    const endpoint: unknown = endpoints[0];
    const validEndpoint =
      isObject(endpoint) &&
      ((endpoint.BridgeEndpointType === 'PSTN' && typeof endpoint.Uri === 'string' && E164.test(endpoint.Uri)) ||
        (endpoint.BridgeEndpointType === 'AWS' && nonEmpty(endpoint.Uri) && nonEmpty(endpoint.Arn)));
    if (!validEndpoint) return fail(actionError('InvalidActionParameter', 'Endpoint parameter is invalid.'));
    const timeout = p.CallTimeoutSeconds === undefined ? DEFAULT_CALL_TIMEOUT_SECONDS : intParam(p.CallTimeoutSeconds);
    if (timeout === undefined || timeout <= 0 || timeout > 120) {
      return fail(
        actionError('InvalidActionParameter', 'The MaxCallTimeout parameter is invalid. Timeout must be between 0 and 120 seconds.'),
      );
    }
    if (call.spec.legs !== 2) {
      // The scenario has one leg: nobody answers the bridged number (call-and-bridge's failed example).
      const outcome = await this.wait(call, timeout * 1000, signal, { status: 'ok' });
      return outcome.status === 'ok' ? fail(actionError('CallNotAnswered')) : outcome;
    }
    const to = String(endpoint.Uri);
    const answered = await this.wait(call, this.timing.answerDelaySeconds * 1000, signal, { status: 'ok' });
    if (answered.status !== 'ok') return answered;
    return { status: 'ok', effect: { kind: 'bridge', callId: call.random.uuid(), from: p.CallerIdNumber, to }, parameterExtras };
  }

  /** start-call-recording: all parameters required; each leg once (sip-apps-call-record). */
  private async startCallRecording(call: CallState, p: Record<string, unknown>, signal: AbortSignal): Promise<Outcome> {
    // Faults apply to the first N StartCallRecording actions of the call, whatever their parameters.
    const attempt = call.startRecordingAttempts++;
    const leg = this.connectedLeg(call, p.CallId);
    if (!leg) return failed(invalidParameter('CallId'));
    if (typeof p.Track !== 'string' || !TRACKS.has(p.Track)) return failed(invalidParameter('Track'));
    const destination = p.Destination;
    if (!isObject(destination) || destination.Type !== 'S3') return failed(invalidParameter('Destination.Type'));
    const location = parseLocation(destination.Location);
    if (!location) return failed(invalidParameter('Destination.Location'));
    if (leg.recordingStarted) return failed(actionError('InvalidActionParameter', 'Call recording was already started on this call leg'));
    const fault = call.faults.startRecording?.[attempt];
    if (fault) return failed(actionError(fault));
    const late = attempt === 0 ? call.faults.startRecordingDelaySeconds : undefined;
    if (late) {
      // The late-start case: the recording starts, and its ACTION_SUCCESSFUL comes, this long after the action.
      const waited = await this.wait(call, late * 1000, signal, { status: 'ok' });
      if (waited.status !== 'ok') return waited;
    }
    // The service writes as voiceconnector.chime.amazonaws.com; the twin has no bucket policies, so a bucket
    // the twin's S3 does not have stands for one the service may not write to (the seed's NoAccessToDestination).
    const reachable = await track(this.clock, this.bucketReachable(location.bucket));
    if (signal.aborted) return { status: 'aborted' };
    if (!reachable) return failed(actionError('NoAccessToDestination'));
    const key = recordingKey({ ...location, legStartMs: leg.startMs, transactionId: call.transactionId, callId: leg.callId });
    const record: RecordingRecord = {
      callId: leg.callId,
      participantTag: leg.tag,
      track: p.Track as RecordingRecord['track'],
      bucket: location.bucket,
      key,
      location: `${location.bucket}/${key}`,
      startedAtMs: this.clock.nowMs(),
      status: 'recording',
    };
    return {
      status: 'ok',
      effect: { kind: 'startRecording', record },
      extra: { CallRecordingDestination: { Type: 'S3', Location: record.location } },
    };
  }

  // ---- answering, digits and the actions record ----------------------------------------------------------

  /** An action starts: recorded; a media action on a call not yet connected answers it (call-flow page). */
  private recordAction(call: CallState, action: ActionShape): ActionRecord {
    const record: ActionRecord = { type: action.Type, startedAtMs: this.clock.nowMs(), status: 'running' };
    call.actions.push(record);
    if (ANSWERING_ACTIONS.has(action.Type) && !call.answeredByMedia) {
      call.answeredByMedia = true;
      this.markConnected(call);
    }
    return record;
  }

  private actionEnded(record: ActionRecord, outcome: Outcome): void {
    record.endedAtMs = this.clock.nowMs();
    record.status = outcome.status;
    if (outcome.status === 'failed') record.errorType = outcome.errorType;
    const digits = outcome.status === 'ok' ? outcome.extra?.ReceivedDigits : undefined;
    if (typeof digits === 'string') record.receivedDigits = digits;
  }

  /** The scenario's key presses, counted from answer; a press with no digit collection running is lost. */
  private scheduleDigits(call: CallState): void {
    for (const press of call.spec.digits ?? []) {
      this.after(call, press.atSeconds * 1000, 'sma:digits', () => {
        if (call.digitSink) return call.digitSink(press.digits);
        call.notes.push(
          `digits "${press.digits}" pressed ${press.atSeconds} s after answer with no digit collection running: not received`,
        );
      });
    }
  }

  /**
   * speak-and-get-digits / play-audio-and-get-digits: the prompt, then RepeatDurationInMilliseconds for the
   * digits; a wrong entry or none plays the failure prompt and starts again, Repeat times in all; then
   * ACTION_FAILED. Keys pressed during the prompt are taken (barge-in). A press arrives whole (the scenario's
   * `digits` string); trailing TerminatorDigits are removed. Defaults as the pages give them: MinNumberOfDigits
   * 0, MaxNumberOfDigits 128, TerminatorDigits ["#"], Repeat 2 (unverified).
   */
  private async getDigits(call: CallState, type: string, p: Record<string, unknown>, signal: AbortSignal): Promise<Outcome> {
    let promptMs: number;
    let failureMs: number;
    if (type === 'SpeakAndGetDigits') {
      if (!this.connectedLeg(call, p.CallId)) return failed(invalidParameter('CallId'));
      const speech = p.SpeechParameters;
      const failure = p.FailureSpeechParameters;
      if (!isObject(speech) || !nonEmpty(speech.Text))
        return failed(actionError('MissingRequiredActionParameter', 'SpeechParameters.Text is a required parameter.'));
      if (!isObject(failure) || !nonEmpty(failure.Text))
        return failed(actionError('MissingRequiredActionParameter', 'FailureSpeechParameters.Text is a required parameter.'));
      promptMs = this.speakMs(speech.Text);
      failureMs = this.speakMs(failure.Text);
    } else {
      if (!this.targetLeg(call, p)) return failed(invalidParameter(p.CallId !== undefined ? 'CallId' : 'ParticipantTag'));
      for (const source of [p.AudioSource, p.FailureAudioSource]) {
        if (!isObject(source) || source.Type !== 'S3' || !nonEmpty(source.BucketName) || !nonEmpty(source.Key))
          return failed(actionError('InvalidAudioSource'));
      }
      promptMs = failureMs = this.timing.playAudioSeconds * 1000;
    }
    const waitMs = intParam(p.RepeatDurationInMilliseconds);
    if (p.RepeatDurationInMilliseconds === undefined)
      return failed(actionError('MissingRequiredActionParameter', 'RepeatDurationInMilliseconds is a required parameter.'));
    if (waitMs === undefined || waitMs <= 0) return failed(invalidParameter('RepeatDurationInMilliseconds'));
    const min = p.MinNumberOfDigits === undefined ? 0 : intParam(p.MinNumberOfDigits);
    const max = p.MaxNumberOfDigits === undefined ? 128 : intParam(p.MaxNumberOfDigits);
    if (min === undefined || min < 0) return failed(invalidParameter('MinNumberOfDigits'));
    if (max === undefined || max < Math.max(1, min)) return failed(invalidParameter('MaxNumberOfDigits'));
    const repeat = p.Repeat === undefined ? 2 : intParam(p.Repeat);
    if (repeat === undefined || repeat < 1) return failed(invalidParameter('Repeat'));
    const terminators = Array.isArray(p.TerminatorDigits) ? p.TerminatorDigits.map(String) : ['#'];
    let pattern: RegExp | undefined;
    if (p.InputDigitsRegex !== undefined) {
      try {
        pattern = new RegExp(String(p.InputDigitsRegex));
      } catch {
        return failed(invalidParameter('InputDigitsRegex'));
      }
    }
    for (let attempt = 1; attempt <= repeat; attempt++) {
      const got = await this.collectDigits(call, promptMs + waitMs, signal);
      if (got !== null && typeof got === 'object') return got;
      if (typeof got === 'string') {
        let digits = got;
        while (digits.length > 0 && terminators.includes(digits.at(-1)!)) digits = digits.slice(0, -1);
        if (digits.length >= Math.max(1, min) && digits.length <= max && (!pattern || pattern.test(got)))
          return { status: 'ok', extra: { ReceivedDigits: digits } };
      }
      // The failure prompt (a wrong entry or none), then the prompt again.
      const spoken = await this.wait(call, failureMs, signal, { status: 'ok' });
      if (spoken.status !== 'ok') return spoken;
    }
    return failed(actionError(DIGITS_NOT_RECEIVED, `No valid digits received after ${repeat} attempt(s)`));
  }

  /** Waits up to `ms` for a key press: the digits, null on timeout, or the outcome that cut the wait short. */
  private async collectDigits(call: CallState, ms: number, signal: AbortSignal): Promise<string | null | Outcome> {
    const press = new AbortController();
    let pressed: string | undefined;
    call.digitSink = (digits) => {
      pressed = digits;
      press.abort();
    };
    try {
      await this.clock.sleep(ms, AbortSignal.any([signal, press.signal]), timerTag(call, 'sma:action'));
      return null;
    } catch {
      if (signal.aborted) return signal.reason === INTERRUPT ? { status: 'interrupted' } : { status: 'aborted' };
      return pressed ?? null;
    } finally {
      call.digitSink = undefined;
    }
  }

  private speakMs(text: string): number {
    return Math.max(500, Math.round((text.length / this.timing.speakCharsPerSecond) * 1000));
  }

  private async bucketReachable(bucket: string): Promise<boolean> {
    // Buckets do not disappear during a twin run; remembering the ones seen saves a round trip that costs
    // virtual time at high clock speeds.
    if (this.reachableBuckets.has(bucket)) return true;
    try {
      await this.s3.send(new HeadBucketCommand({ Bucket: bucket }));
      this.reachableBuckets.add(bucket);
      return true;
    } catch {
      return false;
    }
  }

  private noticeFault(call: CallState): string | undefined {
    return call.faults.consent?.[call.noticeAttempts++];
  }

  private async wait(call: CallState, ms: number, signal: AbortSignal, outcome: Outcome): Promise<Outcome> {
    try {
      await this.clock.sleep(ms, signal, timerTag(call, 'sma:action'));
      return outcome;
    } catch {
      return signal.reason === INTERRUPT ? { status: 'interrupted' } : { status: 'aborted' };
    }
  }

  private connectedLeg(call: CallState, callId: unknown): LegState | undefined {
    if (typeof callId !== 'string') return undefined;
    const leg = call.legs.find((l) => l.callId === callId);
    return leg?.status === 'Connected' ? leg : undefined;
  }

  /** CallId, else ParticipantTag, else LEG-A (pause, play-audio: "ParticipantTag of the invoked callLeg"). */
  private targetLeg(call: CallState, p: Record<string, unknown>): LegState | undefined {
    if (p.CallId !== undefined) return this.connectedLeg(call, p.CallId);
    const tag = p.ParticipantTag === undefined ? 'LEG-A' : p.ParticipantTag;
    const leg = call.legs.find((l) => l.tag === tag);
    return leg?.status === 'Connected' ? leg : undefined;
  }

  /** The legs whose hangup cancels an action in progress. */
  private actionLegs(call: CallState, action: ActionShape): string[] {
    const p = action.Parameters ?? {};
    if (action.Type === 'CallAndBridge') return [call.legs[0]!.callId];
    const leg = typeof p.CallId === 'string' ? call.leg(p.CallId) : this.targetLeg(call, p);
    return leg ? [leg.callId] : [];
  }

  // ---- invoking the Lambda ------------------------------------------------------------------------------------

  /**
   * Invokes the Lambda and checks its response; a bad response gets INVALID_LAMBDA_RESPONSE (ErrorType and
   * ErrorMessage at the top level: attribute-trans-invalid), whose response is checked the same way.
   * Returns null if the Lambda could not be invoked (the caller hangs up the call).
   */
  private async invokeForActions(call: CallState, build: EventBuilder): Promise<ActionShape[] | null> {
    let next = build;
    for (;;) {
      const sentAttributes = call.attributes;
      call.callbackInInvocation = false;
      const result = await this.invoke(call, next);
      if (!result) return null;
      const check = checkResponse(result.response);
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
      this.logger?.warn('invalid Lambda response', {
        transactionId: call.transactionId,
        errorType: check.errorType,
        errorMessage: check.errorMessage,
      });
      next = (seq, details) => events.invalidLambdaResponse(seq, details, check.errorType, check.errorMessage);
    }
  }

  /** For events whose response the SMA ignores (HANGUP of the last leg, ACTION_INTERRUPTED). */
  private async invokeIgnoring(call: CallState, build: EventBuilder): Promise<void> {
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
    if (this.closed) throw new EmulatorClosed();
    return result;
  }

  private async deliverEvent(call: CallState, event: Record<string, unknown>, attempt: number): Promise<InvocationResult | null> {
    const record: InvocationRecord = {
      sequence: event.Sequence as number,
      eventType: event.InvocationEventType as string,
      event: structuredClone(event),
      attempt,
      wallMs: Date.now(),
      virtualMs: this.clock.nowMs(),
    };
    call.log.push(record);
    this.logger?.info('invoke', { transactionId: call.transactionId, sequence: record.sequence, eventType: record.eventType, attempt });
    let timer: NodeJS.Timeout | undefined;
    try {
      const response = await Promise.race([
        Promise.resolve().then(() => this.handler(structuredClone(event), this.lambdaContext())),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new InvocationTimeout(this.invocationTimeoutMs)), this.invocationTimeoutMs);
        }),
      ]);
      // A copy: what the handler does with its object later must not change what the SMA executes.
      record.response = cloneResponse(response);
      return { response: record.response, record };
    } catch (err) {
      record.error = err instanceof InvocationTimeout ? err.message : err instanceof Error ? `${err.name}: ${err.message}` : String(err);
      record.ignored = true;
      this.logger?.warn('Lambda invocation failed', {
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
      awsAccountId: this.options.awsAccountId,
      awsRegion: this.options.region,
      sipRuleId: this.sipRuleId,
      sipMediaApplicationId: this.options.sipMediaApplicationId,
      participants: call.participants(),
    };
  }

  /** A Lambda context object as middy / Powertools expect one. */
  private lambdaContext(): Context {
    const name = this.options.functionName ?? 'sma-handler';
    const deadline = Date.now() + this.invocationTimeoutMs;
    return {
      callbackWaitsForEmptyEventLoop: true,
      functionName: name,
      functionVersion: '$LATEST',
      invokedFunctionArn: `arn:aws:lambda:${this.options.region}:${this.options.awsAccountId}:function:${name}`,
      memoryLimitInMB: '256',
      awsRequestId: randomUUID(),
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

/** A call's timers are ordered with its workflow's (the twin's execution name is the TransactionId). */
function timerTag(call: CallState, label: string): TimerTag {
  return { owner: call.transactionId, label };
}

function failed(error: ActionError): Outcome {
  return { status: 'failed', ...toFailure(error) };
}

function toFailure(error: ActionError) {
  return { errorType: error.errorType, errorMessage: error.errorMessage, extra: error.extra };
}

function nonEmpty(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0;
}

function cloneResponse(response: unknown): unknown {
  try {
    return structuredClone(response);
  } catch {
    return response; // not cloneable (functions): checkResponse will refuse it anyway
  }
}
