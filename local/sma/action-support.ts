/** Helpers every action shares: outcomes, the interruptible wait, and finding the leg an action targets. */
import type { CallState, LegState, Outcome } from './call';
import type { ActionError, ActionShape } from './events';
import { type EmulatorRuntime, INTERRUPT, timerTag } from './runtime';

export function failed(error: ActionError): Outcome {
  return { status: 'failed', ...toFailure(error) };
}

export function toFailure(error: ActionError) {
  return { errorType: error.errorType, errorMessage: error.errorMessage, extra: error.extra };
}

export function nonEmpty(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0;
}

/** Sleeps `ms` virtual milliseconds: `outcome`, or what cut the sleep short (a new list, or a hangup/close). */
export async function wait(rt: EmulatorRuntime, call: CallState, ms: number, signal: AbortSignal, outcome: Outcome): Promise<Outcome> {
  try {
    await rt.clock.sleep(ms, signal, timerTag(call, 'sma:action'));
    return outcome;
  } catch {
    return signal.reason === INTERRUPT ? { status: 'interrupted' } : { status: 'aborted' };
  }
}

export function connectedLeg(call: CallState, callId: unknown): LegState | undefined {
  if (typeof callId !== 'string') return undefined;
  const leg = call.legs.find((l) => l.callId === callId);
  return leg?.status === 'Connected' ? leg : undefined;
}

/** CallId, else ParticipantTag, else LEG-A (pause, play-audio: "ParticipantTag of the invoked callLeg"). */
export function targetLeg(call: CallState, p: Record<string, unknown>): LegState | undefined {
  if (p.CallId !== undefined) return connectedLeg(call, p.CallId);
  const tag = p.ParticipantTag === undefined ? 'LEG-A' : p.ParticipantTag;
  const leg = call.legs.find((l) => l.tag === tag);
  return leg?.status === 'Connected' ? leg : undefined;
}

/** The legs whose hangup cancels an action in progress. */
export function actionLegs(call: CallState, action: ActionShape): string[] {
  const p = action.Parameters ?? {};
  if (action.Type === 'CallAndBridge') return [call.legs[0]!.callId];
  const leg = typeof p.CallId === 'string' ? call.leg(p.CallId) : targetLeg(call, p);
  return leg ? [leg.callId] : [];
}

/** Speak and the spoken prompts take text length / speakCharsPerSecond, at least 0.5 s. */
export function speakMs(rt: EmulatorRuntime, text: string): number {
  return Math.max(500, Math.round((text.length / rt.timing.speakCharsPerSecond) * 1000));
}
