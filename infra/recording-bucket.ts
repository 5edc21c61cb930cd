/**
 * Where recordings and their audit manifests live: a recording bucket (versioned, TLS only, no public access,
 * optional Object Lock, lifecycle to Glacier Instant Retrieval) and a separate server-access-log bucket.
 *
 * Encryption: the Chime SDK docs for StartCallRecording only ask the bucket to grant s3:PutObject and
 * s3:PutObjectAcl to voiceconnector.chime.amazonaws.com; they say nothing about SSE-KMS buckets (the SSE-KMS
 * support announced in Dec 2021 is for media capture pipelines, a different service). So SSE-S3 is the
 * default, and `encryption=kms` is an opt-in whose key policy lets the voice connector principal use the key
 * only through S3 and only for this SMA. Unverified: test one call on a non-production stack before relying
 * on it.
 *
 * Object ownership: the SMA is granted s3:PutObjectAcl, so it may set an ACL on what it writes. With ACLs
 * disabled (BucketOwnerEnforced) any ACL other than bucket-owner-full-control is refused, which would turn
 * into NoAccessToDestination. The public AWS sample (aws-samples/amazon-chime-sma-on-demand-recording) uses
 * BucketOwnerPreferred, so that is the default; BlockPublicAccess.BLOCK_ALL still refuses public ACLs.
 */
import { Aws, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import type { RecordingConfig } from './config';
import { acknowledge } from './nag';

export const VOICE_CONNECTOR_PRINCIPAL = 'voiceconnector.chime.amazonaws.com';

export interface RecordingBucketProps {
  readonly config: RecordingConfig;
}

export class RecordingBucket extends Construct {
  readonly bucket: s3.Bucket;
  readonly accessLogBucket: s3.Bucket;
  /** Only with encryption=kms. */
  readonly key?: kms.Key;
  readonly prefix: string;

  constructor(scope: Construct, id: string, props: RecordingBucketProps) {
    super(scope, id);
    const { config } = props;
    this.prefix = config.recordingPrefix;

    // Server access logs support only SSE-S3 on the target bucket, and a log bucket cannot log to itself.
    this.accessLogBucket = new s3.Bucket(this, 'AccessLogs', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      encryption: s3.BucketEncryption.S3_MANAGED,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      versioned: false,
      lifecycleRules: [
        {
          id: 'expire-access-logs',
          expiration: Duration.days(config.accessLogExpirationDays),
          abortIncompleteMultipartUploadAfter: Duration.days(7),
        },
      ],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    acknowledge(
      this.accessLogBucket,
      'AwsSolutions-S1',
      'This is the server access log target of the recording bucket; logging it to itself would loop and a third bucket would only move the problem.',
    );

    if (config.encryption === 'kms') {
      this.key = new kms.Key(this, 'Key', {
        description: `Recordings and audit manifests of ${Stack.of(this).stackName}`,
        enableKeyRotation: true,
        removalPolicy: RemovalPolicy.RETAIN,
      });
    }

    const lifecycleRules: s3.LifecycleRule[] = [{ id: 'abort-incomplete-uploads', abortIncompleteMultipartUploadAfter: Duration.days(7) }];
    if (config.glacierTransitionDays > 0) {
      // Glacier IR keeps millisecond reads (a dispute needs the audio now) at a lower storage price.
      lifecycleRules.push({
        id: 'to-glacier-ir',
        transitions: [
          { storageClass: s3.StorageClass.GLACIER_INSTANT_RETRIEVAL, transitionAfter: Duration.days(config.glacierTransitionDays) },
        ],
      });
    }
    const byOutcome = Object.entries(config.retentionByOutcome ?? {});
    if (config.retentionMethod === 'LIFECYCLE_TAG') {
      // Retention by outcome without Object Lock: the workflow tags the recording and the manifest recording-status.
      for (const [outcome, rule] of byOutcome)
        lifecycleRules.push({ id: `expire-${outcome}`, tagFilters: { 'recording-status': outcome }, expiration: Duration.days(rule.days) });
    }
    if (config.noncurrentVersionExpirationDays > 0) {
      // Versions exist only when something overwrote or deleted a recording; keep them long enough to notice.
      lifecycleRules.push({ id: 'expire-noncurrent', noncurrentVersionExpiration: Duration.days(config.noncurrentVersionExpirationDays) });
    }

    this.bucket = new s3.Bucket(this, 'Recordings', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      ...(this.key
        ? { encryption: s3.BucketEncryption.KMS, encryptionKey: this.key, bucketKeyEnabled: true /* fewer KMS requests, lower cost */ }
        : { encryption: s3.BucketEncryption.S3_MANAGED }),
      objectOwnership:
        config.objectOwnership === 'BucketOwnerEnforced'
          ? s3.ObjectOwnership.BUCKET_OWNER_ENFORCED
          : s3.ObjectOwnership.BUCKET_OWNER_PREFERRED,
      versioned: true,
      serverAccessLogsBucket: this.accessLogBucket,
      serverAccessLogsPrefix: 'recordings-bucket/',
      lifecycleRules,
      ...(config.objectLock
        ? {
            objectLockEnabled: true,
            objectLockDefaultRetention:
              config.objectLock.mode === 'COMPLIANCE'
                ? s3.ObjectLockRetention.compliance(Duration.days(config.objectLock.days))
                : s3.ObjectLockRetention.governance(Duration.days(config.objectLock.days)),
          }
        : byOutcome.length && config.retentionMethod !== 'LIFECYCLE_TAG'
          ? { objectLockEnabled: true } // retention per version, set by the workflow (records-governance.ts)
          : {}),
      // Recordings are evidence: deleting the stack must never delete them.
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }

  /** `<bucket>/<prefix>`: what the SMA Lambda passes as StartCallRecording's Destination.Location. */
  get location(): string {
    return `${this.bucket.bucketName}/${this.prefix}`;
  }

  /** ARN pattern of every object under the recording prefix. */
  get objectsArn(): string {
    return this.bucket.arnForObjects(`${this.prefix}/*`);
  }

  /**
   * The bucket policy StartCallRecording needs (Chime SDK developer guide): PutObject and PutObjectAcl for the
   * voice connector service principal, on the recording prefix only, for this account and (against the
   * confused deputy) this SMA only. With encryption=kms, the same principal may use the key through S3 only.
   */
  grantVoiceConnectorWrite(smaArn: string): void {
    this.bucket.addToResourcePolicy(voiceConnectorWriteStatement(this.objectsArn, smaArn));
    // The key policy cannot name this SMA: the key precedes the bucket, whose name the Lambda (and so the SMA)
    // needs, so a reference back to the SMA would be a dependency cycle. It is limited to this account's SMAs
    // and to use through S3 in this region; the bucket policy above is what pins the writer to this SMA.
    this.key?.addToResourcePolicy(voiceConnectorKeyStatement(`arn:${Aws.PARTITION}:chime:${Aws.REGION}:${Aws.ACCOUNT_ID}:sma/*`));
  }

  /** See grantRecordingAccess. */
  grantWorkflowAccess(grantee: iam.IGrantable): void {
    grantRecordingAccess(grantee, { bucketArn: this.bucket.bucketArn, objectsArn: this.objectsArn, keyArn: this.key?.keyArn });
  }
}

/** The bucket policy statement StartCallRecording needs, for one SMA (see RecordingBucket.grantVoiceConnectorWrite). */
export function voiceConnectorWriteStatement(objectsArn: string, smaArn: string): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid: 'SipMediaApplicationRecordingWrite',
    effect: iam.Effect.ALLOW,
    principals: [new iam.ServicePrincipal(VOICE_CONNECTOR_PRINCIPAL)],
    actions: ['s3:PutObject', 's3:PutObjectAcl'],
    resources: [objectsArn],
    conditions: { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID, 'aws:SourceArn': smaArn } },
  });
}

/** The key policy statement an SSE-KMS recording bucket needs: the voice connector, through S3 only, for `smaArnPattern`. */
export function voiceConnectorKeyStatement(smaArnPattern: string): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid: 'SipMediaApplicationRecordingEncrypt',
    effect: iam.Effect.ALLOW,
    principals: [new iam.ServicePrincipal(VOICE_CONNECTOR_PRINCIPAL)],
    // GenerateDataKey encrypts a PutObject; Decrypt is what S3 asks for when it completes a multipart upload.
    actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
    resources: ['*'], // in a key policy "*" means this key
    conditions: {
      StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID, 'kms:ViaService': `s3.${Aws.REGION}.amazonaws.com` },
      ArnLike: { 'aws:SourceArn': smaArnPattern },
    },
  });
}

/**
 * What the workflow does to the bucket: HeadObject (s3:GetObject), PutObjectTagging, PutObject (manifest),
 * and, for a caller who declined recording (OptedOutRecording = DELETE), DeleteObject with the VersionId it
 * verified (s3:DeleteObjectVersion in a versioned bucket: no older copy of a refused recording may stay), all
 * on the recording prefix. s3:ListBucket on the bucket makes a missing object a
 * 404 (S3.NoSuchKeyException, "not landed yet") instead of a 403 that looks like a permission fault.
 */
export function grantRecordingAccess(grantee: iam.IGrantable, target: { bucketArn: string; objectsArn: string; keyArn?: string }): void {
  grantee.grantPrincipal.addToPrincipalPolicy(
    new iam.PolicyStatement({
      sid: 'RecordingObjects',
      // The *Version actions: the Reconcile branch reads and tags the version its S3 event names.
      actions: [
        's3:GetObject',
        's3:GetObjectVersion',
        's3:PutObject',
        's3:PutObjectTagging',
        's3:PutObjectVersionTagging',
        's3:DeleteObject',
        's3:DeleteObjectVersion',
      ],
      resources: [target.objectsArn],
    }),
  );
  grantee.grantPrincipal.addToPrincipalPolicy(
    new iam.PolicyStatement({ sid: 'RecordingBucketList', actions: ['s3:ListBucket'], resources: [target.bucketArn] }),
  );
  if (target.keyArn) {
    grantee.grantPrincipal.addToPrincipalPolicy(
      new iam.PolicyStatement({ sid: 'RecordingKey', actions: ['kms:Decrypt', 'kms:GenerateDataKey'], resources: [target.keyArn] }),
    );
  }
}
