/**
 * A test server whose audit trail is kept in memory, so tests can check what was recorded
 * (refusals with their reason, executions, signals, exits) and what never was (the token).
 */
import { rmSync } from "node:fs";
import type { SettingsInput } from "../../src/config/settings.js";
import { Settings as SettingsSchema } from "../../src/config/settings.js";
import type { AuditEvent, AuditLog } from "../../src/log/audit-log.js";
import { silentLogger } from "../../src/log/logger.js";
import { startServer } from "../../src/server/server.js";
import { type TestServer, tempDir } from "./test-server.js";

export interface AuditedServer extends TestServer {
  audit: AuditEvent[];
}

export async function startAuditedServer(
  overrides: Partial<SettingsInput> = {},
): Promise<AuditedServer> {
  const home = overrides.home ?? tempDir("cce-home-");
  const settings = SettingsSchema.parse({
    home,
    port: 0,
    logLevel: "silent",
    shell: "bash",
    ...overrides,
  });
  const entries: AuditEvent[] = [];
  const audit: AuditLog = { record: (entry) => entries.push(entry), close: () => {} };
  const server = await startServer(settings, { logger: silentLogger, audit });
  return {
    ...server,
    home,
    settings,
    audit: entries,
    async stop() {
      await server.close("test finished");
      rmSync(home, { recursive: true, force: true });
    },
  };
}
