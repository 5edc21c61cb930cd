/**
 * The call flow beside the graph: every action the caller lived through, whose code returned it (the
 * application's or the recording's), when, and how it ended; the same list as the scenario JSON's `actions`.
 * Bars are SVG geometry, not inline styles: the page's CSP allows no style attributes.
 */
import { h, svg } from './dom';
import type { CallFlow, CallFlowAction } from './types';

const seconds = (s: number) => `${s.toFixed(1)} s`;

export function callFlowView(flow: CallFlow | null): HTMLElement {
  if (!flow) return h('p', { class: 'hint' }, 'No call flow: only the calls this twin placed have one.');
  if (!flow.actions.length) return h('p', { class: 'hint' }, 'No action has run yet.');
  const span = Math.max(1, ...flow.actions.map((a) => a.endSeconds ?? a.atSeconds));
  return h(
    'div',
    {},
    h(
      'p',
      { class: 'hint flow-summary' },
      `${flow.bridged ? 'Bridged' : 'Not bridged'} · ${
        flow.recordingStartedAtSeconds === null ? 'no recording started' : `recording started at ${seconds(flow.recordingStartedAtSeconds)}`
      } · times from the call's arrival`,
    ),
    h(
      'table',
      { class: 'call-flow', 'aria-label': 'Call flow' },
      h(
        'thead',
        {},
        h('tr', {}, ...['At', 'Leg', 'Action', 'By', 'Result', 'Timeline'].map((t) => h('th', { scope: 'col', class: 'flow-cell' }, t))),
      ),
      h('tbody', {}, ...flow.actions.map((a) => row(a, span))),
    ),
  );
}

function row(a: CallFlowAction, span: number): HTMLElement {
  const result = a.result.toLowerCase().replace('_', '-'); // flow-not-run, flow-hung-up, ...
  return h(
    'tr',
    { 'data-by': a.by, 'data-result': a.result, class: `flow-by-${a.by} flow-${result}` },
    h('td', { class: 'flow-cell num' }, seconds(a.atSeconds)),
    h('td', { class: 'flow-cell' }, a.leg ?? '-'),
    h('td', { class: 'flow-cell' }, a.type),
    h('td', { class: 'flow-cell' }, h('span', { class: 'flow-by' }, a.by)),
    h('td', { class: 'flow-cell' }, a.errorType ? `${a.result} (${a.errorType})` : a.result),
    h('td', { class: 'flow-cell flow-bar-cell' }, bar(a, span)),
  );
}

/** Where in the call the action ran, on a 0-100 scale of the call's length so far. */
function bar(a: CallFlowAction, span: number): SVGSVGElement {
  const width = Math.max(1, (((a.endSeconds ?? span) - a.atSeconds) / span) * 100);
  const x = Math.min((a.atSeconds / span) * 100, 100 - width); // an instant at the very end stays visible
  return svg(
    'svg',
    { class: 'flow-bar-track', viewBox: '0 0 100 10', preserveAspectRatio: 'none', 'aria-hidden': 'true' },
    svg('rect', { class: 'flow-bar', x: x.toFixed(2), y: 1, width: width.toFixed(2), height: 8 }),
  );
}
