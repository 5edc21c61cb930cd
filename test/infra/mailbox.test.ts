/**
 * The hand-off mailbox (issue 21, infra/mailbox-bucket.ts): a private bucket for the workflow's task tokens, with
 * put/get/delete on `<bucket>/<prefix>/*` for the workflow's role and the SMA function, nothing wider, and the
 * function's RECORDING_MAILBOX. The project's own stack (new recording bucket) here; an imported recording bucket
 * and function in construct.test.ts.
 */
import { allStatements, nagFindings, onlyResourceOfType, resourcesOfType, synth, type Statement, type Synthesized } from './helpers';

const logicalId = (s: Synthesized, c: { node: { defaultChild?: unknown } }): string => s.stack.getLogicalId(c.node.defaultChild as never);
const mailboxIdOf = (s: Synthesized): string => logicalId(s, s.stack.recording.mailboxBucket);

/** Every statement of the template that names the mailbox bucket, anywhere in its resources. */
function mailboxStatements(s: Synthesized): Statement[] {
  const id = mailboxIdOf(s);
  return allStatements(s.json).filter((st) => JSON.stringify(st.Resource).includes(`"${id}"`));
}

/** The identity-policy statements attached to a role (by its logical id). */
function roleStatements(s: Synthesized, roleId: string): Statement[] {
  return allStatements(s.json).filter(
    (x) => x.resourceType === 'AWS::IAM::Policy' && JSON.stringify(s.json.Resources[x.resourceId].Properties.Roles).includes(`"${roleId}"`),
  );
}

const objectsArn = (id: string, prefix: string) => ({ 'Fn::Join': ['', [{ 'Fn::GetAtt': [id, 'Arn'] }, `/${prefix}/*`]] });

describe('default configuration', () => {
  let s: Synthesized;
  let id: string;
  let bucket: Synthesized['json']['Resources'][string];
  beforeAll(() => {
    s = synth();
    id = mailboxIdOf(s);
    bucket = s.json.Resources[id];
  });

  test('a bucket of its own: not the recording bucket, not the access-log bucket', () => {
    expect(bucket.Type).toBe('AWS::S3::Bucket');
    expect(id).not.toBe(logicalId(s, s.stack.storage.bucket));
    expect(id).not.toBe(logicalId(s, s.stack.storage.accessLogBucket));
    expect(resourcesOfType(s.json, 'AWS::S3::Bucket')).toHaveLength(3);
    expect(s.stack.recording.mailboxPrefix).toBe('mailbox');
  });

  test('hardened: no public access, TLS only, SSE-S3 like the recording bucket, ACLs off, access logs, retained', () => {
    const p = bucket.Properties;
    expect(p.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    expect(p.BucketEncryption).toEqual({
      ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
    });
    expect(p.OwnershipControls).toEqual({ Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] });
    expect(p.LoggingConfiguration).toEqual({
      DestinationBucketName: { Ref: logicalId(s, s.stack.storage.accessLogBucket) },
      LogFilePrefix: 'mailbox-bucket/',
    });
    expect([bucket.DeletionPolicy, bucket.UpdateReplacePolicy]).toEqual(['Retain', 'Retain']);
    const policies = resourcesOfType(s.json, 'AWS::S3::BucketPolicy').filter(
      ([, r]) => JSON.stringify(r.Properties.Bucket) === `{"Ref":"${id}"}`,
    );
    expect(policies).toHaveLength(1);
    const statements = policies[0][1].Properties.PolicyDocument.Statement;
    // Only the TLS-only deny: no service or account is let in through the bucket policy.
    expect(statements).toEqual([
      expect.objectContaining({
        Effect: 'Deny',
        Action: 's3:*',
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        Principal: { AWS: '*' },
      }),
    ]);
  });

  test('versioning off and no Object Lock: a used token is gone once deleted', () => {
    expect(bucket.Properties.VersioningConfiguration).toBeUndefined();
    expect(bucket.Properties.ObjectLockEnabled).toBeUndefined();
    expect(bucket.Properties.ObjectLockConfiguration).toBeUndefined();
  });

  test('lifecycle: objects expire after 2 days, incomplete multipart uploads are aborted after 1 day, nothing else', () => {
    expect(bucket.Properties.LifecycleConfiguration).toEqual({
      Rules: [{ Id: 'expire-mailbox', Status: 'Enabled', ExpirationInDays: 2, AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 } }],
    });
  });

  test('the SMA function: GetObject, PutObject, DeleteObject on <mailbox>/mailbox/* only, in the construct policy on its role', () => {
    const sts = roleStatements(s, logicalId(s, s.stack.sma.role)).filter((x) => x.Sid === 'MailboxObjects');
    expect(sts).toHaveLength(1);
    expect(sts[0].Effect).toBe('Allow');
    expect([...sts[0].Action].sort()).toEqual(['s3:DeleteObject', 's3:GetObject', 's3:PutObject']);
    expect(sts[0].Resource).toEqual([objectsArn(id, 'mailbox')]);
    expect(sts[0].resourceId).toBe(logicalId(s, s.stack.recording.functionPolicy!));
    // SSE-S3: no key to grant.
    expect(roleStatements(s, logicalId(s, s.stack.sma.role)).filter((x) => x.Sid === 'MailboxKey')).toEqual([]);
  });

  test('the workflow role: PutObject, GetObject, DeleteObject on <mailbox>/mailbox/* only', () => {
    const sts = roleStatements(s, logicalId(s, s.stack.workflow.role)).filter((x) => x.Sid === 'MailboxObjects');
    expect(sts).toHaveLength(1);
    expect([...sts[0].Action].sort()).toEqual(['s3:DeleteObject', 's3:GetObject', 's3:PutObject']);
    expect(sts[0].Resource).toEqual([objectsArn(id, 'mailbox')]);
  });

  test('nothing else names the mailbox: no bucket-wide or other-prefix grant, no other principal', () => {
    const sts = mailboxStatements(s);
    const allows = sts.filter((x) => x.Effect === 'Allow');
    expect(allows.map((x) => `${x.resourceType} ${x.Sid}`).sort()).toEqual([
      'AWS::IAM::Policy MailboxList',
      'AWS::IAM::Policy MailboxObjects',
      'AWS::IAM::Policy MailboxObjects',
    ]);
    for (const st of allows.filter((x) => x.Sid === 'MailboxObjects')) expect(st.Resource).toEqual([objectsArn(id, 'mailbox')]);
    // The function lists the bucket (so an empty slot reads as NoSuchKey, not AccessDenied), nothing more.
    const list = allows.find((x) => x.Sid === 'MailboxList')!;
    expect([list.Action, list.Resource]).toEqual([['s3:ListBucket'], [{ 'Fn::GetAtt': [id, 'Arn'] }]]);
    // The rest is the TLS-only deny of its own bucket policy (the log bucket's delivery grant names it in a condition only).
    for (const st of sts.filter((x) => x.Effect !== 'Allow')) expect(st.resourceType).toBe('AWS::S3::BucketPolicy');
  });

  test('the function environment: RECORDING_MAILBOX = <mailbox bucket>/mailbox', () => {
    const env = onlyResourceOfType(s.json, 'AWS::Lambda::Function')[1].Properties.Environment.Variables;
    expect(env.RECORDING_MAILBOX).toEqual({ 'Fn::Join': ['', [{ Ref: id }, '/mailbox']] });
    expect(s.stack.resolve(s.stack.recording.functionEnvironment.RECORDING_MAILBOX)).toEqual(env.RECORDING_MAILBOX);
  });

  test('the workflow is rendered with MailboxBucket = the bucket (a token until deploy) and MailboxPrefix = mailbox', () => {
    const { settings } = s.stack.workflow;
    expect(s.stack.resolve(settings.MailboxBucket)).toEqual({ Ref: id });
    expect(settings.MailboxPrefix).toBe('mailbox');
  });

  test('the bucket name is a stack output', () => {
    const outputs = (s.template.toJSON() as { Outputs: Record<string, { Value: unknown }> }).Outputs;
    const entry = Object.entries(outputs).find(([k]) => k.startsWith('MailboxBucketName'));
    expect(entry?.[1].Value).toEqual({ Ref: id });
  });
});

describe('encryption=kms and MailboxPrefix from workflowSettings', () => {
  let s: Synthesized;
  let id: string;
  beforeAll(() => {
    s = synth({ encryption: 'kms', workflowSettings: '{"MailboxPrefix": "handoff/tokens"}', autoRecord: 'on' });
    id = mailboxIdOf(s);
  });

  test("the recording bucket's customer managed key, with a bucket key", () => {
    const keyId = logicalId(s, s.stack.storage.key!);
    expect(s.json.Resources[id].Properties.BucketEncryption.ServerSideEncryptionConfiguration).toEqual([
      {
        BucketKeyEnabled: true,
        ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: { 'Fn::GetAtt': [keyId, 'Arn'] } },
      },
    ]);
    // The function may use that key (the workflow role has it already, for the recordings); nothing more.
    const key = roleStatements(s, logicalId(s, s.stack.sma.role)).filter((x) => x.Sid === 'MailboxKey');
    expect(key).toHaveLength(1);
    expect([...key[0].Action].sort()).toEqual(['kms:Decrypt', 'kms:GenerateDataKey']);
    expect(key[0].Resource).toEqual([{ 'Fn::GetAtt': [keyId, 'Arn'] }]);
  });

  test('the prefix reaches both grants, the environment and the workflow settings', () => {
    const allows = mailboxStatements(s).filter((x) => x.Effect === 'Allow' && x.Sid === 'MailboxObjects');
    expect(allows).toHaveLength(2);
    for (const st of allows) expect(st.Resource).toEqual([objectsArn(id, 'handoff/tokens')]);
    const env = onlyResourceOfType(s.json, 'AWS::Lambda::Function')[1].Properties.Environment.Variables;
    expect(env.RECORDING_MAILBOX).toEqual({ 'Fn::Join': ['', [{ Ref: id }, '/handoff/tokens']] });
    expect(s.stack.workflow.settings.MailboxPrefix).toBe('handoff/tokens');
  });

  test('cdk-nag AwsSolutions stays clean', () => {
    expect(nagFindings(s.app)).toEqual([]);
  });
});

describe('refusals', () => {
  test('MailboxBucket is the construct’s own: a value from workflowSettings is refused', () => {
    expect(() => synth({ workflowSettings: '{"MailboxBucket": "my-mailbox"}' })).toThrow(
      /workflowSettings\.MailboxBucket: the construct creates the mailbox bucket/,
    );
  });

  test.each([['/abs'], ['tokens/'], ['a b'], ['a//b'], ['']])('MailboxPrefix %j', (prefix) => {
    expect(() => synth({ workflowSettings: JSON.stringify({ MailboxPrefix: prefix }) })).toThrow(
      /context "workflowSettings": .*MailboxPrefix: /,
    );
  });
});
