/**
 * Choice (JSONata rules): the first rule whose Condition is true is chosen; its Assign and Output
 * apply and the state-level Assign/Output do not. With no match, the state-level Assign/Output
 * apply and Default is taken, or the state fails with States.NoChoiceMatched.
 */
import { invalidCondition } from '../causes';
import type { ChoiceState } from '../definition';
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
