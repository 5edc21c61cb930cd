/**
 * Issue 24 in the construct: retention by outcome reaches the workflow's definition and the bucket (Object Lock
 * without a default retention, or lifecycle expiry by tag), and least privilege holds: only the workflow may set
 * retention, only the erasure role (assumable by the operators' role named) may delete versions or set legal
 * holds, the bucket policy denies those to everyone else; the caller-key function alone reads the HMAC key with
 * the erasure role; alarms on RetentionNotApplied and CallerNotIndexed; cdk-nag clean.
 */
import { acknowledgements, allStatements, nagFindings, resourcesOfType, synth, type Synthesized } from './helpers';

const OPERATORS = 'arn:aws:iam::111122223333:role/RecordsOperators';
const RETENTION = { RECORDED: { days: 2555, mode: 'COMPLIANCE' }, RECORDING_INVALID: { days: 90, mode: 'GOVERNANCE' } };

describe('retention by outcome with Object Lock, and erasure', () => {
  let s: Synthesized;
  beforeAll(() => {
    s = synth({ retentionByOutcome: JSON.stringify(RETENTION), erasureOperatorsRoleArn: OPERATORS });
  });

  it('the definition holds the policy, the retention states and the caller index', () => {
    const [, machine] = resourcesOfType(s.json, 'AWS::StepFunctions::StateMachine')[0]!;
    const text = JSON.stringify(machine.Properties.DefinitionString);
    for (const state of ['PlanRetention', 'RetainRecording', 'RetentionNotApplied', 'IndexCaller', 'HashCaller', 'WriteCallerIndex'])
      expect(text).toContain(`\\"${state}\\"`);
    expect(text).toContain('RECORDED\\\\\\":{\\\\\\"days\\\\\\":2555');
    expect(text).toContain('CallRecording-caller-key');
  });

  it('the bucket has Object Lock and no default retention (it would lock the index and the records too)', () => {
    const buckets = resourcesOfType(s.json, 'AWS::S3::Bucket').filter(([, b]) => b.Properties?.ObjectLockEnabled);
    expect(buckets).toHaveLength(1);
    expect(buckets[0]![1].Properties.ObjectLockConfiguration?.Rule).toBeUndefined();
  });

  it('denies retention to all but the workflow, and version deletion and legal hold to all but the erasure role', () => {
    const policy = resourcesOfType(s.json, 'AWS::S3::BucketPolicy')
      .flatMap(([, p]) => p.Properties.PolicyDocument.Statement as Array<Record<string, any>>)
      .filter((st) => st.Effect === 'Deny' && st.Condition?.ArnNotEquals);
    const bySid = Object.fromEntries(policy.map((st) => [st.Sid, st]));
    expect(bySid.OnlyTheWorkflowSetsRetention.Action).toBe('s3:PutObjectRetention');
    expect(bySid.OnlyErasureDeletesVersions.Action).toEqual(['s3:BypassGovernanceRetention', 's3:DeleteObjectVersion']);
    expect(bySid.OnlyErasureHolds.Action).toBe('s3:PutObjectLegalHold');
    expect(JSON.stringify(bySid.OnlyErasureHolds.Condition)).toContain('ErasureRole');
  });

  it('the erasure role trusts the operators role only, and is the one principal allowed to delete versions or hold', () => {
    const roles = resourcesOfType(s.json, 'AWS::IAM::Role').filter(([id]) => id.includes('ErasureRole'));
    expect(roles).toHaveLength(1);
    expect(roles[0]![1].Properties.AssumeRolePolicyDocument.Statement).toEqual([
      expect.objectContaining({ Effect: 'Allow', Principal: { AWS: OPERATORS }, Action: 'sts:AssumeRole' }),
    ]);
    const allowed = (action: string) =>
      allStatements(s.json)
        .filter((st) => st.Effect === 'Allow' && st.Action.includes(action))
        .map((st) => st.resourceId);
    const only = (action: string, owner: string) => {
      const owners = allowed(action);
      expect({ action, owners: owners.length > 0 && owners.every((o) => o.includes(owner)) }).toEqual({ action, owners: true });
    };
    only('s3:PutObjectLegalHold', 'ErasureRole');
    only('s3:BypassGovernanceRetention', 'ErasureRole');
    only('s3:PutObjectRetention', 'Workflow');
  });

  it('alarms on RetentionNotApplied and CallerNotIndexed', () => {
    const names = resourcesOfType(s.json, 'AWS::CloudWatch::Alarm').map(([id]) => id);
    expect(names.some((n) => n.includes('RetentionNotApplied'))).toBe(true);
    expect(names.some((n) => n.includes('CallerNotIndexed'))).toBe(true);
  });

  it('cdk-nag: no unacknowledged finding, every acknowledgement with a reason', () => {
    expect(nagFindings(s.app)).toEqual([]);
    for (const a of acknowledgements(s.app)) expect(a.reason.length).toBeGreaterThan(40);
  });
});

it('LIFECYCLE_TAG: expiry rules per outcome tag, no Object Lock', () => {
  const s = synth({ retentionByOutcome: JSON.stringify(RETENTION), retentionMethod: 'LIFECYCLE_TAG' });
  const rules = resourcesOfType(s.json, 'AWS::S3::Bucket').flatMap(([, b]) => b.Properties?.LifecycleConfiguration?.Rules ?? []);
  expect(rules).toEqual(
    expect.arrayContaining([
      expect.objectContaining({
        Id: 'expire-RECORDED',
        ExpirationInDays: 2555,
        TagFilters: [{ Key: 'recording-status', Value: 'RECORDED' }],
      }),
      expect.objectContaining({ Id: 'expire-RECORDING_INVALID', ExpirationInDays: 90 }),
    ]),
  );
  expect(resourcesOfType(s.json, 'AWS::S3::Bucket').some(([, b]) => b.Properties?.ObjectLockEnabled)).toBe(false);
});

it('refuses a bad retention policy, and retention by outcome with a bucket default retention', () => {
  expect(() => synth({ retentionByOutcome: '{"RECORDED":{"days":0,"mode":"COMPLIANCE"}}' })).toThrow('retentionByOutcome');
  expect(() => synth({ retentionByOutcome: '{"NOT_RECORDED":{"days":5,"mode":"COMPLIANCE"}}' })).toThrow(
    'only RECORDED, RECORDING_INVALID, OPTED_OUT',
  );
  expect(() => synth({ retentionByOutcome: JSON.stringify(RETENTION), objectLockMode: 'COMPLIANCE' })).toThrow(
    'replaces the bucket default retention',
  );
  expect(() => synth({ erasureOperatorsRoleArn: 'operators' })).toThrow('must be an IAM role ARN');
});
