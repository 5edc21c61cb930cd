/**
 * Error shapes of the emulated PSTN audio service: ACTION_FAILED ErrorType/ErrorMessage pairs and the
 * "call not found" error behind UpdateSipMediaApplicationCall's NotFoundException.
 */
import type { ActionError } from './events';

/** ErrorMessage per ErrorType, worded as the developer guide's error tables (speak, start-call-recording, play-audio, call-and-bridge, unexpected-action-fail). */
const MESSAGES: Record<string, string> = {
  SystemException: 'System error while running action.',
  InvalidActionParameter: 'Action parameter is invalid.',
  MissingRequiredActionParameter: 'Text is a required parameter.',
  ActionExecutionThrottled: 'Amazon Polly is throttling the request to synthesize speech.',
  AccessDenied: 'The AWSServiceRoleForAmazonChimeVoiceConnector service-linked role is not configured correctly.',
  InvalidAudioSource: 'Audio Source parameter value is invalid.',
  NoAccessToDestination: 'Error while accessing destination',
  CallNotAnswered: 'Call not answered',
};

/**
 * The ACTION_FAILED payload for an ErrorType. NoAccessToDestination also carries the seed / developer guide
 * form (start-call-recording, "Action error response"): `"Error": "NoAccessToDestination: Error while
 * accessing destination"`, besides ErrorType/ErrorMessage as pstn-invocations describes every failure.
 */
export function actionError(errorType: string, errorMessage?: string): ActionError {
  const message = errorMessage ?? MESSAGES[errorType] ?? `${errorType} while running action.`;
  const error: ActionError = { errorType, errorMessage: message };
  if (errorType === 'NoAccessToDestination') error.extra = { Error: `${errorType}: ${message}` };
  return error;
}

export function invalidParameter(parameter: string): ActionError {
  // Wording of start-call-recording / play-audio: "`CallId` parameter for action is invalid".
  return actionError('InvalidActionParameter', `${parameter} parameter for action is invalid`);
}

/** The transaction is unknown or the call is over (UpdateSipMediaApplicationCall -> 404 NotFoundException). */
export class SmaCallNotFoundError extends Error {
  override readonly name = 'NotFoundException';
  constructor(readonly transactionId: string) {
    super(`No active call with transaction ID ${transactionId} on this SIP media application`);
  }
}

/** Long opaque strings (task tokens, signatures) are cut out of anything the emulator logs. */
export function redact(text: string, max = 200): string {
  const cleaned = text.replace(/[A-Za-z0-9+/=_-]{40,}/g, '[redacted]');
  return cleaned.length > max ? `${cleaned.slice(0, max)}...` : cleaned;
}
