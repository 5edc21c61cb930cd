/**
 * The CallRecording construct in a user's stack: an SMA made outside CDK (by ARN), their function (imported),
 * their bucket (imported, or defined in their stack). No bundling here: the functions are imported or inline.
 * The project's own stack (new bucket + own SMA) is the other shape: template.test.ts and nag.test.ts.
 */
import { App, Stack, type StackProps } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { CallRecording, type CallRecordingProps, SMA_REGIONS } from '../../infra/construct';
import {
  acknowledgements,
  allStatements,
  cdkJsonContext,
  nagFindings,
  onlyResourceOfType,
  resourcesOfType,
  stateMachineArnToken,
  type Synthesized,
} from './helpers';

const ACCOUNT = '111122223333';
const SMA_ARN = `arn:aws:chime:us-east-1:${ACCOUNT}:sma/4d1a7c0e-5b6f-4c3e-9a1d-2f8e6b7c9d01`;
const FUNCTION_ARN = `arn:aws:lambda:us-east-1:${ACCOUNT}:function:ivr`;
const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/ivr-role`;
const ENV = { account: ACCOUNT, region: 'us-east-1' };
/** Computed from the name (no reference to the state machine, see infra/workflow.ts). */
const STATE_MACHINE_ARN = stateMachineArnToken('CustomerIvr-RecordingWorkflow');

function newStack(props: StackProps = { env: ENV }): Stack {
  return new Stack(new App({ context: cdkJsonContext() }), 'CustomerIvr', props);
}

function json(stack: Stack): Synthesized['json'] & { Outputs?: Record<string, { Value: unknown }> } {
  return Template.fromStack(stack).toJSON() as never;
}

/** An output's JSON value as CloudFormation would render it in ENV (pseudo parameters substituted). */
function outputValue(template: ReturnType<typeof json>, idPart: string): any {
  const entry = Object.entries(template.Outputs ?? {}).find(([k]) => k.includes(idPart));
  if (!entry) throw new Error(`no output ${idPart}`);
  const pseudo: Record<string, string> = { 'AWS::Partition': 'aws', 'AWS::Region': ENV.region, 'AWS::AccountId': ENV.account };
  const render = (v: any): string => {
    if (typeof v === 'string') return v;
    if (v.Ref in pseudo) return pseudo[v.Ref];
    if (typeof v.Ref === 'string') return `<${v.Ref}>`; // a resource of the stack: <logical id>, as cdk-nag names it
    if (v['Fn::GetAtt']) return `<${v['Fn::GetAtt'].join('.')}>`;
    if (v['Fn::Join']) return v['Fn::Join'][1].map(render).join(v['Fn::Join'][0]);
    throw new Error(`cannot render ${JSON.stringify(v)}`);
  };
  return JSON.parse(render(entry[1].Value));
}

const warnsAbout = (stack: Stack, text: string): void =>
  Annotations.fromStack(stack).hasWarning('/CustomerIvr/Recording', Match.stringLikeRegexp(text));

describe('existing SMA by ARN + existing function (imported with its role) + existing bucket (imported)', () => {
  let stack: Stack;
  let recording: CallRecording;
  let t: ReturnType<typeof json>;
  const mailboxId = () => stack.getLogicalId(recording.mailboxBucket.node.defaultChild as never);
  beforeAll(() => {
    stack = newStack();
    const fn = lambda.Function.fromFunctionAttributes(stack, 'Ivr', {
      functionArn: FUNCTION_ARN,
      role: iam.Role.fromRoleArn(stack, 'IvrRole', ROLE_ARN),
    });
    const bucket = s3.Bucket.fromBucketName(stack, 'Recordings', 'customer-recordings');
    recording = new CallRecording(stack, 'Recording', {
      sipMediaApplicationArn: SMA_ARN,
      smaFunction: fn,
      recordingBucket: { bucket, prefix: 'calls' },
      settings: { autoRecord: 'on', consentText: 'This call is recorded.', keypadControls: 'pause=5,resume=6,stop=7' },
    });
    t = json(stack);
  });

  test('the keypad controls setting reaches the function environment', () => {
    expect(recording.functionEnvironment.RECORDING_DTMF_CONTROLS).toBe('pause=5,resume=6,stop=7');
  });

  test('creates no SMA, function or recording bucket: only the workflow, its role and logs, the mailbox, the grants and operations', () => {
    const types = new Set(Object.values(t.Resources).map((r) => r.Type));
    for (const absent of ['AWS::Chime::SipMediaApplication', 'AWS::Lambda::Function', 'AWS::Lambda::Permission'])
      expect(types).not.toContain(absent);
    // The one bucket is the hand-off mailbox (its policy: TLS only); the imported recording bucket is untouched.
    expect(resourcesOfType(t, 'AWS::S3::Bucket').map(([id]) => id)).toEqual([mailboxId()]);
    expect(resourcesOfType(t, 'AWS::S3::BucketPolicy')).toHaveLength(1);
    for (const present of [
      'AWS::StepFunctions::StateMachine',
      'AWS::Logs::LogGroup',
      'AWS::IAM::Role',
      'AWS::KMS::Key',
      'AWS::SNS::Topic',
      'AWS::CloudWatch::Alarm',
      'AWS::CloudWatch::Dashboard',
    ])
      expect(types).toContain(present);
    expect(onlyResourceOfType(t, 'AWS::StepFunctions::StateMachine')[1].Properties.StateMachineName).toBe('CustomerIvr-RecordingWorkflow');
  });

  test('the workflow may update calls of that SMA only, and touch only the prefix of that bucket', () => {
    const roleId = stack.getLogicalId(recording.workflow.role.node.defaultChild as never);
    const sts = allStatements(t).filter((x) => JSON.stringify(t.Resources[x.resourceId].Properties?.Roles ?? '').includes(roleId));
    expect(sts.find((x) => x.Sid === 'UpdateSmaCall')!.Resource).toEqual([SMA_ARN]);
    expect(sts.find((x) => x.Sid === 'RecordingObjects')!.Resource).toEqual(['arn:aws:s3:::customer-recordings/calls/*']);
    expect(sts.find((x) => x.Sid === 'RecordingBucketList')!.Resource).toEqual(['arn:aws:s3:::customer-recordings']);
  });

  test('the imported bucket policy cannot be changed here: the exact statement to add is an output, with a warning', () => {
    const st = outputValue(t, 'RecordingBucketPolicyStatement');
    expect(st).toEqual({
      Sid: 'SipMediaApplicationRecordingWrite',
      Effect: 'Allow',
      Principal: { Service: 'voiceconnector.chime.amazonaws.com' },
      Action: ['s3:PutObject', 's3:PutObjectAcl'],
      Resource: 'arn:aws:s3:::customer-recordings/calls/*',
      Condition: { StringEquals: { 'aws:SourceAccount': ACCOUNT, 'aws:SourceArn': SMA_ARN } },
    });
    warnsAbout(stack, 'Add the RecordingBucketPolicyStatement output to the recording bucket policy');
  });

  test('the imported role gets task callbacks and (auto-record on) StartExecution on this state machine; the environment is an output', () => {
    const policies = resourcesOfType(t, 'AWS::IAM::Policy').filter(([, p]) => JSON.stringify(p.Properties.Roles) === '["ivr-role"]');
    expect(policies).toHaveLength(1);
    const sts = policies[0][1].Properties.PolicyDocument.Statement;
    expect(sts).toEqual([
      {
        Sid: 'CompleteWorkflowTasks',
        Effect: 'Allow',
        Action: ['states:SendTaskFailure', 'states:SendTaskHeartbeat', 'states:SendTaskSuccess'],
        Resource: '*',
      },
      {
        Sid: 'MailboxObjects',
        Effect: 'Allow',
        Action: ['s3:DeleteObject', 's3:GetObject', 's3:PutObject'],
        Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [mailboxId(), 'Arn'] }, '/mailbox/*']] },
      },
      { Sid: 'MailboxList', Effect: 'Allow', Action: 's3:ListBucket', Resource: { 'Fn::GetAtt': [mailboxId(), 'Arn'] } },
      { Sid: 'StartRecordingWorkflow', Effect: 'Allow', Action: 'states:StartExecution', Resource: STATE_MACHINE_ARN },
    ]);
    const env = outputValue(t, 'SmaFunctionEnvironment');
    warnsAbout(stack, 'set the variables of the SmaFunctionEnvironment output');
    expect(env).toEqual({
      STATE_MACHINE_ARN: `arn:aws:states:us-east-1:${ACCOUNT}:stateMachine:CustomerIvr-RecordingWorkflow`,
      AUTO_RECORD: 'on',
      RECORDING_LOCATION: 'customer-recordings/calls',
      RECORDING_TRACK: 'BOTH',
      CONSENT_TEXT: 'This call is recorded.',
      RECORDING_DTMF_CONTROLS: 'pause=5,resume=6,stop=7',
      RECORDING_MAILBOX: `<${mailboxId()}>/mailbox`,
    });
  });

  test('alarms watch the imported function by name', () => {
    const lambdaAlarms = resourcesOfType(t, 'AWS::CloudWatch::Alarm').filter(([, a]) => a.Properties.Namespace === 'AWS/Lambda');
    expect(lambdaAlarms.length).toBeGreaterThanOrEqual(3);
    for (const [, a] of lambdaAlarms) expect(a.Properties.Dimensions).toEqual([{ Name: 'FunctionName', Value: 'ivr' }]);
  });

  test('cdk-nag AwsSolutions: no finding left, and only reviewed acknowledgements', () => {
    expect(nagFindings(stack)).toEqual([]);
    expect(
      acknowledgements(stack)
        .map((a) => `${a.path} ${a.id}`)
        .sort(),
    ).toEqual(
      [
        'CustomerIvr/Recording/SmaFunctionPolicy AwsSolutions-IAM5[Resource::*]',
        'CustomerIvr/Recording/Workflow/Role AwsSolutions-IAM5[Resource::*]',
        'CustomerIvr/Recording/Workflow/Role AwsSolutions-IAM5[Resource::arn:aws:s3:::customer-recordings/calls/*]',
        // The mailbox: its prefix on both sides, and no access logs (an imported recording bucket brings no log bucket).
        `CustomerIvr/Recording/Workflow/Role AwsSolutions-IAM5[Resource::<${mailboxId()}.Arn>/mailbox/*]`,
        `CustomerIvr/Recording/SmaFunctionPolicy AwsSolutions-IAM5[Resource::<${mailboxId()}.Arn>/mailbox/*]`,
        'CustomerIvr/Recording/Mailbox/Bucket AwsSolutions-S1',
        'CustomerIvr/Recording/Workflow/Role AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:CustomerIvr-RecordingWorkflow:*]',
      ].sort(),
    );
  });
});

describe('a bucket and a function defined in the user stack', () => {
  let t: ReturnType<typeof json>;
  let stack: Stack;
  beforeAll(() => {
    stack = newStack();
    const fn = new lambda.Function(stack, 'Ivr', {
      runtime: lambda.Runtime.NODEJS_22_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline('exports.handler = async () => ({ SchemaVersion: "1.0", Actions: [] })'),
    });
    const bucket = new s3.Bucket(stack, 'Recordings', { enforceSSL: true });
    new CallRecording(stack, 'Recording', {
      sipMediaApplicationId: '4d1a7c0e-5b6f-4c3e-9a1d-2f8e6b7c9d01',
      smaFunction: fn,
      recordingBucket: { bucket },
    });
    t = json(stack);
  });

  test('the bucket policy gets the voice connector statement for this SMA (id -> ARN in the stack region)', () => {
    const vc = allStatements(t).filter(
      (st) => st.resourceType === 'AWS::S3::BucketPolicy' && JSON.stringify(st.Principal).includes('voiceconnector'),
    );
    expect(vc).toHaveLength(1);
    expect(vc[0].Condition).toEqual({
      StringEquals: {
        'aws:SourceAccount': { Ref: 'AWS::AccountId' },
        'aws:SourceArn': {
          'Fn::Join': [
            '',
            [
              'arn:',
              { Ref: 'AWS::Partition' },
              ':chime:',
              { Ref: 'AWS::Region' },
              ':',
              { Ref: 'AWS::AccountId' },
              ':sma/4d1a7c0e-5b6f-4c3e-9a1d-2f8e6b7c9d01',
            ],
          ],
        },
      },
    });
    expect(Object.keys(t.Outputs ?? {}).some((k) => k.includes('RecordingBucketPolicyStatement'))).toBe(false);
  });

  test('the function gets the environment set and the callback grant attached to its role; no StartExecution (auto-record off)', () => {
    const [, fn] = onlyResourceOfType(t, 'AWS::Lambda::Function');
    expect(fn.Properties.Environment.Variables).toMatchObject({
      AUTO_RECORD: 'off',
      RECORDING_TRACK: 'BOTH',
      RECORDING_LOCATION: { 'Fn::Join': ['', [{ Ref: expect.stringMatching(/^Recordings/) }, '/recordings']] },
    });
    // Only the EventBridge rule's role starts the workflow (the Reconcile branch), never the function's.
    const starts = allStatements(t).filter((x) => x.Action.includes('states:StartExecution'));
    expect(starts.map((x) => JSON.stringify(t.Resources[x.resourceId].Properties.Roles))).toEqual([
      expect.stringContaining('StateMachineEventsRole'),
    ]);
    expect(allStatements(t).filter((x) => x.Action.includes('states:SendTaskSuccess'))).toHaveLength(1);
    expect(Object.keys(t.Outputs ?? {}).some((k) => k.includes('SmaFunctionEnvironment') || k.includes('SmaFunctionPolicyToAdd'))).toBe(
      false,
    );
  });
});

test("in an app without this repo's feature flags (cdk.json context), a new hardened bucket still synthesizes", () => {
  const stack = new Stack(new App(), 'CustomerIvr', { env: ENV });
  const recording = new CallRecording(stack, 'Recording', {
    sipMediaApplicationArn: SMA_ARN,
    smaFunction: lambda.Function.fromFunctionArn(stack, 'Ivr', FUNCTION_ARN),
  });
  const t = json(stack);
  const logs = t.Resources[stack.getLogicalId(recording.storage!.accessLogBucket.node.defaultChild as never)].Properties;
  expect(logs.AccessControl).toBeUndefined();
  expect(logs.OwnershipControls).toEqual({ Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] });
});

test('a function imported without its role: the policy to attach is an output', () => {
  const stack = newStack();
  new CallRecording(stack, 'Recording', {
    sipMediaApplicationArn: SMA_ARN,
    smaFunction: lambda.Function.fromFunctionArn(stack, 'Ivr', FUNCTION_ARN),
  });
  const t = json(stack);
  const doc = outputValue(t, 'SmaFunctionPolicyToAdd');
  expect(doc.Statement.map((s: { Sid: string }) => s.Sid)).toEqual(['CompleteWorkflowTasks', 'MailboxObjects', 'MailboxList']);
  warnsAbout(stack, 'attach the SmaFunctionPolicyToAdd output');
});

describe('refusals, each naming what is wrong', () => {
  let n = 0;
  const base = (stack: Stack): CallRecordingProps => ({
    sipMediaApplicationArn: SMA_ARN,
    smaFunction: lambda.Function.fromFunctionArn(stack, `Ivr${n++}`, FUNCTION_ARN),
  });

  test.each([['eu-north-1'], ['sa-east-1']])('a stack in %s (no SIP media applications)', (region) => {
    const stack = newStack({ env: { account: ACCOUNT, region } });
    expect(
      () => new CallRecording(stack, 'Recording', { ...base(stack), sipMediaApplicationArn: undefined, sipMediaApplicationId: 'abc' }),
    ).toThrow(new RegExp(`stack region ${region} has no SIP media applications`));
  });

  test('every listed region is accepted', () => {
    for (const region of SMA_REGIONS) {
      const stack = newStack({ env: { account: ACCOUNT, region } });
      expect(
        () => new CallRecording(stack, 'Recording', { ...base(stack), sipMediaApplicationArn: undefined, sipMediaApplicationId: 'abc' }),
      ).not.toThrow();
    }
  });

  test.each([
    [
      { sipMediaApplicationArn: SMA_ARN.replace('us-east-1', 'eu-north-1') },
      /sipMediaApplicationArn: eu-north-1 has no SIP media applications/,
    ],
    [{ sipMediaApplicationArn: SMA_ARN.replace('us-east-1', 'us-west-2') }, /the SMA is in us-west-2 but the stack deploys to us-east-1/],
    [{ sipMediaApplicationArn: SMA_ARN.replace(ACCOUNT, '999999999999') }, /account 999999999999/],
    [{ sipMediaApplicationArn: 'sma/abc' }, /sipMediaApplicationArn must look like/],
    [{ sipMediaApplicationId: 'abc' }, /exactly one of sipMediaApplicationId and sipMediaApplicationArn/],
    [{ sipMediaApplicationArn: undefined }, /exactly one of/],
    [{ sipMediaApplicationArn: undefined, sipMediaApplicationId: SMA_ARN }, /bare id/],
    [{ settings: { recordingTrack: 'LEFT' as never } }, /CallRecording settings\.recordingTrack: must be one of/],
    [{ settings: { logRetentionDays: 42 } }, /CallRecording settings\.logRetentionDays/],
    [{ settings: { keypadControls: 'pause=5,resume=5' } }, /CallRecording settings\.keypadControls: RECORDING_DTMF_CONTROLS: must be like/],
    [{ name: 'has_underscore' }, /CallRecording name \(default: the stack name\)/],
  ])('%j', (override, message) => {
    const stack = newStack();
    expect(() => new CallRecording(stack, 'Recording', { ...base(stack), ...override })).toThrow(message);
  });

  test('bucket settings with an existing bucket are refused, not ignored', () => {
    const stack = newStack();
    const bucket = s3.Bucket.fromBucketName(stack, 'B', 'customer-recordings');
    expect(
      () =>
        new CallRecording(stack, 'Recording', {
          ...base(stack),
          recordingBucket: { bucket },
          settings: { encryption: 'kms', recordingPrefix: 'x' },
        }),
    ).toThrow(/settings\.recordingPrefix, settings\.encryption only apply to a bucket the construct creates.*recordingBucket\.prefix/);
    expect(() => new CallRecording(stack, 'Recording2', { ...base(stack), recordingBucket: { bucket, prefix: '/abs' } })).toThrow(
      /CallRecording recordingBucket\.prefix/,
    );
  });

  test('one per stack', () => {
    const stack = newStack();
    new CallRecording(stack, 'Recording', base(stack));
    expect(() => new CallRecording(stack, 'Again', base(stack))).toThrow(/already has one \(CustomerIvr\/Recording\)/);
  });
});
