/**
 * `audit`: the retry-audit report. Lists the state machine's executions in a period (every status, all
 * pages), describes each one with bounded concurrency, and reports per call: outcome, start attempts with
 * their errors, consent notice, recording key; then totals per outcome and per start error.
 *
 * ListExecutions returns the newest first, so the listing stops at the first execution older than --since
 * instead of paging through the 90 days Step Functions keeps.
 */
import { ListExecutionsCommand, type ExecutionListItem } from '@aws-sdk/client-sfn';
import { requireStateMachineArn } from '../clients';
import type { CommandContext } from '../context';
import { EXIT_OK } from '../errors';
import { describeCall, outcomeKey, type ExecutionSummary } from '../execution-summary';
import { csv, iso, scrubText, table, toJson } from '../format';
import { mapPool } from '../pool';
import type { AuditRow } from '../rows';
import { attemptErrors } from '../summary-text';
import { attachHolds, holdsText } from './audit-holds';

export type AuditFormat = 'table' | 'json' | 'csv';

export interface AuditOptions {
  since?: Date;
  until?: Date;
  outcome?: string[];
  format?: AuditFormat;
  json?: boolean;
  pageSize?: number;
  concurrency?: number;
  /** Read each call's legal-hold records from S3 (hold, release). */
  holds?: boolean;
}

export interface AuditTotals {
  calls: number;
  byOutcome: Record<string, number>;
  /** Start attempts that ended with an error (FAILED or CALL_ENDED), per error name, and how many calls saw it. */
  byStartError: Record<string, { attempts: number; calls: number }>;
  byConsentNotice: Record<string, number>;
  /** Calls that needed more than one StartCallRecording attempt, and how many of those ended RECORDED. */
  retriedCalls: number;
  recoveredCalls: number;
}

export function toRow(s: ExecutionSummary): AuditRow {
  return {
    transactionId: s.transactionId ?? null,
    callId: s.callId ?? null,
    executionName: s.name,
    executionArn: s.executionArn,
    status: s.status,
    outcome: outcomeKey(s),
    startDate: s.startDate ?? null,
    stopDate: s.stopDate ?? null,
    startAttempts: s.startAttempts.length,
    startErrors: attemptErrors(s.startAttempts),
    attempts: s.startAttempts,
    consentNotice: s.consentNotice?.status ?? null,
    consentNoticeAt: s.consentNotice?.completedAt ?? s.consentNotice?.at ?? null,
    pausedSeconds: s.pausedSeconds,
    pauses: s.pauses.length,
    recordingKey: s.recordingKey,
    manifestKey: s.manifestKey,
    redriveCount: s.redrive.count,
  };
}

const sortedByCount = (m: Map<string, number>) => Object.fromEntries([...m].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])));

export function totals(rows: AuditRow[]): AuditTotals {
  const byOutcome = new Map<string, number>();
  const byConsent = new Map<string, number>();
  const errors = new Map<string, { attempts: number; calls: number }>();
  let retriedCalls = 0;
  let recoveredCalls = 0;
  for (const r of rows) {
    byOutcome.set(r.outcome, (byOutcome.get(r.outcome) ?? 0) + 1);
    if (r.consentNotice) byConsent.set(r.consentNotice, (byConsent.get(r.consentNotice) ?? 0) + 1);
    const seen = new Set<string>();
    for (const a of r.attempts) {
      if (!a.error) continue;
      const e = errors.get(a.error) ?? { attempts: 0, calls: 0 };
      e.attempts++;
      if (!seen.has(a.error)) e.calls++;
      seen.add(a.error);
      errors.set(a.error, e);
    }
    if (r.startAttempts > 1) {
      retriedCalls++;
      if (r.outcome === 'RECORDED') recoveredCalls++;
    }
  }
  return {
    calls: rows.length,
    byOutcome: sortedByCount(byOutcome),
    byStartError: Object.fromEntries([...errors].sort((a, b) => b[1].attempts - a[1].attempts || a[0].localeCompare(b[0]))),
    byConsentNotice: sortedByCount(byConsent),
    retriedCalls,
    recoveredCalls,
  };
}

const CSV_HEADER = [
  'transaction_id',
  'call_id',
  'execution_name',
  'status',
  'outcome',
  'start_date',
  'stop_date',
  'start_attempts',
  'start_errors',
  'consent_notice',
  'consent_notice_at',
  'paused_seconds',
  'pauses',
  'recording_key',
  'manifest_key',
  'redrive_count',
];

function csvRows(rows: AuditRow[]): unknown[][] {
  return rows.map((r) => [
    r.transactionId,
    r.callId,
    r.executionName,
    r.status,
    r.outcome,
    r.startDate,
    r.stopDate,
    r.startAttempts,
    r.startErrors,
    r.consentNotice,
    r.consentNoticeAt,
    r.pausedSeconds,
    r.pauses,
    r.recordingKey,
    r.manifestKey,
    r.redriveCount,
  ]);
}

export function totalsText(t: AuditTotals): string {
  const pct = (n: number) => (t.calls ? `${((100 * n) / t.calls).toFixed(1)}%` : '-');
  const parts = [
    `Totals per outcome (${t.calls} calls)`,
    table(
      ['outcome', 'calls', 'share'],
      Object.entries(t.byOutcome).map(([k, n]) => [k, String(n), pct(n)]),
    ),
    '',
    'Totals per start error',
    Object.keys(t.byStartError).length
      ? table(
          ['error', 'attempts', 'calls'],
          Object.entries(t.byStartError).map(([k, v]) => [k, String(v.attempts), String(v.calls)]),
        )
      : '(no start attempt ended with an error)',
    '',
    `Consent notice: ${
      Object.entries(t.byConsentNotice)
        .map(([k, n]) => `${k} ${n}`)
        .join(', ') || '-'
    }`,
    `Retried: ${t.retriedCalls} call(s) needed more than one start attempt; ${t.recoveredCalls} of them ended RECORDED.`,
  ];
  return parts.join('\n');
}

function rowsTable(rows: AuditRow[]): string {
  return table(
    ['transaction', 'outcome', 'started', 'attempts', 'start errors', 'consent notice', 'paused', 'recording key'],
    rows.map((r) => [
      r.transactionId ?? r.executionName,
      r.outcome,
      r.startDate ?? '-',
      String(r.startAttempts),
      r.startErrors || '-',
      r.consentNotice ? `${r.consentNotice}${r.consentNoticeAt ? ` ${r.consentNoticeAt}` : ''}` : '-',
      r.pauses ? `${r.pausedSeconds ?? '?'} s (${r.pauses})` : '-',
      r.recordingKey ?? '-',
    ]),
  );
}

/** Every execution started in [since, until), newest first. */
async function listPeriod(
  ctx: CommandContext,
  stateMachineArn: string,
  opts: AuditOptions,
  progress: (text: string) => void,
): Promise<ExecutionListItem[]> {
  const { sfn } = ctx.connection();
  const found: ExecutionListItem[] = [];
  let nextToken: string | undefined;
  let listed = 0;
  do {
    const page = await sfn.send(new ListExecutionsCommand({ stateMachineArn, maxResults: opts.pageSize, nextToken }));
    nextToken = page.nextToken;
    for (const e of page.executions ?? []) {
      listed++;
      const t = e.startDate?.getTime() ?? 0;
      if (opts.since && t < opts.since.getTime()) {
        nextToken = undefined; // newest first: everything after this is older still
        break;
      }
      if (opts.until && t >= opts.until.getTime()) continue;
      found.push(e);
    }
    progress(`listing executions: ${listed} listed, ${found.length} in the period`);
  } while (nextToken);
  return found;
}

export async function runAudit(ctx: CommandContext, opts: AuditOptions): Promise<number> {
  const conn = ctx.connection();
  const stateMachineArn = requireStateMachineArn(conn);
  const format: AuditFormat = opts.json || (ctx.globals.json && !opts.format) ? 'json' : (opts.format ?? 'table');
  const live = ctx.io.stderr.isTTY === true;
  const progress = (text: string) => {
    if (live) ctx.io.stderr.write(`\r${text}\x1b[K`);
  };

  const listed = await listPeriod(ctx, stateMachineArn, opts, progress);
  const summaries = await mapPool(
    listed,
    opts.concurrency ?? 8,
    // The history is read only for closed executions without a summary (ABORTED, TIMED_OUT, uncaught errors):
    // few, and their attempts are otherwise unknown. Running calls may be many and are still changing.
    (e) => describeCall(conn.sfn, e.executionArn!, { history: e.status !== 'RUNNING' }),
    (done) => progress(`describing executions: ${done}/${listed.length}`),
  );
  if (live) ctx.io.stderr.write('\r\x1b[K');

  const wanted = opts.outcome?.length ? new Set(opts.outcome) : undefined;
  // Calls only: the Reconcile branch's executions (a recording's S3 event) amend a call's manifest, they are not calls.
  const rows = summaries
    .filter((s) => !s.reconcile)
    .map(toRow)
    .filter((r) => !wanted || wanted.has(r.outcome));
  // Oldest first reads like a log; ListExecutions gave newest first.
  rows.sort((a, b) => (a.startDate ?? '').localeCompare(b.startDate ?? '') || a.executionName.localeCompare(b.executionName));
  if (opts.holds) await attachHolds(conn, summaries, rows, opts.concurrency ?? 8);
  const t = totals(rows);
  const period = { since: opts.since ? iso(opts.since) : null, until: opts.until ? iso(opts.until) : null };

  if (format === 'json') {
    ctx.out(toJson({ stateMachineArn, period, outcomeFilter: opts.outcome ?? null, calls: rows, totals: t }));
  } else if (format === 'csv') {
    ctx.io.stdout.write(scrubText(csv(CSV_HEADER, csvRows(rows))));
    // Totals would break the CSV's one-row-per-call shape: they go to stderr for the operator.
    ctx.err(totalsText(t));
  } else {
    const head = `Recording audit of ${stateMachineArn}\nPeriod: ${period.since ?? 'any'} .. ${period.until ?? 'now'}${opts.outcome ? `, outcome ${opts.outcome.join(' | ')}` : ''}: ${rows.length} call(s)`;
    ctx.out(scrubText(`${head}\n\n${rows.length ? `${rowsTable(rows)}\n\n` : ''}${opts.holds ? holdsText(rows) : ''}${totalsText(t)}`));
  }
  return EXIT_OK;
}
