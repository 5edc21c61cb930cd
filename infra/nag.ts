/**
 * cdk-nag 3 runs as a CDK policy-validation plugin (not an Aspect), and findings are acknowledged with
 * `Validations.of(scope).acknowledge`. Every acknowledgement in this app goes through `acknowledge` so the
 * infra tests can list them all and hold each reason to a standard.
 */
import { Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

export function acknowledge(scope: IConstruct, id: string, reason: string): void {
  Validations.of(scope).acknowledge({ id, reason });
}
