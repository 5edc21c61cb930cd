/**
 * cdk-nag (AWS Solutions pack). cdk-nag 3 is a policy-validation plugin, not an Aspect: findings are not
 * Annotations any more, so the pack is run directly with validateScope and its violations (errors and
 * warnings) must be empty; acknowledgements are read back from the construct metadata they are stored in.
 */
import { App } from 'aws-cdk-lib';
import * as sns from 'aws-cdk-lib/aws-sns';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp } from '../../infra/app';
import { acknowledgements, cdkJsonContext, nagFindings, synth, type Synthesized } from './helpers';

const HARDENED = {
  encryption: 'kms',
  objectLockMode: 'COMPLIANCE',
  objectLockDays: '2555',
  objectOwnership: 'BucketOwnerEnforced',
  alarmEmail: 'ops@example.com',
  invokePermissionScope: 'account',
  recordingPrefix: 'calls/support',
  autoRecord: 'on',
  consentText: 'This call is recorded.',
  bridgeRoutes: '{"+15550100100":"+15550100199"}',
};

const GENERIC =
  /^(n\/?a|none|ok|okay|todo|tbd|fine|false positive|suppressed|not (needed|required|applicable)|by design|accepted|accepted risk|known issue|as designed|intentional|required|needed)\.?$/i;

describe.each([
  ['default context', {}],
  ['hardened context (kms, Object Lock, email, account-scoped invoke permission)', HARDENED],
])('cdk-nag AwsSolutions with %s', (_name, context) => {
  let s: Synthesized;
  beforeAll(() => {
    s = synth(context);
  });

  test('no unacknowledged error or warning', () => {
    const findings = nagFindings(s.app);
    expect(findings.filter((f) => f.severity === 'error')).toEqual([]);
    expect(findings.filter((f) => f.severity === 'warning')).toEqual([]);
    expect(findings).toEqual([]);
  });

  test('exactly the reviewed acknowledgements exist', () => {
    const prefix = context === HARDENED ? 'calls/support' : 'recordings';
    const got = acknowledgements(s.app)
      .map((a) => `${a.path} ${a.id}`)
      .sort();
    const bucketId = s.stack.getLogicalId(s.stack.storage.bucket.node.defaultChild as never);
    const mailboxId = s.stack.getLogicalId(s.stack.recording.mailboxBucket.node.defaultChild as never);
    expect(got).toEqual(
      [
        'CallRecording/SmaHandler/Role AwsSolutions-IAM5[Resource::*]',
        'CallRecording/Default/SmaFunctionPolicy AwsSolutions-IAM5[Resource::*]',
        'CallRecording/Default/Storage/AccessLogs AwsSolutions-S1',
        'CallRecording/Default/Workflow/Role AwsSolutions-IAM5[Resource::*]',
        `CallRecording/Default/Workflow/Role AwsSolutions-IAM5[Resource::<${bucketId}.Arn>/${prefix}/*]`,
        // the hand-off mailbox: its prefix on both sides (the construct's own log bucket takes its access logs: no S1)
        `CallRecording/Default/Workflow/Role AwsSolutions-IAM5[Resource::<${mailboxId}.Arn>/mailbox/*]`,
        `CallRecording/Default/SmaFunctionPolicy AwsSolutions-IAM5[Resource::<${mailboxId}.Arn>/mailbox/*]`,
        'CallRecording/Default/Workflow/Role AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:CallRecording-RecordingWorkflow:*]',
      ].sort(),
    );
  });

  test('every acknowledgement has a specific reason', () => {
    const acks = acknowledgements(s.app);
    expect(acks.length).toBeGreaterThan(0);
    for (const a of acks) {
      expect(a.id).toMatch(/^AwsSolutions-[A-Z]+\d+/);
      expect(a.reason.length).toBeGreaterThanOrEqual(40);
      expect(a.reason.trim().split(/\s+/).length).toBeGreaterThanOrEqual(8);
      expect(a.reason).not.toMatch(GENERIC);
      // Wildcard acknowledgements name the finding they cover, never the whole rule.
      if (a.id.startsWith('AwsSolutions-IAM5')) expect(a.id).toMatch(/\[.+\]$/);
    }
    // No copy-pasted reason across different findings.
    const byReason = new Map<string, Set<string>>();
    for (const a of acks) byReason.set(a.reason, (byReason.get(a.reason) ?? new Set()).add(`${a.path} ${a.id}`));
    for (const [, where] of byReason) expect(where.size).toBe(1);
  });
});

describe('the app registers the AWS Solutions checks', () => {
  const outdirs: string[] = [];
  afterAll(() => {
    for (const d of outdirs) rmSync(d, { recursive: true, force: true });
  });
  const newApp = (): App => {
    const outdir = mkdtempSync(join(tmpdir(), 'cdk-nag-test-'));
    outdirs.push(outdir);
    return new App({ context: cdkJsonContext(), outdir });
  };

  test('a compliant app synthesizes with the plugin on, and a violation fails the synth', () => {
    const { app, stack } = buildApp(newApp());
    expect(() => app.synth()).not.toThrow();

    const { app: bad, stack: badStack } = buildApp(newApp());
    new sns.Topic(badStack, 'UnencryptedTopic'); // violates AwsSolutions-SNS2/SNS3
    expect(() => bad.synth()).toThrow(/AwsSolutions-SNS3/);
    expect(stack.stackName).toBe('CallRecording');
  });
});
