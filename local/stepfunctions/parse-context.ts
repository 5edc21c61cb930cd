/**
 * What parsing one state needs (definition.ts makes it, each state type's parser in states/*.ts uses it):
 * the raw state, where it is, the problem list to add to, and the checks every state type shares.
 */
import { isJsonataString, jsonataSource, jsonataSyntaxError } from './jsonata-eval';

export type Add = (code: string, text: string, at: string) => void;

/** Spec: variable names follow Unicode identifier rules (ID_Start then ID_Continue), at most 80 chars. */
const VARIABLE_NAME_RE = /^\p{ID_Start}\p{ID_Continue}*$/u;

export const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
export const isPositiveInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v > 0;
export const isNonNegativeInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0;

export interface ParseContext {
  /** The state's name, and its path in the definition (`/States/Name`). */
  name: string;
  at: string;
  /** The state as written. */
  s: Record<string, unknown>;
  /** Name, Comment and Output, as every state type but Fail keeps them. */
  common: { Name: string; Comment: string | undefined; Output: unknown };
  add: Add;
  /** Adds a problem for every JSONata string in `value` that does not parse. */
  checkJsonata(value: unknown, path: string): void;
  /** An Assign object: variable names and JSONata checked; undefined when absent or not an object. */
  checkAssign(value: unknown, path: string): Record<string, unknown> | undefined;
  /** A transition target (Next, Default): must name a state. */
  checkTarget(target: unknown, path: string, field: string): string | undefined;
  /** Exactly one of Next or End: true. */
  checkTransition(): { Next?: string; End?: boolean };
}

export function makeParseContext(name: string, s: Record<string, unknown>, names: Set<string>, add: Add): ParseContext {
  const at = `/States/${name}`;
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
  const common = { Name: name, Comment: s.Comment as string | undefined, Output: s.Output };
  return { name, at, s, common, add, checkJsonata, checkAssign, checkTarget, checkTransition };
}

/** Calls `visit` for every JSONata string nested in `value`. */
function walkJsonata(value: unknown, path: string, visit: (source: string, path: string) => void): void {
  if (isJsonataString(value)) visit(jsonataSource(value), path);
  else if (Array.isArray(value)) for (const [i, v] of value.entries()) walkJsonata(v, `${path}[${i}]`, visit);
  else if (isObject(value)) for (const [k, v] of Object.entries(value)) walkJsonata(v, `${path}/${k}`, visit);
}
