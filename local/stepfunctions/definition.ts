/**
 * Parsing and validation of a state machine definition at CreateStateMachine time.
 *
 * The twin interprets JSONata states only: a state whose query language is JSONPath (the default
 * when neither the state nor the top level says "JSONata") is refused, naming the state, as are
 * Map and Parallel states and any resource other than `arn:aws:states:::aws-sdk:<service>:<action>`
 * (optionally `.waitForTaskToken`). Every refusal is an `InvalidDefinition` API error whose message
 * follows AWS's shape: `Invalid State Machine Definition: 'CODE: text at /States/Name/Field'`.
 *
 * This module checks the definition as a whole and what every state shares, then hands each state to its
 * type's parser, which lives beside that type's executor in states/*.ts.
 */
import { SfnApiError } from './errors';
import { isObject, isPositiveInt, makeParseContext, type Add, type ParseContext } from './parse-context';
import { type Definition, MAX_SECONDS, type StateDef } from './state-types';
import { parseChoice } from './states/choice';
import { parseFail } from './states/fail';
import { parsePass } from './states/pass';
import { parseSucceed } from './states/succeed';
import { parseTask } from './states/task';
import { parseWait } from './states/wait';

export type {
  CatcherDef,
  ChoiceRuleDef,
  ChoiceState,
  Definition,
  FailState,
  PassState,
  RetrierDef,
  StateDef,
  SucceedState,
  TaskResource,
  TaskState,
  WaitState,
} from './state-types';
export { MAX_SECONDS, parseTimestamp } from './state-types';
export { parseResource } from './states/task';

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

/** Each state type's parser (FIELDS names the fields each type may have). */
const PARSERS: Record<string, (ctx: ParseContext) => StateDef> = {
  Task: parseTask,
  Pass: parsePass,
  Choice: parseChoice,
  Wait: parseWait,
  Succeed: parseSucceed,
  Fail: parseFail,
};

/** Validate and normalise a definition; throws `InvalidDefinition` listing every problem found. */
export function parseDefinition(source: string | object): Definition {
  const problems: string[] = [];
  const add = (code: string, text: string, at: string) => problems.push(`${code}: ${text} at ${at}`);

  let raw: unknown;
  if (typeof source === 'string') {
    try {
      raw = JSON.parse(source);
    } catch (e) {
      throw invalid([`INVALID_JSON_DESCRIPTION: ${(e as Error).message} at /`], { cause: e });
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

function invalid(problems: string[], options?: ErrorOptions): SfnApiError {
  return new SfnApiError('InvalidDefinition', `Invalid State Machine Definition: '${problems.join(', ')}'`, 400, options);
}

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

  const ctx = makeParseContext(name, s, names, add);
  if (s.Output !== undefined) ctx.checkJsonata(s.Output, `${at}/Output`);
  return PARSERS[type]?.(ctx);
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
