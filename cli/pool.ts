/**
 * Bounded concurrency: `width` workers take items in order. Step Functions throttles DescribeExecution per
 * account (a token bucket shared with every other caller), so an audit of thousands of calls must not fire
 * them all at once; a handful in flight is fast and stays well inside the bucket.
 */
export async function mapPool<T, R>(
  items: readonly T[],
  width: number,
  fn: (item: T, index: number) => Promise<R>,
  onDone?: (done: number) => void,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i], i);
      onDone?.(++done);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(width, items.length)) }, worker));
  return results;
}
