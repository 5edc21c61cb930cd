/**
 * cdk-nag 3 runs as a CDK policy-validation plugin (not an Aspect), and findings are acknowledged with
 * `Validations.of(scope).acknowledge`. Every acknowledgement in this app goes through `acknowledge` so the
 * infra tests can list them all and hold each reason to a standard.
 */
import { Stack, Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

export function acknowledge(scope: IConstruct, id: string, reason: string): void {
  Validations.of(scope).acknowledge({ id, reason });
}

/**
 * How cdk-nag names a resource in a finding id (`AwsSolutions-IAM5[Resource::<id>]`): the resolved value
 * with each Ref as `<LogicalId>` and each Fn::GetAtt as `<LogicalId.Attribute>`. Lets an acknowledgement
 * name exactly the resource it covers when that resource is an imported bucket or a computed ARN.
 */
export function nagResourceId(scope: IConstruct, value: string): string {
  const render = (v: unknown): string => {
    if (typeof v === 'string') return v;
    if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      if (typeof o.Ref === 'string') return `<${o.Ref}>`;
      if (Array.isArray(o['Fn::GetAtt'])) return `<${(o['Fn::GetAtt'] as string[]).join('.')}>`;
      const join = o['Fn::Join'];
      if (Array.isArray(join) && typeof join[0] === 'string' && Array.isArray(join[1]))
        return (join[1] as unknown[]).map(render).join(join[0]);
    }
    return JSON.stringify(v);
  };
  return render(Stack.of(scope).resolve(value));
}
