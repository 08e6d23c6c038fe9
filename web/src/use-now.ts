/** The current time, re-rendered every `intervalMs` (null: not ticking), for counters in the page. */
import { useEffect, useState } from "preact/hooks";

export function useNow(intervalMs: number | null): number {
  const [nowMs, setNowMs] = useState(() => Date.now());
  useEffect(() => {
    if (intervalMs === null) return;
    const timer = window.setInterval(() => setNowMs(Date.now()), intervalMs);
    return () => clearInterval(timer);
  }, [intervalMs]);
  return nowMs;
}
