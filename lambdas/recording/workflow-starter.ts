/**
 * Policy-driven recording: the Lambda starts the workflow itself for a new call. The execution name comes
 * from the TransactionId, so the SMA retrying an invocation (or an on-demand start for the same call) lands on
 * Step Functions' name idempotency instead of a second workflow.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import { MetricUnit, type Metrics } from '@aws-lambda-powertools/metrics';
import { executionNameFor } from '../shared/execution-name';
import { logSafeId } from '../shared/mask';
import { logSafeError } from '../shared/log-safe-error';
import type { RecordingRequest } from '../shared/recording-request';
import { clientOf, sfnSdk, type SfnSource } from './sfn-sdk';

export class WorkflowStarter {
  constructor(
    private readonly sfn: SfnSource,
    private readonly stateMachineArn: string,
    private readonly log: Logger,
    private readonly metrics: Metrics,
  ) {}

  async start(request: RecordingRequest): Promise<'started' | 'already-started' | 'failed'> {
    const name = executionNameFor(request.transactionId);
    try {
      const { StartExecutionCommand } = sfnSdk();
      await clientOf(this.sfn).send(
        new StartExecutionCommand({ stateMachineArn: this.stateMachineArn, name, input: JSON.stringify(request) }),
      );
      this.log.info('recording workflow started', { execution: logSafeId(name) });
      this.metrics.addMetric('WorkflowsStarted', MetricUnit.Count, 1);
      return 'started';
    } catch (e) {
      if ((e as Error).name === 'ExecutionAlreadyExists') {
        this.log.info('recording workflow already exists for this call', { execution: logSafeId(name) });
        return 'already-started';
      }
      this.log.error('could not start the recording workflow; the call goes on unrecorded', {
        execution: logSafeId(name),
        ...logSafeError(e),
      });
      this.metrics.addMetric('WorkflowStartFailures', MetricUnit.Count, 1);
      return 'failed';
    }
  }
}
