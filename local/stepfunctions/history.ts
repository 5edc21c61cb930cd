/**
 * Execution history in the shape of the SFN API's `HistoryEvent`: sequential ids from 1,
 * `previousEventId`, a timestamp from the injected clock, the type, and the matching
 * `<camelCaseType>EventDetails` member.
 *
 * `previousEventId`, as AWS records it for a workflow without Map/Parallel: the event that led to
 * this one, which is the event just before it, except that `ExecutionStarted` leads to nothing:
 * both it and the first state's `*StateEntered` have 0 (recorded AWS histories:
 * ExecutionStarted 1/0, TaskStateEntered 2/0, TaskScheduled 3/2, TaskStarted 4/3, TaskSubmitted 5/4,
 * TaskSucceeded 6/5, TaskStateExited 7/6, next state's Entered 8/7, ..., ExecutionSucceeded/Failed
 * -> the event before). A retried TaskScheduled points at the TaskFailed before it. After
 * `ExecutionRedriven` the re-entered state points at it (not seen on AWS: unverified).
 *
 * AWS caps a history at 25,000 events. The last slot is reserved for the terminal event, so that
 * when a non-terminal event would not fit, the execution can still fail with `States.Runtime`.
 */
import type { Clock } from '../clock';
import { HistoryLimitError } from './errors';

export const HISTORY_LIMIT = 25000;

export interface HistoryEventRecord {
  id: number;
  previousEventId: number;
  /** Virtual epoch milliseconds. */
  timestamp: number;
  type: string;
  [details: string]: unknown;
}

/** Which `*EventDetails` member each event type carries (names as in the SFN API model). */
const DETAILS_KEY: Record<string, string> = {
  ExecutionStarted: 'executionStartedEventDetails',
  ExecutionSucceeded: 'executionSucceededEventDetails',
  ExecutionFailed: 'executionFailedEventDetails',
  ExecutionAborted: 'executionAbortedEventDetails',
  ExecutionTimedOut: 'executionTimedOutEventDetails',
  ExecutionRedriven: 'executionRedrivenEventDetails',
  TaskScheduled: 'taskScheduledEventDetails',
  TaskStarted: 'taskStartedEventDetails',
  TaskSubmitted: 'taskSubmittedEventDetails',
  TaskSucceeded: 'taskSucceededEventDetails',
  TaskFailed: 'taskFailedEventDetails',
  TaskTimedOut: 'taskTimedOutEventDetails',
  EvaluationFailed: 'evaluationFailedEventDetails',
};

const TERMINAL = new Set(['ExecutionSucceeded', 'ExecutionFailed', 'ExecutionAborted', 'ExecutionTimedOut']);

export function detailsKeyFor(type: string): string | undefined {
  if (DETAILS_KEY[type]) return DETAILS_KEY[type];
  if (type.endsWith('StateEntered')) return 'stateEnteredEventDetails';
  if (type.endsWith('StateExited')) return 'stateExitedEventDetails';
  return undefined; // e.g. WaitStateAborted / TaskStateAborted carry no details
}

export class History {
  readonly events: HistoryEventRecord[] = [];
  /** Id of the event the next one follows from (0 until the first event after ExecutionStarted). */
  private source = 0;

  constructor(
    private readonly clock: Clock,
    readonly limit = HISTORY_LIMIT,
  ) {}

  get length(): number {
    return this.events.length;
  }

  /** Whether one more non-terminal event fits (one slot stays reserved for the terminal event). */
  hasRoomFor(count = 1): boolean {
    return this.events.length + count <= this.limit - 1;
  }

  /** Append an event; throws `HistoryLimitError` when a non-terminal event would not fit. */
  add(type: string, details?: Record<string, unknown>): HistoryEventRecord {
    if (TERMINAL.has(type) ? this.events.length >= this.limit : !this.hasRoomFor()) throw new HistoryLimitError(this.limit);
    const id = this.events.length + 1;
    const event: HistoryEventRecord = { id, previousEventId: this.source, timestamp: this.clock.nowMs(), type };
    if (type !== 'ExecutionStarted') this.source = id;
    const key = detailsKeyFor(type);
    if (key && details) event[key] = stripUndefined(details);
    this.events.push(event);
    return event;
  }
}

function stripUndefined(o: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) out[k] = v;
  return out;
}
