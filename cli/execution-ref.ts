/**
 * An operator knows a call by its SMA TransactionId (logs, CDRs, the SMA Lambda's output) more often than by
 * an execution ARN, so every command that names an execution takes either. The execution name is derived
 * from the TransactionId (lambdas/shared/execution-name.ts), which makes the ARN computable without a
 * ListExecutions scan: arn:PARTITION:states:REGION:ACCOUNT:execution:<machine name>:<execution name>.
 */
import { executionNameFor } from '../lambdas/shared/execution-name';
import { parseId } from '../lambdas/shared/recording-request';
import { EXECUTION_ARN_RE, STATE_MACHINE_ARN_RE, requireStateMachineArn, type Connection } from './clients';
import { usageError } from './errors';

export function executionArnFor(stateMachineArn: string, transactionId: string): string {
  const m = STATE_MACHINE_ARN_RE.exec(stateMachineArn);
  if (!m) throw usageError(`not a state machine ARN: ${stateMachineArn}`);
  const [, partition, region, account, name] = m;
  return `arn:${partition}:states:${region}:${account}:execution:${name}:${executionNameFor(transactionId)}`;
}

/** "transactionId or execution ARN" -> execution ARN. */
export function resolveExecutionArn(ref: string, conn: Connection): string {
  if (ref.startsWith('arn:')) {
    if (!EXECUTION_ARN_RE.test(ref))
      throw usageError(`not an execution ARN (arn:aws:states:REGION:ACCOUNT:execution:MACHINE:NAME): ${ref}`);
    return ref;
  }
  try {
    parseId(ref, 'transactionId');
  } catch (e) {
    throw usageError(`"${ref}" is neither an execution ARN nor a valid transactionId: ${(e as Error).message}`, { cause: e });
  }
  return executionArnFor(requireStateMachineArn(conn), ref);
}
