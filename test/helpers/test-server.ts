/**
 * A real server on a free loopback port with its own temporary home, for one test file.
 * Tests talk to it over real sockets; `stop()` closes it and removes the home.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Settings, SettingsInput } from "../../src/config/settings.js";
import { Settings as SettingsSchema } from "../../src/config/settings.js";
import { noAudit } from "../../src/log/audit-log.js";
import { type Logger, silentLogger } from "../../src/log/logger.js";
import { type RunningServer, startServer } from "../../src/server/server.js";

export interface TestServer extends RunningServer {
  home: string;
  settings: Settings;
  stop(): Promise<void>;
}

export function tempDir(prefix = "cce-test-"): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export async function startTestServer(
  overrides: Partial<SettingsInput> = {},
  logger: Logger = silentLogger,
): Promise<TestServer> {
  const home = overrides.home ?? tempDir("cce-home-");
  const settings = SettingsSchema.parse({
    home,
    port: 0,
    logLevel: "silent",
    shell: "bash",
    ...overrides,
  });
  const server = await startServer(settings, { logger, audit: noAudit });
  return {
    ...server,
    home,
    settings,
    async stop() {
      await server.close("test finished");
      rmSync(home, { recursive: true, force: true });
    },
  };
}
