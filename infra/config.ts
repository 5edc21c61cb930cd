/**
 * Deployment settings, read from CDK context (`cdk.json` "context", or `npx cdk deploy -c key=value`).
 * Values given with `-c` arrive as strings, so every reader here parses and validates; a bad value fails the
 * synth with a message naming the key (better than a stack that deploys and then drops recordings).
 *
 * | key                            | default         | meaning                                                                 |
 * | ------------------------------ | --------------- | ----------------------------------------------------------------------- |
 * | stackName                      | CallRecording   | CloudFormation stack name                                               |
 * | account / region               | (agnostic)      | pin the stack's environment; unset = environment-agnostic template      |
 * | recordingPrefix                | recordings      | key prefix the SMA writes under (RECORDING_LOCATION = bucket/prefix)    |
 * | encryption                     | s3-managed      | s3-managed (SSE-S3) or kms (SSE-KMS, customer managed key, rotation)    |
 * | objectOwnership                | BucketOwnerPreferred | or BucketOwnerEnforced (ACLs off); see recording-bucket.ts          |
 * | objectLockMode                 | (off)           | GOVERNANCE or COMPLIANCE: Object Lock with a default retention          |
 * | objectLockDays                 | 365             | default retention when objectLockMode is set                            |
 * | glacierTransitionDays          | 30              | current versions to Glacier Instant Retrieval after N days (0 = never)  |
 * | noncurrentVersionExpirationDays| 90              | delete noncurrent versions after N days (0 = never)                     |
 * | accessLogExpirationDays        | 365             | server access log objects expire after N days                           |
 * | logRetentionDays               | 90              | CloudWatch Logs retention (Lambda + state machine)                      |
 * | autoRecord                     | off             | SMA Lambda AUTO_RECORD: "on" starts a workflow for every new call       |
 * | recordingTrack                 | BOTH            | BOTH, INCOMING or OUTGOING                                              |
 * | consentText                    | (workflow default) | notice spoken after recording starts (<= 1000 chars)                 |
 * | bridgeRoutes                   | {}              | JSON map dialled E.164 -> bridge target E.164                           |
 * | smaName                        | <stackName>-sma | name of the SIP media application                                       |
 * | invokePermissionScope          | service         | service: the documented form (principal voiceconnector.chime.amazonaws.com only); account: + aws:SourceAccount; sma: + this SMA's ARN (SourceArn). Stricter forms are opt-in until proven on AWS (docs/verify-on-aws.md) |
 * | logExecutionData               | false           | state machine logs with execution data (inputs, outputs, task tokens, callers' legs): off by default |
 * | powertoolsLogLevel             | INFO            | POWERTOOLS_LOG_LEVEL of the SMA Lambda                                  |
 * | alarmEmail                     | (none)          | e-mail address subscribed to the alarm topic                            |
 * | workflowSettings               | {}              | JSON overrides of statemachines/definition.ts WorkflowSettings          |
 * | retentionByOutcome             | {}              | JSON outcome -> {days, mode}: retention the workflow applies when it marks a call (issue 24) |
 * | retentionMethod                | OBJECT_LOCK     | OBJECT_LOCK (bucket with Object Lock, no default retention) or LIFECYCLE_TAG (expiry by tag) |
 * | erasureOperatorsRoleArn        | (none)          | the operators' role that may assume the erasure role; turns the caller index on |
 */
import type { Node } from 'constructs';
import { type RetentionPolicy, settingsProblems, type WorkflowSettings } from '../statemachines/definition';
import { parseBridgeRoutes } from '../lambdas/shared/bridge-routes';
import { MAX_CONSENT_TEXT, consentTextProblem, prefixProblem } from '../lambdas/shared/recording-request';
import { smaRegionProblem } from './sma-regions';

export type Encryption = 's3-managed' | 'kms';
export type ObjectLockMode = 'GOVERNANCE' | 'COMPLIANCE';
export type Track = 'BOTH' | 'INCOMING' | 'OUTGOING';

export interface RecordingConfig {
  readonly stackName: string;
  readonly account?: string;
  readonly region?: string;
  readonly recordingPrefix: string;
  readonly encryption: Encryption;
  readonly objectOwnership: 'BucketOwnerPreferred' | 'BucketOwnerEnforced';
  readonly objectLock?: { readonly mode: ObjectLockMode; readonly days: number };
  readonly glacierTransitionDays: number;
  readonly noncurrentVersionExpirationDays: number;
  readonly accessLogExpirationDays: number;
  readonly logRetentionDays: number;
  /** Values the SMA Lambda's loadConfig accepts (lambdas/sma-handler/config.ts). */
  readonly autoRecord: 'off' | 'on';
  readonly recordingTrack: Track;
  readonly consentText?: string;
  readonly bridgeRoutes: Record<string, string>;
  readonly smaName: string;
  readonly invokePermissionScope: 'service' | 'account' | 'sma';
  /** Step Functions logs with execution data (IncludeExecutionData): task tokens and legs in CloudWatch Logs. */
  readonly logExecutionData: boolean;
  readonly powertoolsLogLevel: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';
  readonly alarmEmail?: string;
  readonly workflowSettings: Partial<WorkflowSettings>;
  /** Retention by outcome (records-governance.ts): empty = none. */
  readonly retentionByOutcome: RetentionPolicy;
  readonly retentionMethod: WorkflowSettings['RetentionMethod'];
  /** The operators' role allowed to assume the erasure role; with it the workflow indexes calls by caller. */
  readonly erasureOperatorsRoleArn?: string;
}

export const DEFAULT_STACK_NAME = 'CallRecording';

/** CloudWatch Logs accepts only these retention values. */
const LOG_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653];

class ConfigError extends Error {
  constructor(
    readonly where: string,
    readonly reason: string,
    options?: ErrorOptions,
  ) {
    super(`${where}: ${reason}`, options);
    this.name = 'ConfigError';
  }
}

/** From CDK context: errors name the context key. */
export function readConfig(node: Node): RecordingConfig {
  return parseRecordingConfig(
    (key) => node.tryGetContext(key),
    (key) => `context "${key}"`,
  );
}

/**
 * The one validator of every setting, whatever its source: CDK context (strings from `-c`, or JSON values
 * from cdk.json) or the CallRecording construct's typed props. `describe` names a key in error messages.
 */
export function parseRecordingConfig(get: (key: string) => unknown, describe: (key: string) => string): RecordingConfig {
  const raw = (key: string): unknown => {
    const v = get(key);
    return v === '' ? undefined : v;
  };
  const configError = (key: string, message: string, options?: ErrorOptions): Error => new ConfigError(describe(key), message, options);
  const str = (key: string, fallback: string): string => {
    const v = raw(key);
    if (v === undefined) return fallback;
    if (typeof v !== 'string') throw configError(key, `must be a string, got ${JSON.stringify(v)}`);
    return v;
  };
  const optStr = (key: string): string | undefined => {
    const v = raw(key);
    if (v === undefined) return undefined;
    if (typeof v !== 'string') throw configError(key, `must be a string, got ${JSON.stringify(v)}`);
    return v;
  };
  const oneOf = <T extends string>(key: string, allowed: readonly T[], fallback: T): T => {
    const v = str(key, fallback);
    if (!(allowed as readonly string[]).includes(v)) throw configError(key, `must be one of ${allowed.join(', ')}, got "${v}"`);
    return v as T;
  };
  const bool = (key: string, fallback: boolean): boolean => {
    const v = raw(key);
    if (v === undefined) return fallback;
    if (v === true || v === 'true') return true;
    if (v === false || v === 'false') return false;
    throw configError(key, `must be true or false, got ${JSON.stringify(v)}`);
  };
  const int = (key: string, fallback: number, min: number, max: number): number => {
    const v = raw(key);
    if (v === undefined) return fallback;
    const n = typeof v === 'string' ? Number(v) : v;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < min || n > max)
      throw configError(key, `must be an integer in [${min}, ${max}], got ${JSON.stringify(v)}`);
    return n;
  };
  const json = (key: string): Record<string, unknown> => {
    const v = raw(key);
    if (v === undefined) return {};
    let parsed: unknown = v;
    if (typeof v === 'string') {
      try {
        parsed = JSON.parse(v);
      } catch {
        throw configError(key, 'must be a JSON object');
      }
    }
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw configError(key, 'must be a JSON object');
    return parsed as Record<string, unknown>;
  };

  const stackName = str('stackName', DEFAULT_STACK_NAME);
  if (!/^[A-Za-z][A-Za-z0-9-]{0,59}$/.test(stackName))
    throw configError(
      'stackName',
      'must start with a letter and contain only letters, digits and "-" (at most 60 characters: the state machine name derives from it)',
    );

  const recordingPrefix = str('recordingPrefix', 'recordings').replace(/\/+$/, '');
  const prefixIssue = recordingPrefix === '' ? 'must not be empty' : prefixProblem(recordingPrefix);
  if (prefixIssue) throw configError('recordingPrefix', `${prefixIssue} (got "${recordingPrefix}")`);

  const lockMode = optStr('objectLockMode');
  let objectLock: RecordingConfig['objectLock'];
  if (lockMode !== undefined) {
    if (lockMode !== 'GOVERNANCE' && lockMode !== 'COMPLIANCE')
      throw configError('objectLockMode', `must be GOVERNANCE or COMPLIANCE, got "${lockMode}"`);
    objectLock = { mode: lockMode, days: int('objectLockDays', 365, 1, 36500) };
  }

  const logRetentionDays = int('logRetentionDays', 90, 1, 3653);
  if (!LOG_RETENTION_DAYS.includes(logRetentionDays))
    throw configError('logRetentionDays', `must be one of ${LOG_RETENTION_DAYS.join(', ')}`);

  const consentText = optStr('consentText');
  if (consentText !== undefined && consentTextProblem(consentText))
    throw configError('consentText', `must be non-blank and at most ${MAX_CONSENT_TEXT} characters (the Speak action limit)`);

  let bridgeRoutes: Record<string, string>;
  try {
    bridgeRoutes = parseBridgeRoutes(json('bridgeRoutes'));
  } catch (e) {
    throw configError('bridgeRoutes', (e as Error).message, { cause: e });
  }

  const workflowSettings = json('workflowSettings') as Partial<WorkflowSettings>;
  const settingIssues = settingsProblems(workflowSettings);
  if (settingIssues.length) throw configError('workflowSettings', settingIssues.join('; '));

  const retentionByOutcome = json('retentionByOutcome') as RetentionPolicy;
  const retentionIssues = settingsProblems({ Retention: retentionByOutcome });
  if (retentionIssues.length) throw configError('retentionByOutcome', retentionIssues.join('; '));
  const retentionMethod = oneOf('retentionMethod', ['OBJECT_LOCK', 'LIFECYCLE_TAG'] as const, 'OBJECT_LOCK');
  // A bucket default retention would lock everything else too (the caller index, hold and erasure records), so
  // that erasure could never remove an index entry: retention by outcome replaces it.
  if (Object.keys(retentionByOutcome).length && objectLock)
    throw configError('retentionByOutcome', 'replaces the bucket default retention: unset objectLockMode / objectLockDays');
  const erasureOperatorsRoleArn = optStr('erasureOperatorsRoleArn');
  if (erasureOperatorsRoleArn !== undefined && !/^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/.test(erasureOperatorsRoleArn))
    throw configError(
      'erasureOperatorsRoleArn',
      `must be an IAM role ARN (arn:aws:iam::<account>:role/<name>), got "${erasureOperatorsRoleArn}"`,
    );

  const alarmEmail = optStr('alarmEmail');
  if (alarmEmail !== undefined && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(alarmEmail))
    throw configError('alarmEmail', `must be an e-mail address, got "${alarmEmail}"`);

  const account = optStr('account');
  if (account !== undefined && !/^\d{12}$/.test(account)) throw configError('account', 'must be a 12-digit AWS account id');
  const region = optStr('region');
  if (region !== undefined && !/^[a-z]{2}(-[a-z]+)+-\d$/.test(region))
    throw configError('region', `must be a region name such as us-east-1, got "${region}"`);
  const regionIssue = region === undefined ? undefined : smaRegionProblem(region);
  if (regionIssue) throw configError('region', regionIssue);

  const smaName = str('smaName', `${stackName}-sma`);
  if (!/^[a-zA-Z0-9 _.-]{1,256}$/.test(smaName))
    throw configError('smaName', 'must be 1-256 characters of letters, digits, space, "_", "." or "-"');

  return {
    stackName,
    account,
    region,
    recordingPrefix,
    encryption: oneOf('encryption', ['s3-managed', 'kms'] as const, 's3-managed'),
    objectOwnership: oneOf('objectOwnership', ['BucketOwnerPreferred', 'BucketOwnerEnforced'] as const, 'BucketOwnerPreferred'),
    objectLock,
    glacierTransitionDays: int('glacierTransitionDays', 30, 0, 36500),
    noncurrentVersionExpirationDays: int('noncurrentVersionExpirationDays', 90, 0, 36500),
    accessLogExpirationDays: int('accessLogExpirationDays', 365, 1, 36500),
    logRetentionDays,
    autoRecord: oneOf('autoRecord', ['off', 'on'] as const, 'off'),
    recordingTrack: oneOf('recordingTrack', ['BOTH', 'INCOMING', 'OUTGOING'] as const, 'BOTH'),
    consentText,
    bridgeRoutes,
    smaName,
    invokePermissionScope: oneOf('invokePermissionScope', ['service', 'account', 'sma'] as const, 'service'),
    logExecutionData: bool('logExecutionData', false),
    powertoolsLogLevel: oneOf('powertoolsLogLevel', ['DEBUG', 'INFO', 'WARN', 'ERROR'] as const, 'INFO'),
    alarmEmail,
    workflowSettings,
    retentionByOutcome,
    retentionMethod,
    erasureOperatorsRoleArn,
  };
}
