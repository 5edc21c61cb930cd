/**
 * CDK app entry (cdk.json: `npx tsx infra/app.ts`). Settings come from context: see infra/config.ts.
 * cdk-nag's AWS Solutions pack runs as a policy-validation plugin: an unacknowledged finding fails the synth.
 */
import { App, Tags, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { readConfig } from './config';
import { RecordingStack } from './recording-stack';

export interface BuildOptions {
  /** Register cdk-nag's AWS Solutions checks on the app (default true; tests run them directly instead). */
  readonly nag?: boolean;
  /** Override of the SMA handler entry (tests only). */
  readonly smaHandlerEntry?: string;
}

export function buildApp(app: App = new App(), options: BuildOptions = {}): { app: App; stack: RecordingStack } {
  const config = readConfig(app.node);
  const stack = new RecordingStack(app, config.stackName, {
    config,
    smaHandlerEntry: options.smaHandlerEntry,
    // Environment-agnostic unless pinned: the template then works in any account/region it is deployed to.
    env: config.account || config.region ? { account: config.account, region: config.region } : undefined,
    description: 'Dependable Amazon Chime SDK SMA call recording: SMA, Lambda, Step Functions workflow, bucket, alarms',
  });
  Tags.of(stack).add('project', 'dependable-call-recording');
  Tags.of(stack).add('data-classification', 'call-recordings');
  if (options.nag ?? true) Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, stack };
}

if (require.main === module) {
  buildApp().app.synth();
}
