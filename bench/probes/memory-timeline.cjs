// Preload (`node --require`) for a server under study: appends a JSON line to $MEMLOG every
// 250 ms and after every full or incremental GC, with RSS, V8 heap and ArrayBuffer memory in MB.
// Used to find which phase of a workload holds memory (see docs/benchmarks.md, memory goals).
const { appendFileSync } = require("node:fs");
const { PerformanceObserver } = require("node:perf_hooks");
const v8 = require("node:v8");

const out = process.env.MEMLOG;
if (out) {
  const startedMs = Date.now();
  const mb = (bytes) => Math.round(bytes / 1048576);
  const sample = () => {
    const m = process.memoryUsage();
    const spaces = Object.fromEntries(
      v8.getHeapSpaceStatistics().map((s) => [s.space_name, s.physical_space_size]),
    );
    return {
      rss: mb(m.rss),
      heapUsed: mb(m.heapUsed),
      heapTotal: mb(m.heapTotal),
      newSpace: mb(spaces.new_space ?? 0),
      oldSpace: mb(spaces.old_space ?? 0),
      buffers: mb(m.arrayBuffers),
    };
  };
  const write = (fields) =>
    appendFileSync(
      out,
      `${JSON.stringify({ ms: Date.now() - startedMs, ...fields, ...sample() })}\n`,
    );
  setInterval(() => write({}), Number(process.env.MEMLOG_EVERY_MS ?? 250)).unref();
  // Kinds: 1 scavenge (young generation, too many to log), 4 mark-compact, 8 incremental marking.
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      if (entry.detail.kind !== 1)
        write({ gc: entry.detail.kind, gcMs: +entry.duration.toFixed(1) });
    }
  }).observe({ entryTypes: ["gc"] });
}
