/**
 * Virtual sleeps that never end early and never overflow.
 *
 * - A timer may fire a little before the clock reads the target time (setTimeout works in whole
 *   wall milliseconds, and one wall ms is `speed` virtual ms), so after each sleep the remaining
 *   time is re-read from the clock and slept again: a Wait until a Timestamp resumes at or after
 *   it, as in AWS.
 * - `ScaledClock.sleep` uses one setTimeout, whose delay overflows (and then fires at once) past
 *   2^31-1 wall ms; a 30-day Wait at speed 1 would do that, so long sleeps go in bounded steps.
 * The first step asks the clock for exactly the requested duration.
 */
import type { Clock } from '../clock';

const MAX_WALL_STEP_MS = 2 ** 30;

export async function sleepFor(clock: Clock, ms: number, signal: AbortSignal): Promise<void> {
  const duration = Math.max(0, ms);
  const target = clock.nowMs() + duration;
  const maxStep = MAX_WALL_STEP_MS * clock.speed;
  let step = duration;
  do {
    await clock.sleep(Math.min(step, maxStep), signal);
    step = target - clock.nowMs();
  } while (step > 0);
}

export function sleepUntil(clock: Clock, epochMs: number, signal: AbortSignal): Promise<void> {
  return sleepFor(clock, epochMs - clock.nowMs(), signal);
}
