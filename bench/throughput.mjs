// Output throughput of a line-heavy stream (lines of 60 bytes), server → client, side by side:
// websocketd (one message per line), a bare ws reference, and cc-executor (spool + history on)
// read through the SDK. Rounds are interleaved so machine noise hits all three alike.
import { spawn } from "node:child_process";
import { once } from "node:events";
import { createServer } from "node:net";
import WebSocket from "ws";
import { connect } from "../dist/client/node.js";
import { median } from "./util.mjs";

const LINE = "0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklm"; // 59 chars + "\n"

/** Whole lines only: websocketd drops a final line that has no newline. */
export function wholeLines(totalBytes) {
  return Math.floor(totalBytes / (LINE.length + 1)) * (LINE.length + 1);
}

export function lineCommand(totalBytes) {
  return `yes ${LINE} | head -c ${totalBytes}`;
}

async function portFromStdout(child) {
  let text = "";
  for await (const chunk of child.stdout) {
    text += chunk;
    const match = /(\d+)\n/.exec(text) ?? /listening on .*?:(\d+)/i.exec(text);
    if (match) return Number(match[1]);
  }
  throw new Error("server printed no port");
}

/** Opens a socket, retrying briefly: a server may log "listening" a moment before it accepts. */
async function openSocket(url) {
  for (let attempt = 1; ; attempt++) {
    const ws = new WebSocket(url, { perMessageDeflate: false, maxPayload: 1 << 30 });
    try {
      await new Promise((resolve, reject) => {
        ws.once("open", resolve);
        ws.once("error", reject);
      });
      return ws;
    } catch (error) {
      if (attempt >= 20) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

/** Receives messages until the server closes; returns received payload bytes and seconds. */
async function drainSocket(url, countBytes) {
  const ws = await openSocket(url);
  // The command starts when the connection opens (both servers run it per connection).
  const started = performance.now();
  let bytes = 0;
  ws.on("message", (data) => {
    bytes += countBytes(data);
  });
  await once(ws, "close");
  return { bytes, seconds: (performance.now() - started) / 1000 };
}

async function freePort() {
  const server = createServer();
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address();
  server.close();
  return port;
}

export async function measureWebsocketd(totalBytes) {
  const port = await freePort();
  const child = spawn(
    "websocketd",
    [`--port=${port}`, "--address=127.0.0.1", "sh", "-c", lineCommand(totalBytes)],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  // websocketd logs on stdout once it listens.
  let text = "";
  child.stderr.resume();
  await new Promise((resolve, reject) => {
    child.stdout.on("data", (chunk) => {
      text += chunk;
      if (text.includes("Starting WebSocket server")) resolve();
    });
    child.once("exit", () => reject(new Error(`websocketd exited: ${text}`)));
  });
  // websocketd strips the newline of each line; count it back for equal byte totals.
  const result = await drainSocket(`ws://127.0.0.1:${port}/`, (data) => data.length + 1);
  child.kill();
  return result;
}

export async function measureReference(totalBytes) {
  const child = spawn(
    process.execPath,
    [new URL("./reference-server.mjs", import.meta.url).pathname, lineCommand(totalBytes)],
    {
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  const port = await portFromStdout(child);
  const result = await drainSocket(`ws://127.0.0.1:${port}/`, (data) => {
    const message = JSON.parse(data.toString());
    return message.method === "process.output" ? Buffer.byteLength(message.params.data) : 0;
  });
  child.kill();
  return result;
}

export async function measureCcExecutor(server, totalBytes) {
  const client = await connect({ url: server.wsUrl, token: server.token });
  const started = performance.now();
  let bytes = 0;
  const stream = client.stream(lineCommand(totalBytes), { collectOutput: false });
  for await (const event of stream) {
    if (event.type === "output") bytes += Buffer.byteLength(event.data);
  }
  const seconds = (performance.now() - started) / 1000;
  client.close();
  return { bytes, seconds };
}

export async function throughputBench(
  server,
  { totalBytes: requestedBytes, rounds, withWebsocketd },
) {
  const totalBytes = wholeLines(requestedBytes);
  const runs = { websocketd: [], reference: [], ccExecutor: [] };
  for (let round = 0; round < rounds; round++) {
    if (withWebsocketd) runs.websocketd.push(await measureWebsocketd(totalBytes));
    runs.reference.push(await measureReference(totalBytes));
    runs.ccExecutor.push(await measureCcExecutor(server, totalBytes));
  }
  const rate = (list) => (list.length ? median(list.map((r) => r.bytes / r.seconds)) : null);
  for (const [name, list] of Object.entries(runs)) {
    for (const run of list) {
      if (run.bytes !== totalBytes)
        throw new Error(`${name} delivered ${run.bytes} of ${totalBytes} bytes`);
    }
  }
  return {
    websocketd: rate(runs.websocketd),
    reference: rate(runs.reference),
    ccExecutor: rate(runs.ccExecutor),
  };
}
