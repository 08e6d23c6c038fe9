/** `executions.subscribe` / `executions.unsubscribe`: every execution's changes (executions-feed.ts). */
import { defineMethod } from "../method-table.js";

export const executionsSubscribe = defineMethod("executions.subscribe", (_params, call) => {
  // After the reply: the caller reads `executions.list` once it is subscribed, and misses nothing.
  // A connection that closed meanwhile is not added: its close has already left the feed.
  call.afterReply(() => {
    if (call.server.connections.has(call.connection))
      call.server.executionsFeed.add(call.connection);
  });
  return { subscribed: true };
});

export const executionsUnsubscribe = defineMethod("executions.unsubscribe", (_params, call) => {
  call.server.executionsFeed.delete(call.connection);
  return { subscribed: false };
});
