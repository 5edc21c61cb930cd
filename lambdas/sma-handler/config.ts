/**
 * The standalone handler's settings: the recording middleware's (lambdas/recording/config.ts) plus the bridge
 * application's own (BRIDGE_ROUTES, BRIDGE_TIMEOUT_SECONDS, UNROUTED_CALLS). Same rule as the middleware: a bad
 * setting is reported once at cold start, naming the variable, and a safe default is used instead.
 */
import { parseBridgeRoutes } from '../shared/bridge-routes';
import { loadRecordingConfig, intSetting, type RecordingConfig } from '../recording/config';
import { MAX_CONSENT_TEXT as MAX_SPEAK_TEXT } from '../shared/recording-request';

/**
 * What the bridge application does with an inbound call whose dialled number has no route (UNROUTED_CALLS):
 * - `hangup:<0|480|486>` rejects it with that SIP code (the Hangup action's allowed codes). Default `hangup:480`
 *   ("Temporarily Unavailable": nobody takes calls on this number; 486 "Busy Here" would say someone does);
 * - `speak:<text>` answers, speaks the text, then hangs up;
 * - `hold` (or `hold:<text>`: the text first) answers (one short Pause) and keeps the caller on the line, with no action, until
 *   the caller hangs up: the twin's demo uses it for its one-leg calls.
 * Never silence: an inbound call no action answers rings for 30 s and drops (developer guide, case 1).
 */
export type UnroutedPolicy =
  | { kind: 'hangup'; sipResponseCode: '0' | '480' | '486' }
  | { kind: 'speak'; text: string }
  | { kind: 'hold'; text?: string };

export const DEFAULT_UNROUTED: UnroutedPolicy = { kind: 'hangup', sipResponseCode: '480' };

export interface SmaLambdaConfig extends RecordingConfig {
  /** Dialled number -> number to bridge to (CallAndBridge). */
  bridgeRoutes: Record<string, string>;
  bridgeTimeoutSeconds: number;
  unrouted: UnroutedPolicy;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): SmaLambdaConfig {
  const recording = loadRecordingConfig(env);
  const problems = [...recording.problems];
  let bridgeRoutes: Record<string, string> = {};
  if (env.BRIDGE_ROUTES) {
    try {
      bridgeRoutes = parseBridgeRoutes(JSON.parse(env.BRIDGE_ROUTES));
    } catch (e) {
      problems.push(`BRIDGE_ROUTES ignored: ${(e as Error).message}`);
    }
  }
  let unrouted = DEFAULT_UNROUTED;
  if (env.UNROUTED_CALLS !== undefined && env.UNROUTED_CALLS.trim() !== '') {
    try {
      unrouted = parseUnroutedPolicy(env.UNROUTED_CALLS);
    } catch (e) {
      problems.push(`UNROUTED_CALLS: ${(e as Error).message}; using hangup:480`);
    }
  }
  return {
    ...recording,
    bridgeRoutes,
    bridgeTimeoutSeconds: intSetting(env.BRIDGE_TIMEOUT_SECONDS, 30, 1, 120, 'BRIDGE_TIMEOUT_SECONDS', problems),
    unrouted,
    problems,
  };
}

/** Parses an UNROUTED_CALLS value; throws an Error saying what is accepted. */
export function parseUnroutedPolicy(raw: string): UnroutedPolicy {
  const value = raw.trim();
  const colon = value.indexOf(':');
  const kind = (colon < 0 ? value : value.slice(0, colon)).toLowerCase();
  const arg = colon < 0 ? undefined : value.slice(colon + 1);
  const text = (what: string, required: boolean): string | undefined => {
    if (arg === undefined || arg.trim() === '') {
      if (required) throw new Error(`"${what}:" needs a text to speak, e.g. "${what}:This number is not in service."`);
      return undefined;
    }
    if (arg.length > MAX_SPEAK_TEXT) throw new Error(`the text to speak is ${arg.length} characters, over Speak's ${MAX_SPEAK_TEXT}`);
    return arg;
  };
  switch (kind) {
    case 'hangup': {
      const code = arg === undefined ? '480' : arg.trim();
      if (code !== '0' && code !== '480' && code !== '486')
        throw new Error(`hangup takes a SIP code of 0, 480 or 486 (the Hangup action's), got "${code}"`);
      return { kind: 'hangup', sipResponseCode: code };
    }
    case 'speak':
      return { kind: 'speak', text: text('speak', true)! };
    case 'hold': {
      const t = text('hold', false);
      return t === undefined ? { kind: 'hold' } : { kind: 'hold', text: t };
    }
    default:
      throw new Error(`must be "hangup[:0|480|486]", "speak:<text>" or "hold[:<text>]", got "${value.slice(0, 40)}"`);
  }
}
