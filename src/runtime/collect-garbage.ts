/**
 * A full garbage collection soon after large buffers were let go (an execution's 8 MiB output
 * window, the slabs of a burst of output frames).
 *
 * Buffer memory is freed only when V8 collects the Buffer objects, and V8 runs a full collection
 * when its heap grows, not because megabytes of buffers became garbage: after a large stream the
 * server kept ~20 MB it no longer used until the next busy period, and every fork() copies the
 * page tables of that memory (docs/benchmarks.md, "Spawn cost after a large stream"). The
 * collection waits until the burst is over and runs at most once per MIN_INTERVAL_MS; a full
 * collection of the server's heap takes ~10–30 ms.
 */
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

const QUIET_MS = 2000;
const MIN_INTERVAL_MS = 10_000;

let collect: (() => void) | null | undefined;
let timer: NodeJS.Timeout | null = null;
let lastRunMs = Number.NEGATIVE_INFINITY;

/**
 * V8's `gc()`, without starting node with --expose-gc: the flag is honoured by contexts made
 * after it is set, then unset again so no other context sees `gc` (as jest does for its heap
 * checks). null where it cannot be had.
 */
function collector(): (() => void) | null {
  if (collect !== undefined) return collect;
  const exposed = typeof (globalThis as { gc?: unknown }).gc === "function";
  try {
    if (!exposed) setFlagsFromString("--expose-gc");
    collect = runInNewContext("gc") as () => void;
  } catch {
    collect = null;
  } finally {
    if (!exposed) setFlagsFromString("--no-expose-gc");
  }
  return collect;
}

/** Asks for a full collection once things are quiet; further asks until then are the same one. */
export function collectGarbageSoon(): void {
  if (timer) return;
  const delayMs = Math.max(QUIET_MS, lastRunMs + MIN_INTERVAL_MS - Date.now());
  timer = setTimeout(() => {
    timer = null;
    lastRunMs = Date.now();
    collector()?.();
  }, delayMs).unref();
}
