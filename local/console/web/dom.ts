/** Small DOM helpers: elements from a tag, attributes and children (no framework: the page is five views). */

type Child = Node | string | number | null | undefined | false;
type Attrs = Record<string, string | number | boolean | undefined | EventListener>;

function apply(el: Element, attrs: Attrs, children: Child[]): void {
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === false) continue;
    if (typeof v === 'function') el.addEventListener(k.replace(/^on/, ''), v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children) if (c !== null && c !== undefined && c !== false) el.append(typeof c === 'number' ? String(c) : c);
}

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  apply(el, attrs, children);
  return el;
}

const SVG_NS = 'http://www.w3.org/2000/svg';
export function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: Child[]): SVGElementTagNameMap[K] {
  const el = document.createElementNS(SVG_NS, tag);
  apply(el, attrs, children);
  return el;
}

/** Time of day in UTC (the twin's executions carry its own clock's dates; UTC reads the same on every machine). */
export function time(iso: string | null | undefined): string {
  return iso ? iso.slice(11, 19) : '-';
}

export function duration(fromIso: string | null, toIso: string | null): string {
  if (!fromIso || !toIso) return '-';
  const s = Math.round((Date.parse(toIso) - Date.parse(fromIso)) / 1000);
  return s < 60
    ? `${s} s`
    : s < 3600
      ? `${Math.floor(s / 60)} min ${s % 60} s`
      : `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}

export function offset(ms: number): string {
  return `+${(ms / 1000).toFixed(ms < 10_000 ? 3 : 1)} s`;
}

/** A CSS class for an outcome or status key (colours in style.css). */
export const outcomeClass = (key: string) => `outcome outcome-${key.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`;

export function badge(key: string): HTMLElement {
  return h('span', { class: outcomeClass(key) }, key);
}

/** Shown in place of a view whose data could not be loaded. */
export function showError(root: HTMLElement, e: unknown): void {
  root.replaceChildren(h('p', { class: 'error', role: 'alert' }, `Could not load: ${(e as Error).message}`));
}
