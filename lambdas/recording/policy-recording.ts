/**
 * Policy-driven recording (AUTO_RECORD=on) in the middleware: when a call counts as answered, the workflow is
 * started and the policy's StartCallRecording handed back to be parked like a command's actions (issue 21: no
 * update); a StartExecution refused is tried again on the call's later events (`s` in rw:own).
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { CallEventDeps } from './call-state';
import type { OwnState } from './own-state';
import type { SmaEvent } from './sma-event';
import { autoRecord, policyStart } from './workflow-commands';

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

/**
 * Auto-record starts once the call is answered (never for a call only ringing): issue 9. The workflow is started,
 * and the policy's StartCallRecording is returned for the middleware to run (policyStart): no update spent.
 * `next` gets `r` (done), `s` (StartExecution to retry) and `m` (outcomes through the mailbox).
 */
export async function startPolicyRecording(
  event: SmaEvent,
  appActions: readonly { Type?: unknown }[],
  next: OwnState,
  deps: CallEventDeps,
): Promise<ReturnType<typeof policyStart>> {
  if (!deps.config.autoRecord || next.r) return undefined;
  const answered =
    event.InvocationEventType === 'CALL_ANSWERED' ||
    (event.InvocationEventType === 'ACTION_SUCCESSFUL' && event.ActionData.Type === 'CallAndBridge') ||
    appActions.some((a) => ANSWERING_ACTIONS.has(String(a?.Type)));
  if (!answered) return undefined;
  next.r = 1;
  if ((await autoRecord(event, deps)) === 'failed') next.s = 1;
  const own = policyStart(event, deps);
  if (own) next.m = 1;
  return own;
}

/** `s`: the workflow's StartExecution failed earlier; its outcomes wait in the mailbox, so it may start late. */
export async function retryWorkflowStart(event: SmaEvent, own: OwnState, deps: CallEventDeps): Promise<void> {
  const result = await autoRecord(event, deps);
  if (result !== 'failed') {
    delete own.s;
    deps.metrics.addMetric('WorkflowStartsRetried', MetricUnit.Count, 1);
    return;
  }
  if (event.InvocationEventType === 'HANGUP') {
    // The call is over and its workflow never started: the recording exists with no audit. Counted and alarmed
    // (RecordedWithoutWorkflow); the outcomes stay in the mailbox until it expires, the object in the bucket.
    deps.log.error('the call ended and its recording workflow could not be started: the recording has no audit');
    deps.metrics.addMetric('RecordedWithoutWorkflow', MetricUnit.Count, 1);
  }
}
