/**
 * `attach` takes only what its own `subscribe` sends. A connection that started an execution
 * (`execute`) is already subscribed to it; when the same connection attaches (the dashboard's
 * Start form, then its execution view), notifications of that first subscription can still be
 * on the wire ahead of the `subscribe` reply. The server replays from `after_seq` after its
 * reply, so the stream must drop what came before it: taking it moved `lastSeq` past output the
 * stream never saw (the replay then dropped that output as a repeat) and a `process.completed`
 * ended the stream first (an empty terminal for a finished command: the flaky colour test).
 *
 * The peer is a real WebSocket server scripted to send exactly that order, which a real server
 * produces only under load.
 */
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, expect, it } from "vitest";
import { WebSocketServer } from "ws";
import { type CcExecutorClient, connect, type ExecutionEvent } from "../src/client/node.js";

let peer: WebSocketServer;
let client: CcExecutorClient;

const output = (seq: number, data: string) => ({
  jsonrpc: "2.0",
  method: "process.output",
  params: { execution_id: "x1", seq, type: "stdout", data },
});
const completed = {
  jsonrpc: "2.0",
  method: "process.completed",
  params: { execution_id: "x1", status: "completed", exit_code: 0, duration_ms: 5 },
};

beforeAll(async () => {
  peer = new WebSocketServer({ port: 0, host: "127.0.0.1", handleProtocols: () => "cc-executor" });
  peer.on("connection", (ws) => {
    ws.send(JSON.stringify({ jsonrpc: "2.0", method: "connected", params: { session_id: "s1" } }));
    ws.on("message", (raw) => {
      const request = JSON.parse(String(raw)) as { id: number; method: string };
      if (request.method !== "subscribe") return;
      // The tail of the earlier (execute) subscription, still on the wire …
      ws.send(JSON.stringify(output(2, "second\n")));
      ws.send(JSON.stringify(completed));
      // … then the reply, then the replay from seq 0.
      ws.send(
        JSON.stringify({
          jsonrpc: "2.0",
          id: request.id,
          result: { execution_id: "x1", status: "completed", last_seq: 2, first_available_seq: 1 },
        }),
      );
      ws.send(JSON.stringify(output(1, "first\n")));
      ws.send(JSON.stringify(output(2, "second\n")));
      ws.send(JSON.stringify(completed));
    });
  });
  await new Promise((resolve) => peer.once("listening", resolve));
  const { port } = peer.address() as AddressInfo;
  client = await connect({ url: `ws://127.0.0.1:${port}/ws/mcp`, token: "t" });
});

afterAll(async () => {
  await client?.close();
  await new Promise((resolve) => peer.close(resolve));
});

it("an attach replays the whole output, ignoring the older subscription's tail", async () => {
  const events: ExecutionEvent[] = [];
  for await (const event of client.attach("x1")) events.push(event);
  const outputs = events.flatMap((e) => (e.type === "output" ? [e.data] : []));
  expect(outputs).toEqual(["first\n", "second\n"]);
  expect(events.filter((e) => e.type === "completed")).toHaveLength(1);
});
