/**
 * Polls a request while the view is shown. The protocol sends notifications only for the
 * executions a connection follows, so lists of everything are re-read (cheap, in-memory on the
 * server); a poll never overlaps the previous one.
 */
import { useEffect, useState } from "preact/hooks";

export function usePoll<T>(
  load: () => Promise<T>,
  intervalMs: number,
  deps: unknown[],
): { value: T | null; error: string | null; refresh: () => void } {
  const [value, setValue] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [tick, setTick] = useState(0);
  // The caller lists what `load` reads in `deps`.
  useEffect(() => {
    let stopped = false;
    let timer = 0;
    const run = async () => {
      try {
        const next = await load();
        if (!stopped) {
          setValue(next);
          setError(null);
        }
      } catch (failure) {
        if (!stopped) setError((failure as Error).message);
      }
      if (!stopped) timer = window.setTimeout(run, intervalMs);
    };
    void run();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [...deps, tick]);
  return { value, error, refresh: () => setTick((n) => n + 1) };
}
