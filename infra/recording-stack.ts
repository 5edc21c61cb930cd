/**
 * The deployable unit: recording bucket, SMA Lambda, SIP media application, recording workflow, operations.
 *
 * Dependency order (no cycles): Lambda -> SMA -> (bucket policy, Lambda invoke permission, workflow role
 * policy). The Lambda knows the state machine by its computed ARN only (see workflow.ts).
 */
import { Aws, CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import * as chime from 'aws-cdk-lib/aws-chime';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import type { RecordingConfig } from './config';
import { acknowledge } from './nag';
import { Operations } from './operations';
import { RecordingBucket, VOICE_CONNECTOR_PRINCIPAL } from './recording-bucket';
import { SmaFunction } from './sma-function';
import { createTelemetryKey } from './telemetry-key';
import { RecordingWorkflow } from './workflow';

export interface RecordingStackProps extends StackProps {
  readonly config: RecordingConfig;
  /** Override of the SMA handler entry (tests only). */
  readonly smaHandlerEntry?: string;
}

export class RecordingStack extends Stack {
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
    this.storage = new RecordingBucket(this, 'Storage', { config });
    this.workflow = new RecordingWorkflow(this, 'Workflow', { config, logKey: telemetryKey });
    this.sma = new SmaFunction(this, 'SmaHandler', {
      config,
      stateMachineArn: this.workflow.stateMachineArn,
      recordingLocation: this.storage.location,
      logKey: telemetryKey,
      entry: props.smaHandlerEntry,
    });

    this.sipMediaApplication = new chime.CfnSipMediaApplication(this, 'SipMediaApplication', {
      awsRegion: Aws.REGION,
      name: config.smaName,
      endpoints: [{ lambdaArn: this.sma.function.functionArn }],
    });
    // The confused-deputy conditions (bucket policy, key policy, Lambda permission) want this ARN format; the
    // id comes from the SipMediaApplicationId attribute (Ref is not documented as the id).
    this.sipMediaApplicationArn = `arn:${Aws.PARTITION}:chime:${Aws.REGION}:${Aws.ACCOUNT_ID}:sma/${this.sipMediaApplication.attrSipMediaApplicationId}`;

    this.storage.grantVoiceConnectorWrite(this.sipMediaApplicationArn);
    this.storage.grantWorkflowAccess(this.workflow.role);
    this.workflow.grantUpdateCall(this.sipMediaApplicationArn);

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

    this.operations = new Operations(this, 'Operations', {
      stateMachine: this.workflow.stateMachine,
      stateMachineLogGroup: this.workflow.logGroup,
      definition: this.workflow.definition,
      smaFunction: this.sma.function,
      key: telemetryKey,
      alarmEmail: config.alarmEmail,
    });

    new CfnOutput(this, 'RecordingBucketName', { value: this.storage.bucket.bucketName });
    new CfnOutput(this, 'RecordingLocation', { value: this.storage.location, description: 'Destination.Location for StartCallRecording' });
    new CfnOutput(this, 'SipMediaApplicationId', { value: this.sipMediaApplication.attrSipMediaApplicationId, description: 'Target of the SIP rule (see README: attaching a phone number)' });
    new CfnOutput(this, 'StateMachineArn', { value: this.workflow.stateMachine.stateMachineArn });
    new CfnOutput(this, 'SmaFunctionName', { value: this.sma.function.functionName });
    new CfnOutput(this, 'AlarmTopicArn', { value: this.operations.topic.topicArn });

    this.acknowledgeWorkflowRoleFindings();
  }

  private acknowledgeWorkflowRoleFindings(): void {
    const role = this.workflow.role;
    acknowledge(
      role,
      'AwsSolutions-IAM5[Resource::*]',
      'Added by CDK for logging level ALL and tracing: logs:CreateLogDelivery/GetLogDelivery/UpdateLogDelivery/DeleteLogDelivery/ListLogDeliveries/PutResourcePolicy/DescribeResourcePolicies/DescribeLogGroups and xray:PutTraceSegments/PutTelemetryRecords/GetSamplingRules/GetSamplingTargets support no resource-level permissions.',
    );
    const bucketLogicalId = this.getLogicalId(this.storage.bucket.node.defaultChild as s3.CfnBucket);
    acknowledge(
      role,
      `AwsSolutions-IAM5[Resource::<${bucketLogicalId}.Arn>/${this.storage.prefix}/*]`,
      'Recording keys are chosen by the SMA per call (date, transaction id, call id), so the workflow can only be scoped to the recording prefix of this one bucket, not to fixed keys.',
    );
  }
}
