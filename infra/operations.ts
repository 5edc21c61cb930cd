/**
 * Operations: an encrypted alarm topic, alarms, per-outcome metrics and a dashboard.
 *
 * Outcome metrics come from CloudWatch Logs metric filters on the state machine's log group (level ALL): every
 * history event is one JSON log line with `type` (e.g. "FailStateEntered") and `details.name` (the state).
 * Neither is execution data, so the filters work with IncludeExecutionData off (the default).
 * The filters are generated from the rendered definition: the event type follows from the state's Type, and a
 * missing state fails the synth, so renaming a state in the ASL cannot silently zero a metric.
 * CloudWatch Logs delivery is best effort (Step Functions developer guide): these metrics are for alerting;
 * the audit record of each call is the manifest the workflow writes next to the recording.
 */
import { ALL_OUTCOMES } from '../statemachines/outcomes';
import { Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';

/** Terminal states of the workflow, one metric each. */
export const OUTCOME_STATES = ALL_OUTCOMES;
/** Entered once per StartRecording retry. */
export const START_RETRY_STATE = 'WaitBeforeStartRetry';
/** Entered when the consent notice could not be delivered. */
export const CONSENT_NOT_DELIVERED_STATE = 'ConsentNotDelivered';
/** Entered when a declined caller's recording could not be confirmed deleted (OptedOutRecording = DELETE). */
export const OPTED_OUT_NOT_DELETED_STATE = 'OptedOutRecordingNotDeleted';
/** Entered once per StartRecording request the Chime API throttled (the account's update rate): not a failed attempt. */
export const START_THROTTLED_STATE = 'StartThrottled';
/** Entered when a start was throttled for all of ThrottleWindowSeconds: that attempt fails. */
export const START_THROTTLED_TOO_LONG_STATE = 'StartThrottledTooLong';

/**
 * Issue 24, present only when configured: a recording whose retention could not be applied, and a call an erasure
 * request could not find (not indexed by its caller). Each is alarmed.
 */
export const RECORDS_STATES: Record<string, string> = {
  RetentionNotApplied:
    "A recording's retention by outcome could not be applied (the manifest's retention says why: REFUSED is a shorter date than the version has, or a missing permission).",
  CallerNotIndexed:
    'A call could not be indexed by its caller: an erasure request would not find it. Index it by hand from its manifest, or erase it by transaction id.',
};

export const START_RETRIES_METRIC = 'StartRetries';
export const CONSENT_NOT_DELIVERED_METRIC = 'ConsentNotDelivered';
export const OPTED_OUT_NOT_DELETED_METRIC = 'OptedOutRecordingNotDeleted';
export const START_THROTTLED_METRIC = 'StartThrottled';
export const START_THROTTLED_TOO_LONG_METRIC = 'StartThrottledTooLong';

/** The execution-history event a state logs when entered ("Succeed" -> "SucceedStateEntered"). */
export function enteredEventType(definition: Record<string, unknown>, stateName: string): string {
  const states = definition.States as Record<string, { Type?: string }> | undefined;
  const state = states?.[stateName];
  if (!state?.Type)
    throw new Error(`operations: the workflow definition has no state "${stateName}"; update infra/operations.ts with the ASL`);
  return `${state.Type}StateEntered`;
}

/** Metric filter pattern matching the entry into one state. */
export function stateEnteredPattern(definition: Record<string, unknown>, stateName: string): logs.IFilterPattern {
  return logs.FilterPattern.all(
    logs.FilterPattern.stringValue('$.type', '=', enteredEventType(definition, stateName)),
    logs.FilterPattern.stringValue('$.details.name', '=', stateName),
  );
}

export interface OperationsProps {
  readonly stateMachine: sfn.StateMachine;
  readonly stateMachineLogGroup: logs.ILogGroup;
  readonly definition: Record<string, unknown>;
  readonly smaFunction: lambda.IFunction;
  readonly key: kms.IKey;
  readonly alarmEmail?: string;
  /** Where the SMA function's recording middleware publishes its metrics (Powertools EMF). */
  readonly functionMetrics: FunctionMetrics;
}

/** The SMA function's Powertools metrics: POWERTOOLS_METRICS_NAMESPACE and POWERTOOLS_SERVICE_NAME. */
export interface FunctionMetrics {
  readonly namespace: string;
  readonly service: string;
}

export class Operations extends Construct {
  readonly topic: sns.Topic;
  readonly namespace: string;
  readonly alarms: Record<string, cloudwatch.Alarm> = {};
  readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: OperationsProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.namespace = `${stack.stackName}/RecordingWorkflow`;

    this.topic = new sns.Topic(this, 'AlarmTopic', {
      masterKey: props.key,
      enforceSSL: true,
      displayName: `${stack.stackName} call recording alarms`,
    });
    if (props.alarmEmail) this.topic.addSubscription(new subscriptions.EmailSubscription(props.alarmEmail));

    const countFilter = (filterId: string, stateName: string, metricName: string): cloudwatch.Metric => {
      new logs.MetricFilter(this, filterId, {
        logGroup: props.stateMachineLogGroup,
        filterPattern: stateEnteredPattern(props.definition, stateName),
        metricNamespace: this.namespace,
        metricName,
        metricValue: '1',
        defaultValue: 0, // a zero on every other event keeps the graphs and alarms continuous
      });
      return new cloudwatch.Metric({ namespace: this.namespace, metricName, statistic: cloudwatch.Stats.SUM, period: Duration.minutes(5) });
    };

    const outcomes: Record<string, cloudwatch.Metric> = {};
    for (const state of OUTCOME_STATES) outcomes[state] = countFilter(`Outcome${state}`, state, state);
    const startRetries = countFilter('StartRetries', START_RETRY_STATE, START_RETRIES_METRIC);
    const consentNotDelivered = countFilter('ConsentNotDeliveredFilter', CONSENT_NOT_DELIVERED_STATE, CONSENT_NOT_DELIVERED_METRIC);
    const optedOutNotDeleted = countFilter('OptedOutNotDeletedFilter', OPTED_OUT_NOT_DELETED_STATE, OPTED_OUT_NOT_DELETED_METRIC);
    const startThrottled = countFilter('StartThrottledFilter', START_THROTTLED_STATE, START_THROTTLED_METRIC);
    const startThrottledTooLong = countFilter(
      'StartThrottledTooLongFilter',
      START_THROTTLED_TOO_LONG_STATE,
      START_THROTTLED_TOO_LONG_METRIC,
    );

    const fiveMin = { period: Duration.minutes(5) };
    const sm = props.stateMachine;
    const fn = props.smaFunction;
    const alarm = (
      alarmId: string,
      metric: cloudwatch.IMetric,
      description: string,
      extra: Partial<cloudwatch.CreateAlarmOptions> = {},
    ): void => {
      const a = new cloudwatch.Alarm(this, alarmId, {
        metric,
        threshold: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        alarmDescription: description,
        ...extra,
      });
      a.addAlarmAction(new actions.SnsAction(this.topic));
      a.addOkAction(new actions.SnsAction(this.topic));
      this.alarms[alarmId] = a;
    };

    // START_FAILED, RECORDING_MISSING, RECORDING_INVALID, RECORDING_UNVERIFIED and INVALID_INPUT are Fail states: each is one failed execution.
    alarm(
      'ExecutionsFailed',
      sm.metricFailed(fiveMin),
      'A call ended without a good recording (START_FAILED, RECORDING_MISSING, RECORDING_INVALID, RECORDING_UNVERIFIED or INVALID_INPUT): see the execution and its manifest.',
    );
    alarm('ExecutionsTimedOut', sm.metricTimedOut(fiveMin), 'A recording workflow exceeded its execution timeout: a call has no outcome.');
    alarm(
      'ExecutionsAborted',
      sm.metricAborted(fiveMin),
      'A recording workflow was stopped by hand or by a redeploy: that call has no outcome.',
    );
    alarm('ExecutionThrottled', sm.metricThrottled(fiveMin), 'Step Functions throttled state transitions of the recording workflow.');
    alarm(
      'SmaFunctionErrors',
      fn.metricErrors(fiveMin),
      'The SMA Lambda threw or timed out: the SMA retries, then hangs up the call after 20 s.',
    );
    alarm('SmaFunctionThrottles', fn.metricThrottles(fiveMin), 'The SMA Lambda was throttled: calls get no answer from it.');
    alarm(
      'SmaFunctionSlow',
      fn.metricDuration({ ...fiveMin, statistic: cloudwatch.Stats.percentile(99) }),
      'p99 duration of the SMA Lambda above 3 s: close to the SMA 5 s retry deadline.',
      {
        threshold: 3000,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 3,
      },
    );
    alarm('RecordingMissing', outcomes.RECORDING_MISSING, 'Recording started but no object landed before the verification deadline.', {
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
    });
    alarm(
      'RecordingUnverified',
      outcomes.RECORDING_UNVERIFIED,
      'S3 refused to read a recording (403: bucket policy, object ownership or KMS key policy): recordings are landing unverified and untagged; see verification.accessProblem in the manifest.',
      {
        threshold: 0,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      },
    );
    // The Reconcile branch (issue 22): an object whose call's verdict did not account for it, or no call at all.
    alarm(
      'RecordingLandedLate',
      outcomes.LANDED_LATE,
      "A recording landed after its call's verdict (LANDED_LATE, LANDED_AFTER_START_FAILED...): the object is tagged and its manifest beside it names the call and the original verdict, which it amends (e.g. a call recorded without its consent notice).",
      { threshold: 0, comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD },
    );
    alarm(
      'UnknownRecording',
      outcomes.UNKNOWN_RECORDING,
      'A recording landed that no recording workflow knows (started outside the workflow, or a key that names no call): tagged UNKNOWN_RECORDING, manifest beside it.',
      { threshold: 0, comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD },
    );
    alarm('ConsentNotDelivered', consentNotDelivered, 'A call is being recorded without a delivered consent notice: legal risk, act now.', {
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
    });
    alarm(
      'OptedOutRecordingNotDeleted',
      optedOutNotDeleted,
      "A caller declined recording and their recording could not be confirmed deleted: check the bucket for the key in the execution's manifest (optOut.deletion says why).",
      { threshold: 0, comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD },
    );
    // A burst is throttled for a while by design (the workflow waits its turn); throttling through 15 minutes
    // running is a quota too low for the traffic, and a start throttled past its window is a recording at risk.
    alarm(
      'StartThrottled',
      startThrottled,
      'StartRecording requests throttled (UpdateSipMediaApplicationCall quota) in each of 3 consecutive 5-minute periods: the account quota is too low for the traffic; raise it (README, Capacity) before starts run past ThrottleWindowSeconds.',
      { evaluationPeriods: 3, datapointsToAlarm: 3 },
    );
    for (const [state, description] of Object.entries(RECORDS_STATES)) {
      if (!(state in (props.definition.States as Record<string, unknown>))) continue;
      alarm(state, countFilter(`${state}Filter`, state, state), description, {
        threshold: 0,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      });
    }
    alarm(
      'StartThrottledTooLong',
      startThrottledTooLong,
      'A recording start was throttled for all of ThrottleWindowSeconds and failed (START_FAILED unless a later attempt started it): raise the UpdateSipMediaApplicationCall quota.',
      { threshold: 0, comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD },
    );

    // The recording middleware's own counts (issue 21): a recorded call whose workflow never started (its
    // StartExecution refused on every event of the call), and the hand-off mailbox failing (S3 refused a slot).
    const fnMetric = (metricName: string) =>
      new cloudwatch.Metric({
        namespace: props.functionMetrics.namespace,
        metricName,
        dimensionsMap: { service: props.functionMetrics.service },
        statistic: cloudwatch.Stats.SUM,
        period: Duration.minutes(5),
      });
    alarm(
      'RecordedWithoutWorkflow',
      fnMetric('RecordedWithoutWorkflow'),
      'A call was recorded but its recording workflow could not be started (StartExecution refused until the call ended): the recording has no audit. Look for the object by TransactionId and raise the StartExecution quota.',
      { threshold: 0, comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD },
    );
    alarm(
      'MailboxErrors',
      fnMetric('MailboxErrors'),
      'The SMA Lambda could not use the hand-off mailbox (S3 refused or failed a slot): workflows wait for their timeouts instead of the call outcome. Check the mailbox bucket, its policy and the function role.',
      { threshold: 0, comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD },
    );

    const hourly = (m: cloudwatch.Metric): cloudwatch.Metric => m.with({ period: Duration.hours(1) });
    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: `${stack.stackName}-call-recording`,
      defaultInterval: Duration.days(1),
    });
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Outcomes per hour',
        left: OUTCOME_STATES.map((s) => hourly(outcomes[s]).with({ label: s })),
        stacked: true,
        width: 12,
      }),
      new cloudwatch.GraphWidget({
        title: 'Executions started vs. ended per hour',
        left: [
          sm.metricStarted({ period: Duration.hours(1), label: 'started' }),
          new cloudwatch.MathExpression({
            expression: 'succeeded + failed + timedOut + aborted',
            label: 'ended',
            period: Duration.hours(1),
            usingMetrics: {
              succeeded: sm.metricSucceeded({ period: Duration.hours(1) }),
              failed: sm.metricFailed({ period: Duration.hours(1) }),
              timedOut: sm.metricTimedOut({ period: Duration.hours(1) }),
              aborted: sm.metricAborted({ period: Duration.hours(1) }),
            },
          }),
        ],
        width: 12,
      }),
    );
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'StartRecording retries / throttled requests per hour',
        left: [
          hourly(startRetries).with({ label: START_RETRY_STATE }),
          hourly(startThrottled).with({ label: START_THROTTLED_STATE }),
          hourly(startThrottledTooLong).with({ label: START_THROTTLED_TOO_LONG_STATE }),
        ],
        width: 8,
      }),
      new cloudwatch.GraphWidget({
        title: 'Recordings missing / unverified / consent not delivered / opted out, not deleted per hour',
        left: [
          hourly(outcomes.RECORDING_MISSING).with({ label: 'RECORDING_MISSING' }),
          hourly(outcomes.RECORDING_UNVERIFIED).with({ label: 'RECORDING_UNVERIFIED' }),
          hourly(consentNotDelivered).with({ label: 'ConsentNotDelivered' }),
          hourly(optedOutNotDeleted).with({ label: OPTED_OUT_NOT_DELETED_STATE }),
        ],
        width: 8,
      }),
      new cloudwatch.GraphWidget({
        title: 'SMA Lambda: p99 duration (ms) vs. the 5 s SMA deadline, errors, throttles',
        left: [fn.metricDuration({ statistic: cloudwatch.Stats.percentile(99), period: Duration.minutes(5) })],
        right: [fn.metricErrors({ period: Duration.minutes(5) }), fn.metricThrottles({ period: Duration.minutes(5) })],
        leftAnnotations: [{ value: 5000, label: 'SMA retry deadline', color: '#d62728' }],
        width: 8,
      }),
    );
    // There is no "oldest running execution" metric. This query lists executions whose latest execution-level
    // event is still ExecutionStarted, oldest first, within the dashboard's time range (1 day by default; the
    // workflow's own ExecutionTimeoutSeconds bounds how old one can get, and ExecutionsTimedOut alarms past it).
    this.dashboard.addWidgets(
      new cloudwatch.LogQueryWidget({
        title: 'Oldest running executions (started, not yet ended)',
        logGroupNames: [props.stateMachineLogGroup.logGroupName],
        view: cloudwatch.LogQueryVisualizationType.TABLE,
        queryLines: [
          'fields @timestamp, type, execution_arn',
          'filter type in ["ExecutionStarted", "ExecutionSucceeded", "ExecutionFailed", "ExecutionTimedOut", "ExecutionAborted"]',
          'stats earliest(@timestamp) as startedAt, latest(type) as lastEvent by execution_arn',
          'filter lastEvent = "ExecutionStarted"',
          'sort startedAt asc',
          'limit 10',
        ],
        width: 24,
      }),
    );
  }
}
