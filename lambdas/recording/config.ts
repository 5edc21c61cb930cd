/**
 * The recording middleware's settings, from the function's environment (CallRecording, infra/construct, sets or
 * outputs them). A bad setting never throws at load time (that would fail every invocation, and the SMA hangs
 * up a call whose Lambda errors): it is reported once, at cold start, naming the variable, and the feature it
 * belongs to is switched off, so calls keep flowing.
 */
import { consentTextProblem, parseLocation, parseTrack, type Track } from '../shared/recording-request';
import type { ControlAction } from '../shared/workflow-contract';
import { type MailboxLocation, parseMailboxLocation } from '../shared/mailbox-contract';

export interface RecordingConfig {
  /** Start a workflow for every answered call (policy-driven recording) instead of waiting for an on-demand start. */
  autoRecord: false | { stateMachineArn: string; location: string; track: Track; consentText?: string };
  /** The consent notice's default voice (the workflow may name another per call). */
  voice: { engine: string; languageCode: string; voiceId: string };
  /**
   * Keys that pause, resume or stop a recording from a phone's keypad (RECORDING_DTMF_CONTROLS, e.g.
   * "pause=5,resume=6,stop=7"); false = off (the default). `regex` is the ReceiveDigits pattern armed on every
   * connected leg while the workflow waits for the call end; it also tells the middleware's digits from an
   * application's.
   */
  dtmfControls: false | { regex: string; keys: Record<string, ControlAction> };
  /**
   * The hand-off mailbox (RECORDING_MAILBOX, "bucket/prefix"): where the workflow leaves the task tokens the Lambda
   * completes without an UpdateSipMediaApplicationCall (mailbox.ts). false = not set: reported at cold start, and
   * the workflow's waits for the call's events then end by their timeouts.
   */
  mailbox: false | (MailboxLocation & { forcePathStyle?: boolean });
  /** Bound on each Step Functions request so the SMA always gets its answer well inside its 5 s. */
  sfnRequestTimeoutMs: number;
  /** Powertools metrics namespace and service (POWERTOOLS_METRICS_NAMESPACE / POWERTOOLS_SERVICE_NAME). */
  metricsNamespace: string;
  serviceName: string;
  /** Problems found while reading the environment, each naming its variable (logged once, at cold start). */
  problems: string[];
}

export function loadRecordingConfig(env: NodeJS.ProcessEnv = process.env): RecordingConfig {
  const problems: string[] = [];
  let autoRecord: RecordingConfig['autoRecord'] = false;
  const mode = (env.AUTO_RECORD ?? 'off').trim().toLowerCase();
  if (mode === 'on') {
    try {
      if (!env.STATE_MACHINE_ARN || !/^arn:aws[a-z-]*:states:/.test(env.STATE_MACHINE_ARN))
        throw new Error('STATE_MACHINE_ARN: must be a state machine ARN');
      parseLocation(env.RECORDING_LOCATION, 'RECORDING_LOCATION');
      const consentText = env.CONSENT_TEXT?.trim() ? env.CONSENT_TEXT : undefined;
      const textProblem = consentText === undefined ? null : consentTextProblem(consentText);
      if (textProblem) throw new Error(`CONSENT_TEXT: ${textProblem}`);
      autoRecord = {
        stateMachineArn: env.STATE_MACHINE_ARN,
        location: env.RECORDING_LOCATION!,
        track: parseTrack(env.RECORDING_TRACK ?? 'BOTH', 'RECORDING_TRACK'),
        consentText,
      };
    } catch (e) {
      problems.push(`AUTO_RECORD=on ignored: ${(e as Error).message}`);
    }
  } else if (mode !== 'off') {
    problems.push(`AUTO_RECORD: must be "on" or "off", got "${mode}"; recording only on demand`);
  }
  let mailbox: RecordingConfig['mailbox'] = false;
  if (env.RECORDING_MAILBOX?.trim()) {
    try {
      mailbox = parseMailboxLocation(env.RECORDING_MAILBOX);
      // An endpoint detail, like AWS_ENDPOINT_URL_S3: a loopback S3 (the local twin) has no per-bucket host names.
      if (env.RECORDING_MAILBOX_FORCE_PATH_STYLE === 'true') mailbox.forcePathStyle = true;
    } catch (e) {
      problems.push((e as Error).message);
    }
  } else if (autoRecord) {
    problems.push(
      'RECORDING_MAILBOX: not set ("bucket/prefix" of the hand-off mailbox, set by the CallRecording construct); the workflow cannot learn the recording\'s outcomes and waits for its timeouts',
    );
  }
  return {
    autoRecord,
    mailbox,
    dtmfControls: dtmfControlsOf(env.RECORDING_DTMF_CONTROLS, problems),
    voice: {
      engine: env.SPEAK_ENGINE ?? 'neural',
      languageCode: env.SPEAK_LANGUAGE_CODE ?? 'en-US',
      voiceId: env.SPEAK_VOICE_ID ?? 'Joanna',
    },
    metricsNamespace: env.POWERTOOLS_METRICS_NAMESPACE || 'CallRecording',
    serviceName: env.POWERTOOLS_SERVICE_NAME || 'sma-recording',
    sfnRequestTimeoutMs: intSetting(env.SFN_REQUEST_TIMEOUT_MS, 1500, 100, 4000, 'SFN_REQUEST_TIMEOUT_MS', problems),
    problems,
  };
}

const DTMF_ACTIONS: Record<string, ControlAction> = { pause: 'PAUSE', resume: 'RESUME', stop: 'STOP' };

/** "pause=5,resume=6,stop=7" (any subset, one distinct key each: 0-9, * or #). */
export function dtmfControlsOf(raw: string | undefined, problems: string[]): RecordingConfig['dtmfControls'] {
  if (raw === undefined || raw.trim() === '' || raw.trim().toLowerCase() === 'off') return false;
  const keys: Record<string, ControlAction> = {};
  for (const part of raw.split(',')) {
    const [name, key] = part.split('=').map((x) => x.trim());
    const action = DTMF_ACTIONS[(name ?? '').toLowerCase()];
    if (!action || !key || !/^[0-9*#]$/.test(key) || keys[key] || Object.values(keys).includes(action)) {
      problems.push(
        `RECORDING_DTMF_CONTROLS: must be like "pause=5,resume=6,stop=7" (pause, resume, stop; one distinct key each, 0-9 * #), got "${raw}"; keypad controls off`,
      );
      return false;
    }
    keys[key] = action;
  }
  const regex = `^[${Object.keys(keys).join('')}]$`; // inside a class, * and # are literal
  return { regex, keys };
}

export function intSetting(raw: string | undefined, fallback: number, min: number, max: number, name: string, problems: string[]): number {
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) {
    problems.push(`${name}: must be an integer in [${min}, ${max}], got "${raw}"; using ${fallback}`);
    return fallback;
  }
  return n;
}
