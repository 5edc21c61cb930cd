/**
 * The recording middleware's own TransactionAttributes (every key starts with `rw:`; the application has the
 * rest) and its bookkeeping in `rw:own`: reading it, writing it back only when something new is to be remembered,
 * and the application's view of an event (without the `rw:*` keys: they hold task tokens).
 */
import { createHash } from 'node:crypto';
import { Command } from '../shared/workflow-contract';
import type { SmaResponse } from './sma-response';

type Attributes = Record<string, string>;

/** Every TransactionAttributes key of the middleware starts with this; the application has the rest. */
export const OWN_PREFIX = 'rw:';
/**
 * The middleware's bookkeeping (JSON): `c` the command whose action list it returned last and whose result is
 * still to come; `a` the types of the application's action list in progress (the one an update interrupts);
 * `r` auto-record started; `s` the next ACTION_INTERRUPTED is the echo of a resume already done; `k` a
 * fingerprint of the consent notice's text (tells the notice's Speak result from the application's); `o` the
 * notice offers the caller an opt-out, with this many seconds to press (its list then asks LEG-A last).
 *
 * After a task callback the middleware answers without TransactionAttributes (see onOwnResult), so the SMA's
 * map keeps the `rw:own` of the update before: `c` and `a` may then be stale until the next map written. They
 * are read accordingly: a stale `c` of StartRecording only matches a StartCallRecording result (the
 * recording's own, by its call id), a stale NotifyConsent only a Speak/PlayAudio with the notice's text (`k`),
 * and a stale `a` only names the list an application is told it was interrupted in.
 */
export const OwnStateAttribute = 'rw:own';
export interface OwnState {
  c?: Command;
  a?: string[];
  r?: 1;
  s?: 1;
  k?: string;
  o?: number;
  /** keypad controls on: the keys the application's own digit collection just took (not a control: see onKeypad) */
  g?: string;
}
// Object.keys, not Object.entries: these run several times on every event, and entries allocates a pair per key.
export function ownKeys(attributes: Attributes): Attributes {
  const out: Attributes = {};
  for (const k of Object.keys(attributes)) if (k.startsWith(OWN_PREFIX)) out[k] = attributes[k];
  return out;
}

export function withoutOwn(attributes: Attributes): Attributes {
  const out: Attributes = {};
  for (const k of Object.keys(attributes)) if (!k.startsWith(OWN_PREFIX)) out[k] = attributes[k];
  return out;
}

/** The `rw:*` keys of a recording response (the whole map when it has one), else `fallback`. */
export function rwOf(r: SmaResponse, fallback: Attributes): Attributes {
  return r.TransactionAttributes === undefined ? { ...fallback } : ownKeys(r.TransactionAttributes);
}

export function sameMap(a: Attributes, b: Attributes): boolean {
  const ka = Object.keys(a);
  return ka.length === Object.keys(b).length && ka.every((k) => Object.hasOwn(b, k) && b[k] === a[k]);
}

export function readOwn(attributes: Attributes): OwnState {
  const raw = attributes[OwnStateAttribute];
  if (!raw) return {};
  try {
    const v = JSON.parse(raw) as Record<string, unknown>;
    if (!v || typeof v !== 'object') return {};
    const out: OwnState = {};
    if (typeof v.c === 'string' && (Object.values(Command) as string[]).includes(v.c)) out.c = v.c as Command;
    if (Array.isArray(v.a) && v.a.every((t) => typeof t === 'string')) out.a = v.a.slice(0, 10) as string[];
    if (v.r === 1) out.r = 1;
    if (v.s === 1) out.s = 1;
    if (typeof v.k === 'string' && v.k.length <= 16) out.k = v.k;
    if (Number.isInteger(v.o) && (v.o as number) >= 1 && (v.o as number) <= 60) out.o = v.o as number;
    if (typeof v.g === 'string' && v.g.length <= 16) out.g = v.g;
    return out;
  } catch {
    return {};
  }
}

/**
 * A `rw:own` value read once (the fast path): readOwn's fields, each always present (one object shape, so the
 * hot code reading them stays monomorphic), and that state written back (ownAttribute's value; undefined when
 * the state is empty). Shared between events through a cache: never to be changed, `a` included.
 */
export class ParsedOwn {
  readonly c: Command | undefined;
  readonly a: readonly string[] | undefined;
  readonly r: 1 | undefined;
  readonly s: 1 | undefined;
  readonly k: string | undefined;
  readonly o: number | undefined;
  readonly g: string | undefined;
  readonly json: string | undefined;
  constructor(state: OwnState) {
    this.c = state.c;
    // A copy made as typesOf makes the fast path's new lists: the same kind of array (V8's elements kind), so
    // comparing the two does not make the optimised code bail out.
    this.a = state.a === undefined ? undefined : copyList(state.a);
    this.r = state.r;
    this.s = state.s;
    this.k = state.k;
    this.o = state.o;
    this.g = state.g;
    this.json = ownAttribute(state)[OwnStateAttribute];
  }
}

function copyList(list: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < list.length; i++) out.push(list[i]);
  return out;
}

/**
 * `actions.map((a) => String(a?.Type))` (finishApp's list in progress): `same` itself when the list is that one
 * again (the usual case: no new array), else a new list built with push, so that it is always the same kind of
 * array as ParsedOwn's (map's result kind varies with how V8 runs it); a list with holes takes map itself, which
 * keeps them.
 */
export function typesOf(actions: readonly { Type?: unknown }[], same?: readonly string[]): readonly string[] {
  if (same !== undefined && same.length === actions.length) {
    let i = 0;
    while (i < actions.length && i in actions && String(actions[i]?.Type) === same[i]) i++;
    if (i === actions.length) return same;
  }
  const out: string[] = [];
  for (let i = 0; i < actions.length; i++) {
    if (!(i in actions)) return actions.map((a) => String(a?.Type));
    out.push(String(actions[i]?.Type));
  }
  return out;
}

const NO_OWN = new ParsedOwn({});
/** Values seen lately (a warm Lambda sees the same few lists again and again); short ones only, so it stays small. */
const parsedOwn = new Map<string, ParsedOwn>();
const PARSED_OWN_MAX = 64;
const PARSED_OWN_MAX_CHARS = 256;
const oneActionJson = new Map<string, string>();

/** readOwn for the fast path: parsed once per distinct value (the JSON parse and write-back cost on every event). */
export function parseOwn(raw: string | undefined): ParsedOwn {
  if (!raw) return NO_OWN;
  const hit = parsedOwn.get(raw);
  if (hit !== undefined) return hit;
  const parsed = new ParsedOwn(readOwn({ [OwnStateAttribute]: raw }));
  if (raw.length <= PARSED_OWN_MAX_CHARS) {
    if (parsedOwn.size >= PARSED_OWN_MAX) parsedOwn.clear();
    parsedOwn.set(raw, parsed);
  }
  return parsed;
}

/**
 * ownAttribute's value for `own` with its list and keys replaced (the fast path's answer), written as
 * JSON.stringify writes that object, without building it.
 */
export function ownJsonWith(own: ParsedOwn, a: readonly string[] | undefined, g: string | undefined): string | undefined {
  // The usual case, a list of one action and nothing else: `{"a":["SpeakAndGetDigits"]}`, written once per type.
  if (a !== undefined && a.length === 1 && g === undefined && !own.c && !own.r && !own.s && !own.k && !own.o) {
    const type = a[0];
    let json = oneActionJson.get(type);
    if (json === undefined) {
      json = `{"a":${JSON.stringify(a)}}`;
      if (type.length <= PARSED_OWN_MAX_CHARS) {
        if (oneActionJson.size >= PARSED_OWN_MAX) oneActionJson.clear();
        oneActionJson.set(type, json);
      }
    }
    return json;
  }
  let out = own.c ? `"c":${JSON.stringify(own.c)}` : '';
  if (a) out += `${out ? ',' : ''}"a":${JSON.stringify(a)}`;
  if (own.r) out += `${out ? ',' : ''}"r":1`;
  if (own.s) out += `${out ? ',' : ''}"s":1`;
  if (own.k) out += `${out ? ',' : ''}"k":${JSON.stringify(own.k)}`;
  if (own.o) out += `${out ? ',' : ''}"o":${own.o}`;
  if (g) out += `${out ? ',' : ''}"g":${JSON.stringify(g)}`;
  return out ? `{${out}}` : undefined;
}

/** `{ 'rw:own': json }`, or `{}` when there is nothing to keep (the key is then absent from the map). */
export function ownAttribute(state: OwnState): Attributes {
  const clean: OwnState = {};
  if (state.c) clean.c = state.c;
  if (state.a) clean.a = state.a;
  if (state.r) clean.r = 1;
  if (state.s) clean.s = 1;
  if (state.k) clean.k = state.k;
  if (state.o) clean.o = state.o;
  if (state.g) clean.g = state.g;
  return Object.keys(clean).length ? { [OwnStateAttribute]: JSON.stringify(clean) } : {};
}

/** The middleware's keys with its bookkeeping replaced by `state`. */
export function withState(own: Attributes, state: OwnState): Attributes {
  // A loop, not a copy and `delete`: this runs on every event, and `delete` makes the copy a slow dictionary.
  const out: Attributes = {};
  for (const k in own) if (k !== OwnStateAttribute) out[k] = own[k];
  const kept = ownAttribute(state)[OwnStateAttribute];
  if (kept !== undefined) out[OwnStateAttribute] = kept;
  return out;
}

/** `next` only drops fields of `prev` (nothing new to remember): a list or a resume echo is over. */
export function onlyForgets(prev: OwnState, next: OwnState): boolean {
  const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
  return (Object.keys(next) as (keyof OwnState)[]).every((k) => next[k] === undefined || same(next[k], prev[k]));
}

/** A short fingerprint of the consent notice's text (not the text: it may be long; `rw:own` stays small). */
export function noticeFingerprint(text: unknown): string {
  return createHash('sha256')
    .update(typeof text === 'string' ? text : '')
    .digest('base64url')
    .slice(0, 8);
}

/** The notice's text in a Speak's parameters or a SpeakAndGetDigits' SpeechParameters. */
export function noticeText(parameters: Record<string, unknown> | undefined): unknown {
  const speech = parameters?.SpeechParameters;
  return parameters?.Text ?? (typeof speech === 'object' && speech !== null ? (speech as { Text?: unknown }).Text : undefined);
}

/**
 * The event as the application sees it: a copy without the `rw:*` keys (they hold task tokens, and
 * applications log their events). Every other field is as the SMA sent it.
 */
export function appEventOf(raw: unknown): unknown {
  if (typeof raw !== 'object' || raw === null) return raw;
  const event = raw as { CallDetails?: { TransactionAttributes?: unknown } };
  const details = event.CallDetails;
  const attrs = details?.TransactionAttributes;
  if (!details || typeof attrs !== 'object' || attrs === null) return raw;
  const kept = withoutOwn(attrs as Attributes);
  const copyDetails: Record<string, unknown> = { ...details };
  if (Object.keys(kept).length) copyDetails.TransactionAttributes = kept;
  else delete copyDetails.TransactionAttributes;
  return { ...(raw as object), CallDetails: copyDetails };
}
