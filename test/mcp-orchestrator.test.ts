/**
 * The whole loop with the real CLI on both sides (issue 17): an orchestrating `claude -p` with
 * `--mcp-config` pointing at `cc-executor mcp` calls `mcp__cc-executor__run_task` three times in a
 * row (the mock Messages API plays its model), each call runs a worker `claude -p` through the
 * cc-executor server, and the orchestrator's final answer holds the three workers' results. The
 * workers ran strictly one after another: each started after the previous one ended (history).
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect } from "../src/client/node.js";
import {
  CLAUDE_BIN,
  type ClaudeSandbox,
  createClaudeSandbox,
  resultOf,
  runClaude,
  streamJsonArgs,
} from "./fixtures/mock-anthropic/claude-runner.js";
import {
  firstUserText,
  type MockAnthropic,
  type RecordedRequest,
  startMockAnthropic,
  textReply,
  toolUseReply,
} from "./fixtures/mock-anthropic/index.js";
import { CLI_PATH } from "./helpers/cli-process.js";
import { type ServerProcess, startServerProcess } from "./helpers/server-process.js";

const ORCHESTRATOR_PROMPT = "Orchestrate: hand out three tasks with cc-executor, in order.";
const WORKERS = 3;

let mock: MockAnthropic;
let workers: ClaudeSandbox;
let orchestrator: ClaudeSandbox;
let server: ServerProcess;

/** The text of every tool_result the orchestrator has received so far, in order. */
function toolResultTexts(request: RecordedRequest): string[] {
  const texts: string[] = [];
  for (const message of request.body?.messages ?? []) {
    if (message.role !== "user" || !Array.isArray(message.content)) continue;
    for (const block of message.content as Array<Record<string, unknown>>) {
      if (block.type !== "tool_result") continue;
      const content = block.content;
      texts.push(
        typeof content === "string"
          ? content
          : (content as Array<{ text?: string }>).map((part) => part.text ?? "").join(""),
      );
    }
  }
  return texts;
}

/**
 * What the orchestrator's model read of a run_task result. Claude Code hands the model a
 * successful call's structuredContent (as JSON) and an error result's text.
 */
function workerResult(toolResult: string): string {
  try {
    return String((JSON.parse(toolResult) as { result?: unknown }).result);
  } catch {
    return `not JSON: ${toolResult.slice(0, 200)}`;
  }
}

/** The mock's model: the orchestrator calls run_task three times, then answers; workers answer. */
function model(request: RecordedRequest) {
  const prompt = firstUserText(request);
  const worker = /^Worker (\d+):/.exec(prompt);
  if (worker) return textReply(`result-of-worker-${worker[1]}`);
  if (!prompt.startsWith("Orchestrate:")) return textReply("OK");
  const done = toolResultTexts(request);
  if (done.length < WORKERS) {
    return toolUseReply({
      name: "mcp__cc-executor__run_task",
      input: { prompt: `Worker ${done.length + 1}: do your part.` },
    });
  }
  return textReply(`All done. ${done.map(workerResult).join(" | ")}`);
}

beforeAll(async () => {
  mock = await startMockAnthropic();
  workers = await createClaudeSandbox();
  orchestrator = await createClaudeSandbox();
  server = await startServerProcess({
    ...workers.env(mock.url),
    CC_EXECUTOR_CLAUDE_BIN: CLAUDE_BIN,
    CC_EXECUTOR_CLAUDE_AUTH: "api-key",
  });
});
afterAll(async () => {
  await server?.cleanup();
  await mock?.close();
  await workers?.cleanup();
  await orchestrator?.cleanup();
});

describe("an orchestrating claude with cc-executor as its MCP server", () => {
  it("runs three workers strictly in order and gets their results back", async () => {
    mock.setDefault(model);
    const config = join(orchestrator.cwd, "mcp.json");
    writeFileSync(
      config,
      JSON.stringify({
        mcpServers: {
          "cc-executor": {
            command: process.execPath,
            args: [CLI_PATH, "mcp"],
            env: { CC_EXECUTOR_HOME: server.home, CC_EXECUTOR_SHELL: "bash" },
          },
        },
      }),
    );
    const run = await runClaude({
      args: streamJsonArgs(ORCHESTRATOR_PROMPT, [
        "--mcp-config",
        config,
        "--strict-mcp-config",
        "--allowedTools",
        "mcp__cc-executor__run_task",
      ]),
      cwd: orchestrator.cwd,
      env: orchestrator.env(mock.url),
      timeoutMs: 100_000,
    });
    const result = resultOf(run);
    expect(result.is_error, run.stderr).toBe(false);
    expect(result.result).toBe(
      "All done. result-of-worker-1 | result-of-worker-2 | result-of-worker-3",
    );

    // The workers are Claude executions in the service's history, one after another.
    const client = await connect({ url: server.wsUrl, token: server.token, reconnect: false });
    try {
      const { executions } = await client.request("history.list", {
        limit: 10,
        offset: 0,
        kind: "claude",
      });
      const ran = executions
        .filter((e) => e.command.includes("Worker "))
        .sort((a, b) => Date.parse(a.started_at ?? "") - Date.parse(b.started_at ?? ""));
      expect(ran.map((e) => e.status)).toEqual(["completed", "completed", "completed"]);
      for (let i = 1; i < ran.length; i++) {
        expect(Date.parse(ran[i]?.started_at ?? "")).toBeGreaterThanOrEqual(
          Date.parse(ran[i - 1]?.ended_at ?? ""),
        );
      }
    } finally {
      client.close();
    }
  }, 120_000);
});
