/**
 * The wording of the twin's `States.QueryEvaluationError` causes, in one place so a wording seen on
 * AWS can be matched by editing one line.
 *
 * Every cause starts like AWS's: "An error occurred while executing the state '<name>' (entered at
 * the event id #<id>). " and goes on with what went wrong. Sources of each wording:
 * - JSONata runtime errors: recorded on AWS, "The JSONata expression '<expr>' specified for the
 *   field '<field>' threw an error during evaluation. T1006: Attempted to invoke a non-function".
 * - Wait Timestamp: recorded on AWS, "The Timestamp field cannot be parsed as an ISO-8601 extended
 *   offset date-time format string: <value>".
 * - Seconds, TimeoutSeconds, HeartbeatSeconds, Choice Condition, Fail Error/Cause of the wrong type:
 *   NOT seen on AWS; written in the same shape ("The <field> field ...: <value>"). README, "What is
 *   unverified".
 */

/** AWS's opening sentence of a state's runtime error cause. */
export const statePrefix = (stateName: string, enteredEventId: number): string =>
  `An error occurred while executing the state '${stateName}' (entered at the event id #${enteredEventId}). `;

/** A value as AWS quotes it at the end of a cause: strings as they are, anything else as JSON. */
export const quoteValue = (value: unknown): string => (typeof value === 'string' ? value : (JSON.stringify(value) ?? 'undefined'));

/** A JSONata error thrown while evaluating: "T1006: Attempted to invoke a non-function". */
export function jsonataThrew(e: unknown): string {
  const err = e as { message?: string; code?: string };
  const message = err?.message ?? String(e);
  return `threw an error during evaluation. ${err?.code ? `${err.code}: ` : ''}${message}`;
}

export const invalidTimestamp = (value: unknown): string =>
  `The Timestamp field cannot be parsed as an ISO-8601 extended offset date-time format string: ${quoteValue(value)}`;

/** Wait Seconds (0..max), Task TimeoutSeconds/HeartbeatSeconds (1..max). */
export const invalidSeconds = (field: string, min: number, max: number, value: unknown): string =>
  `The ${field} field must evaluate to an integer between ${min} and ${max}: ${quoteValue(value)}`;

export const invalidCondition = (value: unknown): string => `The Condition field must evaluate to a boolean: ${quoteValue(value)}`;

export const invalidFailField = (field: 'Error' | 'Cause', value: unknown): string =>
  `The ${field} field must evaluate to a string: ${quoteValue(value)}`;
