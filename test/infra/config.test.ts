/** Context parsing: cheap (no synth), and a bad value must fail loudly, naming its key. */
import { App } from 'aws-cdk-lib';
import { readConfig } from '../../infra/config';

const read = (context: Record<string, unknown>) => readConfig(new App({ context }).node);

describe('readConfig', () => {
  test('defaults', () => {
    expect(read({})).toEqual({
      stackName: 'CallRecording',
      account: undefined,
      region: undefined,
      recordingPrefix: 'recordings',
      encryption: 's3-managed',
      objectOwnership: 'BucketOwnerPreferred',
      objectLock: undefined,
      glacierTransitionDays: 30,
      noncurrentVersionExpirationDays: 90,
      accessLogExpirationDays: 365,
      logRetentionDays: 90,
      autoRecord: 'off',
      recordingTrack: 'BOTH',
      consentText: undefined,
      bridgeRoutes: {},
      smaName: 'CallRecording-sma',
      invokePermissionScope: 'service',
      logExecutionData: false,
      powertoolsLogLevel: 'INFO',
      alarmEmail: undefined,
      workflowSettings: {},
      retentionByOutcome: {},
      retentionMethod: 'OBJECT_LOCK',
      erasureOperatorsRoleArn: undefined,
    });
  });

  test('string values from -c are parsed', () => {
    const c = read({
      objectLockMode: 'COMPLIANCE',
      objectLockDays: '3650',
      glacierTransitionDays: '0',
      bridgeRoutes: '{"+15550100100":"+15550100199"}',
      workflowSettings: '{"VerifyMaxRetries": 12}',
      recordingPrefix: 'a/b/',
    });
    expect(c.objectLock).toEqual({ mode: 'COMPLIANCE', days: 3650 });
    expect(c.glacierTransitionDays).toBe(0);
    expect(c.bridgeRoutes).toEqual({ '+15550100100': '+15550100199' });
    expect(c.workflowSettings).toEqual({ VerifyMaxRetries: 12 });
    expect(c.recordingPrefix).toBe('a/b');
    expect(read({ logExecutionData: 'true' }).logExecutionData).toBe(true);
    expect(read({ logExecutionData: true }).logExecutionData).toBe(true);
    expect(read({ invokePermissionScope: 'sma' }).invokePermissionScope).toBe('sma');
  });

  test.each([
    [{ encryption: 'aes' }, /"encryption"/],
    [{ objectLockMode: 'LEGAL' }, /"objectLockMode"/],
    [{ objectLockMode: 'GOVERNANCE', objectLockDays: '0' }, /"objectLockDays"/],
    [{ recordingPrefix: '/abs' }, /"recordingPrefix"/],
    [{ recordingPrefix: 'a/../b' }, /"recordingPrefix"/],
    [{ logRetentionDays: '42' }, /"logRetentionDays"/],
    [{ autoRecord: 'on-inbound' }, /"autoRecord"/],
    [{ recordingTrack: 'LEFT' }, /"recordingTrack"/],
    [{ consentText: 'x'.repeat(1001) }, /"consentText"/],
    [{ consentText: '😀'.repeat(1001) }, /"consentText"/],
    [{ logExecutionData: 'yes' }, /"logExecutionData"/],
    [{ bridgeRoutes: '{"5550100":"+15550100199"}' }, /"bridgeRoutes"/],
    [{ bridgeRoutes: '[1]' }, /"bridgeRoutes"/],
    [{ workflowSettings: '{"Nope": 1}' }, /"workflowSettings".*Nope/],
    [{ workflowSettings: '{"StartMaxAttempts": "6"}' }, /"workflowSettings".*StartMaxAttempts/],
    [{ alarmEmail: 'ops' }, /"alarmEmail"/],
    [{ account: '123' }, /"account"/],
    [{ region: 'mars' }, /"region"/],
    // A real region without SIP media applications is refused by name.
    [{ region: 'eu-north-1' }, /context "region": eu-north-1 has no SIP media applications .*us-east-1/],
    [{ stackName: '1bad' }, /"stackName"/],
    [{ invokePermissionScope: 'world' }, /"invokePermissionScope"/],
  ])('rejects %j', (context, message) => {
    expect(() => read(context)).toThrow(message);
  });
});
