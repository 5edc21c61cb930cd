/**
 * Shared infra test plumbing. Each configuration is synthesized once per test file (beforeAll), without the
 * esbuild bundle of the SMA Lambda (see synth).
 */
import { App, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildApp } from '../../infra/app';
import type { RecordingStack } from '../../infra/recording-stack';

const ROOT = join(__dirname, '..', '..');

/** The context `npm run synth` uses (feature flags and all), so tests see the same template. */
export function cdkJsonContext(): Record<string, unknown> {
  return JSON.parse(readFileSync(join(ROOT, 'cdk.json'), 'utf8')).context;
}

export interface Synthesized {
  readonly app: App;
  readonly stack: RecordingStack;
  readonly template: Template;
  readonly json: {
    Resources: Record<
      string,
      { Type: string; Properties?: any; DependsOn?: string[]; DeletionPolicy?: string; UpdateReplacePolicy?: string }
    >;
  };
}

export function synth(context: Record<string, unknown> = {}): Synthesized {
  // nag off on the app: the tests run the pack themselves (validateScope) to see every finding as data.
  // No esbuild bundle of the SMA Lambda (CDK's `aws:cdk:bundling-stacks` = none): these tests read the template, not
  // the code, and the bundle was about a second of every synth. The app's full synth (nag.test.ts) and
  // scripts/pack-check.sh still bundle it.
  const app = new App({ context: { ...cdkJsonContext(), 'aws:cdk:bundling-stacks': [], ...context } });
  const { stack } = buildApp(app, { nag: false });
  const template = Template.fromStack(stack);
  return { app, stack, template, json: template.toJSON() as Synthesized['json'] };
}

export interface Finding {
  readonly rule: string;
  readonly severity: string;
  readonly paths: string[];
}

/** cdk-nag 3 AwsSolutions findings (errors and warnings) left after acknowledgements. */
export function nagFindings(scope: IConstruct): Finding[] {
  const report = new AwsSolutionsChecks().validateScope(scope);
  return report.violations.map((v) => ({
    rule: v.ruleName,
    severity: v.severity ?? 'error',
    paths: v.violatingResources.map((r) => r.constructPath ?? '?'),
  }));
}

export interface Acknowledgement {
  readonly path: string;
  readonly id: string;
  readonly reason: string;
}

/** Every acknowledgement recorded with Validations.of(...).acknowledge in the construct tree. */
export function acknowledgements(root: IConstruct): Acknowledgement[] {
  const out: Acknowledgement[] = [];
  for (const c of root.node.findAll()) {
    for (const entry of c.node.metadata) {
      if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY || !entry.data) continue;
      for (const [id, reason] of Object.entries(entry.data as Record<string, string>))
        out.push({ path: c.node.path, id: id.replace(/^annotation::/i, ''), reason });
    }
  }
  return out;
}

export interface Statement {
  readonly resourceId: string;
  readonly resourceType: string;
  readonly Effect: string;
  readonly Action: string[];
  readonly Resource: unknown[];
  readonly Principal?: unknown;
  readonly Condition?: Record<string, Record<string, unknown>>;
  readonly Sid?: string;
}

const arr = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/** Every permission statement of the template: IAM policies, inline role policies, bucket, topic and key policies. */
export function allStatements(json: Synthesized['json']): Statement[] {
  const out: Statement[] = [];
  for (const [resourceId, r] of Object.entries(json.Resources)) {
    const docs: any[] = [];
    const p = r.Properties ?? {};
    if (
      r.Type === 'AWS::IAM::Policy' ||
      r.Type === 'AWS::IAM::ManagedPolicy' ||
      r.Type === 'AWS::S3::BucketPolicy' ||
      r.Type === 'AWS::SNS::TopicPolicy'
    )
      docs.push(p.PolicyDocument);
    if (r.Type === 'AWS::IAM::Role') for (const pol of p.Policies ?? []) docs.push(pol.PolicyDocument);
    if (r.Type === 'AWS::KMS::Key') docs.push(p.KeyPolicy);
    for (const doc of docs) {
      for (const s of arr<any>(doc?.Statement)) {
        out.push({
          resourceId,
          resourceType: r.Type,
          Effect: s.Effect,
          Action: arr<string>(s.Action),
          Resource: arr<unknown>(s.Resource),
          Principal: s.Principal,
          Condition: s.Condition,
          Sid: s.Sid,
        });
      }
    }
  }
  return out;
}

export function resourcesOfType(json: Synthesized['json'], type: string): Array<[string, any]> {
  return Object.entries(json.Resources).filter(([, r]) => r.Type === type);
}

export function onlyResourceOfType(json: Synthesized['json'], type: string): [string, any] {
  const found = resourcesOfType(json, type);
  if (found.length !== 1) throw new Error(`expected exactly one ${type}, found ${found.length}`);
  return found[0];
}

/** The state machine ARN as the template computes it from the name (infra/workflow.ts: no reference to the machine). */
export function stateMachineArnToken(name: string) {
  return {
    'Fn::Join': [
      '',
      ['arn:', { Ref: 'AWS::Partition' }, ':states:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, `:stateMachine:${name}`],
    ],
  };
}
