/**
 * The scenario's `smaReadings` (top level, and per call over it): which reading the SMA twin takes where the
 * PSTN audio pages are silent (local/sma/readings.ts). Unknown names and values are refused, naming the field.
 */
import { READING_VALUES, type SmaReadings } from '../sma/readings';

type ErrorAt = new (field: string, message: string) => Error;

export function parseSmaReadings(v: unknown, at: string, ScenarioError: ErrorAt): SmaReadings | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new ScenarioError(at, 'must be an object');
  const out: Record<string, string> = {};
  const names = Object.keys(READING_VALUES);
  for (const [name, value] of Object.entries(v)) {
    const allowed = (READING_VALUES as Record<string, readonly string[]>)[name];
    if (!allowed) throw new ScenarioError(`${at}.${name.slice(0, 60)}`, `unknown reading (allowed: ${names.join(', ')})`);
    if (typeof value !== 'string' || !allowed.includes(value))
      throw new ScenarioError(`${at}.${name}`, `must be one of ${allowed.join(', ')}, got ${JSON.stringify(value)?.slice(0, 60)}`);
    out[name] = value;
  }
  return out as SmaReadings;
}

/** A call's readings: the file's, overridden by the call's own; undefined when neither names any. */
export function mergeReadings(top: SmaReadings | undefined, own: SmaReadings | undefined): SmaReadings | undefined {
  if (!top && !own) return undefined;
  return { ...top, ...own };
}
