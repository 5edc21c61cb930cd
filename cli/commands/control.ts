/**
 * `pause | resume | stop <call>`: asks the call's recording workflow to pause, resume or stop the recording
 * (issue 11), then waits for the workflow's decision in its history: the `controls` entry with this request's
 * id (assignedVariables of the state that decided it). Idempotent: a pause while paused is reported (exit 0),
 * not sent. The request goes through UpdateSipMediaApplicationCall like any application's
 * (lambdas/shared/recording-control.ts), so the SMA Lambda and the workflow handle it the same way.
 */
import { randomUUID } from 'node:crypto';
import { userInfo } from 'node:os';
import { DescribeExecutionCommand } from '@aws-sdk/client-sfn';
import { requestRecordingControl } from '../../lambdas/shared/recording-control';
import { CONTROL_ID, type ControlAction } from '../../lambdas/shared/workflow-contract';
import type { ControlRecord } from '../../statemachines/summary';
import type { CommandContext } from '../context';
import { CliError, EXIT_FAILED, EXIT_OK, usageError } from '../errors';
import { detailsOf, findNewest } from '../execution-history';
import { resolveExecutionArn } from '../execution-ref';
import { toJson } from '../format';
import { pollUntil } from '../wait';
import { chimeClientFor } from '../clients';

export interface ControlOptions {
  by?: string;
  wait?: number | boolean;
  json?: boolean;
}

export const DEFAULT_CONTROL_WAIT_SECONDS = 30;

/** Who asks, by default: the operator's login, as the audit shows it. */
function defaultRequester(): string {
  let name = 'unknown';
  try {
    name = userInfo().username;
  } catch {
    // no user database entry (a container): "unknown"
  }
  return `cli:${name.replace(/[^A-Za-z0-9._@+-]/g, '_')}`.slice(0, 128);
}

export async function runControl(ctx: CommandContext, action: ControlAction, ref: string, opts: ControlOptions): Promise<number> {
  const requestedBy = opts.by ?? defaultRequester();
  if (!CONTROL_ID.test(requestedBy))
    throw usageError(`--by: must be 1-128 letters, digits or . _ : @ + / -, got ${JSON.stringify(requestedBy)}`);
  const conn = ctx.connection();
  const executionArn = resolveExecutionArn(ref, conn);
  const d = await conn.sfn.send(new DescribeExecutionCommand({ executionArn }));
  if (d.status !== 'RUNNING')
    throw new CliError(`the recording workflow of this call is ${d.status}: the call is over, nothing to ${action.toLowerCase()}`);
  const input = JSON.parse(d.input ?? '{}') as { sipMediaApplicationId?: string; transactionId?: string };
  if (!input.sipMediaApplicationId || !input.transactionId)
    throw new CliError('the execution input names no SIP media application / transaction');
  const requestId = randomUUID();
  const chime = chimeClientFor(conn);
  try {
    await requestRecordingControl(chime, {
      sipMediaApplicationId: input.sipMediaApplicationId,
      transactionId: input.transactionId,
      action,
      requestedBy,
      requestId,
    });
  } catch (e) {
    if ((e as Error).name === 'NotFoundException')
      throw new CliError(`the call is over (UpdateSipMediaApplicationCall: NotFoundException)`);
    throw e;
  } finally {
    chime.destroy();
  }
  const waitSeconds = opts.wait === false ? 0 : typeof opts.wait === 'number' ? opts.wait : DEFAULT_CONTROL_WAIT_SECONDS;
  const base = { action, requestId, requestedBy, transactionId: input.transactionId, executionArn };
  if (waitSeconds === 0) {
    ctx.out(
      opts.json || ctx.globals.json
        ? toJson({ ...base, result: 'SENT' })
        : `${action} sent (request ${requestId}); not waiting for the workflow`,
    );
    return EXIT_OK;
  }
  const record = await waitForDecision(ctx, executionArn, requestId, waitSeconds);
  ctx.out(opts.json || ctx.globals.json ? toJson({ ...base, ...record }) : describe(action, record));
  return record.result === 'APPLIED' || record.result === 'NOT_APPLIED' ? EXIT_OK : EXIT_FAILED;
}

/** The workflow's record of the request: the `controls` entry with its id, from the history's assignedVariables. */
async function waitForDecision(ctx: CommandContext, executionArn: string, requestId: string, seconds: number): Promise<ControlRecord> {
  const conn = ctx.connection();
  return pollUntil(
    seconds,
    2000,
    async () => {
      // `controls` is only ever appended to, so its newest assignment holds every decision so far; the newest
      // event of an execution that is over is its end.
      let ended = false;
      const raw = await findNewest(conn.sfn, executionArn, (e) => {
        if (
          e.type === 'ExecutionSucceeded' ||
          e.type === 'ExecutionFailed' ||
          e.type === 'ExecutionAborted' ||
          e.type === 'ExecutionTimedOut'
        )
          ended = true;
        const controls = detailsOf(e)?.assignedVariables?.controls;
        return typeof controls === 'string' ? controls : undefined;
      });
      const found = raw === undefined ? undefined : (JSON.parse(raw) as ControlRecord[]).find((c) => c.requestId === requestId);
      if (found) return found;
      if (ended) throw new CliError(`the workflow ended without applying request ${requestId} (the call ended first)`);
      return undefined;
    },
    () => new CliError(`no decision from the workflow within ${seconds} s for request ${requestId}; it may still come: see \`status\``),
  );
}

function describe(action: ControlAction, c: ControlRecord): string {
  const who = `requested by ${c.requestedBy}, request ${c.requestId}`;
  switch (c.result) {
    case 'APPLIED':
      return `${action} applied at ${c.at} on leg ${c.leg} (${who})`;
    case 'NOT_APPLIED':
      return `${action} not needed: ${c.reason} (${who})`;
    case 'FAILED':
      return `${action} refused by the SMA: ${c.error}${c.cause ? `: ${c.cause}` : ''} (${who})`;
    case 'UNKNOWN':
      return `${action} result unknown (${c.unknownBecause}); settled as stopped from ${c.stoppedAt} (${c.settledBy}) (${who})`;
    default:
      return `${action} not applied: ${c.result}${c.error ? ` (${c.error})` : ''} (${who})`;
  }
}
