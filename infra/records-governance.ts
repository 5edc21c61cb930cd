/**
 * Retention, legal hold and erasure (issue 24), with least privilege:
 *  - the workflow alone sets retention (s3:PutObjectRetention, also needed for its PutObject of a locked manifest)
 *    and calls the caller-key function, which alone reads the HMAC key (a Secrets Manager secret);
 *  - an erasure role, assumable only by the operators' role the user names, alone may delete object versions
 *    (s3:DeleteObjectVersion, s3:BypassGovernanceRetention) and place or remove legal holds
 *    (`recording-workflow hold | release | erase`); the workflow keeps its one deletion, an opted-out caller's
 *    recording (OptedOutRecording = DELETE);
 *  - the bucket policy denies those actions to every other principal, so a broad grant elsewhere in the account
 *    (AdministratorAccess) cannot use them either.
 * The caller index and the erasure records live in the recording bucket under `<prefix>/caller-index/` and
 * `<prefix>/erasure-records/`.
 */
import { CfnOutput, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { RecordingConfig } from './config';
import { acknowledge, nagResourceId } from './nag';
import { PROJECT_ROOT, SMA_RUNTIME } from './sma-function';

/** The source in this repository; the compiled file in the published package (dist/, no .ts). */
const CALLER_KEY_SOURCE = join(PROJECT_ROOT, 'lambdas', 'caller-index', 'handler.ts');
export const CALLER_KEY_ENTRY = existsSync(CALLER_KEY_SOURCE) ? CALLER_KEY_SOURCE : CALLER_KEY_SOURCE.replace(/\.ts$/, '.js');

export interface RecordsGovernanceProps {
  readonly config: RecordingConfig;
  readonly bucket: s3.IBucket;
  readonly prefix: string;
  readonly bucketKey?: kms.IKey;
  readonly workflowRole: iam.IRole;
  readonly stateMachineArn: string;
  readonly logKey: kms.IKey;
}

export class RecordsGovernance extends Construct {
  /** The caller-key function's name: the workflow's CallerIndexFunction setting. */
  readonly callerKeyFunctionName: string;
  readonly callerKeyFunction?: nodejs.NodejsFunction;
  readonly callerKey?: secretsmanager.Secret;
  readonly erasureRole?: iam.Role;
  /** `<bucket>/<prefix>/caller-index`: the workflow's CallerIndexLocation setting. */
  readonly callerIndexLocation: string;

  constructor(scope: Construct, id: string, props: RecordsGovernanceProps) {
    super(scope, id);
    const { config, bucket, prefix } = props;
    const objects = bucket.arnForObjects(`${prefix}/*`);
    this.callerIndexLocation = `${bucket.bucketName}/${prefix}/caller-index`;
    this.callerKeyFunctionName = `${config.stackName}-caller-key`;

    // Retention: the workflow's only. PutObject with x-amz-object-lock-* needs s3:PutObjectRetention too.
    props.workflowRole.addToPrincipalPolicy(
      new iam.PolicyStatement({ sid: 'RetainRecordings', actions: ['s3:PutObjectRetention'], resources: [objects] }),
    );
    const deny = (sid: string, actions: string[], allowed: string[]) =>
      bucket.addToResourcePolicy(
        new iam.PolicyStatement({
          sid,
          effect: iam.Effect.DENY,
          principals: [new iam.AnyPrincipal()],
          actions,
          resources: [objects],
          conditions: { ArnNotEquals: { 'aws:PrincipalArn': allowed } },
        }),
      );
    deny('OnlyTheWorkflowSetsRetention', ['s3:PutObjectRetention'], [props.workflowRole.roleArn]);

    if (!config.erasureOperatorsRoleArn) {
      deny(
        'NoOneDeletesVersionsButTheWorkflow',
        ['s3:DeleteObjectVersion', 's3:BypassGovernanceRetention', 's3:PutObjectLegalHold'],
        [props.workflowRole.roleArn],
      );
      return;
    }

    const logGroup = new logs.LogGroup(this, 'CallerKeyLogs', {
      retention: config.logRetentionDays as logs.RetentionDays,
      encryptionKey: props.logKey,
    });
    this.callerKey = new secretsmanager.Secret(this, 'CallerKey', {
      description: 'HMAC key of the caller index (recording-workflow erase): the index holds HMAC(key, number), never the number',
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
      removalPolicy: RemovalPolicy.RETAIN, // without it, the index could never be read again
    });
    acknowledge(
      this.callerKey,
      'AwsSolutions-SMG4',
      'The caller index is keyed by HMAC under this key: rotating it would orphan every index entry (no erasure request could find those calls), so it is not rotated; only the caller-key function and the erasure role may read it.',
    );
    const fnRole = new iam.Role(this, 'CallerKeyRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'Caller-key function: reads the HMAC key, writes its own logs',
    });
    fnRole.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'WriteOwnLogs',
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [logGroup.logGroupArn],
      }),
    );
    this.callerKeyFunction = new nodejs.NodejsFunction(this, 'CallerKeyFunction', {
      functionName: this.callerKeyFunctionName,
      entry: CALLER_KEY_ENTRY,
      handler: 'handler',
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: join(PROJECT_ROOT, 'package-lock.json'),
      runtime: SMA_RUNTIME,
      architecture: lambda.Architecture.ARM_64,
      memorySize: 256,
      timeout: Duration.seconds(10),
      role: fnRole,
      logGroup,
      environment: { CALLER_KEY_SECRET_ID: this.callerKey.secretArn },
      description: 'HMAC-SHA256 of a caller number for the recording workflow caller index',
      bundling: { forceDockerBundling: false, minify: true, sourceMap: false, target: 'node24', externalModules: [], bundleAwsSDK: true },
    });
    this.callerKey.grantRead(fnRole);
    this.callerKeyFunction.grantInvoke(props.workflowRole);

    this.erasureRole = new iam.Role(this, 'ErasureRole', {
      assumedBy: new iam.ArnPrincipal(config.erasureOperatorsRoleArn),
      description: 'recording-workflow hold, release and erase: the only principal that may delete recording versions or set legal holds',
      maxSessionDuration: Duration.hours(1),
    });
    this.erasureRole.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'EraseAndHold',
        actions: [
          's3:GetObject',
          's3:GetObjectVersion',
          's3:GetObjectRetention',
          's3:GetObjectLegalHold',
          's3:PutObject',
          's3:PutObjectLegalHold',
          's3:DeleteObject',
          's3:DeleteObjectVersion',
          's3:BypassGovernanceRetention',
        ],
        resources: [objects],
      }),
    );
    this.erasureRole.addToPrincipalPolicy(
      new iam.PolicyStatement({ sid: 'ListVersions', actions: ['s3:ListBucket', 's3:ListBucketVersions'], resources: [bucket.bucketArn] }),
    );
    this.erasureRole.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'FindTheCall',
        actions: ['states:DescribeExecution', 'states:ListExecutions'],
        resources: [props.stateMachineArn, `${props.stateMachineArn.replace(':stateMachine:', ':execution:')}:*`],
      }),
    );
    this.callerKey.grantRead(this.erasureRole);
    if (props.bucketKey) props.bucketKey.grantEncryptDecrypt(this.erasureRole);
    const executions = `${props.stateMachineArn.replace(':stateMachine:', ':execution:')}:*`;
    for (const resource of [objects, executions])
      acknowledge(
        this.erasureRole,
        `AwsSolutions-IAM5[Resource::${nagResourceId(this, resource)}]`,
        'Recording keys are chosen per call by the SMA and executions are named per call, so the erasure role is scoped to the recording prefix of this one bucket and to the executions of this one state machine, not to fixed names.',
      );
    acknowledge(
      props.workflowRole,
      `AwsSolutions-IAM5[Resource::${nagResourceId(this, `${this.callerKeyFunction.functionArn}:*`)}]`,
      "Added by CDK's grantInvoke: the caller-key function and its versions; the function is this one, only its qualifier is open.",
    );
    deny(
      'OnlyErasureDeletesVersions',
      ['s3:DeleteObjectVersion', 's3:BypassGovernanceRetention'],
      [this.erasureRole.roleArn, props.workflowRole.roleArn],
    );
    deny('OnlyErasureHolds', ['s3:PutObjectLegalHold'], [this.erasureRole.roleArn]);

    new CfnOutput(this, 'ErasureRoleArn', {
      value: this.erasureRole.roleArn,
      description: 'assume it for recording-workflow hold, release and erase',
    });
    new CfnOutput(this, 'CallerKeySecretArn', {
      value: this.callerKey.secretArn,
      description: 'RECORDING_CALLER_KEY_SECRET for recording-workflow erase',
    });
    new CfnOutput(this, 'CallerIndexLocation', {
      value: this.callerIndexLocation,
      description: 'RECORDING_CALLER_INDEX for recording-workflow erase',
    });
    void Stack.of(this);
  }
}
