/**
 * Output the memory window no longer holds is served from the spool (DESIGN §4 subscribe, §5):
 * a late subscriber gets every byte in seq order and one completion; past the spool cap it gets
 * the head, a `process.gap` naming what was dropped, and the tail.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { collectOutput, oneTo } from "./helpers/output-check.js";
import { eventually } from "./helpers/processes.js";
import { RpcSocket } from "./helpers/rpc-socket.js";
import { startTestServer, type TestServer } from "./helpers/test-server.js";

const KiB = 1024;
const MiB = 1024 * KiB;

describe("replay from the spool", () => {
  let server: TestServer;
  let socket: RpcSocket;
  const late: RpcSocket[] = [];

  beforeAll(async () => {
    // A 64 KiB window: nearly all replay has to come from the spool files.
    server = await startTestServer({
      maxBufferBytes: 64 * KiB,
      spoolCapBytes: 4 * MiB,
      spoolSegmentBytes: 256 * KiB,
    });
    socket = await RpcSocket.open(server.wsUrl, { token: server.token });
  });
  afterAll(async () => {
    for (const s of late) s.close();
    socket.close();
    await server.stop();
  });

  async function lateSubscriber(id: string, afterSeq: number): Promise<RpcSocket> {
    const subscriber = await RpcSocket.open(server.wsUrl, { token: server.token });
    late.push(subscriber);
    await subscriber.result("subscribe", { execution_id: id, after_seq: afterSeq });
    await subscriber.notification("process.completed", id);
    return subscriber;
  }

  it("replays a finished execution from seq 1, byte-exact, then one completion", async () => {
    const { id, completed } = await socket.run("seq 1 250000; seq 1 50000 >&2");
    const original = collectOutput(socket.messages, id);
    expect(original.stdout.length).toBeGreaterThan(MiB);

    const subscriber = await lateSubscriber(id, 0);
    const replayed = collectOutput(subscriber.messages, id);
    expect(replayed.seqs).toEqual(oneTo(Number(completed.last_seq)));
    expect(replayed.stdout.equals(original.stdout)).toBe(true);
    expect(replayed.stderr.equals(original.stderr)).toBe(true);
    expect(subscriber.all("process.gap", id)).toHaveLength(0);
    await subscriber.result("server.status");
    expect(subscriber.all("process.completed", id)).toHaveLength(1);
  });

  it("replays from the middle: exactly the chunks after after_seq", async () => {
    const { id, completed } = await socket.run("seq 1 200000");
    const lastSeq = Number(completed.last_seq);
    const afterSeq = Math.floor(lastSeq / 2);
    const subscriber = await lateSubscriber(id, afterSeq);
    const replayed = collectOutput(subscriber.messages, id);
    expect(replayed.seqs).toEqual(oneTo(lastSeq).slice(afterSeq));
    const original = socket.all("process.output", id).slice(afterSeq);
    expect(replayed.stdout.toString()).toBe(original.map((m) => m.params?.data).join(""));
  });

  it("past the spool cap: the head, a process.gap, then the tail, covering every seq", async () => {
    // ~12 MB of numbered lines against a 4 MiB cap.
    const { id, completed } = await socket.run("seq 1 1600000");
    const lastSeq = Number(completed.last_seq);
    const subscriber = await lateSubscriber(id, 0);
    const gaps = subscriber
      .all("process.gap", id)
      .map((m) => m.params as { from_seq: number; to_seq: number });
    expect(gaps).toHaveLength(1);
    const gap = gaps[0] as { from_seq: number; to_seq: number };
    const seqs = collectOutput(subscriber.messages, id).seqs;
    expect([...seqs, ...oneTo(gap.to_seq).slice(gap.from_seq - 1)].sort((a, b) => a - b)).toEqual(
      oneTo(lastSeq),
    );
    expect(seqs[0]).toBe(1);
    expect(seqs.at(-1)).toBe(lastSeq);
    // The head kept is about half the cap, the tail about the rest.
    const kept = collectOutput(subscriber.messages, id).stdout.length;
    expect(kept).toBeGreaterThan(MiB);
    expect(kept).toBeLessThanOrEqual(4 * MiB);
    // Each kept chunk is the one originally sent under that seq.
    const sent = new Map(
      socket.all("process.output", id).map((m) => [m.params?.seq, m.params?.data]),
    );
    for (const m of subscriber.all("process.output", id))
      expect(m.params?.data).toBe(sent.get(m.params?.seq));
  });
});

describe("an ended execution keeps no output in memory", () => {
  let server: TestServer;
  let socket: RpcSocket;

  beforeAll(async () => {
    server = await startTestServer();
    socket = await RpcSocket.open(server.wsUrl, { token: server.token });
  });
  afterAll(async () => {
    socket.close();
    await server.stop();
  });

  it("drops the memory window once the spool holds everything; replay still works", async () => {
    const { id } = await socket.run("seq 1 100000");
    const execution = server.context.engine.get(id);
    await execution?.spool?.flushed();
    expect(await eventually(() => execution?.output.window.size === 0)).toBe(true);
    const subscriber = await RpcSocket.open(server.wsUrl, { token: server.token });
    try {
      await subscriber.result("subscribe", { execution_id: id, after_seq: 0 });
      await subscriber.notification("process.completed", id);
      expect(
        collectOutput(subscriber.messages, id).stdout.equals(
          collectOutput(socket.messages, id).stdout,
        ),
      ).toBe(true);
    } finally {
      subscriber.close();
    }
  });
});
