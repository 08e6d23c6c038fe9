/**
 * A real server as a separate process (`node bin/cc-executor.mjs server start --port 0`) with its own
 * temporary CC_EXECUTOR_HOME, for tests that kill the server or measure its memory. Needs a
 * current `dist/` (`npm run build`). The server writes `server.json` (port, pid) and `token` there.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync, rmSync } from "node:fs";
import { CLI_PATH as CLI, requireBuiltCli } from "./cli-process.js";
import { tempDir } from "./test-server.js";

export interface ServerProcess {
  pid: number;
  home: string;
  port: number;
  wsUrl: string;
  token: string;
  child: ChildProcess;
  /** Everything the server wrote to stderr so far, for failure messages. */
  stderr(): string;
  /** Resolves with how the server process ended. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** VmRSS of the server process in bytes, from /proc. */
  rssBytes(): number;
  /** Kills the server if it still runs (SIGKILL) and removes its home. */
  cleanup(): Promise<void>;
}

/**
 * `env` adds settings (CC_EXECUTOR_KILL_GRACE, …) on top of a quiet, bash-shelled default.
 * `options.home` reuses a home (e.g. a dead server's, to restart on it); default: a new one.
 * `options.stdin: "pipe"` gives the server a stdin that stays open (nothing is ever written to
 * it) until the server ends; default: /dev/null.
 * `options.launcher`: start the bin as a program, through its `#!/bin/sh` line, as a user's shell
 * does (with the node flags and malloc setting it adds); default: `node bin/cc-executor.mjs`.
 */
export async function startServerProcess(
  env: Record<string, string> = {},
  options: { home?: string; stdin?: "pipe" | "ignore"; launcher?: boolean } = {},
): Promise<ServerProcess> {
  requireBuiltCli();
  const home = options.home ?? tempDir("cce-srv-");
  const args = ["server", "start", "--port", "0"];
  const [file, argv] = options.launcher ? [CLI, args] : [process.execPath, [CLI, ...args]];
  const child = spawn(file, argv, {
    env: {
      ...process.env,
      CC_EXECUTOR_HOME: home,
      CC_EXECUTOR_SHELL: "bash",
      LOG_LEVEL: "warn",
      ...env,
    },
    stdio: [options.stdin ?? "ignore", "pipe", "pipe"],
  });
  // A test that fails before stop() must not leave its server running.
  const killOnExit = () => child.kill("SIGKILL");
  process.once("exit", killOnExit);
  child.once("exit", () => process.off("exit", killOnExit));
  let stderr = "";
  child.stderr?.on("data", (data: Buffer) => {
    stderr += data.toString();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("exit", (code, signal) => resolve({ code, signal })),
  );
  // The server prints its "listening on" line after it has written server.json.
  const listening = await new Promise<boolean>((resolve) => {
    let stdout = "";
    child.stdout?.on("data", (data: Buffer) => {
      stdout += data.toString();
      if (stdout.includes("listening on")) resolve(true);
    });
    void exited.then(() => resolve(false));
  });
  if (!listening) {
    rmSync(home, { recursive: true, force: true });
    throw new Error(`server process did not start: ${stderr}`);
  }
  const info = JSON.parse(readFileSync(`${home}/server.json`, "utf8")) as {
    port: number;
    pid: number;
    wsUrl: string;
  };
  const token = readFileSync(`${home}/token`, "utf8").trim();
  const pid = child.pid as number;
  return {
    pid,
    home,
    port: info.port,
    wsUrl: info.wsUrl,
    token,
    child,
    exited,
    stderr: () => stderr,
    rssBytes() {
      const status = readFileSync(`/proc/${pid}/status`, "utf8");
      const kib = Number(/^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1]);
      return kib * 1024;
    },
    async cleanup() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGKILL");
        await exited;
      }
      rmSync(home, { recursive: true, force: true });
    },
  };
}
