// Shared pieces of the benchmarks: starting a real cc-executor server process, statistics.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { withServerMallocEnv } from "../dist/runtime/server-malloc-env.js";

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
/** The `cc-executor` command as npm installs it; it starts node with the server's V8 flags. */
/** What a Claude run needs to talk to the mock API from an isolated home (the request's `env`). */
export function sandboxEnv(home, mockUrl) {
  return {
    HOME: home,
    CLAUDE_CONFIG_DIR: join(home, ".claude"),
    TMPDIR: join(home, "tmp"),
    ANTHROPIC_BASE_URL: mockUrl,
    ANTHROPIC_API_KEY: "bench-key",
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1",
    DISABLE_AUTOUPDATER: "1",
    DISABLE_TELEMETRY: "1",
    DISABLE_ERROR_REPORTING: "1",
  };
}

export const BIN = join(ROOT, "bin", "cc-executor.mjs");
const BIN_NODE_FLAGS = ["--max-semi-space-size=2"]; // what bin/cc-executor.mjs passes
// …and the malloc setting it adds (src/runtime/server-malloc-env.ts), for a node started directly.

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

export function rssBytes(pid) {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const match = /VmRSS:\s+(\d+) kB/.exec(status);
  return match ? Number(match[1]) * 1024 : 0;
}

/**
 * Starts `cc-executor server start` the way a user does (the bin, through its shebang) in its own
 * temp home; resolves when it listens. With `nodeArgs` (a probe's --require), node is started
 * directly with them and the bin's flags.
 */
export async function startServerProcess(env = {}, nodeArgs = []) {
  const home = mkdtempSync(join(tmpdir(), "cce-bench-"));
  const args = ["server", "start", "--port", "0"];
  const [file, argv] =
    nodeArgs.length === 0
      ? [BIN, args]
      : [process.execPath, [...BIN_NODE_FLAGS, ...nodeArgs, BIN, ...args]];
  const baseEnv = nodeArgs.length === 0 ? process.env : withServerMallocEnv(process.env);
  const child = spawn(file, argv, {
    env: { ...baseEnv, CC_EXECUTOR_HOME: home, LOG_LEVEL: "warn", ...env },
    stdio: ["ignore", "pipe", "inherit"],
  });
  // A crashed bench must not leave its servers running.
  process.once("exit", () => child.kill("SIGKILL"));
  const line = await new Promise((resolve, reject) => {
    let text = "";
    child.stdout.on("data", (chunk) => {
      text += chunk;
      if (text.includes("\n")) resolve(text);
    });
    child.once("exit", (code) => reject(new Error(`server exited (${code})`)));
  });
  const wsUrl = /WebSocket (ws:\/\/\S+)\)/.exec(line)?.[1];
  const token = readFileSync(join(home, "token"), "utf8").trim();
  return {
    pid: child.pid,
    home,
    wsUrl,
    token,
    async stop() {
      child.kill("SIGTERM");
      await new Promise((resolve) => child.once("exit", resolve));
      rmSync(home, { recursive: true, force: true });
    },
  };
}

export function fmtMB(bytesPerSecond) {
  return `${(bytesPerSecond / 1e6).toFixed(1)} MB/s`;
}
