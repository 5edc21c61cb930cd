/**
 * Execution history in the shape of the SFN API's `HistoryEvent`: sequential ids from 1,
 * `previousEventId` (the event before it), a timestamp from the injected clock, the type, and the
 * matching `<camelCaseType>EventDetails` member.
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
    const event: HistoryEventRecord = { id, previousEventId: id - 1, timestamp: this.clock.nowMs(), type };
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
