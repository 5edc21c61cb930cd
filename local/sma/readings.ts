/**
 * Where the PSTN audio pages are silent, the twin takes the reading that is worse for a Lambda (the default
 * here) and lets a test or a scenario choose the other one: emulator-wide (SmaEmulatorOptions.readings) or per
 * call (CallSpec.readings, the scenario's `smaReadings`). Each is listed in README "What is unverified" and has
 * a one-call check in docs/verify-on-aws.md.
 */

export interface SmaReadings {
  /**
   * update-sip-call: "If Action 2 is not interruptible, it completes before the new Action 1 starts. In both
   * cases, Action 3 isn't executed." Whether the completed Action 2 is reported is not said.
   * `silent` (default): no ACTION_SUCCESSFUL/FAILED for it; the new list starts when it completes (the Lambda
   * never learns, e.g., the digits a menu collected). `reported`: its ACTION_SUCCESSFUL/FAILED is sent and that
   * response is applied to the new list like any other response.
   */
  replacedAction?: 'silent' | 'reported';
  /**
   * invoke-on-call-leg: "If the SIP media application receives a NULL action set, it keeps the existing actions."
   * Whether a response without `Actions` is such a NULL set is not said. `empty` (default): it is an empty list.
   * `keep`: it is the NULL set.
   */
  omittedActions?: 'empty' | 'keep';
  /**
   * What `"Actions": []` does while a list is in progress is not said. `replace` (default): it replaces the list
   * (the queued actions are dropped) and interrupts an interruptible current action. `keep`: it is the NULL set.
   */
  emptyActions?: 'replace' | 'keep';
  /**
   * listen-to-digits: "The SIP media application discards DTMF digits for the duration of a call until it
   * receives a new ReceiveDigits action." `oneShot` (default): after a DIGITS_RECEIVED nothing listens until a
   * new ReceiveDigits. `staysArmed`: it keeps listening (the twin before issue 20).
   */
  receiveDigits?: 'oneShot' | 'staysArmed';
  /**
   * stop-call-recording says a leg's recording stops once; what a second StopCallRecording (or one after the leg
   * hung up) returns is not said. `failed` (default): ACTION_FAILED InvalidActionParameter. `noEffect`:
   * ACTION_SUCCESSFUL and nothing changes.
   */
  repeatedStop?: 'failed' | 'noEffect';
}

export type ResolvedReadings = Required<SmaReadings>;

export const DEFAULT_READINGS: ResolvedReadings = {
  replacedAction: 'silent',
  omittedActions: 'empty',
  emptyActions: 'replace',
  receiveDigits: 'oneShot',
  repeatedStop: 'failed',
};

/** The values each reading takes, the default first (the scenario parser checks against these). */
export const READING_VALUES: { [K in keyof ResolvedReadings]: readonly ResolvedReadings[K][] } = {
  replacedAction: ['silent', 'reported'],
  omittedActions: ['empty', 'keep'],
  emptyActions: ['replace', 'keep'],
  receiveDigits: ['oneShot', 'staysArmed'],
  repeatedStop: ['failed', 'noEffect'],
};

/** The defaults, overridden by the emulator's options, overridden by the call's own. */
export function resolveReadings(...layers: (SmaReadings | undefined)[]): ResolvedReadings {
  const out: ResolvedReadings = { ...DEFAULT_READINGS };
  for (const layer of layers) {
    if (!layer) continue;
    for (const [k, v] of Object.entries(layer)) if (v !== undefined) (out as Record<string, string>)[k] = v;
  }
  return out;
}
