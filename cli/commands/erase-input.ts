/** The checks of erase's, hold's and release's arguments: each refusal names the option and what it takes. */
import { e164Problem } from '../../lambdas/shared/caller-key';
import { usageError } from '../errors';

/**
 * What reads as a phone number, which the records must not hold: "+" and 6 or more digits, or 9 or more digits
 * (separators allowed). A case reference such as case-2026-041 (7 digits) is not one.
 */
const PHONE_LIKE = /\+\s?\d(?:[\s().-]?\d){5,}|\d(?:[\s().-]?\d){8,}/;

/** --by and --reason: kept in immutable records, so no phone number and nothing a terminal would act on. */
export function checkActor(value: string | undefined, option: string): string {
  const v = (value ?? '').trim();
  if (!v) throw usageError(`${option}: required, a non-blank text of at most 256 characters`);
  if (v.length > 256) throw usageError(`${option}: at most 256 characters, got ${v.length}`);
  if (/[\u0000-\u001f\u007f]/.test(v)) throw usageError(`${option}: must not contain control characters`);
  if (PHONE_LIKE.test(v))
    throw usageError(`${option}: must not contain a phone number (the record must hold none); name the request by its reference instead`);
  return v;
}

export function checkCaller(value: string | undefined): string {
  const problem = e164Problem(value);
  if (problem) throw usageError(`--${problem.replace(/^caller/, 'caller')}`);
  return value as string;
}

/** --from / --to: a day (YYYY-MM-DD, inclusive) of the call's start, UTC. */
export function checkDay(value: string | undefined, option: string): string | undefined {
  if (value === undefined) return undefined;
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  const d = m ? new Date(`${value}T00:00:00Z`) : undefined;
  if (!m || !d || Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== value)
    throw usageError(`${option}: must be a day YYYY-MM-DD (UTC, inclusive), got ${JSON.stringify(value)}`);
  return value;
}
