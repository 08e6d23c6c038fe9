import { throughputBench } from "./throughput.mjs";
import { fmtMB, startServerProcess } from "./util.mjs";

const server = await startServerProcess();
const mb = Number(process.argv[2] ?? 64);
const r = await throughputBench(server, {
  totalBytes: mb * 1024 * 1024,
  rounds: Number(process.argv[3] ?? 1),
  withWebsocketd: process.argv[4] === "ws",
});
console.log({
  websocketd: r.websocketd && fmtMB(r.websocketd),
  reference: fmtMB(r.reference),
  ccExecutor: fmtMB(r.ccExecutor),
  vsRef: (r.ccExecutor / r.reference).toFixed(2),
  vsWsd: r.websocketd && (r.ccExecutor / r.websocketd).toFixed(1),
});
await server.stop();
