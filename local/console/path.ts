/**
 * The path an execution took, from its history: the states in the order they were entered, how often each
 * state and each transition was taken (the StartRecording loop shows as counts), and the retries and
 * failures inside each state's visits (a Retry block re-schedules the task without leaving the state).
 */
import type { HistoryEvent } from '@aws-sdk/client-sfn';
import { withStateNames } from '../../cli/execution-history';
import { transitionKey, type TakenPath } from './web/types';

const bump = (m: Record<string, number>, k: string) => (m[k] = (m[k] ?? 0) + 1);

export function pathOf(events: HistoryEvent[]): TakenPath {
  const path: TakenPath = { sequence: [], visits: {}, transitions: {}, retries: {}, failures: {} };
  let scheduledInVisit = 0;
  let open: string | undefined;
  for (const { event, state } of withStateNames(events)) {
    const type = event.type ?? '';
    if (type.endsWith('StateEntered')) {
      const name = event.stateEnteredEventDetails?.name ?? '?';
      const prev = path.sequence[path.sequence.length - 1];
      if (prev !== undefined) bump(path.transitions, transitionKey(prev, name));
      path.sequence.push(name);
      bump(path.visits, name);
      scheduledInVisit = 0;
      open = name;
    } else if (type.endsWith('StateExited')) open = undefined;
    else if (state && type === 'TaskScheduled' && ++scheduledInVisit > 1) bump(path.retries, state);
    else if (state && (type === 'TaskFailed' || type === 'TaskTimedOut')) bump(path.failures, state);
  }
  // A redriven execution has a closing event followed by ExecutionRedriven: the last Execution* event decides.
  const lastExecutionEvent = events.filter((e) => e.type?.startsWith('Execution')).pop()?.type ?? '';
  const closed = /^Execution(Succeeded|Failed|TimedOut|Aborted)$/.test(lastExecutionEvent);
  if (open && !closed) path.current = open;
  return path;
}
