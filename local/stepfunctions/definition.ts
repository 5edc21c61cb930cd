/**
 * Parsing and validation of a state machine definition at CreateStateMachine time.
 *
 * The twin interprets JSONata states only: a state whose query language is JSONPath (the default
 * when neither the state nor the top level says "JSONata") is refused, naming the state, as are
 * Map and Parallel states and any resource other than `arn:aws:states:::aws-sdk:<service>:<action>`
 * (optionally `.waitForTaskToken`). Every refusal is an `InvalidDefinition` API error whose message
 * follows AWS's shape: `Invalid State Machine Definition: 'CODE: text at /States/Name/Field'`.
 */
import { SfnApiError, StatesErrors } from './errors';
import { isJsonataString, jsonataSource, jsonataSyntaxError } from './jsonata-eval';

export interface RetrierDef {
  ErrorEquals: string[];
  IntervalSeconds: number;
  MaxAttempts: number;
  BackoffRate: number;
  MaxDelaySeconds?: number;
  JitterStrategy: 'FULL' | 'NONE';
}

export interface CatcherDef {
  ErrorEquals: string[];
  Next: string;
  Output?: unknown;
  Assign?: Record<string, unknown>;
}

export interface ChoiceRuleDef {
  Condition: unknown;
  Next: string;
  Output?: unknown;
  Assign?: Record<string, unknown>;
}

export interface TaskResource {
  /** The resource ARN as written. */
  arn: string;
  service: string;
  action: string;
  waitForTaskToken: boolean;
  /** History `resourceType`, e.g. `aws-sdk:chimesdkvoice`. */
  resourceType: string;
  /** History `resource`, e.g. `updateSipMediaApplicationCall.waitForTaskToken`. */
  resourceName: string;
}

interface Common {
  Name: string;
  Comment?: string;
  Output?: unknown;
  Assign?: Record<string, unknown>;
  Next?: string;
  End?: boolean;
}
export interface TaskState extends Common {
  Type: 'Task';
  Resource: TaskResource;
  Arguments?: unknown;
  TimeoutSeconds?: unknown;
  HeartbeatSeconds?: unknown;
  Retry: RetrierDef[];
  Catch: CatcherDef[];
}
export interface PassState extends Common {
  Type: 'Pass';
}
export interface ChoiceState extends Common {
  Type: 'Choice';
  Choices: ChoiceRuleDef[];
  Default?: string;
}
export interface WaitState extends Common {
  Type: 'Wait';
  Seconds?: unknown;
  Timestamp?: unknown;
}
export interface SucceedState extends Common {
  Type: 'Succeed';
}
export interface FailState {
  Type: 'Fail';
  Name: string;
  Comment?: string;
  Error?: unknown;
  Cause?: unknown;
}
export type StateDef = TaskState | PassState | ChoiceState | WaitState | SucceedState | FailState;

export interface Definition {
  StartAt: string;
  States: Record<string, StateDef>;
  TimeoutSeconds?: number;
}

/** AWS's maximum for TimeoutSeconds/HeartbeatSeconds/Wait Seconds (about three years). */
export const MAX_SECONDS = 99999999;

const TOP_FIELDS = new Set(['Comment', 'StartAt', 'States', 'TimeoutSeconds', 'Version', 'QueryLanguage']);
const COMMON_FIELDS = ['Type', 'Comment', 'QueryLanguage'];
const FIELDS: Record<string, string[]> = {
  Task: [
    ...COMMON_FIELDS,
    'Resource',
    'Arguments',
    'Output',
    'Assign',
    'Next',
    'End',
    'TimeoutSeconds',
    'HeartbeatSeconds',
    'Retry',
    'Catch',
  ],
  Pass: [...COMMON_FIELDS, 'Output', 'Assign', 'Next', 'End'],
  Choice: [...COMMON_FIELDS, 'Choices', 'Default', 'Output', 'Assign'],
  Wait: [...COMMON_FIELDS, 'Seconds', 'Timestamp', 'Output', 'Assign', 'Next', 'End'],
  Succeed: [...COMMON_FIELDS, 'Output'],
  Fail: [...COMMON_FIELDS, 'Error', 'Cause'],
};
const JSONPATH_ONLY_FIELDS = new Set([
  'InputPath',
  'Parameters',
  'ResultSelector',
  'ResultPath',
  'OutputPath',
  'Result',
  'TimeoutSecondsPath',
  'HeartbeatSecondsPath',
  'SecondsPath',
  'TimestampPath',
  'ErrorPath',
  'CausePath',
]);
const RETRIER_FIELDS = new Set([
  'ErrorEquals',
  'IntervalSeconds',
  'MaxAttempts',
  'BackoffRate',
  'MaxDelaySeconds',
  'JitterStrategy',
  'Comment',
]);
const CATCHER_FIELDS = new Set(['ErrorEquals', 'Next', 'Output', 'Assign', 'Comment']);
const RULE_FIELDS = new Set(['Condition', 'Next', 'Output', 'Assign', 'Comment']);

const RESOURCE_RE = /^arn:aws:states:[a-z0-9-]*:[0-9]*:aws-sdk:([a-z0-9]+):([a-z][A-Za-z0-9]*)(\.waitForTaskToken)?$/;
/** Spec: variable names follow Unicode identifier rules (ID_Start then ID_Continue), at most 80 chars. */
const VARIABLE_NAME_RE = /^\p{ID_Start}\p{ID_Continue}*$/u;
const TIMESTAMP_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/** Parse an RFC 3339 timestamp as the spec restricts it (uppercase T, Z or numeric offset). */
export function parseTimestamp(value: unknown): number | undefined {
  if (typeof value !== 'string' || !TIMESTAMP_RE.test(value)) return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms;
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
const isPositiveInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v > 0;
const isNonNegativeInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0;

/** Validate and normalise a definition; throws `InvalidDefinition` listing every problem found. */
export function parseDefinition(source: string | object): Definition {
  const problems: string[] = [];
  const add = (code: string, text: string, at: string) => problems.push(`${code}: ${text} at ${at}`);

  let raw: unknown;
  if (typeof source === 'string') {
    try {
      raw = JSON.parse(source);
    } catch (e) {
      throw invalid([`INVALID_JSON_DESCRIPTION: ${(e as Error).message} at /`]);
    }
  } else {
    raw = source;
  }
  if (!isObject(raw)) throw invalid(['SCHEMA_VALIDATION_FAILED: the definition must be a JSON object at /']);

  for (const k of Object.keys(raw)) if (!TOP_FIELDS.has(k)) add('SCHEMA_VALIDATION_FAILED', `Field "${k}" is not supported`, '/');
  const topLanguage = raw.QueryLanguage ?? 'JSONPath';
  if (topLanguage !== 'JSONata' && topLanguage !== 'JSONPath')
    add('SCHEMA_VALIDATION_FAILED', `QueryLanguage must be "JSONata" or "JSONPath"`, '/QueryLanguage');
  if (raw.TimeoutSeconds !== undefined && !(isPositiveInt(raw.TimeoutSeconds) && raw.TimeoutSeconds <= MAX_SECONDS)) {
    add('SCHEMA_VALIDATION_FAILED', 'TimeoutSeconds must be a positive integer', '/TimeoutSeconds');
  }
  if (!isObject(raw.States) || Object.keys(raw.States).length === 0) {
    add('SCHEMA_VALIDATION_FAILED', 'States must be a non-empty object', '/States');
    throw invalid(problems);
  }
  const names = new Set(Object.keys(raw.States));
  if (typeof raw.StartAt !== 'string') add('SCHEMA_VALIDATION_FAILED', 'StartAt must be a string', '/StartAt');
  else if (!names.has(raw.StartAt)) add('MISSING_TRANSITION_TARGET', `Missing 'StartAt' target: ${raw.StartAt}`, '/StartAt');

  const states: Record<string, StateDef> = {};
  for (const [name, rawState] of Object.entries(raw.States)) {
    const at = `/States/${name}`;
    if (name.length === 0 || name.length > 80) add('SCHEMA_VALIDATION_FAILED', 'State names must be 1 to 80 characters', at);
    if (!isObject(rawState)) {
      add('SCHEMA_VALIDATION_FAILED', 'A state must be a JSON object', at);
      continue;
    }
    const parsed = parseState(name, rawState, topLanguage, names, add);
    if (parsed) states[name] = parsed;
  }

  if (problems.length === 0 && typeof raw.StartAt === 'string') {
    for (const name of unreachable(raw.StartAt, states)) add('UNREACHABLE_STATE', `State "${name}" is not reachable`, `/States/${name}`);
  }
  if (problems.length > 0) throw invalid(problems);
  return { StartAt: raw.StartAt as string, States: states, TimeoutSeconds: raw.TimeoutSeconds as number | undefined };
}

function invalid(problems: string[]): SfnApiError {
  return new SfnApiError('InvalidDefinition', `Invalid State Machine Definition: '${problems.join(', ')}'`);
}

type Add = (code: string, text: string, at: string) => void;

function parseState(name: string, s: Record<string, unknown>, topLanguage: unknown, names: Set<string>, add: Add): StateDef | undefined {
  const at = `/States/${name}`;
  const type = s.Type;
  if (type === 'Map' || type === 'Parallel') {
    add(
      'UNSUPPORTED_FEATURE',
      `State "${name}" is a ${type} state, which is unsupported by the local twin (it interprets Task, Pass, Choice, Wait, Succeed and Fail)`,
      `${at}/Type`,
    );
    return undefined;
  }
  if (typeof type !== 'string' || !FIELDS[type]) {
    add('SCHEMA_VALIDATION_FAILED', `State "${name}" has an unknown Type ${JSON.stringify(type)}`, `${at}/Type`);
    return undefined;
  }
  const language = s.QueryLanguage ?? topLanguage;
  if (language !== 'JSONata') {
    add(
      'UNSUPPORTED_FEATURE',
      `State "${name}" uses the JSONPath query language; the local twin interprets JSONata only (set "QueryLanguage": "JSONata" at the top level or on the state)`,
      `${at}/QueryLanguage`,
    );
    return undefined;
  }
  for (const k of Object.keys(s)) {
    if (JSONPATH_ONLY_FIELDS.has(k)) add('SCHEMA_VALIDATION_FAILED', `Field "${k}" is not supported in a JSONata state`, `${at}/${k}`);
    else if (k === 'Credentials') add('UNSUPPORTED_FEATURE', `Field "Credentials" is unsupported by the local twin`, `${at}/${k}`);
    else if (!FIELDS[type].includes(k)) add('SCHEMA_VALIDATION_FAILED', `Field "${k}" is not supported for ${type} states`, `${at}/${k}`);
  }

  const checkJsonata = (value: unknown, path: string) => {
    walkJsonata(value, path, (source, p) => {
      const err = jsonataSyntaxError(source);
      if (err) add('SCHEMA_VALIDATION_FAILED', `The JSONata expression '${source}' is invalid: ${err}`, p);
    });
  };
  const checkAssign = (value: unknown, path: string): Record<string, unknown> | undefined => {
    if (value === undefined) return undefined;
    if (!isObject(value)) {
      add('SCHEMA_VALIDATION_FAILED', 'Assign must be a JSON object', path);
      return undefined;
    }
    for (const v of Object.keys(value)) {
      if (v === 'states') add('SCHEMA_VALIDATION_FAILED', 'The variable name "states" is reserved', `${path}/${v}`);
      else if (v.length > 80 || !VARIABLE_NAME_RE.test(v)) add('SCHEMA_VALIDATION_FAILED', `Invalid variable name "${v}"`, `${path}/${v}`);
    }
    checkJsonata(value, path);
    return value;
  };
  const checkTarget = (target: unknown, path: string, field: string): string | undefined => {
    if (typeof target !== 'string') {
      add('SCHEMA_VALIDATION_FAILED', `${field} must be a string`, path);
      return undefined;
    }
    if (!names.has(target)) add('MISSING_TRANSITION_TARGET', `Missing '${field}' target: ${target}`, path);
    return target;
  };
  const checkTransition = (): { Next?: string; End?: boolean } => {
    if (s.End !== undefined && s.End !== true && s.End !== false) add('SCHEMA_VALIDATION_FAILED', 'End must be a boolean', `${at}/End`);
    const hasNext = s.Next !== undefined;
    const isEnd = s.End === true;
    if (hasNext === isEnd) add('SCHEMA_VALIDATION_FAILED', `State "${name}" must have exactly one of "Next" or "End": true`, at);
    return hasNext ? { Next: checkTarget(s.Next, `${at}/Next`, 'Next') } : { End: true };
  };
  if (s.Output !== undefined) checkJsonata(s.Output, `${at}/Output`);
  const common = { Name: name, Comment: s.Comment as string | undefined, Output: s.Output };

  switch (type) {
    case 'Pass':
      return { Type: 'Pass', ...common, Assign: checkAssign(s.Assign, `${at}/Assign`), ...checkTransition() };
    case 'Succeed':
      return { Type: 'Succeed', ...common };
    case 'Fail':
      for (const f of ['Error', 'Cause'] as const) {
        if (s[f] !== undefined && typeof s[f] !== 'string') add('SCHEMA_VALIDATION_FAILED', `${f} must be a string`, `${at}/${f}`);
        if (s[f] !== undefined) checkJsonata(s[f], `${at}/${f}`);
      }
      return { Type: 'Fail', Name: name, Comment: common.Comment, Error: s.Error, Cause: s.Cause };
    case 'Wait': {
      const hasSeconds = s.Seconds !== undefined;
      const hasTimestamp = s.Timestamp !== undefined;
      if (hasSeconds === hasTimestamp)
        add('SCHEMA_VALIDATION_FAILED', 'A Wait state must contain exactly one of "Seconds" or "Timestamp"', at);
      if (hasSeconds && !isJsonataString(s.Seconds) && !(isNonNegativeInt(s.Seconds) && s.Seconds <= MAX_SECONDS)) {
        add('SCHEMA_VALIDATION_FAILED', 'Seconds must be a non-negative integer or a JSONata string', `${at}/Seconds`);
      }
      if (hasTimestamp && !isJsonataString(s.Timestamp) && parseTimestamp(s.Timestamp) === undefined) {
        add(
          'SCHEMA_VALIDATION_FAILED',
          'Timestamp must be an RFC 3339 timestamp (uppercase T; Z or offset) or a JSONata string',
          `${at}/Timestamp`,
        );
      }
      checkJsonata(s.Seconds, `${at}/Seconds`);
      checkJsonata(s.Timestamp, `${at}/Timestamp`);
      return {
        Type: 'Wait',
        ...common,
        Seconds: s.Seconds,
        Timestamp: s.Timestamp,
        Assign: checkAssign(s.Assign, `${at}/Assign`),
        ...checkTransition(),
      };
    }
    case 'Choice': {
      if (s.Next !== undefined || s.End !== undefined) add('SCHEMA_VALIDATION_FAILED', 'A Choice state must not have "Next" or "End"', at);
      const rules: ChoiceRuleDef[] = [];
      if (!Array.isArray(s.Choices) || s.Choices.length === 0)
        add('SCHEMA_VALIDATION_FAILED', 'Choices must be a non-empty array', `${at}/Choices`);
      else
        for (const [i, r] of s.Choices.entries()) {
          const rp = `${at}/Choices[${i}]`;
          if (!isObject(r)) {
            add('SCHEMA_VALIDATION_FAILED', 'A Choice Rule must be an object', rp);
            continue;
          }
          for (const k of Object.keys(r))
            if (!RULE_FIELDS.has(k))
              add('SCHEMA_VALIDATION_FAILED', `Field "${k}" is not supported in a JSONata Choice Rule`, `${rp}/${k}`);
          if (r.Condition === undefined) add('SCHEMA_VALIDATION_FAILED', 'A JSONata Choice Rule must have a "Condition"', rp);
          else if (typeof r.Condition !== 'boolean' && !isJsonataString(r.Condition))
            add('SCHEMA_VALIDATION_FAILED', 'Condition must be a boolean or a JSONata string', `${rp}/Condition`);
          checkJsonata(r.Condition, `${rp}/Condition`);
          if (r.Output !== undefined) checkJsonata(r.Output, `${rp}/Output`);
          const next = checkTarget(r.Next, `${rp}/Next`, 'Next');
          rules.push({ Condition: r.Condition, Next: next ?? '', Output: r.Output, Assign: checkAssign(r.Assign, `${rp}/Assign`) });
        }
      const Default = s.Default === undefined ? undefined : checkTarget(s.Default, `${at}/Default`, 'Default');
      return { Type: 'Choice', ...common, Choices: rules, Default, Assign: checkAssign(s.Assign, `${at}/Assign`) };
    }
    case 'Task': {
      const resource = parseResource(s.Resource);
      if (!resource) {
        add(
          'UNSUPPORTED_FEATURE',
          `Resource ${JSON.stringify(s.Resource)} is unsupported by the local twin (only arn:aws:states:::aws-sdk:<service>:<action>, optionally .waitForTaskToken)`,
          `${at}/Resource`,
        );
      }
      for (const f of ['TimeoutSeconds', 'HeartbeatSeconds'] as const) {
        const v = s[f];
        if (v !== undefined && !isJsonataString(v) && !(isPositiveInt(v) && v <= MAX_SECONDS))
          add('SCHEMA_VALIDATION_FAILED', `${f} must be a positive integer or a JSONata string`, `${at}/${f}`);
        checkJsonata(v, `${at}/${f}`);
      }
      if (isPositiveInt(s.TimeoutSeconds) && isPositiveInt(s.HeartbeatSeconds) && s.HeartbeatSeconds >= s.TimeoutSeconds) {
        add('SCHEMA_VALIDATION_FAILED', 'HeartbeatSeconds must be smaller than TimeoutSeconds', `${at}/HeartbeatSeconds`);
      }
      if (s.Arguments !== undefined) checkJsonata(s.Arguments, `${at}/Arguments`);
      const Retry = parseRetry(s.Retry, `${at}/Retry`, add);
      const Catch = parseCatch(s.Catch, `${at}/Catch`, add, checkTarget, checkAssign, checkJsonata);
      return {
        Type: 'Task',
        ...common,
        Resource: resource ?? ({} as TaskResource),
        Arguments: s.Arguments,
        TimeoutSeconds: s.TimeoutSeconds,
        HeartbeatSeconds: s.HeartbeatSeconds,
        Assign: checkAssign(s.Assign, `${at}/Assign`),
        Retry,
        Catch,
        ...checkTransition(),
      };
    }
  }
  return undefined;
}

export function parseResource(value: unknown): TaskResource | undefined {
  if (typeof value !== 'string') return undefined;
  const m = RESOURCE_RE.exec(value);
  if (!m) return undefined;
  const [, service, action, suffix] = m;
  return {
    arn: value,
    service,
    action,
    waitForTaskToken: Boolean(suffix),
    resourceType: `aws-sdk:${service}`,
    resourceName: `${action}${suffix ?? ''}`,
  };
}

function checkErrorEquals(v: unknown, path: string, isLast: boolean, add: Add): string[] {
  if (!Array.isArray(v) || v.length === 0 || !v.every((e) => typeof e === 'string')) {
    add('SCHEMA_VALIDATION_FAILED', 'ErrorEquals must be a non-empty array of strings', path);
    return [];
  }
  if (v.includes(StatesErrors.ALL)) {
    if (v.length !== 1) add('SCHEMA_VALIDATION_FAILED', 'States.ALL must appear alone in ErrorEquals', path);
    if (!isLast) add('SCHEMA_VALIDATION_FAILED', 'States.ALL must appear in the last element', path);
  }
  return v as string[];
}

function parseRetry(v: unknown, path: string, add: Add): RetrierDef[] {
  if (v === undefined) return [];
  if (!Array.isArray(v)) {
    add('SCHEMA_VALIDATION_FAILED', 'Retry must be an array', path);
    return [];
  }
  return v.map((r, i) => {
    const rp = `${path}[${i}]`;
    if (!isObject(r)) {
      add('SCHEMA_VALIDATION_FAILED', 'A Retrier must be an object', rp);
      return { ErrorEquals: [], IntervalSeconds: 1, MaxAttempts: 0, BackoffRate: 2, JitterStrategy: 'NONE' };
    }
    for (const k of Object.keys(r))
      if (!RETRIER_FIELDS.has(k)) add('SCHEMA_VALIDATION_FAILED', `Field "${k}" is not supported in a Retrier`, `${rp}/${k}`);
    const out: RetrierDef = {
      ErrorEquals: checkErrorEquals(r.ErrorEquals, `${rp}/ErrorEquals`, i === v.length - 1, add),
      IntervalSeconds: (r.IntervalSeconds as number) ?? 1,
      MaxAttempts: (r.MaxAttempts as number) ?? 3,
      BackoffRate: (r.BackoffRate as number) ?? 2.0,
      MaxDelaySeconds: r.MaxDelaySeconds as number | undefined,
      JitterStrategy: (r.JitterStrategy as 'FULL' | 'NONE') ?? 'NONE',
    };
    if (!(isPositiveInt(out.IntervalSeconds) && out.IntervalSeconds <= MAX_SECONDS))
      add('SCHEMA_VALIDATION_FAILED', 'IntervalSeconds must be a positive integer', `${rp}/IntervalSeconds`);
    if (!(isNonNegativeInt(out.MaxAttempts) && out.MaxAttempts <= MAX_SECONDS))
      add('SCHEMA_VALIDATION_FAILED', 'MaxAttempts must be a non-negative integer', `${rp}/MaxAttempts`);
    if (!(typeof out.BackoffRate === 'number' && out.BackoffRate >= 1.0))
      add('SCHEMA_VALIDATION_FAILED', 'BackoffRate must be a number >= 1.0', `${rp}/BackoffRate`);
    if (out.MaxDelaySeconds !== undefined && !(isPositiveInt(out.MaxDelaySeconds) && out.MaxDelaySeconds <= MAX_SECONDS)) {
      add('SCHEMA_VALIDATION_FAILED', 'MaxDelaySeconds must be a positive integer', `${rp}/MaxDelaySeconds`);
    }
    if (out.JitterStrategy !== 'FULL' && out.JitterStrategy !== 'NONE')
      add('SCHEMA_VALIDATION_FAILED', 'JitterStrategy must be "FULL" or "NONE"', `${rp}/JitterStrategy`);
    return out;
  });
}

function parseCatch(
  v: unknown,
  path: string,
  add: Add,
  checkTarget: (t: unknown, p: string, f: string) => string | undefined,
  checkAssign: (a: unknown, p: string) => Record<string, unknown> | undefined,
  checkJsonata: (value: unknown, p: string) => void,
): CatcherDef[] {
  if (v === undefined) return [];
  if (!Array.isArray(v)) {
    add('SCHEMA_VALIDATION_FAILED', 'Catch must be an array', path);
    return [];
  }
  return v.map((c, i) => {
    const cp = `${path}[${i}]`;
    if (!isObject(c)) {
      add('SCHEMA_VALIDATION_FAILED', 'A Catcher must be an object', cp);
      return { ErrorEquals: [], Next: '' };
    }
    for (const k of Object.keys(c))
      if (!CATCHER_FIELDS.has(k)) add('SCHEMA_VALIDATION_FAILED', `Field "${k}" is not supported in a JSONata Catcher`, `${cp}/${k}`);
    if (c.Output !== undefined) checkJsonata(c.Output, `${cp}/Output`);
    return {
      ErrorEquals: checkErrorEquals(c.ErrorEquals, `${cp}/ErrorEquals`, i === v.length - 1, add),
      Next: checkTarget(c.Next, `${cp}/Next`, 'Next') ?? '',
      Output: c.Output,
      Assign: checkAssign(c.Assign, `${cp}/Assign`),
    };
  });
}

/** Calls `visit` for every JSONata string nested in `value`. */
function walkJsonata(value: unknown, path: string, visit: (source: string, path: string) => void): void {
  if (isJsonataString(value)) visit(jsonataSource(value), path);
  else if (Array.isArray(value)) for (const [i, v] of value.entries()) walkJsonata(v, `${path}[${i}]`, visit);
  else if (isObject(value)) for (const [k, v] of Object.entries(value)) walkJsonata(v, `${path}/${k}`, visit);
}

function successors(s: StateDef): string[] {
  const out: string[] = [];
  if ('Next' in s && s.Next) out.push(s.Next);
  if (s.Type === 'Choice') {
    for (const r of s.Choices) out.push(r.Next);
    if (s.Default) out.push(s.Default);
  }
  if (s.Type === 'Task') for (const c of s.Catch) out.push(c.Next);
  return out;
}

function unreachable(start: string, states: Record<string, StateDef>): string[] {
  const seen = new Set<string>([start]);
  const todo = [start];
  while (todo.length) {
    const s = states[todo.pop()!];
    if (!s) continue;
    for (const n of successors(s)) if (!seen.has(n)) seen.add(n), todo.push(n);
  }
  return Object.keys(states).filter((n) => !seen.has(n));
}
