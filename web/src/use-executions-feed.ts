/**
 * Every execution's changes, pushed: `executions.subscribe` makes the server send
 * `executions.changed` when any execution is created, starts, pauses, resumes or ends
 * (docs/protocol.md). Subscribed again after a reconnect (a new connection starts without it),
 * unsubscribed when the view goes. `onChange` runs at most once per `coalesceMs`: a burst of
 * changes (a task list's steps, a batch) costs one re-read of the list.
 */
import { useEffect, useRef } from "preact/hooks";
import type { CcExecutorClient } from "./connection.js";

export function useExecutionsFeed(
  client: CcExecutorClient,
  onChange: () => void,
  coalesceMs = 200,
): void {
  const callback = useRef(onChange);
  callback.current = onChange;
  useEffect(() => {
    let timer = 0;
    let closed = false;
    const changed = () => {
      if (timer) return;
      timer = window.setTimeout(() => {
        timer = 0;
        if (!closed) callback.current();
      }, coalesceMs);
    };
    // Changes are sent from the reply on: one more read after it covers a change that came
    // between the view's first read and the subscription (or while the connection was down).
    const subscribe = () => void client.request("executions.subscribe", {}).then(changed, () => {});
    const stopListening = client.rpc.on("executions.changed", changed);
    const stopReconnect = client.rpc.onReconnect(subscribe);
    subscribe();
    return () => {
      closed = true;
      clearTimeout(timer);
      stopListening();
      stopReconnect();
      void client.request("executions.unsubscribe", {}).catch(() => {});
    };
  }, [client, coalesceMs]);
}
