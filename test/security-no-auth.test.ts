/**
 * Exposure rules (DESIGN §11): auth "none" (--no-auth) works on loopback only, loudly, and
 * still checks Host and Origin; a non-loopback bind needs the token (and warns); a non-loopback
 * bind without a token is refused before anything is created or listened on.
 */
import { existsSync, rmSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { type SettingsInput, Settings as SettingsSchema } from "../src/config/settings.js";
import { noAudit } from "../src/log/audit-log.js";
import { createLogger } from "../src/log/logger.js";
import { type RunningServer, StartError, startServer } from "../src/server/server.js";
import { probe } from "./helpers/http-probe.js";
import { RpcSocket } from "./helpers/rpc-socket.js";
import { tempDir } from "./helpers/test-server.js";

const cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

/** Starts a server whose log lines are captured, in a fresh home that is removed afterwards. */
async function start(
  overrides: Partial<SettingsInput>,
): Promise<{ server: RunningServer; home: string; logs: Array<Record<string, unknown>> }> {
  const parent = tempDir("cce-exposure-");
  cleanup.push(() => rmSync(parent, { recursive: true, force: true }));
  const home = join(parent, "home");
  const logs: Array<Record<string, unknown>> = [];
  const settings = SettingsSchema.parse({ home, port: 0, shell: "bash", ...overrides });
  const server = await startServer(settings, {
    logger: createLogger("warn", (line) => logs.push(JSON.parse(line) as Record<string, unknown>)),
    audit: noAudit,
  });
  cleanup.push(() => server.close());
  return { server, home, logs };
}

describe('auth "none" on loopback', () => {
  it("needs no token, creates none, and says so loudly", async () => {
    const { server, home, logs } = await start({ auth: "none", host: "127.0.0.1" });
    expect(server.token).toBeNull();
    expect(existsSync(join(home, "token"))).toBe(false);
    expect(logs).toContainEqual(
      expect.objectContaining({ level: 40, msg: expect.stringContaining("AUTHENTICATION IS OFF") }),
    );
    const socket = await RpcSocket.open(server.wsUrl);
    cleanup.push(() => socket.close());
    const { id, completed } = await socket.run("echo open");
    expect(completed.status).toBe("completed");
    expect(socket.output(id)).toBe("open\n");
    expect(await socket.result("server.status")).toMatchObject({ auth: "none" });
    const health = await probe(server.port, { path: "/health" });
    expect(health.status).toBe(200);
    expect(JSON.parse(health.body)).toMatchObject({ status: "ok", auth: "none" });
  });

  it("still refuses foreign Origins and rebinding Hosts", async () => {
    const { server } = await start({ auth: "none" });
    const origin = await probe(server.port, {
      upgrade: true,
      headers: { origin: "http://evil.example" },
    });
    expect(origin).toMatchObject({ status: 403, upgraded: false });
    const host = await probe(server.port, { upgrade: true, host: `evil.example:${server.port}` });
    expect(host).toMatchObject({ status: 403, upgraded: false });
    const healthz = await probe(server.port, {
      path: "/healthz",
      headers: { origin: "null" },
    });
    expect(healthz.status).toBe(403);
  });
});

describe("non-loopback binds", () => {
  it.each(["0.0.0.0", "::", "192.0.2.10"])(
    'auth "none" with host %s is refused before anything is created',
    async (host) => {
      const parent = tempDir("cce-exposure-");
      cleanup.push(() => rmSync(parent, { recursive: true, force: true }));
      const home = join(parent, "home");
      const settings = SettingsSchema.parse({
        home,
        port: 0,
        host,
        auth: "none",
        authSource: "--no-auth",
        logLevel: "silent",
      });
      const attempt = startServer(settings, { logger: createLogger("silent"), audit: noAudit });
      await expect(attempt).rejects.toBeInstanceOf(StartError);
      await expect(attempt).rejects.toThrow(
        `refusing to serve ${host} without a token: --no-auth is loopback only`,
      );
      expect(existsSync(home)).toBe(false);
    },
  );

  it("with the token, 0.0.0.0 is served with a warning; the token is still required", async () => {
    const { server, logs } = await start({ host: "0.0.0.0" });
    expect(logs).toContainEqual(
      expect.objectContaining({ level: 40, msg: expect.stringContaining("beyond loopback") }),
    );
    const refused = await probe(server.port, { upgrade: true });
    expect(refused).toMatchObject({ status: 401, upgraded: false });
    const socket = await RpcSocket.open(`ws://127.0.0.1:${server.port}/ws/mcp`, {
      token: server.token,
    });
    cleanup.push(() => socket.close());
    const { completed } = await socket.run("true");
    expect(completed.status).toBe("completed");
  });
});
