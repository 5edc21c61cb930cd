/**
 * Repeats a refresh while `again` says so (calls still running), one at a time: a slow answer is never
 * overtaken by the next request. Stops when the view is left.
 */
export function poll(refresh: () => Promise<boolean>, intervalMs = 1500): () => void {
  let stopped = false;
  let timer: number | undefined;
  const tick = async () => {
    let again = true;
    try {
      again = await refresh();
    } catch {
      again = true; // the twin may be busy; try again
    }
    if (!stopped && again) timer = window.setTimeout(tick, intervalMs);
  };
  void tick();
  return () => {
    stopped = true;
    window.clearTimeout(timer);
  };
}
