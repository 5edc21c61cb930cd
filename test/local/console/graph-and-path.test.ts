/**
 * The console's two pure parts: the graph laid out from the workflow's ASL (every state and transition, no
 * two boxes on top of each other), and the path read from a history (loops counted, retries inside a
 * state's visit, the state a running execution is in).
 */
import { OUTCOMES } from '../../../statemachines/definition';
import { RECONCILE_OUTCOMES } from '../../../statemachines/outcomes';
import type { HistoryEvent } from '@aws-sdk/client-sfn';
import { layoutGraph, transitionsOf } from '../../../local/console/graph';
import { pathOf } from '../../../local/console/path';
import { renderDefinition } from '../../../statemachines/definition';

describe('layoutGraph', () => {
  const definition = renderDefinition() as { StartAt: string; States: Record<string, { Type: string }> };
  const graph = layoutGraph(definition);

  it('draws every state once and every transition the ASL allows', () => {
    expect(graph.nodes.map((n) => n.id).sort()).toEqual(Object.keys(definition.States).sort());
    const pairs = new Set(transitionsOf(definition).map((t) => `${t.from}->${t.to}`));
    expect(new Set(graph.edges.map((e) => `${e.from}->${e.to}`))).toEqual(pairs);
    // A Next and a Catch to the same state are one arrow that has both kinds.
    expect(graph.edges.find((e) => e.from === 'ControlRecording' && e.to === 'WaitForCallEnd')?.kinds).toEqual(['next', 'catch']);
    expect(graph.nodes.filter((n) => n.start).map((n) => n.id)).toEqual([definition.StartAt]);
    expect(
      graph.nodes
        .filter((n) => n.terminal)
        .map((n) => n.id)
        .sort(),
    ).toEqual([...OUTCOMES, 'INVALID_INPUT', ...RECONCILE_OUTCOMES].sort());
  });

  it('places the boxes apart, inside the drawing, with the start above the outcomes', () => {
    for (const a of graph.nodes) {
      expect(a.x - a.width / 2).toBeGreaterThanOrEqual(0);
      expect(a.y + a.height / 2).toBeLessThanOrEqual(graph.height);
      for (const b of graph.nodes) {
        if (a === b) continue;
        const apart = Math.abs(a.x - b.x) >= (a.width + b.width) / 2 || Math.abs(a.y - b.y) >= (a.height + b.height) / 2;
        expect([a.id, b.id, apart]).toEqual([a.id, b.id, true]);
      }
    }
    const y = (id: string) => graph.nodes.find((n) => n.id === id)!.y;
    expect(y('ValidateInput')).toBeLessThan(y('StartRecording'));
    expect(y('StartRecording')).toBeLessThan(y('RECORDED'));
    for (const e of graph.edges) expect(e.points.length).toBeGreaterThanOrEqual(2);
  });

  it('names a transition to a state that does not exist', () => {
    expect(() => layoutGraph({ StartAt: 'A', States: { A: { Type: 'Pass', Next: 'B' } } })).toThrow(
      'state A: next goes to B, which is not a state of the definition',
    );
  });
});

describe('pathOf', () => {
  let id = 0;
  const entered = (name: string, type = 'Task'): HistoryEvent =>
    ({ id: ++id, timestamp: new Date(), type: `${type}StateEntered`, stateEnteredEventDetails: { name } }) as HistoryEvent;
  const exited = (name: string, type = 'Task'): HistoryEvent =>
    ({ id: ++id, timestamp: new Date(), type: `${type}StateExited`, stateExitedEventDetails: { name } }) as HistoryEvent;
  const ev = (type: string): HistoryEvent => ({ id: ++id, timestamp: new Date(), type }) as HistoryEvent;

  it('counts visits and transitions of a loop, and the retries and failures inside a visit', () => {
    const events = [
      ev('ExecutionStarted'),
      entered('Start'),
      ev('TaskScheduled'),
      ev('TaskFailed'),
      exited('Start'),
      entered('Wait', 'Wait'),
      exited('Wait', 'Wait'),
      entered('Start'),
      ev('TaskScheduled'),
      ev('TaskFailed'),
      ev('TaskScheduled'),
      ev('TaskTimedOut'),
      ev('TaskScheduled'),
      ev('TaskSucceeded'),
      exited('Start'),
      entered('Done', 'Succeed'),
      exited('Done', 'Succeed'),
      ev('ExecutionSucceeded'),
    ];
    const path = pathOf(events);
    expect(path.sequence).toEqual(['Start', 'Wait', 'Start', 'Done']);
    expect(path.visits).toEqual({ Start: 2, Wait: 1, Done: 1 });
    expect(path.transitions).toEqual({ 'Start->Wait': 1, 'Wait->Start': 1, 'Start->Done': 1 });
    expect(path.retries).toEqual({ Start: 2 });
    expect(path.failures).toEqual({ Start: 3 });
    expect(path.current).toBeUndefined();
  });

  it('names the state a running execution is in, and none once it has closed', () => {
    const running = [ev('ExecutionStarted'), entered('A', 'Pass'), exited('A', 'Pass'), entered('B'), ev('TaskScheduled')];
    expect(pathOf(running).current).toBe('B');
    expect(pathOf([...running, ev('ExecutionAborted')]).current).toBeUndefined();
    // A redrive reopens it: the last Execution* event decides.
    expect(pathOf([...running, ev('ExecutionFailed'), ev('ExecutionRedriven'), entered('B'), ev('TaskScheduled')]).current).toBe('B');
  });
});
