/**
 * `status`: one call's audit record. The outcome comes from the workflow's summary (output, or the Fail
 * state's Cause); a running execution is described from its history (current state, attempts so far).
 */
import type { CommandContext } from '../context';
import { EXIT_OK } from '../errors';
import { resolveExecutionArn } from '../execution-ref';
import { describeCall } from '../execution-summary';
import { toJson } from '../format';
import { summaryText } from '../summary-text';

export async function runStatus(ctx: CommandContext, ref: string, opts: { json?: boolean }): Promise<number> {
  const conn = ctx.connection();
  const executionArn = resolveExecutionArn(ref, conn);
  const summary = await describeCall(conn.sfn, executionArn);
  ctx.out((opts.json ?? ctx.globals.json) ? toJson(summary) : summaryText(summary));
  return EXIT_OK;
}
