/**
 * `executions.subscribe` (docs/protocol.md): a connection hears about every execution of the
 * server — one another connection started — as `executions.changed`: created, started, paused,
 * resumed, ended, in order, each with the execution as `executions.list` shows it; no output;
 * nothing after `executions.unsubscribe`. Real server, real processes.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { type Message, RpcSocket } from "./helpers/rpc-socket.js";
import { startTestServer, type TestServer } from "./helpers/test-server.js";

let server: TestServer;
let watcher: RpcSocket;
let starter: RpcSocket;

beforeAll(async () => {
  server = await startTestServer();
  watcher = await RpcSocket.open(server.wsUrl, { token: server.token });
  starter = await RpcSocket.open(server.wsUrl, { token: server.token });
});
afterAll(async () => {
  watcher?.close();
  starter?.close();
  await server?.stop();
});

type Change = { change: string; execution: { execution_id: string; status: string } };

const changesOf = (id: string): Change[] =>
  watcher.messages
    .filter((m) => m.method === "executions.changed")
    .map((m) => m.params as unknown as Change)
    .filter((p) => p.execution.execution_id === id);

const changeSeen = (id: string, change: string): Promise<Message> =>
  watcher.waitFor(
    (m) =>
      m.method === "executions.changed" &&
      (m.params as unknown as Change).execution.execution_id === id &&
      (m.params as unknown as Change).change === change,
  );

it("tells a subscriber about another connection's execution, change by change", async () => {
  expect(await watcher.result("executions.subscribe", {})).toEqual({ subscribed: true });
  const id = "feed-sleep";
  await starter.result("execute", { command: "echo hi; sleep 30", execution_id: id });
  await changeSeen(id, "started");
  await starter.result("control", { type: "PAUSE", execution_id: id });
  await changeSeen(id, "paused");
  await starter.result("control", { type: "RESUME", execution_id: id });
  await changeSeen(id, "resumed");
  await starter.result("control", { type: "CANCEL", execution_id: id });
  await changeSeen(id, "ended");
  expect(changesOf(id).map((c) => [c.change, c.execution.status])).toEqual([
    ["created", expect.stringMatching(/queued|running/)],
    ["started", "running"],
    ["paused", "paused"],
    ["resumed", "running"],
    ["ended", "canceled"],
  ]);
  // The feed carries no output: that is `subscribe`, per execution.
  expect(watcher.messages.some((m) => m.method?.startsWith("process."))).toBe(false);
});

it("says nothing more after executions.unsubscribe", async () => {
  expect(await watcher.result("executions.unsubscribe", {})).toEqual({ subscribed: false });
  await starter.result("execute", { command: "true", execution_id: "feed-after" });
  await starter.waitFor(
    (m) => m.method === "process.completed" && m.params?.execution_id === "feed-after",
  );
  // A round trip on the watcher's socket: anything sent to it before now has arrived.
  await watcher.result("executions.list", {});
  expect(changesOf("feed-after")).toEqual([]);
});

it("a subscriber that disconnects leaves the feed at once, not at the next change", async () => {
  const before = server.context.executionsFeed.subscriberCount;
  const passer = await RpcSocket.open(server.wsUrl, { token: server.token });
  await passer.result("executions.subscribe", {});
  // A round trip after the reply: the subscription (made after the reply) is in place.
  await passer.result("executions.list", {});
  expect(server.context.executionsFeed.subscriberCount).toBe(before + 1);
  passer.close();
  await expect.poll(() => server.context.executionsFeed.subscriberCount).toBe(before);
});
