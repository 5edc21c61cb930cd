/**
 * Runs statemachines/recording-workflow.asl.json on the twin's interpreter with a scripted TaskInvoker that
 * plays the SMA Lambda and S3: each test says what every StartRecording attempt, notice, call end and
 * HeadObject poll does, and inspects the execution, its variables and the S3 writes the workflow made.
 */
import { SimClock } from '../../local/clock';
import { StepFunctionsEngine, TaskFailedError, type ExecutionInfo, type TaskInvokeRequest } from '../../local/stepfunctions';
import { renderDefinition, type WorkflowSettings } from '../../statemachines/definition';

/** 'ok' = the Lambda's success; { ok } = success with these fields changed (e.g. alreadyStarted). */
export type Step = 'ok' | 'never' | { error: string; cause?: string } | { ok: Record<string, unknown> };
type Command = 'StartRecording' | 'NotifyConsent' | 'WaitForCallEnd' | 'ControlRecording';
export interface HeadResult {
  ContentLength?: number;
  ContentType?: string;
  Metadata?: Record<string, string>;
  ETag?: string;
  ChecksumCRC64NVME?: string;
  VersionId?: string;
}
export interface Script {
  /** One entry per StartRecording attempt (the last repeats). 'never' = no callback (the attempt times out). */
  start?: Step[];
  /** The UpdateSipMediaApplicationCall API itself fails for this command (e.g. ChimeSdkVoice.NotFoundException). */
  updateError?: Partial<Record<Command, string>>;
  /** The successive UpdateSipMediaApplicationCall requests of that command fail with these errors, then succeed. */
  updateErrors?: Partial<Record<Command, string[]>>;
  consent?: Step[];
  callEnd?: Step;
  /** Virtual seconds between WaitForCallEnd and the HANGUP callback. */
  callSeconds?: number;
  /**
   * One entry per HeadObject poll (the last repeats): 'missing' = 404; 'forbidden' = a 403, which S3 sends
   * without a body, so the integration reports the generic S3.S3Exception; { error } = that error.
   */
  head?: Array<'missing' | 'forbidden' | { error: string; cause?: string } | HeadResult>;
  tagging?: 'ok' | { error: string };
  manifest?: 'ok' | { error: string };
  /**
   * Control requests the Lambda hands over through the WaitForCallEnd token, at virtual seconds counted from the
   * first WaitForCallEnd (a request due after the call end is not delivered).
   */
  controls?: Array<{ atSeconds: number; action: 'PAUSE' | 'RESUME' | 'STOP'; requestedBy?: string; via?: string; requestId?: string }>;
  /** One entry per ControlRecording update (the last repeats). */
  control?: Step[];
  /** What the HANGUP result carries besides the SIP code (e.g. unappliedControls). */
  hangupExtra?: Record<string, unknown>;
  deleteObject?: 'ok' | { error: string };
  /**
   * What the Lambda left in a mailbox slot before the workflow waited there (issue 21): the workflow's conditional
   * write then fails with 412 and it reads this body ({ outcome } or { error, cause }).
   */
  mailed?: Partial<Record<'StartRecording' | 'NotifyConsent' | 'WaitForCallEnd', Record<string, unknown>>>;
}

/** The workflow's default mailbox (DEFAULT_SETTINGS.MailboxBucket). */
export const MAILBOX_BUCKET = 'call-recording-mailbox-local';

export const RECORDING_LOCATION = 'rec-bucket/support/2026/11/25/2026-11-25-10-00-00-000_tx-1_call-a.wav';
export const INPUT = {
  sipMediaApplicationId: 'sma-1',
  transactionId: 'tx-1',
  callId: 'call-a',
  track: 'BOTH',
  location: 'rec-bucket/support',
};

export function goodHead(seconds: number, overrides: Partial<HeadResult> = {}): HeadResult {
  return {
    ContentLength: 44 + seconds * 8000 * 2 * 2,
    ContentType: 'audio/wav',
    ETag: '"etag"',
    ...overrides,
    Metadata: {
      'transaction-id': 'tx-1',
      'call-id': 'call-a',
      'recording-duration': String(seconds),
      'recording-audio-file-format': 'audio/wav',
      ...(overrides.Metadata ?? {}),
    },
  };
}

export interface Run {
  info: ExecutionInfo;
  requests: TaskInvokeRequest[];
  /** putObject requests: key -> parsed JSON body */
  manifests: Map<string, any>;
  tagging: any[];
  statesEntered: string[];
  /** Mailbox slot writes, in order: the slot and the body the workflow wrote. */
  mailbox: Array<{ slot: string; body: any }>;
}

/** Wide bounds by default (these tests are about paths, not bounds); the tests that are about a bound set their own. */
const HARNESS_SETTINGS: Partial<WorkflowSettings> = {
  StartAttemptTimeoutSeconds: 600,
  ConsentTimeoutSeconds: 600,
  DurationToleranceSeconds: 60,
};

/** Runs before the script: a failure it returns is thrown for that request (e.g. a connection reset). */
export type Interceptor = (req: TaskInvokeRequest) => { error: string; cause: string } | undefined;

export async function runWorkflow(
  script: Script,
  input: unknown = INPUT,
  settings: Partial<WorkflowSettings> = {},
  speed = 200,
  intercept?: Interceptor,
): Promise<Run> {
  // The twin's discrete-event clock: the same script gives the same run on a busy machine. (`speed` is kept
  // for callers' signatures; time no longer scales with the wall clock.)
  void speed;
  const clock = new SimClock();
  const requests: TaskInvokeRequest[] = [];
  const manifests = new Map<string, any>();
  const tagging: any[] = [];
  const counters = { start: 0, consent: 0, head: 0, control: 0 };
  const updateCounts: Record<Command, number> = { StartRecording: 0, NotifyConsent: 0, WaitForCallEnd: 0, ControlRecording: 0 };
  let waitStartedAt: number | undefined;
  const pendingControls = [...(script.controls ?? [])].sort((a, b) => a.atSeconds - b.atSeconds);
  let callEndsAt: number | undefined;
  let engine!: StepFunctionsEngine;
  const at = <T>(list: T[] | undefined, i: number, fallback: T): T => (list?.length ? list[Math.min(i, list.length - 1)] : fallback);
  const complete = (token: string, step: Step, output: unknown) => {
    if (step === 'never') return;
    const done = clock.busy(); // the SMA's answer is on its way: time waits for it
    setImmediate(() => {
      try {
        if (step === 'ok') engine.sendTaskSuccess({ taskToken: token, output: JSON.stringify(output) });
        else if ('ok' in step) engine.sendTaskSuccess({ taskToken: token, output: JSON.stringify({ ...(output as object), ...step.ok }) });
        else engine.sendTaskFailure({ taskToken: token, error: step.error, cause: step.cause ?? '' });
      } catch {
        /* token already closed (timed out): what a late SMA callback would see */
      } finally {
        done();
      }
    });
  };

  const mailbox: Array<{ slot: string; body: any }> = [];
  const mailedNow = new Map<string, unknown>();
  const mailedUsed = new Set<string>();
  /** The scripted SMA Lambda: what it does with the token of `command`'s task. */
  const lambda = (command: Command, token: string, a: Record<string, string>) => {
    if (command === 'StartRecording')
      complete(token, at(script.start, counters.start++, 'ok'), {
        location: RECORDING_LOCATION,
        callId: a.callId,
        track: a.track,
        legStartMs: 1,
        legs: [{ callId: 'call-a', participantTag: 'LEG-A', direction: 'Inbound', status: 'Connected' }],
      });
    if (command === 'NotifyConsent') complete(token, at(script.consent, counters.consent++, 'ok'), { legs: ['LEG-A', 'LEG-B'] });
    if (command === 'WaitForCallEnd') {
      // The call ends callSeconds after the workflow first waits for it; a wait after that finds it over.
      callEndsAt ??= clock.nowMs() + (script.callSeconds ?? 60) * 1000;
      waitStartedAt ??= clock.nowMs();
      const next = pendingControls[0];
      const controlAt = next ? Math.max(clock.nowMs(), waitStartedAt + next.atSeconds * 1000) : Number.POSITIVE_INFINITY;
      if (next && controlAt < callEndsAt) {
        pendingControls.shift();
        const control = { requestedBy: 'agent-7', via: 'api', requestId: null, ...next };
        delete (control as { atSeconds?: number }).atSeconds;
        void clock.sleep(controlAt - clock.nowMs()).then(() => complete(token, 'ok', { control }));
      } else {
        const step = script.callEnd ?? 'ok';
        void clock
          .sleep(callEndsAt - clock.nowMs())
          .then(() => complete(token, step, { sipResponseCode: '0', participantTag: 'LEG-A', ...script.hangupExtra }));
      }
    }
    if (command === 'ControlRecording')
      complete(token, at(script.control, counters.control++, 'ok'), { action: a.action, callId: a.callId });
  };

  const invoker = {
    async invoke(req: TaskInvokeRequest): Promise<unknown> {
      requests.push(req);
      const injected = intercept?.(req);
      if (injected) throw new TaskFailedError(injected.error, injected.cause);
      const args = req.args as any;
      if (req.service === 'chimesdkvoice') {
        const a = args.Arguments as Record<string, string>;
        const command = a.command as Command;
        const apiError = script.updateError?.[command];
        if (apiError) throw new TaskFailedError(apiError, 'The call is no longer active');
        const transient = script.updateErrors?.[command]?.[updateCounts[command]++];
        if (transient) throw new TaskFailedError(transient, `${transient} (scripted)`);
        if (command === 'WaitForCallEnd' && clock.nowMs() >= (callEndsAt ?? Number.POSITIVE_INFINITY))
          throw new TaskFailedError('ChimeSdkVoice.NotFoundException', 'The call is no longer active');
        lambda(command, a.taskToken, a);
        return { SipMediaApplicationCall: { TransactionId: 'tx-1' } };
      }
      if (args?.Bucket === MAILBOX_BUCKET) {
        // The hand-off mailbox: the workflow leaves a token in a slot, the scripted Lambda completes it as if the
        // recording's action had reported (or, with `mailed`, had left its outcome there first: 412).
        const slot = String(args.Key)
          .replace(/^.*\//, '')
          .replace(/\.json$/, '') as Command;
        if (req.action === 'getObject') return { Body: JSON.stringify(mailedNow.get(slot)) };
        if (req.action === 'deleteObject') return {};
        const body = JSON.parse(args.Body);
        mailbox.push({ slot, body });
        const early = script.mailed?.[slot as keyof NonNullable<Script['mailed']>];
        const ended = slot === 'WaitForCallEnd' && clock.nowMs() >= (callEndsAt ?? Number.POSITIVE_INFINITY);
        if ((early && !mailedUsed.has(slot)) || ended) {
          mailedUsed.add(slot);
          mailedNow.set(slot, early ?? { outcome: { sipResponseCode: '0', participantTag: 'LEG-A', ...script.hangupExtra } });
          throw new TaskFailedError(
            'S3.S3Exception',
            'At least one of the pre-conditions you specified did not hold (Service: S3, Status Code: 412, Request ID: R, Extended Request ID: E)',
          );
        }
        lambda(slot, body.taskToken, { callId: 'call-a', track: 'BOTH' });
        return { ETag: '"slot"' };
      }
      if (req.action === 'headObject') {
        const h = at(script.head, counters.head++, goodHead(script.callSeconds ?? 60));
        if (h === 'missing') throw new TaskFailedError('S3.NoSuchKeyException', 'Not Found');
        if (h === 'forbidden')
          throw new TaskFailedError(
            'S3.S3Exception',
            'null (Service: S3, Status Code: 403, Request ID: 3XAMPLE, Extended Request ID: ex+ample=)',
          );
        if ('error' in h) throw new TaskFailedError(h.error, h.cause ?? '');
        return h;
      }
      if (req.action === 'putObjectTagging') {
        if (script.tagging && script.tagging !== 'ok') throw new TaskFailedError(script.tagging.error, 'tagging refused');
        tagging.push(args);
        return {};
      }
      if (req.action === 'deleteObject') {
        if (script.deleteObject && script.deleteObject !== 'ok') throw new TaskFailedError(script.deleteObject.error, 'delete refused');
        return {};
      }
      if (req.action === 'putObject') {
        if (script.manifest && script.manifest !== 'ok') throw new TaskFailedError(script.manifest.error, 'write refused');
        manifests.set(`${args.Bucket}/${args.Key}`, JSON.parse(args.Body));
        return { ETag: '"m"' };
      }
      throw new Error(`unexpected task ${req.service}:${req.action}`);
    },
  };
  engine = new StepFunctionsEngine({ invoker, clock });
  try {
    const { stateMachineArn } = engine.createStateMachine({
      name: 'recording-workflow',
      definition: renderDefinition({ ...HARNESS_SETTINGS, ...settings }),
    });
    const { executionArn } = engine.startExecution({ stateMachineArn, name: 'tx-1', input: JSON.stringify(input) });
    const info = await engine.waitForExecution(executionArn);
    const statesEntered = info.history.filter((e) => e.type.endsWith('StateEntered')).map((e: any) => e.stateEnteredEventDetails?.name);
    return { info, requests, manifests, tagging, statesEntered, mailbox };
  } finally {
    engine.close();
  }
}

/** The outcome and audit summary, whichever terminal state ended the execution. */
export function summaryOf(info: ExecutionInfo): any {
  if (info.status === 'SUCCEEDED') return info.output;
  return { ...(info.cause?.startsWith('{') ? JSON.parse(info.cause) : {}), error: info.error };
}
