/**
 * The application's action lists as the middleware tracks them, and where the recording's own actions go in
 * among them. Two documented rules decide (docs/reference/sma-protocol.md):
 * - an update's (or any) new action list replaces the one in progress: an interruptible action (PlayAudio,
 *   RecordAudio, Pause) is stopped, another completes first, and "In both cases, Action 3 isn't executed"
 *   (update-sip-call);
 * - "If the SIP media application receives a NULL action set, it keeps the existing actions" (invoke-on-call-leg).
 * So the recording never answers with actions while the application's list runs (`a`): it parks them (`p`) and
 * answers with a NULL action set; at the application's next list boundary (the event that ends its list, or any
 * event while it is idle) its actions go first and the application's new list is held (`h`) until their result
 * comes (answerHeld). ACTION_SUCCESSFUL comes only after the last action of a list, so the recording's own
 * action must be last of its list: the application's list cannot simply follow it in the same answer.
 */
import type { OwnState } from './own-state';
import { MAX_ACTIONS, type SmaAction } from './sma-response';
import { noticeFingerprint, noticeText } from './own-state';
import { Command } from '../shared/workflow-contract';

/** Events after which nothing of the application's is in progress: its answer starts its next list. */
export const LIST_ENDS: ReadonlySet<string> = new Set([
  'ACTION_SUCCESSFUL',
  'ACTION_FAILED',
  'NEW_INBOUND_CALL',
  'NEW_OUTBOUND_CALL',
  'CALL_ANSWERED',
]);

/** An answer: its actions (null or undefined: none given, the SMA keeps the list in progress) and the state to write. */
export interface Out {
  actions: SmaAction[] | null | undefined;
  state: OwnState;
  /** the recording's parked actions went out in this answer */
  injected?: boolean;
}

const typesOf = (actions: SmaAction[]) => actions.map((a) => String(a?.Type));
const hangsUp = (actions: SmaAction[]) => actions.some((a) => a?.Type === 'Hangup');

/**
 * `a` after the application answered `eventType` with `actions`. A list of Hangups has nothing to wait for. An
 * empty or NULL answer at a list end leaves it idle; mid-list a NULL answer keeps its list, and so is `[]` read
 * (the docs do not say whether `[]` replaces the list or is a NULL set: the application is taken as still busy,
 * which only makes the recording wait, never interrupt it).
 */
export function nextAppList(eventType: string, actions: SmaAction[] | null | undefined, state: OwnState): OwnState {
  const next: OwnState = { ...state };
  if (actions && actions.length > 0) {
    if (hangsUp(actions)) delete next.a;
    else next.a = typesOf(actions);
    // The application moved on: a list held for it earlier is not its list any more.
    delete next.h;
  } else if (LIST_ENDS.has(eventType)) {
    delete next.a;
  }
  // A list end of the application's: a held list was handed back long ago (what is left is the stale copy).
  if (LIST_ENDS.has(eventType)) delete next.h;
  return next;
}

/**
 * The answer to an application event: its own answer, unless the recording has actions parked (`p`) or keypad
 * controls to arm (`d`) and this is a boundary (nothing of the application's was in progress when the event
 * came). Then the recording's actions go now and the application's list is held; the keypad's ReceiveDigits
 * (which ends at once) simply goes before the application's list. A list with a Hangup is left alone.
 */
export function boundaryAnswer(eventType: string, actions: SmaAction[] | null | undefined, state: OwnState, arm: SmaAction[]): Out {
  if (eventType === 'INVALID_LAMBDA_RESPONSE' && state.h && !actions?.length) {
    // The SMA refused the answer that held the application's list (the recording's own actions never ran, nothing
    // runs now): the held list goes out, unless the application answers this event with a list of its own.
    const { h: held, ...rest } = state;
    return { actions: held, state: rest };
  }
  const next = nextAppList(eventType, actions, state);
  const boundary = LIST_ENDS.has(eventType) || !state.a;
  if (!boundary || (!state.p && !state.d) || (actions && hangsUp(actions))) return { actions, state: next };
  const leading = state.d ? arm : [];
  delete next.d;
  if (!state.p) {
    const list = actions ?? [];
    if (leading.length + list.length > MAX_ACTIONS) return { actions, state: { ...next, d: 1 } };
    return { actions: [...leading, ...list], state: next };
  }
  const parked = state.p;
  const ours = leading.length + parked.x.length <= MAX_ACTIONS ? [...leading, ...parked.x] : parked.x;
  const out: OwnState = { ...next, c: parked.c, ...(parked.b.length ? { w: parked.b } : {}) };
  if (ours === parked.x && leading.length) out.d = 1;
  delete out.p;
  if (parked.c === Command.NotifyConsent) Object.assign(out, noticeState(parked.x));
  if (actions && actions.length > 0) {
    out.h = actions;
    out.a = typesOf(actions);
  } else {
    delete out.h;
    delete out.a;
  }
  return { actions: ours, state: out, injected: true };
}

/**
 * The recording's own list has its result: the application's held list goes on (its `a` was set when it was
 * held), after the keypad's ReceiveDigits if they wait to be armed; with nothing held, a NULL action set.
 */
export function answerHeld(state: OwnState, arm: SmaAction[]): Out {
  const next: OwnState = { ...state };
  const held = next.h;
  delete next.h;
  const leading = next.d ? arm : [];
  delete next.d;
  const list = held ?? [];
  if (leading.length + list.length > MAX_ACTIONS) return { actions: held ?? null, state: { ...next, d: 1 } };
  const actions = [...leading, ...list];
  return { actions: actions.length ? actions : null, state: next };
}

/** `k` and `o` of a consent notice's list: its text's fingerprint, and the opt-out seconds when the caller can decline. */
export function noticeState(actions: SmaAction[]): Pick<OwnState, 'k' | 'o'> {
  const last = actions[actions.length - 1];
  const out: Pick<OwnState, 'k' | 'o'> = { k: noticeFingerprint(noticeText(last?.Parameters)) };
  if (last?.Type === 'SpeakAndGetDigits') out.o = Math.round(Number(last.Parameters?.RepeatDurationInMilliseconds) / 1000);
  return out;
}
