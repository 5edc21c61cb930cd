/**
 * JSONata evaluation for the twin: "{% expr %}" strings anywhere in a field's value are evaluated,
 * everything else is literal (recursively through objects and arrays), as the States Language spec
 * ("JSONata Evaluation") and the AWS docs ("Transforming data with JSONata") describe.
 *
 * What an expression sees:
 * - `$states` = { input, result?, errorOutput?, context } (spec "Reserved states variable");
 * - the workflow variables, with their values at state entry (the caller passes that snapshot);
 * - Step Functions' extra functions $partition, $range, $hash, $random([seed]), $uuid, $parse;
 * - `$now()` / `$millis()` read the injected Clock, so a time-scaled run stays consistent;
 * - `$eval` is refused: AWS documents it as unavailable ("use $parse instead").
 * The expression gets no input document, so a top-level `$` or bare field name evaluates to
 * nothing, which is an error, matching the spec's "JSONata Restrictions".
 *
 * Any failure (syntax, type error, undefined result, non-JSON result) is a
 * `States.QueryEvaluationError` with a cause naming the state, the expression and the field.
 */
import jsonata from 'jsonata';
import { createHash, randomUUID } from 'node:crypto';
import { v4 as uuidv4 } from 'uuid';
import type { Clock } from '../clock';
import { jsonataThrew, statePrefix } from './causes';
import { QueryEvaluationError } from './errors';

export const isJsonataString = (v: unknown): v is string =>
  typeof v === 'string' && v.length >= 4 && v.startsWith('{%') && v.endsWith('%}');

/** The inner expression of a "{% ... %}" string. */
export const jsonataSource = (v: string): string => v.slice(2, -2).trim();

/** The `$states` reserved variable. */
export interface StatesVariable {
  input: unknown;
  result?: unknown;
  errorOutput?: unknown;
  context: unknown;
}

/** Everything one evaluation needs besides the template itself. */
export interface EvalScope {
  states: StatesVariable;
  /** Workflow variables as they were when the state was entered. */
  variables: Readonly<Record<string, unknown>>;
  stateName: string;
  /** Id of the state's *Entered event, quoted in error causes like AWS does. */
  enteredEventId: number;
  /** The execution's own randomness for $random() and $uuid() (a seeded twin run); default: the evaluator's. */
  random?: () => number;
}

/**
 * Returns why Step Functions would refuse the expression at CreateStateMachine, or undefined: a syntax error,
 * or a reference to `$`, `$$` or an unqualified field name at the top level, which the States Language
 * forbids (AWS answers UNSUPPORTED_JSONATA_EXPRESSION: data comes from $states.* and variables only). A bare
 * `undefined` is such a field name: JSONata has no undefined literal.
 */
export function jsonataSyntaxError(source: string): string | undefined {
  let expr: ReturnType<typeof jsonata>;
  try {
    expr = jsonata(source);
  } catch (e) {
    return describeJsonataError(e);
  }
  const refs: string[] = [];
  topLevelReferences(expr.ast(), false, refs);
  return refs.length
    ? `Reference to ${refs.map((r) => `'${r}'`).join(', ')} at the top level is not supported (use $states.input or a variable)`
    : undefined;
}

type AstNode = { type?: string; value?: unknown; steps?: AstNode[]; stages?: unknown; predicate?: unknown; [k: string]: unknown };

/** Collects names and `$`/`$$` evaluated against the (absent) top-level context, i.e. not inside a path step or predicate. */
function topLevelReferences(node: unknown, nested: boolean, out: string[]): void {
  if (!node || typeof node !== 'object') return;
  if (Array.isArray(node)) {
    for (const n of node) topLevelReferences(n, nested, out);
    return;
  }
  const n = node as AstNode;
  if (n.type === 'name' && !nested) out.push(String(n.value));
  if (n.type === 'variable' && !nested && (n.value === '' || n.value === '$')) out.push(`$${n.value}`);
  if (n.type === 'path' && Array.isArray(n.steps)) {
    n.steps.forEach((step, i) => {
      const { stages, predicate, ...rest } = step;
      topLevelReferences(rest, nested || i > 0, out);
      topLevelReferences(stages, true, out);
      topLevelReferences(predicate, true, out);
    });
    return;
  }
  for (const [k, v] of Object.entries(n)) {
    if (k === 'position' || k === 'type' || (k === 'value' && typeof v !== 'object')) continue;
    topLevelReferences(v, nested || k === 'stages' || k === 'predicate', out);
  }
}

function describeJsonataError(e: unknown): string {
  const err = e as { message?: string; code?: string; position?: number };
  const where = err.code ? ` (code ${err.code}${err.position !== undefined ? `, position ${err.position}` : ''})` : '';
  return `${err.message ?? String(e)}${where}`;
}

const HASH_ALGORITHMS: Record<string, string> = {
  MD5: 'md5',
  'SHA-1': 'sha1',
  'SHA-256': 'sha256',
  'SHA-384': 'sha384',
  'SHA-512': 'sha512',
};

/** A small seeded PRNG (mulberry32): same seed, same number, as AWS documents for $random(seed). */
function seededRandom(seed: unknown): number {
  const digest = createHash('sha256')
    .update(JSON.stringify(seed) ?? 'null')
    .digest();
  let t = digest.readUInt32BE(0);
  t = (t + 0x6d2b79f5) >>> 0;
  let r = Math.imul(t ^ (t >>> 15), t | 1);
  r ^= r + Math.imul(r ^ (r >>> 7), r | 61);
  return ((r ^ (r >>> 14)) >>> 0) / 4294967296;
}

/** A v4 UUID from `random` (the twin's seeded runs give each execution the same $uuid() values every run). */
function uuidFrom(random: () => number): string {
  return uuidv4({ random: Uint8Array.from({ length: 16 }, () => Math.floor(random() * 256)) });
}

const isInteger = (n: unknown): n is number => typeof n === 'number' && Number.isInteger(n);

/**
 * Mark an array as a JSONata sequence. JSONata itself then applies its sequence rule to the call's
 * result (one item: the item; recorded on AWS: `$range(1, 9, 9)` is `1`), the same rule as for its own
 * `$map`/`$filter`. Plain arrays (what `$partition` returns: `[[0]]` stays `[[0]]` on AWS) are kept.
 * An empty range stays `[]`: AWS's answer is not recorded, and `[]` does not fail the state.
 */
function asSequence(items: unknown[]): unknown[] {
  if (items.length === 0) return items;
  return Object.assign(items, { sequence: true });
}

interface Compiled {
  expr: jsonata.Expression;
  /** Every variable name the expression looks up (`$x`, `$f()`), its own lambdas' parameters included. */
  names: readonly string[];
}

/** The names of the `variable` nodes anywhere in a compiled expression's tree. */
function variableNames(ast: unknown): string[] {
  const names = new Set<string>();
  const seen = new Set<object>();
  const walk = (node: unknown) => {
    if (!node || typeof node !== 'object' || seen.has(node)) return;
    seen.add(node);
    if (Array.isArray(node)) {
      for (const n of node) walk(n);
      return;
    }
    const n = node as AstNode;
    if (n.type === 'variable' && typeof n.value === 'string') names.add(n.value);
    for (const v of Object.values(n)) walk(v);
  };
  walk(ast);
  return [...names];
}

export class JsonataEvaluator {
  private readonly cache = new Map<string, Compiled>();
  private readonly functions: Record<string, unknown>;
  private readonly seeded = new WeakMap<() => number, Record<string, unknown>>();

  constructor(
    private readonly clock: Clock,
    random: () => number = Math.random,
  ) {
    const fromMillis = (args: unknown[]) => {
      // Delegate picture/timezone formatting to JSONata's own $fromMillis.
      const names = ['$p', '$tz'].slice(0, args.length);
      const { expr } = this.compile(`$fromMillis(${['$ms', ...names].join(', ')})`);
      return expr.evaluate(undefined, { ms: this.clock.nowMs(), p: args[0], tz: args[1] });
    };
    this.functions = {
      now: (...args: unknown[]) => (args.length === 0 ? new Date(this.clock.nowMs()).toISOString() : fromMillis(args)),
      millis: () => this.clock.nowMs(),
      partition: (array: unknown, size: unknown) => {
        if (!Array.isArray(array)) throw new Error('$partition: the first argument must be an array');
        if (!isInteger(size) || size <= 0) throw new Error('$partition: the chunk size must be a positive integer');
        const out: unknown[][] = [];
        for (let i = 0; i < array.length; i += size) out.push(array.slice(i, i + size));
        return out;
      },
      range: (start: unknown, end: unknown, step: unknown) => {
        if (!isInteger(start) || !isInteger(end) || !isInteger(step)) throw new Error('$range: all arguments must be integers');
        if (step === 0) throw new Error('$range: the step must not be zero');
        const out: number[] = [];
        for (let v = start; step > 0 ? v <= end : v >= end; v += step) {
          out.push(v);
          if (out.length > 1000) throw new Error('$range: the array must not contain more than 1000 items');
        }
        return asSequence(out);
      },
      hash: (data: unknown, algorithm: unknown) => {
        const algo = typeof algorithm === 'string' ? HASH_ALGORITHMS[algorithm] : undefined;
        if (!algo)
          throw new Error(`$hash: unsupported algorithm ${JSON.stringify(algorithm)} (use ${Object.keys(HASH_ALGORITHMS).join(', ')})`);
        const text = typeof data === 'string' ? data : JSON.stringify(data);
        if (text === undefined || text.length > 10000) throw new Error('$hash: the data must be defined and at most 10,000 characters');
        return createHash(algo).update(text).digest('hex');
      },
      random: this.randomFunction(random),
      uuid: () => randomUUID(),
      parse: (text: unknown) => {
        if (typeof text !== 'string') throw new Error('$parse: the argument must be a string');
        return JSON.parse(text);
      },
      eval: () => {
        throw new Error('$eval is not available in Step Functions; use $parse');
      },
    };
  }

  private randomFunction(random: () => number) {
    return (...args: unknown[]) => (args.length > 0 && args[0] !== undefined ? seededRandom(args[0]) : random());
  }

  /**
   * The Step Functions functions are bound once into each compiled expression's own environment (JSONata's
   * `assign`), not passed with every evaluation: spreading them and the workflow variables into one bindings
   * object cost about 35 µs per evaluation (V8 merges spreads slowly; node 20). A workflow variable
   * of the same name still shadows a function, as before: the evaluation's bindings are a frame inside that environment.
   */
  private compile(source: string): Compiled {
    let compiled = this.cache.get(source);
    if (!compiled) {
      const expr = jsonata(source);
      for (const [name, fn] of Object.entries(this.functions)) expr.assign(name, fn);
      compiled = { expr, names: variableNames(expr.ast()) };
      this.cache.set(source, compiled);
    }
    return compiled;
  }

  /** The execution's own $random() and $uuid(), made once per random source rather than per evaluation. */
  private seededFunctions(random: () => number): Record<string, unknown> {
    let own = this.seeded.get(random);
    if (!own) {
      own = { random: this.randomFunction(random), uuid: () => uuidFrom(random) };
      this.seeded.set(random, own);
    }
    return own;
  }

  /**
   * What an expression sees besides the functions: `$states`, then the workflow variables, then the execution's own
   * $random/$uuid, in that order of precedence. Only the names the expression refers to are bound (JSONata copies
   * every binding into a new frame per evaluation, and the workflow has twenty variables): an expression can reach
   * a variable only by naming it ($eval is refused), so it sees exactly what it would with all of them bound.
   */
  private bindingsFor(names: readonly string[], scope: EvalScope): Record<string, unknown> {
    const bindings: Record<string, unknown> = {};
    for (const name of names) {
      if (name === 'states') bindings.states = scope.states;
      else if (Object.hasOwn(scope.variables, name)) bindings[name] = scope.variables[name];
      else if (scope.random && (name === 'random' || name === 'uuid')) bindings[name] = this.seededFunctions(scope.random)[name];
    }
    return bindings;
  }

  /**
   * Evaluate a field value: JSONata strings are evaluated, other values copied, recursively.
   * `field` names the location for error causes, e.g. `Arguments` or `Assign/count`.
   */
  async evaluate(template: unknown, scope: EvalScope, field: string): Promise<unknown> {
    if (isJsonataString(template)) return this.evaluateExpression(jsonataSource(template), scope, field);
    if (Array.isArray(template)) {
      const out: unknown[] = [];
      for (let i = 0; i < template.length; i++) out.push(await this.evaluate(template[i], scope, `${field}[${i}]`));
      return out;
    }
    if (template !== null && typeof template === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(template)) out[k] = await this.evaluate(v, scope, `${field}/${k}`);
      return out;
    }
    return template;
  }

  private async evaluateExpression(source: string, scope: EvalScope, field: string): Promise<unknown> {
    let value: unknown;
    try {
      const { expr, names } = this.compile(source);
      value = await expr.evaluate(undefined, this.bindingsFor(names, scope));
    } catch (e) {
      throw failure(source, scope, field, jsonataThrew(e));
    }
    if (value === undefined) throw failure(source, scope, field, 'returned nothing (undefined).');
    try {
      return toJson(value);
    } catch (e) {
      throw failure(source, scope, field, `returned a value that is not JSON: ${(e as Error).message}`);
    }
  }
}

function failure(source: string, scope: EvalScope, field: string, what: string): QueryEvaluationError {
  return new QueryEvaluationError(
    `${statePrefix(scope.stateName, scope.enteredEventId)}The JSONata expression '${source}' specified for the field '${field}' ${what}`,
    field,
  );
}

/** Copy a JSONata result into plain JSON (drops sequence flags), refusing functions and non-finite numbers. */
function toJson(value: unknown): unknown {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error(`${value} is not a JSON number`);
    return value;
  }
  if (typeof value === 'function') throw new Error('a function');
  if (Array.isArray(value)) return value.map((v) => (v === undefined ? null : toJson(v)));
  if (typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    if (obj._jsonata_lambda || obj._jsonata_function) throw new Error('a function');
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(obj)) if (v !== undefined) out[k] = toJson(v);
    return out;
  }
  throw new Error(`a value of type ${typeof value}`);
}
