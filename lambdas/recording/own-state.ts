/**
 * The recording middleware's own TransactionAttributes (every key starts with `rw:`; the application has the
 * rest) and its bookkeeping in `rw:own`: reading it, writing it back only when something new is to be remembered,
 * and the application's view of an event (without the `rw:*` keys: they hold task tokens).
 */
import { createHash } from 'node:crypto';
import { Command } from '../shared/workflow-contract';
import type { SmaAction, SmaResponse } from './sma-response';

type Attributes = Record<string, string>;

/** Every TransactionAttributes key of the middleware starts with this; the application has the rest. */
export const OWN_PREFIX = 'rw:';
/**
 * The middleware's bookkeeping (JSON): `c` the command whose action list it returned last and whose result is
 * still to come; `a` the types of the application's action list in progress (what an update would replace);
 * `p` a command's actions parked until the application's list ends (`b`: the types they wait behind); `h` the
 * application's list held while the recording's own list runs (it goes on with their result); `w` the types
 * the running command waited behind (for the audit); `d` the keypad controls wait to be armed; `r` auto-record
 * started; `m` the workflow takes outcomes through the hand-off mailbox; `s` its StartExecution is still to be
 * retried; `k` a fingerprint of the consent notice's text (tells the notice's Speak result from the
 * application's); `o` the notice offers the caller an opt-out, with this many seconds to press.
 *
 * After a task callback the middleware answers without TransactionAttributes (see onOwnResult), so the SMA's
 * map keeps the `rw:own` of before: `c` and `h` may then be stale until the next map written. They are read
 * accordingly: a stale `c` of StartRecording only matches a StartCallRecording result (the recording's own, by
 * its call id), a stale NotifyConsent only a Speak/PlayAudio with the notice's text (`k`); a stale `h` is dropped
 * by the next command and at the application's next list end (application-lists.ts).
 */
export const OwnStateAttribute = 'rw:own';
export interface ParkedCommand {
  c: Command;
  x: SmaAction[];
  b: string[];
}
export interface OwnState {
  c?: Command;
  a?: string[];
  p?: ParkedCommand;
  h?: SmaAction[];
  w?: string[];
  d?: 1;
  /** a new attempt of `c` was kept waiting for the previous one's result once (the next one runs) */
  q?: 1;
  r?: 1;
  k?: string;
  o?: number;
  /** keypad controls on: the keys the application's own digit collection just took (not a control: see onKeypad) */
  g?: string;
  /** the call's workflow takes the recording's outcomes through the hand-off mailbox (task-handoff.ts) */
  m?: 1;
  /** policy recording: the workflow's StartExecution was refused (throttled); tried again on the call's next events */
  s?: 1;
}
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
    if (isCommand(v.c)) out.c = v.c;
    if (isTypes(v.a)) out.a = v.a;
    if (isActions(v.h)) out.h = v.h;
    if (isTypes(v.w)) out.w = v.w;
    const p = v.p as Record<string, unknown> | undefined;
    if (p && typeof p === 'object' && isCommand(p.c) && isActions(p.x) && isTypes(p.b)) out.p = { c: p.c, x: p.x, b: p.b };
    if (v.d === 1) out.d = 1;
    if (v.q === 1) out.q = 1;
    if (v.r === 1) out.r = 1;
    if (typeof v.k === 'string' && v.k.length <= 16) out.k = v.k;
    if (Number.isInteger(v.o) && (v.o as number) >= 1 && (v.o as number) <= 60) out.o = v.o as number;
    if (typeof v.g === 'string' && v.g.length <= 16) out.g = v.g;
    if (v.m === 1) out.m = 1;
    if (v.s === 1) out.s = 1;
    return out;
  } catch {
    return {};
  }
}

const isCommand = (v: unknown): v is Command => typeof v === 'string' && (Object.values(Command) as string[]).includes(v);
const isTypes = (v: unknown): v is string[] => Array.isArray(v) && v.length <= 10 && v.every((t) => typeof t === 'string');
const isActions = (v: unknown): v is SmaAction[] =>
  Array.isArray(v) &&
  v.length <= 10 &&
  v.every((a) => a && typeof a === 'object' && typeof a.Type === 'string' && typeof (a.Parameters ?? {}) === 'object');

/** `{ 'rw:own': json }`, or `{}` when there is nothing to keep (the key is then absent from the map). */
export function ownAttribute(state: OwnState): Attributes {
  const clean: OwnState = {};
  if (state.c) clean.c = state.c;
  if (state.a) clean.a = state.a;
  if (state.p) clean.p = state.p;
  if (state.h) clean.h = state.h;
  if (state.w) clean.w = state.w;
  if (state.d) clean.d = 1;
  if (state.q) clean.q = 1;
  if (state.r) clean.r = 1;
  if (state.k) clean.k = state.k;
  if (state.o) clean.o = state.o;
  if (state.g) clean.g = state.g;
  if (state.m) clean.m = 1;
  if (state.s) clean.s = 1;
  return Object.keys(clean).length ? { [OwnStateAttribute]: JSON.stringify(clean) } : {};
}

/** The middleware's keys with its bookkeeping replaced by `state`. */
export function withState(own: Attributes, state: OwnState): Attributes {
  const out: Attributes = {};
  for (const k in own) if (k !== OwnStateAttribute) out[k] = own[k];
  const kept = ownAttribute(state)[OwnStateAttribute];
  if (kept !== undefined) out[OwnStateAttribute] = kept;
  return out;
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
