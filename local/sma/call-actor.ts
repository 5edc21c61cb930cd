/**
 * A call as an actor: caller hangups, UpdateSipMediaApplicationCall requests and finished actions are messages
 * processed one at a time, and the Lambda is invoked synchronously from inside that processing, so a call's
 * invocations never overlap (the SMA invokes its Lambda synchronously). Actions run beside the mailbox and
 * report back, which is what lets an update interrupt a Pause, or a hangup cut a Speak short.
 */
import { INTERRUPTIBLE_ACTIONS, UNANSWERED_TIMEOUT_SECONDS } from './actions';
import { dropQueue, recordEnd, recordStart } from './action-record';
import { actionLegs, toFailure } from './action-support';
import type { CallState, Effect, Message, Outcome } from './call';
import { pauseRecording, startRecording, stopRecording } from './call-recordings';
import { maskPhoneNumber } from '../../lambdas/shared/mask';
import { actionError, redact } from './errors';
import * as events from './events';
import type { ActionError, ActionShape } from './events';
import { applyLate, type EventBuilder, LambdaInvoker, racingResponse } from './lambda-invoker';
import { arm, disarm, keysPressed } from './receive-digits';
import { execute } from './run-action';
import { EmulatorClosed, type EmulatorRuntime, INTERRUPT, LEG_GONE, timerTag } from './runtime';
import type { ActionRecord } from './types';

/** Actions that answer an inbound call not yet connected (the service answers it to run them: call-flow page). */
const ANSWERING_ACTIONS = new Set(['Pause', 'PlayAudio', 'PlayAudioAndGetDigits', 'Speak', 'SpeakAndGetDigits']);

export class CallActor {
  private readonly invoker: LambdaInvoker;

  constructor(private readonly rt: EmulatorRuntime) {
    this.invoker = new LambdaInvoker(rt);
  }

  // ---- the per-call mailbox -------------------------------------------------------------------------------

  post(call: CallState, message: Message): void {
    if (this.rt.closed || call.ended.settled) return;
    call.mailbox.push(message);
    if (!call.processing) void this.drain(call);
  }

  private async drain(call: CallState): Promise<void> {
    call.processing = true;
    // Handling a message (and the Lambda invocations it makes) is work in flight: virtual time waits for it.
    const done = this.rt.clock.busy();
    try {
      while (call.mailbox.length > 0 && !this.rt.closed) {
        const message = call.mailbox.shift()!;
        try {
          await this.handle(call, message);
        } catch (err) {
          if (err instanceof EmulatorClosed) return;
          this.rt.logger?.error('emulator error', { transactionId: call.transactionId, message: message.kind, error: redact(String(err)) });
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
      case 'digitsReceived':
        return this.onDigitsReceived(call, message.action, message.digits);
    }
  }

  private async onStart(call: CallState): Promise<void> {
    this.endIfUnanswered(call);
    const actions = await this.invoker.invokeForActions(call, (seq, details) => events.newInboundCall(seq, details));
    if (actions === 'unanswered') return this.forceHangup(call, 'NEW_INBOUND_CALL');
    this.startList(call, actions);
  }

  private async onUpdate(call: CallState, args: Record<string, string>): Promise<void> {
    // The API accepted it while the call was up; if the call ended since, the SMA has nobody to invoke for.
    if (call.over) return;
    const race = racingResponse(call);
    const actions = await this.invoker.invokeForActions(call, (seq, details) =>
      events.callUpdateRequested(seq, race ? { ...details, transactionAttributes: race.sentAttributes } : details, args),
    );
    if (actions === 'unanswered') return this.forceHangup(call, 'CALL_UPDATE_REQUESTED');
    this.startList(call, actions);
    const late = race && applyLate(call, race);
    if (late) this.startList(call, late);
  }

  /**
   * An armed ReceiveDigits matched (or flushed): DIGITS_RECEIVED, and its response runs like an update's (replaces
   * the queued actions, a non-empty list interrupts an interruptible action: assumed, the pages do not say).
   */
  private async onDigitsReceived(call: CallState, action: ActionShape, digits: string): Promise<void> {
    if (call.over) return;
    const actions = await this.invoker.invokeForActions(call, (seq, details) => events.digitsReceived(seq, details, action, digits));
    if (actions === 'unanswered') return this.forceHangup(call, 'DIGITS_RECEIVED');
    this.startList(call, actions);
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
        await this.invoker.invokeIgnoring(call, (seq, details) => events.actionInterrupted(seq, details, action));
        return this.continueList(call);
      case 'hangup':
        return this.disconnect(call, outcome.callId, outcome.sipResponseCode, 'Hangup action');
      case 'ok': {
        if (outcome.effect) this.applyEffect(call, outcome.effect);
        const replaced = call.listId !== current.list;
        if (!replaced && call.queue.length > 0) return this.runNext(call);
        if (replaced && this.silentlyReplaced(call, action)) return;
        this.listDrained(call);
        // ACTION_SUCCESSFUL only after the LAST action of a list (docs/reference/sma-protocol.md).
        const actions = await this.invoker.invokeForActions(call, (seq, details) =>
          events.actionSuccessful(seq, details, action, outcome.extra, outcome.parameterExtras),
        );
        if (actions === 'unanswered') return this.forceHangup(call, 'ACTION_SUCCESSFUL');
        return this.startList(call, actions);
      }
      case 'failed': {
        if (action.Type === 'CallAndBridge') call.notes.push(`CallAndBridge failed (${outcome.errorType}): the call stays 1-leg`);
        const replaced = call.listId !== current.list;
        if (replaced && this.silentlyReplaced(call, action)) return;
        // A failing action drops the rest of its own list (a replacing list is not its own).
        const dropped = replaced ? 0 : call.queue.length;
        if (!replaced) dropQueue(call, this.rt.clock.nowMs());
        this.rt.logger?.info('action failed', {
          transactionId: call.transactionId,
          type: action.Type,
          errorType: outcome.errorType,
          dropped,
        });
        this.listDrained(call);
        const error: ActionError = { errorType: outcome.errorType, errorMessage: outcome.errorMessage, extra: outcome.extra };
        const actions = await this.invoker.invokeForActions(call, (seq, details) =>
          events.actionFailed(seq, details, action, error, outcome.parameterExtras),
        );
        if (actions === 'unanswered') return this.forceHangup(call, 'ACTION_FAILED');
        return this.startList(call, actions);
      }
    }
  }

  /**
   * An action that could not be interrupted ended after a new list replaced its own (update-sip-call: "it
   * completes before the new Action 1 starts"). Whether it is reported is not said: under the `silent` reading
   * it is not, and the new list starts (true returned); under `reported` the caller sends its result.
   */
  private silentlyReplaced(call: CallState, action: ActionShape): boolean {
    if (call.readings.replacedAction !== 'silent') return false;
    call.notes.push(`${action.Type} ended after its list was replaced: not reported (replacedAction: silent)`);
    this.continueList(call);
    return true;
  }

  // ---- action lists -----------------------------------------------------------------------------------------

  /**
   * A response's actions. A list replaces the queued one and interrupts an interruptible current action; it
   * starts once the current action ends (update-sip-call: "Action 3 isn't executed"). A NULL action set (null)
   * keeps the list in progress (invoke-on-call-leg), and so does [] under the `keep` reading; by default []
   * is a list like any other: the queue is dropped and a Pause or PlayAudio is interrupted.
   */
  private startList(call: CallState, actions: ActionShape[] | null): void {
    if (call.over) return;
    const inProgress = call.current !== undefined || call.queue.length > 0;
    if (inProgress && (actions === null || (actions.length === 0 && call.readings.emptyActions === 'keep'))) {
      call.keptList = call.listId;
      if (call.current) call.current.record.keptByNull = true;
      else this.continueList(call);
      return;
    }
    dropQueue(call, this.rt.clock.nowMs());
    call.queue = [...(actions ?? [])];
    call.listId++;
    if (call.current) {
      if (call.current.interruptible) call.current.controller.abort(INTERRUPT);
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
    const legs = actionLegs(call, action);
    const record = this.recordAction(call, action, legs);
    call.current = { action, token, controller, interruptible: INTERRUPTIBLE_ACTIONS.has(action.Type), list: call.listId, legs, record };
    if (action.Type !== 'Hangup') call.answered = true;
    this.rt.logger?.info('action', { transactionId: call.transactionId, type: action.Type });
    const signal = AbortSignal.any([controller.signal, this.rt.closing]);
    execute(this.rt, call, action, signal)
      .catch((err): Outcome => {
        this.rt.logger?.error('action crashed', { transactionId: call.transactionId, type: action.Type, error: redact(String(err)) });
        return { status: 'failed', ...toFailure(actionError('SystemException')) };
      })
      .then((outcome) => {
        recordEnd(this.rt, record, outcome);
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
    call.connectedAtMs = this.rt.clock.nowMs();
    call.connected.resolve(true);
    this.scheduleDigits(call);
    const seconds = call.faults.hangupAfterSeconds ?? call.spec.durationSeconds;
    const legA = call.legs[0]!;
    this.after(call, seconds * 1000, 'sma:hangup', () =>
      this.post(call, { kind: 'legDisconnect', callId: legA.callId, sipResponseCode: 0, cause: 'caller hung up' }),
    );
  }

  /** Runs `fn` after `ms` virtual milliseconds unless the call is over or the emulator closes first. */
  after(call: CallState, ms: number, label: string, fn: () => void): void {
    this.rt.clock.sleep(ms, AbortSignal.any([call.timers.signal, this.rt.closing]), timerTag(call, label)).then(fn, () => undefined);
  }

  // ---- hangups ------------------------------------------------------------------------------------------------

  private async disconnect(call: CallState, callId: string, sipResponseCode: number, cause: string): Promise<void> {
    const leg = call.leg(callId);
    if (!leg || leg.status === 'Disconnected') return;
    leg.status = 'Disconnected';
    this.rt.logger?.info('leg disconnected', { transactionId: call.transactionId, participantTag: leg.tag, sipResponseCode, cause });
    this.stopRecording(call, leg.callId, 'hangup');
    disarm(call, leg.callId);
    if (call.current?.legs.includes(leg.callId)) {
      call.current.controller.abort(LEG_GONE);
      call.current = undefined;
    }
    if (call.over) this.wrapUp(call);

    const build: EventBuilder = (seq, details) =>
      events.hangup(seq, details, { callId: leg.callId, participantTag: leg.tag, sipResponseCode });
    if (call.over) {
      // One-leg call (or the last leg of one): the SMA ignores the response (hangup).
      await this.invoker.invokeIgnoring(call, build);
      return;
    }
    // Bridged call: the response to the HANGUP is run (hangup), e.g. a Hangup of the other leg.
    const actions = await this.invoker.invokeForActions(call, build);
    if (actions === 'unanswered') return this.forceHangup(call, 'HANGUP');
    this.startList(call, actions);
    const legB = call.leg('LEG-B');
    if (leg.tag === 'LEG-A' && legB?.status === 'Connected') {
      this.after(call, this.rt.timing.remainingLegHangupSeconds * 1000, 'sma:far-hangup', () => {
        if (legB.status !== 'Connected') return;
        call.notes.push(
          `LEG-B was left connected after LEG-A hung up; the far party hung up ${this.rt.timing.remainingLegHangupSeconds} s later`,
        );
        this.post(call, { kind: 'legDisconnect', callId: legB.callId, sipResponseCode: 0, cause: 'far party hung up' });
      });
    }
  }

  /** The Lambda failed twice (or the invocation limit was hit): the SMA ends the call with SIP 480 (timeouts). */
  private async forceHangup(call: CallState, during: string): Promise<void> {
    call.notes.push(`the Lambda did not answer ${during} (after one retry): the SMA hung up the call with SIP 480`);
    this.rt.logger?.warn('hanging up: Lambda invocation failed', { transactionId: call.transactionId, during });
    call.current?.controller.abort(LEG_GONE);
    call.current = undefined;
    dropQueue(call, this.rt.clock.nowMs());
    const legs = call.connectedLegs();
    for (const leg of legs) {
      leg.status = 'Disconnected';
      this.stopRecording(call, leg.callId, 'hangup');
    }
    this.wrapUp(call);
    for (const leg of legs) {
      await this.invoker.invokeIgnoring(call, (seq, details) =>
        events.hangup(seq, details, { callId: leg.callId, participantTag: leg.tag, sipResponseCode: 480 }),
      );
    }
  }

  /** Every leg is down: no more timers, no pending actions; `connected` can no longer happen. */
  private wrapUp(call: CallState): void {
    call.timers.abort(LEG_GONE);
    call.current?.controller.abort(LEG_GONE);
    call.current = undefined;
    dropQueue(call, this.rt.clock.nowMs());
    call.connected.resolve(false);
  }

  checkEnd(call: CallState): void {
    if (call.ended.settled || !call.over || call.processing || call.mailbox.length > 0 || call.deliveries.size > 0) return;
    call.ended.resolve(call.summary(this.rt.clock.nowMs()));
    this.rt.logger?.info('call ended', { transactionId: call.transactionId, invocations: call.sequence });
  }

  // ---- effects of actions that succeeded ---------------------------------------------------------------------------------------------

  private applyEffect(call: CallState, effect: Effect): void {
    switch (effect.kind) {
      case 'bridge': {
        call.legs.push({
          callId: effect.callId,
          tag: 'LEG-B',
          from: effect.from,
          to: effect.to,
          direction: 'Outbound',
          startMs: this.rt.clock.nowMs(),
          status: 'Connected',
          recordingStarted: false,
        });
        this.rt.logger?.info('LEG-B answered', { transactionId: call.transactionId, to: maskPhoneNumber(effect.to) });
        this.markConnected(call);
        return;
      }
      case 'startRecording':
        startRecording(this.rt, call, effect.record);
        return;
      case 'stopRecording':
        this.stopRecording(call, effect.callId, 'StopCallRecording');
        return;
      case 'pauseRecording':
        pauseRecording(this.rt, call, effect.callId, effect.paused);
        return;
      case 'armDigits':
        arm(call, effect.armed);
        return;
    }
  }

  /** A stopped recording's delivery is pending work: the call ends once it settles. */
  private stopRecording(call: CallState, callId: string, cause: 'StopCallRecording' | 'hangup'): void {
    stopRecording(this.rt, call, callId, cause, () => this.checkEnd(call));
  }

  // ---- answering, digits and the actions record ----------------------------------------------------------

  /** An action starts: recorded; a media action on a call not yet connected answers it (call-flow page). */
  private recordAction(call: CallState, action: ActionShape, legs: string[]): ActionRecord {
    const record = recordStart(this.rt, call, action, legs);
    record.callId = legs[0];
    record.parameters = action.Parameters;
    if (ANSWERING_ACTIONS.has(action.Type) && !call.answeredByMedia) {
      call.answeredByMedia = true;
      this.markConnected(call);
    }
    return record;
  }

  /** The scenario's key presses (the caller's, on LEG-A), counted from answer (receive-digits.ts keysPressed). */
  private scheduleDigits(call: CallState): void {
    for (const keys of call.spec.digits ?? []) {
      this.after(call, keys.atSeconds * 1000, 'sma:digits', () =>
        keysPressed(this.rt, call, keys, (a, digits) => this.post(call, { kind: 'digitsReceived', action: a.action, digits })),
      );
    }
  }
}
