/**
 * The hand-off mailbox (issue 21): a private bucket where the workflow leaves the task tokens of a call for the SMA
 * Lambda, one small JSON object per slot, `<prefix>/<executionName>/<slot>.json` (slot StartRecording,
 * NotifyConsent or WaitForCallEnd), so a recorded call spends at most one UpdateSipMediaApplicationCall. The
 * Lambda reads, completes and deletes them; the workflow writes and deletes them.
 *
 * Why a bucket of its own, not a prefix of the recording bucket: a task token is a bearer credential (whoever holds
 * it may complete the task), it lives for minutes, and it must be deletable at once. The recording bucket is
 * evidence: versioned (a deleted token would stay as a noncurrent version for `noncurrentVersionExpirationDays`),
 * optionally under Object Lock (a token could not be deleted at all) and often imported, with its policy not ours
 * to change. Here:
 * - versioning OFF: a used token is deleted, and no noncurrent version keeps it;
 * - no Object Lock: a lock would make the tokens undeletable for its retention, and Object Lock needs versioning;
 * - lifecycle: objects expire after 2 days (a mailbox entry outlives its call only when something went wrong),
 *   incomplete multipart uploads are aborted after 1 day;
 * - Block Public Access, TLS only, ACLs disabled (nothing writes with an ACL), and the recording bucket's encryption:
 *   SSE-S3, or its customer managed key with `encryption=kms`;
 * - server access logs to the recording bucket's log bucket when the construct created one (prefix
 *   `mailbox-bucket/`); an existing recording bucket brings no log bucket, and the finding is acknowledged;
 * - RETAIN, like the project's other buckets and keys (a retained mailbox empties itself by the expiry rule).
 */
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct, type IConstruct } from 'constructs';
import { DEFAULT_SETTINGS, type WorkflowSettings } from '../statemachines/definition';
import { acknowledge, nagResourceId } from './nag';

/** Days a mailbox object lives at most (lifecycle expiration). */
export const MAILBOX_EXPIRATION_DAYS = 2;
/** Days before an incomplete multipart upload to the mailbox is aborted. */
export const MAILBOX_ABORT_UPLOAD_DAYS = 1;

export interface MailboxBucketProps {
  /** Key prefix of the mailbox objects (WorkflowSettings.MailboxPrefix; already validated). */
  readonly prefix: string;
  /** The recording bucket's customer managed key (encryption=kms); SSE-S3 without. */
  readonly encryptionKey?: kms.IKey;
  /** The recording bucket's server-access-log bucket, when the construct created it. */
  readonly accessLogBucket?: s3.IBucket;
}

export class MailboxBucket extends Construct {
  readonly bucket: s3.Bucket;
  readonly prefix: string;
  readonly key?: kms.IKey;

  constructor(scope: Construct, id: string, props: MailboxBucketProps) {
    super(scope, id);
    this.prefix = props.prefix;
    this.key = props.encryptionKey;
    this.bucket = new s3.Bucket(this, 'Bucket', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      ...(this.key
        ? { encryption: s3.BucketEncryption.KMS, encryptionKey: this.key, bucketKeyEnabled: true }
        : { encryption: s3.BucketEncryption.S3_MANAGED }),
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      // OFF on purpose: a used task token must not be retained, and with versioning a DeleteObject only hides it
      // behind a delete marker while the token stays readable as a noncurrent version.
      versioned: false,
      // No Object Lock (objectLockEnabled stays unset): tokens must be deletable the moment they are used.
      lifecycleRules: [
        {
          id: 'expire-mailbox',
          expiration: Duration.days(MAILBOX_EXPIRATION_DAYS),
          abortIncompleteMultipartUploadAfter: Duration.days(MAILBOX_ABORT_UPLOAD_DAYS),
        },
      ],
      ...(props.accessLogBucket ? { serverAccessLogsBucket: props.accessLogBucket, serverAccessLogsPrefix: 'mailbox-bucket/' } : {}),
      removalPolicy: RemovalPolicy.RETAIN,
    });
    if (!props.accessLogBucket)
      acknowledge(
        this.bucket,
        'AwsSolutions-S1',
        'With an existing recording bucket the construct creates no access-log bucket; the mailbox only holds task tokens for minutes, written and read by the workflow role and the SMA function alone (CloudTrail data events cover it if the account enables them).',
      );
  }

  /** `<bucket>/<prefix>`: the SMA Lambda's RECORDING_MAILBOX. */
  get location(): string {
    return `${this.bucket.bucketName}/${this.prefix}`;
  }

  /** ARN pattern of every mailbox object: `arn:<partition>:s3:::<bucket>/<prefix>/*`. */
  get objectsArn(): string {
    return this.bucket.arnForObjects(`${this.prefix}/*`);
  }

  /** The SMA function's needs: the mailbox objects, and with encryption=kms the key (kms:Decrypt, GenerateDataKey). */
  functionStatements(): iam.PolicyStatement[] {
    // ListBucket on the mailbox bucket (it holds slots and nothing else): without it S3 answers a GetObject of an
    // empty slot with 403 AccessDenied instead of 404, and the Lambda could not tell "no token yet" from a refusal.
    const statements = [
      mailboxObjectsStatement(this.objectsArn),
      new iam.PolicyStatement({ sid: 'MailboxList', actions: ['s3:ListBucket'], resources: [this.bucket.bucketArn] }),
    ];
    if (this.key)
      statements.push(
        new iam.PolicyStatement({ sid: 'MailboxKey', actions: ['kms:Decrypt', 'kms:GenerateDataKey'], resources: [this.key.keyArn] }),
      );
    return statements;
  }

  /** cdk-nag's IAM5 finding for the `<prefix>/*` wildcard on `scope`'s policy, acknowledged with `reason`. */
  acknowledgeObjects(scope: IConstruct, reason: string): void {
    acknowledge(scope, `AwsSolutions-IAM5[Resource::${nagResourceId(this, this.objectsArn)}]`, reason);
  }
}

/** The mailbox prefix from the workflow settings; the mailbox bucket is the construct's own, never a setting. */
export function mailboxPrefixOf(settings: Partial<WorkflowSettings>): string {
  if (settings.MailboxBucket !== undefined)
    throw new Error(
      'CallRecording settings.workflowSettings.MailboxBucket: the construct creates the mailbox bucket and sets it; leave it out',
    );
  return settings.MailboxPrefix ?? DEFAULT_SETTINGS.MailboxPrefix;
}

/**
 * What the workflow and the SMA Lambda each may do in the mailbox: put, get and delete objects under its prefix,
 * nothing else; the function also lists the bucket (functionStatements), so an empty slot reads as NoSuchKey.
 */
export function mailboxObjectsStatement(objectsArn: string): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid: 'MailboxObjects',
    actions: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'],
    resources: [objectsArn],
  });
}
