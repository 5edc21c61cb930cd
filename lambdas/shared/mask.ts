/** Phone numbers are personal data: logs keep the country code and the last two digits only. */
export function maskPhoneNumber(value: string): string {
  return value.replace(/\+?\d[\d\s().-]{5,}\d/g, (m) => {
    const digits = m.replace(/\D/g, '');
    const plus = m.startsWith('+') ? '+' : '';
    return `${plus}${digits.slice(0, plus ? 1 : 0)}${'*'.repeat(Math.max(0, digits.length - (plus ? 3 : 2)))}${digits.slice(-2)}`;
  });
}

/**
 * Any value taken from an event (or from an error about one) before it goes into a log line: a string of at
 * most `max` characters, control characters escaped (no forged log lines), long secret-looking runs removed
 * and phone numbers masked. Every event field can carry a phone number: the SMA does not promise which do.
 */
export function logSafe(value: unknown, max = 64): string | undefined {
  if (value === undefined || value === null) return undefined;
  const text = typeof value === 'string' ? value : String(value);
  const cut = text.length > max ? `${text.slice(0, max)}…` : text;
  // eslint-disable-next-line no-control-regex
  return maskPhoneNumber(stripSecretRuns(cut)).replace(
    /[\u0000-\u001f\u007f]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** A TransactionId or execution name for the log's correlation keys: a UUID as is, anything else masked. */
export function logSafeId(value: string): string {
  return UUID.test(value) ? value : (logSafe(value, 128) ?? '');
}

/**
 * A run of 40+ base64/base64url characters (escapes included) mixing upper case, lower case and digits: the
 * shape of a task token or a fragment of one as a service error may quote it (truncated, JSON- or
 * URL-escaped). UUIDs, ARNs and execution names do not match (lower-case hex, or ":"-separated).
 */
const SECRET_RUN = /[A-Za-z0-9+/=_\\%-]{40,}/g;
export function stripSecretRuns(text: string): string {
  return text.replace(SECRET_RUN, (run) => (/[A-Z]/.test(run) && /[a-z]/.test(run) && /\d/.test(run) ? '<redacted>' : run));
}

/** Shortest piece of a known token that counts as a leak when it appears in a message. */
export const MIN_TOKEN_FRAGMENT = 16;

/**
 * `message` with every copy of `token`, and every piece of it of MIN_TOKEN_FRAGMENT or more characters,
 * replaced by "<task token>", then the generic secret-run rule. Written by hand: it is a sliding-window match
 * against one known secret, which no logging library offers.
 */
export function redactToken(message: string, token: string | undefined): string {
  let out = message;
  if (token && token.length >= MIN_TOKEN_FRAGMENT) {
    const windows = new Set<string>();
    for (let i = 0; i + MIN_TOKEN_FRAGMENT <= token.length; i++) windows.add(token.slice(i, i + MIN_TOKEN_FRAGMENT));
    const covered = new Uint8Array(out.length);
    for (let i = 0; i + MIN_TOKEN_FRAGMENT <= out.length; i++)
      if (windows.has(out.slice(i, i + MIN_TOKEN_FRAGMENT))) covered.fill(1, i, i + MIN_TOKEN_FRAGMENT);
    let result = '';
    for (let i = 0; i < out.length; i++) {
      if (!covered[i]) result += out[i];
      else if (i === 0 || !covered[i - 1]) result += '<task token>';
    }
    out = result;
  } else if (token) {
    out = out.split(token).join('<task token>');
  }
  return stripSecretRuns(out);
}
