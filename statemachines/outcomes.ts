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
/**
 * Outcomes of the Reconcile branch (issue 22): an execution started by an S3 Object Created event for a recording
 * object, not by a call. RECORDING_ACCOUNTED_FOR: the call's workflow verified it (or it is gone); LATE_RECORDING_DELETED:
 * a declined caller's late recording, deleted; LANDED_LATE: landed after its call's verdict, tagged and manifested
 * (alarmed); UNKNOWN_RECORDING: no execution knows its call (alarmed).
 */
export const RECONCILE_OUTCOMES = ['RECORDING_ACCOUNTED_FOR', 'LATE_RECORDING_DELETED', 'LANDED_LATE', 'UNKNOWN_RECORDING'] as const;
export type ReconcileOutcome = (typeof RECONCILE_OUTCOMES)[number];
/** Every terminal state: the outcomes, the refusal of an invalid request, and the Reconcile branch's. */
export const ALL_OUTCOMES = [...OUTCOMES, 'INVALID_INPUT', ...RECONCILE_OUTCOMES] as const;
export type Outcome = (typeof ALL_OUTCOMES)[number];
/** Outcomes that are Succeed states (the execution SUCCEEDED); every other one is a Fail state of that name. */
export const SUCCEEDED_OUTCOMES: readonly Outcome[] = [
  'RECORDED',
  'NOT_RECORDED',
  'OPTED_OUT',
  'RECORDING_ACCOUNTED_FOR',
  'LATE_RECORDING_DELETED',
];
/** Outcomes that are Fail states: the execution FAILED with the outcome as its error. */
export const FAILED_OUTCOMES: readonly Outcome[] = ALL_OUTCOMES.filter((o) => !SUCCEEDED_OUTCOMES.includes(o));
