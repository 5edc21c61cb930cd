/**
 * The caller index's key for a phone number: HMAC-SHA256 of the E.164 number under a secret key (Secrets Manager in
 * AWS, a local key in the twin), hex. The index and the erasure CLI use this, never the number: without the key, the
 * index cannot be reversed by hashing every number (a plain hash of a 15-digit space can be).
 */
import { createHmac } from 'node:crypto';

/** ITU-T E.164: "+", a country code not starting with 0, at most 15 digits in all. */
const E164 = /^\+[1-9]\d{1,14}$/;

/** What is wrong with `value` as an E.164 number, the value itself masked; undefined when it is one. */
export function e164Problem(value: unknown): string | undefined {
  if (typeof value !== 'string') return 'caller: must be an E.164 number ("+", then 2-15 digits, the first not 0), got no string';
  if (E164.test(value)) return undefined;
  return `caller: must be an E.164 number ("+", then 2-15 digits, the first not 0), got a value of ${value.length} characters`;
}

export function callerKey(key: Uint8Array | string, e164: string): string {
  const problem = e164Problem(e164);
  if (problem) throw new Error(problem);
  return createHmac('sha256', key).update(e164, 'utf8').digest('hex');
}
