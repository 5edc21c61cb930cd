/**
 * Choice (JSONata rules): the first rule whose Condition is true is chosen; its Assign and Output
 * apply and the state-level Assign/Output do not. With no match, the state-level Assign/Output
 * apply and Default is taken, or the state fails with States.NoChoiceMatched.
 */
import { invalidCondition } from '../causes';
import { isJsonataString } from '../jsonata-eval';
import { isObject, type ParseContext } from '../parse-context';
import type { ChoiceRuleDef, ChoiceState } from '../state-types';
import { StatesError, StatesErrors } from '../errors';
import type { StateOutcome, StateRuntime } from './runtime';

export async function runChoice(state: ChoiceState, input: unknown, rt: StateRuntime): Promise<StateOutcome> {
  for (let i = 0; i < state.Choices.length; i++) {
    const rule = state.Choices[i];
    const field = `Choices[${i}]`;
    const condition = await rt.evaluate(rule.Condition, `${field}/Condition`);
    if (typeof condition !== 'boolean') {
      throw rt.invalidField(`${field}/Condition`, invalidCondition(condition));
    }
    if (!condition) continue;
    const assign = await rt.evaluateAssign(rule.Assign, `${field}/Assign`);
    const output = rule.Output === undefined ? input : await rt.evaluate(rule.Output, `${field}/Output`);
    return { kind: 'next', next: rule.Next, output, assign };
  }
  if (state.Default === undefined) {
    throw new StatesError(
      StatesErrors.NoChoiceMatched,
      `No Choice Rule matched and no Default is specified in the Choice state '${state.Name}'`,
    );
  }
  const assign = await rt.evaluateAssign(state.Assign, 'Assign');
  const output = state.Output === undefined ? input : await rt.evaluate(state.Output, 'Output');
  return { kind: 'next', next: state.Default, output, assign };
}

const RULE_FIELDS = new Set(['Condition', 'Next', 'Output', 'Assign', 'Comment']);

export function parseChoice({ at, s, common, add, checkJsonata, checkAssign, checkTarget }: ParseContext): ChoiceState {
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
        if (!RULE_FIELDS.has(k)) add('SCHEMA_VALIDATION_FAILED', `Field "${k}" is not supported in a JSONata Choice Rule`, `${rp}/${k}`);
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
