/**
 * The scenario format (docs/reference/design.md, "The scenario interface"): a stable contract that tests and outside checks
 * drive. Validation is strict and names the offending field ("calls[2].faults.hangupAfterSeconds: must be a number >= 0"),
 * because a typo in a fault must not silently test the happy path. */
import { ALL_OUTCOMES, type Outcome } from '../../statemachines/outcomes';
import { TRACKS, characterCount, type Track } from '../../lambdas/shared/recording-request';
import { CONTROL_ID } from '../../lambdas/shared/workflow-contract';
import type { SmaReadings } from '../sma/readings';
import { mergeReadings, parseSmaReadings } from './scenario-readings';
import { parseFaults } from './scenario-faults';
import { int, isObj, LIMITS, num, onlyKeys, ScenarioError, shown } from './scenario-fields';
import { parseRecordMode, type RecordMode } from './record-mode';
import type { DigitPress, Faults } from '../sma/types';

export { LIMITS, ScenarioError, shown } from './scenario-fields';

/** The scenario's faults are the SMA emulator's (local/sma/types.ts), field for field. */
export type ScenarioFaults = Faults;

export interface ScenarioCall {
  name: string;
  track: Track;
  /** undefined = the twin's recording bucket */
  location?: string;
  legs: 1 | 2;
  durationSeconds: number;
  consentText?: string;
  faults: ScenarioFaults;
  expect?: { outcome?: Outcome; startAttempts?: number };
  /** The SMA application the call reaches (default `bridge`: the standalone handler's bridge table). */
  app?: ScenarioApp;
  to?: /** The number dialled (E.164), for one's own handler (`recording-twin --handler`); not with `app`. */ string;
  /**
   * The caller's number (E.164): LEG-A's From, and the workflow input's `caller`, so the call is indexed for erasure
   * requests under a keyed hash of it. Default: a number of the twin's own, and no `caller` in the input.
   */
  from?: string;
  /** What the caller presses, and when (virtual seconds from answer). */
  digits?: DigitPress[];
  /**
   * Recording controls an operator or application asks for, and when (virtual seconds from answer): the runner
   * sends each with requestRecordingControl through the twin's Chime SDK Voice endpoint.
   */
  controls?: ScenarioControl[];
  /** The key that declines recording at the consent notice: passed to the workflow input as `optOutDigit`. */
  optOutDigit?: string;
  /** The SMA twin's readings where the docs are silent: the file's `smaReadings`, then the call's own. */
  smaReadings?: SmaReadings;
  /** How the recording is started (record-mode.ts); default: the runner's StartExecution at answer. */
  record?: RecordMode;
}

export const SCENARIO_CONTROL_ACTIONS = ['pause', 'resume', 'stop'] as const;
export type ScenarioControlAction = (typeof SCENARIO_CONTROL_ACTIONS)[number];
/** requestedBy when a control names nobody. */
export const DEFAULT_REQUESTED_BY = 'scenario';

export interface ScenarioControl {
  atSeconds: number;
  action: ScenarioControlAction;
  /** Default DEFAULT_REQUESTED_BY. */
  requestedBy: string;
}

/** `bridge`: the standalone handler (lambdas/sma-handler); `ivr`: examples/ivr under the recording middleware. */
export const SCENARIO_APPS = ['bridge', 'ivr'] as const;
export type ScenarioApp = (typeof SCENARIO_APPS)[number];

export const DEFAULT_DURATION_SECONDS = 60;
const ALL_OUTCOME_NAMES: readonly string[] = ALL_OUTCOMES;

function parseApp(v: unknown, at: string): ScenarioApp | undefined {
  if (v !== undefined && (typeof v !== 'string' || !(SCENARIO_APPS as readonly string[]).includes(v)))
    throw new ScenarioError(at, `must be one of ${SCENARIO_APPS.join(', ')}, got ${shown(v)}`);
  return v as ScenarioApp | undefined;
}

/** E.164, as the SMA's events carry it; an `app` picks its own number, so the two do not go together. */
function parseTo(v: unknown, at: string, app: ScenarioApp | undefined): string | undefined {
  if (v !== undefined && (typeof v !== 'string' || !/^\+[1-9][0-9]{1,14}$/.test(v)))
    throw new ScenarioError(at, `must be an E.164 number like "+15550100200", got ${shown(v)}`);
  if (v !== undefined && app !== undefined) throw new ScenarioError(at, `not with "app" (the app ${app} has its own number)`);
  return v;
}

function parseDigits(v: unknown, at: string, durationSeconds: number): DigitPress[] | undefined {
  if (v === undefined) return undefined;
  if (!Array.isArray(v) || v.length > LIMITS.digitPresses)
    throw new ScenarioError(at, `must be an array of at most ${LIMITS.digitPresses} presses like { "atSeconds": 6, "digits": "1" }`);
  return v.map((press, i) => {
    const where = `${at}[${i}]`;
    if (!isObj(press)) throw new ScenarioError(where, 'must be an object like { "atSeconds": 6, "digits": "1" }');
    onlyKeys(press, ['atSeconds', 'digits'], where);
    // A press after the caller hung up would never happen.
    const atSeconds = num(
      press.atSeconds,
      `${where}.atSeconds`,
      0,
      durationSeconds,
      " (seconds from answer, within the call's durationSeconds)",
    );
    if (typeof press.digits !== 'string' || !/^[0-9*#]+$/.test(press.digits) || press.digits.length > LIMITS.digitsPerPress) {
      throw new ScenarioError(`${where}.digits`, `must be 1 to ${LIMITS.digitsPerPress} DTMF keys (0-9, *, #), got ${shown(press.digits)}`);
    }
    return { atSeconds, digits: press.digits };
  });
}

function parseControls(v: unknown, at: string, durationSeconds: number): ScenarioControl[] | undefined {
  if (v === undefined) return undefined;
  const like = '{ "atSeconds": 20, "action": "pause" }';
  if (!Array.isArray(v) || v.length > LIMITS.controls)
    throw new ScenarioError(at, `must be an array of at most ${LIMITS.controls} controls like ${like}`);
  return v.map((control, i) => {
    const where = `${at}[${i}]`;
    if (!isObj(control)) throw new ScenarioError(where, `must be an object like ${like}`);
    onlyKeys(control, ['atSeconds', 'action', 'requestedBy'], where);
    // A request after the caller hung up would only ever be refused (NotFoundException).
    const atSeconds = num(
      control.atSeconds,
      `${where}.atSeconds`,
      0,
      durationSeconds,
      " (seconds from answer, within the call's durationSeconds)",
    );
    if (typeof control.action !== 'string' || !(SCENARIO_CONTROL_ACTIONS as readonly string[]).includes(control.action))
      throw new ScenarioError(`${where}.action`, `must be one of ${SCENARIO_CONTROL_ACTIONS.join(', ')}, got ${shown(control.action)}`);
    const requestedBy = control.requestedBy ?? DEFAULT_REQUESTED_BY;
    if (typeof requestedBy !== 'string' || !CONTROL_ID.test(requestedBy))
      throw new ScenarioError(`${where}.requestedBy`, `must be 1-128 letters, digits or . _ : @ + / -, got ${shown(requestedBy)}`);
    return { atSeconds, action: control.action as ScenarioControlAction, requestedBy };
  });
}

function parseOptOutDigit(v: unknown, at: string): string | undefined {
  if (v !== undefined && (typeof v !== 'string' || !/^[0-9*]$/.test(v)))
    throw new ScenarioError(at, `must be one key, 0-9 or *, got ${shown(v)}`);
  return v;
}

export function parseScenario(raw: unknown): ScenarioCall[] {
  if (!isObj(raw)) throw new ScenarioError('<root>', 'must be a JSON object with a "calls" array');
  // `quota` is read by the tools (local/quota/scenario-quota.ts), not per call.
  onlyKeys(raw, ['calls', 'smaReadings', 'quota'], '<root>');
  const topReadings = parseSmaReadings(raw.smaReadings, 'smaReadings', ScenarioError);
  if (!Array.isArray(raw.calls) || raw.calls.length === 0) throw new ScenarioError('calls', 'must be a non-empty array');
  if (raw.calls.length > LIMITS.calls) throw new ScenarioError('calls', `at most ${LIMITS.calls} calls, got ${raw.calls.length}`);
  const names = new Set<string>();
  return raw.calls.map((c, i) => {
    const at = `calls[${i}]`;
    if (!isObj(c)) throw new ScenarioError(at, 'must be an object');
    onlyKeys(
      c,
      [
        'name',
        'track',
        'location',
        'legs',
        'durationSeconds',
        'consentText',
        'faults',
        'expect',
        'app',
        'digits',
        'controls',
        'optOutDigit',
        'smaReadings',
        'to',
        'from',
        'record',
      ],
      at,
    );
    if (typeof c.name !== 'string' || c.name.trim() === '' || c.name.length > 200)
      throw new ScenarioError(`${at}.name`, 'must be a non-empty string of at most 200 characters');
    if (names.has(c.name)) throw new ScenarioError(`${at}.name`, `duplicate call name ${shown(c.name)}`);
    names.add(c.name);
    const track = c.track ?? 'BOTH';
    if (typeof track !== 'string' || !(TRACKS as readonly string[]).includes(track))
      throw new ScenarioError(`${at}.track`, `must be one of ${TRACKS.join(', ')}, got ${shown(track)}`);
    if (c.location !== undefined) {
      // Invalid locations are allowed on purpose (to drive INVALID_INPUT), up to a length no S3 key exceeds.
      if (typeof c.location !== 'string') throw new ScenarioError(`${at}.location`, 'must be a string "bucket[/prefix]"');
      if (c.location.length > LIMITS.locationCharacters)
        throw new ScenarioError(
          `${at}.location`,
          `must be at most ${LIMITS.locationCharacters} characters (S3's key limit), got ${c.location.length}`,
        );
    }
    const legs = c.legs ?? 2;
    if (legs !== 1 && legs !== 2) throw new ScenarioError(`${at}.legs`, `must be 1 or 2, got ${shown(legs)}`);
    const durationSeconds =
      c.durationSeconds === undefined
        ? DEFAULT_DURATION_SECONDS
        : num(c.durationSeconds, `${at}.durationSeconds`, 1, LIMITS.durationSeconds);
    if (c.consentText !== undefined) {
      // Blank is allowed (it drives INVALID_INPUT); longer than Speak takes would only ever be refused.
      if (typeof c.consentText !== 'string') throw new ScenarioError(`${at}.consentText`, 'must be a string');
      // Counted as the workflow, the Lambda, the CLI and infra count it: code points (characterCount).
      const characters = characterCount(c.consentText);
      if (characters > LIMITS.consentTextCharacters)
        throw new ScenarioError(
          `${at}.consentText`,
          `must be at most ${LIMITS.consentTextCharacters} characters (Speak's limit), got ${characters}`,
        );
    }
    const call: ScenarioCall = {
      name: c.name,
      track: track as Track,
      location: c.location as string | undefined,
      legs,
      durationSeconds,
      faults: parseFaults(c.faults, `${at}.faults`, durationSeconds),
    };
    if (c.consentText !== undefined) call.consentText = c.consentText as string;
    const app = parseApp(c.app, `${at}.app`);
    if (app !== undefined) call.app = app;
    if (c.to !== undefined) call.to = parseTo(c.to, `${at}.to`, app);
    if (c.from !== undefined) call.from = parseTo(c.from, `${at}.from`, undefined);
    const digits = parseDigits(c.digits, `${at}.digits`, durationSeconds);
    if (digits !== undefined) call.digits = digits;
    const controls = parseControls(c.controls, `${at}.controls`, durationSeconds);
    if (controls !== undefined) call.controls = controls;
    const optOutDigit = parseOptOutDigit(c.optOutDigit, `${at}.optOutDigit`);
    if (optOutDigit !== undefined) call.optOutDigit = optOutDigit;
    const readings = mergeReadings(topReadings, parseSmaReadings(c.smaReadings, `${at}.smaReadings`, ScenarioError));
    if (readings) call.smaReadings = readings;
    const record = parseRecordMode(c, at, durationSeconds, (f, r) => {
      throw new ScenarioError(f, r);
    });
    if (record !== undefined) call.record = record;
    if (c.expect !== undefined) {
      if (!isObj(c.expect)) throw new ScenarioError(`${at}.expect`, 'must be an object');
      onlyKeys(c.expect, ['outcome', 'startAttempts'], `${at}.expect`);
      call.expect = {};
      if (c.expect.outcome !== undefined) {
        if (typeof c.expect.outcome !== 'string' || !ALL_OUTCOME_NAMES.includes(c.expect.outcome))
          throw new ScenarioError(`${at}.expect.outcome`, `must be one of ${ALL_OUTCOME_NAMES.join(', ')}, got ${shown(c.expect.outcome)}`);
        call.expect.outcome = c.expect.outcome as Outcome;
      }
      if (c.expect.startAttempts !== undefined)
        call.expect.startAttempts = int(c.expect.startAttempts, `${at}.expect.startAttempts`, 0, 100);
    }
    return call;
  });
}

/** Reads and parses a scenario file's text; JSON syntax errors name the position. A UTF-8 BOM is skipped. */
export function parseScenarioText(text: string): ScenarioCall[] {
  let raw: unknown;
  try {
    raw = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch (e) {
    throw new ScenarioError('<file>', `not valid JSON: ${(e as Error).message}`, { cause: e });
  }
  return parseScenario(raw);
}
