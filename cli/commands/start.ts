/**
 * `start`: on-demand recording of a live call. Validates with the same rules as the SMA Lambda and the
 * workflow's ValidateInput (lambdas/shared/recording-request.ts) so a bad request is refused here, with the
 * option named, instead of becoming an INVALID_INPUT execution. The execution is named after the
 * TransactionId: starting twice for one call cannot make two recordings.
 */
import { checkCaller } from './erase-input';
import { ExecutionAlreadyExists, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { executionNameFor } from '../../lambdas/shared/execution-name';
import { parseRecordingRequest, RecordingRequestError, type RecordingRequest } from '../../lambdas/shared/recording-request';
import { requireStateMachineArn } from '../clients';
import type { CommandContext } from '../context';
import { EXIT_FAILED, EXIT_OK, usageError } from '../errors';
import { executionArnFor } from '../execution-ref';
import { describeCall, type ExecutionSummary } from '../execution-summary';
import { fields, iso, toJson } from '../format';
import { summaryText } from '../summary-text';
import { waitForClose } from '../wait';

export interface StartOptions {
  smaId?: string;
  transactionId?: string;
  callId?: string;
  track: string;
  location?: string;
  consentText?: string;
  /** The caller's E.164 number: the workflow indexes the call under its HMAC for erasure requests (never printed). */
  caller?: string;
  wait?: number | true;
  json?: boolean;
}

/** Request field -> the option that sets it, so validation messages name what the operator typed. */
const OPTION_FOR: Record<string, string> = {
  sipMediaApplicationId: '--sma-id',
  transactionId: '--transaction-id',
  callId: '--call-id',
  track: '--track',
  location: '--location',
  consentText: '--consent-text',
};

export const DEFAULT_WAIT_SECONDS = 600;

export function buildRequest(opts: StartOptions, defaultSmaId?: string): RecordingRequest {
  const input: Record<string, unknown> = {
    sipMediaApplicationId: opts.smaId ?? defaultSmaId,
    transactionId: opts.transactionId,
    callId: opts.callId,
    track: opts.track,
    location: opts.location,
    ...(opts.consentText !== undefined ? { consentText: opts.consentText } : {}),
  };
  try {
    return parseRecordingRequest(input);
  } catch (e) {
    if (e instanceof RecordingRequestError) {
      const missing = input[e.field] === undefined;
      throw usageError(`${OPTION_FOR[e.field] ?? e.field} (${e.field}): ${missing ? 'is required' : e.reason}`, { cause: e });
    }
    throw e;
  }
}

const sameCall = (a: RecordingRequest, s: ExecutionSummary) =>
  s.transactionId === a.transactionId && s.callId === a.callId && s.sipMediaApplicationId === a.sipMediaApplicationId;

export async function runStart(ctx: CommandContext, opts: StartOptions): Promise<number> {
  const conn = ctx.connection();
  const request = buildRequest(opts, conn.local?.sipMediaApplicationId);
  const stateMachineArn = requireStateMachineArn(conn);
  const name = executionNameFor(request.transactionId);
  const executionArn = executionArnFor(stateMachineArn, request.transactionId);
  const json = opts.json ?? ctx.globals.json;

  let started = false;
  let startDate: Date | undefined;
  try {
    const input = opts.caller !== undefined ? { ...request, caller: checkCaller(opts.caller) } : request;
    const res = await conn.sfn.send(new StartExecutionCommand({ stateMachineArn, name, input: JSON.stringify(input) }));
    started = true;
    startDate = res.startDate;
  } catch (e) {
    if (!(e instanceof ExecutionAlreadyExists) && (e as Error).name !== 'ExecutionAlreadyExists') throw e;
  }

  if (!started) {
    // Name idempotency: an execution for this transaction exists (running with other input, or closed).
    const existing = await describeCall(conn.sfn, executionArn);
    const same = sameCall(request, existing);
    const differences = same
      ? (['track', 'location'] as const).filter((k) => existing[k] !== request[k]).map((k) => `${k} ${existing[k]} (not ${request[k]})`)
      : [];
    let note: string;
    if (same) {
      note = `a recording workflow already exists for this call (${existing.status}${existing.outcome ? `, ${existing.outcome}` : ''}): not started again`;
      if (differences.length) note += `; it uses ${differences.join(', ')}: the options given now were not applied`;
    } else if (existing.transactionId === request.transactionId) {
      const sma =
        existing.sipMediaApplicationId === request.sipMediaApplicationId ? '' : ` on SMA ${existing.sipMediaApplicationId ?? '?'}`;
      note = `transaction ${request.transactionId} already has a recording workflow for call ${existing.callId ?? '?'}${sma}, not for call ${request.callId}${sma ? ` on SMA ${request.sipMediaApplicationId}` : ''}: one execution per transaction (Step Functions keeps execution names 90 days), so this call cannot be started under that transaction id`;
    } else {
      note = `execution name ${name} is taken by transaction ${existing.transactionId ?? '?'} (names are derived from transaction ids, and both map to this name): not started`;
    }
    if (json) ctx.out(toJson({ started: false, alreadyExists: true, sameCall: same, note, executionArn, executionName: name, existing }));
    else ctx.out(`${same ? 'note' : 'error'}: ${note}\n\n${summaryText(existing)}`);
    return same ? EXIT_OK : EXIT_FAILED;
  }

  if (opts.wait !== undefined) {
    const seconds = opts.wait === true ? DEFAULT_WAIT_SECONDS : opts.wait;
    if (!json) ctx.err(`started ${executionArn}; waiting up to ${seconds} s for it to finish...`);
    const s = await waitForClose(conn.sfn, executionArn, seconds);
    if (json)
      ctx.out(toJson({ started: true, alreadyExists: false, executionArn, executionName: name, startDate: iso(startDate), summary: s }));
    else ctx.out(summaryText(s));
    // SUCCEEDED covers RECORDED and NOT_RECORDED (the call ended first): both are the workflow doing its job.
    return s.status === 'SUCCEEDED' ? EXIT_OK : EXIT_FAILED;
  }

  if (json)
    ctx.out(toJson({ started: true, alreadyExists: false, executionArn, executionName: name, startDate: iso(startDate), input: request }));
  else
    ctx.out(
      `${fields([
        ['Started', executionArn],
        ['Start date', iso(startDate)],
        ['Call', `${request.callId} (transaction ${request.transactionId}, SMA ${request.sipMediaApplicationId})`],
        ['Track', request.track],
        ['Location', request.location],
      ])}\nFollow it with: recording-workflow status ${request.transactionId}`,
    );
  return EXIT_OK;
}
