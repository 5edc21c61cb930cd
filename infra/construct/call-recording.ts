/**
 * CallRecording: dependable call recording added to a SIP media application that already exists, with the
 * function that already answers it. Since 2026-10-29 SMAs are closed to new customers, so the SMA and its one
 * Lambda endpoint are given, never created here: by id or ARN (most SMAs were made in the console, not by
 * CDK), and as an IFunction (their own `Function`, or `Function.fromFunctionArn` / `fromFunctionAttributes`).
 *
 * It creates the recording workflow (state machine, log group, role), a hardened recording bucket or uses an
 * existing one, the hand-off mailbox bucket (infra/mailbox-bucket.ts), the grants and environment for the function,
 * the alarms and the dashboard, by composing the project's modules (RecordingBucket, MailboxBucket,
 * RecordingWorkflow, Operations). What it cannot change (an imported bucket's policy, an imported function's
 * environment or a function without a role) it emits as CfnOutputs to apply by hand, with a synth warning, instead
 * of silently deploying something that drops recordings.
 *
 * One CallRecording per stack: the operations dashboard and metric namespace are named after the stack.
 *
 * Over 400 lines: the constructor is the one place that orders the parts (bucket, mailbox, workflow, records
 * governance, reconciliation, grants, operations), each of which lives in its own module; what remains here is the
 * wiring between them and the settings' validation, which reads best in one file. The next part should go in a
 * module of its own, like infra/mailbox-bucket.ts and infra/landing-reconciliation.ts.
 */
import { Annotations, Aws, CfnOutput, Lazy, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { dtmfControlsOf } from '../../lambdas/recording/config';
import type { WorkflowSettings } from '../../statemachines/definition';
import { parseRecordingConfig, type RecordingConfig } from '../config';
import { MailboxBucket, mailboxPrefixOf } from '../mailbox-bucket';
import type { FunctionMetrics } from '../operations';
import { acknowledge, nagResourceId } from '../nag';
import { Operations } from '../operations';
import { LandingReconciliation } from '../landing-reconciliation';
import { grantRecordingAccess, RecordingBucket, voiceConnectorKeyStatement, voiceConnectorWriteStatement } from '../recording-bucket';
import { smaRegionProblem } from '../sma-regions';
import { createTelemetryKey } from '../telemetry-key';
import { RecordingWorkflow } from '../workflow';
import { RecordsGovernance } from '../records-governance';

/** A bucket that already exists (in this stack or imported, e.g. `Bucket.fromBucketName`). */
export interface ExistingRecordingBucket {
  readonly bucket: s3.IBucket;
  /** Key prefix the SMA writes recordings under (default "recordings"). */
  readonly prefix?: string;
  /** The bucket's SSE-KMS key, if any (default: `bucket.encryptionKey`). */
  readonly encryptionKey?: kms.IKey;
}

/** Settings with the same meaning, defaults and checks as the CDK context keys of infra/config.ts. */
export interface CallRecordingSettings {
  /** Only for a bucket this construct creates; for an existing one use `recordingBucket.prefix`. */
  readonly recordingPrefix?: string;
  readonly encryption?: RecordingConfig['encryption'];
  readonly objectOwnership?: RecordingConfig['objectOwnership'];
  readonly objectLock?: RecordingConfig['objectLock'];
  readonly glacierTransitionDays?: number;
  readonly noncurrentVersionExpirationDays?: number;
  readonly accessLogExpirationDays?: number;
  readonly logRetentionDays?: number;
  /** "on": the function starts a workflow for every new call (AUTO_RECORD). Default "off" (on demand). */
  readonly autoRecord?: RecordingConfig['autoRecord'];
  readonly recordingTrack?: RecordingConfig['recordingTrack'];
  readonly consentText?: string;
  /**
   * Keys that pause, resume and stop the recording from a phone's keypad, e.g. "pause=5,resume=6,stop=7"
   * (RECORDING_DTMF_CONTROLS). Default: off. Leave off if the application arms its own ReceiveDigits.
   */
  readonly keypadControls?: string;
  readonly alarmEmail?: string;
  /** `MailboxBucket` is the construct's own (refused here); `MailboxPrefix` (default "mailbox") is honoured. */
  readonly workflowSettings?: Partial<WorkflowSettings>;
  /** Retention by outcome, e.g. {RECORDED: {days: 2555, mode: 'COMPLIANCE'}}: applied when the workflow marks a call. */
  readonly retentionByOutcome?: RecordingConfig['retentionByOutcome'];
  /** OBJECT_LOCK (default: the created bucket gets Object Lock without a default retention) or LIFECYCLE_TAG. */
  readonly retentionMethod?: RecordingConfig['retentionMethod'];
  /** The operators' role that may assume the erasure role (hold, release, erase); turns the caller index on. */
  readonly erasureOperatorsRoleArn?: string;
}

/** Settings that shape a bucket the construct creates: refused with an existing bucket rather than ignored. */
const NEW_BUCKET_ONLY = [
  'recordingPrefix',
  'encryption',
  'objectOwnership',
  'objectLock',
  'glacierTransitionDays',
  'noncurrentVersionExpirationDays',
  'accessLogExpirationDays',
] as const;

export interface CallRecordingProps {
  /** The SIP media application's id (as in the console), for an SMA in this stack's account and region. */
  readonly sipMediaApplicationId?: string;
  /** Or its ARN: arn:<partition>:chime:<region>:<account>:sma/<id>. Exactly one of id and ARN. */
  readonly sipMediaApplicationArn?: string;
  /** The SMA's Lambda endpoint: the function the recording middleware runs in. */
  readonly smaFunction: lambda.IFunction;
  /** Use this bucket instead of creating a hardened one. */
  readonly recordingBucket?: ExistingRecordingBucket;
  /** Key for the workflow's log group and the alarm topic (default: a new customer managed key). */
  readonly telemetryKey?: kms.IKey;
  /** Names the state machine (`<name>-RecordingWorkflow`); default the stack name. Letters, digits, "-", <= 60. */
  readonly name?: string;
  readonly settings?: CallRecordingSettings;
  /**
   * The function's Powertools metrics (its POWERTOOLS_METRICS_NAMESPACE / POWERTOOLS_SERVICE_NAME), for the alarms
   * on the middleware's own counts; default the middleware's defaults, `CallRecording` / `sma-recording`.
   */
  readonly functionMetrics?: FunctionMetrics;
}

const SMA_ARN = /^arn:(aws[a-z-]*):chime:([a-z0-9-]+):(\d{12}):sma\/([^/:\s]+)$/;
const ONE_PER_STACK = Symbol.for('dependable-call-recording.CallRecording');

export class CallRecording extends Construct {
  /** The settings as resolved and validated (defaults filled in). */
  readonly config: RecordingConfig;
  readonly sipMediaApplicationArn: string;
  /** Only when the construct created the bucket. */
  readonly storage?: RecordingBucket;
  readonly bucket: s3.IBucket;
  readonly prefix: string;
  /** `<bucket>/<prefix>`: StartCallRecording's Destination.Location (RECORDING_LOCATION). */
  readonly recordingLocation: string;
  /** The hand-off mailbox: where the workflow leaves a call's task tokens for the function. */
  readonly mailbox: MailboxBucket;
  readonly mailboxBucket: s3.Bucket;
  /** Key prefix of the mailbox objects (WorkflowSettings.MailboxPrefix, default "mailbox"). */
  readonly mailboxPrefix: string;
  /** `<mailbox bucket>/<prefix>`: the function's RECORDING_MAILBOX. */
  readonly mailboxLocation: string;
  readonly workflow: RecordingWorkflow;
  /** The EventBridge rule that reconciles every recording landing with its call (issue 22). */
  readonly reconciliation: LandingReconciliation;
  readonly operations: Operations;
  readonly telemetryKey: kms.IKey;
  /** What the function's environment must hold (see lambdas/recording/config.ts). */
  readonly functionEnvironment: Readonly<Record<string, string>>;
  /** What the function's role must allow. */
  readonly functionStatements: readonly iam.PolicyStatement[];
  /** The policy attached to the function's role, when it has one. */
  readonly functionPolicy?: iam.Policy;
  /** Retention, legal hold and erasure (settings.retentionByOutcome, settings.erasureOperatorsRoleArn). */
  readonly records?: RecordsGovernance;

  constructor(scope: Construct, id: string, props: CallRecordingProps) {
    super(scope, id);
    // The hardened bucket's access logs go to a bucket with ACLs disabled, which works only with this flag
    // (bucket-policy log delivery); without it CDK sets a LogDeliveryWrite ACL and the synth fails. A user's
    // app may predate the flag, so it is set for this construct's subtree only (before any child exists).
    this.node.setContext('@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy', true);
    const stack = Stack.of(this);
    const marked = stack as unknown as Record<symbol, string | undefined>;
    if (marked[ONE_PER_STACK])
      throw new Error(
        `CallRecording: stack ${stack.stackName} already has one (${marked[ONE_PER_STACK]}); its dashboard and metrics are named after the stack`,
      );

    if (!Token.isUnresolved(stack.region)) {
      const problem = smaRegionProblem(stack.region);
      if (problem) throw new Error(`CallRecording: stack region ${problem}`);
    }
    this.sipMediaApplicationArn = smaArnOf(props, stack);
    this.config = resolveConfig(props, stack);
    const { config } = this;

    this.telemetryKey = props.telemetryKey ?? createTelemetryKey(this, 'TelemetryKey');
    // A new recording bucket first: the mailbox takes its encryption and logs to its access-log bucket.
    const storage = props.recordingBucket ? undefined : new RecordingBucket(this, 'Storage', { config });
    this.mailboxPrefix = mailboxPrefixOf(config.workflowSettings);
    this.mailbox = new MailboxBucket(this, 'Mailbox', {
      prefix: this.mailboxPrefix,
      encryptionKey: storage?.key,
      accessLogBucket: storage?.accessLogBucket,
    });
    this.mailboxBucket = this.mailbox.bucket;
    this.mailboxLocation = this.mailbox.location;

    this.workflow = new RecordingWorkflow(this, 'Workflow', {
      config,
      logKey: this.telemetryKey,
      settings: {
        ...recordsSettings(config, () => this.recordingLocation),
        MailboxBucket: this.mailboxBucket.bucketName,
        MailboxPrefix: this.mailboxPrefix,
      },
    });
    this.workflow.grantUpdateCall(this.sipMediaApplicationArn);
    // With encryption=kms the mailbox shares the recording key, which grantWorkflowAccess (below) already grants.
    this.workflow.grantMailbox(this.mailbox.objectsArn);
    this.mailbox.acknowledgeObjects(
      this.workflow.role,
      'Mailbox keys are named at run time by execution name and slot, so the workflow can only be scoped to the mailbox prefix of its own mailbox bucket.',
    );

    if (props.recordingBucket) {
      const existing = props.recordingBucket;
      this.bucket = existing.bucket;
      this.prefix = config.recordingPrefix;
      const key = existing.encryptionKey ?? existing.bucket.encryptionKey;
      const objectsArn = this.bucket.arnForObjects(`${this.prefix}/*`);
      grantRecordingAccess(this.workflow.role, { bucketArn: this.bucket.bucketArn, objectsArn, keyArn: key?.keyArn });
      const bucketStatement = voiceConnectorWriteStatement(objectsArn, this.sipMediaApplicationArn);
      this.applyOrOutput(
        'RecordingBucketPolicyStatement',
        'the recording bucket policy',
        this.bucket.addToResourcePolicy(bucketStatement),
        bucketStatement,
      );
      if (key) {
        // Unlike the new bucket's key, this one may name the SMA itself: the SMA exists, there is no cycle.
        const keyStatement = voiceConnectorKeyStatement(this.sipMediaApplicationArn);
        this.applyOrOutput(
          'RecordingKeyPolicyStatement',
          "the recording bucket key's policy",
          key.addToResourcePolicy(keyStatement),
          keyStatement,
        );
      }
      this.acknowledgeWorkflowObjects(objectsArn);
    } else {
      this.storage = storage!;
      this.bucket = this.storage.bucket;
      this.prefix = this.storage.prefix;
      this.storage.grantVoiceConnectorWrite(this.sipMediaApplicationArn);
      this.storage.grantWorkflowAccess(this.workflow.role);
      this.acknowledgeWorkflowObjects(this.storage.objectsArn);
    }
    this.recordingLocation = `${this.bucket.bucketName}/${this.prefix}`;
    if (Object.keys(config.retentionByOutcome).length || config.erasureOperatorsRoleArn)
      this.records = new RecordsGovernance(this, 'Records', {
        config,
        bucket: this.bucket,
        prefix: this.prefix,
        bucketKey: this.storage?.key ?? props.recordingBucket?.encryptionKey,
        workflowRole: this.workflow.role,
        stateMachineArn: this.workflow.stateMachineArn,
        logKey: this.telemetryKey,
      });
    this.reconciliation = new LandingReconciliation(this, 'Reconciliation', {
      bucket: this.bucket,
      prefix: this.prefix,
      stateMachine: this.workflow.stateMachine,
      stateMachineName: this.workflow.stateMachineName,
      workflowRole: this.workflow.role,
      ownBucket: !props.recordingBucket,
    });

    const keypad = props.settings?.keypadControls;
    const keypadProblems: string[] = [];
    if (keypad !== undefined && !dtmfControlsOf(keypad, keypadProblems) && keypadProblems.length)
      throw new Error(`CallRecording settings.keypadControls: ${keypadProblems[0]}`);
    this.functionEnvironment = {
      ...functionEnvironment(config, this.workflow.stateMachineArn, this.recordingLocation, this.mailboxLocation),
      ...(keypad !== undefined ? { RECORDING_DTMF_CONTROLS: keypad } : {}),
    };
    this.functionStatements = functionStatements(config, this.workflow.stateMachineArn, this.mailbox);
    this.functionPolicy = this.configureFunction(props.smaFunction);

    this.operations = new Operations(this, 'Operations', {
      stateMachine: this.workflow.stateMachine,
      stateMachineLogGroup: this.workflow.logGroup,
      definition: this.workflow.definition,
      smaFunction: props.smaFunction,
      key: this.telemetryKey,
      alarmEmail: config.alarmEmail,
      functionMetrics: props.functionMetrics ?? { namespace: 'CallRecording', service: 'sma-recording' },
    });

    new CfnOutput(this, 'RecordingBucketName', { value: this.bucket.bucketName });
    new CfnOutput(this, 'RecordingLocation', { value: this.recordingLocation, description: 'Destination.Location for StartCallRecording' });
    new CfnOutput(this, 'MailboxBucketName', { value: this.mailboxBucket.bucketName, description: 'Hand-off mailbox: task tokens' });
    new CfnOutput(this, 'StateMachineArn', { value: this.workflow.stateMachine.stateMachineArn });
    new CfnOutput(this, 'AlarmTopicArn', { value: this.operations.topic.topicArn });

    marked[ONE_PER_STACK] = this.node.path; // only once complete: a refused one does not count
    acknowledge(
      this.workflow.role,
      'AwsSolutions-IAM5[Resource::*]',
      'Added by CDK for logging level ALL and tracing: logs:CreateLogDelivery/GetLogDelivery/UpdateLogDelivery/DeleteLogDelivery/ListLogDeliveries/PutResourcePolicy/DescribeResourcePolicies/DescribeLogGroups and xray:PutTraceSegments/PutTelemetryRecords/GetSamplingRules/GetSamplingTargets support no resource-level permissions.',
    );
  }

  /**
   * Environment: `addEnvironment` when the function is defined in CDK (Function, NodejsFunction); an imported
   * function's configuration is not the stack's to change, so the variables become an output. Duck-typed,
   * not `instanceof`, so a function made with another copy of aws-cdk-lib is recognised too.
   */
  private configureFunction(fn: lambda.IFunction): iam.Policy | undefined {
    const withEnv = fn as lambda.IFunction & { addEnvironment?: (key: string, value: string) => unknown };
    if (typeof withEnv.addEnvironment === 'function') {
      for (const [key, value] of Object.entries(this.functionEnvironment)) withEnv.addEnvironment(key, value);
    } else {
      new CfnOutput(this, 'SmaFunctionEnvironment', {
        value: Stack.of(this).toJsonString(this.functionEnvironment),
        description: 'Environment variables to add to the SMA function (it is imported, so this stack cannot set them)',
      });
      Annotations.of(this).addWarningV2(
        'call-recording:function-environment',
        'The SMA function is imported: set the variables of the SmaFunctionEnvironment output on it, or recording stays off.',
      );
    }

    // A role from Role.fromRoleArn is mutable by default: the policy is attached to it in this stack. With
    // `mutable: false` CDK drops the attachment silently; add the statements of this policy by hand then.
    if (fn.role) {
      const policy = new iam.Policy(this, 'SmaFunctionPolicy', { statements: [...this.functionStatements] });
      fn.role.attachInlinePolicy(policy);
      acknowledge(
        policy,
        'AwsSolutions-IAM5[Resource::*]',
        'states:SendTaskSuccess, SendTaskFailure and SendTaskHeartbeat authorize by task token and have no resource type in the IAM service authorization reference, so the only Resource that always works is "*".',
      );
      this.mailbox.acknowledgeObjects(
        policy,
        "The function reads and deletes the slots of whichever execution its call belongs to, so it is scoped to the mailbox prefix, not to one execution's keys.",
      );
      return policy;
    }
    new CfnOutput(this, 'SmaFunctionPolicyToAdd', {
      value: Stack.of(this).toJsonString(new iam.PolicyDocument({ statements: [...this.functionStatements] }).toJSON()),
      description: "IAM policy to attach to the SMA function's role (the function was imported without its role)",
    });
    Annotations.of(this).addWarningV2(
      'call-recording:function-policy',
      "The SMA function was imported without its role: attach the SmaFunctionPolicyToAdd output to the function's role, or task callbacks are denied.",
    );
    return undefined;
  }

  /** Adds a resource-policy statement, or, when the resource is imported, outputs it to add by hand. */
  private applyOrOutput(outputId: string, where: string, result: iam.AddToResourcePolicyResult, statement: iam.PolicyStatement): void {
    if (result.statementAdded) return;
    new CfnOutput(this, outputId, {
      value: Stack.of(this).toJsonString(statement.toStatementJson()),
      description: `Statement to add to ${where}: the bucket is not defined in this stack, so its policies cannot be changed here`,
    });
    Annotations.of(this).addWarningV2(
      `call-recording:${outputId}`,
      `Add the ${outputId} output to ${where}, or the SMA cannot write recordings (NoAccessToDestination).`,
    );
  }

  private acknowledgeWorkflowObjects(objectsArn: string): void {
    acknowledge(
      this.workflow.role,
      `AwsSolutions-IAM5[Resource::${nagResourceId(this, objectsArn)}]`,
      'Recording keys are chosen by the SMA per call (date, transaction id, call id), so the workflow can only be scoped to the recording prefix of this one bucket, not to fixed keys.',
    );
  }
}

/** The variables the recording middleware reads (lambdas/recording/config.ts). */
function functionEnvironment(
  config: RecordingConfig,
  stateMachineArn: string,
  recordingLocation: string,
  mailboxLocation: string,
): Record<string, string> {
  const env: Record<string, string> = {
    STATE_MACHINE_ARN: stateMachineArn,
    AUTO_RECORD: config.autoRecord,
    RECORDING_LOCATION: recordingLocation,
    RECORDING_TRACK: config.recordingTrack,
    RECORDING_MAILBOX: mailboxLocation,
  };
  if (config.consentText !== undefined) env.CONSENT_TEXT = config.consentText;
  return env;
}

/**
 * Task callbacks and the mailbox always (the function takes the workflow's tokens from the mailbox and completes
 * them; with encryption=kms it needs the mailbox's key too); StartExecution only with auto-record (on demand, the
 * CLI or the application's backend starts the execution, not the function).
 */
function functionStatements(config: RecordingConfig, stateMachineArn: string, mailbox: MailboxBucket): iam.PolicyStatement[] {
  const statements = [
    new iam.PolicyStatement({
      sid: 'CompleteWorkflowTasks',
      actions: ['states:SendTaskSuccess', 'states:SendTaskFailure', 'states:SendTaskHeartbeat'],
      resources: ['*'],
    }),
    ...mailbox.functionStatements(),
  ];
  if (config.autoRecord === 'on')
    statements.push(
      new iam.PolicyStatement({ sid: 'StartRecordingWorkflow', actions: ['states:StartExecution'], resources: [stateMachineArn] }),
    );
  return statements;
}

/** The workflow settings of retention by outcome and the caller index (the location is known once the bucket is). */
function recordsSettings(config: RecordingConfig, location: () => string): Partial<WorkflowSettings> {
  return {
    ...(Object.keys(config.retentionByOutcome).length
      ? { Retention: config.retentionByOutcome, RetentionMethod: config.retentionMethod }
      : {}),
    ...(config.erasureOperatorsRoleArn
      ? {
          CallerIndexFunction: `${config.stackName}-caller-key`,
          CallerIndexLocation: Lazy.string({ produce: () => `${location()}/caller-index` }),
        }
      : {}),
  };
}

function smaArnOf(props: CallRecordingProps, stack: Stack): string {
  const { sipMediaApplicationId: id, sipMediaApplicationArn: arn } = props;
  if ((id === undefined) === (arn === undefined))
    throw new Error('CallRecording: give exactly one of sipMediaApplicationId and sipMediaApplicationArn');
  if (id !== undefined) {
    if (!Token.isUnresolved(id) && !/^[^/:\s]+$/.test(id))
      throw new Error(`CallRecording: sipMediaApplicationId must be the bare id (e.g. from the console), got "${id}"`);
    return `arn:${Aws.PARTITION}:chime:${Aws.REGION}:${Aws.ACCOUNT_ID}:sma/${id}`;
  }
  if (Token.isUnresolved(arn)) return arn!;
  const m = SMA_ARN.exec(arn!);
  if (!m) throw new Error(`CallRecording: sipMediaApplicationArn must look like arn:aws:chime:<region>:<account>:sma/<id>, got "${arn}"`);
  const [, , region, account] = m;
  const problem = smaRegionProblem(region);
  if (problem) throw new Error(`CallRecording: sipMediaApplicationArn: ${problem}`);
  // The workflow calls UpdateSipMediaApplicationCall in its own region, and the bucket policy pins aws:SourceAccount to this account.
  if (!Token.isUnresolved(stack.region) && stack.region !== region)
    throw new Error(
      `CallRecording: the SMA is in ${region} but the stack deploys to ${stack.region}; deploy the stack to the SMA's region`,
    );
  if (!Token.isUnresolved(stack.account) && stack.account !== account)
    throw new Error(`CallRecording: the SMA belongs to account ${account} but the stack deploys to ${stack.account}`);
  return arn!;
}

function resolveConfig(props: CallRecordingProps, stack: Stack): RecordingConfig {
  const settings = props.settings ?? {};
  if (props.recordingBucket) {
    const clash = NEW_BUCKET_ONLY.filter((k) => settings[k] !== undefined);
    if (clash.length)
      throw new Error(
        `CallRecording: settings.${clash.join(', settings.')} only apply to a bucket the construct creates; with recordingBucket, configure that bucket yourself${clash.includes('recordingPrefix') ? ' and give the prefix as recordingBucket.prefix' : ''}`,
      );
  }
  const flat: Record<string, unknown> = {
    ...settings,
    objectLock: undefined,
    objectLockMode: settings.objectLock?.mode,
    objectLockDays: settings.objectLock?.days,
    recordingPrefix: props.recordingBucket ? props.recordingBucket.prefix : settings.recordingPrefix,
    stackName: props.name ?? stack.stackName,
  };
  return parseRecordingConfig(
    (key) => flat[key],
    (key) =>
      key === 'stackName'
        ? 'CallRecording name (default: the stack name)'
        : key === 'recordingPrefix' && props.recordingBucket
          ? 'CallRecording recordingBucket.prefix'
          : `CallRecording settings.${key}`,
  );
}
