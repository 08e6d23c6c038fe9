/**
 * A model that runs offline: the mock Messages API in this process, answered by a scripted
 * model (`install`), and the environment that points a real `claude` CLI at it from an isolated
 * HOME and CLAUDE_CONFIG_DIR (no login needed, nothing written to the user's ~/.claude, no
 * network but the mock). Used by `stress --mock` and the offline `npm run demo`.
 */
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type MockAnthropic, startMockAnthropic } from "./mock-anthropic/index.js";

export interface OfflineModel {
  mock: MockAnthropic;
  /** For the Claude CLI's environment (with auth mode "api-key", which keeps the key). */
  env: Record<string, string>;
  close(): Promise<void>;
}

export async function startOfflineModel(
  install: (mock: MockAnthropic) => void,
  prefix = "cc-executor-offline-home-",
): Promise<OfflineModel> {
  const home = await mkdtemp(join(tmpdir(), prefix));
  const tmp = join(home, "tmp");
  await mkdir(tmp);
  const mock = await startMockAnthropic();
  install(mock);
  return {
    mock,
    env: {
      HOME: home,
      CLAUDE_CONFIG_DIR: join(home, ".claude"),
      TMPDIR: tmp,
      ANTHROPIC_BASE_URL: mock.url,
      ANTHROPIC_API_KEY: "mock-key",
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1",
      DISABLE_AUTOUPDATER: "1",
      DISABLE_TELEMETRY: "1",
      DISABLE_ERROR_REPORTING: "1",
      CLAUDE_CODE_MAX_RETRIES: "2",
    },
    async close() {
      await mock.close();
      await rm(home, { recursive: true, force: true });
    },
  };
}
