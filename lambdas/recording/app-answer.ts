/**
 * The application's answer as the middleware reads and rewrites it, on the full path (middleware-core.ts) and the
 * fast path (quiet-path.ts) alike: is it an SMA response, which list an update would interrupt, which keys its digit
 * collection took, and the response sent with the middleware's actions and map.
 */
import type { SmaAction, SmaResponse } from './sma-response';

type Attributes = Record<string, string>;

/** An answer the middleware can merge into; anything else goes out as the application gave it. */
export type AppAnswer = { SchemaVersion?: string; Actions?: SmaAction[]; TransactionAttributes?: Attributes } & Record<string, unknown>;

/** Event types after which an empty answer ends the application's list (nothing left for an update to interrupt). */
export const LIST_ENDS: ReadonlySet<string> = new Set(['ACTION_SUCCESSFUL', 'ACTION_FAILED', 'NEW_INBOUND_CALL', 'HANGUP']);

/** An action of a list an update would interrupt: anything but a Hangup (a function of its own: no closure per event). */
export function notHangup(action: { Type?: unknown } | undefined): boolean {
  return String(action?.Type) !== 'Hangup';
}

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
 * its map). One copy, changed in place.
 */
export function envelope(app: Record<string, unknown>, actions: SmaAction[], attributes?: Attributes): SmaResponse {
  const out: Record<string, unknown> = { ...app, SchemaVersion: '1.0', Actions: actions };
  if (attributes !== undefined) out.TransactionAttributes = attributes;
  else if (Object.hasOwn(out, 'TransactionAttributes')) {
    const { TransactionAttributes: _omitted, ...copy } = out;
    return copy as unknown as SmaResponse;
  }
  return out as unknown as SmaResponse;
}

export function isResponse(value: unknown): value is AppAnswer {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const v = value as Record<string, unknown>;
  if (v.Actions !== undefined && !Array.isArray(v.Actions)) return false;
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
