// Why the next step for the slow-reader memory goal is a reused read buffer: reads 1 GiB of a
// child's output the way child_process does (a fresh 64 KiB buffer per read) and with
// net.Socket's `onread` option (one buffer, reused), and prints each one's peak RSS and time.
// Node's own stdio "pipes" are Unix socket pairs, so giving the child one end of a socket pair
// made here changes nothing the child can see.
import { spawn } from "node:child_process";
import net from "node:net";

const COMMAND =
  "yes 0123456789012345678901234567890123456789012345678901234567 | head -c 1073741824";

function track() {
  let peak = 0;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 20);
  const startedMs = performance.now();
  return () => {
    clearInterval(timer);
    return {
      peakMb: (peak / 1e6).toFixed(0),
      seconds: ((performance.now() - startedMs) / 1000).toFixed(2),
    };
  };
}

async function freshBuffers() {
  const child = spawn("sh", ["-c", COMMAND], { stdio: ["ignore", "pipe", "inherit"] });
  const stop = track();
  let bytes = 0;
  child.stdout.on("data", (data) => {
    bytes += data.length;
  });
  await new Promise((resolve) => child.stdout.once("end", resolve));
  return { bytes, ...stop() };
}

async function reusedBuffer() {
  const path = `\0cc-executor-probe-${process.pid}`; // Linux abstract socket: no file to clean up
  const server = net.createServer({ pauseOnConnect: true });
  await new Promise((resolve) => server.listen(path, resolve));
  const accepted = new Promise((resolve) => server.once("connection", resolve));
  let bytes = 0;
  const reader = net.connect({
    path,
    onread: {
      buffer: Buffer.allocUnsafe(64 * 1024),
      callback: (n) => {
        bytes += n;
      },
    },
  });
  const writeEnd = await accepted;
  const stop = track();
  spawn("sh", ["-c", COMMAND], { stdio: ["ignore", writeEnd, "inherit"] });
  writeEnd.destroy(); // the child holds its own copy
  await new Promise((resolve) => reader.once("end", resolve));
  server.close();
  return { bytes, ...stop() };
}

const which = process.argv[2];
if (which === "fresh") console.log("fresh buffer per read:", await freshBuffers());
else if (which === "reused") console.log("one reused buffer:", await reusedBuffer());
else {
  // Each variant in its own process, so one's garbage does not count against the other.
  for (const variant of ["fresh", "reused"]) {
    const child = spawn(process.execPath, [new URL(import.meta.url).pathname, variant], {
      stdio: "inherit",
    });
    await new Promise((resolve) => child.once("exit", resolve));
  }
}
