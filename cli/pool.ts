/**
 * Bounded concurrency: `width` workers take items in order; results come back in the items' order. The one
 * pool of the CLI and the twin: Step Functions throttles DescribeExecution per account (a token bucket shared
 * with every other caller), so an audit of thousands of calls must not fire them all at once; the scenario
 * runner and the console bound their calls in flight the same way. `onDone` hears each item as it finishes.
 */
export async function mapPool<T, R>(
  items: readonly T[],
  width: number,
  fn: (item: T, index: number) => Promise<R>,
  onDone?: (done: number, result: R, index: number) => void,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i], i);
      onDone?.(++done, results[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(width, items.length)) }, worker));
  return results;
}
