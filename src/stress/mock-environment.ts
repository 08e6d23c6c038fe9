/**
 * `stress --mock`: the mock Anthropic API in this process, with the stand-in model, and the env
 * that points every Claude run at it from an isolated HOME (no login, no network but the mock).
 */
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type MockAnthropic, startMockAnthropic } from "../testing/mock-anthropic/index.js";
import { installStressModel } from "./mock-model.js";

export interface StressMock {
  mock: MockAnthropic;
  /** For the `env` of each Claude run (auth_mode "api-key"). */
  env: Record<string, string>;
  close(): Promise<void>;
}

export async function startStressMock(): Promise<StressMock> {
  const home = await mkdtemp(join(tmpdir(), "cc-executor-stress-home-"));
  const tmp = join(home, "tmp");
  await mkdir(tmp);
  const mock = await startMockAnthropic();
  installStressModel(mock);
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
