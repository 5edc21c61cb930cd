/**
 * The recording middleware's logic, shared by the middy middleware and the plain wrapper (middleware.ts), as
 * designed in docs/embedding.md: `prepare(event)` decides who owns the event, runs the recording's share, and
 * either answers it (the application is not called) or hands the application its event with a `finish` that
 * merges the application's answer with the recording's state.
 *
 * The rule it keeps (issue 20): the application's call flow is never disturbed. An update replaces the actions in
 * progress (update-sip-call), so the middleware never answers one with actions while the application's list runs:
 * it answers with a NULL action set (invoke-on-call-leg: "it keeps the existing actions") and runs its own actions
 * at the application's next list boundary (its answer to the end of its list), holding the application's new list
 * until the recording's own actions have their result (application-lists.ts). The application sees only the
 * events AWS would send it, in AWS's shapes.
 *
 * Over 400 lines, one class on purpose: the routing and the four handlers that answer for the recording
 * (onCommand, onKeypad, onOwnResult, finishApp) each read and write the same invocation state (`rw:own`, the map,
 * the counts) and decide together when the application's list may be touched. What each event does for the
 * workflow lives beside it (workflow-commands.ts, controls.ts, recording-events.ts, policy-recording.ts, the
 * mailbox in mailbox.ts and task-handoff.ts), the list rules in
 * application-lists.ts, the answer's map in answer-merge.ts.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { SFNClient } from '@aws-sdk/client-sfn';
import type { S3Client } from '@aws-sdk/client-s3';
import { createS3Client, createSfnClient } from './clients';
import { logSafe, logSafeId } from '../shared/mask';
import { logSafeError } from '../shared/log-safe-error';
import { Arg, Command, TaskError, TokenAttribute } from '../shared/workflow-contract';
import { AnswerMerge } from './answer-merge';
import { answerHeld, boundaryAnswer, nextAppList, noticeState, type Out } from './application-lists';
import { digitsTaken, envelope, isResponse } from './app-answer';
import { callbackDelivered, continuesWithNotice, type CallEventDeps, type EventOf } from './call-state';
import { loadRecordingConfig, type RecordingConfig } from './config';
import { dtmfArmActions, isControlRequest, isOwnDigits, onControlRequest, onDtmfControl } from './controls';
import { appEventOf, noticeFingerprint, noticeText, type OwnState, ownKeys, readOwn, rwOf, withState } from './own-state';
import {
  NOTICE_ACTION_TYPES,
  onActionFailed,
  onActionSuccessful,
  onHangup,
  onInvalidLambdaResponse,
  ownActionTypesOf,
  ownedResult,
} from './recording-events';
import { lazyClient } from './sfn-sdk';
import { lazyS3Client } from './s3-sdk';
import { Mailbox } from './mailbox';
import { MalformedEventError, parseSmaEvent, type SmaEvent } from './sma-event';
import { respond, type SmaAction, type SmaAnswer, type SmaResponse } from './sma-response';
import { TaskCallbacks } from './task-callbacks';
import { isWorkflowCommand, onCallUpdateRequested } from './workflow-commands';
import { retryWorkflowStart, startPolicyRecording } from './policy-recording';
import { WorkflowStarter } from './workflow-starter';

type Attributes = Record<string, string>;

export interface RecordingOptions {
  /** Settings; default loadRecordingConfig(env ?? process.env) (STATE_MACHINE_ARN, AUTO_RECORD, ...). */
  config?: RecordingConfig;
  env?: NodeJS.ProcessEnv;
  /** Default: a client with short timeouts (createSfnClient), made (and the SDK loaded) on first use. */
  sfn?: SFNClient;
  /** The hand-off mailbox's client; default: createS3Client's, made on first use. */
  s3?: S3Client;
  logger?: Logger;
  /**
   * Share the application's Metrics (the one its logMetrics publishes); default: the middleware's own, which
   * it publishes itself after every invocation.
   */
  metrics?: Metrics;
}

export type Prepared =
  | { kind: 'respond'; response: SmaAnswer }
  | { kind: 'app'; event: unknown; finish: (appResponse: unknown) => Promise<unknown> };

export { createS3Client, createSfnClient } from './clients';

export class RecordingCore {
  readonly config: RecordingConfig;
  readonly logger: Logger;
  readonly metrics: Metrics;
  /** The middleware made its Metrics: it publishes them (the application's logMetrics does not know them). */
  readonly ownsMetrics: boolean;
  private readonly deps: CallEventDeps;
  private readonly merge: AnswerMerge;

  constructor(options: RecordingOptions = {}) {
    this.config = options.config ?? loadRecordingConfig(options.env ?? process.env);
    this.logger = options.logger ?? new Logger({ serviceName: this.config.serviceName });
    this.ownsMetrics = options.metrics === undefined;
    this.metrics =
      options.metrics ??
      new Metrics({ namespace: this.config.metricsNamespace, serviceName: this.config.serviceName, logger: this.logger });
    const sfn = options.sfn ?? lazyClient(() => createSfnClient(this.config));
    const callbacks = new TaskCallbacks(sfn, this.logger, this.metrics);
    const starter = this.config.autoRecord
      ? new WorkflowStarter(sfn, this.config.autoRecord.stateMachineArn, this.logger, this.metrics)
      : undefined;
    const where = this.config.mailbox;
    const mailbox = where
      ? new Mailbox(
          options.s3 ?? lazyS3Client(() => createS3Client(this.config, where.forcePathStyle ? { forcePathStyle: true } : {})),
          where,
          callbacks,
          this.logger,
          this.metrics,
        )
      : undefined;
    this.deps = { config: this.config, callbacks, starter, mailbox, log: this.logger, metrics: this.metrics };
    this.merge = new AnswerMerge(this.logger, (metric) => this.count(metric), callbacks);
    // Built at module load (cold start): each problem is reported once, naming its variable.
    for (const problem of this.config.problems) this.logger.error('configuration problem', { problem });
  }

  /** Publishes the middleware's own metrics (no-op when they are the application's). */
  publish(force = false): void {
    if (!this.ownsMetrics && !force) return;
    try {
      if (this.metrics.hasStoredMetrics()) this.metrics.publishStoredMetrics();
    } catch {
      // metrics are never worth a call
    }
  }

  /** The application threw or did not answer in time: logged (its error's name only) and counted. */
  applicationFailed(error: unknown, metric = 'ApplicationErrors'): void {
    this.logger.error('the application failed; answered with a NULL action set (the call and the recording go on)', {
      error: logSafe((error as Error)?.name ?? 'Error'),
      errorMessage: logSafe(String((error as Error)?.message ?? ''), 512),
    });
    this.count(metric);
  }

  async prepare(raw: unknown): Promise<Prepared> {
    let event: SmaEvent;
    try {
      event = parseSmaEvent(raw);
    } catch (e) {
      if (!(e instanceof MalformedEventError)) throw e;
      // Not an event the middleware can read: the application gets it as it came (its own parser decides).
      this.logger.warn('event not understood by the recording middleware; handed to the application as is', {
        reason: logSafe(e.message, 512),
      });
      return { kind: 'app', event: raw, finish: async (r) => r };
    }
    this.logger.appendKeys({
      transactionId: logSafeId(event.CallDetails.TransactionId),
      sequence: event.Sequence,
      eventType: event.InvocationEventType,
    });
    this.count('SmaEvents');
    const incoming = { ...(event.CallDetails.TransactionAttributes ?? {}) };
    const own = readOwn(incoming);
    try {
      return await this.route(event, raw, incoming, own);
    } catch (e) {
      // A recording fault never drops the call: the application gets its event as if there were no recording.
      this.logger.error('recording middleware error; the event goes to the application untouched', {
        error: logSafe((e as Error).name),
        errorMessage: logSafe(String((e as Error).message ?? ''), 1024),
      });
      this.count('RecordingMiddlewareErrors');
      return { kind: 'app', event: appEventOf(raw), finish: async (r) => r };
    }
  }

  private async route(event: SmaEvent, raw: unknown, incoming: Attributes, own: OwnState): Promise<Prepared> {
    const incomingRw = ownKeys(incoming);
    if (own.s) await retryWorkflowStart(event, own, this.deps);
    switch (event.InvocationEventType) {
      case 'CALL_UPDATE_REQUESTED':
        if (isWorkflowCommand(event)) return this.onCommand(event, incoming, own);
        if (isControlRequest(event)) return this.keep(incoming, rwOf(await onControlRequest(event, this.deps), incomingRw), own);
        break;
      case 'DIGITS_RECEIVED':
        if (isOwnDigits(event, this.config)) return this.onKeypad(event, incoming, own);
        break;
      case 'ACTION_SUCCESSFUL':
      case 'ACTION_FAILED': {
        if (isOwnDigits(event, this.config)) {
          // The keypad controls' ReceiveDigits, alone in its list (the application was idle).
          if (event.InvocationEventType === 'ACTION_FAILED') {
            this.logger.warn('the keypad controls could not be armed', { error: logSafe(event.ActionData.ErrorType) });
            this.count('KeypadControlsNotArmed');
          }
          return this.keep(incoming, incomingRw, own);
        }
        // A NotifyConsent `c` whose notice text does not match is stale (left by a response without a map):
        // this Speak is the application's. (Read only when the event echoes a Text, as the documented examples do.)
        const type = event.ActionData.Type;
        const text = noticeText(event.ActionData.Parameters);
        const staleNotice =
          own.c === Command.NotifyConsent &&
          own.k !== undefined &&
          NOTICE_ACTION_TYPES.includes(type) &&
          typeof text === 'string' &&
          noticeFingerprint(text) !== own.k;
        const command = staleNotice ? undefined : ownedResult(event, own.c, own.a !== undefined && own.c === undefined);
        if (command) return this.onOwnResult(event, incoming, own, command);
        break;
      }
      case 'ACTION_INTERRUPTED': {
        const type = event.ActionData.Type;
        const ours =
          own.c !== undefined &&
          ownActionTypesOf(own.c).includes(type) &&
          !(type === 'SpeakAndGetDigits' && noticeFingerprint(noticeText(event.ActionData.Parameters)) !== own.k);
        if (ours && own.c) {
          // The recording's own action (the notice's prompt) was cut by another update of the call: its task fails
          // now with ActionInterrupted, which the workflow retries, instead of waiting for its timeout.
          const token = incoming[TokenAttribute[own.c]];
          if (token)
            await this.deps.callbacks.fail(
              token,
              TaskError.ActionInterrupted,
              `the recording's ${type} was interrupted by another update of the call`,
              own.c,
            );
          this.count('RecordingActionsInterrupted');
          // Informational: the SMA ignores this answer (update-sip-call).
          return { kind: 'respond', response: respond() };
        }
        break;
      }
      case 'HANGUP': {
        const r = await onHangup(event, this.deps);
        const state: OwnState = { ...own };
        delete state.c;
        delete state.p;
        delete state.h;
        return this.toApp(event, raw, incoming, withState(rwOf(r, incomingRw), state), state);
      }
      case 'INVALID_LAMBDA_RESPONSE': {
        const r = await onInvalidLambdaResponse(event, this.deps);
        const state: OwnState = { ...own };
        delete state.c;
        return this.toApp(event, raw, incoming, withState(rwOf(r, incomingRw), state), state);
      }
      default:
        break;
    }
    return this.toApp(event, raw, incoming, incomingRw, own);
  }

  /**
   * A workflow command. Its actions run now when nothing of the application's is in progress; otherwise the
   * update is answered with a NULL action set (the application's list goes on) and they wait, parked in `p`, for
   * the application's next list boundary. A new attempt of a command still parked runs at once: its list
   * outlasted an attempt, or it ended where the middleware could not see it (written in the audit: waitedBehind).
   */
  private async onCommand(event: EventOf<'CALL_UPDATE_REQUESTED'>, incoming: Attributes, own: OwnState): Promise<Prepared> {
    let r: SmaResponse;
    try {
      r = await onCallUpdateRequested(event, this.deps);
    } catch (e) {
      // onCallUpdateRequested has failed the task already; the call goes on, the application's actions too.
      const token = event.ActionData.Parameters.Arguments[Arg.taskToken];
      this.logger.error('workflow command failed; answered with a NULL action set', logSafeError(e, token));
      this.count('HandlerErrors');
      return { kind: 'respond', response: envelope({}, null) };
    }
    const command = event.ActionData.Parameters.Arguments[Arg.command] as Command;
    const ownNext = rwOf(r, ownKeys(incoming));
    const state: OwnState = { ...own };
    // The workflow sends a command only once its previous task is over: a `c` still set is stale (left by an
    // answer without a map after the callback) or its task timed out; either way it is done, and a list it held
    // was handed back with its result (a new attempt of the same command keeps it: no result came).
    const retry = own.p?.c === command || own.c === command;
    delete state.c;
    delete state.q;
    delete state.k;
    delete state.o;
    delete state.w;
    if (!retry) delete state.h;
    if (own.p && own.p.c !== command) delete state.p;
    // An update's StartRecording: this call's workflow takes what follows (the notice, the call's end) from the mailbox.
    if (command === Command.StartRecording && this.deps.mailbox) state.m = 1;
    const actions = r.Actions ?? [];
    if (actions.length === 0) {
      // WaitForCallEnd (or a command refused): nothing to run. The keypad controls are armed now if the
      // application is idle, else at its next list boundary.
      const arm = command === Command.WaitForCallEnd ? dtmfArmActions(event, this.config) : [];
      if (arm.length && !state.a) return this.respondWith(incoming, arm, withState(ownNext, state));
      if (arm.length) state.d = 1;
      return this.keep(incoming, ownNext, state);
    }
    if (command === Command.StartRecording && own.c === command && !own.q) {
      // The previous attempt's StartCallRecording has not reported yet (a start that succeeds late): a new list
      // would replace it, and a replaced action that cannot be interrupted completes without an event
      // (update-sip-call, the twin's default reading), so the recording's key would be lost. Its result completes
      // this attempt's token. (Other commands: a retry runs; the workflow settles what a lost result means.)
      this.logger.info("a new attempt while the previous one's action has not reported: it is kept");
      this.count('RecordingActionsAwaited');
      return this.keep(incoming, ownNext, { ...own, q: 1 });
    }
    if (state.a && own.p?.c !== command) {
      state.p = { c: command, x: actions, b: state.a };
      this.logger.info("recording action waits for the end of the application's list", { behind: state.a.map((t) => logSafe(t)) });
      this.count('RecordingActionsDeferred');
      return this.keep(incoming, ownNext, state);
    }
    if (state.a) {
      // A second attempt while the application's list is (or looks) in progress: run now.
      this.logger.warn("recording action runs while the application's list may be in progress (a second attempt)", {
        behind: state.a.map((t) => logSafe(t)),
      });
      this.count('RecordingActionsNotDeferred');
      state.w = own.p?.b ?? state.a;
      delete state.a;
    }
    delete state.p;
    state.c = command;
    if (command === Command.NotifyConsent) Object.assign(state, noticeState(actions));
    return this.respondWith(incoming, actions, withState(ownNext, state));
  }

  /**
   * Keys on the keypad controls' ReceiveDigits: a control, handed to the workflow like a request from the API,
   * unless they were the application's (keys its digit collection just took, `g`, or pressed while it collects).
   * ReceiveDigits may be one-shot (listen-to-digits): it is armed again, now if the application is idle, else
   * at its next list boundary, as AWS's on-demand-recording sample re-arms it in every DIGITS_RECEIVED answer.
   */
  private async onKeypad(event: EventOf<'DIGITS_RECEIVED'>, incoming: Attributes, own: OwnState): Promise<Prepared> {
    const state: OwnState = { ...own };
    delete state.g;
    const keys = event.ActionData.ReceivedDigits ?? '';
    const collecting = (own.a ?? []).some((t) => t.endsWith('AndGetDigits'));
    let ownNext = ownKeys(incoming);
    if ((own.g !== undefined && own.g === keys) || collecting) {
      this.logger.info('keys the application collected: not a recording control', { keys: keys.length });
      this.count('KeypadKeysForApplication');
    } else {
      const r = await onDtmfControl(event, this.deps);
      if (r) ownNext = rwOf(r, ownNext);
    }
    const arm = dtmfArmActions(event, this.config);
    if (arm.length && !state.a && !state.c) return this.respondWith(incoming, arm, withState(ownNext, state));
    if (arm.length) state.d = 1;
    return this.keep(incoming, ownNext, state);
  }

  /** The result of the middleware's own action: the token completed, then the list it held goes on. */
  private async onOwnResult(
    event: EventOf<'ACTION_SUCCESSFUL'> | EventOf<'ACTION_FAILED'>,
    incoming: Attributes,
    own: OwnState,
    command: Command,
  ): Promise<Prepared> {
    const r =
      event.InvocationEventType === 'ACTION_SUCCESSFUL'
        ? await onActionSuccessful(event, this.deps, own.w)
        : await onActionFailed(event, this.deps);
    const ownNext = rwOf(r, ownKeys(incoming));
    if (continuesWithNotice(r)) {
      // The recording started: the consent notice follows at once, in this answer (issue 21), and the application's
      // held list waits for it too. The workflow takes the notice's outcome from the mailbox: no update races this map.
      const state: OwnState = { ...own, c: Command.NotifyConsent, ...noticeState(r.Actions) };
      delete state.w;
      delete state.q;
      return this.respondWith(incoming, r.Actions, withState(ownNext, state));
    }
    // The task callback went through: the workflow may already be sending its next update, which the SMA can
    // invoke before this response is applied and apply before it (issue 13). A map here could replace the one
    // that update parked its token in, so none is sent: the spent token and a stale `c`/`h` stay in the SMA's map
    // until the next map written (the next command drops them; see OwnState).
    const spent = callbackDelivered(r);
    const tokenKey = TokenAttribute[command];
    if (!spent && incoming[tokenKey] && ownNext[tokenKey] === incoming[tokenKey]) {
      // The token still waits (a late start's "already started": its ACTION_SUCCESSFUL is still to come; a notice
      // list cut short: the rest of the legs are spoken to now).
      return this.respondWith(incoming, r.Actions.length ? r.Actions : null, withState(ownNext, own));
    }
    const state: OwnState = { ...own };
    delete state.c;
    delete state.w;
    delete state.q;
    // The notice is over: the workflow now waits for the call's end (in the mailbox, with no command to this Lambda),
    // so the keypad controls are armed here, before the application's held list.
    if (command === Command.NotifyConsent && this.config.dtmfControls) state.d = 1;
    const out = answerHeld(state, this.config.dtmfControls ? dtmfArmActions(event, this.config) : []);
    if (spent) return { kind: 'respond', response: envelope({}, out.actions) };
    return this.respondWith(incoming, out.actions, withState(ownNext, out.state));
  }

  /** An application event: it gets the event without the `rw:*` keys; its answer is merged on the way back. */
  private toApp(event: SmaEvent, raw: unknown, incoming: Attributes, ownNext: Attributes, state: OwnState): Prepared {
    return {
      kind: 'app',
      event: appEventOf(raw),
      finish: async (appResponse) => this.finishApp(event, incoming, appResponse, ownNext, state),
    };
  }

  private async finishApp(
    event: SmaEvent,
    incoming: Attributes,
    appResponse: unknown,
    ownNext: Attributes,
    state: OwnState,
  ): Promise<unknown> {
    // Undefined (a handler that returns nothing) is a NULL action set; anything else that is not an SMA response
    // is the application's to get wrong: it goes out as is (the SMA answers it with INVALID_LAMBDA_RESPONSE).
    const app: unknown = appResponse === undefined || appResponse === null ? { SchemaVersion: '1.0' } : appResponse;
    if (!isResponse(app)) return appResponse;
    try {
      const next: OwnState = { ...state };
      let rw = ownNext;
      // Policy recording: its StartCallRecording goes out at the application's list boundary, like a command's.
      // On the call's first event (the application's answer answers the call) it waits for that first list.
      const own = this.config.autoRecord && !next.r ? await startPolicyRecording(event, app.Actions ?? [], next, this.deps) : undefined;
      const firstList = event.InvocationEventType === 'NEW_INBOUND_CALL';
      if (own) {
        rw = { ...ownNext, ...ownKeys(own.attributes) };
        if (!firstList) next.p = { c: Command.StartRecording, x: own.actions, b: next.a ?? [] };
      }
      // Keypad controls on: keys the application's own digit collection took are remembered, so the same keys
      // arriving on the controls' ReceiveDigits are not taken for a control (onKeypad).
      const taken = this.config.dtmfControls ? digitsTaken(event) : undefined;
      if (taken) next.g = taken;
      let out: Out = { actions: app.Actions, state: next };
      if (event.InvocationEventType !== 'HANGUP') {
        const arm = next.d ? dtmfArmActions(event, this.config) : [];
        out = boundaryAnswer(event.InvocationEventType, app.Actions, next, arm);
        if (out.injected && !this.merge.fits(app.TransactionAttributes ?? incoming, rw, out.state)) {
          // The held list does not fit in the map: the recording waits for the next boundary instead.
          this.count('RecordingActionsDeferred');
          out = { actions: app.Actions, state: nextAppList(event.InvocationEventType, app.Actions, next) };
        }
        if (own && firstList) out.state = { ...out.state, p: { c: Command.StartRecording, x: own.actions, b: out.state.a ?? [] } };
      }
      if (out.injected) this.count('RecordingActionsAtBoundary');
      return this.merge.answer(incoming, out.actions, app.TransactionAttributes, withState(rw, out.state), app);
    } catch (e) {
      this.logger.error('recording middleware error after the application answered; its answer is returned as is', logSafeError(e));
      this.count('RecordingMiddlewareErrors');
      return appResponse;
    }
  }

  /** A NULL action set: whatever runs goes on (invoke-on-call-leg), with the middleware's map if it changed. */
  private keep(incoming: Attributes, ownNext: Attributes, state: OwnState): Prepared {
    return { kind: 'respond', response: this.merge.answer(incoming, null, undefined, withState(ownNext, state)) };
  }

  private respondWith(incoming: Attributes, actions: SmaAction[] | null | undefined, ownNext: Attributes): Prepared {
    return { kind: 'respond', response: this.merge.answer(incoming, actions, undefined, ownNext) };
  }

  private count(name: string): void {
    this.metrics.addMetric(name, MetricUnit.Count, 1);
  }
}
