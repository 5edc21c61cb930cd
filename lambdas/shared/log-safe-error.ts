/**
 * The one way lambdas/ puts a caught error into a log line or a SendTaskFailure cause: its name and message
 * through logSafe (bounded, control characters escaped, phone numbers masked) after redactToken (every piece of
 * the task token the error may quote, whole, truncated or escaped, and any other secret-looking run removed).
 * Causes (`{ cause }`) are followed so a wrapped service error is not lost, each one redacted the same way.
 */
import { logSafe, redactToken } from './mask';

/** A service error message is read this far at most: the rest is cut before it is scanned for the token. */
const MAX_SCANNED = 4096;
/** How many wrapped causes are followed. */
const MAX_CAUSES = 3;

/** A type, not an interface: Powertools' logger takes it as extra keys (an index-signature object). */
export type LogSafeError = {
  /** The error's name (e.g. `ValidationException`), masked. */
  error?: string;
  /** Its message and those of its causes, token and secrets removed, masked, at most `max` characters. */
  errorMessage?: string;
};

/** The message of `e` and of the causes it wraps ("outer; caused by: inner"), not yet made safe. */
function messageChain(e: unknown): string {
  const parts: string[] = [];
  let current: unknown = e;
  for (let depth = 0; current !== undefined && current !== null && depth <= MAX_CAUSES; depth++) {
    const message = current instanceof Error ? current.message : String(current);
    if (message) parts.push(message);
    current = current instanceof Error ? current.cause : undefined;
  }
  return parts.join('; caused by: ');
}

/** `e` as log fields: never the task token `token` (nor any piece of it), never a phone number. */
export function logSafeError(e: unknown, token?: string, max = 1024): LogSafeError {
  if (e === undefined || e === null) return {};
  const name = e instanceof Error ? e.name : typeof e;
  const message = messageChain(e).slice(0, MAX_SCANNED);
  return { error: logSafe(redactToken(name, token)), errorMessage: logSafe(redactToken(message, token), max) };
}

/** Just the message, for a SendTaskFailure cause or a sentence: the same redaction as logSafeError. */
export function logSafeMessage(e: unknown, token?: string, max = 1024): string {
  return logSafeError(e, token, max).errorMessage ?? '';
}
