/**
 * `history`: an execution's events as a timeline, like the console's table view: offset from the start,
 * event type, the state it belongs to, and what matters about it (error and cause of failures, the command
 * and attempt of each StartRecording, retries of a state). TaskScheduled parameters carry the task token:
 * the table never prints parameters, and --json output has every token redacted (format.ts scrub).
 */
import type { HistoryEvent } from '@aws-sdk/client-sfn';
import type { CommandContext } from '../context';
import { EXIT_OK } from '../errors';
import { detailsOf, fetchHistory, withStateNames } from '../execution-history';
import { resolveExecutionArn } from '../execution-ref';
import { offset, oneLine, scrubText, table, toJson, truncate } from '../format';
import type { TimelineRow } from '../rows';

export interface HistoryCommandOptions {
  json?: boolean;
  pageSize?: number;
  wide?: boolean;
}

function parseObject(text: unknown): Record<string, any> | undefined {
  if (typeof text !== 'string') return undefined;
  try {
    const v = JSON.parse(text);
    return v && typeof v === 'object' ? v : undefined;
  } catch {
    return undefined;
  }
}

/** A Fail state's Cause here is the call's summary document: say what it says instead of dumping it. */
function causeText(cause: string | undefined, max: number): string {
  if (!cause) return '';
  const summary = parseObject(cause);
  if (summary && 'outcome' in summary) {
    const attempts = Array.isArray(summary.startAttempts) ? summary.startAttempts.length : 0;
    return `summary: outcome ${summary.outcome}, ${attempts} start attempt(s), consent ${summary.consentNotice?.status ?? '-'}`;
  }
  return truncate(oneLine(cause), max);
}

export function timeline(events: HistoryEvent[], wide = false): TimelineRow[] {
  const max = wide ? Infinity : 140;
  const t0 = events[0]?.timestamp?.getTime() ?? 0;
  // TaskScheduled count per visit of a state: a second one in the same visit is a Retry of that state.
  let scheduledInVisit = 0;
  return withStateNames(events).map(({ event, state }) => {
    const type = event.type ?? '?';
    const d = detailsOf(event) ?? {};
    let detail = '';
    if (type.endsWith('StateEntered')) scheduledInVisit = 0;
    switch (type) {
      case 'TaskScheduled': {
        scheduledInVisit++;
        const args = parseObject(d.parameters)?.Arguments;
        const what = [`${d.resourceType ?? ''}:${d.resource ?? ''}`];
        if (args && typeof args === 'object' && typeof args.command === 'string')
          what.push(`command ${args.command}${args.attempt ? `, attempt ${args.attempt}` : ''}`);
        if (scheduledInVisit > 1) what.push(`retry ${scheduledInVisit - 1}`);
        detail = what.join('  ');
        break;
      }
      case 'TaskFailed':
      case 'TaskTimedOut':
      case 'ExecutionFailed':
      case 'ExecutionTimedOut':
      case 'ExecutionAborted':
      case 'EvaluationFailed':
      case 'LambdaFunctionFailed':
        detail = [d.error ?? '', causeText(d.cause, max)].filter(Boolean).join(': ');
        if (type === 'EvaluationFailed' && d.location) detail += ` (at ${d.location})`;
        break;
      case 'ExecutionRedriven':
        detail = `redrive #${d.redriveCount ?? '?'}`;
        break;
      case 'ExecutionSucceeded': {
        const out = parseObject(d.output);
        if (out && 'outcome' in out) detail = `outcome ${out.outcome}`;
        break;
      }
    }
    return {
      id: event.id ?? 0,
      offsetMs: (event.timestamp?.getTime() ?? t0) - t0,
      timestamp: event.timestamp?.toISOString() ?? '',
      type,
      state,
      detail: scrubText(detail),
    };
  });
}

export async function runHistory(ctx: CommandContext, ref: string, opts: HistoryCommandOptions): Promise<number> {
  const conn = ctx.connection();
  const executionArn = resolveExecutionArn(ref, conn);
  const events = await fetchHistory(conn.sfn, executionArn, { pageSize: opts.pageSize, includeExecutionData: true });
  if (opts.json ?? ctx.globals.json) {
    ctx.out(
      toJson({
        executionArn,
        events: events.map((e) => ({ ...e, timestamp: e.timestamp?.toISOString() })),
        timeline: timeline(events, true),
      }),
    );
    return EXIT_OK;
  }
  const rows = timeline(events, opts.wide);
  ctx.out(
    `${executionArn}\n${events.length} events\n\n${table(
      ['#', 'offset', 'type', 'state', 'detail'],
      rows.map((r) => [String(r.id), offset(r.offsetMs), r.type, r.state ?? '', r.detail]),
    )}`,
  );
  return EXIT_OK;
}
