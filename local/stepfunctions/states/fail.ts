/** Fail: ends the execution as FAILED with Error/Cause, each a string or a JSONata string yielding one. */
import { invalidFailField } from '../causes';
import type { FailState } from '../definition';
import type { StateOutcome, StateRuntime } from './runtime';

export async function runFail(state: FailState, _input: unknown, rt: StateRuntime): Promise<StateOutcome> {
  const text = async (field: 'Error' | 'Cause'): Promise<string | undefined> => {
    if (state[field] === undefined) return undefined;
    const v = await rt.evaluate(state[field], field);
    if (typeof v !== 'string') {
      throw rt.invalidField(field, invalidFailField(field, v));
    }
    return v;
  };
  return { kind: 'fail', error: await text('Error'), cause: await text('Cause') };
}
