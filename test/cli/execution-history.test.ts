/**
 * findNewest: the CLI's decision wait reads the history newest first and stops at the first event that answers,
 * instead of every page of a long call's history on every poll.
 */
import type { HistoryEvent, SFNClient } from '@aws-sdk/client-sfn';
import { findNewest, reconstructFromHistory } from '../../cli/execution-history';

/** A GetExecutionHistory stub over `count` events (ids 1..count), paging as Step Functions does; it records each request. */
function historyOf(count: number, controlsAt: number[]) {
  const requests: Array<{ maxResults?: number; nextToken?: string; reverseOrder?: boolean }> = [];
  const events: HistoryEvent[] = Array.from({ length: count }, (_, i) => {
    const id = i + 1;
    return controlsAt.includes(id)
      ? ({
          id,
          timestamp: new Date(0),
          type: 'TaskStateExited',
          stateExitedEventDetails: { name: 'S', assignedVariables: { controls: `[${id}]` } },
        } as HistoryEvent)
      : ({ id, timestamp: new Date(0), type: 'TaskStateEntered', stateEnteredEventDetails: { name: 'S' } } as HistoryEvent);
  });
  const sfn = {
    send: async (command: { input: { maxResults?: number; nextToken?: string; reverseOrder?: boolean } }) => {
      const input = command.input;
      requests.push(input);
      const ordered = input.reverseOrder ? [...events].reverse() : events;
      const from = input.nextToken ? Number(input.nextToken) : 0;
      const to = from + (input.maxResults ?? 1000);
      return { events: ordered.slice(from, to), nextToken: to < ordered.length ? String(to) : undefined };
    },
  } as unknown as SFNClient;
  return { sfn, requests };
}

const controlsOf = (e: HistoryEvent) => e.stateExitedEventDetails?.assignedVariables?.controls;

describe('findNewest', () => {
  it('returns the newest match from the first page, asking newest first, one request', async () => {
    const { sfn, requests } = historyOf(5000, [10, 4990]);
    await expect(findNewest(sfn, 'arn', controlsOf)).resolves.toBe('[4990]');
    expect(requests).toEqual([expect.objectContaining({ reverseOrder: true, maxResults: 100 })]);
  });

  it('follows nextToken while nothing matches, and stops at the page that does', async () => {
    const { sfn, requests } = historyOf(5000, [4750]);
    await expect(findNewest(sfn, 'arn', controlsOf)).resolves.toBe('[4750]');
    expect(requests.map((r) => r.nextToken)).toEqual([undefined, '100', '200']);
  });

  it('is undefined when no event matches, after the last page', async () => {
    const { sfn, requests } = historyOf(250, []);
    await expect(findNewest(sfn, 'arn', controlsOf)).resolves.toBeUndefined();
    expect(requests).toHaveLength(3);
  });
});

describe('reconstructFromHistory: a throttled start is one attempt (issue 21)', () => {
  let id = 0;
  const at = (name: string, type: string, extra: Partial<HistoryEvent> = {}): HistoryEvent[] => [
    { id: ++id, timestamp: new Date(id * 1000), type, stateEnteredEventDetails: { name }, ...extra } as HistoryEvent,
  ];
  const request = (error?: string): HistoryEvent[] => [
    ...at('StartRecording', 'TaskStateEntered'),
    { id: ++id, timestamp: new Date(id * 1000), type: 'TaskScheduled' } as HistoryEvent,
    error
      ? ({ id: ++id, timestamp: new Date(id * 1000), type: 'TaskFailed', taskFailedEventDetails: { error, cause: 'x' } } as HistoryEvent)
      : ({ id: ++id, timestamp: new Date(id * 1000), type: 'TaskSucceeded' } as HistoryEvent),
    {
      id: ++id,
      timestamp: new Date(id * 1000),
      type: 'TaskStateExited',
      stateExitedEventDetails: { name: 'StartRecording' },
    } as HistoryEvent,
  ];
  const throttledLoop = (): HistoryEvent[] => [
    ...request('ChimeSdkVoice.ThrottledClientException'),
    ...at('StartThrottled', 'ChoiceStateEntered'),
    ...at('WaitBeforeThrottledStart', 'WaitStateEntered'),
  ];

  it('throttled twice, then started: one STARTED attempt, throttled 2', () => {
    const { startAttempts } = reconstructFromHistory([...throttledLoop(), ...throttledLoop(), ...request()]);
    expect(startAttempts).toEqual([expect.objectContaining({ attempt: 1, result: 'STARTED', throttled: 2 })]);
  });

  it('a failed attempt and a throttled one still running: two attempts, the second IN_PROGRESS', () => {
    const { startAttempts } = reconstructFromHistory([
      ...request('SystemException'),
      ...at('ShouldRetryStart', 'ChoiceStateEntered'),
      ...throttledLoop(),
    ]);
    expect(startAttempts.map((a) => [a.attempt, a.result, a.error ?? null, a.throttled ?? 0])).toEqual([
      [1, 'FAILED', 'SystemException', 0],
      [2, 'IN_PROGRESS', null, 1],
    ]);
  });

  it('throttled past the window: the attempt FAILED with the throttling error', () => {
    const events = [
      ...throttledLoop(),
      ...request('ChimeSdkVoice.ThrottledClientException'),
      ...at('StartThrottled', 'ChoiceStateEntered'),
    ];
    const { startAttempts } = reconstructFromHistory([...events, ...at('StartThrottledTooLong', 'PassStateEntered')]);
    expect(startAttempts).toEqual([
      expect.objectContaining({ attempt: 1, result: 'FAILED', error: 'ChimeSdkVoice.ThrottledClientException', throttled: 2 }),
    ]);
  });
});
