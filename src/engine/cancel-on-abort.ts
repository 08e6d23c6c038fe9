/** A caller's AbortSignal cancels the execution it started (both engines, DESIGN §10). */
import type { ExecutionHandle } from "./execution-handle.js";

export function cancelOnAbort(execution: ExecutionHandle, signal: AbortSignal): void {
  if (signal.aborted) {
    execution.cancel();
    return;
  }
  const cancel = () => execution.cancel();
  signal.addEventListener("abort", cancel, { once: true });
  void execution.done.then(() => signal.removeEventListener("abort", cancel));
}
