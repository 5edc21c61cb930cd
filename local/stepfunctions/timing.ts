/**
 * Long virtual sleeps. `ScaledClock.sleep` uses one setTimeout, whose delay overflows (and then
 * fires at once) past 2^31-1 wall milliseconds; a Wait of 30 days at speed 1 would do that. So
 * sleep in bounded steps, re-reading the clock after each step so that the end time is exact.
 */
import type { Clock } from '../clock';

const MAX_WALL_STEP_MS = 2 ** 30;

export async function sleepUntil(clock: Clock, targetMs: number, signal: AbortSignal): Promise<void> {
  for (;;) {
    const remaining = targetMs - clock.nowMs();
    if (remaining <= 0) {
      if (signal.aborted) throw signal.reason ?? new Error('aborted');
      return;
    }
    await clock.sleep(Math.min(remaining, MAX_WALL_STEP_MS * clock.speed), signal);
  }
}

export function sleepFor(clock: Clock, ms: number, signal: AbortSignal): Promise<void> {
  return sleepUntil(clock, clock.nowMs() + Math.max(0, ms), signal);
}
