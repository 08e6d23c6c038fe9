// Server memory: RSS when idle, and the peak while a client reads 1 GiB of output slowly
// (the client pauses its socket to hold its read rate near `readBytesPerSecond`).
import WebSocket from "ws";
import { rssBytes } from "./util.mjs";

export async function idleRss(server) {
  return rssBytes(server.pid);
}

export async function slowReaderPeakRss(server, { totalBytes, readBytesPerSecond }) {
  const ws = new WebSocket(server.wsUrl, ["cc-executor"], {
    headers: { authorization: `Bearer ${server.token}` },
    perMessageDeflate: false,
    skipUTF8Validation: true,
  });
  await new Promise((resolve, reject) => {
    ws.once("open", resolve);
    ws.once("error", reject);
  });
  let peak = rssBytes(server.pid);
  const sampler = setInterval(() => {
    peak = Math.max(peak, rssBytes(server.pid));
  }, 50);
  const startedMs = performance.now();
  let received = 0;
  const done = new Promise((resolve) => {
    ws.on("message", (data) => {
      const text = data.toString();
      if (text.includes('"process.output"')) {
        const message = JSON.parse(text);
        received += Buffer.byteLength(message.params.data);
        // Throttle: when ahead of the target rate, stop reading for a while.
        const aheadMs = (received / readBytesPerSecond) * 1000 - (performance.now() - startedMs);
        if (aheadMs > 20) {
          ws.pause();
          setTimeout(() => ws.resume(), aheadMs);
        }
      } else if (text.includes('"process.completed"')) {
        resolve();
      }
    });
  });
  ws.send(
    JSON.stringify({
      jsonrpc: "2.0",
      id: 1,
      method: "execute",
      params: {
        command: `yes 0123456789012345678901234567890123456789012345678901234567 | head -c ${totalBytes}`,
      },
    }),
  );
  await done;
  clearInterval(sampler);
  ws.close();
  return {
    peakRssBytes: peak,
    receivedBytes: received,
    seconds: (performance.now() - startedMs) / 1000,
  };
}
