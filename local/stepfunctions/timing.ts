/**
 * Long virtual sleeps. `ScaledClock.sleep` uses one setTimeout, whose delay overflows (and then
 * fires at once) past 2^31-1 wall milliseconds; a Wait of 30 days at speed 1 would do that. So a
 * sleep longer than that is taken in bounded steps; a shorter one is a single `clock.sleep`.
 */
import type { Clock } from '../clock';

const MAX_WALL_STEP_MS = 2 ** 30;

export async function sleepFor(clock: Clock, ms: number, signal: AbortSignal): Promise<void> {
  let remaining = Math.max(0, ms);
  const maxStep = MAX_WALL_STEP_MS * clock.speed;
  do {
    const step = Math.min(remaining, maxStep);
    await clock.sleep(step, signal);
    remaining -= step;
  } while (remaining > 0);
}

export function sleepUntil(clock: Clock, epochMs: number, signal: AbortSignal): Promise<void> {
  return sleepFor(clock, epochMs - clock.nowMs(), signal);
}
