/**
 * What the console's JSON routes return: shared by the server (local/console/) and the page (this folder),
 * so both sides agree on one shape. No DOM and no Node types here: both tsconfigs compile it. The rows are the
 * CLI's own (cli/rows.ts, types only), so the audit, the history and the page cannot drift apart.
 */
import type { AuditRow, TimelineRow } from '../../../cli/rows';
import type { CallFlow } from '../../scenario/call-flow';

export type { CallFlow, CallFlowAction } from '../../scenario/call-flow';

export interface Point {
  x: number;
  y: number;
}

export interface GraphNode {
  /** The state's name (unique in a flat definition). */
  id: string;
  /** ASL Type: Task, Choice, Pass, Wait, Succeed, Fail. */
  type: string;
  /** Centre of the box. */
  x: number;
  y: number;
  width: number;
  height: number;
  start: boolean;
  /** Ends the execution (Succeed, Fail, or End: true). */
  terminal: boolean;
  /** The state has a Retry block (its retries are visible as counts on it). */
  retries: boolean;
}

export interface GraphEdge {
  from: string;
  to: string;
  /** How the definition gets there: next, default, choice, catch (several when two fields lead to the same state). */
  kinds: string[];
  points: Point[];
}

export interface Graph {
  width: number;
  height: number;
  nodes: GraphNode[];
  edges: GraphEdge[];
}

/** The path one execution took, read from its history. */
export interface TakenPath {
  /** States in the order they were entered (a state entered twice appears twice). */
  sequence: string[];
  /** Times each state was entered. */
  visits: Record<string, number>;
  /** Times each transition "From->To" was taken. */
  transitions: Record<string, number>;
  /** Retries of a state's task within its visits (TaskScheduled after the first of a visit). */
  retries: Record<string, number>;
  /** Task failures and timeouts per state (retried or caught). */
  failures: Record<string, number>;
  /** The state entered last and not exited (RUNNING), if any. */
  current?: string;
}

export const transitionKey = (from: string, to: string) => `${from}->${to}`;

/** One row of the executions list: the audit's row (cli/commands/audit.ts toRow), scrubbed. */
export type ExecutionRow = AuditRow;

export interface ExecutionsResponse {
  stateMachineArn: string;
  rows: ExecutionRow[];
  /** Calls per outcome key (outcome, else status). */
  byOutcome: Record<string, number>;
  byStatus: Record<string, number>;
  running: number;
}

export type TimelineRowView = TimelineRow;

export interface ExecutionResponse {
  row: ExecutionRow;
  location: string | null;
  currentState?: string;
  error?: string;
  cause?: string;
  verification?: unknown;
  path: TakenPath;
  /** The history table (cli/commands/history.ts timeline: task tokens redacted, phones masked). */
  timeline: TimelineRowView[];
  /** The events themselves, scrubbed the same way, one per timeline row (each row's expandable details). */
  events: unknown[];
  /** The recording object is in S3 (HeadObject): RECORDING_MISSING has a key but no object. */
  hasRecording: boolean;
  hasManifest: boolean;
  /** What the caller lived through (the twin's SMA emulator: local/scenario/call-flow.ts); null when unknown. */
  callFlow: CallFlow | null;
}
