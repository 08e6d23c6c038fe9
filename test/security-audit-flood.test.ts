/**
 * Refusals cannot erase the audit trail (DESIGN §11, issue 15 item 3). Anyone can be refused —
 * no token is needed for that — so a flood of refused requests with long paths (4,600 of 15 KB
 * once rotated every earlier record out in under a second) must leave the records of executions
 * in place and the log small: paths and reasons are cut, refusals past a rate are counted in one
 * summary per reason, and refusals are written apart from execution records, on their own budget.
 * A real server with its real audit files.
 */
import { readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { Agent, request } from "node:http";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { Settings } from "../src/config/settings.js";
import { silentLogger } from "../src/log/logger.js";
import { type RunningServer, startServer } from "../src/server/server.js";
import { RpcSocket } from "./helpers/rpc-socket.js";
import { tempDir } from "./helpers/test-server.js";

const FLOOD_REQUESTS = 5000;
const LONG_PATH = `/${"A".repeat(15_000)}`;

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

type Line = Record<string, unknown>;

function readAuditLines(logs: string): { files: string[]; lines: Line[]; bytes: number } {
  const files = readdirSync(logs).sort();
  let bytes = 0;
  const lines: Line[] = [];
  for (const name of files) {
    const path = join(logs, name);
    bytes += statSync(path).size;
    for (const line of readFileSync(path, "utf8").split("\n")) {
      if (line) lines.push(JSON.parse(line) as Line);
    }
  }
  return { files, lines, bytes };
}

/** `count` GETs of `path` without a token over a few keep-alive connections; all get 401. */
async function flood(port: number, path: string, count: number): Promise<void> {
  const agent = new Agent({ keepAlive: true, maxSockets: 8 });
  let next = 0;
  const statuses = new Map<number, number>();
  const worker = async (): Promise<void> => {
    while (next < count) {
      next++;
      const status = await new Promise<number>((resolve, reject) => {
        const req = request({ host: "127.0.0.1", port, path, agent }, (res) => {
          res.resume();
          res.on("end", () => resolve(res.statusCode ?? 0));
        });
        req.on("error", reject);
        req.end();
      });
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  agent.destroy();
  expect(Object.fromEntries(statuses)).toEqual({ 401: count });
}

describe("a flood of refused requests", () => {
  it("keeps every execution record and the log small; refusals are cut, counted and kept apart", {
    timeout: 60_000,
  }, async () => {
    const home = tempDir("cce-audit-flood-");
    cleanups.push(() => rmSync(home, { recursive: true, force: true }));
    const settings = Settings.parse({ home, port: 0, logLevel: "silent", shell: "bash" });
    const server: RunningServer = await startServer(settings, { logger: silentLogger });
    cleanups.push(() => server.close("test finished"));

    const socket = await RpcSocket.open(server.wsUrl, { token: server.token });
    const { id } = await socket.run("echo before the flood");
    socket.close();
    await socket.whenClosed();

    await flood(server.port, LONG_PATH, FLOOD_REQUESTS);
    await server.close("test finished"); // writes what is still being counted

    const { lines, bytes } = readAuditLines(join(home, "logs"));
    // The execution's own records survived, whole.
    expect(lines).toContainEqual(
      expect.objectContaining({
        event: "execute",
        execution_id: id,
        command: "echo before the flood",
      }),
    );
    expect(lines).toContainEqual(
      expect.objectContaining({ event: "exit", execution_id: id, status: "completed" }),
    );
    // 5,000 × 15 KB were sent; what was kept of them is small.
    expect(bytes).toBeLessThan(256 * 1024);
    const refused = lines.filter((line) => line.event === "refused");
    const summaries = lines.filter((line) => line.event === "refused_summary");
    expect(refused.length).toBeGreaterThan(0);
    expect(refused.length).toBeLessThan(100);
    for (const line of refused) {
      expect(line.reason).toBe("missing token");
      expect(String(line.path).length).toBeLessThan(300);
      expect(String(line.path)).toMatch(/^\/A+… \(15001 chars\)$/);
    }
    // Nothing went uncounted: each refusal is a line of its own or part of a summary's count.
    expect(summaries.length).toBeGreaterThan(0);
    for (const summary of summaries) {
      expect(summary).toMatchObject({ reason: "missing token", peers: ["127.0.0.1"] });
    }
    const summarized = summaries.reduce((sum, line) => sum + Number(line.count), 0);
    expect(refused.length + summarized).toBe(FLOOD_REQUESTS);
  });
});
