/** Operations in the template: the alarm topic, the metric filters on state entries, the alarms, the dashboard. */
import {
  CONSENT_NOT_DELIVERED_STATE,
  OPTED_OUT_NOT_DELETED_STATE,
  OUTCOME_STATES,
  START_RETRY_STATE,
  START_THROTTLED_STATE,
  START_THROTTLED_TOO_LONG_STATE,
} from '../../infra/operations';
import { OUTCOMES, renderDefinition } from '../../statemachines/definition';
import { onlyResourceOfType, resourcesOfType, synth, type Synthesized } from './helpers';

let s: Synthesized;
beforeAll(() => {
  s = synth();
});

test('the alarm topic is KMS-encrypted and refuses plain HTTP', () => {
  const [, topic] = onlyResourceOfType(s.json, 'AWS::SNS::Topic');
  expect(topic.Properties.KmsMasterKeyId).toBeDefined();
  const [, policy] = onlyResourceOfType(s.json, 'AWS::SNS::TopicPolicy');
  expect(policy.Properties.PolicyDocument.Statement).toEqual(
    expect.arrayContaining([expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]),
  );
});

test('metric filters match entries into states that exist in the rendered definition, with the right event type', () => {
  const def = renderDefinition();
  const states = def.States as Record<string, { Type: string }>;
  const filters = resourcesOfType(s.json, 'AWS::Logs::MetricFilter').map(([, r]) => r.Properties);
  const expected = [
    ...OUTCOME_STATES,
    START_RETRY_STATE,
    CONSENT_NOT_DELIVERED_STATE,
    OPTED_OUT_NOT_DELETED_STATE,
    START_THROTTLED_STATE,
    START_THROTTLED_TOO_LONG_STATE,
  ];
  expect(filters).toHaveLength(expected.length);
  const named: string[] = [];
  for (const f of filters) {
    const m = /^\{ \(\$\.type = "(\w+)"\) && \(\$\.details\.name = "(\w+)"\) \}$/.exec(f.FilterPattern);
    expect(m).not.toBeNull();
    const [, eventType, stateName] = m!;
    expect(Object.keys(states)).toContain(stateName);
    expect(eventType).toBe(`${states[stateName].Type}StateEntered`);
    expect(f.MetricTransformations).toEqual([
      expect.objectContaining({ MetricValue: '1', DefaultValue: 0, MetricNamespace: 'CallRecording/RecordingWorkflow' }),
    ]);
    named.push(stateName);
  }
  expect(named.sort()).toEqual([...expected].sort());
  // Every outcome the definition module declares has its metric, and each is a terminal state.
  for (const o of [...OUTCOMES, 'INVALID_INPUT']) {
    expect(named).toContain(o);
    expect(['Succeed', 'Fail']).toContain(states[o].Type);
  }
  expect(states[START_RETRY_STATE].Type).toBe('Wait');
});

test('throttled starts: one metric per throttled request, one per start throttled past its window; the alarms tell them apart', () => {
  const def = renderDefinition();
  const states = def.States as Record<string, { Type: string; Next?: string; Default?: string }>;
  // The states the filters count are the ones StartRecording's throttling catch leads to.
  const start = (def.States as any).StartRecording;
  expect(start.Catch.find((c: any) => c.ErrorEquals.includes('ChimeSdkVoice.ThrottledClientException')).Next).toBe(START_THROTTLED_STATE);
  expect(states[START_THROTTLED_STATE].Default).toBe(START_THROTTLED_TOO_LONG_STATE);
  const filters = resourcesOfType(s.json, 'AWS::Logs::MetricFilter').map(([, r]) => r.Properties);
  for (const [state, type] of [
    [START_THROTTLED_STATE, 'ChoiceStateEntered'],
    [START_THROTTLED_TOO_LONG_STATE, 'PassStateEntered'],
  ]) {
    const f = filters.find((p) => p.FilterPattern.includes(`"${state}"`));
    expect(f?.FilterPattern).toBe(`{ ($.type = "${type}") && ($.details.name = "${state}") }`);
    expect(f?.MetricTransformations[0].MetricName).toBe(state);
  }
  const alarmOf = (metric: string) =>
    resourcesOfType(s.json, 'AWS::CloudWatch::Alarm').find(([, a]) => a.Properties.MetricName === metric)![1].Properties;
  // A burst is throttled for a while by design: only 15 minutes of it running alarm; a start past its window at once.
  expect(alarmOf(START_THROTTLED_STATE)).toMatchObject({ EvaluationPeriods: 3, DatapointsToAlarm: 3, Period: 300 });
  expect(alarmOf(START_THROTTLED_TOO_LONG_STATE)).toMatchObject({ EvaluationPeriods: 1, Threshold: 0, Period: 300 });
  const body = JSON.stringify(onlyResourceOfType(s.json, 'AWS::CloudWatch::Dashboard')[1].Properties.DashboardBody);
  for (const state of [START_THROTTLED_STATE, START_THROTTLED_TOO_LONG_STATE]) expect(body).toContain(`\\"label\\":\\"${state}\\"`);
});

test.each([
  ['ExecutionsFailed', 'AWS/States', 'GreaterThanOrEqualToThreshold', 1],
  ['ExecutionsTimedOut', 'AWS/States', 'GreaterThanOrEqualToThreshold', 1],
  ['ExecutionsAborted', 'AWS/States', 'GreaterThanOrEqualToThreshold', 1],
  ['ExecutionThrottled', 'AWS/States', 'GreaterThanOrEqualToThreshold', 1],
  ['Errors', 'AWS/Lambda', 'GreaterThanOrEqualToThreshold', 1],
  ['Throttles', 'AWS/Lambda', 'GreaterThanOrEqualToThreshold', 1],
  ['RECORDING_MISSING', 'CallRecording/RecordingWorkflow', 'GreaterThanThreshold', 0],
  ['RECORDING_UNVERIFIED', 'CallRecording/RecordingWorkflow', 'GreaterThanThreshold', 0],
  ['ConsentNotDelivered', 'CallRecording/RecordingWorkflow', 'GreaterThanThreshold', 0],
  ['StartThrottledTooLong', 'CallRecording/RecordingWorkflow', 'GreaterThanThreshold', 0],
  ['StartThrottled', 'CallRecording/RecordingWorkflow', 'GreaterThanOrEqualToThreshold', 1],
])('alarm on %s (%s) notifies the topic', (metricName, namespace, comparison, threshold) => {
  const topicId = onlyResourceOfType(s.json, 'AWS::SNS::Topic')[0];
  const alarms = resourcesOfType(s.json, 'AWS::CloudWatch::Alarm').filter(
    ([, a]) => a.Properties.MetricName === metricName && a.Properties.Namespace === namespace,
  );
  expect(alarms).toHaveLength(1);
  const a = alarms[0][1].Properties;
  expect(a).toMatchObject({
    ComparisonOperator: comparison,
    Threshold: threshold,
    Statistic: 'Sum',
    TreatMissingData: 'notBreaching',
    AlarmActions: [{ Ref: topicId }],
    OKActions: [{ Ref: topicId }],
  });
  if (namespace === 'AWS/States')
    expect(a.Dimensions).toEqual([
      { Name: 'StateMachineArn', Value: { Ref: s.stack.getLogicalId(s.stack.workflow.stateMachine.node.defaultChild as never) } },
    ]);
  if (namespace === 'AWS/Lambda')
    expect(a.Dimensions).toEqual([{ Name: 'FunctionName', Value: { Ref: onlyResourceOfType(s.json, 'AWS::Lambda::Function')[0] } }]);
});

test('dashboard: outcomes per hour, start retries, recordings missing, oldest running executions', () => {
  const [, dash] = onlyResourceOfType(s.json, 'AWS::CloudWatch::Dashboard');
  const body = JSON.stringify(dash.Properties.DashboardBody);
  for (const title of [
    'Outcomes per hour',
    'StartRecording retries / throttled requests per hour',
    'Recordings missing',
    'Oldest running executions',
  ])
    expect(body).toContain(title);
  expect(body).toContain('latest(type) as lastEvent by execution_arn');
});

test("the middleware's own counts are alarmed where the function publishes them: a recording without a workflow, a failing mailbox", () => {
  const alarms = resourcesOfType(s.json, 'AWS::CloudWatch::Alarm').map(([, a]) => a.Properties);
  for (const metric of ['RecordedWithoutWorkflow', 'MailboxErrors']) {
    const a = alarms.find((x) => x.MetricName === metric);
    expect(a).toEqual(
      expect.objectContaining({
        Namespace: `${s.stack.stackName}/SmaHandler`,
        Dimensions: [{ Name: 'service', Value: 'sma-handler' }],
        Threshold: 0,
        ComparisonOperator: 'GreaterThanThreshold',
      }),
    );
    expect(a.AlarmActions).toHaveLength(1);
  }
});
