/**
 * What a large stream made the server allocate comes back once it has ended (issue 15, item 12):
 * fork() copies the page tables of the server's memory, so memory kept after a stream makes every
 * later spawn slower (docs/benchmarks.md, "Spawn cost after a large stream"). A real server
 * process streams 32 MiB to a client; its anonymous memory must return near where it started.
 */
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { RpcSocket } from "./helpers/rpc-socket.js";
import { type ServerProcess, startServerProcess } from "./helpers/server-process.js";

const MiB = 1024 * 1024;
let server: ServerProcess;

beforeAll(async () => {
  // Through the bin, as users start it: with its node flags and malloc setting.
  server = await startServerProcess({}, { launcher: true });
});
afterAll(async () => {
  await server?.cleanup();
});

/** Anonymous memory of the server (what fork copies page tables of), in bytes. */
function anonymousBytes(): number {
  const rollup = readFileSync(`/proc/${server.pid}/smaps_rollup`, "utf8");
  return Number(/^Anonymous:\s+(\d+) kB/m.exec(rollup)?.[1] ?? 0) * 1024;
}

describe("after a large stream", () => {
  it("the server's memory comes back: no output window, slab or frame is kept", async () => {
    const socket = await RpcSocket.open(server.wsUrl, { token: server.token });
    await socket.notification("connected");
    try {
      // Warm up the paths a stream uses, so what they keep for good is counted before.
      await socket.call("execute", { command: "seq 1 20000" });
      await socket.waitFor((m) => m.method === "process.completed");
      const before = anonymousBytes();
      const reply = await socket.call("execute", {
        command: `yes 0123456789012345678901234567890123456789 | head -c ${32 * MiB}`,
      });
      const id = (reply.result as { execution_id: string }).execution_id;
      await socket.waitFor(
        (m) => m.method === "process.completed" && m.params?.execution_id === id,
      );
      // Right after the stream it is ~20 MB more than before. Before the fix, V8's next full
      // collection (whenever it came) left ~6 MB: the window ring and frame slabs nobody used.
      // Now a collection follows their release (runtime/collect-garbage.ts) and ~1 MB stays.
      await vi.waitFor(() => expect(anonymousBytes() - before).toBeLessThan(4 * MiB), {
        timeout: 30_000,
        interval: 500,
      });
    } finally {
      socket.close();
    }
  }, 45_000);
});
