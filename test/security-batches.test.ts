/**
 * One authenticated frame must not sink the server (issue 15, item 1; DESIGN §11). A batch of
 * 600 `history.get` with `max_output_bytes: 16 MiB` for a 16 MiB execution (one 66 KB frame)
 * grew a server to 4.3 GB until V8 gave up; a 1 MiB batch of 524k `1`s stalled `/healthz` for
 * seconds. A batch has at most 100 items, its replies count against the client's backlog as
 * they are made (past it, the rest are refused, not built), and the server yields between
 * items. The server runs as its own process, with a V8 heap limit, so the old behaviour fails
 * fast (it dies) instead of taking gigabytes of the machine.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ErrorCode } from "../src/protocol/errors.js";
import { MAX_BATCH_ITEMS } from "../src/server/rpc-dispatch.js";
import { type Message, RpcSocket } from "./helpers/rpc-socket.js";
import { type ServerProcess, startServerProcess } from "./helpers/server-process.js";

const MiB = 1024 * 1024;
let server: ServerProcess;
let executionId: string;

beforeAll(async () => {
  server = await startServerProcess({ NODE_OPTIONS: "--max-old-space-size=768" });
  const socket = await open();
  try {
    const { id, completed } = await socket.run(`head -c ${16 * MiB} /dev/zero | tr '\\0' a`);
    expect(completed.status).toBe("completed");
    executionId = id;
  } finally {
    socket.close();
  }
}, 60_000);
afterAll(async () => {
  await server?.cleanup();
});

async function open(): Promise<RpcSocket> {
  const socket = await RpcSocket.open(server.wsUrl, { token: server.token });
  await socket.notification("connected");
  return socket;
}

/** The server answers a plain `execute` (it is alive and serving). */
async function expectServing(): Promise<void> {
  const socket = await open();
  try {
    const { id, completed } = await socket.run("echo alive");
    expect(completed.status).toBe("completed");
    expect(socket.output(id)).toBe("alive\n");
  } finally {
    socket.close();
  }
}

/** Resolves with the first message matching `test`, or rejects when the server process ends. */
function replyOrDeath(socket: RpcSocket, test: (m: Message) => boolean): Promise<Message> {
  return Promise.race([
    socket.waitFor(test),
    server.exited.then(({ code, signal }) => {
      throw new Error(
        `the server died (${code ?? signal}): ${server.stderr().split("\n").slice(-5).join("\n")}`,
      );
    }),
  ]);
}

function historyGetBatch(count: number): string {
  return JSON.stringify(
    Array.from({ length: count }, (_, i) => ({
      jsonrpc: "2.0",
      id: i + 1,
      method: "history.get",
      params: { execution_id: executionId, max_output_bytes: 16 * MiB },
    })),
  );
}

describe("batches", () => {
  it(`a batch of more than ${MAX_BATCH_ITEMS} items is one -32600 naming the limit; none of it runs`, async () => {
    const socket = await open();
    try {
      const frame = historyGetBatch(600);
      expect(frame.length).toBeLessThan(100_000);
      socket.sendRaw(frame);
      const reply = await replyOrDeath(socket, (m) => "error" in m || Array.isArray(m.result));
      expect(reply.id).toBeNull();
      expect(reply.error?.code).toBe(ErrorCode.InvalidRequest);
      expect(reply.error?.message).toContain(String(MAX_BATCH_ITEMS));
      expect(socket.messages.filter((m) => m.id !== undefined && m.id !== null)).toHaveLength(0);
    } finally {
      socket.close();
    }
    await expectServing();
  });

  it("a full batch of 16 MiB history.get stays within the client's backlog: the rest is refused, the server survives", async () => {
    const startRss = server.rssBytes();
    let peakRss = startRss;
    const sampler = setInterval(() => {
      if (server.child.exitCode === null) peakRss = Math.max(peakRss, server.rssBytes());
    }, 20);
    const socket = await open();
    try {
      socket.sendRaw(historyGetBatch(MAX_BATCH_ITEMS));
      await replyOrDeath(socket, (m) => m.id === MAX_BATCH_ITEMS);
      const replies = socket.messages.filter((m) => typeof m.id === "number");
      expect(replies.map((m) => m.id)).toEqual(
        Array.from({ length: MAX_BATCH_ITEMS }, (_, i) => i + 1),
      );
      const answered = replies.filter((m) => m.result !== undefined);
      const refused = replies.filter((m) => m.error !== undefined);
      // The client's backlog limit is 64 MiB: a few 16 MiB replies fit, the rest are refused.
      // The client's backlog limit is 64 MiB: the replies that fit in it are sent, no more.
      expect(answered.length).toBeGreaterThanOrEqual(1);
      const answeredChars = answered.reduce((sum, m) => sum + JSON.stringify(m).length, 0);
      expect(answeredChars).toBeLessThanOrEqual(64 * MiB);
      expect(answeredChars + JSON.stringify(answered[0]).length).toBeGreaterThan(64 * MiB);
      for (const reply of answered) {
        const { output } = reply.result as {
          output: { head: string; tail: string; omitted_bytes: number };
        };
        expect(output.head.length + output.tail.length + output.omitted_bytes).toBe(16 * MiB);
      }
      expect(refused.length).toBe(MAX_BATCH_ITEMS - answered.length);
      for (const reply of refused) {
        expect(reply.error?.code).toBe(ErrorCode.LimitReached);
        expect(reply.error?.message).toMatch(/backlog/);
      }
      expect(socket.closeCode).toBeNull();
    } finally {
      clearInterval(sampler);
      socket.close();
    }
    // Generous: the replies that fit, each held a few times over while it is built and sent.
    expect(peakRss - startRss).toBeLessThan(500 * MiB);
    await expectServing();
  }, 60_000);

  it("a 1 MiB batch of 1s is refused at once and /healthz stays served", async () => {
    const socket = await open();
    try {
      // As many `1`s as fit in the largest frame the server takes (1 MiB).
      const items = Math.floor((MiB - 2) / 2);
      const frame = `[${Array.from({ length: items }, () => "1").join(",")}]`;
      expect(frame.length).toBeLessThanOrEqual(MiB);
      const healthUrl = `http://127.0.0.1:${server.port}/healthz`;
      socket.sendRaw(frame);
      const answered = replyOrDeath(socket, (m) => m.id === null);
      let done = false;
      void answered.finally(() => {
        done = true;
      });
      const latenciesMs: number[] = [];
      // /healthz, asked again and again until the batch has been answered (and once after).
      do {
        const started = performance.now();
        const response = await fetch(healthUrl);
        expect(response.status).toBe(200);
        latenciesMs.push(performance.now() - started);
      } while (!done);
      // Generous: the old server answered nothing for seconds.
      expect(Math.max(...latenciesMs)).toBeLessThan(1000);
      const reply = await answered;
      expect(reply.error?.code).toBe(ErrorCode.InvalidRequest);
      expect(reply.error?.message).toContain(String(MAX_BATCH_ITEMS));
    } finally {
      socket.close();
    }
    await expectServing();
  }, 30_000);
});
