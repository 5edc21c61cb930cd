/**
 * Virtual sleeps that never end early: a real-time clock's timer may fire a little before the clock reads the
 * target time (setTimeout works in whole wall milliseconds), so after each sleep the remaining time is re-read
 * and slept again: a Wait until a Timestamp resumes at or after it, as in AWS. The discrete-event clock fires
 * exactly on time, so there the loop runs once.
 */
import type { Clock, TimerTag } from '../clock';

export async function sleepFor(clock: Clock, ms: number, signal: AbortSignal, tag?: TimerTag): Promise<void> {
  const target = clock.nowMs() + Math.max(0, ms);
  let step = Math.max(0, ms);
  do {
    await clock.sleep(step, signal, tag);
    step = target - clock.nowMs();
  } while (step > 0);
}

export function sleepUntil(clock: Clock, epochMs: number, signal: AbortSignal, tag?: TimerTag): Promise<void> {
  return sleepFor(clock, epochMs - clock.nowMs(), signal, tag);
}
