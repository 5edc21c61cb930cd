/**
 * The console's view of the executions, through the Step Functions API only (ListExecutions,
 * DescribeExecution, GetExecutionHistory) and the CLI's own readers of them: the same summary, audit row and
 * history timeline `recording-workflow status|audit|history` print, with task tokens redacted and phone
 * numbers masked by the CLI's scrub. A closed execution does not change until it is redriven, so its
 * description is kept and asked again only when the listing shows a new status, stop date or redrive count.
 */
import { ListExecutionsCommand, type ExecutionListItem, type SFNClient } from '@aws-sdk/client-sfn';
import { describeCall, type ExecutionSummary } from '../../cli/execution-summary';
import { fetchHistory } from '../../cli/execution-history';
import { timeline } from '../../cli/commands/history';
import { toRow } from '../../cli/commands/audit';
import { mapPool } from '../../cli/pool';
import { scrub } from '../../cli/format';
import { pathOf } from './path';
import type { CallFlow } from '../scenario/call-flow';
import type { ExecutionResponse, ExecutionRow, ExecutionsResponse } from './web/types';

/** Execution names as Step Functions allows them: the only thing a URL may name. */
export const EXECUTION_NAME_RE = /^[0-9A-Za-z_-]{1,80}$/;
/** DescribeExecution calls in flight at once (the CLI's audit uses a handful too: the API is throttled per account). */
const DESCRIBE_WIDTH = 8;

const countBy = (keys: string[]) => keys.reduce<Record<string, number>>((m, k) => ((m[k] = (m[k] ?? 0) + 1), m), {});

export class ExecutionReader {
  private readonly described = new Map<string, { version: string; summary: ExecutionSummary }>();

  constructor(
    private readonly sfn: SFNClient,
    readonly stateMachineArn: string,
    /** The call flow of an execution's call, when the page's host knows it (the twin's scenario run). */
    private readonly callFlow?: (executionName: string) => CallFlow | undefined,
  ) {}

  executionArn(name: string): string {
    if (!EXECUTION_NAME_RE.test(name)) throw new NotFound(`not an execution name: ${JSON.stringify(name)}`);
    return `${this.stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
  }

  async list(): Promise<ExecutionsResponse> {
    const items: ExecutionListItem[] = [];
    let nextToken: string | undefined;
    do {
      const page = await this.sfn.send(new ListExecutionsCommand({ stateMachineArn: this.stateMachineArn, maxResults: 1000, nextToken }));
      items.push(...(page.executions ?? []));
      nextToken = page.nextToken;
    } while (nextToken);
    const summaries = await mapPool(items, DESCRIBE_WIDTH, (item) => this.summary(item));
    const rows = summaries.map((s) => scrub(toRow(s)) as ExecutionRow);
    return {
      stateMachineArn: this.stateMachineArn,
      rows,
      byOutcome: countBy(rows.map((r) => r.outcome)),
      byStatus: countBy(rows.map((r) => r.status)),
      running: rows.filter((r) => r.status === 'RUNNING').length,
    };
  }

  private async summary(item: ExecutionListItem): Promise<ExecutionSummary> {
    const arn = item.executionArn!;
    const version = `${item.status}|${item.stopDate?.getTime() ?? ''}|${item.redriveCount ?? 0}`;
    const kept = this.described.get(arn);
    if (kept && kept.version === version) return kept.summary;
    // No history for the list: a running call's attempts would cost a GetExecutionHistory per poll (its page has them).
    const summary = await describeCall(this.sfn, arn, { history: false });
    if (summary.status !== 'RUNNING') this.described.set(arn, { version, summary });
    return summary;
  }

  /** One execution: its summary, history and path. The summary (with the keys of its S3 objects) is also returned unscrubbed for the audio and manifest routes. */
  async one(name: string): Promise<{ view: ExecutionResponse; summary: ExecutionSummary }> {
    const arn = this.executionArn(name);
    let summary: ExecutionSummary;
    try {
      summary = await describeCall(this.sfn, arn);
    } catch (e) {
      if ((e as Error).name === 'ExecutionDoesNotExist') throw new NotFound(`no execution named ${name}`, { cause: e });
      throw e;
    }
    const events = await fetchHistory(this.sfn, arn, { includeExecutionData: true });
    const view: ExecutionResponse = {
      row: scrub(toRow(summary)) as ExecutionRow,
      location: summary.location ?? null,
      currentState: summary.currentState,
      error: summary.error,
      cause: summary.cause,
      verification: summary.verification,
      path: pathOf(events),
      timeline: timeline(events, true),
      events: events.map((e) => ({ ...e, timestamp: e.timestamp?.toISOString() })),
      hasRecording: summary.recordingKey !== null, // whether it landed is the server's to ask S3 (HeadObject)
      hasManifest: summary.manifestKey !== null,
      callFlow: this.callFlow?.(name) ?? null,
    };
    return { view: scrub(view), summary };
  }
}

export class NotFound extends Error {
  override readonly name = 'NotFound';
}
