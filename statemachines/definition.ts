/**
 * Loads statemachines/recording-workflow.asl.json and fills in its `${Name}` settings. The file stays valid
 * JSON: a string that is exactly "${Name}" becomes the setting's typed value (so "MaxAttempts":
 * "${VerifyMaxRetries}" becomes a number), and a placeholder inside a longer string is replaced as text.
 * The CDK app, the local twin and the tests all render the definition through this one function, so the
 * same workflow runs everywhere; only the settings differ.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { consentTextProblem } from '../lambdas/shared/recording-request';

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
  /**
   * WaitForCallEnd asks the SMA again this often (a new update, a new token): an update whose call ended before the
   * SMA delivered it is lost, and this bounds how late the workflow learns that the call is over.
   */
  CallEndCheckSeconds: number;
  /** Retries (not attempts) of the WaitForCallEnd update on throttling, 5xx and connection errors. */
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
}

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
  DefaultConsentText: 'This call is being recorded for quality and compliance purposes.',
  CallEndTimeoutSeconds: 4 * 3600,
  CallEndCheckSeconds: 900,
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
    if (key === 'OptedOutRecording') {
      if (value !== 'KEEP' && value !== 'DELETE') problems.push(`${key}: must be KEEP or DELETE, got ${JSON.stringify(value)}`);
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
  // Derived: the re-asks of WaitForCallEnd that fit in CallEndTimeoutSeconds.
  settings.ThrottleMaxRetries = throttleMaxRetries(settings as unknown as WorkflowSettings);
  settings.CallEndRechecks = Math.max(
    0,
    Math.ceil((settings.CallEndTimeoutSeconds as number) / (settings.CallEndCheckSeconds as number)) - 1,
  );
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
  return walk(template) as Record<string, unknown>;
}

/** Every state name of the definition: the operations dashboard and metric filters key on these. */
export { ALL_OUTCOMES, FAILED_OUTCOMES, OUTCOMES, SUCCEEDED_OUTCOMES, type Outcome } from './outcomes';
