/**
 * An existing SMA application, as a user of the recording middleware would have one: a small IVR.
 *   menu (SpeakAndGetDigits) -> 1 or 2: CallAndBridge to that agent
 *                            -> anything else, or nothing: the menu again, twice at most, then goodbye and Hangup
 * It knows nothing of recording: written to AWS's docs only (ACTION_INTERRUPTED is informational, its answer
 * ignored), as the middleware never replaces its list in progress (docs/embedding.md). Its place (how many times
 * the menu was repeated) lives in its own TransactionAttributes (`ivr:*`).
 *
 * Plain JSON in, plain JSON out: no import from the recording package (handler.ts adds it in one line).
 */

type Attributes = Record<string, string>;
interface Participant {
  CallId: string;
  ParticipantTag: string;
  From?: string;
  To?: string;
  Status?: string;
}
export interface IvrEvent {
  InvocationEventType: string;
  ActionData?: {
    Type?: string;
    ReceivedDigits?: string;
    Parameters?: Record<string, unknown>;
  };
  CallDetails: { TransactionAttributes?: Attributes; Participants: Participant[] };
}
export interface IvrAction {
  Type: string;
  Parameters: Record<string, unknown>;
}
export interface IvrResponse {
  SchemaVersion: '1.0';
  Actions: IvrAction[];
  TransactionAttributes?: Attributes;
}

export interface IvrOptions {
  /** Digit -> the agent's E.164 number. */
  agents: Record<string, string>;
  /** Times the menu is played again after a wrong entry or none (then goodbye). Default 2. */
  maxRepeats?: number;
  menuText?: string;
  bridgeTimeoutSeconds?: number;
  voice?: { Engine: string; LanguageCode: string; VoiceId: string };
}

export const IVR_MENU = 'Welcome. For sales, press 1. For support, press 2.';
const REPEATS = 'ivr:repeats';

export function createIvr(options: IvrOptions): (event: IvrEvent) => Promise<IvrResponse> {
  const maxRepeats = options.maxRepeats ?? 2;
  const voice = options.voice ?? { Engine: 'neural', LanguageCode: 'en-US', VoiceId: 'Joanna' };
  const say = (callId: string, text: string): IvrAction => ({ Type: 'Speak', Parameters: { CallId: callId, Text: text, ...voice } });
  const menu = (callId: string): IvrAction => ({
    Type: 'SpeakAndGetDigits',
    Parameters: {
      CallId: callId,
      InputDigitsRegex: '^[0-9*]$',
      SpeechParameters: { Text: options.menuText ?? IVR_MENU, ...voice },
      FailureSpeechParameters: { Text: 'Sorry, that is not an option.', ...voice },
      // MaxNumberOfDigits must be greater than MinNumberOfDigits (speak-and-get-digits); the regex takes one key.
      MinNumberOfDigits: 1,
      MaxNumberOfDigits: 2,
      TerminatorDigits: ['#'],
      InBetweenDigitsDurationInMilliseconds: 3000,
      // The IVR counts its own repeats (one attempt per SpeakAndGetDigits).
      Repeat: 1,
      RepeatDurationInMilliseconds: 5000,
    },
  });
  const hangup = (callId: string): IvrAction => ({ Type: 'Hangup', Parameters: { CallId: callId, SipResponseCode: '0' } });
  const reply = (actions: IvrAction[], attributes?: Attributes): IvrResponse =>
    attributes ? { SchemaVersion: '1.0', Actions: actions, TransactionAttributes: attributes } : { SchemaVersion: '1.0', Actions: actions };

  return async (event) => {
    const attributes = event.CallDetails.TransactionAttributes ?? {};
    const legs = event.CallDetails.Participants;
    const caller = legs.find((p) => p.ParticipantTag === 'LEG-A') ?? legs[0];
    const connected = (p: Participant) => p.Status === undefined || p.Status === 'Connected';
    if (!caller) return reply([]);
    const again = (): IvrResponse => {
      const repeats = Number(attributes[REPEATS] ?? '0') + 1;
      if (repeats > maxRepeats) return reply([say(caller.CallId, 'Goodbye.'), hangup(caller.CallId)]);
      return reply([menu(caller.CallId)], { ...attributes, [REPEATS]: String(repeats) });
    };
    const bridge = (digit: string): IvrAction => ({
      Type: 'CallAndBridge',
      Parameters: {
        CallTimeoutSeconds: options.bridgeTimeoutSeconds ?? 30,
        CallerIdNumber: caller.From ?? caller.To,
        Endpoints: [{ BridgeEndpointType: 'PSTN', Uri: options.agents[digit] }],
      },
    });
    const data = event.ActionData ?? {};

    switch (event.InvocationEventType) {
      case 'NEW_INBOUND_CALL':
        return reply([menu(caller.CallId)], { ...attributes, [REPEATS]: '0' });
      case 'ACTION_SUCCESSFUL':
        if (data.Type === 'SpeakAndGetDigits') {
          const digit = data.ReceivedDigits ?? '';
          return Object.hasOwn(options.agents, digit) ? reply([bridge(digit)]) : again();
        }
        return reply([]);
      case 'ACTION_FAILED':
        if (data.Type === 'SpeakAndGetDigits') return again(); // nothing entered in time
        if (data.Type === 'CallAndBridge')
          return reply([say(caller.CallId, 'No agent is available. Please call again later.'), hangup(caller.CallId)]);
        return reply([]);
      case 'ACTION_INTERRUPTED':
        return reply([]); // informational: the SMA ignores the answer (update-sip-call)
      case 'HANGUP':
        return reply(legs.filter((p) => p.CallId !== data.Parameters?.CallId && connected(p)).map((p) => hangup(p.CallId)));
      default:
        return reply([]);
    }
  };
}
