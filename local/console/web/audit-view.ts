/**
 * The retry audit as pictures (the numbers of `recording-workflow audit`): outcomes over time, and what each
 * StartCallRecording attempt ended with, attempt by attempt, so a wave of SystemExceptions and how many calls
 * the retries recovered can be seen at a glance. Refreshes while the view is open.
 */
import { ALL_OUTCOMES, RECONCILE_OUTCOMES } from '../../../statemachines/outcomes';

const RECONCILE: readonly string[] = RECONCILE_OUTCOMES;
import { api } from './api';
import { h, showError } from './dom';
import { countTable, stackedBars, type Bar } from './charts';
import { poll } from './poll';
import type { ExecutionRow } from './types';

const MAX_BINS = 24;
/** Bin widths a person reads easily, in seconds. */
const STEPS = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 21600, 43200, 86400];

/** Executions by start time, in at most MAX_BINS bins of a round width (1 s, 5 s, 1 min, ...); empty bins are kept so time reads evenly. */
export function outcomesOverTime(rows: ExecutionRow[]): Bar[] {
  const dated = rows.filter((r) => r.startDate).map((r) => ({ t: Date.parse(r.startDate!), outcome: r.outcome }));
  if (!dated.length) return [];
  const first = Math.min(...dated.map((d) => d.t));
  const last = Math.max(...dated.map((d) => d.t));
  const step = 1000 * (STEPS.find((s) => s * 1000 * (MAX_BINS - 1) > last - first) ?? STEPS[STEPS.length - 1]);
  const t0 = Math.floor(first / step) * step;
  const bins = Math.min(MAX_BINS, Math.floor((last - t0) / step) + 1);
  const bars: Bar[] = Array.from({ length: bins }, (_, i) => ({ label: new Date(t0 + i * step).toISOString().slice(11, 19), parts: {} }));
  for (const d of dated) {
    const b = bars[Math.min(bins - 1, Math.floor((d.t - t0) / step))];
    b.parts[d.outcome] = (b.parts[d.outcome] ?? 0) + 1;
  }
  return bars;
}

/** For each attempt number, how its attempts ended: STARTED, or the error (SystemException, ...). */
export function attemptsByNumber(rows: ExecutionRow[]): Bar[] {
  const bars: Bar[] = [];
  for (const r of rows) {
    for (const a of r.attempts) {
      const bar = (bars[a.attempt - 1] ??= { label: `attempt ${a.attempt}`, parts: {} });
      const key = a.error ?? a.result;
      bar.parts[key] = (bar.parts[key] ?? 0) + 1;
    }
  }
  return bars.map((b, i) => b ?? { label: `attempt ${i + 1}`, parts: {} });
}

const keysOf = (bars: Bar[], first: string[]) => {
  const all = new Set(bars.flatMap((b) => Object.keys(b.parts)));
  return [...first.filter((k) => all.has(k)), ...[...all].filter((k) => !first.includes(k)).sort()];
};

export function auditView(root: HTMLElement): () => void {
  const heading = h('h1', { tabindex: -1 }, 'Retry audit');
  const body = h('div', { class: 'audit' });
  root.append(heading, body);
  let last = '';
  return poll(async () => {
    let rows: ExecutionRow[];
    try {
      // Calls only: the Reconcile branch's executions (a recording's S3 event, issue 22) are not calls.
      rows = (await api.executions()).rows.filter((r) => !RECONCILE.includes(r.outcome ?? ''));
    } catch (e) {
      if (!last) showError(root, e);
      throw e;
    }
    const text = JSON.stringify(rows);
    if (text === last) return true;
    last = text;
    const time = outcomesOverTime(rows);
    const attempts = attemptsByNumber(rows);
    const outcomeKeys = keysOf(time, [...ALL_OUTCOMES, 'RUNNING']);
    const attemptKeys = keysOf(attempts, ['STARTED', 'IN_PROGRESS']);
    const retried = rows.filter((r) => r.startAttempts > 1);
    body.replaceChildren(
      h(
        'p',
        {},
        `${rows.length} calls; ${retried.length} needed more than one start attempt, and ${retried.filter((r) => r.outcome === 'RECORDED').length} of those ended RECORDED.`,
      ),
      h(
        'section',
        { 'aria-labelledby': 'over-time-h', class: 'chart-section' },
        h('h2', { id: 'over-time-h' }, 'Outcomes over time'),
        time.length
          ? stackedBars('Calls by start time (UTC) and outcome', time, outcomeKeys)
          : h('p', { class: 'hint' }, 'No executions yet.'),
        time.length
          ? countTable(
              'Calls per start-time bin and outcome (bins with calls)',
              'Started from (UTC)',
              time.filter((b) => Object.keys(b.parts).length),
              outcomeKeys,
            )
          : null,
      ),
      h(
        'section',
        { 'aria-labelledby': 'attempts-h', class: 'chart-section' },
        h('h2', { id: 'attempts-h' }, 'Start attempts and their errors'),
        attempts.length
          ? stackedBars('StartCallRecording attempts by number and result', attempts, attemptKeys, attemptClass(attemptKeys))
          : h('p', { class: 'hint' }, 'No start attempts yet.'),
        attempts.length ? countTable('Attempts per number and result', 'Attempt', attempts, attemptKeys) : null,
      ),
    );
    return true;
  });
}

/** STARTED green, each error its own warm colour (by its place among the errors shown: no two alike up to six). */
function attemptClass(keys: string[]): (key: string) => string {
  const errors = keys.filter((k) => k !== 'STARTED' && k !== 'IN_PROGRESS');
  return (key) =>
    key === 'STARTED'
      ? 'outcome outcome-recorded'
      : key === 'IN_PROGRESS'
        ? 'outcome outcome-running'
        : `err err-${errors.indexOf(key) % 6}`;
}
