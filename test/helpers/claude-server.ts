/**
 * A test server whose Claude runs use the real CLI (node_modules/.bin/claude) against the mock
 * Anthropic API, each run in an isolated HOME/CLAUDE_CONFIG_DIR/TMPDIR (via the request's env),
 * plus a raw JSON-RPC socket to it. `stop()` removes everything.
 */
import type { SettingsInput } from "../../src/config/settings.js";
import {
  CLAUDE_BIN,
  type ClaudeSandbox,
  createClaudeSandbox,
} from "../fixtures/mock-anthropic/claude-runner.js";
import { type MockAnthropic, startMockAnthropic } from "../fixtures/mock-anthropic/index.js";
import { type Message, RpcSocket } from "./rpc-socket.js";
import { startTestServer, type TestServer } from "./test-server.js";

export interface ClaudeHarness {
  server: TestServer;
  mock: MockAnthropic;
  sandbox: ClaudeSandbox;
  socket: RpcSocket;
  /** The env a `claude.execute` needs to talk to the mock from the sandbox. */
  env(extra?: Record<string, string | undefined>): Record<string, string>;
  /** Starts a claude.execute and resolves with its id and process.completed params. */
  claude(
    prompt: string,
    params?: Record<string, unknown>,
  ): Promise<{ id: string; completed: Record<string, unknown>; reply: Message }>;
  stop(): Promise<void>;
}

export async function startClaudeHarness(
  overrides: Partial<SettingsInput> = {},
): Promise<ClaudeHarness> {
  const mock = await startMockAnthropic();
  const sandbox = await createClaudeSandbox();
  const server = await startTestServer({
    claudeBin: CLAUDE_BIN,
    claudeAuth: "api-key",
    claudeRetryBaseMs: 100,
    claudeRetryMaxMs: 500,
    ...overrides,
  });
  const socket = await RpcSocket.open(server.wsUrl, { token: server.token });
  const harness: ClaudeHarness = {
    server,
    mock,
    sandbox,
    socket,
    env: (extra) => sandbox.env(mock.url, extra),
    async claude(prompt, params = {}) {
      const reply = await socket.call("claude.execute", {
        prompt,
        cwd: sandbox.cwd,
        env: harness.env(),
        ...params,
      });
      if (reply.error) throw new Error(`claude.execute failed: ${reply.error.message}`);
      const id = (reply.result as { execution_id: string }).execution_id;
      const completed = await socket.notification("process.completed", id);
      return { id, completed: completed.params as Record<string, unknown>, reply };
    },
    async stop() {
      socket.close();
      await server.stop();
      await mock.close();
      await sandbox.cleanup();
    },
  };
  return harness;
}

/** The stdout of an execution as stream-json objects (every line must parse). */
export function streamEvents(socket: RpcSocket, executionId: string): Record<string, unknown>[] {
  return socket
    .output(executionId)
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}
