/**
 * Issue 22: every recording object that lands is matched to its call by an event. S3 sends "Object Created" to
 * EventBridge (the bucket's EventBridge notifications: "Amazon S3 can send events to Amazon EventBridge whenever
 * certain events happen in your bucket", S3 user guide, "Using EventBridge"); this rule matches the recordings
 * under the recording prefix (`<prefix>/*.wav`: not the workflow's own manifests) and starts the recording
 * workflow itself with `{"landed": ...}`, which its CheckInput routes to the Reconcile branch. The pattern and the
 * input are statemachines/landing-event.ts, which the twin applies too.
 *
 * Delivery: EventBridge retries a failed StartExecution (throttling included) for up to 24 hours and 185 attempts
 * (its default retry policy, kept explicit here). The rule's role may start this state machine only.
 */
import { Annotations, Aws, CfnOutput, Duration } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { acknowledge } from './nag';
import { landingEventPattern, RECONCILE_INPUT_PATHS } from '../statemachines/landing-event';

export interface LandingReconciliationProps {
  readonly bucket: s3.IBucket;
  readonly prefix: string;
  readonly stateMachine: sfn.IStateMachine;
  readonly stateMachineName: string;
  readonly workflowRole: iam.IRole;
  /** The construct created the bucket (RecordingBucket): its EventBridge notifications are turned on here. */
  readonly ownBucket: boolean;
}

export class LandingReconciliation extends Construct {
  readonly rule: events.Rule;

  constructor(scope: Construct, id: string, props: LandingReconciliationProps) {
    super(scope, id);
    const pattern = landingEventPattern(props.bucket.bucketName, props.prefix) as {
      source: string[];
      'detail-type': string[];
      detail: Record<string, unknown>;
    };
    this.rule = new events.Rule(this, 'RecordingLanded', {
      description: 'A call recording landed in the recording bucket: the recording workflow reconciles it with its call (issue 22)',
      eventPattern: { source: pattern.source, detailType: pattern['detail-type'], detail: pattern.detail },
    });
    this.rule.addTarget(
      new targets.SfnStateMachine(props.stateMachine, {
        input: events.RuleTargetInput.fromObject({
          landed: {
            detail: events.EventField.fromPath(RECONCILE_INPUT_PATHS.detail),
            time: events.EventField.fromPath(RECONCILE_INPUT_PATHS.time),
            eventId: events.EventField.fromPath(RECONCILE_INPUT_PATHS.eventId),
          },
        }),
        retryAttempts: 185,
        maxEventAge: Duration.hours(24),
      }),
    );
    // The Reconcile branch reads the call's execution (its status and verdict): executions of this state machine only.
    props.workflowRole.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'ReconcileDescribeCallExecution',
        actions: ['states:DescribeExecution'],
        resources: [`arn:${Aws.PARTITION}:states:${Aws.REGION}:${Aws.ACCOUNT_ID}:execution:${props.stateMachineName}:*`],
      }),
    );
    acknowledge(
      props.workflowRole,
      `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:${props.stateMachineName}:*]`,
      "The Reconcile branch reads the execution of the call a landed recording names (its name is the call's TransactionId): any execution of this one state machine, no other.",
    );
    if (props.ownBucket) {
      // The bucket's own NotificationConfiguration (CloudFormation: EventBridgeConfiguration), not the `eventBridgeEnabled`
      // prop, which CDK implements with a custom resource and its Lambda function.
      const cfn = props.bucket.node.defaultChild as s3.CfnBucket;
      cfn.notificationConfiguration = { eventBridgeConfiguration: { eventBridgeEnabled: true } };
      return;
    }
    // A user's bucket is not changed (its notifications may be managed elsewhere): said, as its policies are.
    new CfnOutput(this, 'RecordingBucketEventBridge', {
      value: props.bucket.bucketName,
      description:
        'Turn on Amazon EventBridge notifications for this bucket (S3 console, Properties, Event notifications; or PutBucketNotificationConfiguration with EventBridgeConfiguration): without them late recordings are not reconciled',
    });
    Annotations.of(this).addWarningV2(
      'call-recording:RecordingBucketEventBridge',
      'The recording bucket is not defined in this stack: turn on its EventBridge notifications (output RecordingBucketEventBridge), or set workflow setting LateOptedOutChecks > 0 so declined callers’ late recordings are still looked for.',
    );
  }
}
