// Hostile frames beside a stream (issue 15): how much a flood of malformed frames and full
// batches on other connections slows a client's output stream. Side by side on one server:
// rounds of the stream alone and of the stream while a flood runs, alternating; the verdict is
// median(with flood) / median(alone). The flood runs in its own process (bench/frame-flood-client.mjs)
// so its client-side work does not share the stream reader's event loop.
import { spawn } from "node:child_process";
import { once } from "node:events";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { measureCcExecutor, wholeLines } from "./throughput.mjs";
import { fmtMB, median, ROOT, startServerProcess } from "./util.mjs";

function startFlood(server, connections) {
  const child = spawn(
    process.execPath,
    [join(ROOT, "bench", "frame-flood-client.mjs"), server.wsUrl, String(connections)],
    {
      env: { ...process.env, CC_EXECUTOR_TOKEN: server.token },
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  const started = new Promise((resolve, reject) => {
    child.stdout.once("data", resolve);
    child.once("exit", (code) => reject(new Error(`flood client exited (${code})`)));
  });
  return {
    started,
    /** Stops the flood; resolves with the frames it sent. */
    async stop() {
      let text = "";
      child.stdout.on("data", (chunk) => {
        text += chunk;
      });
      child.kill("SIGTERM");
      await once(child, "exit");
      return Number(/frames (\d+)/.exec(text)?.[1] ?? 0);
    },
  };
}

export async function frameFloodBench(server, { totalBytes, rounds, connections = 2 }) {
  const bytes = wholeLines(totalBytes);
  const rate = async () => {
    const run = await measureCcExecutor(server, bytes);
    if (run.bytes !== bytes) throw new Error(`stream delivered ${run.bytes} of ${bytes} bytes`);
    return run.bytes / run.seconds;
  };
  await rate(); // warm-up: a fresh server's first stream pays for V8's compiling
  const alone = [];
  const flooded = [];
  let frames = 0;
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? ["alone", "flooded"] : ["flooded", "alone"];
    for (const side of order) {
      if (side === "alone") {
        alone.push(await rate());
        continue;
      }
      const flood = startFlood(server, connections);
      await flood.started;
      flooded.push(await rate());
      frames += await flood.stop();
    }
  }
  return {
    ratio: median(flooded) / median(alone),
    aloneRate: median(alone),
    floodedRate: median(flooded),
    frames,
  };
}

// `node bench/frame-flood.mjs [--quick]` (after `npm run build`): this row alone, on a fresh server.
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const quick = process.argv.includes("--quick");
  const server = await startServerProcess({ CC_EXECUTOR_SHELL: "sh" });
  try {
    const result = await frameFloodBench(server, {
      totalBytes: 64 * 1024 * 1024,
      rounds: quick ? 2 : 10,
    });
    console.log(
      `stream with a frame flood beside it / alone: ${result.ratio.toFixed(2)}× ` +
        `(${fmtMB(result.floodedRate)} vs ${fmtMB(result.aloneRate)}, ${result.frames} hostile frames)`,
    );
  } finally {
    await server.stop();
  }
}
