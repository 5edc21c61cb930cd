/**
 * Reading an execution's history: every page of GetExecutionHistory (nextToken), and what the events say
 * about a call that has no summary yet (RUNNING) or never will (ABORTED, TIMED_OUT): the current state, the
 * StartRecording attempts and the consent notice, reconstructed the way the workflow's Assign would have.
 */
import { GetExecutionHistoryCommand, type HistoryEvent, type SFNClient } from '@aws-sdk/client-sfn';
import type { ConsentNotice, StartAttempt } from '../statemachines/summary';

export interface HistoryOptions {
  /** GetExecutionHistory maxResults (1-1000). */
  pageSize?: number;
  /** Leave inputs/outputs out of the events (smaller pages; the timeline does not need them). */
  includeExecutionData?: boolean;
}

export async function fetchHistory(sfn: SFNClient, executionArn: string, options: HistoryOptions = {}): Promise<HistoryEvent[]> {
  const events: HistoryEvent[] = [];
  let nextToken: string | undefined;
  do {
    const page = await sfn.send(
      new GetExecutionHistoryCommand({
        executionArn,
        maxResults: options.pageSize ?? 1000,
        nextToken,
        includeExecutionData: options.includeExecutionData ?? true,
      }),
    );
    events.push(...(page.events ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  return events;
}

/**
 * The history newest first (reverseOrder), page by page, until `pick` returns something: what a poll needs when
 * the answer is in the latest events (a variable the workflow only ever appends to), without reading a long
 * call's whole history again on every poll. Undefined when no event gives anything.
 */
export async function findNewest<T>(
  sfn: SFNClient,
  executionArn: string,
  pick: (event: HistoryEvent) => T | undefined,
  pageSize = 100,
): Promise<T | undefined> {
  let nextToken: string | undefined;
  do {
    const page = await sfn.send(new GetExecutionHistoryCommand({ executionArn, maxResults: pageSize, nextToken, reverseOrder: true }));
    for (const e of page.events ?? []) {
      const found = pick(e);
      if (found !== undefined) return found;
    }
    nextToken = page.nextToken;
  } while (nextToken);
  return undefined;
}

/** The `*EventDetails` member of an event (each type has its own, e.g. taskFailedEventDetails). */
export function detailsOf(event: HistoryEvent): Record<string, any> | undefined {
  const key = `${event.type!.charAt(0).toLowerCase()}${event.type!.slice(1)}EventDetails`;
  const direct = (event as Record<string, any>)[key];
  if (direct) return direct;
  if (event.type?.endsWith('StateEntered')) return event.stateEnteredEventDetails;
  if (event.type?.endsWith('StateExited')) return event.stateExitedEventDetails;
  return undefined;
}

/**
 * The state each event belongs to. Only *StateEntered / *StateExited carry a name; the events between them
 * (TaskScheduled, TaskFailed, ...) belong to the state entered last, as the console's table shows them.
 */
export function withStateNames(events: HistoryEvent[]): Array<{ event: HistoryEvent; state?: string }> {
  let current: string | undefined;
  return events.map((event) => {
    const type = event.type ?? '';
    if (type.endsWith('StateEntered')) current = event.stateEnteredEventDetails?.name;
    const state = type.endsWith('StateExited')
      ? (event.stateExitedEventDetails?.name ?? current)
      : type.startsWith('Execution')
        ? undefined
        : current;
    if (type.endsWith('StateExited')) current = undefined;
    return { event, state };
  });
}

/** Name of the last state entered and not yet exited, or of the last one entered. */
export function currentState(events: HistoryEvent[]): string | undefined {
  for (let i = events.length - 1; i >= 0; i--) {
    if (events[i].type?.endsWith('StateEntered')) return events[i].stateEnteredEventDetails?.name;
  }
  return undefined;
}

const CALL_ENDED_ERRORS = new Set(['CallEnded', 'ChimeSdkVoice.NotFoundException']);
/** A start request the account's update quota refused: the same attempt goes on (StartThrottled), not a failure. */
const THROTTLED = 'ChimeSdkVoice.ThrottledClientException';
const ts = (d: Date | undefined) => (d ? d.toISOString() : undefined);
/** A mailbox task's write refused because the Lambda's outcome was in the slot already (S3's 412). */
const MAILBOX_TAKEN = (d: { error?: string; cause?: string }) =>
  (d.error === 'S3.S3Exception' || d.error === 'S3.PreconditionFailedException') && /Status Code: 412/.test(d.cause ?? '');
/** The Pass states that settle a start or a notice from an outcome read in the mailbox, and what they settle. */
const MAILED_STATES: Record<string, ['start' | 'notice', string]> = {
  RecordingStartedBeforeWorkflow: ['start', 'STARTED'],
  MailedStartFailed: ['start', 'FAILED'],
  NoticeHeardBeforeWait: ['notice', 'DELIVERED'],
  NoticeCutByCallEnd: ['notice', 'NOT_DELIVERED'],
  NoticeFailedBeforeWait: ['notice', 'FAILED'],
};

/** StartRecording attempts and the consent notice as the history shows them (the ASL's $startAttempts / $consent). */
export function reconstructFromHistory(events: HistoryEvent[]): { startAttempts: StartAttempt[]; consentNotice: ConsentNotice | null } {
  const attempts: StartAttempt[] = [];
  let consent: ConsentNotice | null = null;
  let consentOpen = false;
  for (const { event, state } of withStateNames(events)) {
    const type = event.type ?? '';
    const d = detailsOf(event) ?? {};
    if (state === 'StartRecording' || state === 'AwaitRecordingStart') {
      const last = attempts[attempts.length - 1];
      // The slot held the outcome already (412): read by the Mailed states below, not a failure of the attempt.
      if (last && type === 'TaskFailed' && MAILBOX_TAKEN(d)) continue;
      if (type === 'TaskStateEntered') {
        if (!(last?.result === 'IN_PROGRESS' && last.throttled))
          attempts.push({ attempt: attempts.length + 1, startedAt: ts(event.timestamp), result: 'IN_PROGRESS' });
      } else if (last && type === 'TaskFailed' && d.error === THROTTLED) last.throttled = (last.throttled ?? 0) + 1;
      else if (last && type === 'TaskSucceeded') Object.assign(last, { endedAt: ts(event.timestamp), result: 'STARTED' });
      else if (last && (type === 'TaskFailed' || type === 'TaskTimedOut'))
        Object.assign(last, {
          endedAt: ts(event.timestamp),
          result: CALL_ENDED_ERRORS.has(d.error) ? 'CALL_ENDED' : 'FAILED',
          error: d.error ?? (type === 'TaskTimedOut' ? 'States.Timeout' : undefined),
          cause: d.cause,
        });
      else if (last && type === 'TaskStateAborted') Object.assign(last, { endedAt: ts(event.timestamp), result: 'ABORTED' });
    } else if (state === 'StartThrottledTooLong' && event.type === 'PassStateEntered') {
      const last = attempts[attempts.length - 1];
      if (last) Object.assign(last, { endedAt: ts(event.timestamp), result: 'FAILED', error: THROTTLED });
    } else if (MAILED_STATES[state ?? ''] && type === 'PassStateEntered') {
      // An outcome the Lambda left in the mailbox before the workflow waited (issue 21).
      const [what, result] = MAILED_STATES[state ?? ''];
      const last = attempts[attempts.length - 1];
      if (what === 'start' && last) Object.assign(last, { endedAt: ts(event.timestamp), result });
      if (what === 'notice' && consent) Object.assign(consent, { status: result, at: ts(event.timestamp) });
    } else if (state === 'NotifyConsent' || state === 'AwaitConsentNotice') {
      if (consent && type === 'TaskFailed' && MAILBOX_TAKEN(d)) continue;
      if (type === 'TaskStateEntered') {
        // NotifyConsent after the call flow's own notice failed: one notice, its attempts counted on.
        consent = { status: 'IN_PROGRESS', attempts: state === 'NotifyConsent' && consent ? (consent.attempts ?? 0) : 0 };
        consentOpen = true;
      } else if (type === 'TaskStateExited') consentOpen = false;
      else if (consent && type === 'TaskScheduled') consent.attempts = (consent.attempts ?? 0) + 1;
      else if (consent && type === 'TaskSucceeded') Object.assign(consent, { status: 'DELIVERED', completedAt: ts(event.timestamp) });
      else if (consent && (type === 'TaskFailed' || type === 'TaskTimedOut'))
        Object.assign(consent, {
          status: CALL_ENDED_ERRORS.has(d.error) ? 'NOT_DELIVERED' : 'FAILED',
          error: d.error ?? 'States.Timeout',
          cause: d.cause,
          at: ts(event.timestamp),
        });
      else if (consent && type === 'TaskStateAborted') Object.assign(consent, { status: 'ABORTED', at: ts(event.timestamp) });
    }
  }
  // A retried notice fails and is scheduled again: a failure is final only once the state has exited.
  if (consent && consentOpen && consent.status === 'FAILED') consent.status = 'RETRYING';
  return { startAttempts: attempts, consentNotice: consent };
}
