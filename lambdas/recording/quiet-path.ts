/**
 * The middleware's fast path (issue 9: its cost on every event of an application that is not being recorded), as
 * pure functions: which event takes it (readQuietEvent) and the answer it gives (quietAnswer). RecordingCore
 * (middleware-core.ts) runs them and does their logging and metrics. test/lambdas/middleware-fast-path.test.ts holds
 * the fast path to the full path's event and answer.
 */
import { type AppAnswer, digitsTaken, envelope, LIST_ENDS, notHangup } from './app-answer';
import { OWN_PREFIX, OwnStateAttribute, ownJsonWith, ownKeys, type ParsedOwn, parseOwn, typesOf } from './own-state';
import { EVENT_TYPES } from './sma-event';
import { checkAttributes, MAX_ATTRIBUTE_BYTES, MAX_ATTRIBUTES, type SmaResponse } from './sma-response';

type Attributes = Record<string, string>;

/**
 * Event types with no recording path besides the application's when no `rw:*` key but `rw:own` is set:
 * CALL_UPDATE_REQUESTED (the workflow's commands) and INVALID_LAMBDA_RESPONSE (logged, counted) always take the
 * full path.
 */
const QUIET_TYPES: ReadonlySet<string> = new Set(
  EVENT_TYPES.filter((t) => t !== 'CALL_UPDATE_REQUESTED' && t !== 'INVALID_LAMBDA_RESPONSE'),
);

/** What the fast path keeps between the event and the application's answer. */
export interface QuietEvent {
  readonly raw: unknown;
  readonly type: string;
  /** The SMA's map as it came (undefined: none); only `rw:own` of the middleware's in it. */
  readonly attributes: Attributes | undefined;
  readonly ownRaw: string | undefined;
  readonly own: ParsedOwn;
  /** What the application gets (appEventOf). */
  readonly appEvent: unknown;
}

/**
 * An event that concerns the recording in no way goes to the application without the full parse, the log keys and
 * the per-event metric; the `rw:own` bookkeeping (the application's list in progress, so an update can resume it)
 * still runs on it, exactly as the full path's route() would. "In no way" is what route() decides for such an event,
 * read from the fields it reads: a type the middleware has no path for besides the application's (never
 * CALL_UPDATE_REQUESTED, never INVALID_LAMBDA_RESPONSE), no `rw:*` key but `rw:own` (so no task token, no pending
 * start, no recording on the call: a recorded call never takes this path), `rw:own` waiting for none of the
 * middleware's own results (`c`) or echoes (`s`), and auto-record off or already started. Anything else, or any
 * doubt about the shape of what it reads, takes the full path (parse, clear errors): undefined.
 * A new recording path for one of QUIET_TYPES must be excluded here too.
 */
export function readQuietEvent(raw: unknown, autoRecordOn: boolean): QuietEvent | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const type = (raw as { InvocationEventType?: unknown }).InvocationEventType;
  if (typeof type !== 'string' || !QUIET_TYPES.has(type)) return undefined;
  const details = (raw as { CallDetails?: unknown }).CallDetails;
  if (typeof details !== 'object' || details === null || Array.isArray(details)) return undefined;
  const attributes = (details as { TransactionAttributes?: unknown }).TransactionAttributes;
  let ownRaw: string | undefined;
  // The application's view of the map (appEventOf), made in the same pass.
  let appAttributes: Attributes | undefined;
  let appKeys = 0;
  if (attributes !== undefined) {
    if (typeof attributes !== 'object' || attributes === null || Array.isArray(attributes)) return undefined;
    appAttributes = {};
    // One pass: every value a string, no `rw:*` key but `rw:own` (kept as its raw string).
    for (const k of Object.keys(attributes)) {
      const v = (attributes as Record<string, unknown>)[k];
      if (typeof v !== 'string') return undefined;
      if (k.startsWith(OWN_PREFIX)) {
        if (k !== OwnStateAttribute) return undefined;
        ownRaw = v;
      } else {
        appAttributes[k] = v;
        appKeys++;
      }
    }
  }
  const own = parseOwn(ownRaw);
  if (own.c !== undefined || own.s !== undefined || (autoRecordOn && !own.r)) return undefined;
  // appEventOf(raw), from the pass above: the event as it came when it has no map, else a copy with the
  // application's keys only (none: no map).
  let appEvent: unknown = raw;
  if (appAttributes !== undefined) {
    let appDetails: Record<string, unknown>;
    if (appKeys > 0) appDetails = { ...details, TransactionAttributes: appAttributes };
    else {
      const { TransactionAttributes: _omitted, ...rest } = details as Record<string, unknown>;
      appDetails = rest;
    }
    appEvent = { ...raw, CallDetails: appDetails };
  }
  // The SMA's map as it came: the application never gets this object (it gets a copy), so it is the snapshot
  // quietAnswer merges from, as the full path's copy is.
  return { raw, type, attributes: attributes as Attributes | undefined, ownRaw, own, appEvent };
}

/** quietAnswer's result: the response, and what RecordingCore reports about it. */
export interface QuietAnswer {
  readonly response: SmaResponse;
  /** `rw:*` keys the application returned (its error: the middleware's values win). */
  readonly collisions?: string[];
  /** The map written would break the SMA's limits: the application's map goes out as it gave it (attributesFull). */
  readonly full?: { error: unknown; ownNext: Attributes; kept: Attributes };
}

/**
 * The full path's finishApp, answer and checkAttributes for a fast-path event, specialised: the same response, with
 * `rw:own` compared as its raw string (no parse or stringify when the list did not change), one pass over the map
 * written, and the 20 KB check skipped when a bound proves it passes.
 */
export function quietAnswer(q: QuietEvent, app: AppAnswer, dtmfControls: boolean): QuietAnswer {
  const actions = app.Actions ?? [];
  const own = q.own;
  let a: readonly string[] | undefined = own.a;
  let g = own.g;
  // As finishApp: the list an update would interrupt (`s` is never set on this path).
  const resumable = q.type !== 'HANGUP' && actions.some(notHangup);
  if (resumable) a = typesOf(actions, own.a);
  else if (actions.length > 0 || LIST_ENDS.has(q.type)) a = undefined;
  const taken = dtmfControls ? digitsTaken(q.raw as { InvocationEventType?: unknown; ActionData?: unknown }) : undefined;
  if (taken) g = taken;
  const appReturned = app.TransactionAttributes;
  const unchanged = a === own.a && g === own.g;
  if (appReturned === undefined) {
    // onlyForgets: nothing new to remember (a list or keys that ended, or the same again): no map. (typesOf
    // gives `own.a` itself for the same list again.)
    if ((a === undefined || a === own.a) && (g === undefined || g === own.g)) return { response: envelope(app, actions) };
  }
  const ownJson = unchanged ? own.json : ownJsonWith(own, a, g);
  // answer(): neither side changed anything: no map (omitted = kept).
  if (appReturned === undefined && ownJson === q.ownRaw) return { response: envelope(app, actions) };
  // The application's keys (what it returned, else what it had) plus `rw:own`, in one pass.
  const source = appReturned ?? q.attributes ?? {};
  const merged: Attributes = {};
  let collisions: string[] | undefined;
  let pairs = 0;
  let units = 0;
  for (const k of Object.keys(source)) {
    if (k.startsWith(OWN_PREFIX)) {
      if (appReturned) (collisions ??= []).push(k);
      continue;
    }
    const v = source[k];
    merged[k] = v;
    pairs++;
    units += k.length + v.length + 6;
  }
  if (ownJson !== undefined) {
    merged[OwnStateAttribute] = ownJson;
    pairs++;
    units += OwnStateAttribute.length + ownJson.length + 6;
  }
  // checkAttributes only when these upper bounds (its own quick bound) do not prove the map fits.
  if (pairs > MAX_ATTRIBUTES || 6 * units + 2 > MAX_ATTRIBUTE_BYTES) {
    try {
      checkAttributes(merged);
    } catch (error) {
      const ownNext: Attributes = ownJson === undefined ? {} : { [OwnStateAttribute]: ownJson };
      const kept = appReturned === undefined ? ownKeys(q.attributes ?? {}) : {};
      return { response: envelope(app, actions, appReturned), collisions, full: { error, ownNext, kept } };
    }
  }
  return { response: envelope(app, actions, merged), collisions };
}
