/**
 * The recording middleware's logic, shared by the middy middleware and the plain wrapper (middleware.ts), as
 * designed in docs/embedding.md: `prepare(event)` decides who owns the event, runs the recording's share, and
 * either answers it (the application is not called) or hands the application its event with a `finish` that
 * merges the application's answer with the recording's state. The application's actions are returned as it
 * gave them; its TransactionAttributes are kept (merged with the middleware's `rw:*` keys, never replaced).
 *
 * Over 400 lines, still one class: what each event does for the recording lives beside it (workflow-commands.ts,
 * controls.ts, recording-events.ts, call-state.ts), the `rw:own` bookkeeping in own-state.ts, the fast path's
 * decisions and answer in quiet-path.ts, and the reading and rewriting of the application's answer in
 * app-answer.ts. What stays is the full path's routing and the answer's merge, which every route ends in and which
 * share the invocation's state (the Logger keys of the fast path, the metrics counted, the collision reported
 * once). The seam to cut next is the merge (finishApp, answer, attributesFull, failTokens) into a class of its own
 * given the logger, metrics and callbacks.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { SFNClient, SFNClientConfig } from '@aws-sdk/client-sfn';
import { logSafe, logSafeId } from '../shared/mask';
import { logSafeError } from '../shared/log-safe-error';
import { Arg, Command, TaskError, TokenAttribute } from '../shared/workflow-contract';
import { loadRecordingConfig, type RecordingConfig } from './config';
import { callbackDelivered, type CallEventDeps, type EventOf } from './call-state';
import { dtmfArmActions, isControlRequest, isOwnDigits, onControlRequest, onDtmfControl } from './controls';
import {
  NOTICE_ACTION_TYPES,
  onActionFailed,
  onActionSuccessful,
  onHangup,
  onInvalidLambdaResponse,
  ownActionTypesOf,
  ownedResult,
} from './recording-events';
import { autoRecord, isWorkflowCommand, onCallUpdateRequested } from './workflow-commands';
import {
  appEventOf,
  noticeFingerprint,
  noticeText,
  onlyForgets,
  OWN_PREFIX,
  type OwnState,
  ownKeys,
  readOwn,
  rwOf,
  sameMap,
  withoutOwn,
  withState,
} from './own-state';
import { MalformedEventError, parseSmaEvent, type SmaEvent } from './sma-event';
import { digitsTaken, envelope, isResponse, LIST_ENDS, notHangup } from './app-answer';
import { type QuietEvent, quietAnswer, readQuietEvent } from './quiet-path';
import { checkAttributes, MAX_ACTIONS, respond, type SmaAction, type SmaResponse } from './sma-response';
import { lazyClient, sfnSdk } from './sfn-sdk';
import { TaskCallbacks } from './task-callbacks';
import { WorkflowStarter } from './workflow-starter';

type Attributes = Record<string, string>;

/** What InterruptedBy.Type says in the synthetic ACTION_INTERRUPTED an application gets to resume. */
export const INTERRUPTED_BY = 'CallRecording';

/**
 * Actions that answer an inbound call (the PSTN audio service answers it to run them: call-flow page), so
 * auto-record may start: media on the caller's leg. CallAndBridge answers only once the far party does (its
 * ACTION_SUCCESSFUL); Hangup never does.
 */
const ANSWERING_ACTIONS = new Set([
  'Pause',
  'PlayAudio',
  'PlayAudioAndGetDigits',
  'ReceiveDigits',
  'RecordAudio',
  'SendDigits',
  'Speak',
  'SpeakAndGetDigits',
  'StartBotConversation',
  'JoinChimeMeeting',
]);

export interface RecordingOptions {
  /** Settings; default loadRecordingConfig(env ?? process.env) (STATE_MACHINE_ARN, AUTO_RECORD, ...). */
  config?: RecordingConfig;
  env?: NodeJS.ProcessEnv;
  /** Default: a client with short timeouts (createSfnClient), made (and the SDK loaded) on first use. */
  sfn?: SFNClient;
  logger?: Logger;
  /**
   * Share the application's Metrics (the one its logMetrics publishes); default: the middleware's own, which
   * it publishes itself after every invocation.
   */
  metrics?: Metrics;
}

export type Prepared =
  | { kind: 'respond'; response: SmaResponse }
  | { kind: 'app'; event: unknown; finish: (appResponse: unknown) => Promise<unknown> };

/** `where` is for the local twin (endpoint, region, credentials); in AWS the SDK's defaults apply. */
export function createSfnClient(
  config: Pick<RecordingConfig, 'sfnRequestTimeoutMs'>,
  where: Pick<SFNClientConfig, 'endpoint' | 'region' | 'credentials'> = {},
): SFNClient {
  // Short bounds: a slow or unreachable Step Functions must not make the SMA wait past its 5 s.
  // throwOnRequestTimeout: without it @smithy/node-http-handler 4.x only logs a warning when requestTimeout
  // passes and keeps waiting (a hung endpoint then held every callback until middy's timeoutEarly).
  const { SFNClient } = sfnSdk();
  return new SFNClient({
    ...where,
    maxAttempts: 2,
    requestHandler: { connectionTimeout: 500, requestTimeout: config.sfnRequestTimeoutMs, throwOnRequestTimeout: true },
    // Nothing adds middleware to this client: its stack is resolved once per command type, not on every callback.
    // (Concurrent sends then share one context object; every request of this client has the same endpoint and
    // credentials, so what each writes there is the same. Not for a client whose endpoint varies per request.)
    cacheMiddleware: true,
  });
}

export class RecordingCore {
  readonly config: RecordingConfig;
  readonly logger: Logger;
  readonly metrics: Metrics;
  /** The middleware made its Logger: nobody else logs through it (the fast path adds its keys only when it logs). */
  private readonly ownsLogger: boolean;
  /** The middleware made its Metrics: it publishes them (the application's logMetrics does not know them). */
  readonly ownsMetrics: boolean;
  private readonly deps: CallEventDeps;
  private collisionReported = false;
  /** The fast path's event, until tagLogs() has put its keys on the logger (see takeQuiet). */
  private untaggedEvent: unknown;
  /** A fast-path invocation that has counted nothing in the middleware's own Metrics: publish() has nothing to do. */
  private uncounted = false;

  constructor(options: RecordingOptions = {}) {
    this.config = options.config ?? loadRecordingConfig(options.env ?? process.env);
    this.logger = options.logger ?? new Logger({ serviceName: this.config.serviceName });
    this.ownsLogger = options.logger === undefined;
    this.ownsMetrics = options.metrics === undefined;
    this.metrics =
      options.metrics ??
      new Metrics({ namespace: this.config.metricsNamespace, serviceName: this.config.serviceName, logger: this.logger });
    const sfn = options.sfn ?? lazyClient(() => createSfnClient(this.config));
    const callbacks = new TaskCallbacks(sfn, this.logger, this.metrics);
    const starter = this.config.autoRecord
      ? new WorkflowStarter(sfn, this.config.autoRecord.stateMachineArn, this.logger, this.metrics)
      : undefined;
    this.deps = { config: this.config, callbacks, starter, log: this.logger, metrics: this.metrics };
    // Built at module load (cold start): each problem is reported once, naming its variable.
    for (const problem of this.config.problems) this.logger.error('configuration problem', { problem });
  }

  /** Publishes the middleware's own metrics (no-op when they are the application's). */
  publish(force = false): void {
    if (!this.ownsMetrics && !force) return;
    if (this.uncounted) return;
    try {
      // Nothing counted (a fast-path event): no EMF line, and no "No application metrics" warning either.
      if (this.metrics.hasStoredMetrics()) this.metrics.publishStoredMetrics();
    } catch {
      // metrics are never worth a call
    }
  }

  async prepare(raw: unknown): Promise<Prepared> {
    const quiet = this.takeQuiet(raw);
    if (quiet) return { kind: 'app', event: quiet.appEvent, finish: async (appResponse) => this.finishQuiet(quiet, appResponse) };
    return this.prepareFull(raw);
  }

  /**
   * The fast path's start, synchronous (the wrappers call it first; no promise on the way): the event's
   * QuietEvent, its metrics and log keys settled as prepare() settles them, or undefined for the full path.
   * The application gets `appEvent`; its answer goes to finishQuiet.
   */
  takeQuiet(raw: unknown): QuietEvent | undefined {
    const quiet = readQuietEvent(raw, Boolean(this.config.autoRecord));
    if (!quiet) return undefined;
    // Counted here only when the application publishes these Metrics after every invocation (an empty
    // document would make its logMetrics warn); the middleware's own Metrics publish only what it counted.
    if (!this.ownsMetrics) this.count('SmaEvents');
    else this.uncounted = true;
    this.untaggedEvent = raw;
    // A Logger shared with the application: its lines about this event carry the keys, as before.
    if (!this.ownsLogger) this.tagLogs();
    return quiet;
  }

  /** prepare() for an event takeQuiet turned down: the full parse and route. */
  async prepareFull(raw: unknown): Promise<Prepared> {
    this.untaggedEvent = undefined;
    this.uncounted = false;
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
    // One count per event: useful on its own, and no invocation publishes an empty EMF document.
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

  /** The application's answer to a fast-path event (quietAnswer), with what it reports logged and counted. */
  finishQuiet(q: QuietEvent, appResponse: unknown): unknown {
    const app: unknown = appResponse === undefined || appResponse === null ? { SchemaVersion: '1.0', Actions: [] } : appResponse;
    if (!isResponse(app)) return appResponse;
    try {
      const { response, collisions, full } = quietAnswer(q, app, Boolean(this.config.dtmfControls));
      if (collisions) this.reportCollision(collisions);
      if (full) this.attributesFull(full.error, full.ownNext, full.kept);
      return response;
    } catch (e) {
      this.tagLogs();
      this.logger.error('recording middleware error after the application answered; its answer is returned as is', logSafeError(e));
      this.count('RecordingMiddlewareErrors');
      return appResponse;
    }
  }

  /** Log keys for a fast-path event, added only when something is logged about it (they cost on every event). */
  private tagLogs(): void {
    const raw = this.untaggedEvent as { Sequence?: unknown; InvocationEventType?: unknown; CallDetails?: { TransactionId?: unknown } };
    if (raw === undefined) return;
    this.untaggedEvent = undefined;
    this.logger.appendKeys({
      transactionId: logSafeId(String(raw.CallDetails?.TransactionId ?? '')),
      sequence: typeof raw.Sequence === 'number' ? raw.Sequence : undefined,
      eventType: String(raw.InvocationEventType), // one of QUIET_TYPES
    });
  }

  private async route(event: SmaEvent, raw: unknown, incoming: Attributes, own: OwnState): Promise<Prepared> {
    const incomingRw = ownKeys(incoming);
    // `s` answers only the event right after a resume.
    const base: OwnState = { ...own };
    delete base.s;

    switch (event.InvocationEventType) {
      case 'CALL_UPDATE_REQUESTED':
        if (isWorkflowCommand(event)) return this.onCommand(event, raw, incoming, own);
        if (isControlRequest(event)) return this.onControlRequest(event, raw, incoming, own);
        break;
      case 'DIGITS_RECEIVED':
        if (isOwnDigits(event, this.config)) return this.onKeypad(event, raw, incoming, own);
        break;
      case 'ACTION_SUCCESSFUL':
      case 'ACTION_FAILED': {
        if (isOwnDigits(event, this.config)) {
          // The keypad controls' ReceiveDigits, last of a list (nothing of the application's followed it).
          if (event.InvocationEventType === 'ACTION_FAILED') {
            this.logger.warn('the keypad controls could not be armed', { error: logSafe(event.ActionData.ErrorType) });
            this.count('KeypadControlsNotArmed');
          }
          return { kind: 'respond', response: this.answer(incoming, [], undefined, withState(incomingRw, base)) };
        }
        // A NotifyConsent `c` whose notice text does not match is stale (left by a response without a map):
        // this Speak is the application's.
        // (Read only when the event echoes a Text, as the documented examples do: without one, `c` decides.)
        const type = event.ActionData.Type;
        const text = noticeText(event.ActionData.Parameters);
        const staleNotice =
          own.c === Command.NotifyConsent &&
          own.k !== undefined &&
          NOTICE_ACTION_TYPES.includes(type) &&
          typeof text === 'string' &&
          noticeFingerprint(text) !== own.k;
        const command = staleNotice ? undefined : ownedResult(event, own.c, own.a !== undefined && own.c === undefined);
        if (command) return this.onOwnResult(event, raw, incoming, own, command);
        break;
      }
      case 'ACTION_INTERRUPTED': {
        const type = event.ActionData.Type;
        // A SpeakAndGetDigits is the notice's only with the notice's text (an IVR menu is one too).
        const ours =
          own.c !== undefined &&
          ownActionTypesOf(own.c).includes(type) &&
          !(type === 'SpeakAndGetDigits' && noticeFingerprint(noticeText(event.ActionData.Parameters)) !== own.k);
        if (own.s || (own.c && !ours)) {
          // The application's action, replaced by the middleware's list (or by a resume already done): the SMA
          // ignores this answer; the application resumes when the recording's own result comes.
          this.logger.info('application action interrupted by the recording; the application resumes after it', { action: logSafe(type) });
          return { kind: 'respond', response: this.answer(incoming, [], undefined, withState(incomingRw, base)) };
        }
        if (ours && own.c) {
          // The recording's own action (the notice's prompt) was cut by another update of the call, e.g. a control
          // request: its task fails now with ActionInterrupted, which the workflow retries (the notice is spoken
          // again), instead of waiting for its timeout.
          const token = incoming[TokenAttribute[own.c]];
          if (token)
            await this.deps.callbacks.fail(
              token,
              TaskError.ActionInterrupted,
              `the recording's ${type} was interrupted by another update of the call`,
              own.c,
            );
          this.count('RecordingActionsInterrupted');
          return { kind: 'respond', response: respond() };
        }
        break;
      }
      case 'HANGUP': {
        const r = await onHangup(event, this.deps);
        return this.toApp(event, raw, incoming, withState(rwOf(r, incomingRw), { ...base, c: undefined }));
      }
      case 'INVALID_LAMBDA_RESPONSE': {
        const r = await onInvalidLambdaResponse(event, this.deps);
        return this.toApp(event, raw, incoming, withState(rwOf(r, incomingRw), { ...base, c: undefined }));
      }
      default:
        break;
    }
    return this.toApp(event, raw, incoming, withState(incomingRw, base));
  }

  /** A workflow command: the middleware's actions only (its result event is needed: it must be the last). */
  private async onCommand(event: EventOf<'CALL_UPDATE_REQUESTED'>, raw: unknown, incoming: Attributes, own: OwnState): Promise<Prepared> {
    let r: SmaResponse;
    try {
      r = await onCallUpdateRequested(event, this.deps);
    } catch (e) {
      // onCallUpdateRequested has failed the task already; the call goes on.
      const token = event.ActionData.Parameters.Arguments[Arg.taskToken];
      this.logger.error('workflow command failed; answered with no action', logSafeError(e, token));
      this.count('HandlerErrors');
      return { kind: 'respond', response: respond() };
    }
    const command = event.ActionData.Parameters.Arguments[Arg.command] as Command;
    const ownNext = rwOf(r, ownKeys(incoming));
    const state: OwnState = { ...own };
    delete state.s;
    // The workflow sends a command only once its previous task is over: a `c` still set is stale (left by an
    // answer without a map after the callback: onOwnResult) or its task timed out; either way it is done.
    delete state.c;
    delete state.k;
    delete state.o;
    if (r.Actions.length > 0) {
      state.c = command;
      if (command === Command.NotifyConsent) {
        const last = r.Actions[r.Actions.length - 1];
        state.k = noticeFingerprint(noticeText(last?.Parameters));
        // An opt-out notice (the caller asked last): remembered, so a list cut short asks the caller again.
        if (last?.Type === 'SpeakAndGetDigits') state.o = Math.round(Number(last.Parameters?.RepeatDurationInMilliseconds) / 1000);
      }
      return { kind: 'respond', response: this.answer(incoming, r.Actions, undefined, withState(ownNext, state)) };
    }
    // No action of its own (WaitForCallEnd, or a command refused): an answer may still replace the application's
    // action in progress (update-sip-call), so the application resumes now, in the same answer. While the
    // workflow waits for the call end, the keypad controls (if on) are armed first.
    const arm = command === Command.WaitForCallEnd ? dtmfArmActions(event, this.config) : [];
    return this.resumeOrAnswer(event, raw, incoming, r, state, command, arm);
  }

  /**
   * The end of an event that replaced the application's list without an action of the recording's own to wait
   * for (a command with no action, a control request, keys): the application resumes now, in the same answer,
   * after `leading` (the recording's own actions). After a delivered callback, or a repeated update whose token
   * was spent, the answer has no map (see afterCallback in call-state.ts).
   */
  private resumeOrAnswer(
    event: SmaEvent,
    raw: unknown,
    incoming: Attributes,
    r: SmaResponse,
    state: OwnState,
    command: Command,
    leading: SmaAction[] = [],
  ): Prepared {
    const spent = callbackDelivered(r);
    const ownNext = rwOf(r, ownKeys(incoming));
    if (state.a && !state.c) {
      state.s = 1;
      return this.resume(event, raw, incoming, ownNext, state, { Command: command }, spent, leading);
    }
    if (spent) return { kind: 'respond', response: respond(leading) };
    return { kind: 'respond', response: this.answer(incoming, leading, undefined, withState(ownNext, state)) };
  }

  /**
   * A request to pause, resume or stop (no token): handed to the workflow. Like any update it replaced the
   * application's action in progress, which resumes now, in the same answer (as after a WaitForCallEnd).
   */
  private async onControlRequest(
    event: EventOf<'CALL_UPDATE_REQUESTED'>,
    raw: unknown,
    incoming: Attributes,
    own: OwnState,
  ): Promise<Prepared> {
    const r = await onControlRequest(event, this.deps);
    const state: OwnState = { ...own };
    delete state.s;
    return this.resumeOrAnswer(event, raw, incoming, r, state, Command.ControlRecording);
  }

  /**
   * Keys on the keypad controls' ReceiveDigits: a control, handed to the workflow like a request from the API.
   * Not when they were the application's: keys its own digit collection just took (`g`: the SMA may give a key
   * to both, assumed) or pressed while it collects. A DIGITS_RECEIVED answer replaces the application's queued
   * actions (assumed, as an update's does), so it resumes, as after a control request.
   */
  private async onKeypad(event: EventOf<'DIGITS_RECEIVED'>, raw: unknown, incoming: Attributes, own: OwnState): Promise<Prepared> {
    const state: OwnState = { ...own };
    delete state.s;
    delete state.g;
    const keys = event.ActionData.ReceivedDigits ?? '';
    const collecting = (own.a ?? []).some((t) => t.endsWith('AndGetDigits'));
    let r = respond();
    if ((own.g !== undefined && own.g === keys) || collecting) {
      this.logger.info('keys the application collected: not a recording control', { keys: keys.length });
      this.count('KeypadKeysForApplication');
    } else {
      r = (await onDtmfControl(event, this.deps)) ?? respond();
    }
    return this.resumeOrAnswer(event, raw, incoming, r, state, Command.ControlRecording);
  }

  /** The result of the middleware's own action: the token completed, then the application resumes. */
  private async onOwnResult(
    event: EventOf<'ACTION_SUCCESSFUL'> | EventOf<'ACTION_FAILED'>,
    raw: unknown,
    incoming: Attributes,
    own: OwnState,
    command: Command,
  ): Promise<Prepared> {
    const r =
      event.InvocationEventType === 'ACTION_SUCCESSFUL'
        ? await onActionSuccessful(event, this.deps)
        : await onActionFailed(event, this.deps);
    const ownNext = rwOf(r, ownKeys(incoming));
    const state: OwnState = { ...own };
    delete state.s;
    // The task callback went through: the workflow may already be sending its next update, which the SMA can
    // invoke before this response is applied and apply before it (issue 13). Any map in this response could then
    // replace the one that update parked its token in, so none is sent unless the application changes its own
    // keys; the spent token left in the map is dropped by the next update, and `rw:own` stays as it was (stale
    // `c`/`a`: see OwnState).
    const spent = callbackDelivered(r);
    const tokenKey = TokenAttribute[command];
    if (!spent && incoming[tokenKey] && ownNext[tokenKey] === incoming[tokenKey]) {
      // The token still waits (a late start's "already started": its ACTION_SUCCESSFUL is still to come).
      return { kind: 'respond', response: this.answer(incoming, r.Actions, undefined, withState(ownNext, state)) };
    }
    delete state.c;
    const data = event.ActionData;
    if (state.a) {
      const result =
        event.InvocationEventType === 'ACTION_SUCCESSFUL'
          ? { Status: 'Succeeded', ...(data.CallRecordingDestination ? { CallRecordingDestination: data.CallRecordingDestination } : {}) }
          : { Status: 'Failed', ErrorType: data.ErrorType ?? data.Error ?? 'Unknown' };
      return this.resume(event, raw, incoming, ownNext, state, { Command: command, Result: result }, spent);
    }
    // Nothing of the application's was interrupted (e.g. a bridged call): nothing to resume.
    if (spent) return { kind: 'respond', response: respond(r.Actions) };
    return { kind: 'respond', response: this.answer(incoming, [], undefined, withState(ownNext, state)) };
  }

  /** The application gets a synthetic ACTION_INTERRUPTED naming the recording, and answers with what continues. */
  private resume(
    event: SmaEvent,
    raw: unknown,
    incoming: Attributes,
    ownNext: Attributes,
    state: OwnState,
    by: Record<string, unknown>,
    afterCallback = false,
    leading: SmaAction[] = [],
  ): Prepared {
    const interrupted = state.a ?? [];
    const appEvent = appEventOf(raw) as Record<string, unknown>;
    const synthetic = {
      ...appEvent,
      InvocationEventType: 'ACTION_INTERRUPTED',
      ActionData: {
        Type: interrupted[interrupted.length - 1] ?? 'Unknown',
        Parameters: {},
        InterruptedActions: [...interrupted],
        InterruptedBy: { Type: INTERRUPTED_BY, ...by },
      },
    };
    this.count('ApplicationResumes');
    return {
      kind: 'app',
      event: synthetic,
      finish: async (appResponse) => {
        const response = await this.finishApp(event, incoming, appResponse, ownNext, state, afterCallback, undefined, leading);
        if (isResponse(appResponse) && (appResponse.Actions ?? []).length === 0) {
          // The application ignored the interruption: the caller is left in silence until it hangs up.
          this.logger.warn('the application did not resume after the recording interrupted it', {
            interrupted: interrupted.map((t) => logSafe(t)),
          });
          this.count('AppDidNotResume');
        }
        return response;
      },
    };
  }

  /** An application event: it gets the event without the `rw:*` keys; its answer is merged on the way back. */
  private toApp(event: SmaEvent, raw: unknown, incoming: Attributes, ownNext: Attributes, incomingOwn?: OwnState): Prepared {
    // `incomingOwn` (the fast path): readOwn(incoming), which ownNext was written from unchanged.
    const state = incomingOwn ? { ...incomingOwn } : readOwn(ownNext);
    return {
      kind: 'app',
      event: appEventOf(raw),
      finish: async (appResponse) => this.finishApp(event, incoming, appResponse, ownKeys(ownNext), state, false, incomingOwn),
    };
  }

  private async finishApp(
    event: SmaEvent,
    incoming: Attributes,
    appResponse: unknown,
    ownNext: Attributes,
    state: OwnState,
    afterCallback = false,
    incomingOwn?: OwnState,
    leading: SmaAction[] = [],
  ): Promise<unknown> {
    // Undefined (a handler that returns nothing) is an empty answer; anything else that is not an SMA response
    // is the application's to get wrong: it goes out as is (the SMA answers it with INVALID_LAMBDA_RESPONSE).
    const app: unknown = appResponse === undefined || appResponse === null ? { SchemaVersion: '1.0', Actions: [] } : appResponse;
    if (!isResponse(app)) return appResponse;
    try {
      const actions = app.Actions ?? [];
      const next: OwnState = { ...state };
      // The list an update would interrupt; a list of Hangups (or anything at HANGUP) has nothing to resume.
      const resumable = event.InvocationEventType !== 'HANGUP' && actions.some(notHangup);
      if (resumable) next.a = actions.map((a) => String(a?.Type));
      else if (actions.length > 0 || LIST_ENDS.has(event.InvocationEventType) || next.s) delete next.a;
      if (this.config.autoRecord && !next.r) await this.maybeAutoRecord(event, actions, next);
      // Keypad controls on: keys the application's own digit collection took are remembered, so the same keys
      // arriving on the controls' ReceiveDigits are not taken for a control (onKeypad).
      const taken = this.config.dtmfControls ? digitsTaken(event) : undefined;
      if (taken) next.g = taken;
      // The middleware's own actions first (the keypad controls' ReceiveDigits), within the SMA's 10 per list.
      const out = leading.length && leading.length + actions.length <= MAX_ACTIONS ? [...leading, ...actions] : actions;
      if (leading.length && out === actions) this.logger.warn('keypad controls not armed: the application answered with a full list');
      if (
        afterCallback &&
        (app.TransactionAttributes === undefined || sameMap(withoutOwn(app.TransactionAttributes), withoutOwn(incoming)))
      ) {
        // After a task callback (onOwnResult): no map unless the application changes its keys; omitted, the
        // SMA keeps its map, the application's keys included.
        return this.answer(incoming, out, undefined, ownKeys(incoming), app);
      }
      if (
        !afterCallback &&
        app.TransactionAttributes === undefined &&
        sameMap(withState(ownNext, {}), withState(ownKeys(incoming), {})) &&
        onlyForgets(incomingOwn ?? readOwn(incoming), next)
      ) {
        // Nothing to write but the end of something in rw:own (a list, a resume echo): not worth a map. Any map
        // in this answer could be applied after a racing update's and replace the token it parked (issue 13's
        // adversarial order); rw:own read stale is safe (see OwnState). The application's keys are kept.
        return this.answer(incoming, out, undefined, ownKeys(incoming), app);
      }
      if (afterCallback) {
        // The application changed its keys: they must go out (never lost), in a map that, in the adversarial
        // order, can replace the one the workflow's next update parks its token in (that task then times out
        // and is retried). Counted so an operator can see how often an application does this.
        this.count('AttributesAfterCallback');
      }
      return this.answer(incoming, out, app.TransactionAttributes, withState(ownNext, next), app);
    } catch (e) {
      this.tagLogs();
      this.logger.error('recording middleware error after the application answered; its answer is returned as is', logSafeError(e));
      this.count('RecordingMiddlewareErrors');
      return appResponse;
    }
  }

  /** Auto-record starts once the call is answered (never for a call only ringing): issue 9. */
  private async maybeAutoRecord(event: SmaEvent, appActions: readonly { Type?: unknown }[], next: OwnState): Promise<void> {
    if (!this.config.autoRecord || next.r) return;
    const answered =
      event.InvocationEventType === 'CALL_ANSWERED' ||
      (event.InvocationEventType === 'ACTION_SUCCESSFUL' && event.ActionData.Type === 'CallAndBridge') ||
      appActions.some((a) => ANSWERING_ACTIONS.has(String(a?.Type)));
    if (!answered) return;
    next.r = 1;
    await autoRecord(event, this.deps);
  }

  /**
   * The response: `actions` as given, TransactionAttributes = the application's map (what it returned, else
   * what it had) plus the middleware's keys. Omitted when neither side changed anything (omitted = kept).
   */
  private answer(
    incoming: Attributes,
    actions: SmaAction[],
    appReturned: Attributes | undefined,
    ownNext: Attributes,
    appResponse?: Record<string, unknown>,
  ): SmaResponse {
    const ownChanged = !sameMap(ownKeys(incoming), ownNext);
    const app = appResponse ?? {};
    if (appReturned === undefined && !ownChanged) return envelope(app, actions);
    const appKeys = withoutOwn(appReturned ?? incoming);
    if (appReturned) {
      const collisions = Object.keys(appReturned).filter((k) => k.startsWith(OWN_PREFIX));
      if (collisions.length) this.reportCollision(collisions);
    }
    const merged = { ...appKeys, ...ownNext };
    try {
      checkAttributes(merged);
    } catch (e) {
      this.attributesFull(e, ownNext, appReturned === undefined ? ownKeys(incoming) : {});
      return envelope(app, actions, appReturned);
    }
    return envelope(app, actions, merged);
  }

  /**
   * Recording loses, the call does not: the application's map goes out as it gave it; the tokens that would have
   * travelled in the dropped keys (`ownNext` but not `kept`) are failed now rather than left to time out.
   */
  private attributesFull(e: unknown, ownNext: Attributes, kept: Attributes): void {
    this.tagLogs();
    this.logger.warn('TransactionAttributes full: the recording gives up its keys', { problem: (e as Error).message });
    this.count('TransactionAttributesOverLimit');
    this.failTokens(ownNext, kept, (e as Error).message);
  }

  /** Fails the tokens in `next` that `kept` does not carry (fire and forget: the SFN client bounds it). */
  private failTokens(next: Attributes, kept: Attributes, why: string): void {
    for (const command of Object.values(Command)) {
      const key = TokenAttribute[command];
      const token = next[key];
      if (token && kept[key] !== token) void this.deps.callbacks.fail(token, 'TransactionAttributesFull', why, command);
    }
  }

  /** Counts one of the middleware's events (every metric of this module goes through here: see `uncounted`). */
  private count(name: string): void {
    this.uncounted = false;
    this.metrics.addMetric(name, MetricUnit.Count, 1);
  }

  private reportCollision(keys: string[]): void {
    this.count('ApplicationAttributeCollisions');
    if (this.collisionReported) return;
    this.collisionReported = true;
    this.tagLogs();
    this.logger.error(`the application's TransactionAttributes use the recording's prefix "${OWN_PREFIX}"; the recording's values win`, {
      keys: keys.slice(0, 5).map((k) => logSafe(k)),
    });
  }
}
