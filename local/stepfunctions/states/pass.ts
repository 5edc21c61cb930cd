/** Pass: output = Output (default: the input); may Assign. */
import type { ParseContext } from '../parse-context';
import type { PassState } from '../state-types';
import { type StateOutcome, type StateRuntime, transition } from './runtime';

export async function runPass(state: PassState, input: unknown, rt: StateRuntime): Promise<StateOutcome> {
  const assign = await rt.evaluateAssign(state.Assign, 'Assign');
  const output = state.Output === undefined ? input : await rt.evaluate(state.Output, 'Output');
  return transition(state, output, assign);
}

export function parsePass({ at, s, common, checkAssign, checkTransition }: ParseContext): PassState {
  return { Type: 'Pass', ...common, Assign: checkAssign(s.Assign, `${at}/Assign`), ...checkTransition() };
}
