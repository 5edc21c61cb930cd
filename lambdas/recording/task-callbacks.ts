/**
 * Completing the workflow's task tokens. A callback that fails (token already used or timed out, throttling,
 * Step Functions unreachable) is logged and counted, never thrown: the call must go on, and the workflow's
 * own TimeoutSeconds turns a lost callback into a named outcome. Tokens are bearer credentials: they are
 * never logged; `what` names the task instead.
 */
import type { SendTaskFailureCommand, SendTaskSuccessCommand } from '@aws-sdk/client-sfn';
import type { Logger } from '@aws-lambda-powertools/logger';
import { MetricUnit, type Metrics } from '@aws-lambda-powertools/metrics';
import { logSafe } from '../shared/mask';
import { logSafeError } from '../shared/log-safe-error';
import { clientOf, sfnSdk, type SfnSource } from './sfn-sdk';

/** SendTaskFailure limits (Step Functions API reference). */
const MAX_ERROR = 256;
const MAX_CAUSE = 32768;
/** The token is spent or expired: expected after an SMA retry or a workflow timeout, not an incident. */
const STALE_TOKEN_ERRORS = new Set(['TaskTimedOut', 'TaskDoesNotExist', 'InvalidToken']);

export type CallbackResult = 'sent' | 'stale' | 'failed';

export class TaskCallbacks {
  constructor(
    /** The client, or how to make it on first use (the SDK then loads only when a callback is sent). */
    private readonly sfn: SfnSource,
    private readonly log: Logger,
    private readonly metrics: Metrics,
  ) {}

  succeed(taskToken: string, output: unknown, what: string): Promise<CallbackResult> {
    const { SendTaskSuccessCommand } = sfnSdk();
    return this.send(new SendTaskSuccessCommand({ taskToken, output: JSON.stringify(output) }), what, 'success');
  }

  fail(taskToken: string, error: string, cause: string, what: string): Promise<CallbackResult> {
    // Names starting with "States." are reserved for the service.
    const safeError = (error.startsWith('States.') ? `Sma.${error}` : error).slice(0, MAX_ERROR);
    const { SendTaskFailureCommand } = sfnSdk();
    return this.send(
      new SendTaskFailureCommand({ taskToken, error: safeError, cause: cause.slice(0, MAX_CAUSE) }),
      what,
      `failure ${safeError}`,
    );
  }

  private async send(command: SendTaskSuccessCommand | SendTaskFailureCommand, rawWhat: string, rawKind: string): Promise<CallbackResult> {
    // The task name and an ACTION_FAILED ErrorType in `kind` come from the event: masked like any event value.
    const what = logSafe(rawWhat);
    const kind = logSafe(rawKind, 300);
    try {
      // Two overloads of send(), one per command type.
      const sfn = clientOf(this.sfn);
      await (command instanceof sfnSdk().SendTaskSuccessCommand ? sfn.send(command) : sfn.send(command as SendTaskFailureCommand));
      this.log.info('task callback sent', { task: what, callback: kind });
      return 'sent';
    } catch (e) {
      const name = (e as Error).name;
      if (STALE_TOKEN_ERRORS.has(name)) {
        this.log.warn('task callback refused: token already used or timed out', { task: what, callback: kind, error: logSafe(name) });
        this.metrics.addMetric('StaleTaskCallbacks', MetricUnit.Count, 1);
        return 'stale';
      }
      // A service error may quote the token whole, truncated or escaped: every fragment of it is removed.
      this.log.error('task callback failed; the workflow will time out into a named outcome', {
        task: what,
        callback: kind,
        ...logSafeError(e, command.input.taskToken),
      });
      this.metrics.addMetric('FailedTaskCallbacks', MetricUnit.Count, 1);
      return 'failed';
    }
  }
}
