// The flood of bench/frame-flood.mjs: `node frame-flood-client.mjs <wsUrl> <connections>`, token
// in CC_EXECUTOR_TOKEN. Each connection sends malformed frames and full batches in a closed loop
// (a frame, then a request it waits for, so the server is never more than one frame behind) until
// SIGTERM; prints "ready" once connected and "frames N" at the end.
import WebSocket from "ws";

const [url, connectionsArg] = process.argv.slice(2);
const token = process.env.CC_EXECUTOR_TOKEN;

const request = (id, method, params) => ({ jsonrpc: "2.0", id, method, params });
const FRAMES = [
  // Full batches (100 items, the most one may hold) of refused and unknown things.
  JSON.stringify(
    Array.from({ length: 100 }, (_, i) => request(i, "history.get", { execution_id: `none-${i}` })),
  ),
  JSON.stringify(
    Array.from({ length: 100 }, (_, i) => request(i, "execute", { command: i, timeout: -1 })),
  ),
  JSON.stringify(Array.from({ length: 100 }, (_, i) => ({ jsonrpc: "1.0", id: i, method: 7 }))),
  JSON.stringify(Array.from({ length: 100 }, (_, i) => request(i, "__proto__", null))),
  // A batch past the limit (refused whole) and the 1 MiB batch of 1s.
  JSON.stringify(Array.from({ length: 101 }, (_, i) => request(i, "server.status"))),
  `[${"1,".repeat(524_000)}1]`,
  // Not JSON, deep nesting, a binary-looking text, a prototype name.
  `{"jsonrpc":"2.0","id":1,"method":"execute","params":{"command":`,
  `${"[".repeat(5000)}${"]".repeat(5000)}`,
  "\u0000\u0001garbage",
  JSON.stringify(request(1, "constructor", {})),
].map((text) => Buffer.from(text));

let frames = 0;
let stopping = false;

async function open() {
  const ws = new WebSocket(url, ["cc-executor"], {
    headers: { authorization: `Bearer ${token}` },
    perMessageDeflate: false,
    // An all-zero mask: ws then skips masking, so this process spends little CPU on sending
    // (the machine's cores are shared with the server and the stream's reader).
    generateMask: (mask) => mask.fill(0),
  });
  await new Promise((resolve, reject) => {
    ws.once("open", resolve);
    ws.once("error", reject);
  });
  return ws;
}

async function floodOne(ws, k) {
  let waiting = null;
  ws.on("message", (data) => {
    if (waiting && data.toString().includes(`"id":"mark-${k}"`)) waiting();
  });
  for (let i = k; !stopping; i++) {
    ws.send(FRAMES[i % FRAMES.length], { binary: false });
    frames++;
    const answered = new Promise((resolve) => {
      waiting = resolve;
    });
    ws.send(JSON.stringify(request(`mark-${k}`, "server.status")));
    await answered;
  }
  ws.close();
}

const connections = Number(connectionsArg ?? 4);
const sockets = await Promise.all(Array.from({ length: connections }, open));
const running = sockets.map((ws, k) => floodOne(ws, k));
process.stdout.write("ready\n");
process.on("SIGTERM", async () => {
  stopping = true;
  await Promise.race([Promise.all(running), new Promise((r) => setTimeout(r, 2000))]);
  process.stdout.write(`frames ${frames}\n`);
  process.exit(0);
});
