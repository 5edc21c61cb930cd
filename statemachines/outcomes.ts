/**
 * The workflow's outcomes: one list, the names of the terminal states of statemachines/recording-workflow.asl.json
 * (test/statemachines/definition.test.ts checks both ways: every outcome is a terminal state of the right type, and
 * every terminal state is an outcome). Every other list (metric filters, CLI filters, scenario files, the console,
 * the simulation's oracle) derives from these. No imports: the console's browser bundle uses it too.
 */

/** Outcomes of a request that was valid: each a terminal state after RouteOutcome. */
export const OUTCOMES = [
  'RECORDED',
  'NOT_RECORDED',
  'START_FAILED',
  'RECORDING_MISSING',
  'RECORDING_INVALID',
  'RECORDING_UNVERIFIED',
  'OPTED_OUT',
] as const;
/** Every terminal state: the outcomes and the refusal of an invalid request. */
export const ALL_OUTCOMES = [...OUTCOMES, 'INVALID_INPUT'] as const;
export type Outcome = (typeof ALL_OUTCOMES)[number];
/** Outcomes that are Succeed states (the execution SUCCEEDED); every other one is a Fail state of that name. */
export const SUCCEEDED_OUTCOMES: readonly Outcome[] = ['RECORDED', 'NOT_RECORDED', 'OPTED_OUT'];
/** Outcomes that are Fail states: the execution FAILED with the outcome as its error. */
export const FAILED_OUTCOMES: readonly Outcome[] = ALL_OUTCOMES.filter((o) => !SUCCEEDED_OUTCOMES.includes(o));
