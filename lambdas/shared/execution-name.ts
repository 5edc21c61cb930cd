/**
 * One execution per call: the execution name is derived from the SMA TransactionId, so a duplicate start
 * (an SMA retry, the CLI and the Lambda both starting) hits Step Functions' name idempotency instead of
 * making a second recording workflow. Names are 1-80 characters of [0-9A-Za-z_-].
 */
export function executionNameFor(transactionId: string): string {
  const cleaned = transactionId.replace(/[^0-9A-Za-z_-]/g, '-');
  if (cleaned.length === 0) throw new Error('transactionId is empty: cannot name an execution');
  return cleaned.slice(0, 80);
}
