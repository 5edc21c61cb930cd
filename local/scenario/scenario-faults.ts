/**
 * A scenario call's `faults` (README, "The scenario format"): each a fault of the SMA twin (local/sma/types.ts),
 * bounded by what the real service does or the twin can honour.
 */
import { UPDATE_CALL_ERRORS, UPDATE_COMMANDS, type Faults, type UpdateCallError, type UpdateCommand } from '../sma/types';
import { parseLoseCallback } from './callback-faults';
import { bool, errorList, isObj, LIMITS, num, type Obj, onlyKeys, ScenarioError, shownName } from './scenario-fields';

const START_ERRORS = ['SystemException', 'InvalidActionParameter', 'NoAccessToDestination'];
const CONSENT_ERRORS = [
  'SystemException',
  'ActionExecutionThrottled',
  'InvalidActionParameter',
  'AccessDenied',
  'MissingRequiredActionParameter',
];

export function parseFaults(v: unknown, at: string, durationSeconds: number): Faults {
  if (v === undefined) return {};
  if (!isObj(v)) throw new ScenarioError(at, 'must be an object');
  onlyKeys(
    v,
    [
      'startRecording',
      'consent',
      'hangupAfterSeconds',
      'deliveryDelaySeconds',
      'dropRecording',
      'metadata',
      'emptyRecording',
      ...SMA_RULE_FAULTS,
    ],
    at,
  );
  const f: Faults = {};
  if (v.startRecording !== undefined) f.startRecording = errorList(v.startRecording, `${at}.startRecording`, START_ERRORS);
  if (v.consent !== undefined) f.consent = errorList(v.consent, `${at}.consent`, CONSENT_ERRORS);
  // A hangup is a time within the call: later than its end it would never happen (or stretch the call).
  if (v.hangupAfterSeconds !== undefined)
    f.hangupAfterSeconds = num(
      v.hangupAfterSeconds,
      `${at}.hangupAfterSeconds`,
      0,
      durationSeconds,
      " (within the call's durationSeconds)",
    );
  if (v.deliveryDelaySeconds !== undefined)
    f.deliveryDelaySeconds = num(v.deliveryDelaySeconds, `${at}.deliveryDelaySeconds`, 0, LIMITS.deliveryDelaySeconds);
  if (v.dropRecording !== undefined) f.dropRecording = bool(v.dropRecording, `${at}.dropRecording`);
  if (v.emptyRecording !== undefined) f.emptyRecording = bool(v.emptyRecording, `${at}.emptyRecording`);
  if (v.metadata !== undefined) {
    if (!isObj(v.metadata)) throw new ScenarioError(`${at}.metadata`, 'must be an object of string values');
    let bytes = 0;
    for (const [k, val] of Object.entries(v.metadata)) {
      if (typeof val !== 'string') throw new ScenarioError(`${at}.metadata.${shownName(k)}`, 'must be a string');
      if (!/^[a-z0-9-]+$/.test(k))
        throw new ScenarioError(`${at}.metadata.${shownName(k)}`, 'metadata names are lowercase letters, digits and "-"');
      // Metadata travels as HTTP headers: a control character cannot be sent at all.
      if (/[\u0000-\u001f\u007f]/.test(val))
        throw new ScenarioError(`${at}.metadata.${shownName(k)}`, 'must not contain control characters (it is sent as an HTTP header)');
      bytes += Buffer.byteLength(k) + Buffer.byteLength(val);
    }
    if (bytes > LIMITS.metadataBytes)
      throw new ScenarioError(
        `${at}.metadata`,
        `names and values must total at most ${LIMITS.metadataBytes} bytes (S3's user-defined metadata limit), got ${bytes}`,
      );
    f.metadata = v.metadata as Record<string, string>;
  }
  Object.assign(f, parseSmaRuleFaults(v, at));
  return f;
}

/** The faults of the SMA's documented rules and the Chime API in front of it (issue 13). */
const SMA_RULE_FAULTS = ['updateCall', 'updateDelaySeconds', 'startRecordingDelaySeconds', 'verifyAccessDenied', 'loseCallback'];

function parseSmaRuleFaults(v: Obj, at: string): Faults {
  const f: Faults = {};
  if (v.updateCall !== undefined) {
    const field = `${at}.updateCall`;
    if (!isObj(v.updateCall)) throw new ScenarioError(field, `must be an object keyed by workflow step (${UPDATE_COMMANDS.join(', ')})`);
    onlyKeys(v.updateCall, [...UPDATE_COMMANDS], field);
    const errors = Object.keys(UPDATE_CALL_ERRORS);
    f.updateCall = {};
    for (const [step, list] of Object.entries(v.updateCall)) {
      f.updateCall[step as UpdateCommand] = errorList(list, `${field}.${step}`, errors) as UpdateCallError[];
    }
  }
  if (v.updateDelaySeconds !== undefined)
    f.updateDelaySeconds = num(v.updateDelaySeconds, `${at}.updateDelaySeconds`, 0, LIMITS.updateDelaySeconds);
  if (v.startRecordingDelaySeconds !== undefined) {
    f.startRecordingDelaySeconds = num(
      v.startRecordingDelaySeconds,
      `${at}.startRecordingDelaySeconds`,
      0,
      LIMITS.startRecordingDelaySeconds,
    );
  }
  if (v.verifyAccessDenied !== undefined) f.verifyAccessDenied = bool(v.verifyAccessDenied, `${at}.verifyAccessDenied`);
  if (v.loseCallback !== undefined)
    f.loseCallback = parseLoseCallback(v.loseCallback, `${at}.loseCallback`, (field, text) => new ScenarioError(field, text));
  return f;
}
