// Overhead of a Claude run through cc-executor vs the same `claude -p` run directly, against the
// same mock Anthropic API, with the same environment (issue 3: median of ≥ 10 pairs, target
// ≤ +10 ms). Each round runs the CLI twice directly and once through the service, in rotating
// order; the overhead is the median over rounds of service − mean(direct). A control, direct −
// direct, shows how much two identical runs differ (the CLI's own run time varies by ±100 ms).
//
//   npm run build && node bench/claude-overhead.mjs [pairs]
//
// Direct: spawn the CLI (own process group, stdin ignored, stdout/stderr piped) and wait until it
// exited and its pipes closed. Through the service: `client.claude()` on an open connection to a
// server process, from the call until its process.completed arrived.
import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { connect } from "../dist/client/node.js";
import { startMockAnthropic, textReply } from "../dist/testing/mock-anthropic/index.js";
import { median, ROOT, sandboxEnv, startServerProcess } from "./util.mjs";

const CLAUDE_BIN = join(ROOT, "node_modules", ".bin", "claude");
const PROMPT = "What is 2+2?";

async function direct(env, cwd) {
  const started = performance.now();
  const child = spawn(
    CLAUDE_BIN,
    ["-p", "--output-format", "stream-json", "--verbose", "--", PROMPT],
    { cwd, env, detached: true, stdio: ["ignore", "pipe", "pipe"] },
  );
  let out = "";
  child.stdout.on("data", (chunk) => {
    out += chunk;
  });
  child.stderr.resume();
  const [code] = await once(child, "close");
  const elapsed = performance.now() - started;
  if (code !== 0 || !out.includes('"type":"result"'))
    throw new Error(`direct run failed (${code})`);
  return elapsed;
}

/** The environment a child of the server gets for a request with `env` (from `env -0`). */
async function serverChildEnv(client, env) {
  const result = await client.execute("env -0", { env });
  const pairs = result.stdout.split("\0").filter(Boolean);
  return Object.fromEntries(
    pairs.map((pair) => [pair.slice(0, pair.indexOf("=")), pair.slice(pair.indexOf("=") + 1)]),
  );
}

/** Wall time, and the part of it that was not the CLI's own lifetime (spawn to end). */
async function throughService(client, env, cwd) {
  const started = performance.now();
  const run = await client.claude(PROMPT, { env, cwd, authMode: "api-key", retries: 0 });
  const elapsed = performance.now() - started;
  if (!run.success || run.result !== "4") throw new Error(`service run failed: ${run.error}`);
  return { elapsed, aroundMs: elapsed - run.durationMs };
}

/** Runs the comparison with its own mock and server process; returns the numbers. */
// 30 rounds: a multiple of the three orders; with 20 the median itself moved from −14 to +12 ms
// between runs on a quiet machine (the CLI's own run time varies by ±100 ms).
export async function claudeOverheadBench({ pairs = 30, warmup = 2 } = {}) {
  const home = mkdtempSync(join(tmpdir(), "cce-bench-claude-"));
  mkdirSync(join(home, "tmp"));
  const cwd = mkdtempSync(join(tmpdir(), "cce-bench-claude-cwd-"));
  const mock = await startMockAnthropic({ defaultReply: textReply("4") });
  const server = await startServerProcess({
    CC_EXECUTOR_CLAUDE_BIN: CLAUDE_BIN,
    LOG_LEVEL: "warn",
  });
  const client = await connect({ url: server.wsUrl, token: server.token, reconnect: false });
  const env = sandboxEnv(home, mock.url);
  try {
    // The direct run gets exactly the environment the server gives its children.
    const directEnv = await serverChildEnv(client, env);
    for (let i = 0; i < warmup; i++) {
      await direct(directEnv, cwd);
      await throughService(client, env, cwd);
    }
    const directMs = [];
    const serviceMs = [];
    const aroundMs = [];
    const differences = [];
    const control = [];
    // Each round: two direct runs and one through the service, in rotating order; the overhead
    // sample is service − mean(direct), the control sample direct − direct (the noise floor).
    for (let i = 0; i < pairs; i++) {
      const runs = {};
      const order = [
        ["a", "s", "b"],
        ["s", "a", "b"],
        ["a", "b", "s"],
      ][i % 3];
      for (const which of order) {
        if (which === "s") runs.s = await throughService(client, env, cwd);
        else runs[which] = await direct(directEnv, cwd);
      }
      directMs.push(runs.a, runs.b);
      serviceMs.push(runs.s.elapsed);
      aroundMs.push(runs.s.aroundMs);
      differences.push(runs.s.elapsed - (runs.a + runs.b) / 2);
      control.push(runs.a - runs.b);
    }
    return {
      pairs,
      directMedianMs: median(directMs),
      serviceMedianMs: median(serviceMs),
      overheadMs: median(differences),
      controlMs: median(control),
      aroundMedianMs: median(aroundMs),
      directMs,
      serviceMs,
    };
  } finally {
    client.close();
    await server.stop();
    await mock.close();
    rmSync(home, { recursive: true, force: true });
    rmSync(cwd, { recursive: true, force: true });
  }
}

export function formatClaudeOverhead(result) {
  return (
    `Claude run ("${PROMPT}", real CLI, mock API), median of ${result.pairs} pairs: ` +
    `direct ${result.directMedianMs.toFixed(1)} ms, through cc-executor ` +
    `${result.serviceMedianMs.toFixed(1)} ms, overhead (median of pair differences) ` +
    `${result.overheadMs >= 0 ? "+" : ""}${result.overheadMs.toFixed(1)} ms (target ≤ +10 ms); ` +
    `control (direct − direct, the noise floor) ${result.controlMs >= 0 ? "+" : ""}${result.controlMs.toFixed(1)} ms; ` +
    `time around the CLI's own lifetime (request, spawn, completion) ${result.aroundMedianMs.toFixed(1)} ms`
  );
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const pairs = Number(process.argv[2] ?? 30);
  const result = await claudeOverheadBench({ pairs });
  console.log(formatClaudeOverhead(result));
  console.log(
    `direct ms: ${result.directMs.map((ms) => ms.toFixed(0)).join(" ")}\n` +
      `service ms: ${result.serviceMs.map((ms) => ms.toFixed(0)).join(" ")}`,
  );
  process.exitCode = result.overheadMs <= 10 ? 0 : 1;
}
