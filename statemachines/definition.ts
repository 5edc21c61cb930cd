/**
 * Loads statemachines/recording-workflow.asl.json and fills in its `${Name}` settings. The file stays valid
 * JSON: a string that is exactly "${Name}" becomes the setting's typed value (so "MaxAttempts":
 * "${VerifyMaxRetries}" becomes a number), and a placeholder inside a longer string is replaced as text.
 * The CDK app, the local twin and the tests all render the definition through this one function, so the
 * same workflow runs everywhere; only the settings differ.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { bucketProblem, consentTextProblem, DEFAULT_CONSENT_TEXT, prefixProblem } from '../lambdas/shared/recording-request';

export const DEFINITION_PATH = join(__dirname, 'recording-workflow.asl.json');

export interface WorkflowSettings {
  /** Bound on one StartRecording attempt (UpdateSipMediaApplicationCall -> ACTION_SUCCESSFUL/FAILED). */
  StartAttemptTimeoutSeconds: number;
  /** Total StartCallRecording attempts, the first included, for transient errors. */
  StartMaxAttempts: number;
  StartIntervalSeconds: number;
  StartBackoffRate: number;
  StartMaxDelaySeconds: number;
  /**
   * Throttling (ChimeSdkVoice.ThrottledClientException: the account's UpdateSipMediaApplicationCall rate) is not a
   * failed attempt: the request never reached the SMA. It is retried with capped exponential backoff and full jitter
   * (a random wait in (0, min(ThrottleMaxDelaySeconds, ThrottleIntervalSeconds * 2^(n-1))]) for as long as
   * ThrottleWindowSeconds from the first throttled request; past it the start attempt fails (StartThrottledTooLong).
   * The window must exceed the time the account needs to drain a burst: updates in the burst / the update quota.
   */
  ThrottleIntervalSeconds: number;
  ThrottleMaxDelaySeconds: number;
  ThrottleWindowSeconds: number;
  ConsentTimeoutSeconds: number;
  /** Retries (not attempts) of the consent notice on SystemException / throttling. */
  ConsentMaxRetries: number;
  ConsentIntervalSeconds: number;
  DefaultConsentText: string;
  /** Longest call the workflow follows; past it, verification runs anyway. */
  CallEndTimeoutSeconds: number;
  /** Retries (not attempts) of WaitForCallEnd's mailbox write on 5xx and connection errors. */
  CallEndMaxRetries: number;
  CallEndRetryIntervalSeconds: number;
  VerifyIntervalSeconds: number;
  VerifyBackoffRate: number;
  VerifyMaxDelaySeconds: number;
  /** HeadObject retries while the object has not landed; with the above this is the delivery deadline. */
  VerifyMaxRetries: number;
  /** Slack between the recording-duration metadata and the workflow's own measure of the call. */
  DurationToleranceSeconds: number;
  /** Safety net above the sum of every task's bound: an execution never runs unbounded. */
  ExecutionTimeoutSeconds: number;
  /** Seconds the caller has, once the notice is spoken, to press the opt-out key (input optOutDigit). */
  OptOutSeconds: number;
  /**
   * What happens to the part recorded before a caller declined: DELETE it (the deletion goes in the manifest)
   * or KEEP it, tagged OPTED_OUT. DELETE is the default: the caller refused to be recorded.
   */
  OptedOutRecording: 'KEEP' | 'DELETE';
  /**
   * With DELETE, a recording that has not landed by the delivery deadline is looked for again this often, this many
   * times (LateOptedOutChecks may be 0: no watch), and deleted if it comes: it must not stay.
   */
  LateOptedOutCheckSeconds: number;
  LateOptedOutChecks: number;
  /**
   * The Reconcile branch (an S3 Object Created event for a recording, issue 22) waits for the call's own execution to
   * end before judging the object: first ReconcileCheckSeconds (past VerifyMaxDelaySeconds, so the usual object,
   * landing while VerifyRecording polls, is looked at once), doubling up to ReconcileMaxDelaySeconds, within
   * ExecutionTimeoutSeconds.
   */
  ReconcileCheckSeconds: number;
  ReconcileMaxDelaySeconds: number;
  /** Bound on one pause / resume / stop (UpdateSipMediaApplicationCall -> the action's result). */
  ControlTimeoutSeconds: number;
  /** Retries (not attempts) of a pause / resume / stop on transient errors and timeouts. */
  ControlMaxRetries: number;
  /**
   * The hand-off mailbox (issue 21): the bucket where the workflow leaves its task tokens for the SMA Lambda, as
   * `<MailboxPrefix>/<transactionId>/<slot>.json` (lambdas/shared/mailbox-contract.ts). In AWS the CallRecording construct sets it to its own mailbox
   * bucket (a CDK token until deploy time); the default names the twin's.
   */
  MailboxBucket: string;
  /** Key prefix of the mailbox objects: S3 safe characters, no leading or trailing "/". */
  MailboxPrefix: string;
  /**
   * Retention by outcome, applied when the workflow marks the call (RECORDED, RECORDING_INVALID, OPTED_OUT kept):
   * days from then, and with OBJECT_LOCK the mode. An outcome not named keeps what the bucket does by default.
   */
  Retention: RetentionPolicy;
  /** OBJECT_LOCK: PutObjectRetention on the recording's version, the manifest written locked (bucket with Object Lock). LIFECYCLE_TAG: expiry by the bucket's lifecycle rule per recording-status tag. */
  RetentionMethod: 'OBJECT_LOCK' | 'LIFECYCLE_TAG';
  /** Name or ARN of the caller-key function (lambdas/caller-index); '' = calls are not indexed by caller. */
  CallerIndexFunction: string;
  /** `bucket/prefix` of the caller index (erasure requests find a caller's calls there). */
  CallerIndexLocation: string;
}

export type RetentionMode = 'GOVERNANCE' | 'COMPLIANCE';
export type RetentionPolicy = Partial<Record<'RECORDED' | 'RECORDING_INVALID' | 'OPTED_OUT', { days: number; mode: RetentionMode }>>;
export const RETAINED_OUTCOMES = ['RECORDED', 'RECORDING_INVALID', 'OPTED_OUT'] as const;

export const DEFAULT_SETTINGS: Readonly<WorkflowSettings> = Object.freeze({
  StartAttemptTimeoutSeconds: 30,
  StartMaxAttempts: 4,
  StartIntervalSeconds: 2,
  StartBackoffRate: 2,
  StartMaxDelaySeconds: 20,
  ThrottleIntervalSeconds: 1,
  ThrottleMaxDelaySeconds: 20,
  ThrottleWindowSeconds: 900,
  ConsentTimeoutSeconds: 120,
  ConsentMaxRetries: 2,
  ConsentIntervalSeconds: 1,
  DefaultConsentText: DEFAULT_CONSENT_TEXT,
  CallEndTimeoutSeconds: 4 * 3600,
  CallEndMaxRetries: 6,
  CallEndRetryIntervalSeconds: 2,
  VerifyIntervalSeconds: 5,
  VerifyBackoffRate: 2,
  VerifyMaxDelaySeconds: 60,
  VerifyMaxRetries: 10,
  DurationToleranceSeconds: 5,
  ExecutionTimeoutSeconds: 7 * 3600,
  OptOutSeconds: 5,
  OptedOutRecording: 'DELETE',
  LateOptedOutCheckSeconds: 900,
  // 0: the Reconcile branch deletes a declined caller's late recording when it lands (its S3 event), whatever its delay.
  LateOptedOutChecks: 0,
  ReconcileCheckSeconds: 70,
  ReconcileMaxDelaySeconds: 900,
  ControlTimeoutSeconds: 30,
  ControlMaxRetries: 2,
  MailboxBucket: 'call-recording-mailbox-local',
  MailboxPrefix: 'mailbox',
  Retention: {},
  RetentionMethod: 'OBJECT_LOCK',
  CallerIndexFunction: '',
  CallerIndexLocation: 'caller-index-bucket/caller-index',
});

/** Seconds VerifyRecording keeps polling after the call ends before RECORDING_MISSING (no jitter). */
export function verifyDeadlineSeconds(
  s: Pick<WorkflowSettings, 'VerifyIntervalSeconds' | 'VerifyBackoffRate' | 'VerifyMaxDelaySeconds' | 'VerifyMaxRetries'>,
): number {
  let total = 0;
  for (let i = 0; i < s.VerifyMaxRetries; i++)
    total += Math.min(s.VerifyMaxDelaySeconds, s.VerifyIntervalSeconds * s.VerifyBackoffRate ** i);
  return total;
}

/**
 * Retries a Retry block gives throttling (NotifyConsent, WaitForCallEnd, the controls): as many as fill
 * ThrottleWindowSeconds on average, a full-jitter wait being half its capped delay on average.
 */
export function throttleMaxRetries(
  s: Pick<WorkflowSettings, 'ThrottleIntervalSeconds' | 'ThrottleMaxDelaySeconds' | 'ThrottleWindowSeconds'>,
): number {
  let expected = 0;
  let retries = 0;
  while (expected < s.ThrottleWindowSeconds) {
    expected += Math.min(s.ThrottleMaxDelaySeconds, s.ThrottleIntervalSeconds * 2 ** retries) / 2;
    retries++;
  }
  return retries;
}

/** Settings Step Functions takes as non-integers; every other number lands in a field that must be an integer. */
const FRACTIONAL_SETTINGS = new Set<keyof WorkflowSettings>(['StartBackoffRate', 'VerifyBackoffRate', 'DurationToleranceSeconds']);
/** Counts of retries may be 0; every other integer setting must be at least 1. */
const ZERO_ALLOWED = new Set<keyof WorkflowSettings>([
  'ConsentMaxRetries',
  'VerifyMaxRetries',
  'CallEndMaxRetries',
  'ControlMaxRetries',
  'LateOptedOutChecks',
]);

/**
 * A CDK token standing for a string resolved at deploy time (`${Token[<hint>.<n>]}`, aws-cdk-lib's encoding), such as
 * the construct's mailbox bucket name: its value cannot be checked here, CloudFormation makes a valid bucket name.
 */
const DEPLOY_TIME_TOKEN = /^\$\{Token\[[A-Za-z0-9:._-]+\]\}$/;

/** What is wrong with a MailboxBucket or MailboxPrefix value, or null. */
function mailboxSettingProblem(key: 'MailboxBucket' | 'MailboxPrefix', value: unknown): string | null {
  if (typeof value !== 'string') return `must be a string, got ${JSON.stringify(value)}`;
  if (key === 'MailboxBucket') return DEPLOY_TIME_TOKEN.test(value) ? null : bucketProblem(value);
  if (value === '') return 'must not be empty';
  if (value.endsWith('/')) return 'key prefix must not end with "/"';
  return prefixProblem(value);
}

/** Returns what is wrong with a settings object (all problems), so a deployment fails before AWS refuses it. */
export function settingsProblems(settings: Partial<WorkflowSettings>): string[] {
  const problems: string[] = [];
  const throttle = { ...DEFAULT_SETTINGS, ...settings };
  if (
    typeof throttle.ThrottleWindowSeconds === 'number' &&
    typeof throttle.ThrottleMaxDelaySeconds === 'number' &&
    throttle.ThrottleWindowSeconds < throttle.ThrottleMaxDelaySeconds
  )
    problems.push(
      `ThrottleWindowSeconds: must be at least ThrottleMaxDelaySeconds (${throttle.ThrottleMaxDelaySeconds}), got ${throttle.ThrottleWindowSeconds}`,
    );
  for (const [key, value] of Object.entries(settings) as Array<[keyof WorkflowSettings, unknown]>) {
    if (!(key in DEFAULT_SETTINGS)) {
      problems.push(`${key}: unknown setting (known: ${Object.keys(DEFAULT_SETTINGS).join(', ')})`);
      continue;
    }
    if (key === 'DefaultConsentText') {
      if (consentTextProblem(value)) problems.push(`${key}: must be a non-blank string of at most 1000 characters (Speak's limit)`);
      continue;
    }
    if (key === 'MailboxBucket' || key === 'MailboxPrefix') {
      const problem = mailboxSettingProblem(key, value);
      if (problem) problems.push(`${key}: ${problem}${typeof value === 'string' ? ` (got "${value}")` : ''}`);
      continue;
    }
    if (key === 'OptedOutRecording') {
      if (value !== 'KEEP' && value !== 'DELETE') problems.push(`${key}: must be KEEP or DELETE, got ${JSON.stringify(value)}`);
      continue;
    }
    if (key === 'Retention' || key === 'RetentionMethod' || key === 'CallerIndexFunction' || key === 'CallerIndexLocation') {
      problems.push(...retentionSettingProblem(key, value));
      continue;
    }
    if (key === 'OptOutSeconds' && typeof value === 'number' && value > 60) {
      problems.push(`${key}: must be at most 60 (the SMA Lambda's bound), got ${value}`);
      continue;
    }
    if (typeof value !== 'number' || !Number.isFinite(value))
      problems.push(`${key}: must be a finite number, got ${JSON.stringify(value)}`);
    else if (key.endsWith('BackoffRate') && value < 1) problems.push(`${key}: must be at least 1.0, got ${value}`);
    else if (FRACTIONAL_SETTINGS.has(key) && value < 0) problems.push(`${key}: must not be negative, got ${value}`);
    else if (!FRACTIONAL_SETTINGS.has(key) && (!Number.isInteger(value) || value < (ZERO_ALLOWED.has(key) ? 0 : 1)))
      problems.push(
        `${key}: must be an integer >= ${ZERO_ALLOWED.has(key) ? 0 : 1} (Step Functions takes whole seconds and counts), got ${value}`,
      );
  }
  return problems;
}

/** What is wrong with one of the retention and caller-index settings. */
function retentionSettingProblem(key: keyof WorkflowSettings, value: unknown): string[] {
  if (key === 'RetentionMethod')
    return value === 'OBJECT_LOCK' || value === 'LIFECYCLE_TAG'
      ? []
      : [`${key}: must be OBJECT_LOCK or LIFECYCLE_TAG, got ${JSON.stringify(value)}`];
  if (key === 'CallerIndexFunction')
    return typeof value === 'string' && /^[A-Za-z0-9_:.-]{0,170}$/.test(value)
      ? []
      : [`${key}: must be a Lambda function name or ARN, got ${JSON.stringify(value)}`];
  if (key === 'CallerIndexLocation')
    return typeof value === 'string' && value.startsWith('${Token[') // the bucket's name, known at deploy time (CDK)
      ? []
      : typeof value === 'string' && /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]\/[A-Za-z0-9!_.*()/-]+$/.test(value) && !value.endsWith('/')
        ? []
        : [`${key}: must be "bucket/prefix", got ${JSON.stringify(value)}`];
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return [`${key}: must be an object of outcome -> {days, mode}`];
  const problems: string[] = [];
  for (const [outcome, rule] of Object.entries(value as Record<string, unknown>)) {
    if (!(RETAINED_OUTCOMES as readonly string[]).includes(outcome))
      problems.push(`${key}.${outcome}: only ${RETAINED_OUTCOMES.join(', ')} are marked with a recording to retain`);
    const r = rule as { days?: unknown; mode?: unknown } | null;
    if (!r || typeof r.days !== 'number' || !Number.isInteger(r.days) || r.days < 1 || r.days > 36500)
      problems.push(`${key}.${outcome}.days: must be an integer 1-36500 (Object Lock's limit is 100 years)`);
    if (!r || (r.mode !== 'GOVERNANCE' && r.mode !== 'COMPLIANCE'))
      problems.push(`${key}.${outcome}.mode: must be GOVERNANCE or COMPLIANCE`);
  }
  return problems;
}

const PLACEHOLDER = /\$\{([A-Za-z][A-Za-z0-9]*)\}/g;

export function loadDefinitionTemplate(): unknown {
  return JSON.parse(readFileSync(DEFINITION_PATH, 'utf8'));
}

/** The definition with every placeholder filled in. Throws on a placeholder without a setting. */
export function renderDefinition(
  overrides: Partial<WorkflowSettings> = {},
  template: unknown = loadDefinitionTemplate(),
): Record<string, unknown> {
  const problems = settingsProblems(overrides);
  if (problems.length) throw new Error(`invalid workflow settings: ${problems.join('; ')}`);
  const settings: Record<string, unknown> = { ...DEFAULT_SETTINGS, ...overrides };
  // Derived: the throttling retries that fill ThrottleWindowSeconds.
  // Derived: the retention policy as a JSONata object literal (JSON is one), read by PlanRetention.
  settings.RetentionJson = JSON.stringify(settings.Retention);
  // Derived: the re-asks of WaitForCallEnd that fit in CallEndTimeoutSeconds.
  settings.ThrottleMaxRetries = throttleMaxRetries(settings as unknown as WorkflowSettings);
  const lookup = (name: string): unknown => {
    if (!(name in settings))
      throw new Error(`statemachines/recording-workflow.asl.json uses \${${name}} but no such workflow setting exists`);
    return settings[name];
  };
  const walk = (node: unknown): unknown => {
    if (typeof node === 'string') {
      const whole = /^\$\{([A-Za-z][A-Za-z0-9]*)\}$/.exec(node);
      if (whole) return lookup(whole[1]);
      // Inside a JSONata string literal: escape what would end the literal.
      return node.replace(PLACEHOLDER, (_, name: string) => String(lookup(name)).replace(/\\/g, '\\\\').replace(/'/g, "\\'"));
    }
    if (Array.isArray(node)) return node.map(walk);
    if (node && typeof node === 'object') return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, walk(v)]));
    return node;
  };
  return leaveOutUnconfigured(walk(template) as Record<string, unknown>, settings as unknown as WorkflowSettings);
}

/** The states of retention by outcome and of the caller index, and where the workflow goes without them. */
const RETENTION_STATES = {
  from: 'MarkComplete',
  first: 'PlanRetention',
  to: 'WriteAuditManifest',
  states: ['PlanRetention', 'RetainRecording', 'RetentionNotApplied'],
};
const INDEX_STATES = {
  from: 'WriteAuditManifest',
  first: 'IndexCaller',
  to: 'RouteOutcome',
  states: ['IndexCaller', 'HashCaller', 'CallerHashed', 'WriteCallerIndex', 'CallerNotIndexed'],
};

/**
 * A workflow without retention by outcome (Retention empty) or without a caller index (CallerIndexFunction empty)
 * does not pay for their states: each is left out, and the state before it goes where it went before them (each
 * costs a state transition per call).
 */
function leaveOutUnconfigured(definition: Record<string, unknown>, settings: WorkflowSettings): Record<string, unknown> {
  const states = definition.States as Record<string, Record<string, unknown>> | undefined;
  if (!states || typeof states !== 'object') return definition; // a template of another shape (tests): as is
  const leaveOut = (part: typeof RETENTION_STATES) => {
    const from = states[part.from];
    if (!from) return;
    if (from.Next === part.first) from.Next = part.to;
    for (const c of (from.Catch as Array<{ Next?: string }> | undefined) ?? []) if (c.Next === part.first) c.Next = part.to;
    for (const name of part.states) delete states[name];
  };
  if (Object.keys(settings.Retention ?? {}).length === 0) leaveOut(RETENTION_STATES);
  if (!settings.CallerIndexFunction) leaveOut(INDEX_STATES);
  return definition;
}

/** Every state name of the definition: the operations dashboard and metric filters key on these. */
export { ALL_OUTCOMES, FAILED_OUTCOMES, OUTCOMES, SUCCEEDED_OUTCOMES, type Outcome } from './outcomes';
