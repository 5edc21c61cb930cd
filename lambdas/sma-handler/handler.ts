/**
 * The standalone SMA Lambda (the one the project's stack deploys and the twin runs): the bridge application
 * (bridge-app.ts) under the recording middleware, assembled on @middy/core. The SMA hangs up a call whose
 * Lambda throws (4XX retried once, then SIP 480) or does not answer within 5 s, so nothing escapes: a malformed
 * event, a bug or a slow dependency yields an empty action list with the TransactionAttributes untouched
 * (field omitted = kept), and the cause is logged and counted.
 */
import middy from '@middy/core';
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import type { S3Client } from '@aws-sdk/client-s3';
import type { SFNClient } from '@aws-sdk/client-sfn';
import type { Context } from 'aws-lambda';
import { logSafeError } from '../shared/log-safe-error';
import { withRecording } from '../recording/middleware';
import { createSfnClient } from '../recording/middleware-core';
import { keep, type SmaResponse } from '../recording/sma-response';
import { createBridgeApp } from './bridge-app';
import type { SmaLambdaConfig } from './config';

export { createSfnClient };

export interface HandlerDeps {
  config: SmaLambdaConfig;
  sfn?: SFNClient;
  /** the hand-off mailbox's client (default: the middleware's own, made on first use) */
  s3?: S3Client;
  logger?: Logger;
  metrics?: Metrics;
}

/**
 * Answer this long before the Lambda's own timeout rather than not at all: with a NULL action set, which keeps the
 * actions in progress (invoke-on-call-leg; `[]` may replace them).
 */
export const TIMEOUT_EARLY_MS = 500;

export function createHandler(deps: HandlerDeps) {
  const { config } = deps;
  const logger = deps.logger ?? new Logger({ serviceName: config.serviceName });
  // Metrics' own warnings (e.g. nothing to publish) go through the Logger, so its level applies to them.
  const metrics = deps.metrics ?? new Metrics({ namespace: config.metricsNamespace, serviceName: config.serviceName, logger });
  // The plain wrapper inside middy: the recording's Step Functions calls run inside timeoutEarly, and the
  // shared Metrics are published by logMetrics after every invocation.
  // No client given: the middleware makes its own (createSfnClient) on first use, not at cold start.
  const core = withRecording(createBridgeApp({ config, log: logger, metrics }), {
    config,
    sfn: deps.sfn,
    s3: deps.s3,
    logger,
    metrics,
  }) as (event: unknown, context: Context) => Promise<SmaResponse>;

  return middy<unknown, SmaResponse, Error, Context>(core, {
    timeoutEarlyInMillis: TIMEOUT_EARLY_MS,
    timeoutEarlyResponse: () => {
      logger.error('answering early with a NULL action set: the handler ran out of time');
      return keep();
    },
  })
    .use(injectLambdaContext(logger, { resetKeys: true, logEvent: false }))
    .use(logMetrics(metrics, { throwOnEmptyMetrics: false }))
    .use({
      onError: async (request) => {
        logger.error('handler error answered with a NULL action set', {
          ...logSafeError(request.error),
        });
        metrics.addMetric('HandlerErrors', MetricUnit.Count, 1);
        request.response = keep();
      },
    });
}
