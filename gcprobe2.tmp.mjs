import { readFileSync, writeFileSync } from "node:fs";
import { measureCcExecutor, wholeLines } from "./bench/throughput.mjs";
import { startServerProcess } from "./bench/util.mjs";
import { connect } from "./dist/client/node.js";
const MiB = 1024 * 1024;
const server = await startServerProcess({ CC_EXECUTOR_SHELL: "sh" }, ["--expose-gc", "--require", "/tmp/h-results/gc.cjs"]);
const maps = () => {
  const out = new Map();
  let cur = null;
  for (const line of readFileSync(`/proc/${server.pid}/smaps`, "utf8").split("\n")) {
    const m = /^([0-9a-f]+)-([0-9a-f]+) \S+ \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (m) { cur = `${m[1]} ${((parseInt(m[2],16)-parseInt(m[1],16))/1024)|0}k ${m[3]}`; continue; }
    const a = /^Anonymous:\s+(\d+)/.exec(line);
    if (a && cur && Number(a[1]) > 0) out.set(cur, Number(a[1]));
  }
  return out;
};
const c = await connect({ url: server.wsUrl, token: server.token });
for (let i = 0; i < 50; i++) await c.execute("true");
process.kill(server.pid, "SIGUSR2"); await new Promise((r) => setTimeout(r, 1000));
const a = maps();
await measureCcExecutor(server, wholeLines(256 * MiB));
await new Promise((r) => setTimeout(r, 12000));
process.kill(server.pid, "SIGUSR2"); await new Promise((r) => setTimeout(r, 1000));
const b = maps();
const keys = new Set([...a.keys(), ...b.keys()]);
const rows = [...keys].map((k) => [k, (b.get(k) ?? 0) - (a.get(k) ?? 0), a.get(k) ?? 0, b.get(k) ?? 0]).filter((r) => Math.abs(r[1]) >= 256).sort((x, y) => y[1] - x[1]);
for (const r of rows) console.log(r.join("\t"));
console.log("sum delta", rows.reduce((s, r) => s + r[1], 0));
c.close();
await server.stop();
