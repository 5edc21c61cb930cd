/**
 * The SMA Lambda, assembled on @middy/core: parse -> handle -> always a valid SMA response.
 * The SMA hangs up a call whose Lambda throws (4XX retried once, then SIP 480) or does not answer within
 * 5 s, so nothing escapes: a malformed event, a bug or a slow dependency yields an empty action list with the
 * TransactionAttributes untouched (field omitted = kept), and the cause is logged and counted.
 */
import middy from '@middy/core';
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { SFNClient, type SFNClientConfig } from '@aws-sdk/client-sfn';
import type { Context } from 'aws-lambda';
import { logSafe, logSafeId } from '../shared/mask';
import { handleCallEvent } from './call-events';
import type { SmaLambdaConfig } from './config';
import { MalformedEventError, parseSmaEvent } from './sma-event';
import { respond, type SmaResponse } from './sma-response';
import { TaskCallbacks } from './task-callbacks';
import { WorkflowStarter } from './workflow-starter';

export interface HandlerDeps {
  config: SmaLambdaConfig;
  sfn?: SFNClient;
  logger?: Logger;
  metrics?: Metrics;
}

/** Answer this long before the Lambda's own timeout, with an empty action list, rather than not at all. */
export const TIMEOUT_EARLY_MS = 500;

/** `where` is for the local twin (endpoint, region, credentials); in AWS the SDK's defaults apply. */
export function createSfnClient(config: SmaLambdaConfig, where: Pick<SFNClientConfig, 'endpoint' | 'region' | 'credentials'> = {}): SFNClient {
  // Short bounds: a slow or unreachable Step Functions must not make the SMA wait past its 5 s.
  // throwOnRequestTimeout: without it @smithy/node-http-handler 4.x only logs a warning when requestTimeout
  // passes and keeps waiting (a hung endpoint then held every callback until middy's timeoutEarly).
  return new SFNClient({ ...where, maxAttempts: 2, requestHandler: { connectionTimeout: 500, requestTimeout: config.sfnRequestTimeoutMs, throwOnRequestTimeout: true } });
}

export function createHandler(deps: HandlerDeps) {
  const { config } = deps;
  const logger = deps.logger ?? new Logger({ serviceName: config.serviceName });
  // Metrics' own warnings (e.g. nothing to publish) go through the Logger, so its level applies to them.
  const metrics = deps.metrics ?? new Metrics({ namespace: config.metricsNamespace, serviceName: config.serviceName, logger });
  const sfn = deps.sfn ?? createSfnClient(config);
  const callbacks = new TaskCallbacks(sfn, logger, metrics);
  const starter = config.autoRecord ? new WorkflowStarter(sfn, config.autoRecord.stateMachineArn, logger, metrics) : undefined;
  for (const problem of config.problems) logger.error('configuration problem', { problem });

  const core = async (raw: unknown): Promise<SmaResponse> => {
    let event;
    try {
      event = parseSmaEvent(raw);
    } catch (e) {
      if (!(e instanceof MalformedEventError)) throw e;
      logger.error('malformed SMA event answered with an empty action list', { reason: logSafe(e.message, 1024), problems: e.problems.slice(0, 20).map((p) => logSafe(p, 256)) });
      metrics.addMetric('MalformedEvents', MetricUnit.Count, 1);
      return respond();
    }
    logger.appendKeys({ transactionId: logSafeId(event.CallDetails.TransactionId), sequence: event.Sequence, eventType: event.InvocationEventType });
    // One count per event: useful on its own, and no invocation publishes an empty EMF document.
    metrics.addMetric('SmaEvents', MetricUnit.Count, 1);
    return handleCallEvent(event, { config, callbacks, starter, log: logger, metrics });
  };

  return middy<unknown, SmaResponse, Error, Context>(core, {
    timeoutEarlyInMillis: TIMEOUT_EARLY_MS,
    timeoutEarlyResponse: () => {
      logger.error('answering early with an empty action list: the handler ran out of time');
      return respond();
    },
  })
    .use(injectLambdaContext(logger, { resetKeys: true, logEvent: false }))
    .use(logMetrics(metrics, { throwOnEmptyMetrics: false }))
    .use({
      onError: async (request) => {
        logger.error('handler error answered with an empty action list', { error: logSafe(request.error?.name), errorMessage: logSafe(String(request.error?.message ?? ''), 1024) });
        metrics.addMetric('HandlerErrors', MetricUnit.Count, 1);
        request.response = respond();
      },
    });
}
