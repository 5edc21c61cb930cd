/** Fail: ends the execution as FAILED with Error/Cause, each a string or a JSONata string yielding one. */
import { invalidFailField } from '../causes';
import type { ParseContext } from '../parse-context';
import type { FailState } from '../state-types';
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

export function parseFail({ name, at, s, common, add, checkJsonata }: ParseContext): FailState {
  for (const f of ['Error', 'Cause'] as const) {
    if (s[f] !== undefined && typeof s[f] !== 'string') add('SCHEMA_VALIDATION_FAILED', `${f} must be a string`, `${at}/${f}`);
    if (s[f] !== undefined) checkJsonata(s[f], `${at}/${f}`);
  }
  return { Type: 'Fail', Name: name, Comment: common.Comment, Error: s.Error, Cause: s.Cause };
}
