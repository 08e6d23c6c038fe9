/**
 * A client that stops reading never blocks the child nor grows the server's memory without
 * bound; when it reads again it catches up from the spool with every byte, in order, and one
 * process.completed (DESIGN §5). The server runs as a subprocess so its RSS can be measured.
 */
import { execFileSync } from "node:child_process";
import { createHash, randomUUID } from "node:crypto";
import type { Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { RpcSocket } from "./helpers/rpc-socket.js";
import { type ServerProcess, startServerProcess } from "./helpers/server-process.js";

const MiB = 1024 * 1024;
const TOTAL_BYTES = 300 * MiB;
/**
 * How far the server's RSS may rise while it streams 300 MiB to a stalled client: the 8 MiB
 * output window, the spool's 1 MiB backlog, socket buffers and V8's working room (measured
 * ~28 MiB). Keeping even a tenth of the stream would cross it.
 */
const RSS_GROWTH_LIMIT_BYTES = 64 * MiB;
const LINE = "the quick brown fox jumps over the lazy dog 0123456789";
const COMMAND = `yes '${LINE}' | head -c ${TOTAL_BYTES}`;

/** A raw client that checks and hashes output as it arrives instead of keeping it. */
class StreamingReader {
  readonly hash = createHash("sha256");
  bytes = 0;
  nextSeq = 1;
  largestDataBytes = 0;
  outOfOrder: string[] = [];
  completions: Array<Record<string, unknown>> = [];
  afterCompletion = 0;
  private waiters: Array<{ test: () => boolean; resolve: () => void }> = [];

  constructor(
    readonly ws: WebSocket,
    private readonly executionId: string,
  ) {
    ws.on("message", (raw) => this.receive(JSON.parse(raw.toString())));
  }

  get socket(): Socket {
    return (this.ws as unknown as { _socket: Socket })._socket;
  }

  until(test: () => boolean): Promise<void> {
    if (test()) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ test, resolve }));
  }

  private receive(message: { method?: string; params?: Record<string, unknown> }): void {
    const params = message.params;
    if (params?.execution_id === this.executionId) {
      if (message.method === "process.output") {
        if (this.completions.length > 0) this.afterCompletion++;
        if (params.seq !== this.nextSeq) this.outOfOrder.push(`${params.seq} for ${this.nextSeq}`);
        this.nextSeq = Number(params.seq) + 1;
        const data = Buffer.from(String(params.data), "utf8");
        this.largestDataBytes = Math.max(this.largestDataBytes, data.length);
        this.hash.update(data);
        this.bytes += data.length;
      } else if (message.method === "process.completed") {
        this.completions.push(params);
      }
    }
    for (const waiter of this.waiters.filter((w) => w.test())) {
      this.waiters.splice(this.waiters.indexOf(waiter), 1);
      waiter.resolve();
    }
  }
}

type Listed = { execution_id: string; status: string; stdout_bytes: number };

/** Polls `executions.list` from another client until the execution has left `running`. */
async function endedServerSide(observer: RpcSocket, id: string): Promise<Listed | null> {
  const deadline = Date.now() + 240_000;
  while (Date.now() < deadline) {
    const { executions } = await observer.result<{ executions: Listed[] }>("executions.list");
    const mine = executions.find((e) => e.execution_id === id);
    if (mine && mine.status !== "running") return mine;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return null;
}

describe("slow client", () => {
  let server: ServerProcess;
  let observer: RpcSocket;
  let reader: StreamingReader;

  beforeAll(async () => {
    // Heartbeats would (rightly) drop a peer that answers no ping for two intervals; this test
    // is about a client that reads slowly, not a dead one.
    server = await startServerProcess({ WEBSOCKET_HEARTBEAT_INTERVAL: "600" });
    observer = await RpcSocket.open(server.wsUrl, { token: server.token });
  });
  afterAll(async () => {
    reader?.ws.terminate();
    observer?.close();
    await server?.cleanup();
  });

  it("does not block the child, bounds server memory, then delivers every byte", async () => {
    const expectedSha = execFileSync("sh", ["-c", `${COMMAND} | sha256sum`], {
      encoding: "utf8",
    }).split(" ")[0];
    const id = `slow-${randomUUID()}`;
    const ws = new WebSocket(server.wsUrl, {
      headers: { authorization: `Bearer ${server.token}` },
      perMessageDeflate: false,
    });
    reader = new StreamingReader(ws, id);
    await new Promise((resolve, reject) => ws.once("open", resolve).once("error", reject));

    const baselineRss = server.rssBytes();
    let peakRss = baselineRss;
    const sampler = setInterval(() => {
      peakRss = Math.max(peakRss, server.rssBytes());
    }, 100);
    try {
      ws.send(
        JSON.stringify({
          jsonrpc: "2.0",
          id: 1,
          method: "execute",
          params: { command: COMMAND, execution_id: id },
        }),
      );
      // Stop reading as soon as the reply is in: the server keeps sending into a full socket.
      await new Promise<void>((resolve) =>
        ws.on("message", (raw) => {
          if (JSON.parse(raw.toString()).id === 1) {
            reader.socket.pause();
            resolve();
          }
        }),
      );

      // The child finishes while this client reads nothing: the server recorded it as completed.
      const finished = await endedServerSide(observer, id);
      expect(finished).toMatchObject({ status: "completed", stdout_bytes: TOTAL_BYTES });
      // It really was stalled: only what fits in socket buffers had reached it.
      expect(reader.bytes).toBeLessThan(TOTAL_BYTES / 4);
      expect(reader.completions).toHaveLength(0);

      reader.socket.resume();
      await reader.until(() => reader.completions.length > 0);
    } finally {
      clearInterval(sampler);
    }
    expect(peakRss - baselineRss).toBeLessThan(RSS_GROWTH_LIMIT_BYTES);

    expect(reader.outOfOrder).toEqual([]);
    expect(reader.bytes).toBe(TOTAL_BYTES);
    expect(reader.hash.digest("hex")).toBe(expectedSha);
    expect(reader.largestDataBytes).toBeLessThanOrEqual(64 * 1024);
    expect(reader.completions[0]).toMatchObject({
      status: "completed",
      last_seq: reader.nextSeq - 1,
    });
    // Exactly one completion, and nothing after it: a later round trip changes nothing.
    ws.send(JSON.stringify({ jsonrpc: "2.0", id: 2, method: "server.status" }));
    await new Promise<void>((resolve) =>
      ws.on("message", (raw) => JSON.parse(raw.toString()).id === 2 && resolve()),
    );
    expect(reader.completions).toHaveLength(1);
    expect(reader.afterCompletion).toBe(0);
  }, 300_000);
});
