// Where a streamed server's extra spawn cost goes (issue 15, item 12). Two servers; one streams
// `MiB` MiB; then, for each: the fork (clone) syscall's wall time from `perf trace` (a loaded
// machine adds preemption to it), the main thread's minor faults and user/system CPU per
// `execute("true")` (CPU interleaved call by call: the steadier figure), and what fork walks:
// mappings, page tables (VmPTE), anonymous memory. Env: N (calls per figure, 60), NODE_ARGS,
// MEMLOG (memory-timeline.cjs logs), SMAPS (a path prefix: both servers' smaps at the end).
//   npm run build && node bench/probes/fork-cost.mjs [MiB]   (needs `perf`)
import { spawn } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { connect } from "../../dist/client/node.js";
import { measureCcExecutor, wholeLines } from "../throughput.mjs";
import { median, startServerProcess } from "../util.mjs";

const mib = Number(process.argv[2] ?? 256);
const n = Number(process.env.N ?? 60);

function layout(pid) {
  const smaps = readFileSync(`/proc/${pid}/smaps`, "utf8");
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kB = (re) => Number(re.exec(status)?.[1] ?? 0);
  const vmas = smaps.split("\n").filter((l) => /^[0-9a-f]+-[0-9a-f]+ /.test(l)).length;
  let anonVmas = 0;
  for (const m of smaps.matchAll(/^Anonymous:\s+(\d+) kB/gm)) if (Number(m[1]) > 0) anonVmas++;
  return {
    vmas,
    anonVmas,
    pteKB: kB(/VmPTE:\s+(\d+)/),
    rssKB: kB(/VmRSS:\s+(\d+)/),
    anonKB: kB(/RssAnon:\s+(\d+)/),
  };
}
const minflt = (pid) =>
  Number(readFileSync(`/proc/${pid}/task/${pid}/stat`, "utf8").split(") ")[1].split(" ")[7]);

async function forkTimes(server, client) {
  const tracer = spawn("perf", ["trace", "-e", "clone", "-p", String(server.pid)], {
    stdio: ["ignore", "ignore", "pipe"],
  });
  let text = "";
  tracer.stderr.on("data", (d) => (text += d));
  await sleep(500);
  for (let i = 0; i < n; i++) await client.execute("true");
  tracer.kill("SIGINT");
  await new Promise((r) => tracer.once("exit", r));
  const times = [...text.matchAll(/\(\s*([\d.]+) ms\): \S+ clone\(/g)].map(
    (m) => Number(m[1]) * 1000,
  );
  return times;
}

const times = (pid) => {
  const f = readFileSync(`/proc/${pid}/task/${pid}/stat`, "utf8").split(") ")[1].split(" ");
  return { user: Number(f[11]) * 10, sys: Number(f[12]) * 10 };
};

/** Main-thread user and system CPU per call, both servers interleaved call by call. */
async function cpuSplit(clients, calls) {
  const before = servers.map((s) => times(s.pid));
  for (let i = 0; i < calls; i++) for (const c of clients) await c.execute("true");
  return servers.map((s, k) => {
    const t = times(s.pid);
    return {
      userMs: +((t.user - before[k].user) / calls).toFixed(2),
      sysMs: +((t.sys - before[k].sys) / calls).toFixed(2),
    };
  });
}

async function faults(server, client) {
  const before = minflt(server.pid);
  for (let i = 0; i < n; i++) await client.execute("true");
  return (minflt(server.pid) - before) / n;
}

// NODE_ARGS: flags for both servers' node (e.g. "--max-semi-space-size=1"); MEMLOG: a prefix for
// memory-timeline.cjs logs (<prefix>.0, <prefix>.1: untouched, streamed).
const nodeArgs = (process.env.NODE_ARGS ?? "").split(" ").filter(Boolean);
const memlog = process.env.MEMLOG;
const timeline = new URL("./memory-timeline.cjs", import.meta.url).pathname;
const start = (k) =>
  startServerProcess(
    {
      CC_EXECUTOR_SHELL: "sh",
      ...(memlog ? { MEMLOG: `${memlog}.${k}`, MEMLOG_EVERY_MS: "1000" } : {}),
    },
    [...nodeArgs, ...(memlog ? ["--require", timeline] : [])],
  );
const servers = [await start(0), await start(1)];
try {
  const clients = await Promise.all(servers.map((s) => connect({ url: s.wsUrl, token: s.token })));
  for (const c of clients) for (let i = 0; i < 30; i++) await c.execute("true");
  const report = async (label) => {
    for (const [k, s] of servers.entries()) {
      const f = await faults(s, clients[k]);
      const t = await forkTimes(s, clients[k]);
      console.log(
        label,
        k ? "streamed " : "untouched",
        JSON.stringify({
          ...layout(s.pid),
          forkUsP50: +median(t).toFixed(0),
          forks: t.length,
          minfltPerCall: +f.toFixed(1),
        }),
      );
    }
  };
  await report("before");
  console.log("before cpu untouched/streamed", JSON.stringify(await cpuSplit(clients, 300)));
  await measureCcExecutor(servers[1], wholeLines(mib * 1024 * 1024));
  await sleep(15_000);
  await report("after ");
  console.log("after cpu untouched/streamed", JSON.stringify(await cpuSplit(clients, 300)));
  await report("after ");
  console.log("after cpu untouched/streamed", JSON.stringify(await cpuSplit(clients, 300)));
  if (process.env.SMAPS)
    for (const [k, s] of servers.entries())
      writeFileSync(`${process.env.SMAPS}.${k}`, readFileSync(`/proc/${s.pid}/smaps`));
  for (const c of clients) c.close();
} finally {
  await Promise.all(servers.map((s) => s.stop()));
}
