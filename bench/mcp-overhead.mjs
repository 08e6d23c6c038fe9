// Overhead of `run_task` (the MCP server, issue 17) over `claude.execute` (the client SDK) for the
// same prompt against the same mock Anthropic API, on the same cc-executor server process
// (target: median of ≥ 10 pairs ≤ +15 ms). Each pair runs the prompt once each way, in
// alternating order.
//
//   npm run build && node bench/mcp-overhead.mjs [pairs]
//
// SDK: `client.claude()` on an open connection, from the call to its result. MCP: the MCP SDK's
// client calling `run_task` on a running `cc-executor mcp` process over stdio (with a
// progressToken, as Claude Code sends one), from the call to its result. Both runs go through the
// same server, so the CLI's own run time (which varies by ±100 ms) is in both; besides the wall
// time difference, the bench reports what each path adds around the run's own duration
// (`duration_ms` of the execution): that difference is the MCP hop itself, resolved to a
// millisecond, and it is the verdict.
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { connect } from "../dist/client/node.js";
import { startMockAnthropic, textReply } from "../dist/testing/mock-anthropic/index.js";
import { BIN, median, ROOT, sandboxEnv, startServerProcess } from "./util.mjs";

const CLAUDE_BIN = join(ROOT, "node_modules", ".bin", "claude");
const PROMPT = "What is 2+2?";
const TARGET_MS = 15;

async function viaSdk(client, cwd) {
  const started = performance.now();
  const run = await client.claude(PROMPT, { cwd });
  const elapsed = performance.now() - started;
  if (!run.success || run.result !== "4") throw new Error(`SDK run failed: ${run.error}`);
  return { elapsed, aroundMs: elapsed - run.durationMs };
}

async function viaMcp(mcp, cwd) {
  const started = performance.now();
  const result = await mcp.callTool(
    { name: "run_task", arguments: { prompt: PROMPT, cwd } },
    undefined,
    {
      onprogress: () => {},
      timeout: 120_000,
    },
  );
  const elapsed = performance.now() - started;
  const out = result.structuredContent;
  if (result.isError || out?.result !== "4")
    throw new Error(`run_task failed: ${JSON.stringify(result)}`);
  return { elapsed, aroundMs: elapsed - out.duration_ms };
}

export async function mcpOverheadBench({ pairs = 20, warmup = 2 } = {}) {
  const home = mkdtempSync(join(tmpdir(), "cce-bench-mcp-"));
  mkdirSync(join(home, "tmp"));
  const cwd = mkdtempSync(join(tmpdir(), "cce-bench-mcp-cwd-"));
  const mock = await startMockAnthropic({ defaultReply: textReply("4") });
  // run_task has no `env`: the server's own environment points the CLI at the mock.
  const server = await startServerProcess({
    ...sandboxEnv(home, mock.url),
    CC_EXECUTOR_CLAUDE_BIN: CLAUDE_BIN,
    CC_EXECUTOR_CLAUDE_AUTH: "api-key",
  });
  const client = await connect({ url: server.wsUrl, token: server.token, reconnect: false });
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [BIN, "mcp"],
    env: { ...process.env, CC_EXECUTOR_HOME: server.home },
    stderr: "inherit",
  });
  const mcp = new Client({ name: "cc-executor-bench", version: "1.0.0" });
  await mcp.connect(transport);
  try {
    for (let i = 0; i < warmup; i++) {
      await viaSdk(client, cwd);
      await viaMcp(mcp, cwd);
    }
    const sdk = [];
    const viaMcpRuns = [];
    for (let i = 0; i < pairs; i++) {
      if (i % 2 === 0) {
        sdk.push(await viaSdk(client, cwd));
        viaMcpRuns.push(await viaMcp(mcp, cwd));
      } else {
        viaMcpRuns.push(await viaMcp(mcp, cwd));
        sdk.push(await viaSdk(client, cwd));
      }
    }
    return {
      pairs,
      sdkMedianMs: median(sdk.map((r) => r.elapsed)),
      mcpMedianMs: median(viaMcpRuns.map((r) => r.elapsed)),
      wallOverheadMs: median(viaMcpRuns.map((r, i) => r.elapsed - sdk[i].elapsed)),
      sdkAroundMs: median(sdk.map((r) => r.aroundMs)),
      mcpAroundMs: median(viaMcpRuns.map((r) => r.aroundMs)),
    };
  } finally {
    await mcp.close();
    client.close();
    await server.stop();
    await mock.close();
    rmSync(home, { recursive: true, force: true });
    rmSync(cwd, { recursive: true, force: true });
  }
}

export function mcpOverheadMs(result) {
  return result.mcpAroundMs - result.sdkAroundMs;
}

export function formatMcpOverhead(result) {
  const sign = (ms) => `${ms >= 0 ? "+" : ""}${ms.toFixed(1)}`;
  return (
    `run_task vs claude.execute ("${PROMPT}", real CLI, mock API), ${result.pairs} pairs: ` +
    `SDK ${result.sdkMedianMs.toFixed(1)} ms, MCP ${result.mcpMedianMs.toFixed(1)} ms median; ` +
    `wall difference (median of pairs) ${sign(result.wallOverheadMs)} ms; ` +
    `around the run: SDK ${result.sdkAroundMs.toFixed(1)} ms, MCP ${result.mcpAroundMs.toFixed(1)} ms, ` +
    `overhead ${sign(mcpOverheadMs(result))} ms (target ≤ +${TARGET_MS} ms)`
  );
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const pairs = Number(process.argv[2] ?? 20);
  const result = await mcpOverheadBench({ pairs });
  console.log(formatMcpOverhead(result));
  process.exitCode = mcpOverheadMs(result) <= TARGET_MS ? 0 : 1;
}
