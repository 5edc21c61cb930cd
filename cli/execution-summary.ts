/**
 * One call's audit record from DescribeExecution. The workflow ends every path with the same summary
 * document: the execution output of the Succeed states (RECORDED, NOT_RECORDED) and the Cause of the Fail
 * states (START_FAILED, RECORDING_MISSING, RECORDING_INVALID, RECORDING_UNVERIFIED), so one parser serves both. INVALID_INPUT's
 * Cause is plain text (the problems found); RUNNING, ABORTED and TIMED_OUT executions have no summary and
 * are completed from the history (execution-history.ts).
 */
import { DescribeExecutionCommand, type DescribeExecutionCommandOutput, type SFNClient } from '@aws-sdk/client-sfn';
import { ALL_OUTCOMES, FAILED_OUTCOMES } from '../statemachines/outcomes';
import { parseJsonObject, type ConsentNotice, type ControlRecord, type PauseWindow, type StartAttempt } from '../statemachines/summary';
import { currentState, fetchHistory, reconstructFromHistory } from './execution-history';

export const KNOWN_OUTCOMES: readonly string[] = ALL_OUTCOMES;
/** Outcomes that end in a Fail state (a redrive re-enters that Fail state: see cli/commands/redrive.ts). */
export const FAIL_STATE_OUTCOMES: readonly string[] = FAILED_OUTCOMES;

export type { ConsentNotice, StartAttempt } from '../statemachines/summary';

export interface ExecutionSummary {
  executionArn: string;
  name: string;
  status: string;
  startDate?: string;
  stopDate?: string;
  sipMediaApplicationId?: string;
  transactionId?: string;
  callId?: string;
  track?: string;
  location?: string;
  /** The named outcome (a state name of the workflow), or null when the execution has none (yet). */
  outcome: string | null;
  /** Error and cause of a FAILED / TIMED_OUT / ABORTED execution (cause only when it is not the summary). */
  error?: string;
  cause?: string;
  startAttempts: StartAttempt[];
  /** Where the attempts come from: the workflow's own summary, or a reconstruction from the history. */
  detailsFrom: 'summary' | 'history' | 'none';
  consentNotice: ConsentNotice | null;
  recordingKey: string | null;
  manifestKey: string | null;
  manifestError?: unknown;
  verification?: {
    passed?: boolean;
    failedChecks?: Array<{ check: string; actual?: unknown; expected?: unknown }>;
    landed?: boolean;
    error?: string;
  };
  /** Pause windows, recording controls and their total paused time (issue 11), from the summary. */
  pauses: PauseWindow[];
  controls: ControlRecord[];
  pausedSeconds: number | null;
  /** The state the execution is in (RUNNING), or the one it stopped in. */
  currentState?: string;
  redrive: { count: number; status?: string; reason?: string; date?: string };
  /** An execution of the Reconcile branch (started by a recording's S3 event, issue 22), not of a call. */
  reconcile?: boolean;
}

const parseJson = parseJsonObject as (text: string | undefined) => Record<string, any> | undefined;

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

export function summarize(d: DescribeExecutionCommandOutput | Record<string, any>): ExecutionSummary {
  const status = d.status ?? 'UNKNOWN';
  const input = parseJson(d.input) ?? {};
  const summary = status === 'SUCCEEDED' ? parseJson(d.output) : status === 'FAILED' ? parseJson(d.cause) : undefined;
  const hasSummary = summary !== undefined && 'outcome' in summary;
  let outcome: string | null = null;
  if (hasSummary && typeof summary.outcome === 'string') outcome = summary.outcome;
  else if (status === 'FAILED' && d.error && KNOWN_OUTCOMES.includes(d.error)) outcome = d.error;
  const verification = summary?.verification;
  return {
    executionArn: d.executionArn!,
    name: d.name!,
    status,
    startDate: d.startDate ? new Date(d.startDate).toISOString() : undefined,
    stopDate: d.stopDate ? new Date(d.stopDate).toISOString() : undefined,
    sipMediaApplicationId: str(input.sipMediaApplicationId),
    transactionId: str(input.transactionId),
    callId: str(input.callId),
    track: str(input.track),
    location: str(input.location),
    outcome,
    error: status === 'SUCCEEDED' ? undefined : (d.error ?? undefined),
    cause: status === 'SUCCEEDED' || hasSummary ? undefined : (d.cause ?? undefined),
    startAttempts: hasSummary && Array.isArray(summary.startAttempts) ? summary.startAttempts : [],
    detailsFrom: hasSummary ? 'summary' : 'none',
    consentNotice: hasSummary && summary.consentNotice ? summary.consentNotice : null,
    recordingKey: str(summary?.recordingKey) ?? null,
    manifestKey: str(summary?.manifestKey) ?? null,
    manifestError: summary?.manifestError ?? undefined,
    pauses: hasSummary && Array.isArray(summary.pauses) ? summary.pauses : [],
    controls: hasSummary && Array.isArray(summary.controls) ? summary.controls : [],
    pausedSeconds: hasSummary && typeof summary.pausedSeconds === 'number' ? summary.pausedSeconds : null,
    verification:
      verification && typeof verification === 'object'
        ? {
            passed: verification.passed,
            landed: verification.landed,
            error: verification.error,
            failedChecks: Array.isArray(verification.checks)
              ? verification.checks
                  .filter((c: any) => c?.passed === false)
                  .map((c: any) => ({ check: String(c.check), actual: c.actual, expected: c.expected }))
              : undefined,
          }
        : undefined,
    ...(input.landed !== undefined ? { reconcile: true } : {}),
    redrive: {
      count: d.redriveCount ?? 0,
      status: d.redriveStatus,
      reason: d.redriveStatusReason,
      date: d.redriveDate ? new Date(d.redriveDate).toISOString() : undefined,
    },
  };
}

/** The key an execution is counted under in reports: its outcome, else its status (RUNNING, ABORTED, ...) or error. */
export function outcomeKey(s: ExecutionSummary): string {
  if (s.outcome) return s.outcome;
  if (s.status === 'FAILED' && s.error) return s.error;
  return s.status;
}

export interface DescribeOptions {
  /** Read the history when the execution has no summary (RUNNING, ABORTED, TIMED_OUT, uncaught errors). */
  history?: boolean;
}

export async function describeCall(
  sfn: SFNClient,
  executionArn: string,
  options: DescribeOptions = { history: true },
): Promise<ExecutionSummary> {
  const described = await sfn.send(new DescribeExecutionCommand({ executionArn }));
  const s = summarize(described);
  if (options.history && (s.detailsFrom === 'none' || s.status === 'RUNNING')) {
    const events = await fetchHistory(sfn, executionArn, { includeExecutionData: false });
    const fromHistory = reconstructFromHistory(events);
    s.currentState = currentState(events);
    if (s.detailsFrom === 'none') {
      s.startAttempts = fromHistory.startAttempts;
      s.consentNotice = fromHistory.consentNotice;
      s.detailsFrom = 'history';
    }
  }
  return s;
}
