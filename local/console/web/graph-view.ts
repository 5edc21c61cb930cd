/**
 * The state machine drawn as SVG from the server's dagre layout, with one execution's path on it: states it
 * entered and transitions it took are highlighted, with counts where it went more than once (the
 * StartRecording loop) and its retries and failures inside a state (a Retry block).
 */
import { svg } from './dom';
import { transitionKey, type Graph, type TakenPath } from './types';

const plural = (n: number, one: string) => `${n} ${one}${n === 1 ? '' : 's'}`;

export function graphView(graph: Graph, path: TakenPath, status: string): SVGSVGElement {
  const last = path.sequence[path.sequence.length - 1];
  const root = svg('svg', {
    class: 'graph',
    viewBox: `0 0 ${graph.width} ${graph.height}`,
    width: graph.width,
    height: graph.height,
    role: 'group',
    'aria-label': `State machine graph; path taken: ${path.sequence.join(', ')}`,
  });
  root.append(
    svg(
      'defs',
      {},
      ...['arrow', 'arrow-taken'].map((id) =>
        svg(
          'marker',
          {
            id,
            viewBox: '0 0 10 10',
            refX: 9,
            refY: 5,
            markerUnits: 'userSpaceOnUse',
            markerWidth: 10,
            markerHeight: 10,
            orient: 'auto-start-reverse',
          },
          svg('path', { d: 'M0,0 L10,5 L0,10 z', class: id }),
        ),
      ),
    ),
  );

  for (const e of graph.edges) {
    const count = path.transitions[transitionKey(e.from, e.to)] ?? 0;
    const d = e.points.map((p, i) => `${i ? 'L' : 'M'}${p.x.toFixed(1)},${p.y.toFixed(1)}`).join(' ');
    const g = svg('g', { class: `edge${count ? ' taken' : ''}`, 'data-from': e.from, 'data-to': e.to, 'data-count': count });
    g.append(svg('title', {}, `${e.from} → ${e.to} (${e.kinds.join(', ')})${count ? `: taken ${count}×` : ''}`));
    g.append(svg('path', { d, 'marker-end': `url(#${count ? 'arrow-taken' : 'arrow'})`, class: e.kinds.includes('catch') ? 'catch' : '' }));
    if (count > 1) {
      const mid = e.points[Math.floor(e.points.length / 2)];
      g.append(svg('text', { x: mid.x + 6, y: mid.y + 4, class: 'count' }, `×${count}`));
    }
    root.append(g);
  }

  for (const n of graph.nodes) {
    const visits = path.visits[n.id] ?? 0;
    const retries = path.retries[n.id] ?? 0;
    const failures = path.failures[n.id] ?? 0;
    const classes = ['node', `type-${n.type.toLowerCase()}`];
    if (visits) classes.push('taken');
    if (n.id === path.current) classes.push('current');
    if (n.id === last && status !== 'RUNNING') classes.push('last', status === 'SUCCEEDED' ? 'ok' : 'failed');
    const notes = [
      visits > 1 ? `entered ${visits}×` : visits ? 'entered' : 'not entered',
      retries ? `${retries} ${retries === 1 ? 'retry' : 'retries'}` : '',
      failures ? plural(failures, 'failure') : '',
    ].filter(Boolean);
    const g = svg('g', {
      class: classes.join(' '),
      'data-state': n.id,
      'data-visits': visits,
      'data-retries': retries,
      transform: `translate(${n.x - n.width / 2},${n.y - n.height / 2})`,
      tabindex: 0,
      role: 'img',
      'aria-label': `${n.id} (${n.type}): ${notes.join(', ')}`,
    });
    g.append(svg('title', {}, `${n.id} (${n.type}): ${notes.join(', ')}`));
    g.append(svg('rect', { width: n.width, height: n.height, rx: n.type === 'Choice' ? 14 : 5 }));
    const badges = [visits > 1 ? `×${visits}` : '', retries ? `↻${retries}` : '', failures ? `${failures} failed` : '']
      .filter(Boolean)
      .join(' · ');
    g.append(svg('text', { x: n.width / 2, y: n.height / 2 + (badges ? -4 : 4), class: 'label' }, n.id));
    if (badges) g.append(svg('text', { x: n.width / 2, y: n.height / 2 + 13, class: 'badges' }, badges));
    root.append(g);
  }
  return root;
}
