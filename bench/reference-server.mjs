// The minimal reference of the throughput goal, run as its own process: a bare `ws` server that
// runs the command given on argv and sends each stdout read as one JSON-RPC notification.
// No seq, spool, history, auth or limits. Prints its port on stdout.
import { spawn } from "node:child_process";
import { WebSocketServer } from "ws";

const command = process.argv[2];
const wss = new WebSocketServer({ port: 0, host: "127.0.0.1", perMessageDeflate: false });
wss.on("connection", (ws) => {
  const child = spawn("sh", ["-c", command], { stdio: ["ignore", "pipe", "inherit"] });
  child.stdout.on("data", (chunk) => {
    const params = { type: "stdout", data: chunk.toString() };
    ws.send(JSON.stringify({ jsonrpc: "2.0", method: "process.output", params }));
  });
  child.on("close", (code) => {
    ws.send(
      JSON.stringify({ jsonrpc: "2.0", method: "process.completed", params: { exit_code: code } }),
    );
    ws.close();
  });
});
wss.on("listening", () => process.stdout.write(`${wss.address().port}\n`));
