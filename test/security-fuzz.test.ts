/**
 * The fuzz test of issue 15 (DESIGN §11): 10,000 malformed frames and batches of every shape
 * (test/helpers/fuzz-frames.ts, seeded, so a failure replays), pipelined over 25 connections at
 * once to a server process. Afterwards the server answers a normal `execute`, no reply was an
 * internal error, every connection got its answers in order, and its RSS is within 2× of the start.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ErrorCode } from "../src/protocol/errors.js";
import { type FuzzFrame, fuzzFrames } from "./helpers/fuzz-frames.js";
import { type Message, RpcSocket } from "./helpers/rpc-socket.js";
import { type ServerProcess, startServerProcess } from "./helpers/server-process.js";

const SEED = 15_2026;
const FRAMES = 10_000;
const CONNECTIONS = 25;
let server: ServerProcess;

beforeAll(async () => {
  // With the V8 flag bin/cc-executor.mjs gives the server when run as a program (a young
  // generation of 2 MiB semi-spaces); this helper starts it with `node`, which would not.
  server = await startServerProcess({ NODE_OPTIONS: "--max-semi-space-size=2" });
}, 30_000);
afterAll(async () => {
  await server?.cleanup();
});

async function open(): Promise<RpcSocket> {
  const socket = await RpcSocket.open(server.wsUrl, { token: server.token });
  await socket.notification("connected");
  return socket;
}

/** Sends `frames` on one connection (a new one after each frame that closes it); returns every reply. */
async function pipeline(frames: FuzzFrame[], worker: number): Promise<Message[]> {
  const received: Message[] = [];
  let socket = await open();
  let marker = 0;
  /** A request after everything sent so far: requests are answered in order, so its reply comes last. */
  const settle = async () => {
    const id = `end-${worker}-${marker++}`;
    socket.sendRaw(JSON.stringify({ jsonrpc: "2.0", id, method: "server.status" }));
    await Promise.race([
      socket.waitFor((m) => m.id === id),
      socket.whenClosed().then((code) => {
        throw new Error(`connection ${worker} closed (${code}) before ${id} was answered`);
      }),
    ]);
  };
  for (const frame of frames) {
    if (frame.closes !== undefined) {
      await settle();
      socket.ws.send(frame.data, { binary: false });
      expect(await socket.whenClosed()).toBe(frame.closes);
      received.push(...socket.messages);
      socket = await open();
      continue;
    }
    socket.ws.send(frame.data, { binary: frame.binary === true });
  }
  await settle();
  received.push(...socket.messages);
  socket.close();
  return received;
}

describe("fuzz", () => {
  it(`${FRAMES} malformed frames and batches over ${CONNECTIONS} connections leave the server serving, at its memory`, async () => {
    const frames = fuzzFrames(SEED, FRAMES);
    // Memory at the start: the server with one connection served, as at the end.
    const warmup = await open();
    await warmup.result("server.status");
    warmup.close();
    const startRss = server.rssBytes();

    const shares = Array.from({ length: CONNECTIONS }, (_, k) =>
      frames.filter((_frame, i) => i % CONNECTIONS === k),
    );
    const replies = (await Promise.all(shares.map((share, k) => pipeline(share, k)))).flat();

    expect(server.child.exitCode).toBeNull();
    const answered = replies.filter((m) => "error" in m || "result" in m);
    expect(answered.length).toBeGreaterThan(FRAMES / 2);
    const internal = answered.filter((m) => m.error?.code === ErrorCode.InternalError);
    expect(
      internal,
      `${JSON.stringify(internal.slice(0, 3))}\n${server.stderr().slice(-3000)}`,
    ).toHaveLength(0);
    // Nothing the fuzz sent could start a process.
    expect(replies.filter((m) => m.method === "process.started")).toHaveLength(0);

    const socket = await open();
    try {
      const { id, completed } = await socket.run("echo still serving");
      expect(completed).toMatchObject({ status: "completed", exit_code: 0 });
      expect(socket.output(id)).toBe("still serving\n");
    } finally {
      socket.close();
    }
    const endRss = server.rssBytes();
    expect(endRss, `RSS ${startRss} → ${endRss}`).toBeLessThan(2 * startRss);
  }, 60_000);
});
