// The slow-reader memory goal with a timeline: a fresh server with memory-timeline.cjs preloaded,
// a client reading $TOTAL_MIB (default 1024) MiB at 64 MB/s. Prints the peak; the timeline is in
// $MEMLOG (default .tmp/slow-reader-memory.jsonl). Run after `npm run build`.
import { mkdirSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { slowReaderPeakRss } from "../memory.mjs";
import { ROOT, startServerProcess } from "../util.mjs";

const memlog = process.env.MEMLOG ?? join(ROOT, ".tmp", "slow-reader-memory.jsonl");
mkdirSync(dirname(memlog), { recursive: true });
rmSync(memlog, { force: true });
const preload = join(dirname(fileURLToPath(import.meta.url)), "memory-timeline.cjs");
const server = await startServerProcess({ CC_EXECUTOR_SHELL: "sh", MEMLOG: memlog }, [
  "--require",
  preload,
]);
const totalBytes = Number(process.env.TOTAL_MIB ?? 1024) * 1048576;
const result = await slowReaderPeakRss(server, { totalBytes, readBytesPerSecond: 64e6 });
await server.stop();
console.log(
  `peak RSS ${(result.peakRssBytes / 1e6).toFixed(1)} MB over ${result.seconds.toFixed(1)} s; timeline in ${memlog}`,
);
