/**
 * `redrive`: RedriveExecution for a FAILED, TIMED_OUT or ABORTED execution. Step Functions continues it from
 * the state that did not succeed, with the same input, definition and ARN, and keeps what succeeded before.
 *
 * AWS's eligibility rule (API reference, RedriveExecution): the status is not SUCCEEDED (nor RUNNING), the
 * execution closed less than 14 days ago, it has not exceeded the one-year maximum open time, and its
 * history has fewer than 24,999 events. There is no exception for executions that failed in a Fail state:
 * they are REDRIVABLE, but the "unsuccessful step" is the Fail state itself, so the redrive re-enters it and
 * the execution fails again at once with the same error. Our outcomes START_FAILED, RECORDING_MISSING,
 * RECORDING_INVALID, RECORDING_UNVERIFIED (and INVALID_INPUT) are Fail states, reached after the workflow already caught and
 * audited the error: a redrive cannot retry the recording. The command refuses them unless --force.
 * A redrive is useful for ABORTED (StopExecution) and TIMED_OUT executions and uncaught errors
 * (States.Runtime, ...): the interrupted Task runs again, e.g. WaitForCallEnd of a call still in progress.
 */
import { randomUUID } from 'node:crypto';
import { RedriveExecutionCommand } from '@aws-sdk/client-sfn';
import type { CommandContext } from '../context';
import { CliError, EXIT_FAILED, EXIT_OK } from '../errors';
import { resolveExecutionArn } from '../execution-ref';
import { describeCall, FAIL_STATE_OUTCOMES } from '../execution-summary';
import { fields, iso, toJson } from '../format';
import { summaryText } from '../summary-text';
import { waitForClose } from '../wait';
import { DEFAULT_WAIT_SECONDS } from './start';

export interface RedriveOptions {
  force?: boolean;
  wait?: number | true;
  json?: boolean;
}

export const REDRIVE_HELP = `
Which executions can be redriven (AWS rule, RedriveExecution): status FAILED, TIMED_OUT or ABORTED,
closed less than 14 days ago, under the one-year maximum open time, fewer than 24,999 history events.
The redrive continues from the state that did not succeed, with the same input and ARN.

Our outcomes START_FAILED, RECORDING_MISSING, RECORDING_INVALID, RECORDING_UNVERIFIED and INVALID_INPUT are Fail states: AWS
allows redriving them, but the redrive re-enters the Fail state and the execution fails again at once
with the same outcome; the recording is not retried (the workflow already retried and audited it).
This command refuses those unless --force. Redrive is for executions that were ABORTED (StopExecution),
TIMED_OUT, or failed with an uncaught error (e.g. States.Runtime): the interrupted step runs again.
A call that is over cannot be recorded again; the audit manifest of the first run stays the record.

The local twin implements RedriveExecution with the same rules (14-day period, history limit, restart
from the state that did not succeed, state machine timeout reset).`;

export async function runRedrive(ctx: CommandContext, ref: string, opts: RedriveOptions): Promise<number> {
  const conn = ctx.connection();
  const executionArn = resolveExecutionArn(ref, conn);
  const json = opts.json ?? ctx.globals.json;
  const before = await describeCall(conn.sfn, executionArn, { history: false });

  if (before.status === 'RUNNING' || before.status === 'SUCCEEDED' || before.status === 'PENDING_REDRIVE') {
    throw new CliError(
      `cannot redrive ${executionArn}: it is ${before.status}${before.outcome ? ` (${before.outcome})` : ''}; only FAILED, TIMED_OUT and ABORTED executions can be redriven`,
    );
  }
  if (before.redrive.status === 'NOT_REDRIVABLE') {
    throw new CliError(`cannot redrive ${executionArn}: ${before.redrive.reason ?? 'Step Functions reports it NOT_REDRIVABLE'}`);
  }
  if (before.status === 'FAILED' && before.outcome && FAIL_STATE_OUTCOMES.includes(before.outcome) && !opts.force) {
    throw new CliError(
      `not redriving ${executionArn}: it ended in the Fail state ${before.outcome}. A redrive would re-enter that Fail state and fail again with the same outcome; it does not retry the recording. Pass --force to redrive anyway (see \`redrive --help\`).`,
    );
  }

  // clientToken makes a retried request (SDK retry, network blip) one redrive, not two.
  const res = await conn.sfn.send(new RedriveExecutionCommand({ executionArn, clientToken: randomUUID() }));

  const redriven = {
    redriven: true,
    executionArn,
    redriveDate: iso(res.redriveDate),
    previous: { status: before.status, outcome: before.outcome, error: before.error },
  };
  if (opts.wait !== undefined) {
    const seconds = opts.wait === true ? DEFAULT_WAIT_SECONDS : opts.wait;
    if (!json) ctx.err(`redriven ${executionArn} at ${iso(res.redriveDate)}; waiting up to ${seconds} s for it to finish...`);
    const after = await waitForClose(conn.sfn, executionArn, seconds);
    if (json) ctx.out(toJson({ ...redriven, summary: after }));
    else ctx.out(summaryText(after));
    return after.status === 'SUCCEEDED' ? EXIT_OK : EXIT_FAILED;
  }
  if (json) ctx.out(toJson(redriven));
  else
    ctx.out(
      `${fields([
        ['Redriven', executionArn],
        ['Redrive date', iso(res.redriveDate)],
        ['Was', `${before.status}${before.outcome ? ` (${before.outcome})` : before.error ? ` (${before.error})` : ''}`],
      ])}\nFollow it with: recording-workflow status ${before.transactionId ?? executionArn}`,
    );
  return EXIT_OK;
}
