/**
 * The SIP media application's Lambda (lambdas/sma-handler/index.ts), bundled locally with esbuild: the
 * project's own call flow. What recording needs (grants, environment) is added by the CallRecording construct.
 *
 * - Node.js 24 (the newest runtime aws-cdk-lib 2.276 knows; cdk-nag L1 wants the newest of the family). Not
 *   NODEJS_LATEST: that constant moves with aws-cdk-lib upgrades, and a runtime change should be a reviewed diff.
 * - The AWS SDK v3 clients are bundled (externalModules: []) instead of using the runtime's copy: the code is
 *   tested against the versions pinned in package-lock.json, and the runtime's SDK changes without notice.
 * - No source maps: every Error.stack access would parse the map, and error paths are exactly where the
 *   handler must still answer the SMA well inside its 5 s. Structured logs name the failing step instead.
 * - Timeout 4 s: the SMA waits 5 s and then retries the invocation, so the function must give up first.
 * - No reserved concurrency: a cap would throttle calls (the SMA hangs up after 20 s without an answer).
 */
import { Duration, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { FunctionMetrics } from './operations';
import { join } from 'node:path';
import type { RecordingConfig } from './config';
import { acknowledge } from './nag';

export const PROJECT_ROOT = join(__dirname, '..');
export const SMA_HANDLER_ENTRY = join(PROJECT_ROOT, 'lambdas', 'sma-handler', 'index.ts');
export const SMA_RUNTIME = lambda.Runtime.NODEJS_24_X;

export interface SmaFunctionProps {
  readonly config: RecordingConfig;
  readonly logKey: kms.IKey;
  /** Override of the handler entry (tests); defaults to lambdas/sma-handler/index.ts. */
  readonly entry?: string;
}

export class SmaFunction extends Construct {
  readonly function: nodejs.NodejsFunction;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;
  /** Where the handler's Powertools metrics go (the alarms on the recording middleware's counts read them). */
  readonly metrics: FunctionMetrics;

  constructor(scope: Construct, id: string, props: SmaFunctionProps) {
    super(scope, id);
    const { config } = props;

    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: config.logRetentionDays as logs.RetentionDays,
      encryptionKey: props.logKey,
    });

    // Own role instead of the default one: the default attaches the AWSLambdaBasicExecutionRole managed policy,
    // which may write to any log group in the account.
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'SMA Lambda: completes recording-workflow task tokens and starts recording workflows',
    });
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'WriteOwnLogs',
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [this.logGroup.logGroupArn],
      }),
    );
    // The recording grants and environment (STATE_MACHINE_ARN, AUTO_RECORD, RECORDING_*, CONSENT_TEXT) come
    // from the CallRecording construct (infra/construct/), as for any user's own SMA function.
    this.metrics = { namespace: `${Stack.of(this).stackName}/SmaHandler`, service: 'sma-handler' };
    const environment: Record<string, string> = {
      POWERTOOLS_SERVICE_NAME: this.metrics.service,
      POWERTOOLS_METRICS_NAMESPACE: this.metrics.namespace,
      POWERTOOLS_LOG_LEVEL: config.powertoolsLogLevel,
    };
    if (Object.keys(config.bridgeRoutes).length > 0) environment.BRIDGE_ROUTES = JSON.stringify(config.bridgeRoutes);

    this.function = new nodejs.NodejsFunction(this, 'Function', {
      entry: props.entry ?? SMA_HANDLER_ENTRY,
      handler: 'handler',
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: join(PROJECT_ROOT, 'package-lock.json'),
      runtime: SMA_RUNTIME,
      architecture: lambda.Architecture.ARM_64,
      memorySize: 512,
      timeout: Duration.seconds(4),
      tracing: lambda.Tracing.ACTIVE,
      role: this.role,
      logGroup: this.logGroup,
      environment,
      description: 'Amazon Chime SDK SIP media application handler: call events, recording commands, task callbacks',
      bundling: {
        forceDockerBundling: false, // esbuild from node_modules: no Docker, works offline
        minify: true,
        sourceMap: false,
        target: 'node24',
        format: nodejs.OutputFormat.CJS,
        externalModules: [],
        bundleAwsSDK: true,
        // ES module builds first: esbuild tree-shakes them (SDK, Powertools), 559 KB -> ~400 KB and a third
        // less cold start (npm run bench). Keep in step with scripts/bundle.mjs.
        mainFields: ['module', 'main'],
      },
    });

    // CDK adds the X-Ray statement to the role's default policy when tracing is ACTIVE.
    acknowledge(
      this.role,
      'AwsSolutions-IAM5[Resource::*]',
      'xray:PutTraceSegments and xray:PutTelemetryRecords (added by CDK for active tracing) have no resource type in the IAM service authorization reference, so "*" is the only Resource that works.',
    );
  }
}
