/** Polling DescribeExecution until an execution closes (start --wait, redrive --wait). */
import type { SFNClient } from '@aws-sdk/client-sfn';
import { CliError } from './errors';
import { describeCall, type ExecutionSummary } from './execution-summary';

export async function waitForClose(sfn: SFNClient, executionArn: string, timeoutSeconds: number): Promise<ExecutionSummary> {
  const deadline = Date.now() + timeoutSeconds * 1000;
  // Short first polls (most twin executions close in well under a second), then back off to 5 s, which keeps
  // a long AWS wait far below DescribeExecution's throttling limits.
  let pause = 200;
  for (;;) {
    const s = await describeCall(sfn, executionArn, { history: false });
    if (s.status !== 'RUNNING' && s.status !== 'PENDING_REDRIVE') return describeCall(sfn, executionArn);
    if (Date.now() + pause > deadline)
      throw new CliError(`still ${s.status} after ${timeoutSeconds} s: ${executionArn} (follow it with \`status\`)`);
    await new Promise((r) => setTimeout(r, pause));
    pause = Math.min(5000, pause * 2);
  }
}
