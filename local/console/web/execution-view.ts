/**
 * One execution, as the Step Functions console shows it: the graph with the path taken, the recording to
 * listen to, the audit manifest, and the event history (task tokens redacted by the server, as the CLI does).
 * Refreshes while the execution runs; the audio player is created once so a refresh never interrupts it.
 */
import { api } from './api';
import { callFlowView } from './call-flow-view';
import { badge, h, offset } from './dom';
import { graphView } from './graph-view';
import { poll } from './poll';
import type { ExecutionResponse, Graph } from './types';

let graphCache: Promise<Graph> | undefined;

export function executionView(root: HTMLElement, params: URLSearchParams): () => void {
  const name = params.get('name')!;
  const heading = h('h1', { tabindex: -1 }, name);
  const meta = h('dl', { class: 'meta' });
  const graphBox = h('div', { class: 'graph-box' });
  const audioBox = h('div', { class: 'audio-box' });
  const flowBox = h('div', { class: 'flow-box' });
  const manifestBox = h('div', { class: 'manifest-box' });
  const historyBody = h('tbody');
  root.append(
    h('p', {}, h('a', { href: '#/', class: 'back' }, '← All executions')),
    heading,
    // Graph on the left; what the call was and its recording beside it, so both are in view at once.
    h(
      'div',
      { class: 'exec-top' },
      h('section', { 'aria-labelledby': 'graph-h' }, h('h2', { id: 'graph-h' }, 'Graph'), legend(), graphBox),
      h(
        'div',
        { class: 'side' },
        h('section', { 'aria-labelledby': 'call-h' }, h('h2', { id: 'call-h' }, 'Call'), meta),
        h('section', { 'aria-labelledby': 'audio-h' }, h('h2', { id: 'audio-h' }, 'Recording'), audioBox),
        h('section', { 'aria-labelledby': 'flow-h' }, h('h2', { id: 'flow-h' }, 'Call flow'), flowBox),
      ),
    ),
    h(
      'section',
      { 'aria-labelledby': 'history-h' },
      h('h2', { id: 'history-h' }, 'Event history'),
      h(
        'table',
        { class: 'history', 'aria-labelledby': 'history-h' },
        h('thead', {}, h('tr', {}, ...['#', 'Offset', 'Type', 'State', 'Detail'].map((t) => h('th', { scope: 'col' }, t)))),
        historyBody,
      ),
    ),
    h('section', { 'aria-labelledby': 'manifest-h' }, h('h2', { id: 'manifest-h' }, 'Audit manifest'), manifestBox),
  );

  let audioShown = false;
  let manifestShown = false;
  let lastStatus = '';
  let lastEvents = -1;
  let lastFlow = '';
  const draw = (x: ExecutionResponse, graph: Graph) => {
    const flow = JSON.stringify(x.callFlow);
    if (flow !== lastFlow) {
      flowBox.replaceChildren(callFlowView(x.callFlow));
      lastFlow = flow;
    }
    const r = x.row;
    heading.textContent = r.transactionId ?? r.executionName;
    meta.replaceChildren(
      ...field('Outcome', badge(r.outcome)),
      ...field('Status', r.status + (x.currentState && r.status === 'RUNNING' ? ` (in ${x.currentState})` : '')),
      ...field('Execution', r.executionName),
      ...field('Call ID', r.callId ?? '-'),
      ...field('Location', x.location ?? '-'),
      ...field('Started (UTC)', r.startDate ?? '-'),
      ...field('Stopped (UTC)', r.stopDate ?? '-'),
      ...field('Start attempts', `${r.startAttempts}${r.startErrors ? ` (${r.startErrors})` : ''}`),
      ...field('Consent notice', r.consentNotice ?? '-'),
      ...field(
        'Legal hold',
        r.holds?.length ? r.holds.map((hold) => `${hold.action} ${hold.at} by ${hold.by}: ${hold.reason}`).join('; ') : 'none',
      ),
      ...(x.error ? field('Error', `${x.error}${x.cause ? `: ${x.cause}` : ''}`) : []),
    );
    if (r.status !== lastStatus || x.timeline.length !== lastEvents) {
      graphBox.replaceChildren(graphView(graph, x.path, r.status));
      historyBody.replaceChildren(
        ...x.timeline.map((e, i) =>
          h(
            'tr',
            { class: /Failed|TimedOut|Aborted/.test(e.type) ? 'bad' : '', 'data-type': e.type },
            h('td', { class: 'num' }, e.id),
            h('td', { class: 'num' }, offset(e.offsetMs)),
            h('td', {}, e.type),
            h('td', {}, e.state ?? ''),
            h('td', { class: 'detail' }, e.detail, eventDetails(x.events[i])),
          ),
        ),
      );
      lastStatus = r.status;
      lastEvents = x.timeline.length;
    }
    if (!audioShown && x.hasRecording) {
      audioShown = true;
      const audio = h('audio', {
        controls: true,
        preload: 'metadata',
        src: api.recordingUrl(r.executionName),
        'aria-label': `Recording of ${heading.textContent}`,
      });
      audioBox.replaceChildren(
        audio,
        h(
          'p',
          { class: 'hint' },
          h('a', { href: api.recordingUrl(r.executionName), download: `${r.executionName}.wav` }, 'Download the WAV'),
          ` · ${r.recordingKey}`,
        ),
      );
    } else if (!audioShown)
      audioBox.replaceChildren(
        h('p', { class: 'hint' }, r.status === 'RUNNING' ? 'No recording yet (the call is still going).' : 'No recording for this call.'),
      );
    if (!manifestShown && x.hasManifest && r.status !== 'RUNNING') {
      manifestShown = true;
      manifestBox.replaceChildren(h('p', { class: 'hint' }, `${r.manifestKey}`), h('p', {}, 'loading…'));
      api.manifest(r.executionName).then(
        (m) =>
          manifestBox.replaceChildren(
            h('p', { class: 'hint' }, `${r.manifestKey}`),
            h('pre', { class: 'manifest', tabindex: 0, 'aria-label': 'Audit manifest JSON' }, JSON.stringify(m, null, 2)),
          ),
        (e: Error) => manifestBox.replaceChildren(h('p', { class: 'hint' }, `${r.manifestKey}: ${e.message}`)),
      );
    } else if (!manifestShown)
      manifestBox.replaceChildren(
        h('p', { class: 'hint' }, r.status === 'RUNNING' ? 'Written when the workflow ends.' : 'No audit manifest for this execution.'),
      );
  };

  // An execution that cannot be loaded (not there yet, a name that is no name, the twin busy) is said so above the
  // view, and polling goes on: the call may start later, and the page recovers without a reload.
  const problem = h('p', { class: 'error', role: 'alert', hidden: true });
  heading.after(problem);
  return poll(async () => {
    try {
      graphCache ??= api.graph();
      const [x, graph] = await Promise.all([api.execution(name), graphCache]);
      draw(x, graph);
      problem.hidden = true;
      return x.row.status === 'RUNNING';
    } catch (e) {
      problem.textContent = `Could not load: ${(e as Error).message} (trying again)`;
      problem.hidden = false;
      throw e; // poll tries again
    }
  });
}

/** The whole event (inputs, outputs, parameters), as the Step Functions console expands a row; tokens already redacted by the server. */
function eventDetails(event: unknown): HTMLElement | null {
  if (!event || typeof event !== 'object') return null;
  const { id: _id, previousEventId: _prev, timestamp: _ts, type: _type, ...rest } = event as Record<string, unknown>;
  if (!Object.keys(rest).length) return null;
  return h(
    'details',
    {},
    h('summary', {}, 'event'),
    h(
      'pre',
      {},
      JSON.stringify(rest, (_k, v) => (typeof v === 'string' && /^[[{]/.test(v) ? tryParse(v) : v), 2),
    ),
  );
}

/** Inputs, outputs and parameters are JSON in strings: shown as JSON. */
function tryParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function field(label: string, value: Node | string): HTMLElement[] {
  return [h('dt', {}, label), h('dd', {}, value)];
}

function legend(): HTMLElement {
  return h(
    'p',
    { class: 'legend hint' },
    h('span', {}, h('span', { class: 'swatch taken' }), ' entered'),
    h('span', {}, h('span', { class: 'swatch ok' }), ' ended here (succeeded)'),
    h('span', {}, h('span', { class: 'swatch failed' }), ' ended here (failed)'),
    h('span', {}, h('span', { class: 'swatch current' }), ' running now'),
    h('span', {}, '×N entered or taken N times · ↻N retries · N failed: task failures · dashed: Catch'),
  );
}
