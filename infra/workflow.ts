/**
 * The recording workflow: statemachines/recording-workflow.asl.json rendered by renderDefinition (the same
 * definition the local twin runs), inlined in the template with DefinitionBody.fromString so template tests
 * can compare it, and so a settings change is a visible template diff.
 *
 * The state machine has a fixed name so its ARN can be computed without referencing the resource: the SMA
 * Lambda needs the ARN (env + StartExecution), the SMA needs the Lambda, and the workflow's role needs the
 * SMA's ARN. Referencing the state machine from the Lambda would close that loop into a dependency cycle.
 */
import { Aws } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { renderDefinition, type WorkflowSettings } from '../statemachines/definition';
import type { RecordingConfig } from './config';

export interface RecordingWorkflowProps {
  readonly config: RecordingConfig;
  readonly logKey: kms.IKey;
  /** Settings the construct derives (retention by outcome, the caller index), over config.workflowSettings. */
  readonly derivedSettings?: Partial<WorkflowSettings>;
}

export class RecordingWorkflow extends Construct {
  readonly stateMachine: sfn.StateMachine;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;
  readonly stateMachineName: string;
  /** Computed from the name: safe to use anywhere without creating a dependency on the state machine. */
  readonly stateMachineArn: string;
  /** The rendered definition, as deployed. */
  readonly definition: Record<string, unknown>;
  readonly settings: Partial<WorkflowSettings>;

  constructor(scope: Construct, id: string, props: RecordingWorkflowProps) {
    super(scope, id);
    const { config } = props;

    this.stateMachineName = `${config.stackName}-RecordingWorkflow`;
    this.stateMachineArn = `arn:${Aws.PARTITION}:states:${Aws.REGION}:${Aws.ACCOUNT_ID}:stateMachine:${this.stateMachineName}`;

    this.settings = { ...config.workflowSettings, ...props.derivedSettings };
    this.definition = renderDefinition(this.settings);

    // Vended-log group names under /aws/vendedlogs/ keep the log-delivery resource policy small.
    this.logGroup = new logs.LogGroup(this, 'Logs', {
      logGroupName: `/aws/vendedlogs/states/${this.stateMachineName}`,
      retention: config.logRetentionDays as logs.RetentionDays,
      encryptionKey: props.logKey,
    });

    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('states.amazonaws.com'),
      description: 'Recording workflow: drives the SMA call and verifies, tags and manifests the recording',
    });

    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      stateMachineName: this.stateMachineName,
      stateMachineType: sfn.StateMachineType.STANDARD, // .waitForTaskToken exists only in Standard workflows
      definitionBody: sfn.DefinitionBody.fromString(JSON.stringify(this.definition)),
      role: this.role,
      tracingEnabled: true,
      // Level ALL keeps every state-entered event for the outcome metric filters (they key on the event type and
      // the state name). Execution data (inputs, outputs, TaskScheduled parameters: task tokens, callers' legs)
      // stays out unless the logExecutionData context key turns it on; the manifest is the audit record.
      logs: { destination: this.logGroup, level: sfn.LogLevel.ALL, includeExecutionData: config.logExecutionData },
      comment: 'Dependable SMA call recording: one execution per call, every path ends in a named outcome',
    });
  }

  /** chime:UpdateSipMediaApplicationCall (the three callback tasks) on this SMA only. */
  grantUpdateCall(smaArn: string): void {
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({ sid: 'UpdateSmaCall', actions: ['chime:UpdateSipMediaApplicationCall'], resources: [smaArn] }),
    );
  }
}
