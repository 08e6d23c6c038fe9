/**
 * Automatic re-attach after a dropped connection, against a real server that keeps running:
 * a TCP proxy between client and server destroys connections (or the server terminates its
 * side), and the SDK reconnects by itself and resumes from its last seq — every line exactly
 * once, in order. Also: a start request or its reply lost in flight, an abort while
 * disconnected, a refused token on reconnect, and a server gone for good.
 */
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Socket } from "node:net";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import {
  type CcExecutorClient,
  ConnectionLostError,
  connect,
  type ExecutionEvent,
  HandshakeRefusedError,
} from "../src/client/node.js";
import type { SettingsInput } from "../src/config/settings.js";
import { eventually } from "./helpers/processes.js";
import { TcpProxy } from "./helpers/tcp-proxy.js";
import { startTestServer, type TestServer, tempDir } from "./helpers/test-server.js";

const FAST_RECONNECT = { initialDelayMs: 50, maxDelayMs: 200, giveUpAfterMs: 20_000 };

interface Proxied {
  server: TestServer;
  proxy: TcpProxy;
  /** The WebSocket URL through the proxy. */
  url: string;
}

/** Collects a stream's events and lets a test wait for one matching a predicate. */
class EventLog {
  readonly events: ExecutionEvent[] = [];
  private waiters: Array<{ test: (e: ExecutionEvent) => boolean; resolve: () => void }> = [];
  readonly done: Promise<void>;

  constructor(stream: AsyncIterable<ExecutionEvent>) {
    this.done = (async () => {
      for await (const event of stream) {
        this.events.push(event);
        for (const waiter of [...this.waiters]) {
          if (!waiter.test(event)) continue;
          this.waiters.splice(this.waiters.indexOf(waiter), 1);
          waiter.resolve();
        }
      }
    })();
  }

  waitFor(test: (e: ExecutionEvent) => boolean): Promise<void> {
    if (this.events.some(test)) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ test, resolve }));
  }

  count(type: ExecutionEvent["type"]): number {
    return this.events.filter((e) => e.type === type).length;
  }
}

function numberedLines(from: number, to: number): string {
  let text = "";
  for (let i = from; i <= to; i++) text += `line-${i}\n`;
  return text;
}

/** A shell loop printing line-FROM..line-TO, a few ms apart so the output spans many chunks. */
function printLines(from: number, to: number): string {
  return `for i in $(seq ${from} ${to}); do echo line-$i; sleep 0.005; done`;
}

describe("client reconnect", () => {
  const cleanups: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function proxiedServer(overrides: Partial<SettingsInput> = {}): Promise<Proxied> {
    const proxy = await TcpProxy.start();
    cleanups.push(() => proxy.close());
    // The server's Host allow-list is exact; the proxy's address is one more allowed name.
    const server = await startTestServer({
      allowedHosts: [`127.0.0.1:${proxy.port}`],
      heartbeatIntervalMs: 60_000,
      ...overrides,
    });
    cleanups.push(() => server.stop());
    proxy.targetPort = server.port;
    return { server, proxy, url: `ws://127.0.0.1:${proxy.port}/ws/mcp` };
  }

  async function client(url: string, token: string | null, giveUpAfterMs = 20_000) {
    const own = await connect({ url, token, reconnect: { ...FAST_RECONNECT, giveUpAfterMs } });
    cleanups.push(() => own.close());
    return own;
  }

  function workDir(): string {
    const dir = tempDir("cce-reconnect-");
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    return dir;
  }

  it("drops mid-stream (proxy): reconnects by itself; every line exactly once, in order", async () => {
    const { server, proxy, url } = await proxiedServer();
    const sdk = await client(url, server.token);
    const dir = workDir();
    const release = join(dir, "release");
    const stream = sdk.stream(
      `${printLines(1, 100)}; while [ ! -e '${release}' ]; do sleep 0.01; done; ${printLines(101, 250)}`,
      { collectOutput: true },
    );
    const log = new EventLog(stream);

    // Drop 1: in the middle of a burst of output.
    await log.waitFor((e) => e.type === "output" && e.data.includes("line-10\n"));
    proxy.dropAll();
    await log.waitFor((e) => e.type === "reattached");
    await log.waitFor((e) => e.type === "output" && e.data.includes("line-100\n"));

    // Drop 2: stay disconnected while the command writes lines 101..250, then let it back.
    proxy.refuseNew = true;
    proxy.dropAll();
    writeFileSync(release, "");
    const execution = server.context.engine.get(stream.id);
    const allBytes = Buffer.byteLength(numberedLines(1, 250));
    expect(await eventually(() => (execution?.output.bytes.stdout ?? 0) >= allBytes, 30_000)).toBe(
      true,
    );
    proxy.refuseNew = false;

    const result = await stream.result;
    await log.done;
    expect(log.count("reattached")).toBe(2);
    // The second re-attach precedes the replay of what was written while disconnected.
    expect(log.events.findLastIndex((e) => e.type === "reattached")).toBeLessThan(
      log.events.findIndex((e) => e.type === "output" && e.data.includes("line-101\n")),
    );
    expect(proxy.accepted).toBe(3);
    expect(result).toMatchObject({ status: "completed", exitCode: 0, success: true });
    expect(result.stdout).toBe(numberedLines(1, 250));
    // Each seq counted once: duplicates (if any were re-sent) were dropped, none is missing.
    expect(result.outputs).toBe(result.completion.last_seq);
    const seqs = log.events.flatMap((e) => (e.type === "output" ? [e.seq] : []));
    expect(seqs).toEqual(seqs.map((_, i) => i + 1));
    expect(log.events.at(-1)?.type).toBe("completed");
    expect(log.count("completed")).toBe(1);
  });

  it("the server terminates its side mid-stream: same result, no gap, no duplicate", async () => {
    const server = await startTestServer({ heartbeatIntervalMs: 60_000 });
    cleanups.push(() => server.stop());
    const sdk = await client(server.wsUrl, server.token);
    const stream = sdk.stream(printLines(1, 200), { collectOutput: true });
    const log = new EventLog(stream);
    for (const marker of ["line-20\n", "line-90\n"]) {
      await log.waitFor((e) => e.type === "output" && e.data.includes(marker));
      const before = log.count("reattached");
      for (const connection of server.context.connections) connection.terminate();
      await log.waitFor((e) => e.type === "reattached" && log.count("reattached") > before);
    }
    const result = await stream.result;
    expect(log.count("reattached")).toBe(2);
    expect(result.stdout).toBe(numberedLines(1, 200));
    expect(result.outputs).toBe(result.completion.last_seq);
    expect(result.status).toBe("completed");
  });

  it("several executions in flight across a drop: each resumes on its own", async () => {
    const { server, proxy, url } = await proxiedServer();
    const sdk = await client(url, server.token);
    const streams = [1, 2, 3].map((n) =>
      sdk.stream(`${printLines(1, 120)}; echo stream-${n} >&2`, { collectOutput: true }),
    );
    const logs = streams.map((stream) => new EventLog(stream));
    await Promise.all(
      logs.map((log) => log.waitFor((e) => e.type === "output" && e.data.includes("line-15\n"))),
    );
    proxy.dropAll();
    const results = await Promise.all(streams.map((stream) => stream.result));
    results.forEach((result, i) => {
      expect(result.stdout).toBe(numberedLines(1, 120));
      expect(result.stderr).toBe(`stream-${i + 1}\n`);
      expect(result.outputs).toBe(result.completion.last_seq);
    });
    for (const log of logs) expect(log.count("reattached")).toBe(1);
  });

  it("the execute request is lost before reaching the server: sent again, runs once", async () => {
    const { server, proxy, url } = await proxiedServer();
    const sdk = await client(url, server.token);
    const dir = workDir();
    const ranLog = join(dir, "ran");
    const executionId = `lost-request-${Date.now()}`;
    const lost = proxy.loseNext("toServer");
    const pending = sdk.execute(`echo "$CC_EXECUTOR_EXECUTION_ID" >> '${ranLog}'; echo ran`, {
      executionId,
    });
    await lost;
    const result = await pending;
    expect(result).toMatchObject({ executionId, status: "completed", stdout: "ran\n" });
    expect(proxy.accepted).toBe(2);
    expect(readFileSync(ranLog, "utf8")).toBe(`${executionId}\n`);
  });

  it("the execute reply is lost on the way back: re-attaches from seq 0, runs once", async () => {
    const { server, proxy, url } = await proxiedServer();
    const sdk = await client(url, server.token);
    const dir = workDir();
    const ranLog = join(dir, "ran");
    const lost = proxy.loseNext("toClient");
    const stream = sdk.stream(
      `echo "$CC_EXECUTOR_EXECUTION_ID" >> '${ranLog}'; echo one; sleep 0.2; echo two`,
      { collectOutput: true },
    );
    const log = new EventLog(stream);
    await lost;
    const result = await stream.result;
    await log.done;
    expect(result).toMatchObject({ status: "completed", stdout: "one\ntwo\n" });
    expect(proxy.accepted).toBe(2);
    expect(readFileSync(ranLog, "utf8")).toBe(`${stream.id}\n`);
    // The start reply never arrived, yet `started` has the real pid from process.started.
    const started = await stream.started;
    expect(started.status).toBe("started");
    if (started.status === "started") expect(started.pid).toBeGreaterThan(1);
    expect(log.count("started")).toBe(1);
    expect(log.count("completed")).toBe(1);
  });

  it("an abort while disconnected still cancels once the client is back", async () => {
    const { server, proxy, url } = await proxiedServer();
    const sdk = await client(url, server.token);
    const controller = new AbortController();
    const stream = sdk.stream("echo up; sleep 30", { signal: controller.signal });
    const log = new EventLog(stream);
    await log.waitFor((e) => e.type === "output");
    proxy.refuseNew = true;
    proxy.dropAll();
    await eventually(() => !sdk.rpc.isOpen, 10_000);
    controller.abort();
    proxy.refuseNew = false;
    const result = await stream.result;
    expect(result.status).toBe("canceled");
    expect(result.durationMs).toBeLessThan(25_000);
  });

  it("a token the server now refuses: gives up at once with HandshakeRefusedError", async () => {
    const { server, proxy, url } = await proxiedServer();
    // A second server with its own home, hence its own token, behind the same proxy address.
    const other = await startTestServer({
      allowedHosts: [`127.0.0.1:${proxy.port}`],
      heartbeatIntervalMs: 60_000,
    });
    cleanups.push(() => other.stop());
    const sdk = await client(url, server.token, 60_000);
    const stream = sdk.stream("echo up; sleep 30");
    const log = new EventLog(stream);
    await log.waitFor((e) => e.type === "output");
    proxy.targetPort = other.port;
    const droppedAtMs = Date.now();
    proxy.dropAll();
    const error = await stream.result.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HandshakeRefusedError);
    expect((error as HandshakeRefusedError).status).toBe(401);
    // Far sooner than the 60 s give-up: a refusal is not retried.
    expect(Date.now() - droppedAtMs).toBeLessThan(15_000);
    server.context.engine.get(stream.id)?.cancel();
  });

  it("the server gone for good: the result rejects with ConnectionLostError after giveUpAfterMs", async () => {
    const { server, proxy, url } = await proxiedServer();
    const giveUpAfterMs = 1500;
    const sdk: CcExecutorClient = await client(url, server.token, giveUpAfterMs);
    const stream = sdk.stream("echo up; sleep 30");
    const log = new EventLog(stream);
    await log.waitFor((e) => e.type === "output");
    const goneAtMs = Date.now();
    await proxy.close();
    const error = await stream.result.catch((e: unknown) => e);
    const elapsedMs = Date.now() - goneAtMs;
    expect(error).toBeInstanceOf(ConnectionLostError);
    expect((error as Error).message).toContain(`${giveUpAfterMs} ms`);
    expect(elapsedMs).toBeGreaterThanOrEqual(giveUpAfterMs - 50);
    await log.done; // the iterator ends too
    // Later calls fail at once with the same error instead of hanging.
    await expect(sdk.execute("echo late")).rejects.toBe(error);
    // The execution itself outlived the connection (kill_on_disconnect is off by default).
    expect(server.context.engine.get(stream.id)?.status).toBe("running");
    server.context.engine.get(stream.id)?.cancel();
  });

  it("a peer that accepts TCP but never answers the handshake: connect fails after connectTimeoutMs", async () => {
    const sockets: Socket[] = [];
    const silent = createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    cleanups.push(async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    });
    const address = silent.address();
    const port = typeof address === "object" && address ? address.port : 0;
    const error = await connect({
      url: `ws://127.0.0.1:${port}/ws/mcp`,
      token: null,
      connectTimeoutMs: 500,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectionLostError);
    expect((error as Error).message).toMatch(/no WebSocket handshake within 500 ms/);
  });
});
