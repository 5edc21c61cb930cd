/**
 * A stacked bar chart as plain SVG: a few dozen bars need no charting library. Each bar is a group of
 * coloured segments (class per key, colours in style.css) with a <title> naming its count; the chart has a
 * text legend, and the views put the same numbers in a table next to it.
 */
import { h, outcomeClass, svg } from './dom';

export interface Bar {
  label: string;
  parts: Record<string, number>;
}

const W = 640;
const H = 220;
const PAD = { left: 36, right: 8, top: 10, bottom: 40 };

export function stackedBars(title: string, bars: Bar[], keys: string[], classOf: (key: string) => string = outcomeClass): HTMLElement {
  const max = Math.max(1, ...bars.map((b) => Object.values(b.parts).reduce((a, n) => a + n, 0)));
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const slot = plotW / Math.max(1, bars.length);
  const barW = Math.max(2, Math.min(48, slot * 0.7));
  const y = (n: number) => PAD.top + plotH - (n / max) * plotH;
  const chart = svg('svg', { class: 'chart', viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': title });
  chart.append(svg('title', {}, title));
  // Axis: 0 and the maximum (whole counts), and a baseline.
  chart.append(
    svg('line', { x1: PAD.left, x2: W - PAD.right, y1: y(0), y2: y(0), class: 'axis' }),
    svg('text', { x: PAD.left - 6, y: y(0) + 4, class: 'tick y' }, 0),
    svg('text', { x: PAD.left - 6, y: y(max) + 4, class: 'tick y' }, max),
  );
  const labelEvery = Math.ceil(bars.length / 8);
  bars.forEach((b, i) => {
    const x = PAD.left + i * slot + (slot - barW) / 2;
    let acc = 0;
    const g = svg('g', { class: 'bar', 'data-label': b.label });
    for (const k of keys) {
      const n = b.parts[k] ?? 0;
      if (!n) continue;
      g.append(
        svg(
          'rect',
          { x, y: y(acc + n), width: barW, height: y(acc) - y(acc + n), class: `seg ${classOf(k)}`, 'data-key': k },
          svg('title', {}, `${b.label}: ${k} ${n}`),
        ),
      );
      acc += n;
    }
    chart.append(g);
    if (i % labelEvery === 0) chart.append(svg('text', { x: x + barW / 2, y: H - PAD.bottom + 16, class: 'tick x' }, b.label));
  });
  const legend = h('ul', { class: 'chart-legend' }, ...keys.map((k) => h('li', {}, h('span', { class: `swatch ${classOf(k)}` }), ` ${k}`)));
  return h('figure', {}, chart, h('figcaption', {}, title), legend);
}

export function countTable(caption: string, rowLabel: string, bars: Bar[], keys: string[]): HTMLTableElement {
  return h(
    'table',
    { class: 'counts' },
    h('caption', {}, caption),
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, rowLabel), ...keys.map((k) => h('th', { scope: 'col' }, k)))),
    h(
      'tbody',
      {},
      ...bars.map((b) => h('tr', {}, h('th', { scope: 'row' }, b.label), ...keys.map((k) => h('td', { class: 'num' }, b.parts[k] ?? 0)))),
    ),
  );
}
