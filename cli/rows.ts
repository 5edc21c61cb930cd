/**
 * The rows the CLI prints and the console's page shows: one call of the audit, one event of a timeline. Types
 * only, importing nothing with a runtime (the console's browser code takes them too, see
 * local/console/web/types.ts), so the server that fills them and the page that reads them cannot drift.
 */
import type { StartAttempt } from '../statemachines/summary';

/** One call of the audit (cli/commands/audit.ts toRow). */
export interface AuditRow {
  transactionId: string | null;
  callId: string | null;
  executionName: string;
  executionArn: string;
  status: string;
  outcome: string;
  startDate: string | null;
  stopDate: string | null;
  startAttempts: number;
  startErrors: string;
  attempts: StartAttempt[];
  consentNotice: string | null;
  consentNoticeAt: string | null;
  /** Seconds the recording was paused (null when the workflow's summary does not say), and the pause count. */
  pausedSeconds: number | null;
  pauses: number;
  recordingKey: string | null;
  manifestKey: string | null;
  redriveCount: number;
  /** The call's legal-hold records, oldest first (audit --holds; the console's audit reads them too). */
  holds?: HoldRow[];
}

/** One hold or release of a call (cli/call-objects.ts holdRecordsOf). */
export interface HoldRow {
  action: 'HOLD' | 'RELEASE';
  at: string;
  by: string;
  reason: string;
  versions: number;
  key: string;
}

/** One event of an execution's timeline (cli/commands/history.ts timeline). */
export interface TimelineRow {
  id: number;
  /** ms since the first event */
  offsetMs: number;
  timestamp: string;
  type: string;
  state?: string;
  detail: string;
}
