/**
 * Executions: every call's execution, newest first, filterable by outcome and status, with the totals per
 * outcome. Refreshes while the view is open (calls may still be starting or running); the table is redrawn
 * only when something changed, and the focused row keeps its focus.
 */
import { ALL_OUTCOMES } from '../../../statemachines/outcomes';
import { api } from './api';
import { badge, duration, h, outcomeClass, showError, time } from './dom';
import { poll } from './poll';
import type { ExecutionRow, ExecutionsResponse } from './types';

/** Outcomes in the order the workflow's RouteOutcome lists them, then anything else alphabetically. */
const ORDER: readonly string[] = [...ALL_OUTCOMES, 'RUNNING'];
const ordered = (keys: string[]) =>
  [...keys].sort((a, b) => (ORDER.indexOf(a) + 1 || 99) - (ORDER.indexOf(b) + 1 || 99) || a.localeCompare(b));

export const openExecution = (name: string) => (location.hash = `#/executions/${encodeURIComponent(name)}`);

export function executionsView(root: HTMLElement, params: URLSearchParams): () => void {
  const outcome = params.get('outcome') ?? '';
  const status = params.get('status') ?? '';
  const setFilter = (key: 'outcome' | 'status', value: string) => {
    const p = new URLSearchParams({ ...(outcome ? { outcome } : {}), ...(status ? { status } : {}) });
    if (value) p.set(key, value);
    else p.delete(key);
    const q = p.toString();
    location.hash = `#/${q ? `?${q}` : ''}`;
  };

  const heading = h('h1', { tabindex: -1 }, 'Executions');
  const live = h('p', { class: 'live', role: 'status', 'aria-live': 'polite' }, 'loading…');
  const totals = h('div', { class: 'totals', role: 'group', 'aria-label': 'Totals per outcome (select one to filter)' });
  const outcomeSelect = h('select', { id: 'outcome-filter', onchange: () => setFilter('outcome', outcomeSelect.value) });
  const statusSelect = h('select', { id: 'status-filter', onchange: () => setFilter('status', statusSelect.value) });
  const filters = h(
    'div',
    { class: 'filters' },
    h('label', { for: 'outcome-filter' }, 'Outcome'),
    outcomeSelect,
    h('label', { for: 'status-filter' }, 'Status'),
    statusSelect,
  );
  const tbody = h('tbody');
  const table = h(
    'table',
    { class: 'executions', 'aria-label': 'Executions' },
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        ...['Execution', 'Status', 'Outcome', 'Started (UTC)', 'Duration', 'Start attempts', 'Start errors', 'Consent notice'].map((t) =>
          h('th', { scope: 'col' }, t),
        ),
      ),
    ),
    tbody,
  );
  root.append(heading, live, totals, filters, table);

  let last = '';
  const draw = (data: ExecutionsResponse) => {
    const text = JSON.stringify(data);
    if (text === last) return;
    last = text;
    const focused = (document.activeElement as HTMLElement | null)?.dataset?.execution;

    totals.replaceChildren(
      h('span', { class: 'total-all' }, `${data.rows.length} calls`),
      ...ordered(Object.keys(data.byOutcome)).map((k) =>
        h(
          'button',
          {
            type: 'button',
            class: `total ${outcomeClass(k)}`,
            'data-outcome': k,
            'aria-pressed': String(k === outcome),
            onclick: () => setFilter('outcome', k === outcome ? '' : k),
          },
          `${k} `,
          h('strong', {}, data.byOutcome[k]),
        ),
      ),
    );
    const options = (select: HTMLSelectElement, keys: string[], current: string, all: string) => {
      const values = current && !keys.includes(current) ? [...keys, current] : keys;
      select.replaceChildren(h('option', { value: '' }, all), ...values.map((k) => h('option', { value: k, selected: k === current }, k)));
    };
    options(outcomeSelect, ordered(Object.keys(data.byOutcome)), outcome, 'all outcomes');
    options(statusSelect, Object.keys(data.byStatus).sort(), status, 'all statuses');

    const shown = data.rows.filter((r) => (!outcome || r.outcome === outcome) && (!status || r.status === status));
    tbody.replaceChildren(...shown.map(row));
    if (!shown.length)
      tbody.append(
        h('tr', {}, h('td', { colspan: 8, class: 'empty' }, data.rows.length ? 'No execution matches the filters.' : 'No executions yet.')),
      );
    if (focused) tbody.querySelector<HTMLElement>(`tr[data-execution="${CSS.escape(focused)}"]`)?.focus();
    live.textContent = `${shown.length} of ${data.rows.length} shown · ${data.running ? `${data.running} running, refreshing` : 'none running'} · updated ${new Date().toLocaleTimeString()}`;
  };

  return poll(async () => {
    try {
      draw(await api.executions());
    } catch (e) {
      if (!last) showError(root, e);
      throw e;
    }
    return true; // new calls may start at any time: keep the list live while it is open
  });
}

function row(r: ExecutionRow): HTMLTableRowElement {
  const label = r.transactionId ?? r.executionName;
  return h(
    'tr',
    {
      tabindex: 0,
      'data-execution': r.executionName,
      'data-outcome': r.outcome,
      'data-status': r.status,
      'aria-label': `${label}: ${r.outcome}, press Enter to open`,
      onclick: (e: Event) => {
        if (!(e.target as Element).closest('a')) openExecution(r.executionName);
      },
      onkeydown: (e: Event) => {
        if ((e as KeyboardEvent).key === 'Enter' && e.target === e.currentTarget) openExecution(r.executionName);
      },
    },
    h('td', {}, h('a', { href: `#/executions/${encodeURIComponent(r.executionName)}`, tabindex: -1 }, label)),
    h('td', {}, r.status),
    h('td', {}, badge(r.outcome)),
    h('td', {}, time(r.startDate)),
    h('td', {}, duration(r.startDate, r.stopDate)),
    h('td', { class: 'num' }, r.startAttempts),
    h('td', {}, r.startErrors || '-'),
    h('td', {}, r.consentNotice ?? '-'),
  );
}
