/**
 * Building the SMA's response: `{SchemaVersion, Actions, TransactionAttributes}`. The docs disagree on
 * whether TransactionAttributes are merged or replaced, so whenever we change them we send the whole map
 * (docs/reference/sma-protocol.md); when we don't, we omit the field, which keeps them.
 */
import type { Track } from '../shared/recording-request';

export interface SmaAction {
  Type: string;
  Parameters: Record<string, unknown>;
}
export interface SmaResponse {
  SchemaVersion: '1.0';
  Actions: SmaAction[];
  TransactionAttributes?: Record<string, string>;
}
/**
 * What the middleware answers the SMA: `Actions` null is the NULL action set, which keeps the actions in progress
 * (invoke-on-call-leg: "If the SIP media application receives a NULL action set, it keeps the existing actions").
 */
export type SmaAnswer = Omit<SmaResponse, 'Actions'> & { Actions: SmaAction[] | null };

export const MAX_ACTIONS = 10;
/**
 * The SMA's limits on TransactionAttributes. One page says 100 pairs / 20 KB; a service error example says
 * "Maximum number of mappings is 10": the strictest reading is the one kept (the recording keys of this
 * Lambda use at most 5 of the 10).
 */
export const MAX_ATTRIBUTES = 10;
export const MAX_ATTRIBUTE_BYTES = 20 * 1024;

export function respond(actions: SmaAction[] = [], attributes?: Record<string, string>): SmaResponse {
  if (actions.length > MAX_ACTIONS) throw new Error(`an SMA response holds at most ${MAX_ACTIONS} actions, got ${actions.length}`);
  return attributes === undefined
    ? { SchemaVersion: '1.0', Actions: actions }
    : { SchemaVersion: '1.0', Actions: actions, TransactionAttributes: attributes };
}

/**
 * The NULL action set as an SmaResponse (for the code whose type is the documented list shape): "If the SIP media
 * application receives a NULL action set, it keeps the existing actions" (invoke-on-call-leg). An empty list may
 * instead replace them (not documented), so "nothing new" is said this way.
 */
export const keep = (): SmaResponse => ({ SchemaVersion: '1.0', Actions: null }) as unknown as SmaResponse;

/** Throws if the map would be refused by the SMA (so the caller can fail the task instead of the call). */
export function checkAttributes(attributes: Record<string, string>): void {
  const keys = Object.keys(attributes);
  const count = keys.length;
  if (count > MAX_ATTRIBUTES) throw new Error(`TransactionAttributes would hold ${count} pairs, over the SMA's ${MAX_ATTRIBUTES}`);
  // The exact size only when it could matter (this runs on every map written): JSON takes at most 6 bytes per
  // UTF-16 unit (a "\u0000" escape), plus `"":"",` per pair and the braces.
  let units = 0;
  for (const k of keys) units += k.length + attributes[k].length + 6;
  if (6 * units + 2 <= MAX_ATTRIBUTE_BYTES) return;
  const bytes = Buffer.byteLength(JSON.stringify(attributes));
  if (bytes > MAX_ATTRIBUTE_BYTES) throw new Error(`TransactionAttributes would be ${bytes} bytes, over the SMA's ${MAX_ATTRIBUTE_BYTES}`);
}

export const startCallRecording = (callId: string, track: Track, location: string): SmaAction => ({
  Type: 'StartCallRecording',
  Parameters: { CallId: callId, Track: track, Destination: { Type: 'S3', Location: location } },
});

export interface SpeakVoice {
  engine: string;
  languageCode: string;
  voiceId: string;
}
export const speak = (callId: string, text: string, voice: SpeakVoice): SmaAction => ({
  Type: 'Speak',
  Parameters: {
    CallId: callId,
    Text: text,
    TextType: 'text',
    Engine: voice.engine,
    LanguageCode: voice.languageCode,
    VoiceId: voice.voiceId,
  },
});

/**
 * The consent notice with a choice: spoken once, then up to `waitMs` for one key (any key: the workflow decides
 * which declines). No key in time ends in ACTION_FAILED after the failure prompt, which is therefore neutral.
 * Repeat 1: a caller who says nothing has heard the notice once, as the plain Speak does. MaxNumberOfDigits must
 * be greater than MinNumberOfDigits (speak-and-get-digits): 2, with a regex that takes one key only.
 */
export const NO_KEY_TEXT = 'Thank you.';
export const speakAndGetDigit = (callId: string, text: string, voice: SpeakVoice, waitMs: number): SmaAction => {
  const speech = (t: string) => ({
    Text: t,
    TextType: 'text',
    Engine: voice.engine,
    LanguageCode: voice.languageCode,
    VoiceId: voice.voiceId,
  });
  return {
    Type: 'SpeakAndGetDigits',
    Parameters: {
      CallId: callId,
      InputDigitsRegex: '^[0-9*#]$',
      SpeechParameters: speech(text),
      FailureSpeechParameters: speech(NO_KEY_TEXT),
      MinNumberOfDigits: 1,
      MaxNumberOfDigits: 2,
      Repeat: 1,
      RepeatDurationInMilliseconds: waitMs,
    },
  };
};

/** PauseCallRecording, ResumeCallRecording or StopCallRecording: each takes the leg's CallId only. */
export const controlCallRecording = (type: string, callId: string): SmaAction => ({ Type: type, Parameters: { CallId: callId } });

export const hangup = (callId: string, sipResponseCode = '0'): SmaAction => ({
  Type: 'Hangup',
  Parameters: { CallId: callId, SipResponseCode: sipResponseCode },
});

export const callAndBridge = (callerIdNumber: string, uri: string, timeoutSeconds: number): SmaAction => ({
  Type: 'CallAndBridge',
  Parameters: {
    CallTimeoutSeconds: timeoutSeconds,
    CallerIdNumber: callerIdNumber,
    Endpoints: [{ BridgeEndpointType: 'PSTN', Uri: uri }],
  },
});
