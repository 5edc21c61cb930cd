/** Template assertions: what the stack must grant, log, alarm on and refuse. */
import { Match } from 'aws-cdk-lib/assertions';
import { renderDefinition } from '../../statemachines/definition';
import { SMA_RUNTIME } from '../../infra/sma-function';
import { allStatements, onlyResourceOfType, resourcesOfType, synth, type Synthesized, stateMachineArnToken } from './helpers';

const SMA_ARN = {
  'Fn::Join': [
    '',
    [
      'arn:',
      { Ref: 'AWS::Partition' },
      ':chime:',
      { Ref: 'AWS::Region' },
      ':',
      { Ref: 'AWS::AccountId' },
      ':sma/',
      { 'Fn::GetAtt': ['SipMediaApplication', 'SipMediaApplicationId'] },
    ],
  ],
};

/** Allow statements on "*" are acceptable only for these actions, each for the stated reason. */
const STAR_RESOURCE_EXCEPTIONS: Record<string, string> = {
  'states:SendTaskSuccess': 'authorizes by task token; no resource type',
  'states:SendTaskFailure': 'authorizes by task token; no resource type',
  'states:SendTaskHeartbeat': 'authorizes by task token; no resource type',
  'xray:PutTraceSegments': 'X-Ray has no resource-level permissions',
  'xray:PutTelemetryRecords': 'X-Ray has no resource-level permissions',
  'xray:GetSamplingRules': 'X-Ray has no resource-level permissions',
  'xray:GetSamplingTargets': 'X-Ray has no resource-level permissions',
  'logs:CreateLogDelivery': 'Step Functions log delivery; no resource-level permissions',
  'logs:GetLogDelivery': 'Step Functions log delivery; no resource-level permissions',
  'logs:UpdateLogDelivery': 'Step Functions log delivery; no resource-level permissions',
  'logs:DeleteLogDelivery': 'Step Functions log delivery; no resource-level permissions',
  'logs:ListLogDeliveries': 'Step Functions log delivery; no resource-level permissions',
  'logs:PutResourcePolicy': 'Step Functions log delivery; no resource-level permissions',
  'logs:DescribeResourcePolicies': 'Step Functions log delivery; no resource-level permissions',
  'logs:DescribeLogGroups': 'Step Functions log delivery; no resource-level permissions',
};

/** Every statement but the mailbox's (asserted in mailbox.test.ts). */
const statementsButMailbox = (json: Synthesized['json']) =>
  allStatements(json).filter((x) => x.Sid !== 'MailboxObjects' && x.Sid !== 'MailboxList');

function stateMachineOf(s: Synthesized): any {
  return onlyResourceOfType(s.json, 'AWS::StepFunctions::StateMachine')[1].Properties;
}

/** The bucket name the deployed definition's mailbox token stands for in these comparisons. */
const MAILBOX = 'mailbox-bucket-ref';
/**
 * The deployed definition, parsed: the mailbox bucket's name is a deploy-time token, so DefinitionString is an
 * Fn::Join around it; each non-literal part is read as MAILBOX (the only token in the definition).
 */
function deployedDefinition(s: Synthesized): any {
  const def = stateMachineOf(s).DefinitionString;
  if (typeof def === 'string') return JSON.parse(def);
  const parts = def['Fn::Join'][1] as unknown[];
  return JSON.parse(parts.map((p) => (typeof p === 'string' ? p : MAILBOX)).join(''));
}

describe('default configuration', () => {
  let s: Synthesized;
  beforeAll(() => {
    s = synth();
  });

  describe('recording bucket', () => {
    test('voice connector may PutObject and PutObjectAcl on the recording prefix, for this account and this SMA only', () => {
      const vc = allStatements(s.json).filter((st) => JSON.stringify(st.Principal ?? '').includes('voiceconnector.chime.amazonaws.com'));
      const inBucketPolicy = vc.filter((st) => st.resourceType === 'AWS::S3::BucketPolicy');
      expect(inBucketPolicy).toHaveLength(1);
      const st = inBucketPolicy[0];
      expect(st.Effect).toBe('Allow');
      expect(st.Principal).toEqual({ Service: 'voiceconnector.chime.amazonaws.com' });
      expect([...st.Action].sort()).toEqual(['s3:PutObject', 's3:PutObjectAcl']);
      const bucketId = s.stack.getLogicalId(s.stack.storage.bucket.node.defaultChild as never);
      expect(st.Resource).toEqual([{ 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucketId, 'Arn'] }, '/recordings/*']] }]);
      expect(st.Condition).toEqual({ StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' }, 'aws:SourceArn': SMA_ARN } });
      // SSE-S3 by default: no key statement for the voice connector.
      expect(vc.filter((x) => x.resourceType === 'AWS::KMS::Key')).toEqual([]);
    });

    test('hardened: no public access, TLS only, versioned, SSE-S3, access logs, lifecycle, retained', () => {
      const id = s.stack.getLogicalId(s.stack.storage.bucket.node.defaultChild as never);
      const logId = s.stack.getLogicalId(s.stack.storage.accessLogBucket.node.defaultChild as never);
      const bucket = s.json.Resources[id];
      expect(bucket.DeletionPolicy).toBe('Retain');
      expect(bucket.UpdateReplacePolicy).toBe('Retain');
      expect(bucket.Properties.PublicAccessBlockConfiguration).toEqual({
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      });
      expect(bucket.Properties.VersioningConfiguration).toEqual({ Status: 'Enabled' });
      expect(bucket.Properties.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault).toEqual({
        SSEAlgorithm: 'AES256',
      });
      expect(bucket.Properties.LoggingConfiguration).toEqual({
        DestinationBucketName: { Ref: logId },
        LogFilePrefix: 'recordings-bucket/',
      });
      expect(bucket.Properties.OwnershipControls).toEqual({ Rules: [{ ObjectOwnership: 'BucketOwnerPreferred' }] });
      expect(bucket.Properties.ObjectLockEnabled).toBeUndefined();
      const rules = bucket.Properties.LifecycleConfiguration.Rules;
      expect(rules).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ Transitions: [{ StorageClass: 'GLACIER_IR', TransitionInDays: 30 }], Status: 'Enabled' }),
          expect.objectContaining({ NoncurrentVersionExpiration: { NoncurrentDays: 90 }, Status: 'Enabled' }),
          expect.objectContaining({ AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 } }),
        ]),
      );
      for (const bucketPolicyId of resourcesOfType(s.json, 'AWS::S3::BucketPolicy').map(([k]) => k)) {
        const deny = s.json.Resources[bucketPolicyId].Properties.PolicyDocument.Statement.find((x: any) => x.Effect === 'Deny');
        expect(deny).toMatchObject({ Action: 's3:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } }, Principal: { AWS: '*' } });
      }
      expect(s.json.Resources[logId].DeletionPolicy).toBe('Retain');
    });
  });

  describe('IAM', () => {
    test('no Allow statement grants "*" or "service:*" actions (except the account-root admin statement of a KMS key policy)', () => {
      for (const st of allStatements(s.json).filter((x) => x.Effect === 'Allow')) {
        const isKeyAdmin =
          st.resourceType === 'AWS::KMS::Key' && JSON.stringify(st.Principal).includes(':root') && st.Action.join() === 'kms:*';
        if (isKeyAdmin) continue; // the CDK default: keeps the key manageable through IAM (else it can become unmanageable)
        for (const a of st.Action) expect(`${st.resourceId} ${a}`).not.toMatch(/ (\*|[a-z0-9-]+:\*)$/);
      }
    });

    test('identity policies are scoped to resources, except the listed actions that support no resource type', () => {
      for (const st of allStatements(s.json).filter((x) => x.Effect === 'Allow' && x.resourceType === 'AWS::IAM::Policy')) {
        if (st.Resource.includes('*')) for (const a of st.Action) expect(Object.keys(STAR_RESOURCE_EXCEPTIONS)).toContain(a);
      }
    });

    test('SMA Lambda role: task callbacks, no StartExecution (auto-record is off), its own logs, X-Ray', () => {
      const roleId = s.stack.getLogicalId(s.stack.sma.role.node.defaultChild as never);
      const sts = statementsButMailbox(s.json).filter(
        (x) => x.resourceType === 'AWS::IAM::Policy' && JSON.stringify(s.json.Resources[x.resourceId].Properties.Roles).includes(roleId),
      );
      const byAction = (a: string) => sts.filter((x) => x.Action.includes(a));
      expect(byAction('states:SendTaskSuccess')[0].Resource).toEqual(['*']);
      expect([...byAction('states:SendTaskSuccess')[0].Action].sort()).toEqual([
        'states:SendTaskFailure',
        'states:SendTaskHeartbeat',
        'states:SendTaskSuccess',
      ]);
      // The callbacks come from the CallRecording construct's own policy, attached to the project's function role.
      const callbackPolicyId = byAction('states:SendTaskSuccess')[0].resourceId;
      expect(s.json.Resources[callbackPolicyId].Properties.Roles).toEqual([{ Ref: roleId }]);
      // Created before the role's default policy is updated: no window without the grant during a deploy.
      const defaultPolicyId = s.stack.getLogicalId(s.stack.sma.role.node.findChild('DefaultPolicy').node.defaultChild as never);
      expect(s.json.Resources[defaultPolicyId].DependsOn).toContain(callbackPolicyId);
      expect(byAction('states:StartExecution')).toEqual([]);
      expect(sts.flatMap((x) => x.Action).sort()).toEqual(
        [
          'logs:CreateLogStream',
          'logs:PutLogEvents',
          'states:SendTaskFailure',
          'states:SendTaskHeartbeat',
          'states:SendTaskSuccess',
          'xray:PutTelemetryRecords',
          'xray:PutTraceSegments',
        ].sort(),
      );
      const role = s.json.Resources[roleId].Properties;
      expect(role.ManagedPolicyArns).toBeUndefined();
    });

    test('workflow role: UpdateSipMediaApplicationCall on this SMA, S3 on the recording prefix, nothing else but logs and X-Ray', () => {
      const roleId = s.stack.getLogicalId(s.stack.workflow.role.node.defaultChild as never);
      const sts = statementsButMailbox(s.json).filter(
        (x) => x.resourceType === 'AWS::IAM::Policy' && JSON.stringify(s.json.Resources[x.resourceId].Properties.Roles).includes(roleId),
      );
      const chime = sts.filter((x) => x.Action.some((a) => a.startsWith('chime:')));
      expect(chime).toHaveLength(1);
      expect(chime[0].Action).toEqual(['chime:UpdateSipMediaApplicationCall']);
      expect(chime[0].Resource).toEqual([SMA_ARN]);
      const bucketId = s.stack.getLogicalId(s.stack.storage.bucket.node.defaultChild as never);
      const objects = sts.find((x) => x.Sid === 'RecordingObjects')!;
      expect([...objects.Action].sort()).toEqual([
        's3:DeleteObject',
        's3:DeleteObjectVersion',
        's3:GetObject',
        's3:GetObjectVersion',
        's3:PutObject',
        's3:PutObjectTagging',
        's3:PutObjectVersionTagging',
      ]);
      expect(objects.Resource).toEqual([{ 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucketId, 'Arn'] }, '/recordings/*']] }]);
      expect(sts.find((x) => x.Sid === 'RecordingBucketList')!.Resource).toEqual([{ 'Fn::GetAtt': [bucketId, 'Arn'] }]);
      const s3Actions = sts.flatMap((x) => x.Action).filter((a) => a.startsWith('s3:'));
      expect(s3Actions.sort()).toEqual([
        's3:DeleteObject',
        's3:DeleteObjectVersion',
        's3:GetObject',
        's3:GetObjectVersion',
        's3:ListBucket',
        's3:PutObject',
        's3:PutObjectTagging',
        's3:PutObjectVersionTagging',
      ]);
      // The Reconcile branch reads the call's execution: this state machine's executions only (issue 22).
      expect(sts.find((x) => x.Sid === 'ReconcileDescribeCallExecution')!.Resource).toEqual([
        {
          'Fn::Join': [
            '',
            [
              'arn:',
              { Ref: 'AWS::Partition' },
              ':states:',
              { Ref: 'AWS::Region' },
              ':',
              { Ref: 'AWS::AccountId' },
              ':execution:CallRecording-RecordingWorkflow:*',
            ],
          ],
        },
      ]);
      expect(sts.flatMap((x) => x.Action).filter((a) => a.startsWith('kms:'))).toEqual([]);
    });

    test('every action the definition calls is allowed to the workflow role', () => {
      const def = renderDefinition();
      const resources = new Set(
        Object.values(def.States as Record<string, { Resource?: string }>)
          .map((st) => st.Resource)
          .filter(Boolean),
      );
      const needs: Record<string, string> = {
        'arn:aws:states:::aws-sdk:chimesdkvoice:updateSipMediaApplicationCall.waitForTaskToken': 'chime:UpdateSipMediaApplicationCall',
        'arn:aws:states:::aws-sdk:s3:headObject': 's3:GetObject',
        'arn:aws:states:::aws-sdk:s3:putObjectTagging': 's3:PutObjectTagging',
        'arn:aws:states:::aws-sdk:s3:putObject': 's3:PutObject',
        // the hand-off mailbox (issue 21): a task's token left in its slot
        'arn:aws:states:::aws-sdk:s3:putObject.waitForTaskToken': 's3:PutObject',
        // an opted-out caller's recording, by the version verified (versioned bucket)
        'arn:aws:states:::aws-sdk:s3:deleteObject': 's3:DeleteObjectVersion',
        // the Reconcile branch: the call's execution
        'arn:aws:states:::aws-sdk:sfn:describeExecution': 'states:DescribeExecution',
        // an outcome read from a mailbox slot (issue 21); the Reconcile branch: the call's manifest, kept whole
        'arn:aws:states:::aws-sdk:s3:getObject': 's3:GetObject',
      };
      expect([...resources].sort()).toEqual(Object.keys(needs).sort());
      const roleId = s.stack.getLogicalId(s.stack.workflow.role.node.defaultChild as never);
      const granted = allStatements(s.json)
        .filter(
          (x) => x.resourceType === 'AWS::IAM::Policy' && JSON.stringify(s.json.Resources[x.resourceId].Properties.Roles).includes(roleId),
        )
        .flatMap((x) => x.Action);
      for (const action of Object.values(needs)) expect(granted).toContain(action);
    });
  });

  describe('state machine', () => {
    test('the deployed definition is the rendered statemachines/recording-workflow.asl.json', () => {
      const deployed = deployedDefinition(s);
      expect(deployed).toEqual(renderDefinition({ MailboxBucket: MAILBOX }));
      expect(deployed.QueryLanguage).toBe('JSONata');
    });

    test('Standard type, fixed name, logging ALL without execution data (no task tokens or legs in logs) to a KMS-encrypted log group, tracing on', () => {
      const sm = stateMachineOf(s);
      expect(sm.StateMachineType).toBe('STANDARD');
      expect(sm.StateMachineName).toBe('CallRecording-RecordingWorkflow');
      expect(sm.TracingConfiguration).toEqual({ Enabled: true });
      const logGroupId = s.stack.getLogicalId(s.stack.workflow.logGroup.node.defaultChild as never);
      expect(sm.LoggingConfiguration).toEqual({
        Level: 'ALL',
        IncludeExecutionData: false,
        Destinations: [{ CloudWatchLogsLogGroup: { LogGroupArn: { 'Fn::GetAtt': [logGroupId, 'Arn'] } } }],
      });
      const lg = s.json.Resources[logGroupId].Properties;
      expect(lg.KmsKeyId).toBeDefined();
      expect(lg.RetentionInDays).toBe(90);
    });

    test('workflow settings from context reach the definition', () => {
      // Checked without another synth: the construct renders what it was given.
      expect(s.stack.workflow.definition).toEqual(renderDefinition(s.stack.workflow.settings));
    });
  });

  describe('SMA Lambda and SIP media application', () => {
    test('Node.js 24 on arm64, 512 MB, 4 s, X-Ray active, own log group, no reserved concurrency', () => {
      const fn = onlyResourceOfType(s.json, 'AWS::Lambda::Function')[1].Properties;
      expect(fn.Runtime).toBe('nodejs24.x');
      expect(SMA_RUNTIME.name).toBe('nodejs24.x');
      expect(fn.Architectures).toEqual(['arm64']);
      expect(fn.MemorySize).toBe(512);
      expect(fn.Timeout).toBe(4);
      expect(fn.TracingConfig).toEqual({ Mode: 'Active' });
      expect(fn.ReservedConcurrentExecutions).toBeUndefined();
      expect(fn.Handler).toBe('index.handler');
      const lgId = s.stack.getLogicalId(s.stack.sma.logGroup.node.defaultChild as never);
      expect(fn.LoggingConfig).toEqual({ LogGroup: { Ref: lgId } });
      expect(s.json.Resources[lgId].Properties.RetentionInDays).toBe(90);
    });

    test('environment: computed state machine ARN, recording location, defaults', () => {
      const env = onlyResourceOfType(s.json, 'AWS::Lambda::Function')[1].Properties.Environment.Variables;
      const bucketId = s.stack.getLogicalId(s.stack.storage.bucket.node.defaultChild as never);
      expect(env).toEqual({
        STATE_MACHINE_ARN: stateMachineArnToken('CallRecording-RecordingWorkflow'),
        AUTO_RECORD: 'off',
        RECORDING_LOCATION: { 'Fn::Join': ['', [{ Ref: bucketId }, '/recordings']] },
        RECORDING_TRACK: 'BOTH',
        RECORDING_MAILBOX: expect.anything(), // the value: mailbox.test.ts
        POWERTOOLS_SERVICE_NAME: 'sma-handler',
        POWERTOOLS_METRICS_NAMESPACE: 'CallRecording/SmaHandler',
        POWERTOOLS_LOG_LEVEL: 'INFO',
      });
      // The computed ARN must be the state machine's real ARN.
      expect(stateMachineOf(s).StateMachineName).toBe('CallRecording-RecordingWorkflow');
    });

    test('the SMA points at the function; the voice connector may invoke it (the documented form: no conditions by default)', () => {
      const [, sma] = onlyResourceOfType(s.json, 'AWS::Chime::SipMediaApplication');
      const fnId = onlyResourceOfType(s.json, 'AWS::Lambda::Function')[0];
      expect(sma.Properties).toMatchObject({
        AwsRegion: { Ref: 'AWS::Region' },
        Name: 'CallRecording-sma',
        Endpoints: [{ LambdaArn: { 'Fn::GetAtt': [fnId, 'Arn'] } }],
      });
      s.template.hasResourceProperties('AWS::Lambda::Permission', {
        Action: 'lambda:InvokeFunction',
        Principal: 'voiceconnector.chime.amazonaws.com',
        FunctionName: { 'Fn::GetAtt': [fnId, 'Arn'] },
        SourceAccount: Match.absent(),
        SourceArn: Match.absent(),
      });
    });
  });

  test('recording moved into the CallRecording construct without changing logical IDs (no replacement on update)', () => {
    // Captured from the stack before the construct existed: a new logical ID would replace the fixed-name
    // state machine (a name clash on deploy) and orphan the retained buckets and keys.
    const kept: Record<string, string> = {
      TelemetryKey5C3BC4DC: 'AWS::KMS::Key',
      StorageAccessLogs96FB524C: 'AWS::S3::Bucket',
      StorageRecordings413F2A04: 'AWS::S3::Bucket',
      StorageRecordingsPolicyB163AD90: 'AWS::S3::BucketPolicy',
      WorkflowLogs8B0907C7: 'AWS::Logs::LogGroup',
      WorkflowRole98C7DC98: 'AWS::IAM::Role',
      WorkflowStateMachine8F1B1C15: 'AWS::StepFunctions::StateMachine',
      SmaHandlerFunction89B048C4: 'AWS::Lambda::Function',
      SipMediaApplication: 'AWS::Chime::SipMediaApplication',
      OperationsAlarmTopic909EF7A3: 'AWS::SNS::Topic',
      OperationsDashboardE19B83FC: 'AWS::CloudWatch::Dashboard',
    };
    for (const [id, type] of Object.entries(kept)) expect(`${id} ${s.json.Resources[id]?.Type}`).toBe(`${id} ${type}`);
  });

  test('no optional resources by default: no Object Lock, no e-mail subscription', () => {
    s.template.resourceCountIs('AWS::SNS::Subscription', 0);
    s.template.hasResourceProperties(
      'AWS::S3::Bucket',
      Match.objectLike({ VersioningConfiguration: { Status: 'Enabled' }, ObjectLockEnabled: Match.absent() }),
    );
  });
});

describe('hardened configuration from context', () => {
  let s: Synthesized;
  beforeAll(() => {
    s = synth({
      encryption: 'kms',
      objectLockMode: 'GOVERNANCE',
      objectLockDays: '400',
      glacierTransitionDays: '0',
      recordingPrefix: 'calls/support/',
      alarmEmail: 'ops@example.com',
      invokePermissionScope: 'sma',
      logExecutionData: 'true',
      autoRecord: 'on',
      recordingTrack: 'INCOMING',
      consentText: 'This call is recorded.',
      bridgeRoutes: { '+15550100100': '+15550100199' },
      workflowSettings: '{"StartMaxAttempts": 6, "DefaultConsentText": "Recorded call."}',
      logRetentionDays: 365,
    });
  });

  test('Object Lock with the default retention the context asks for', () => {
    const bucket = s.json.Resources[s.stack.getLogicalId(s.stack.storage.bucket.node.defaultChild as never)].Properties;
    expect(bucket.ObjectLockEnabled).toBe(true);
    expect(bucket.ObjectLockConfiguration).toEqual({
      ObjectLockEnabled: 'Enabled',
      Rule: { DefaultRetention: { Mode: 'GOVERNANCE', Days: 400 } },
    });
    expect(bucket.LifecycleConfiguration.Rules.some((r: any) => r.Transitions)).toBe(false);
  });

  test('SSE-KMS with a rotated, retained customer managed key the voice connector may use only through S3, for SMAs of this account', () => {
    const keyId = s.stack.getLogicalId(s.stack.storage.key!.node.defaultChild as never);
    const key = s.json.Resources[keyId];
    expect(key.DeletionPolicy).toBe('Retain');
    expect(key.Properties.EnableKeyRotation).toBe(true);
    const bucket = s.json.Resources[s.stack.getLogicalId(s.stack.storage.bucket.node.defaultChild as never)].Properties;
    expect(bucket.BucketEncryption.ServerSideEncryptionConfiguration[0]).toEqual({
      BucketKeyEnabled: true,
      ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: { 'Fn::GetAtt': [keyId, 'Arn'] } },
    });
    const vc = allStatements(s.json).filter((st) => st.resourceId === keyId && JSON.stringify(st.Principal).includes('voiceconnector'));
    expect(vc).toHaveLength(1);
    expect([...vc[0].Action].sort()).toEqual(['kms:Decrypt', 'kms:GenerateDataKey']);
    // Not this SMA's ARN: that would be a dependency cycle (key -> SMA -> Lambda -> bucket -> key); the bucket policy pins the SMA.
    expect(vc[0].Condition).toEqual({
      StringEquals: {
        'aws:SourceAccount': { Ref: 'AWS::AccountId' },
        'kms:ViaService': { 'Fn::Join': ['', ['s3.', { Ref: 'AWS::Region' }, '.amazonaws.com']] },
      },
      ArnLike: {
        'aws:SourceArn': {
          'Fn::Join': [
            '',
            ['arn:', { Ref: 'AWS::Partition' }, ':chime:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':sma/*'],
          ],
        },
      },
    });
    const roleId = s.stack.getLogicalId(s.stack.workflow.role.node.defaultChild as never);
    const kmsForWorkflow = allStatements(s.json).filter(
      (x) =>
        x.resourceType === 'AWS::IAM::Policy' &&
        JSON.stringify(s.json.Resources[x.resourceId].Properties.Roles).includes(roleId) &&
        x.Action.some((a) => a.startsWith('kms:')),
    );
    expect(kmsForWorkflow).toHaveLength(1);
    expect([...kmsForWorkflow[0].Action].sort()).toEqual(['kms:Decrypt', 'kms:GenerateDataKey']);
    expect(kmsForWorkflow[0].Resource).toEqual([{ 'Fn::GetAtt': [keyId, 'Arn'] }]);
  });

  test('prefix, invoke scope, Lambda settings and workflow settings follow the context', () => {
    const bucketId = s.stack.getLogicalId(s.stack.storage.bucket.node.defaultChild as never);
    const vc = allStatements(s.json).find(
      (st) => st.resourceType === 'AWS::S3::BucketPolicy' && JSON.stringify(st.Principal).includes('voiceconnector'),
    )!;
    expect(vc.Resource).toEqual([{ 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucketId, 'Arn'] }, '/calls/support/*']] }]);
    // invokePermissionScope=sma: the stricter, opt-in scope (account and this SMA's ARN)
    const perm = onlyResourceOfType(s.json, 'AWS::Lambda::Permission')[1].Properties;
    expect(perm.SourceArn).toEqual(SMA_ARN);
    expect(perm.SourceAccount).toEqual({ Ref: 'AWS::AccountId' });
    // logExecutionData=true turns execution data on in the state machine's logs
    expect(stateMachineOf(s).LoggingConfiguration).toEqual(expect.objectContaining({ Level: 'ALL', IncludeExecutionData: true }));
    const smaRoleId = s.stack.getLogicalId(s.stack.sma.role.node.defaultChild as never);
    // The EventBridge rule's role starts it too (the Reconcile branch): the SMA function's role is the only other.
    const start = allStatements(s.json).filter(
      (x) =>
        x.Action.includes('states:StartExecution') &&
        !JSON.stringify(s.json.Resources[x.resourceId].Properties.Roles).includes('StateMachineEventsRole'),
    );
    expect(start).toHaveLength(1);
    expect(start[0].Action).toEqual(['states:StartExecution']);
    expect(s.json.Resources[start[0].resourceId].Properties.Roles).toEqual([{ Ref: smaRoleId }]);
    expect(start[0].Resource).toEqual([stateMachineArnToken('CallRecording-RecordingWorkflow')]);
    const env = onlyResourceOfType(s.json, 'AWS::Lambda::Function')[1].Properties.Environment.Variables;
    expect(env).toMatchObject({
      AUTO_RECORD: 'on',
      RECORDING_TRACK: 'INCOMING',
      CONSENT_TEXT: 'This call is recorded.',
      BRIDGE_ROUTES: '{"+15550100100":"+15550100199"}',
    });
    expect(env.RECORDING_LOCATION).toEqual({ 'Fn::Join': ['', [{ Ref: bucketId }, '/calls/support']] });
    const deployed = deployedDefinition(s);
    expect(deployed).toEqual(renderDefinition({ StartMaxAttempts: 6, DefaultConsentText: 'Recorded call.', MailboxBucket: MAILBOX }));
    expect(deployed).not.toEqual(renderDefinition({ MailboxBucket: MAILBOX }));
    s.template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'ops@example.com' });
    for (const [, lg] of resourcesOfType(s.json, 'AWS::Logs::LogGroup')) expect(lg.Properties.RetentionInDays).toBe(365);
  });
});
