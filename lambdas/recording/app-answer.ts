/**
 * The application's answer as the middleware reads and rewrites it (middleware-core.ts): is it an SMA response,
 * which keys its digit collection took, and the response sent with the middleware's actions and map.
 */
import type { SmaAction, SmaAnswer } from './sma-response';

type Attributes = Record<string, string>;

/** An answer the middleware can merge into; anything else goes out as the application gave it. */
export type AppAnswer = { SchemaVersion?: string; Actions?: SmaAction[] | null; TransactionAttributes?: Attributes } & Record<
  string,
  unknown
>;

/**
 * The keys the application's own digit collection took (the ReceivedDigits of an *AndGetDigits' ACTION_SUCCESSFUL),
 * kept to 16: with the keypad controls on they are remembered (`rw:own.g`), so the same keys are not taken for a control.
 */
export function digitsTaken(event: { InvocationEventType?: unknown; ActionData?: unknown }): string | undefined {
  if (event.InvocationEventType !== 'ACTION_SUCCESSFUL') return undefined;
  const data = event.ActionData as { Type: string; ReceivedDigits?: string };
  if (!data.Type.endsWith('AndGetDigits')) return undefined;
  return data.ReceivedDigits ? data.ReceivedDigits.slice(0, 16) : undefined;
}

/**
 * The response: the application's answer with `actions`, and `attributes` or no map at all (omitted = the SMA keeps
 * its map). `actions` null or undefined is sent as `"Actions": null`, the NULL action set that keeps the actions
 * in progress (invoke-on-call-leg); an omitted `Actions` is not documented to mean the same.
 */
export function envelope(app: Record<string, unknown>, actions: SmaAction[] | null | undefined, attributes?: Attributes): SmaAnswer {
  const out: Record<string, unknown> = { ...app, SchemaVersion: '1.0', Actions: actions ?? null };
  if (attributes !== undefined) out.TransactionAttributes = attributes;
  else if (Object.hasOwn(out, 'TransactionAttributes')) {
    const { TransactionAttributes: _omitted, ...copy } = out;
    return copy as unknown as SmaAnswer;
  }
  return out as unknown as SmaAnswer;
}

export function isResponse(value: unknown): value is AppAnswer {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const v = value as Record<string, unknown>;
  if (v.Actions !== undefined && v.Actions !== null && !Array.isArray(v.Actions)) return false;
  const attrs = v.TransactionAttributes;
  if (
    attrs !== undefined &&
    (typeof attrs !== 'object' || attrs === null || Array.isArray(attrs) || !stringValues(attrs as Record<string, unknown>))
  )
    return false;
  return true;
}

/** Every own enumerable value a string: Object.values(...).every without the array (this runs on every event). */
function stringValues(map: Record<string, unknown>): boolean {
  for (const k in map) if (Object.hasOwn(map, k) && typeof map[k] !== 'string') return false;
  return true;
}
