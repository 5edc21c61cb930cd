/** Succeed: ends the execution successfully with Output (default: the input). */
import type { ParseContext } from '../parse-context';
import type { SucceedState } from '../state-types';
import type { StateOutcome, StateRuntime } from './runtime';

export async function runSucceed(state: SucceedState, input: unknown, rt: StateRuntime): Promise<StateOutcome> {
  const output = state.Output === undefined ? input : await rt.evaluate(state.Output, 'Output');
  return { kind: 'end', output };
}

export function parseSucceed({ common }: ParseContext): SucceedState {
  return { Type: 'Succeed', ...common };
}
