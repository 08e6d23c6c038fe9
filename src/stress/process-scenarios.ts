/**
 * Stress scenarios about the service itself (DESIGN §9): wall and idle timeouts, error handling
 * (bad command, bad JSON, unknown method), environment (cwd, env, auth mode), buffer handling
 * (≥ 10 MB, a 5 MB single line, byte-exact) and cancel mid-stream with no survivors.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import WebSocket from "ws";
import { RemoteError } from "../client/errors.js";
import type { ExecutionResult } from "../client/events.js";
import { scenario } from "./scenario.js";

function bytesOf(result: ExecutionResult): number {
  return Number(result.completion.stdout_bytes ?? 0) + Number(result.completion.stderr_bytes ?? 0);
}

/** Live (not zombie) members of process group `pgid`, from /proc; this machine only. */
export function groupMembers(pgid: number): number[] {
  if (!existsSync("/proc/self/stat")) {
    try {
      process.kill(-pgid, 0);
      return [pgid];
    } catch (error) {
      return (error as NodeJS.ErrnoException).code === "EPERM" ? [pgid] : [];
    }
  }
  const members: number[] = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (Number(fields[2]) === pgid && fields[0] !== "Z") members.push(Number(name));
    } catch {
      // gone meanwhile
    }
  }
  return members;
}

/** Waits (briefly: a SIGKILL takes a moment to land) until the group is empty. */
async function groupGone(pgid: number, withinMs = 3000): Promise<boolean> {
  const deadline = performance.now() + withinMs;
  while (groupMembers(pgid).length > 0) {
    if (performance.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return true;
}

export const timeouts = scenario("timeouts", "Timeout Handling (wall and idle)", async (ctx, o) => {
  const started = performance.now();
  const [wall, idle] = await Promise.all([
    ctx.client.execute("sleep 30", { timeoutMs: 1000 }),
    ctx.client.execute("echo started; sleep 30", { idleTimeoutMs: 1000 }),
  ]);
  const seconds = (performance.now() - started) / 1000;
  o.bytes(bytesOf(wall), bytesOf(idle));
  o.metrics["Wall Limit"] =
    `${wall.status} (${wall.timeoutKind ?? "-"}) in ${wall.durationMs.toFixed(0)} ms`;
  o.metrics["Idle Limit"] =
    `${idle.status} (${idle.timeoutKind ?? "-"}) in ${idle.durationMs.toFixed(0)} ms`;
  o.check(wall.status === "timed_out" && wall.timeoutKind === "wall", `wall: ${wall.status}`);
  o.check(idle.status === "timed_out" && idle.timeoutKind === "idle", `idle: ${idle.status}`);
  o.check(idle.stdout === "started\n", `idle run lost its output: ${JSON.stringify(idle.stdout)}`);
  o.check(seconds < 10, `the limits took ${seconds.toFixed(1)} s to act`);
});

function rawFrame(url: string, token: string | null, frame: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
    const ws = new WebSocket(url, ["cc-executor"], { headers, perMessageDeflate: false });
    const timer = setTimeout(() => {
      ws.terminate();
      reject(new Error("no reply to a raw frame within 10 s"));
    }, 10_000);
    ws.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    ws.on("open", () => ws.send(frame));
    ws.on("message", (data) => {
      const message = JSON.parse(data.toString()) as { method?: string };
      if (message.method) return; // connected, heartbeat
      clearTimeout(timer);
      ws.close();
      resolve(message);
    });
  });
}

async function errorCode(call: Promise<unknown>): Promise<number | string> {
  try {
    await call;
    return "no error";
  } catch (error) {
    return error instanceof RemoteError ? error.code : (error as Error).message;
  }
}

export const errorHandling = scenario("error-handling", "Error Handling", async (ctx, o) => {
  const bad = await ctx.client.execute("cc_executor_no_such_command_xyz");
  o.bytes(bytesOf(bad));
  o.metrics["Bad Command"] = `${bad.status}, exit ${bad.exitCode}`;
  o.check(bad.status === "failed" && bad.exitCode === 127, `bad command: ${bad.status}`);
  const parse = (await rawFrame(ctx.url, ctx.token, "{not json")) as { error?: { code: number } };
  o.metrics["Bad JSON"] = String(parse.error?.code);
  o.check(parse.error?.code === -32700, `bad JSON answered ${JSON.stringify(parse)}`);
  const unknown = await errorCode(ctx.client.requestRaw("no.such.method", {}));
  o.metrics["Unknown Method"] = String(unknown);
  o.check(unknown === -32601, `unknown method answered ${unknown}`);
  const empty = await errorCode(ctx.client.request("claude.execute", { prompt: "" }));
  o.metrics["Empty Prompt"] = String(empty);
  o.check(empty === -32602, `empty prompt answered ${empty}`);
  const status = await ctx.client.serverStatus();
  o.check(typeof status.pid === "number", "the server stopped answering after the errors");
});

export const environment = scenario(
  "environment",
  "Environment Validation (cwd, env, auth mode)",
  async (ctx, o) => {
    const cwd = await ctx.client.execute("pwd", { cwd: ctx.workDir });
    const env = await ctx.client.execute('printf %s "$CCE_STRESS_VALUE"', {
      env: { CCE_STRESS_VALUE: "stress value ✓" },
    });
    o.bytes(bytesOf(cwd), bytesOf(env));
    o.check(cwd.stdout.trim() === ctx.workDir, `cwd: ${cwd.stdout.trim()}`);
    o.check(env.stdout === "stress value ✓", `env: ${JSON.stringify(env.stdout)}`);
    // Subscription mode must keep the key from the CLI, whatever the env says.
    const stream = ctx.client.claudeStream("What is 2+2?", {
      ...ctx.claude,
      authMode: "subscription",
      retries: 0,
      env: { ...ctx.claude.env, ANTHROPIC_API_KEY: "sk-stress-must-be-removed" },
    });
    let keySource: string | undefined;
    for await (const item of stream) {
      if (item.type === "claude" && item.event.kind === "init") {
        keySource = item.event.event.apiKeySource;
      }
    }
    const result = await stream.result;
    o.bytes(Number(result.execution.completion.stdout_bytes ?? 0));
    o.metrics["Subscription Key Source"] = keySource ?? "no init";
    o.check(keySource !== undefined, `the subscription run printed no init (${result.error})`);
    o.check(keySource !== "ANTHROPIC_API_KEY", "subscription mode passed ANTHROPIC_API_KEY on");
  },
);

function seqOutput(count: number): string {
  const lines: string[] = [];
  for (let n = 1; n <= count; n++) lines.push(String(n));
  return `${lines.join("\n")}\n`;
}

export const bufferHandling = scenario("buffers", "Buffer Handling", async (ctx, o) => {
  const count = 1_500_000;
  const many = await ctx.client.execute(`seq 1 ${count}`);
  const lineBytes = 5 * 1024 * 1024;
  const single = await ctx.client.execute(`head -c ${lineBytes} /dev/zero | tr '\\0' x`);
  o.bytes(bytesOf(many), bytesOf(single));
  const expected = seqOutput(count);
  o.metrics["Many Lines"] = `${many.stdout.length.toLocaleString("en-US")} bytes`;
  o.metrics["Single Line"] = `${single.stdout.length.toLocaleString("en-US")} bytes`;
  o.check(many.success && many.stdout.length >= 10_000_000, `only ${many.stdout.length} bytes`);
  o.check(many.stdout === expected, "the 10 MB output is not byte-exact");
  o.check(single.success && single.stdout === "x".repeat(lineBytes), "the 5 MB line is not exact");
});

export const cancelMidStream = scenario(
  "cancel",
  "Cancel Mid-Stream (no survivors)",
  async (ctx, o) => {
    const stream = ctx.client.claudeStream("Write a long essay of 3000 words about the sea.", {
      ...ctx.claude,
      retries: 0,
    });
    let pgid = -1;
    let canceledAt = 0;
    for await (const item of stream) {
      if (item.type === "started") pgid = item.pid;
      if (item.type === "claude" && item.event.kind === "init" && canceledAt === 0) {
        canceledAt = performance.now();
        await stream.cancel();
      }
    }
    const result = await stream.result;
    o.bytes(Number(result.execution.completion.stdout_bytes ?? 0));
    const tookMs = canceledAt ? performance.now() - canceledAt : 0;
    o.metrics.Ended = `${result.status} ${tookMs.toFixed(0)} ms after cancel`;
    o.check(canceledAt > 0, `the run ended before it streamed (${result.status})`);
    o.check(result.status === "canceled", `status ${result.status}`);
    o.check(pgid > 0, "no process.started");
    const survivors = pgid > 0 && !(await groupGone(pgid)) ? groupMembers(pgid) : [];
    o.check(survivors.length === 0, `process group ${pgid} still has ${survivors.join(", ")}`);
  },
);
