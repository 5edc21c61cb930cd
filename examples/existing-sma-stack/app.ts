/**
 * A user's CDK app: they already run a SIP media application (made in the console) whose one Lambda is
 * their IVR. CallRecording adds the recording workflow, a hardened bucket, alarms and a dashboard, and grants
 * the IVR's role what recording needs. The ids below are placeholders: pass yours with -c.
 */
import { App, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { CallRecording, SMA_REGIONS } from 'dependable-call-recording/construct';

const app = new App();
const account = app.node.tryGetContext('account') ?? '111122223333';
const region = app.node.tryGetContext('region') ?? 'us-east-1';
const smaArn = app.node.tryGetContext('smaArn') ?? `arn:aws:chime:${region}:${account}:sma/4d1a7c0e-5b6f-4c3e-9a1d-2f8e6b7c9d01`;
const functionArn = app.node.tryGetContext('functionArn') ?? `arn:aws:lambda:${region}:${account}:function:ivr`;
const roleArn = app.node.tryGetContext('functionRoleArn') ?? `arn:aws:iam::${account}:role/ivr-role`;

const stack = new Stack(app, 'IvrRecording', {
  env: { account, region },
  description: `Call recording for an existing SMA (regions with SMAs: ${SMA_REGIONS.join(', ')})`,
});
new CallRecording(stack, 'Recording', {
  sipMediaApplicationArn: smaArn,
  smaFunction: lambda.Function.fromFunctionAttributes(stack, 'Ivr', { functionArn, role: iam.Role.fromRoleArn(stack, 'IvrRole', roleArn) }),
  settings: { autoRecord: 'off', consentText: 'This call may be recorded.', alarmEmail: 'ops@example.com' },
});
app.synth();
