/** Fail: ends the execution as FAILED with Error/Cause, each a string or a JSONata string yielding one. */
import type { FailState } from '../definition';
import { StatesError, StatesErrors } from '../errors';
import type { StateOutcome, StateRuntime } from './runtime';

export async function runFail(state: FailState, _input: unknown, rt: StateRuntime): Promise<StateOutcome> {
  const text = async (field: 'Error' | 'Cause'): Promise<string | undefined> => {
    if (state[field] === undefined) return undefined;
    const v = await rt.evaluate(state[field], field);
    if (typeof v !== 'string') {
      throw new StatesError(StatesErrors.QueryEvaluationError, `The field '${field}' of the Fail state '${state.Name}' must evaluate to a string, got ${JSON.stringify(v)}`);
    }
    return v;
  };
  return { kind: 'fail', error: await text('Error'), cause: await text('Cause') };
}
