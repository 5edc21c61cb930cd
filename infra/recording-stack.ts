/**
 * The project's own deployable unit: the SMA Lambda (the bridge-routes application), a SIP media application
 * pointing at it, and call recording added by the CallRecording construct (infra/construct/), exactly as a
 * user adds it to their own SMA: the construct brings the bucket, workflow, grants, environment and operations.
 *
 * Dependency order (no cycles): bucket -> Lambda (env) -> SMA -> (bucket policy, Lambda invoke permission,
 * workflow role policy). The Lambda knows the state machine by its computed ARN only (see workflow.ts).
 */
import { Aws, CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import * as chime from 'aws-cdk-lib/aws-chime';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import type { RecordingConfig } from './config';
import { CallRecording } from './construct/call-recording';
import type { Operations } from './operations';
import { type RecordingBucket, VOICE_CONNECTOR_PRINCIPAL } from './recording-bucket';
import { SmaFunction } from './sma-function';
import { createTelemetryKey } from './telemetry-key';
import type { RecordingWorkflow } from './workflow';

export interface RecordingStackProps extends StackProps {
  readonly config: RecordingConfig;
  /** Override of the SMA handler entry (tests only). */
  readonly smaHandlerEntry?: string;
}

export class RecordingStack extends Stack {
  readonly recording: CallRecording;
  readonly storage: RecordingBucket;
  readonly workflow: RecordingWorkflow;
  readonly sma: SmaFunction;
  readonly sipMediaApplication: chime.CfnSipMediaApplication;
  /** arn:<partition>:chime:<region>:<account>:sma/<SipMediaApplicationId> */
  readonly sipMediaApplicationArn: string;
  readonly operations: Operations;

  constructor(scope: Construct, id: string, props: RecordingStackProps) {
    super(scope, id, props);
    const { config } = props;

    const telemetryKey = createTelemetryKey(this, 'TelemetryKey');
    this.sma = new SmaFunction(this, 'SmaHandler', { config, logKey: telemetryKey, entry: props.smaHandlerEntry });

    this.sipMediaApplication = new chime.CfnSipMediaApplication(this, 'SipMediaApplication', {
      awsRegion: Aws.REGION,
      name: config.smaName,
      endpoints: [{ lambdaArn: this.sma.function.functionArn }],
    });
    // The confused-deputy conditions (bucket policy, key policy, Lambda permission) want this ARN format; the
    // id comes from the SipMediaApplicationId attribute (Ref is not documented as the id).
    this.sipMediaApplicationArn = `arn:${Aws.PARTITION}:chime:${Aws.REGION}:${Aws.ACCOUNT_ID}:sma/${this.sipMediaApplication.attrSipMediaApplicationId}`;

    // Id "Default": CDK leaves it out of logical IDs, so the bucket, the fixed-name state machine and the rest
    // keep the logical IDs they had when this stack created them itself (a new logical ID would replace the
    // state machine and orphan the retained bucket on the next deploy).
    this.recording = new CallRecording(this, 'Default', {
      sipMediaApplicationArn: this.sipMediaApplicationArn,
      smaFunction: this.sma.function,
      telemetryKey,
      name: config.stackName,
      settings: config,
      functionMetrics: this.sma.metrics,
    });
    // The callback grants moved from the function role's default policy into the construct's own policy:
    // on an update, create that policy before the default policy loses them (no window without the grant).
    const defaultPolicy = this.sma.role.node.tryFindChild('DefaultPolicy');
    if (defaultPolicy && this.recording.functionPolicy) defaultPolicy.node.addDependency(this.recording.functionPolicy);
    this.storage = this.recording.storage!;
    this.workflow = this.recording.workflow;
    this.operations = this.recording.operations;

    // The SMA invokes its Lambda synchronously on every call event. The docs give the permission as the
    // voice connector service principal only ("service", the default). Whether SMA invocations carry the
    // account (aws:SourceAccount, "account") or the SMA's ARN (SourceArn, "sma") is not documented: a condition
    // the invocation does not satisfy would fail every call (SIP 480), so the stricter scopes are opt-in until
    // checked on AWS (docs/verify-on-aws.md). With sourceArn the permission depends on the SMA; no cycle.
    const invokeScope = config.invokePermissionScope;
    this.sma.function.addPermission('VoiceConnectorInvoke', {
      principal: new iam.ServicePrincipal(VOICE_CONNECTOR_PRINCIPAL),
      action: 'lambda:InvokeFunction',
      ...(invokeScope === 'account' || invokeScope === 'sma' ? { sourceAccount: Aws.ACCOUNT_ID } : {}),
      ...(invokeScope === 'sma' ? { sourceArn: this.sipMediaApplicationArn } : {}),
    });

    new CfnOutput(this, 'SipMediaApplicationId', {
      value: this.sipMediaApplication.attrSipMediaApplicationId,
      description: 'Target of the SIP rule (see README: attaching a phone number)',
    });
    new CfnOutput(this, 'SmaFunctionName', { value: this.sma.function.functionName });
  }
}
