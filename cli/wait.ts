/** Polling until something is there: an execution closed (start --wait, redrive --wait), a control decided. */
import type { SFNClient } from '@aws-sdk/client-sfn';
import { CliError } from './errors';
import { describeCall, type ExecutionSummary } from './execution-summary';

/**
 * Runs `check` until it returns a value, with short first pauses (most twin answers come in well under a second)
 * doubling up to `maxPauseMs`, which keeps a long AWS wait far below the APIs' throttling limits. Past
 * `timeoutSeconds` it throws what `timedOut` makes.
 */
export async function pollUntil<T>(
  timeoutSeconds: number,
  maxPauseMs: number,
  check: () => Promise<T | undefined>,
  timedOut: () => Error,
): Promise<T> {
  const deadline = Date.now() + timeoutSeconds * 1000;
  let pause = 200;
  for (;;) {
    const found = await check();
    if (found !== undefined) return found;
    if (Date.now() + pause > deadline) throw timedOut();
    await new Promise((r) => setTimeout(r, pause));
    pause = Math.min(maxPauseMs, pause * 2);
  }
}

export async function waitForClose(sfn: SFNClient, executionArn: string, timeoutSeconds: number): Promise<ExecutionSummary> {
  let status = 'RUNNING';
  return pollUntil(
    timeoutSeconds,
    5000,
    async () => {
      const s = await describeCall(sfn, executionArn, { history: false });
      status = s.status;
      return s.status !== 'RUNNING' && s.status !== 'PENDING_REDRIVE' ? describeCall(sfn, executionArn) : undefined;
    },
    () => new CliError(`still ${status} after ${timeoutSeconds} s: ${executionArn} (follow it with \`status\`)`),
  );
}
