/** `executions.subscribe` / `executions.unsubscribe`: every execution's changes (executions-feed.ts). */
import { defineMethod } from "../method-table.js";

export const executionsSubscribe = defineMethod("executions.subscribe", (_params, call) => {
  // After the reply: the caller reads `executions.list` once it is subscribed, and misses nothing.
  call.afterReply(() => call.server.executionsFeed.add(call.connection));
  return { subscribed: true };
});

export const executionsUnsubscribe = defineMethod("executions.unsubscribe", (_params, call) => {
  call.server.executionsFeed.delete(call.connection);
  return { subscribed: false };
});
